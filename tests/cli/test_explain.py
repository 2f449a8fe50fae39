"""`explain`: how one rating came about, back to the first, and what the principles give for it."""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson
import pytest
from builders import (
    action,
    cell,
    corrected,
    inspection,
    location,
    notice_assessed,
    notice_issued,
    registered,
    report,
    retracted,
    revised,
    superseded,
)
from builders import inherited as inheritance
from ledgers import record_examples
from recorded_history import moment, recorded

from cqc_ledger.ledger.errors import UnknownLocation
from cqc_ledger.projections.explain import explain
from cqc_ledger.projections.output.explain import explain_json, explain_text

INADEQUATE, RI, GOOD, OUTSTANDING = "Inadequate", "Requires improvement", "Good", "Outstanding"
SURGERY = "Surgery"
TRUST_OVERALL = (None, None, "overall")


def history(*more: dict[str, Any]) -> list:
    """An acute trust with two hospitals, rated in 2017 and (the trust only) in 2019, then revised."""
    return recorded(
        registered("RWP", provider_type="acute"),  # RWP/1
        location("RWP01"),  # RWP/2
        location("RWP50"),  # RWP/3
        inspection(
            "I-2016",
            "2016-11-22",
            until="2016-12-15",
            kind="comprehensive",
            framework="kloe-2014",
            scope=[{"location_id": "RWP01", "service": SURGERY, "questions": ["safe"]}],
        ),  # RWP/4
        report(
            "R-2017",
            "2017-06-20",
            cell("overall", RI),
            cell("safe", RI),
            cell("effective", GOOD),
            cell("caring", GOOD),
            cell("responsive", GOOD),
            cell("well-led", RI),
            cell("safe", INADEQUATE, "RWP01"),
            cell("safe", RI, "RWP50"),
            cell("safe", GOOD, "RWP01", SURGERY),
            cell("safe", INADEQUATE, "RWP01", "Maternity"),
            inspection_ids=["I-2016"],
            must_do=12,
            should_do=30,
            url="https://example.org/R-2017",
            source="https://example.org/R-2017",
        ),  # RWP/5
        report("R-2019", "2019-09-20", cell("overall", GOOD), cell("safe", GOOD), inspection_ids=["I-2019"]),  # RWP/6
        revised("2019-11-01", cell("safe", RI), report_id="R-2019"),  # RWP/7
        *more,
    )


def explained(entries: list, key=TRUST_OVERALL, at: str = "2020-01-01", known_at=None) -> dict[str, Any]:
    return explain_json(explain(entries, "RWP", key, date.fromisoformat(at), known_at), moment(99))


def test_it_names_the_entry_the_report_and_the_inspections_that_set_the_rating() -> None:
    doc = explained(history(), at="2018-01-01")
    assert (doc["rating"], doc["since"], doc["ref"]) == (RI, "2017-06-20", "RWP/5")
    assert doc["entry"] == {
        "ref": "RWP/5",
        "type": "ReportPublished",
        "on": "2017-06-20",
        "recorded_at": "2026-01-01T00:00:05.000000Z",
        "source": "https://example.org/R-2017",
        "reason": None,
    }
    report_ = doc["report"]
    assert (report_["report_id"], report_["on"], report_["url"], report_["must_do"], report_["should_do"]) == (
        "R-2017",
        "2017-06-20",
        "https://example.org/R-2017",
        12,
        30,
    )
    [seen] = doc["inspections"]
    assert (seen["inspection_id"], seen["on"], seen["until"], seen["kind"], seen["framework"]) == (
        "I-2016",
        "2016-11-22",
        "2016-12-15",
        "comprehensive",
        "kloe-2014",
    )
    assert seen["scope"] == [{"location_id": "RWP01", "service": SURGERY, "questions": ["safe"]}]
    assert doc["previous"] == []


def test_every_earlier_value_is_listed_most_recent_first_with_since_and_until() -> None:
    doc = explained(history(), key=(None, None, "safe"))
    assert (doc["rating"], doc["ref"], doc["entry"]["type"], doc["entry"]["reason"]) == (RI, "RWP/7", "RatingRevised", "rating review")
    assert doc["report"]["report_id"] == "R-2019"  # the report whose rating was revised
    assert [(p["rating"], p["since"], p["until"], p["ref"]) for p in doc["previous"]] == [
        (GOOD, "2019-09-20", "2019-11-01", "RWP/6"),
        (RI, "2017-06-20", "2019-09-20", "RWP/5"),
    ]


