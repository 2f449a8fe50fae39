"""A provider or location is on the register through its deregistration day and off it from the
next (CONTRACT.md: "After its `ProviderDeregistered` day ..."): every read path says so, on each
store, as the rules accept entries dated on that day.

AAA's location AAA02 is deregistered on 2015-01-01, and AAA itself on 2016-01-01, the day of a
report rating it Good.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson
from ledgers import json_of, ok

from cqc_ledger.ledger.application import Ledger
from tests.store.test_interval_views_equal_replay import NAMES_IN_FORCE, RATINGS_IN_FORCE, REGIMES_IN_FORCE, in_force

GONE, LOCATION_GONE = "2016-01-01", "2015-01-01"
DAY_AFTER, LOCATION_DAY_AFTER = "2016-01-02", "2015-01-02"

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
    {"type": "ProviderDeregistered", "provider_id": "AAA", "on": GONE},
    {
        "type": "ReportPublished",
        "provider_id": "AAA",
        "report_id": "R",
        "on": GONE,
        "ratings": [{"question": "overall", "rating": "Good"}],
    },
]


def recorded(db: str) -> None:
    ok(db, "record", input=b"".join(orjson.dumps(e) + b"\n" for e in ENTRIES))


def test_status_has_the_provider_and_location_registered_through_their_deregistration_days(db: str) -> None:
    recorded(db)

    def seen(at: str) -> tuple[Any, dict[str, Any]]:
        doc: Any = json_of(db, "status", "AAA", "--at", at)
        return doc["deregistered"], {loc["location_id"]: (loc["deregistered_on"], loc["in_force"]) for loc in doc["locations"]}

    assert seen(LOCATION_GONE)[1]["AAA02"] == (None, True)
    assert seen(LOCATION_DAY_AFTER)[1]["AAA02"] == (LOCATION_GONE, False)
    assert seen(GONE)[0] is None
    assert seen(DAY_AFTER)[0]["on"] == GONE


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
