"""`anomalies`, and the principles' check of every published trust overall in the real histories."""

from __future__ import annotations

from datetime import date

import orjson
import pytest
from builders import cell, location, notice_issued, registered, report
from ledgers import record_examples
from recorded_history import example, recorded

from cqc_ledger.ledger.application import Ledger
from cqc_ledger.projections.aggregates import check
from cqc_ledger.projections.anomalies import survey
from cqc_ledger.projections.judgement import ASSUMED, INCOMPLETE, INCONSISTENT, KINDS, STALE
from cqc_ledger.projections.register import statuses_at
from cqc_ledger.projections.status import status_at

INADEQUATE, RI, GOOD, OUTSTANDING = "Inadequate", "Requires improvement", "Good", "Outstanding"
TRUST_OVERALL, COMBINED = (None, None, "overall"), (None, None, "combined")

# Every trust overall rating the examples publish, checked on the day it was published.
PUBLISHED = [
    # RX9 2016-05-10: safe, effective, well-led RI; caring, responsive Good. Three of five RI: reproduced.
    ("RX9", "2016-05-10", TRUST_OVERALL, RI, RI, "requires-improvement-by-count", True),
    # RX9 2019-07-17: caring Outstanding, the rest Good. One Outstanding of five, two needed: Good, reproduced.
    ("RX9", "2019-07-17", TRUST_OVERALL, GOOD, GOOD, "good-otherwise", True),
    # RWP 2015-12-02: Inadequate, but its key questions are not in the sources: nothing to check against.
    ("RWP", "2015-12-02", TRUST_OVERALL, INADEQUATE, None, "nothing-to-aggregate", None),
    # RWP 2017-06-20: safe, responsive, well-led Inadequate. Three of five Inadequate: reproduced.
    ("RWP", "2017-06-20", TRUST_OVERALL, INADEQUATE, INADEQUATE, "inadequate-by-count", True),
    # RWP 2018-06-05: safe and responsive Inadequate. Two of five Inadequate: reproduced.
    ("RWP", "2018-06-05", TRUST_OVERALL, INADEQUATE, INADEQUATE, "inadequate-by-count", True),
    # RWP 2019-09-20: by count, Requires improvement (safe and well-led RI, responsive Inadequate as
    # carried from 2018: three of five RI or worse), which reproduces it. The ledger holds the 2015
    # and 2017 warning notices open (no outcome is in the sources), but they name no location: CQC
    # applies enforcement at the lowest level, so they are context, not a limit on the trust's rating.
    ("RWP", "2019-09-20", TRUST_OVERALL, RI, RI, "requires-improvement-by-count", True),
    # RWP 2019-09-20 combined: use of resources and responsive (carried from 2018) Inadequate: two
    # of six, Inadequate. CQC published Requires improvement: not reproduced.
    ("RWP", "2019-09-20", COMBINED, RI, INADEQUATE, "inadequate-by-count", False),
]


@pytest.mark.parametrize(("provider_id", "day", "key", "published", "gives", "rule", "agrees"), PUBLISHED)
def test_every_published_trust_overall_in_the_examples_is_checked(
    provider_id: str, day: str, key: tuple, published: str, gives: str | None, rule: str, agrees: bool | None
) -> None:
    status = status_at(example(provider_id), provider_id, date.fromisoformat(day))
    found = check(status, key)
    assert (found.published.rating, found.published.since.isoformat()) == (published, day)
    assert (found.verdict.rating, found.verdict.rule, found.agrees) == (gives, rule, agrees)


def test_worcestershire_2019_lists_the_trust_wide_notices_as_context_not_applied() -> None:
    found = check(status_at(example("RWP"), "RWP", date(2019, 9, 20)), TRUST_OVERALL)
    assert (found.verdict.rule, found.verdict.rating, found.breaches) == ("requires-improvement-by-count", RI, ())
    assert [(e.ident, e.applied) for e in found.enforcement] == [
        ("RWP-WN-2015-01", False),
        ("RWP-WN-2015-02", False),
        ("RWP-WN-2015-03", False),
        ("RWP-WN-2017-01", False),
        ("RWP-WN-2017-02", False),
    ]
    assert all("names no location" in e.why for e in found.enforcement)


def surveyed(*histories: tuple[str, list], at: str = "2020-01-01", kinds=KINDS):
    return survey(list(histories), date.fromisoformat(at), kinds=kinds)