def test_a_rating_replaced_on_its_own_day_is_said_to_be_so_not_held_from_a_day_until_itself() -> None:
    # Two reports published the same day (as CQC's API gives RBA11's of 21 November 2013): the
    # first held for no day, and "from 20 September 2019 until 20 September 2019" read as a slip.
    doc = explained(history(report("R-2019b", "2019-09-20", cell("overall", RI))))
    first = doc["previous"][0]
    assert (first["since"], first["until"], first["ref"]) == ("2019-09-20", "2019-09-20", "RWP/6")
    text = explain_text(doc)
    assert "  Good on 20 September 2019, replaced the same day, set by report R-2019 (RWP/6)" in text
    assert "  Requires improvement from 20 June 2017 until 20 September 2019, set by report R-2017 (RWP/5)" in text


def test_a_word_that_went_with_its_services_block_names_the_report_that_rated_the_service_anew() -> None:
    # A key question's word that is not a rating goes when another report rates the service anew
    # (a service's ratings are one block): the text names that report's entry, as the JSON does.
    words = "Insufficient evidence to rate"
    doc = explained(
        history(
            report("R-2020", "2020-06-01", cell("overall", GOOD, "RWP01", SURGERY), cell("effective", words, "RWP01", SURGERY)),  # RWP/8
            report("R-2021", "2021-06-01", cell("overall", RI, "RWP01", SURGERY)),  # RWP/9
        ),
        key=("RWP01", SURGERY, "effective"),
        at="2021-07-01",
    )
    assert doc["rating"] is None
    assert [(p["rating"], p["until"], p["ref"], p["ended_by"]) for p in doc["previous"]] == [(words, "2021-06-01", "RWP/8", "RWP/9")]
    assert (
        "  Insufficient evidence to rate from 1 June 2020 until 1 June 2021, set by report R-2020 (RWP/8); ended by RWP/9"
        in explain_text(doc)
    )


def test_a_report_that_does_not_list_the_cell_leaves_its_explanation_alone() -> None:
    doc = explained(history(), key=(None, None, "caring"))
    assert (doc["rating"], doc["ref"], doc["previous"]) == (GOOD, "RWP/5", [])


def test_an_inspection_named_by_the_report_but_not_recorded_is_said_to_be_missing() -> None:
    doc = explained(history())
    assert (doc["inspections"], doc["inspections_not_recorded"]) == ([], ["I-2019"])


def test_a_correction_shows_from_when_it_was_known_and_what_it_changed() -> None:
    fixed = report("R-2017", "2017-06-20", cell("overall", INADEQUATE), inspection_ids=["I-2016"])
    entries = history(corrected("RWP/5", fixed, reason="misread the report"))  # RWP/8
    # Before the correction was recorded, the ledger said Requires improvement, and nothing mended it.
    before = explained(entries, at="2018-01-01", known_at=moment(7))
    assert (before["rating"], before["mends"]) == (RI, [])
    # After it, the corrected rating, and the correction with the rating before and after.
    after = explained(entries, at="2018-01-01")
    assert after["rating"] == INADEQUATE
    assert [(m["ref"], m["type"], m["target"], m["reason"], m["before"], m["after"]) for m in after["mends"]] == [
        ("RWP/8", "EntryCorrected", "RWP/5", "misread the report", RI, INADEQUATE),
    ]


def test_a_retracted_report_counts_for_nothing_and_the_retraction_is_shown() -> None:
    doc = explained(history(retracted("RWP/6")), at="2019-10-01")  # RWP/8
    assert (doc["rating"], doc["since"], doc["ref"]) == (RI, "2017-06-20", "RWP/5")
    assert [(m["ref"], m["before"], m["after"]) for m in doc["mends"]] == [("RWP/8", GOOD, None)]


def test_with_no_rating_on_the_day_it_says_so() -> None:
    doc = explained(history(), at="2016-01-01")
    assert (doc["rating"], doc["report"], doc["previous"], doc["principles"]) == (None, None, [], None)


def test_a_location_that_is_not_the_providers_is_an_error() -> None:
    with pytest.raises(UnknownLocation, match='"RWP99" is not a location of RWP on 2020-01-01'):
        explain(history(), "RWP", ("RWP99", None, "overall"), date(2020, 1, 1))


# ---- which ratings sit under which, and the principles' check ----------------------------------


def test_the_trust_overall_is_checked_against_its_five_key_questions() -> None:
    principles = explained(history(), at="2018-01-01")["principles"]
    assert [i["question"] for i in principles["inputs"]] == ["safe", "effective", "caring", "responsive", "well-led"]
    assert (principles["rating"], principles["agrees"], principles["rule"]) == (RI, True, "requires-improvement-by-count")
    assert principles["says"] == "two or more of five key questions Requires improvement or worse: limited to Requires improvement"
    assert principles["basis"] == "reported"


