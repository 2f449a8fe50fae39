"""What the record can mean (CONTRACT.md section 2, "What is refused"; ledger/meaning.py): each
refusal names the line and the rule, and nothing of the input is recorded."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from builders import cell, inherited, inspection, location, notice_assessed, notice_issued, registered, report, revised, segment, superseded

GIVEN = [
    registered("RWP", on="2012-04-01"),  # RWP/1
    location("RWP01", on="2014-01-01"),  # RWP/2
    location("RWP50", on="2012-04-01"),  # RWP/3
    {"type": "LocationDeregistered", "provider_id": "RWP", "location_id": "RWP50", "on": "2016-03-31"},  # RWP/4
    inspection("I-2019", "2019-05-01"),  # RWP/5
]
GONE = {"type": "ProviderDeregistered", "provider_id": "RWP", "on": "2022-03-31", "successor_id": "RWPX"}


def given(cli: Any, *extra: dict) -> None:
    result = cli("record", input=[*GIVEN, *extra])
    assert result.exit_code == 0, result.output


def entries(cli: Any) -> list[dict]:
    return orjson.loads(cli("entries", "--json").stdout)


REFUSED = {
    "a report before the provider's registration": (
        report("R", "2012-01-10", cell("overall", "Good")),
        "before the provider was registered",
    ),
    "a notice before the provider's registration": (notice_issued("N", "2011-01-01"), "before the provider was registered"),
    "an inspection before the provider's registration": (inspection("I", "2012-03-01"), "before the provider was registered"),
    "special measures before the provider's registration": (
        {"type": "SpecialMeasuresEntered", "provider_id": "RWP", "on": "2012-03-01", "regime": "quality"},
        "before the provider was registered",
    ),
    "a location's cell before that location's registration": (
        report("R", "2013-12-01", cell("safe", "Good", "RWP01")),
        "location RWP01 was registered on 2014-01-01",
    ),
    "an inheritance taken over before its location's registration": (
        inherited("RWP01", "2013-12-01", {**cell("overall", "Good"), "published_on": "2013-11-01"}),
        'field "on": location RWP01 was registered on 2014-01-01 (RWP/2), after this RatingsInherited of 2013-12-01',
    ),
    "a rating at a location after its deregistration": (
        report("R", "2017-01-10", cell("safe", "Good", "RWP50")),
        "location RWP50 was deregistered on 2016-03-31",
    ),
    "a report naming an inspection not recorded": (
        report("R", "2019-09-20", inspection_ids=["I-none"]),
        'inspection "I-none" is not recorded',
    ),
    "a report naming an inspection that started after it": (
        report("R", "2019-04-20", inspection_ids=["I-2019"]),
        'inspection "I-2019" began on 2019-05-01, after this report of 2019-04-20',
    ),
    "a revision naming a report not recorded": (
        revised("2019-10-01", cell("overall", "Requires improvement"), report_id="R-none"),
        'field "report_id": report "R-none" of RWP is not recorded: record its ReportPublished entry first',
    ),
    "a revision naming a report published after it": (
        revised("2019-09-01", cell("overall", "Requires improvement"), report_id="OK"),
        'field "report_id": report "OK" was published on 2019-09-20, after this RatingRevised of 2019-09-01',
    ),
    "a CQC rating before October 2013": (report("R", "2013-06-01", cell("overall", "Good")), "before CQC's ratings began (October 2013)"),
    "use of resources before 2018": (
        report("R", "2017-06-01", cell("use-of-resources", "Good")),
        '"use-of-resources" was first rated in 2018',
    ),
    "a combined rating before 2018": (revised("2016-06-01", cell("combined", "Good")), '"combined" was first rated in 2018'),
    "saf-2023 before November 2023": (
        inspection("I-saf", "2023-06-01", framework="saf-2023"),
        'the framework "saf-2023" began in November 2023',
    ),
    "an oversight framework before it existed": (segment("2020-01-01", "NOF-2022", 3), "NOF-2022 applied from 2022-07-01"),
    "a misspelt core service": (report("R", "2019-09-20", cell("safe", "Good", "RWP01", "Matrenity")), 'did you mean "Maternity"?'),
    "a misspelt superseded service": (superseded("Outpatients and diagnostic imagng", "2019-09-20", "Outpatients"), "did you mean"),
    "a misspelt service of a warning notice": (
        notice_issued("N", "2019-09-20", location_id="RWP01", service="Matrenity"),
        'field "service": "Matrenity" is not a CQC service (did you mean "Maternity"?)',
    ),
}


@pytest.mark.parametrize("line, words", REFUSED.values(), ids=list(REFUSED))
def test_an_entry_that_could_not_be_a_fact_is_refused_naming_its_line_and_nothing_is_recorded(cli, line, words):
    given(cli)
    before = entries(cli)

    result = cli("record", input=[report("OK", "2019-09-20", cell("overall", "Good")), line])

    assert result.exit_code == 1
    assert result.output.startswith("Error: line 2: ")
    assert words in result.output
    assert entries(cli) == before


def test_an_assessment_naming_a_report_not_recorded_for_its_provider_or_published_after_it_is_refused(cli):
    given(cli, notice_issued("N", "2019-06-01"), registered("RX9", on="2012-04-01"), report("RX9-R", "2019-08-01", provider_id="RX9"))
    before = entries(cli)

    elsewhere = cli("record", input=[report("R", "2019-09-20"), notice_assessed("N", "2019-10-01", report_id="RX9-R")])
    later = cli("record", input=[report("R", "2019-09-20"), notice_assessed("N", "2019-09-19", report_id="R")])

    assert elsewhere.exit_code == 1
    assert elsewhere.stderr.startswith('Error: line 2: field "report_id": report "RX9-R" of RWP is not recorded')
    assert later.exit_code == 1
    assert later.stderr.startswith(
        'Error: line 2: field "report_id": report "R" was published on 2019-09-20, after this WarningNoticeAssessed of 2019-09-19'
    )
    assert entries(cli) == before


def test_a_revision_or_assessment_naming_a_report_of_its_day_or_before_is_recorded_and_explained_by_it(cli):
    given(cli, notice_issued("N", "2019-06-01"))

    result = cli(
        "record",
        input=[
            report("R", "2019-09-20", cell("overall", "Good")),
            revised("2019-09-20", cell("overall", "Requires improvement"), report_id="R"),
            notice_assessed("N", "2019-10-01", report_id="R"),
        ],
    )
    explained = orjson.loads(cli("explain", "RWP", "--at", "2019-09-21", "--json").stdout)

    assert result.exit_code == 0, result.output
    assert explained["report"]["report_id"] == "R"


def test_a_mend_that_would_leave_a_revision_naming_no_report_or_a_later_one_is_refused(cli, tmp_path):
    given(
        cli, report("R", "2019-09-20", cell("overall", "Good")), revised("2019-10-01", cell("overall", "Good"), report_id="R")
    )  # RWP/6, RWP/7
    later = tmp_path / "later.json"
    later.write_bytes(orjson.dumps(report("R", "2019-11-01", cell("overall", "Good"))))
    before = entries(cli)

    retracted = cli("retract", "RWP/6", "--reason", "recorded in error")
    corrected = cli("correct", "RWP/6", str(later), "--reason", "published later")

    assert retracted.exit_code == 1
    assert 'retracting RWP/6 would leave the history of RWP inconsistent: report "R" of RWP is not recorded' in retracted.output
    assert corrected.exit_code == 1
    assert 'report "R" was published on 2019-11-01, after this RatingRevised of 2019-10-01' in corrected.output
    assert entries(cli) == before


def test_after_its_deregistration_nothing_but_a_mend_is_recorded_of_a_provider(cli):
    given(cli, report("R", "2019-09-20", cell("overall", "Good")), GONE)  # RWP/6, RWP/7
    before = entries(cli)

    refused = cli("record", input=[report("R2", "2022-05-01", cell("overall", "Inadequate"))])
    mended = cli("retract", "RWP/6", "--reason", "recorded in error")

    assert refused.exit_code == 1
    assert "line 1: " in refused.output and "after the provider was deregistered (2022-03-31, RWP/7)" in refused.output
    assert mended.exit_code == 0, mended.output
    assert len(entries(cli)) == len(before) + 1


def test_a_deregistration_dated_before_what_is_already_recorded_is_refused(cli):
    given(cli, report("R", "2019-09-20", cell("overall", "Good")))

    result = cli("record", input=[{**GONE, "on": "2018-01-01"}])

    assert result.exit_code == 1
    assert "cannot be deregistered on 2018-01-01: RWP/6 is dated 2019-09-20" in result.output


def test_a_refusal_names_an_entry_of_the_same_input_by_its_line_as_none_of_the_input_was_recorded(cli):
    given(cli)

    # line 1 would be RWP/6, but the input is refused whole: no RWP/6 is ever written
    result = cli("record", input=[report("R", "2019-09-20", cell("overall", "Good")), {**GONE, "on": "2018-01-01"}])

    assert result.exit_code == 1
    assert (
        'line 2: field "on": the provider cannot be deregistered on 2018-01-01: line 1 of this input is dated 2019-09-20' in result.output
    )
    assert "RWP/6" not in result.output
    assert len(entries(cli)) == len(GIVEN)


def test_an_inheritance_may_carry_ratings_published_before_the_location_existed(cli):
    given(cli, location("RWP02", on="2020-04-01"))

    result = cli(
        "record",
        input=[inherited("RWP02", "2020-04-01", {**cell("overall", "Good"), "published_on": "2017-12-05"}, from_location_id="X11")],
    )

    assert result.exit_code == 0, result.output


def test_a_location_registration_cannot_be_corrected_to_a_day_after_the_ratings_it_took_over(cli, tmp_path):
    given(cli, inherited("RWP01", "2014-01-01", {**cell("overall", "Good"), "published_on": "2013-11-01"}))  # RWP/6
    later = tmp_path / "later.json"
    later.write_bytes(orjson.dumps(location("RWP01", on="2015-01-01")))

    result = cli("correct", "RWP/2", str(later), "--reason", "registered later")

    assert result.exit_code == 1
    assert "location RWP01 was registered on 2015-01-01 (RWP/2), after this RatingsInherited of 2014-01-01" in result.output


def test_a_genuinely_new_service_is_recorded_as_written_with_a_note(cli):
    given(cli)

    result = cli("record", input=[report("R", "2019-09-20", cell("safe", "Good", "RWP01", "Neonatal intensive care"))])

    assert result.exit_code == 0, result.output
    assert 'Note: line 1: service "Neonatal intensive care" is not among CQC\'s known services' in result.output


def test_a_warning_notice_keeps_a_variant_of_a_service_or_a_new_service_as_written(cli):
    given(cli)

    result = cli(
        "record",
        input=[
            notice_issued("N1", "2019-09-20", location_id="RWP01", service="Urgent and emergency care"),
            notice_issued("N2", "2019-09-20", location_id="RWP01", service="Neonatal intensive care"),
        ],
    )

    assert result.exit_code == 0, result.output
    assert 'Note: line 2: service "Neonatal intensive care" is not among CQC\'s known services' in result.output
    assert [e.get("service") for e in entries(cli)[-2:]] == ["Urgent and emergency care", "Neonatal intensive care"]


def test_status_before_the_provider_existed_says_so_and_exits_1(cli):
    given(cli)

    before_registration = cli("status", "RWP", "--at", "2011-01-01")
    before_recorded = cli("status", "RWP", "--known-at", "2020-01-01")

    assert before_registration.exit_code == 1
    assert before_registration.output == "Error: RWP was not registered on 2011-01-01: it was registered on 2012-04-01 (RWP/1)\n"
    assert before_recorded.exit_code == 1
    assert before_recorded.output.startswith("Error: nothing of RWP had been recorded by 2020-01-01T23:59:59.999999Z")


@pytest.mark.parametrize("year", ["0001", "0999"])
def test_a_known_at_before_the_year_1000_is_written_in_four_digits_and_knows_nothing_recorded_since(cli, year):
    # A time's year was written unpadded ("999-12-31T..."), and such a time, compared as text,
    # came after every time recorded: the ledger answered as known now.
    given(cli)

    status = cli("status", "RWP", "--known-at", f"{year}-12-31")
    listed = cli("trusts", "--known-at", f"{year}-12-31", "--json")

    assert status.exit_code == 1
    assert status.output.startswith(f"Error: nothing of RWP had been recorded by {year}-12-31T23:59:59.999999Z (its first entry")
    assert orjson.loads(listed.stdout) == []


def test_a_deregistered_provider_leaves_the_register_but_status_still_answers_and_names_its_successor(cli):
    given(cli, report("R", "2019-09-20", cell("overall", "Good")), GONE)

    after = orjson.loads(cli("trusts", "--at", "2022-04-01", "--json").stdout)
    status = orjson.loads(cli("status", "RWP", "--at", "2023-01-01", "--json").stdout)

    assert after == []
    assert status["deregistered"]["successor_id"] == "RWPX"
    assert status["ratings"]["overall"]["rating"] == "Good"


def test_a_deregistered_location_is_shown_as_such_apart_from_the_locations_in_force(cli):
    given(cli)

    doc = orjson.loads(cli("status", "RWP", "--at", "2020-01-01", "--json").stdout)
    text = cli("status", "RWP", "--at", "2020-01-01").output

    assert [(loc["location_id"], loc["in_force"], loc["deregistered_on"]) for loc in doc["locations"]] == [
        ("RWP01", True, None),
        ("RWP50", False, "2016-03-31"),
    ]
    assert text.index("RWP01") < text.index("Deregistered locations (1)") < text.index("RWP50 Hospital RWP50, deregistered 2016-03-31")


# ---- words for no rating make no cell (CONTRACT.md section 2, "Not a new rating") -----------------


def test_a_cell_given_a_word_for_no_rating_makes_no_cell_and_is_noted_by_line(cli):
    given(cli)
    published = report(
        "R",
        "2019-09-20",
        cell("overall", "Good"),
        cell("safe", "No published rating"),
        cell("caring", "not applicable", "RWP01"),
        cell("safe", "Inadequate", "RWP01"),
    )

    result = cli("record", "--json", input=[published])

    # The report is recorded with the cells that are ratings, and the others are noted by line
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout) == {
        "recorded": ["RWP/6"],
        "skipped": [],
        "notes": [
            '"No published rating" is not a rating: 1 value in 1 line made no cell (the first at line 1: ratings[1].rating)',
            '"not applicable" is not a rating: 1 value in 1 line made no cell (the first at line 1: ratings[2].rating)',
        ],
    }
    assert entries(cli)[-1]["ratings"] == [cell("overall", "Good"), cell("safe", "Inadequate", "RWP01")]
    # And recording the same file again changes nothing: the entry is the same without those cells
    again = cli("record", input=[published])
    assert again.exit_code == 0, again.output
    assert again.output.startswith("Recorded 0 entries.\nAlready recorded, skipped: 1: line 1 (RWP/6).\nNote: ")


def test_a_cell_with_a_word_for_no_rating_is_checked_like_any_cell(cli):
    given(cli)

    result = cli("record", input=[report("R", "2019-09-20", cell("overall", "Good"), cell("saef", "No action"))])

    assert result.exit_code == 1
    assert result.stderr.startswith('Error: line 1: field "ratings[1].question": "saef" is not a question (did you mean "safe"?)')


def test_an_inherited_cell_with_a_word_for_no_rating_makes_no_cell(cli):
    given(cli, location("RWP02", on="2020-04-01"))
    cells = [
        {**cell("overall", "Good"), "published_on": "2017-12-05"},
        {**cell("safe", "Do not include in report"), "published_on": "2017-12-05"},
    ]

    result = cli("record", input=[inherited("RWP02", "2020-04-01", *cells, from_location_id="X11")])

    assert result.exit_code == 0, result.output
    assert (
        'Note: "Do not include in report" is not a rating: 1 value in 1 line made no cell (the first at line 1: ratings[1].rating)'
        in result.output
    )
    assert [c["question"] for c in entries(cli)[-1]["ratings"]] == ["overall"]


def test_a_revision_to_a_word_for_no_rating_is_refused(cli):
    given(cli, report("R", "2019-09-20", cell("safe", "Good")))

    result = cli("record", input=[revised("2019-10-01", cell("safe", "No published rating"))])

    assert result.exit_code == 1
    assert result.stderr == (
        'Error: line 1: field "cell.rating": "No published rating" is not a rating but CQC\'s word for none, which makes no cell: '
        "a revision gives a rating (to take one back, retract or correct the entry that set it)\n"
    )


def test_a_replacement_with_a_word_for_no_rating_leaves_the_cell_out_with_a_note(cli, tmp_path):
    given(cli, report("R", "2019-09-20", cell("overall", "Good"), cell("safe", "Inadequate")))
    fix = tmp_path / "fix.json"
    fix.write_bytes(orjson.dumps(report("R", "2019-09-20", cell("overall", "Good"), cell("safe", "No published rating"))))

    result = cli("correct", "RWP/6", str(fix), "--reason", "safe was not rated")

    assert result.exit_code == 0, result.output
    assert 'Note: "No published rating" is not a rating: 1 value made no cell (the first at replacement.ratings[1].rating)' in result.output
    assert entries(cli)[-1]["replacement"]["ratings"] == [cell("overall", "Good")]