def test_the_survey_lists_the_kinds_asked_for_and_counts_every_kind() -> None:
    good_over_two_inadequate = recorded(
        registered("RXX"),
        report(
            "R",
            "2019-01-01",
            cell("overall", GOOD),
            cell("safe", INADEQUATE),
            cell("effective", INADEQUATE),
            cell("caring", GOOD),
            cell("responsive", GOOD),
            cell("well-led", GOOD),
            provider_id="RXX",
        ),
    )
    agreeing = recorded(
        registered("RYY"),
        report(
            "R",
            "2019-01-01",
            cell("overall", OUTSTANDING),
            *(cell(q, OUTSTANDING) for q in ("safe", "caring")),
            *(cell(q, GOOD) for q in ("effective", "responsive", "well-led")),
            provider_id="RYY",
        ),
    )
    found = surveyed(("RXX", good_over_two_inadequate), ("RYY", agreeing), kinds=(INCONSISTENT,))
    # (the trust key questions but well-led have no location or service under them recorded: incomplete)
    assert (found.agreed, found.counts[INCONSISTENT], found.counts[INCOMPLETE]) == (1, 1, 8)
    assert found.checked == 10
    [anomaly] = found.anomalies
    assert (anomaly.provider_id, anomaly.kind, anomaly.judgement.key) == ("RXX", INCONSISTENT, TRUST_OVERALL)
    assert anomaly.judgement.published.verdict.rating == INADEQUATE


FIVE_GOOD = [cell(q, GOOD) for q in ("safe", "effective", "caring", "responsive", "well-led")]


def test_a_rating_consistent_on_its_day_but_re_rated_under_since_is_stale_and_names_the_later_entries() -> None:
    # Given a trust rated Good overall in 2018 from five Good key questions
    history = recorded(
        registered("RXX"),  # RXX/1
        report("R-2018", "2018-03-01", cell("overall", GOOD), *FIVE_GOOD, provider_id="RXX"),  # RXX/2
        # When a focused report in 2019 re-rates safe and effective Inadequate, leaving the overall
        report("R-2019", "2019-05-01", cell("safe", INADEQUATE), cell("effective", INADEQUATE), provider_id="RXX"),  # RXX/3
    )
    # Then the overall is stale: right when published, not from what is under it now
    [anomaly] = surveyed(("RXX", history), kinds=(STALE,)).anomalies
    judged = anomaly.judgement
    assert (judged.kind, judged.published.verdict.rating, judged.now.verdict.rating) == (STALE, GOOD, INADEQUATE)
    assert [(key[2], value.ref) for key, value in judged.later] == [("safe", "RXX/3"), ("effective", "RXX/3")]
    assert "RXX/3" in judged.says
    # And it is not inconsistent
    assert surveyed(("RXX", history), kinds=(INCONSISTENT,)).anomalies == ()


ASSUMED_BY: list = [
    pytest.param(
        # an ambulance trust whose safe is Good over the one service safe rating recorded, RI
        recorded(
            registered("RXX", provider_type="ambulance"),
            report("R", "2019-07-17", cell("safe", GOOD), cell("safe", RI, service="Emergency and urgent care"), provider_id="RXX"),
        ),
        (None, None, "safe"),
        "requires-improvement-by-count",
        id="a count whose threshold CQC has not stated",
    ),
    pytest.param(
        # a trust rated Requires improvement overall over five Good key questions
        recorded(registered("RXX"), report("R", "2019-01-01", cell("overall", RI), *FIVE_GOOD, provider_id="RXX")),
        (None, None, "overall"),
        "good-otherwise",
        id="good by default",
    ),
]


@pytest.mark.parametrize(("history", "key", "rule"), ASSUMED_BY)
def test_a_disagreement_that_rests_on_an_unstated_threshold_is_assumed_and_names_it(history, key, rule) -> None:
    [anomaly] = surveyed(("RXX", history), kinds=(ASSUMED,)).anomalies

    assert (anomaly.kind, anomaly.judgement.key) == (ASSUMED, key)
    assert (anomaly.judgement.assumption.rule, anomaly.judgement.assumption.basis) == (rule, "unstated")
    assert "threshold CQC has not stated" in anomaly.judgement.says


