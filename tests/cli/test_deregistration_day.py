"""A provider or location is on the register through its deregistration day and off it from the
next (CONTRACT.md: "After its `ProviderDeregistered` day ..."): every read path says so, on each
store, as the rules accept entries dated on that day.

AAA's location AAA02 is deregistered on 2015-01-01, and AAA itself on 2016-01-01, the day of a
report rating it Good, while in special measures and with a warning notice open: on its day
`status` says it leaves the register after it; after it, that what it shows is as it stood then.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import orjson
from ledgers import json_of, ok
from starlette.testclient import TestClient

from cqc_ledger.ledger.application import Ledger
from cqc_ledger.projections.output.status import status_json
from cqc_ledger.projections.status import Since, status_at
from cqc_ledger.projections.trusts import headline_of
from cqc_ledger.projections.views import open_views
from cqc_ledger.web.app import create_app
from tests.store.test_interval_views_equal_replay import NAMES_IN_FORCE, RATINGS_IN_FORCE, REGIMES_IN_FORCE, in_force

GONE, LOCATION_GONE = "2016-01-01", "2015-01-01"
DAY_AFTER, LOCATION_DAY_AFTER = "2016-01-02", "2015-01-02"
START = datetime(2026, 1, 1, tzinfo=UTC)

ENTRIES = [
    {"type": "ProviderRegistered", "provider_id": "AAA", "name": "A Trust", "on": "2012-04-01"},
    {"type": "LocationRegistered", "provider_id": "AAA", "location_id": "AAA01", "name": "A Hospital", "on": "2012-04-01"},
    {"type": "LocationRegistered", "provider_id": "AAA", "location_id": "AAA02", "name": "B Hospital", "on": "2012-04-01"},
    {
        "type": "ReportPublished",
        "provider_id": "AAA",
        "report_id": "R2",
        "on": "2014-01-01",
        "ratings": [{"location_id": "AAA02", "question": "overall", "rating": "Good"}],
    },
    {"type": "SpecialMeasuresEntered", "provider_id": "AAA", "regime": "quality", "on": "2014-06-01"},
    {"type": "LocationDeregistered", "provider_id": "AAA", "location_id": "AAA02", "on": LOCATION_GONE},
    {"type": "ProviderDeregistered", "provider_id": "AAA", "on": GONE, "successor_id": "BBB"},
    {
        "type": "ReportPublished",
        "provider_id": "AAA",
        "report_id": "R",
        "on": GONE,
        "ratings": [{"question": "overall", "rating": "Good"}],
    },
    {"type": "WarningNoticeIssued", "provider_id": "AAA", "notice_id": "WN1", "section": "29A", "on": "2014-07-01"},
]


def recorded(db: str) -> None:
    ok(db, "record", input=b"".join(orjson.dumps(e) + b"\n" for e in ENTRIES))


def test_status_has_the_provider_and_location_registered_through_their_deregistration_days(db: str) -> None:
    recorded(db)

    def seen(at: str) -> tuple[Any, bool, dict[str, Any]]:
        doc: Any = json_of(db, "status", "AAA", "--at", at)
        locations = {loc["location_id"]: (loc["deregistered_on"], loc["in_force"]) for loc in doc["locations"]}
        return doc["deregistered"], doc["in_force"], locations

    assert seen("2014-12-31")[2]["AAA02"] == (None, True)
    assert seen(LOCATION_GONE)[2]["AAA02"] == (LOCATION_GONE, True)  # its deregistration recorded, in force through its day
    assert seen(LOCATION_DAY_AFTER)[2]["AAA02"] == (LOCATION_GONE, False)
    assert seen("2015-12-31")[:2] == (None, True)
    assert seen(GONE)[:2] == ({"on": GONE, "successor_id": "BBB", "ref": "AAA/7"}, True)
    assert seen(DAY_AFTER)[:2] == ({"on": GONE, "successor_id": "BBB", "ref": "AAA/7"}, False)


def test_status_says_on_the_deregistration_day_that_the_provider_or_location_leaves_the_register_after_it(db: str) -> None:
    recorded(db)

    location_day = ok(db, "status", "AAA", "--at", LOCATION_GONE).stdout
    provider_day = ok(db, "status", "AAA", "--at", GONE).stdout
    before = ok(db, "status", "AAA", "--at", "2015-12-31").stdout

    assert (
        "AAA02 B Hospital, deregistered 2015-01-01: on the register through this day, off it from the next\n  overall Good" in location_day
    )
    assert "Deregistered locations" not in location_day
    assert "  deregistered on 2016-01-01, succeeded by BBB: on the register through this day, off it from the next\n" in provider_day
    assert "deregistered on 2016" not in before


def test_after_its_deregistration_status_says_its_special_measures_and_notices_are_as_they_stood_then(db: str) -> None:
    recorded(db)

    text = ok(db, "status", "AAA", "--at", DAY_AFTER).stdout
    doc: Any = json_of(db, "status", "AAA", "--at", DAY_AFTER)

    assert (
        "  deregistered on 2016-01-01, succeeded by BBB: its ratings, special measures, oversight and notices below are as they stood"
        " then, no longer in force\n"
    ) in text
    assert "Special measures  quality since 2014-06-01 (AAA/5)" in text
    assert "Warning notices   WN1 (s29A) issued 2014-07-01: open" in text
    assert [sm["regime"] for sm in doc["special_measures"]] == ["quality"]
    assert [(n["notice_id"], n["status"]) for n in doc["warning_notices"]] == [("WN1", "open")]


def test_trusts_marks_a_deregistered_providers_special_measures_and_notices_as_they_stood_then(db: str) -> None:
    recorded(db)

    listed = ok(db, "trusts", "--at", DAY_AFTER, "--deregistered").stdout.splitlines()
    rows: Any = json_of(db, "trusts", "--at", DAY_AFTER, "--deregistered")
    on_its_day = ok(db, "trusts", "--at", GONE).stdout.splitlines()

    assert listed[1].split()[4:8] == ["quality", "(then)", "1", "(then)"]
    assert listed[1].endswith("A Trust (deregistered 2016-01-01, successor BBB)")
    assert listed[-1] == "(then): as it stood on the provider's deregistration day, no longer in force."
    assert [(r["in_special_measures"], r["special_measures"], r["open_warning_notices"]) for r in rows] == [(True, ["quality"], 1)]
    assert on_its_day[1].split()[4:6] == ["quality", "1"]
    assert "(then)" not in "\n".join(on_its_day)


def test_trusts_says_on_the_deregistration_day_that_the_provider_leaves_the_register_after_it(db: str) -> None:
    recorded(db)

    on_its_day = ok(db, "trusts", "--at", GONE).stdout.splitlines()
    also_deregistered = ok(db, "trusts", "--at", GONE, "--deregistered").stdout.splitlines()
    before = ok(db, "trusts", "--at", "2015-12-31").stdout
    rows = {at: [(r["deregistered_on"], r["successor_id"]) for r in json_of(db, "trusts", "--at", at)] for at in ("2015-12-31", GONE)}  # type: ignore[union-attr]

    assert on_its_day[1].endswith("A Trust (deregistered 2016-01-01, successor BBB: off the register from the next day)")
    assert on_its_day[-1] == "1 provider at 2016-01-01."  # on the register, not counted as deregistered by then
    assert also_deregistered == on_its_day
    assert "deregistered" not in before
    assert rows == {"2015-12-31": [(None, None)], GONE: [(GONE, "BBB")]}


def test_trusts_rows_say_in_force_as_status_does_through_the_deregistration_day_and_not_after(db: str) -> None:
    recorded(db)
    site = TestClient(create_app(db))

    for at in ("2015-12-31", GONE, DAY_AFTER):
        (row,) = json_of(db, "trusts", "--at", at, "--deregistered")  # type: ignore[misc]
        assert row["in_force"] == json_of(db, "status", "AAA", "--at", at)["in_force"] == (at != DAY_AFTER)  # type: ignore[index]
        # the web register's rows are trusts' (its search lists the deregistered, marked "(then)")
        assert site.get(f"/api/trusts?at={at}").json() == ([row] if row["in_force"] else [])
        page = site.get(f"/?at={at}&q=AAA").text
        assert ("(then)" in page) == (not row["in_force"])


def test_the_views_and_replay_give_the_register_the_deregistration_on_its_own_day(db: str) -> None:
    recorded(db)
    ledger = Ledger(db)
    try:
        for at in (date.fromisoformat(GONE), date.fromisoformat(DAY_AFTER)):
            from_views = open_views(ledger).headlines(at)
            assert from_views == [headline_of(status_at(ledger.entries_of("AAA"), "AAA", at))]
        assert from_views is not None
        (on_its_day,) = open_views(ledger).headlines(date.fromisoformat(GONE)) or []
        assert (on_its_day.deregistered, on_its_day.leaving) == (None, Since(date.fromisoformat(GONE), "AAA/7", "BBB"))
    finally:
        ledger.close()


def test_a_deregistered_provider_in_special_measures_is_listed_and_counted_in_them_only_through_its_day(db: str) -> None:
    recorded(db)

    listed = {at: [r["provider_id"] for r in json_of(db, "trusts", "--at", at, "--special-measures")] for at in (GONE, DAY_AFTER)}  # type: ignore[union-attr]
    counted: Any = json_of(db, "counts", "--from", "2015-12-31", "--to", DAY_AFTER, "--every", "month", "--by", "special-measures")
    moved: Any = json_of(db, "transitions", "--from", GONE, "--to", DAY_AFTER)

    assert listed == {GONE: ["AAA"], DAY_AFTER: []}
    assert [(row["at"], row["providers"], row["quality"], row["any"]) for row in counted] == [("2015-12-31", 1, 1, 1), (DAY_AFTER, 0, 0, 0)]
    assert moved["providers"] == 0


def test_trusts_counts_and_anomalies_have_the_provider_through_its_deregistration_day(db: str) -> None:
    recorded(db)

    listed = {at: [r["provider_id"] for r in json_of(db, "trusts", "--at", at)] for at in (GONE, DAY_AFTER)}  # type: ignore[union-attr]
    counted: Any = json_of(db, "counts", "--from", "2015-12-03", "--to", DAY_AFTER, "--every", "month")
    on_day: Any = json_of(db, "counts", "--from", "2015-12-02", "--to", GONE, "--every", "month")
    checked = {at: json_of(db, "anomalies", "--at", at)["checked"] for at in (GONE, DAY_AFTER)}  # type: ignore[index]

    assert listed == {GONE: ["AAA"], DAY_AFTER: []}
    assert (on_day[-1]["at"], on_day[-1]["providers"], on_day[-1]["Good"]) == (GONE, 1, 1)
    assert (counted[-1]["at"], counted[-1]["providers"]) == (DAY_AFTER, 0)
    assert checked == {GONE: 1, DAY_AFTER: 0}


def test_explain_names_the_deregistration_only_from_the_day_after(db: str) -> None:
    recorded(db)

    def gone(at: str) -> Any:
        doc: Any = json_of(db, "explain", "AAA", "--location", "AAA02", "--question", "overall", "--at", at)
        return doc["deregistered"]

    assert gone(LOCATION_GONE) is None
    assert gone(LOCATION_DAY_AFTER)["ref"] == "AAA/6"


def test_the_analysts_interval_views_end_on_the_day_after_a_deregistration(db: str) -> None:
    recorded(db)
    ledger = Ledger(db)
    try:

        def held(sql: str, at: str) -> set[tuple[Any, ...]]:
            return {row[:3] for row in in_force(ledger, sql, date.fromisoformat(at))}

        assert ("AAA", "AAA02", None) in held(RATINGS_IN_FORCE, LOCATION_GONE)
        assert ("AAA", "AAA02", None) not in held(RATINGS_IN_FORCE, LOCATION_DAY_AFTER)
        assert ("AAA", "AAA02", "B Hospital") in held(NAMES_IN_FORCE, LOCATION_GONE)
        assert ("AAA", "AAA02", "B Hospital") not in held(NAMES_IN_FORCE, LOCATION_DAY_AFTER)
        assert ("AAA", None, None) in held(RATINGS_IN_FORCE, GONE)
        assert held(RATINGS_IN_FORCE, DAY_AFTER) == set()
        assert {(p, regime, bool(entered)) for p, regime, entered in held(REGIMES_IN_FORCE, GONE)} == {("AAA", "quality", True)}
        assert held(REGIMES_IN_FORCE, DAY_AFTER) == set()
        assert ("AAA", None, "A Trust") in held(NAMES_IN_FORCE, GONE)
        assert held(NAMES_IN_FORCE, DAY_AFTER) == set()
    finally:
        ledger.close()


def test_the_views_and_replay_both_note_a_deregistration_on_its_own_day(db: str) -> None:
    recorded(db)
    ledger = Ledger(db)
    try:
        views, entries = open_views(ledger), ledger.entries_of("AAA")
        for at in (date.fromisoformat(LOCATION_GONE), date.fromisoformat(GONE)):
            replayed, from_views = status_at(entries, "AAA", at), views.status("AAA", at)
            assert from_views is not None
            assert dict(from_views.leaving) == dict(replayed.leaving) != {}
            assert status_json(from_views, at, START) == status_json(replayed, at, START)
    finally:
        ledger.close()


def test_history_lists_a_deregistration_after_the_other_entries_of_its_day_as_diff_and_changes_take_effect(db: str) -> None:
    # Given: AAA's deregistration (AAA/7) recorded before the report of the same day (AAA/8).
    recorded(db)

    steps: Any = json_of(db, "history", "AAA", "--from", GONE, "--to", GONE)
    on_the_day: Any = json_of(db, "diff", "AAA", "--from", "2015-12-31", "--to", GONE)
    after_it: Any = json_of(db, "diff", "AAA", "--from", "2015-12-31", "--to", DAY_AFTER)
    changed: Any = json_of(db, "changes", "--from", "2015-12-31", "--to", DAY_AFTER)

    # Then: the report is listed first, as it takes effect on its day and the deregistration the day after.
    assert [(s["ref"], s["type"]) for s in steps] == [("AAA/8", "ReportPublished"), ("AAA/7", "ProviderDeregistered")]
    assert [(c["question"], c["to"]) for c in on_the_day["changes"]] == [("overall", "Good")]
    assert on_the_day["register"] == []
    assert [(r["did"], r["ref"]) for r in after_it["register"]] == [("deregistered", "AAA/7")]
    assert [(c["on"], c["ref"], c["to"]) for c in changed] == [(GONE, "AAA/8", "Good")]