def test_a_trust_key_question_of_an_acute_trust_is_drawn_from_its_locations() -> None:
    principles = explained(history(), key=(None, None, "safe"), at="2018-01-01")["principles"]
    assert [(i["location_id"], i["rating"]) for i in principles["inputs"]] == [("RWP01", INADEQUATE), ("RWP50", RI)]
    assert (principles["of"], principles["rating"], principles["agrees"], principles["basis"]) == (
        "locations",
        INADEQUATE,
        False,
        "unstated",
    )


def test_a_closed_hospital_no_longer_counts_towards_the_trusts_key_question() -> None:
    closed = {"type": "LocationDeregistered", "provider_id": "RWP", "location_id": "RWP01", "on": "2018-01-01"}
    principles = explained(history(closed), key=(None, None, "safe"), at="2018-06-01")["principles"]
    assert [(i["location_id"], i["rating"]) for i in principles["inputs"]] == [("RWP50", RI)]


def test_a_rating_of_a_deregistered_location_is_no_longer_in_force_nor_judged() -> None:
    closed = {"type": "LocationDeregistered", "provider_id": "RWP", "location_id": "RWP01", "on": "2018-01-01"}  # RWP/8
    doc = explained(history(closed), key=("RWP01", None, "safe"), at="2018-06-01")
    assert (doc["rating"], doc["principles"], doc["judgement"], doc["kind"]) == (None, None, None, None)
    assert doc["deregistered"] == {"on": "2018-01-01", "ref": "RWP/8", "location_id": "RWP01", "successor_id": None, "source": None}
    [last] = doc["previous"]
    assert (last["rating"], last["since"], last["until"], last["ended_by"]) == (
        INADEQUATE,
        "2017-06-20",
        "2018-01-02",
        "RWP/8",
    )  # it stood through the day
    # Before its deregistration it stood as published
    assert explained(history(closed), key=("RWP01", None, "safe"), at="2017-12-31")["rating"] == INADEQUATE


def test_a_rating_of_a_deregistered_provider_is_no_longer_in_force_and_names_its_successor() -> None:
    gone = {"type": "ProviderDeregistered", "provider_id": "RWP", "on": "2020-03-31", "successor_id": "RYY"}  # RWP/8
    doc = explained(history(gone), at="2020-06-01")
    assert (doc["rating"], doc["principles"], doc["judgement"]) == (None, None, None)
    assert doc["deregistered"] == {"on": "2020-03-31", "ref": "RWP/8", "location_id": None, "successor_id": "RYY", "source": None}
    assert [(p["rating"], p["until"], p["ended_by"]) for p in doc["previous"]] == [(GOOD, "2020-04-01", "RWP/8"), (RI, "2019-09-20", None)]


def test_explain_of_a_deregistered_location_says_so(cli, db) -> None:
    closed = {"type": "LocationDeregistered", "provider_id": "RAA", "location_id": "RAA01", "on": "2020-03-31"}
    rated = report("R1", "2018-03-01", cell("overall", GOOD, "RAA01"), provider_id="RAA")
    assert cli("record", "-", input=[registered("RAA"), location("RAA01", provider_id="RAA"), rated, closed]).exit_code == 0
    text = cli("explain", "RAA", "--location", "RAA01", "--at", "2021-01-01").stdout
    assert "No RAA01 overall rating was in force on 1 January 2021.\n" in text
    assert "RAA01 was deregistered on 31 March 2020 (RAA/4): its ratings are no longer in force." in text
    assert "  Good from 1 March 2018 until 1 April 2020, set by report R1 (RAA/3); ended by RAA/4" in text
    assert "As published" not in text and "aggregation principles" not in text


def test_a_location_key_question_is_drawn_from_its_services() -> None:
    principles = explained(history(), key=("RWP01", None, "safe"))["principles"]
    assert [(i["service"], i["rating"]) for i in principles["inputs"]] == [("Maternity", INADEQUATE), (SURGERY, GOOD)]
    assert principles["rating"] == INADEQUATE


