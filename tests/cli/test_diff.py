"""`diff`: what differs in a provider's status between two days, and the entries that changed it."""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson
from builders import (
    cell,
    corrected,
    entered,
    exited,
    inherited,
    location,
    notice_assessed,
    notice_issued,
    registered,
    report,
    revised,
    segment,
    superseded,
)
from conftest import EXAMPLES
from recorded_history import moment, recorded

from cqc_ledger.projections.diff import diff
from cqc_ledger.projections.output.diff import diff_json

INADEQUATE, RI, GOOD = "Inadequate", "Requires improvement", "Good"


def history(*more: dict[str, Any]) -> list:
    return recorded(
        registered("RWP"),  # RWP/1
        location("RWP01"),  # RWP/2
        report("R1", "2016-01-10", cell("overall", RI), cell("safe", RI), cell("safe", INADEQUATE, "RWP01")),  # RWP/3
        entered("2016-02-01"),  # RWP/4
        notice_issued("WN-1", "2016-03-01"),  # RWP/5
        segment("2016-10-01", "SOF-2016", 4),  # RWP/6
        report("R2", "2017-06-20", cell("overall", RI), cell("safe", INADEQUATE), cell("caring", GOOD)),  # RWP/7
        notice_assessed("WN-1", "2017-06-20", "met"),  # RWP/8
        notice_issued("WN-2", "2017-07-01"),  # RWP/9
        exited("2018-01-15"),  # RWP/10
        segment("2018-02-01", "SOF-2016", 3),  # RWP/11
        *more,
    )


def between(entries: list, start: str, end: str, known_at=None) -> dict[str, Any]:
    found = diff(entries, "RWP", date.fromisoformat(start), date.fromisoformat(end), known_at)
    return diff_json(found, moment(99))


def test_a_rating_that_changed_shows_from_and_to_with_the_entries_that_changed_it() -> None:
    doc = between(history(), "2016-12-31", "2018-12-31")
    assert [(c["location_id"], c["service"], c["question"], c["from"], c["to"], c["refs"]) for c in doc["changes"]] == [
        (None, None, "safe", RI, INADEQUATE, ["RWP/7"]),
        (None, None, "caring", None, GOOD, ["RWP/7"]),
    ]


def test_ratings_a_location_inherited_and_a_service_retired_show_the_entries_that_did_it() -> None:
    taken = {"published_on": "2018-03-01", "report_id": "R-OLD"}
    entries = history(
        location("RWP60", "2018-04-01"),  # RWP/12
        inherited("RWP60", "2018-04-01", cell("overall", GOOD, "RWP60") | taken, from_location_id="RXX01"),  # RWP/13
        report("R3", "2018-05-01", cell("overall", GOOD, "RWP01", "Maternity and gynaecology")),  # RWP/14
        superseded("Maternity and gynaecology", "2018-06-01", "Maternity", location_id="RWP01"),  # RWP/15
    )

    doc = between(entries, "2018-05-15", "2018-12-31")
    taken_over = between(entries, "2018-01-01", "2018-12-31")

    assert [(c["location_id"], c["service"], c["from"], c["to"], c["refs"]) for c in doc["changes"]] == [
        ("RWP01", "Maternity and gynaecology", GOOD, None, ["RWP/15"]),
    ]
    assert [(c["location_id"], c["from"], c["to"], c["refs"]) for c in taken_over["changes"] if c["location_id"] == "RWP60"] == [
        ("RWP60", None, GOOD, ["RWP/13"]),
    ]


def test_a_rating_published_again_unchanged_is_told_apart_from_a_change() -> None:
    doc = between(history(), "2016-12-31", "2018-12-31")
    assert [(c["question"], c["to"], c["from_since"], c["to_since"], c["refs"]) for c in doc["reaffirmed"]] == [
        ("overall", RI, "2016-01-10", "2017-06-20", ["RWP/7"]),
    ]