INCOMPLETE_BY: list = [
    pytest.param(
        # Grantham's emergency department rated Inadequate overall with only safe recorded under it
        "RWD",
        recorded(
            registered("RWD", provider_type="acute"),
            location("RWD02", provider_id="RWD"),
            report(
                "R",
                "2019-01-01",
                cell("overall", INADEQUATE, "RWD02", "Urgent and emergency services"),
                cell("safe", INADEQUATE, "RWD02", "Urgent and emergency services"),
                provider_id="RWD",
            ),
        ),
        ("RWD02", "Urgent and emergency services", "overall"),
        ["effective", "caring", "responsive", "well-led"],
        "on its day (2019-01-01), one of the five key questions it aggregates was recorded",
        id="fewer ratings recorded than it aggregates",
    ),
    pytest.param(
        # a location's well-led Good over one service's well-led, Inspected but not rated
        "RH8",
        recorded(
            registered("RH8"),
            location("RH854", provider_id="RH8"),
            report(
                "R",
                "2019-04-30",
                cell("well-led", GOOD, "RH854"),
                cell("well-led", "Inspected but not rated", "RH854", "Urgent and emergency services"),
                provider_id="RH8",
            ),
        ),
        ("RH854", None, "well-led"),
        [],
        "the one service under it holds no rating the principles count (Inspected but not rated)",
        id="values under it that are not ratings",
    ),
    pytest.param(
        # a trust's safe Good, with no location or service of it rated under it
        "RXX",
        recorded(registered("RXX"), report("R", "2019-01-01", cell("safe", GOOD), provider_id="RXX")),
        (None, None, "safe"),
        [],
        "no service under it is recorded: the principles decline to judge",
        id="nothing under it",
    ),
]


@pytest.mark.parametrize(("provider_id", "history", "key", "missing", "says"), INCOMPLETE_BY)
def test_an_aggregate_the_principles_cannot_count_is_incomplete_and_says_what_is_missing(provider_id, history, key, missing, says) -> None:
    [anomaly] = surveyed((provider_id, history), kinds=(INCOMPLETE,)).anomalies

    judged = anomaly.judgement
    assert (judged.kind, judged.key) == (INCOMPLETE, key)
    assert [k[2] for k in judged.published.under.missing] == missing
    assert says in judged.says
    assert surveyed((provider_id, history), kinds=(INCONSISTENT,)).anomalies == ()


LEICESTER_2018 = [
    registered("RWE", name="University Hospitals of Leicester NHS Trust", provider_type="acute"),  # RWE/1
    notice_issued("RWE-WN-2017", "2017-11-01", provider_id="RWE"),  # RWE/2: trust-wide, no location
    report(
        "RWE-2018",
        "2018-03-21",
        cell("overall", RI),
        cell("safe", RI),
        cell("effective", RI),
        cell("caring", GOOD),
        cell("responsive", RI),
        cell("well-led", RI),
        provider_id="RWE",
    ),  # RWE/3
]


def test_leicester_2018_published_with_a_trust_wide_notice_is_not_an_anomaly() -> None:
    # Given UHL's 2018 overall, Requires improvement, published while a trust-wide warning notice was open
    found = surveyed(("RWE", recorded(*LEICESTER_2018)), kinds=(INCONSISTENT, STALE, ASSUMED))
    # Then it is consistent: the notice names no location, so it does not make the trust Inadequate
    assert (found.anomalies, found.counts[INCONSISTENT], found.agreed) == ((), 0, 1)
    judged = check(status_at(recorded(*LEICESTER_2018), "RWE", date(2018, 3, 21)), TRUST_OVERALL)
    [notice] = judged.enforcement
    assert (notice.ident, notice.applied, judged.verdict.rating) == ("RWE-WN-2017", False, RI)


def test_a_warning_notice_on_a_location_counts_against_its_key_questions_and_the_overall_only_through_them() -> None:
    history = recorded(
        registered("RXX", provider_type="acute"),  # RXX/1
        location("RXX01", provider_id="RXX"),  # RXX/2
        notice_issued("WN-L1", "2018-01-10", location_id="RXX01", provider_id="RXX"),  # RXX/3
        report(
            "R",
            "2018-06-01",
            cell("overall", GOOD, "RXX01"),
            cell("safe", GOOD, "RXX01"),
            cell("safe", GOOD, "RXX01", "Surgery"),
            *(cell(q, GOOD, "RXX01") for q in ("effective", "caring", "responsive", "well-led")),
            provider_id="RXX",
        ),  # RXX/4
    )
    status = status_at(history, "RXX", date(2018, 6, 1))
    safe = check(status, ("RXX01", None, "safe"))
    assert (safe.verdict.rating, safe.verdict.rule, [e.applied for e in safe.enforcement]) == (
        INADEQUATE,
        "warning-notice-inadequate",
        [True],
    )
    overall = check(status, ("RXX01", None, "overall"))
    assert (overall.breaches, overall.verdict.rating, [e.applied for e in overall.enforcement]) == ((), GOOD, [False])
    assert "feels it only through them" in overall.enforcement[0].why
    kinds = {a.judgement.key: a.kind for a in surveyed(("RXX", history), kinds=(INCONSISTENT,)).anomalies}
    assert kinds == {("RXX01", None, "safe"): INCONSISTENT}