def test_a_trust_key_question_of_an_ambulance_trust_is_drawn_from_its_services() -> None:
    entries = recorded(
        registered("RX9", provider_type="ambulance"),
        report(
            "R",
            "2016-05-10",
            cell("safe", RI),
            cell("safe", INADEQUATE, service="Emergency and urgent care"),
            cell("safe", GOOD, service="Patient transport services"),
            provider_id="RX9",
        ),
    )
    found = explain(entries, "RX9", (None, None, "safe"), date(2017, 1, 1))
    assert [k[1] for k, _ in found.check.under.inputs] == ["Emergency and urgent care", "Patient transport services"]
    assert found.check.verdict.rating == INADEQUATE  # one of two: the 1-3 row, which CQC's sources do not state


@pytest.mark.parametrize(
    ("key", "says"),
    [
        ((None, None, "well-led"), "separate assessment"),
        ((None, None, "use-of-resources"), "NHS Improvement"),
        (("RWP01", SURGERY, "safe"), "lowest level"),
    ],
)
def test_ratings_that_are_not_aggregated_say_why(key: tuple, says: str) -> None:
    entries = history(report("R-UOR", "2019-09-20", cell("use-of-resources", INADEQUATE)))
    doc = explained(entries, key=key)
    assert doc["principles"] is None
    assert says in doc["note"]


def test_the_combined_rating_is_checked_with_its_limit_of_three() -> None:
    entries = history(report("R-C", "2019-09-20", cell("use-of-resources", RI), cell("combined", GOOD), cell("well-led", GOOD)))
    principles = explained(entries, key=(None, None, "combined"))["principles"]
    assert principles["found"] == "two Requires improvement, four Good"  # safe (as revised) and use of resources
    assert (principles["rating"], principles["agrees"]) == (GOOD, True)
    assert "combined" in principles["principles"]


def test_a_warning_notice_open_when_a_location_rating_was_published_counts_and_a_later_one_does_not() -> None:
    entries = history(
        notice_issued("WN-1", "2017-01-27", location_id="RWP50"),  # open when R-2017 was published
        notice_assessed("WN-1", "2018-01-10"),
        report("R-2019-L", "2019-09-20", cell("safe", RI, "RWP50")),  # RWP/10
        notice_issued("WN-2", "2019-10-01", location_id="RWP50"),  # after it
    )
    at_2018 = explained(entries, key=("RWP50", None, "safe"), at="2018-01-01")
    assert [(n["id"], n["applied"]) for n in at_2018["notices"]] == [("WN-1", True)]
    assert "applied: it names RWP50, the area of this rating" in at_2018["notices"][0]["why"]
    assert at_2018["kind"] == "incomplete"  # RWP50's services are not rated: the principles decline to judge
    at_2020 = explained(entries, key=("RWP50", None, "safe"))
    assert (at_2020["notices"], at_2020["principles"]["notices"]) == ([], [])


def test_a_requirement_notice_limits_only_the_key_questions_of_its_own_area() -> None:
    entries = history(
        report(
            "R-L",
            "2019-09-20",
            cell("overall", GOOD, "RWP50"),
            *(cell(q, GOOD, "RWP50") for q in ("safe", "effective", "caring", "responsive", "well-led")),
        ),
        action("RN-1", "2019-09-20", action="requirement-notice", location_id="RWP50"),
    )
    hospital = explained(entries, key=("RWP50", None, "overall"))
    # The hospital's overall feels it only through its key questions, which CQC published Good
    assert (hospital["principles"]["rating"], hospital["principles"]["agrees"]) == (GOOD, True)
    [notice] = hospital["notices"]
    assert (notice["id"], notice["applied"]) == ("RN-1", False)
    assert "feels it only through them" in notice["why"]
    # The trust's overall lists it, not applied: it counts against the hospital's key questions
    [trust_notice] = explained(entries)["notices"]
    assert (trust_notice["id"], trust_notice["applied"], trust_notice["area"]) == ("RN-1", False, "RWP50")
    assert "this rating feels it only through the ratings under it" in trust_notice["why"]


def test_a_trust_overall_published_with_a_trust_wide_notice_mentions_it_and_does_not_apply_it(cli, db) -> None:
    # Given a trust whose overall was published while a warning notice on the whole trust was open,
    # with no ratings recorded under the overall
    lines = [
        registered("RWE", name="University Hospitals of Leicester NHS Trust"),
        notice_issued("RWE-WN-1", "2017-11-01", provider_id="RWE"),
        report("RWE-2018", "2018-03-21", cell("overall", RI), provider_id="RWE"),
    ]
    assert cli("record", input=lines).exit_code == 0
    # When its overall is explained
    doc = orjson.loads(cli("explain", "RWE", "--at", "2018-06-01", "--json").stdout)
    # Then the notice is listed, not applied, and why
    [notice] = doc["notices"]
    assert (notice["id"], notice["kind"], notice["area"], notice["applied"]) == ("RWE-WN-1", "warning-notice", "the trust", False)
    assert "names no location" in notice["why"]
    assert doc["principles"]["notices"] == doc["notices"]
    assert doc["principles"]["rule"] == "nothing-to-aggregate"
    assert doc["kind"] == "incomplete"
    # And the text says so
    text = cli("explain", "RWE", "--at", "2018-06-01").stdout
    assert "Notices in force on 21 March 2018, when it was published:" in text
    assert "warning notice RWE-WN-1 on the trust (issued 1 November 2017, RWE/2): not applied: it names no location" in text
    assert "As published: incomplete." in text