def test_a_cell_no_entry_touched_between_the_days_is_not_listed() -> None:
    doc = between(history(), "2016-12-31", "2018-12-31")
    assert all(c["location_id"] != "RWP01" for c in doc["changes"] + doc["reaffirmed"])


def test_special_measures_notices_and_oversight_show_from_and_to() -> None:
    doc = between(history(), "2016-12-31", "2018-12-31")
    assert doc["special_measures"] == [
        {
            "regime": "quality",
            "from": {"since": "2016-02-01", "ref": "RWP/4"},
            "to": None,
            "refs": ["RWP/10"],
            "steps": [{"did": "left", "on": "2018-01-15", "ref": "RWP/10"}],
        },
    ]
    assert [(n["notice_id"], n["from"], n["to"], n["closed_on"], n["refs"]) for n in doc["warning_notices"]] == [
        ("WN-1", "open", "met", "2017-06-20", ["RWP/8"]),
        ("WN-2", None, "open", None, ["RWP/9"]),
    ]
    assert doc["oversight"] == {
        "from": {"framework": "SOF-2016", "segment": 4, "since": "2016-10-01", "ref": "RWP/6"},
        "to": {"framework": "SOF-2016", "segment": 3, "since": "2018-02-01", "ref": "RWP/11"},
        "refs": ["RWP/11"],
    }


def test_entering_special_measures_between_the_days_shows_the_regime_arriving() -> None:
    doc = between(history(), "2016-01-31", "2016-02-01")
    assert doc["special_measures"] == [
        {
            "regime": "quality",
            "from": None,
            "to": {"since": "2016-02-01", "ref": "RWP/4"},
            "refs": ["RWP/4"],
            "steps": [{"did": "entered", "on": "2016-02-01", "ref": "RWP/4"}],
        },
    ]
    assert (doc["changes"], doc["warning_notices"], doc["oversight"]) == ([], [], None)


def test_a_regime_entered_and_left_between_the_days_is_listed_with_when() -> None:
    # Given special measures entered on 2016-02-01 and left on 2018-01-15
    # When the days asked are before and after both
    doc = between(history(), "2015-12-31", "2019-12-31")
    # Then the regime is out on both days, and diff still says when it was entered and left
    assert doc["special_measures"] == [
        {
            "regime": "quality",
            "from": None,
            "to": None,
            "refs": ["RWP/4", "RWP/10"],
            "steps": [{"did": "entered", "on": "2016-02-01", "ref": "RWP/4"}, {"did": "left", "on": "2018-01-15", "ref": "RWP/10"}],
        },
    ]


def test_diff_text_says_when_a_regime_was_entered_and_left(cli) -> None:
    record(cli, "RWP")
    text = cli("diff", "RWP", "--from", "2015-01-01", "--to", "2021-01-01").stdout
    assert "Special measures\n  quality: out -> out: entered 2 December 2015 (RWP/13); left 24 September 2020 (RWP/26)" in text


def test_the_same_day_twice_has_no_differences() -> None:
    doc = between(history(), "2017-06-20", "2017-06-20")
    assert (doc["changes"], doc["reaffirmed"], doc["special_measures"], doc["warning_notices"], doc["oversight"]) == (
        [],
        [],
        [],
        [],
        None,
    )


def test_as_known_at_a_time_a_later_correction_is_not_seen() -> None:
    fixed = report("R2", "2017-06-20", cell("overall", INADEQUATE), cell("safe", INADEQUATE), cell("caring", GOOD))
    entries = history(corrected("RWP/7", fixed))  # RWP/12
    then = between(entries, "2016-12-31", "2018-12-31", known_at=moment(11))
    now = between(entries, "2016-12-31", "2018-12-31")
    assert [c["question"] for c in then["changes"]] == ["safe", "caring"]
    assert next((c["question"], c["from"], c["to"], c["refs"]) for c in now["changes"]) == ("overall", RI, INADEQUATE, ["RWP/7"])


# ---- through the CLI ---------------------------------------------------------------------------


def record(cli, name: str) -> None:
    result = cli("record", str(EXAMPLES / f"{name}.jsonl"))
    assert result.exit_code == 0, result.output