def deregistered_alpha(*more: dict) -> list:
    """A trust rated Good overall over two Inadequate key questions (inconsistent) and at its
    hospital, then deregistered (audit repro f1)."""
    return [
        registered("RAA"),  # RAA/1
        location("RAA01", provider_id="RAA"),  # RAA/2
        report(
            "R1",
            "2018-03-01",
            cell("overall", GOOD),
            cell("safe", INADEQUATE),
            cell("effective", INADEQUATE),
            *(cell(q, GOOD) for q in ("caring", "responsive", "well-led")),
            cell("overall", GOOD, "RAA01"),
            provider_id="RAA",
        ),  # RAA/3
        *more,
    ]


LOCATION_GONE = {"type": "LocationDeregistered", "provider_id": "RAA", "location_id": "RAA01", "on": "2020-03-31"}
PROVIDER_GONE = {"type": "ProviderDeregistered", "provider_id": "RAA", "on": "2020-03-31"}


def test_the_ratings_of_a_deregistered_location_or_provider_are_not_judged() -> None:
    # Given a trust and its hospital rated in 2018: six aggregates judged while both are registered
    assert surveyed(("RAA", recorded(*deregistered_alpha(LOCATION_GONE))), at="2020-01-01").checked == 6
    # When the hospital is deregistered, its overall is no longer in force: the trust's five are judged
    found = surveyed(("RAA", recorded(*deregistered_alpha(LOCATION_GONE))), at="2021-01-01")
    assert found.checked == 5
    assert all(a.judgement.key[0] is None for a in found.anomalies)
    # When the trust is deregistered too, none of its ratings is in force: nothing is judged
    gone = surveyed(("RAA", recorded(*deregistered_alpha(LOCATION_GONE, PROVIDER_GONE))), at="2021-01-01")
    assert (gone.checked, gone.anomalies) == (0, ())


def test_anomalies_judges_no_rating_of_a_provider_off_the_register(cli, db) -> None:
    assert cli("record", "-", input=deregistered_alpha(LOCATION_GONE, PROVIDER_GONE)).exit_code == 0
    assert "No provider matches" in cli("trusts", "--at", "2021-01-01").stdout
    doc = orjson.loads(cli("anomalies", "--at", "2021-01-01", "--kind", "all", "--json").stdout)
    assert (doc["checked"], doc["anomalies"]) == (0, [])
    before = orjson.loads(cli("anomalies", "--at", "2020-01-01", "--json").stdout)
    assert (before["checked"], [a["question"] for a in before["anomalies"]]) == (6, ["overall"])


def test_statuses_at_gives_every_provider_registered_by_the_day(cli, db: str) -> None:
    record_examples(db)
    ledger = Ledger(db)
    try:
        assert [s.provider_id for s in statuses_at(ledger, date(2020, 1, 1))] == ["RWP", "RX9"]
        assert list(statuses_at(ledger, date(2009, 1, 1))) == []
    finally:
        ledger.close()


# ---- through the CLI ---------------------------------------------------------------------------


def test_anomalies_json_lists_the_inconsistent_by_default_and_counts_every_kind(cli, db) -> None:
    record_examples(db)
    result = cli("anomalies", "--at", "2020-01-01", "--json")
    assert result.exit_code == 0, result.output
    doc = orjson.loads(result.stdout)
    assert (doc["at"], doc["kinds"]) == ("2020-01-01", [INCONSISTENT])
    assert doc["counts"] == {INCONSISTENT: 1, STALE: 0, ASSUMED: 1, INCOMPLETE: 10, "consistent": 2}
    assert doc["checked"] == sum(doc["counts"].values())
    [combined] = doc["anomalies"]
    assert (combined["provider_id"], combined["question"], combined["kind"]) == ("RWP", "combined", INCONSISTENT)
    assert (combined["published"]["rating"], combined["principles"]["rating"], combined["principles"]["rule"]) == (
        RI,
        INADEQUATE,
        "inadequate-by-count",
    )