def test_explain_says_the_kind_in_the_words_anomalies_uses() -> None:
    entries = history()
    doc = explained(entries, at="2018-01-01")
    # The 2017 trust overall RI from safe RI, well-led RI and three Good: two of five, by the rule of two
    assert (doc["kind"], doc["judgement"]["kind"]) == ("consistent", "consistent")
    stale = explained(history(report("R-2020", "2019-12-01", cell("effective", INADEQUATE), cell("caring", INADEQUATE))))
    assert stale["kind"] == "stale"
    # safe as revised after the 2019 overall, and the two re-rated by the later report
    assert [later["ref"] for later in stale["judgement"]["later"]] == ["RWP/7", "RWP/8", "RWP/8"]


def test_a_rating_from_a_single_assessment_framework_inspection_says_what_is_assumed() -> None:
    entries = history(
        inspection("I-2024", "2024-03-04", kind="comprehensive", framework="saf-2023"),
        report("R-2024", "2024-06-01", cell("overall", GOOD), inspection_ids=["I-2024"]),
    )
    note = explained(entries, at="2024-07-01")["note"]
    assert "only after a trust-level well-led assessment" in note
    assert "Single Assessment Framework" in note and "is an assumption" in note


# ---- through the CLI ---------------------------------------------------------------------------


def test_narrative_worcestershire_overall_in_december_2018_back_to_its_first_report(cli, db) -> None:
    # The trust's history is recorded as a user would.
    record_examples(db)
    # A journalist asks how the trust came to be rated Inadequate on 1 December 2018.
    result = cli("explain", "RWP", "--at", "2018-12-01")
    assert result.exit_code == 0, result.output
    text = result.stdout
    # The rating, since when, and the report of 5 June 2018 that set it, with its source.
    assert "Worcestershire Acute Hospitals NHS Trust (RWP): trust overall, on 1 December 2018" in text
    assert "Rated Inadequate since 2 December 2015, last published 5 June 2018." in text
    assert "Set by report RWP-2018-06-05, published 5 June 2018 (entry RWP/23" in text
    assert "  Report: https://www.itv.com/news/central/2018-06-05/" in text
    # The inspection behind it: 23 January to 22 March 2018.
    assert "Inspection RWP-2018-01 (comprehensive, kloe-2014): 23 January 2018 to 22 March 2018 (RWP/22)." in text
    # Every earlier value, most recent first, back to the first report of December 2015.
    earlier = text[text.index("Before that:") :]
    assert earlier.index("Inadequate from 20 June 2017 until 5 June 2018, set by report RWP-2017-06-20 (RWP/17)") < earlier.index(
        "Inadequate from 2 December 2015 until 20 June 2017, set by report RWP-2015-12-02 (RWP/12)"
    )
    assert "Its first rating in the ledger was Inadequate, on 2 December 2015." in text
    # The principles reproduce it: safe and responsive Inadequate, two of five.
    assert "Found: two Inadequate, two Requires improvement, one Good." in text
    assert "Rule: two or more of five key questions Inadequate: Inadequate (CQC's rule as reported by a third party)." in text
    assert "The principles give Inadequate, as published." in text
    # And the caveat: the principles check a trust's overall rating, they do not make it.
    assert "only after a trust-level well-led assessment" in text


def test_explain_json_has_the_contracts_keys(cli, db) -> None:
    record_examples(db)
    result = cli("explain", "RWP", "--at", "2018-12-01", "--json")
    assert result.exit_code == 0, result.output
    doc = orjson.loads(result.stdout)
    assert {"rating", "since", "ref", "report", "inspections", "previous", "principles"} <= set(doc)
    assert (doc["rating"], doc["since"], doc["ref"]) == (INADEQUATE, "2018-06-05", "RWP/23")
    assert [(p["rating"], p["since"], p["until"], p["ref"]) for p in doc["previous"]] == [
        (INADEQUATE, "2017-06-20", "2018-06-05", "RWP/17"),
        (INADEQUATE, "2015-12-02", "2017-06-20", "RWP/12"),
    ]
    assert (doc["principles"]["rating"], doc["principles"]["agrees"]) == (INADEQUATE, True)