def test_diff_json_of_worcestershire_from_2017_to_2019(cli) -> None:
    record(cli, "RWP")
    result = cli("diff", "RWP", "--from", "2017-01-01", "--to", "2019-12-31", "--json")
    assert result.exit_code == 0, result.output
    doc = orjson.loads(result.stdout)
    assert {"changes", "special_measures", "warning_notices", "oversight"} <= set(doc)
    overall = next(c for c in doc["changes"] if (c["location_id"], c["service"], c["question"]) == (None, None, "overall"))
    assert (overall["from"], overall["to"], overall["refs"]) == (INADEQUATE, RI, ["RWP/17", "RWP/23", "RWP/25"])
    assert doc["special_measures"] == []  # in special measures on both days (December 2015 to September 2020)
    assert [(n["notice_id"], n["from"], n["to"]) for n in doc["warning_notices"]] == [
        ("RWP-WN-2017-01", None, "open"),
        ("RWP-WN-2017-02", None, "open"),
    ]


def test_diff_for_a_person_reads_from_and_to_with_refs(cli) -> None:
    record(cli, "RWP")
    result = cli("diff", "RWP", "--from", "2019-01-01", "--to", "2020-12-31")
    assert result.exit_code == 0, result.output
    assert "Worcestershire Acute Hospitals NHS Trust (RWP): what changed from 1 January 2019 to 31 December 2020" in result.stdout
    assert "  trust overall: Inadequate -> Requires improvement since 20 September 2019 (RWP/25)" in result.stdout
    assert "  trust combined: no rating -> Requires improvement since 20 September 2019 (RWP/25)" in result.stdout
    assert "Special measures\n  quality: in since 2 December 2015 -> out: left 24 September 2020 (RWP/26)" in result.stdout


def test_diff_with_nothing_between_says_so(cli) -> None:
    record(cli, "RX9")
    result = cli("diff", "RX9", "--from", "2020-01-01", "--to", "2021-01-01")
    assert result.exit_code == 0, result.output
    assert result.stdout.rstrip().endswith("Nothing changed.")


def test_diff_refuses_days_the_wrong_way_round(cli) -> None:
    record(cli, "RX9")
    result = cli("diff", "RX9", "--from", "2021-01-01", "--to", "2020-01-01")
    assert result.exit_code == 2
    assert "--from" in result.output


def test_diff_help_ends_with_an_example(cli) -> None:
    result = cli("diff", "--help")
    described = result.output[: result.output.index("Options:")].rstrip()
    assert described.endswith("  Example:\n    cqc-ledger diff RWP --from 2017-01-01 --to 2019-12-31")


def test_renames_registrations_and_deregistrations_between_the_days_are_listed_and_none_outside_them() -> None:
    entries = history(
        {"type": "ProviderRenamed", "provider_id": "RWP", "name": "Worcestershire Acute", "on": "2019-01-01"},  # RWP/12
        location("RWP02", on="2019-02-01", name="Kidderminster Hospital"),  # RWP/13
        {"type": "LocationDeregistered", "provider_id": "RWP", "location_id": "RWP01", "on": "2019-03-01"},  # RWP/14
        {"type": "ProviderDeregistered", "provider_id": "RWP", "on": "2020-04-01", "successor_id": "RXX"},  # RWP/15
    )

    doc = between(entries, "2018-12-31", "2020-12-31")

    assert [(r["did"], r["location_id"], r["name"], r["successor_id"], r["on"], r["ref"]) for r in doc["register"]] == [
        ("renamed", None, "Worcestershire Acute", None, "2019-01-01", "RWP/12"),
        ("location registered", "RWP02", "Kidderminster Hospital", None, "2019-02-01", "RWP/13"),
        ("location deregistered", "RWP01", "Hospital RWP01", None, "2019-03-01", "RWP/14"),
        ("deregistered", None, None, "RXX", "2020-04-01", "RWP/15"),
    ]
    assert between(entries, "2016-12-31", "2018-12-31")["register"] == []