def test_anomalies_kind_all_and_one_provider(cli, db) -> None:
    record_examples(db)
    doc = orjson.loads(cli("anomalies", "--at", "2020-01-01", "--kind", "all", "--provider", "RX9", "--json").stdout)
    assert {a["provider_id"] for a in doc["anomalies"]} == {"RX9"}
    assert doc["kinds"] == list(KINDS)
    # RX9's trust safe Good (2019) over the one service safe rating the ledger holds, emergency
    # and urgent care Requires improvement (2017): one of one, a threshold CQC does not state.
    [safe] = [a for a in doc["anomalies"] if a["question"] == "safe"]
    assert (safe["kind"], safe["assumption"]["basis"], [i["service"] for i in safe["principles"]["inputs"]]) == (
        ASSUMED,
        "unstated",
        ["Emergency and urgent care"],
    )
    assert {a["kind"] for a in doc["anomalies"] if a["question"] != "safe"} == {INCOMPLETE}
    loose = orjson.loads(cli("anomalies", "--at", "2020-01-01", "--kind", "Assumed", "--kind", "STALE", "--json").stdout)
    assert loose["kinds"] == [STALE, ASSUMED]


def test_anomalies_refuses_a_kind_it_does_not_know(cli, db) -> None:
    record_examples(db)
    result = cli("anomalies", "--kind", "odd")
    assert result.exit_code == 2
    assert "is not a kind of anomaly" in result.output


def test_anomalies_lists_the_consistent_when_asked_as_it_counts_them(cli, db) -> None:
    record_examples(db)
    doc = orjson.loads(cli("anomalies", "--at", "2020-01-01", "--kind", "Consistent", "--json").stdout)
    assert (doc["kinds"], doc["counts"]["consistent"]) == (["consistent"], 2)
    assert [(a["provider_id"], a["kind"]) for a in doc["anomalies"]] == [("RWP", "consistent"), ("RX9", "consistent")]
    # `all` stays every kind of anomaly, the consistent apart
    assert orjson.loads(cli("anomalies", "--at", "2020-01-01", "--kind", "all", "--json").stdout)["kinds"] == list(KINDS)


def test_anomalies_for_a_person_count_each_kind_and_name_the_rule_and_the_inputs(cli, db) -> None:
    record_examples(db)
    result = cli("anomalies", "--at", "2020-01-01")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "Aggregate ratings on 1 January 2020 judged against CQC's aggregation principles" in text
    assert "Of 14 published aggregate ratings checked: 1 inconsistent, 0 stale, 1 assumed, 10 incomplete, 2 consistent." in text
    assert (
        "RWP Worcestershire Acute Hospitals NHS Trust, trust combined: published Requires improvement since 20 September 2019 (RWP/25)"
        in text
    )
    assert "  Inconsistent: on its day the principles give Inadequate, not the published Requires improvement (2019-09-20)" in text
    assert (
        "  On its day the principles give Inadequate: two or more of six trust-level ratings Inadequate: Inadequate (CQC's rule as reported by a third party)."
        in text
    )


def test_anomalies_before_any_rating_finds_none(cli, db) -> None:
    record_examples(db)
    result = cli("anomalies", "--at", "2015-01-01", "--kind", "all")
    assert result.exit_code == 0, result.output
    assert "Of 0 published aggregate ratings checked" in result.stdout
    assert "None inconsistent, stale, assumed, incomplete." in result.stdout


def test_anomalies_help_ends_with_an_example(cli) -> None:
    result = cli("anomalies", "--help")
    described = result.output[: result.output.index("Options:")].rstrip()
    assert described.endswith(
        "  Example:\n    cqc-ledger anomalies --at 2020-01-01\n    cqc-ledger anomalies --kind all --provider RWP --json"
    )


def test_a_primary_care_services_population_groups_and_key_questions_are_rated_directly_not_judged() -> None:
    # Given a trust's GP practice rated by population group (overall only) and by key question
    history = recorded(
        registered("RH8"),
        location("RH853", provider_id="RH8"),
        report(
            "R",
            "2019-04-30",
            cell("overall", GOOD, "RH853"),
            cell("safe", GOOD, "RH853"),
            cell("overall", GOOD, "RH853", "Older people"),
            cell("overall", GOOD, "RH853", "People with long term conditions"),
            provider_id="RH8",
        ),
    )
    status = status_at(history, "RH8", date(2019, 5, 1))
    # Then neither a population group's overall nor the practice's safe is an aggregate to judge
    assert check(status, ("RH853", "Older people", "overall")) is None
    assert check(status, ("RH853", None, "safe")) is None
    found = surveyed(("RH8", history))
    assert [a.judgement.key for a in found.anomalies] == [("RH853", None, "overall")]  # only safe of five recorded