def sourced_ledger() -> list[dict[str, Any]]:
    """A trust whose every entry names its source "SRC-n", n its position: rated, revised, inspected
    without a new rating, corrected, a service superseded, a location deregistered."""
    lines = [
        registered("AAA"),  # AAA/1
        location("AAA01", provider_id="AAA"),  # AAA/2
        location("AAA02", provider_id="AAA"),  # AAA/3
        inspection("I1", "2017-01-10", provider_id="AAA", kind="comprehensive"),  # AAA/4
        report(
            "R1",
            "2017-06-01",
            cell("safe", GOOD),
            cell("safe", GOOD, "AAA02"),
            cell("safe", GOOD, "AAA01", "Maternity and gynaecology"),
            provider_id="AAA",
            inspection_ids=["I1"],
        ),  # AAA/5
        report("R2", "2018-06-01", cell("safe", RI), provider_id="AAA", inspection_ids=["I1"]),  # AAA/6
        revised("2018-07-01", cell("safe", INADEQUATE, "AAA02"), report_id="R1", provider_id="AAA"),  # AAA/7
        report("R3", "2019-06-01", cell("safe", "Inspected but not rated"), provider_id="AAA"),  # AAA/8
        superseded("Maternity and gynaecology", "2019-07-01", "Maternity", location_id="AAA01", provider_id="AAA"),  # AAA/9
        {"type": "LocationDeregistered", "provider_id": "AAA", "location_id": "AAA02", "on": "2020-01-01"},  # AAA/10
        corrected(
            "AAA/6",
            report("R2", "2018-06-01", cell("safe", INADEQUATE), provider_id="AAA", inspection_ids=["I1"], source="SRC-6 as corrected"),
            provider_id="AAA",
        ),
    ]  # AAA/11
    return [{**line, "source": f"SRC-{n}"} for n, line in enumerate(lines, 1)]


def test_explain_shows_the_source_of_every_entry_it_shows_in_text_and_json(cli, db) -> None:
    # Given a trust whose every entry names where it was published
    assert cli("record", "-", input=sourced_ledger()).exit_code == 0
    # When the trust's safe is explained: set by a corrected report, since inspected without a new rating
    doc = orjson.loads(cli("explain", "AAA", "--question", "safe", "--at", "2019-12-01", "--json").stdout)
    text = cli("explain", "AAA", "--question", "safe", "--at", "2019-12-01").stdout
    # Then the JSON names the source of each entry it shows, under `source`
    assert doc["entry"]["source"] == doc["report"]["source"] == "SRC-6 as corrected"
    assert doc["inspected_without_rating"] == {"on": "2019-06-01", "ref": "AAA/8", "source": "SRC-8"}
    assert [i["source"] for i in doc["inspections"]] == ["SRC-4"]
    assert [p["source"] for p in doc["previous"]] == ["SRC-5"]
    assert [(m["ref"], m["source"]) for m in doc["mends"]] == [("AAA/11", "SRC-11")]
    # And the text too, each under what it is the source of
    assert "without a new rating (AAA/8): the rating stands.\n  Source: SRC-8\n" in text
    assert "to 10 January 2017" not in text and "(comprehensive): 10 January 2017 (AAA/4).\n    Source: SRC-4\n" in text
    assert "set by report R1 (AAA/5)\n    Source: SRC-5\n" in text
    assert "AAA/6 corrected by AAA/11" in text and "misread the source: Requires improvement -> Inadequate\n    Source: SRC-11\n" in text
    # When a rating ended by a supersession, and one ended by a deregistration, are explained
    gone = ["explain", "AAA", "--location", "AAA01", "--service", "Maternity and gynaecology", "--question", "safe", "--at", "2020-06-01"]
    closed = ["explain", "AAA", "--location", "AAA02", "--question", "safe", "--at", "2020-06-01"]
    # Then what ended them is shown with its source
    assert orjson.loads(cli(*gone, "--json").stdout)["superseded"]["source"] == "SRC-9"
    assert "Maternity took its place.\n  Source: SRC-9\n" in cli(*gone).stdout
    assert orjson.loads(cli(*closed, "--json").stdout)["deregistered"]["source"] == "SRC-10"
    assert "its ratings are no longer in force.\n  Source: SRC-10\n" in cli(*closed).stdout
    # And a revision shows its own source and its report's, each under its own line
    revision = cli("explain", "AAA", "--location", "AAA02", "--question", "safe", "--at", "2019-01-01").stdout
    assert "entry AAA/7, recorded " in revision and ".\n  Source: SRC-7\nIt revises a rating of report R1" in revision
    assert "It revises a rating of report R1, published 1 June 2017 (AAA/5).\n  Source: SRC-5\n" in revision