IBNR = "Inspected but not rated"
IER = "Insufficient evidence to rate"


def inspected_delta() -> list[dict[str, Any]]:
    """A trust rated in 2015, then inspected in 2017 without a new rating (audit repro f4)."""
    return [
        registered("RDD"),  # RDD/1
        location("RDD01", provider_id="RDD"),  # RDD/2
        report("A", "2015-01-01", cell("overall", GOOD), cell("safe", RI, "RDD01", "Maternity"), provider_id="RDD"),  # RDD/3
        report("B", "2017-01-01", cell("overall", IBNR), cell("safe", IBNR, "RDD01", "Maternity"), provider_id="RDD"),  # RDD/4
    ]


def test_inspected_but_not_rated_is_no_rating_published_again_but_the_area_inspected() -> None:
    found = diff(recorded(*inspected_delta()), "RDD", date(2016, 1, 1), date(2018, 1, 1))
    doc = diff_json(found, moment(99))

    assert (doc["changes"], doc["reaffirmed"]) == ([], [])
    assert [(c["cell"], c["to"], c["to_since"], c["inspected_on"], c["inspected_ref"]) for c in doc["inspected_without_rating"]] == [
        ("trust overall", GOOD, "2015-01-01", "2017-01-01", "RDD/4"),
        ("RDD01 Maternity safe", RI, "2015-01-01", "2017-01-01", "RDD/4"),
    ]


def test_diff_text_says_the_area_was_inspected_without_a_new_rating(cli) -> None:
    assert cli("record", "-", input=inspected_delta()).exit_code == 0
    text = cli("diff", "RDD", "--from", "2016-01-01", "--to", "2018-01-01").stdout
    assert "Rated again, unchanged" not in text
    assert (
        "Inspected without a new rating\n"
        "  trust overall: Good stands (since 1 January 2015); inspected 1 January 2017 without a new rating (RDD/4)\n"
    ) in text


def test_a_report_that_left_a_services_block_as_it_was_is_not_named_for_its_key_questions() -> None:
    """CQC shows a service's ratings as one block: a report that inspects the service without a
    new rating sets none of its key questions' words that are not ratings, so it changed nothing
    there and diff does not name it (it named every cell the report listed)."""
    maternity = ("RWP01", "Maternity")
    entries = history(
        report("S1", "2018-03-01", cell("overall", GOOD, *maternity), cell("safe", GOOD, *maternity)),  # RWP/12
        report("S2", "2018-05-01", cell("overall", IBNR, *maternity), cell("effective", IER, *maternity)),  # RWP/13
        report("S3", "2018-07-01", cell("overall", RI, *maternity), cell("effective", RI, *maternity)),  # RWP/14
    )

    doc = between(entries, "2018-04-01", "2018-12-31")

    assert [(c["question"], c["from"], c["to"], c["refs"]) for c in doc["changes"] if c["service"] == "Maternity"] == [
        ("overall", GOOD, RI, ["RWP/13", "RWP/14"]),
        ("effective", None, RI, ["RWP/14"]),
    ]


def test_a_revision_of_a_services_overall_is_not_named_for_its_key_questions() -> None:
    """A `RatingRevised` rates nothing anew: the service's key questions stay its report's, so
    the revision is named only for the cell it revised."""
    maternity = ("RWP01", "Maternity")
    entries = history(
        report("S1", "2018-03-01", cell("overall", GOOD, *maternity), cell("safe", GOOD, *maternity)),  # RWP/12
        revised("2018-05-01", cell("overall", RI, *maternity), report_id="S1"),  # RWP/13
        report("S2", "2018-07-01", cell("safe", RI, *maternity)),  # RWP/14
    )

    doc = between(entries, "2018-04-01", "2018-12-31")

    assert [(c["question"], c["from"], c["to"], c["refs"]) for c in doc["changes"] if c["service"] == "Maternity"] == [
        ("overall", GOOD, RI, ["RWP/13"]),
        ("safe", GOOD, RI, ["RWP/14"]),
    ]