def test_explain_shows_the_source_of_a_providers_deregistration(cli, db) -> None:
    gone = {"type": "ProviderDeregistered", "provider_id": "RAA", "on": "2020-03-31", "successor_id": "RYY", "source": "SRC-GONE"}
    assert (
        cli("record", "-", input=[registered("RAA"), report("R1", "2018-03-01", cell("overall", GOOD), provider_id="RAA"), gone]).exit_code
        == 0
    )
    assert orjson.loads(cli("explain", "RAA", "--at", "2021-01-01", "--json").stdout)["deregistered"]["source"] == "SRC-GONE"
    assert (
        "succeeded by RYY: its ratings are no longer in force.\n  Source: SRC-GONE\n" in cli("explain", "RAA", "--at", "2021-01-01").stdout
    )


def test_explain_shows_the_source_of_each_notice_in_force_when_the_rating_was_published(cli, db) -> None:
    # Given a hospital's safe published with a warning notice open and a requirement notice issued that day
    lines = [
        registered("RWE", provider_type="acute"),
        location("RWE01", provider_id="RWE"),
        notice_issued("WN-1", "2017-11-01", provider_id="RWE", location_id="RWE01", source="SRC-WN"),
        action("RN-1", "2018-03-21", action="requirement-notice", provider_id="RWE", location_id="RWE01", source="SRC-RN"),
        report("R", "2018-03-21", cell("safe", RI, "RWE01"), provider_id="RWE"),
    ]
    assert cli("record", "-", input=lines).exit_code == 0
    asked = ("explain", "RWE", "--location", "RWE01", "--question", "safe", "--at", "2018-06-01")
    # Then each notice is shown with its source, in JSON and in text
    doc = orjson.loads(cli(*asked, "--json").stdout)
    assert [(n["id"], n["source"]) for n in doc["notices"]] == [("WN-1", "SRC-WN"), ("RN-1", "SRC-RN")]
    text = cli(*asked).stdout
    assert "warning notice WN-1 on RWE01 (issued 1 November 2017, RWE/3)" in text and "\n    Source: SRC-WN\n" in text
    assert "requirement notice RN-1 on RWE01 (issued 21 March 2018, RWE/4)" in text and "\n    Source: SRC-RN\n" in text


def test_explain_says_which_ratings_under_it_were_set_apart_as_inherited_or_as_new(cli, db) -> None:
    # Given a hospital that took over its predecessor's safe ratings (its own and Maternity's),
    # then had Surgery rated, then its own safe rated anew
    lines = [
        registered("RH5"),
        location("RH5A8", on="2020-04-01", provider_id="RH5"),
        inheritance(
            "RH5A8",
            "2020-04-01",
            {**cell("safe", GOOD), "published_on": "2019-03-01"},
            {**cell("safe", GOOD, service="Maternity"), "published_on": "2019-03-01"},
            provider_id="RH5",
            from_location_id="RBA11",
        ),
        report("R0", "2020-06-01", cell("safe", INADEQUATE, "RH5A8", SURGERY), provider_id="RH5"),
        report("R1", "2021-06-01", cell("safe", RI, "RH5A8"), cell("safe", RI, "RH5A8", SURGERY), provider_id="RH5"),
    ]
    assert cli("record", "-", input=lines).exit_code == 0
    asked = ("explain", "RH5", "--location", "RH5A8", "--question", "safe")
    # When its new safe is explained, the inherited Maternity is said to be set apart, as the JSON has it
    new = cli(*asked, "--at", "2021-07-01").stdout
    assert "  Set apart as inherited (CQC does not aggregate an inherited rating with new ones): RH5A8 Maternity safe.\n" in new
    doc = orjson.loads(cli(*asked, "--at", "2021-07-01", "--json").stdout)
    assert [m["cell"] for m in doc["principles"]["set_apart_as_inherited"]] == ["RH5A8 Maternity safe"]
    # And when its inherited safe is explained, the new Surgery rating is the one set apart
    old = cli(*asked, "--at", "2020-07-01").stdout
    assert "  Set apart as new (CQC does not aggregate an inherited rating with new ones): RH5A8 Surgery safe.\n" in old


def test_explain_says_of_each_list_of_missing_ratings_which_day_it_is_of(cli, db) -> None:
    # Given a trust safe published with one of its two hospitals' safe recorded
    assert cli("record", "-", input=sourced_ledger()[:5]).exit_code == 0
    text = cli("explain", "AAA", "--question", "safe", "--at", "2017-12-01").stdout
    # Then the ratings missing on the day asked and those missing when it was published are told apart
    assert "  No rating in the ledger on 1 December 2017: AAA01 safe.\n" in text
    assert (
        "As published: incomplete. On its day (2017-06-01), one of the two locations it aggregates was recorded (missing: AAA01 safe)"
        in text
    )


@pytest.mark.parametrize(
    ("rated", "says"),
    [
        ([], "On its day (2018-01-01), neither of the two locations it aggregates was recorded"),
        ([cell("safe", GOOD, "AAA01"), cell("safe", GOOD, "AAA02")], "As published: assumed."),
    ],
)
def test_explain_counts_in_words_that_agree(cli, db, rated: list, says: str) -> None:
    lines = [registered("AAA", provider_type="acute"), location("AAA01", provider_id="AAA"), location("AAA02", provider_id="AAA")]
    lines.append(report("R1", "2018-01-01", cell("safe", RI), *rated, provider_id="AAA"))
    lines.append(report("R2", "2019-01-01", cell("safe", INADEQUATE, "AAA01"), provider_id="AAA"))
    assert cli("record", "-", input=lines).exit_code == 0
    text = cli("explain", "AAA", "--question", "safe", "--at", "2019-06-01").stdout
    assert says in text
    if rated:  # one rating under it set since: one "was", and "it"
        assert "  One of the ratings under it was set after it: CQC had not seen it.\n" in text


def test_explain_reads_service_names_and_questions_loosely(cli, db) -> None:
    record_examples(db)
    result = cli("explain", "RX9", "--service", "EUC", "--question", "Safe", "--at", "2017-01-01", "--json")
    assert result.exit_code == 0, result.output
    doc = orjson.loads(result.stdout)
    assert (doc["service"], doc["rating"], doc["principles"]) == ("Emergency and urgent care", INADEQUATE, None)


@pytest.mark.parametrize(
    ("code", "service"), [("urgent", "Urgent and emergency services"), ("care", "Medical care (including older people's care)")]
)
def test_explain_reads_cqcs_inspection_area_codes_as_the_services_they_name(cli, db, code: str, service: str) -> None:
    # Given RWP01's services rated, and a user who names one by CQC's code (as CQC's API does)
    record_examples(db)
    asked = ("explain", "RWP", "--location", "RWP01", "--question", "safe", "--at", "2025-01-01", "--json")
    by_name = cli(*asked, "--service", service)
    # When the code is given instead of the name
    by_code = cli(*asked, "--service", code)
    # Then it is the same service's explanation (as known when each was asked: nothing was recorded between)
    assert by_code.exit_code == 0, by_code.output
    assert {**orjson.loads(by_code.stdout), "known_at": None} == {**orjson.loads(by_name.stdout), "known_at": None}
    assert orjson.loads(by_code.stdout)["service"] == service


def test_a_name_of_a_service_comes_before_a_code_of_an_inspection_area() -> None:
    from cqc_ledger.events.services import service_named

    # The codes that are no service's name name CQC's areas
    assert [service_named(code) for code in ("critical", "urgent", "npimaternity", "Critical")] == [
        "Critical care",
        "Urgent and emergency services",
        "Maternity",
        "Critical care",
    ]
    # A service's name keeps its meaning, though CQC's code `maternity` is Maternity and gynaecology
    assert service_named("maternity") == "Maternity"
    # And a name that is neither is kept as written
    assert service_named("Hyperbaric  medicine") == "Hyperbaric medicine"


def test_explain_refuses_an_unknown_question_as_a_usage_error_and_an_unknown_location_as_an_error(cli, db) -> None:
    record_examples(db)
    assert cli("explain", "RWP", "--question", "safety").exit_code == 2
    result = cli("explain", "RWP", "--location", "RWP99")
    assert result.exit_code == 1
    assert 'Error: location "RWP99" is not a location of RWP' in result.output


def test_explain_help_ends_with_an_example(cli) -> None:
    result = cli("explain", "--help")
    assert result.exit_code == 0
    described = result.output[: result.output.index("Options:")].rstrip()
    assert described.endswith(
        "  Example:\n    cqc-ledger explain RWP --at 2018-03-01\n"
        '    cqc-ledger explain RX9 --service "Emergency and urgent care" --question safe --json'
    )
