"""The materialised views are a cache of the replay fold: they must always agree with it.

Histories are generated as batches (one `record` each, so one recording time each), recorded in
a random order of batches, with corrections and retractions between them; the views follow some
batches inside the recording transaction and pull others afterwards. Then, for random days and
random `--known-at` times, status and the register from the views equal status by replay, and a
rebuilt store holds exactly the rows of the incrementally built one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cqc_ledger.ledger.application import Ledger
from cqc_ledger.ledger.errors import RuleBroken
from cqc_ledger.ledger.meaning import oversight_framework_on
from cqc_ledger.ledger.parsing import parse_entry
from cqc_ledger.ledger.store.sql import rows
from cqc_ledger.projections.output.status import status_json
from cqc_ledger.projections.output.trusts import trusts_json
from cqc_ledger.projections.status import status_at
from cqc_ledger.projections.trusts import headline_of, register
from cqc_ledger.projections.views import open_views
from tests.conftest import STORES, postgres_schema

TODAY = date(2026, 11, 22)
START = datetime(2026, 1, 1, tzinfo=UTC)
PROVIDERS = ("RWP", "RX9")
PLACES = [(None, None), ("RWP01", None), ("RWP01", "Surgery"), (None, "Emergency and urgent care")]
QUESTIONS = ("overall", "safe", "well-led")
RATINGS = (
    "Outstanding",
    "Good",
    "Requires improvement",
    "Inadequate",
    "Not rated",
    "Inspected but not rated",
    "Insufficient evidence to rate",
)
SERVICE_PLACES = [p for p in PLACES if p[1]]

days = st.dates(min_value=date(2014, 1, 1), max_value=date(2025, 12, 31))


def entry(obj: dict[str, Any]) -> Any:
    return parse_entry(obj, today=TODAY)


@st.composite
def cells(draw: Any) -> list[dict[str, Any]]:
    chosen = draw(st.lists(st.sampled_from([(p, q) for p in PLACES for q in QUESTIONS]), min_size=0, max_size=5, unique=True))
    out = []
    for (location_id, service), question in chosen:
        cell = {"question": question, "rating": draw(st.sampled_from(RATINGS))}
        if location_id:
            cell["location_id"] = location_id
        if service:
            cell["service"] = service
        out.append(cell)
    return out


@st.composite
def block(draw: Any, place: tuple[str | None, str] | None = None) -> list[dict[str, Any]]:
    """A service's cells as one report gives them (at `place`, or one drawn): its overall (often
    "Inspected but not rated") and key questions, often words that are not ratings: what a
    service's ratings being one block (`projections.status.settled`) weighs, drawn on purpose, as
    cells() seldom draws it."""
    location_id, service = place or draw(st.sampled_from(SERVICE_PLACES))
    place = {"location_id": location_id, "service": service} if location_id else {"service": service}
    overall = draw(st.sampled_from(["Inspected but not rated", "Inspected but not rated", "Good", "Requires improvement"]))
    words = ["Insufficient evidence to rate", "Not rated", "Inspected but not rated", "Good", "Inadequate"]
    chosen = draw(st.lists(st.sampled_from(QUESTIONS[1:]), min_size=1, max_size=2, unique=True))
    return [{**place, "question": "overall", "rating": overall}] + [
        {**place, "question": q, "rating": draw(st.sampled_from(words))} for q in chosen
    ]


@st.composite
def inherited(draw: Any, on: date) -> list[dict[str, Any]]:
    """Cells of location L1 as a predecessor published them, on days up to `on`."""
    chosen = draw(st.lists(st.sampled_from([(s, q) for s in (None, "Surgery") for q in QUESTIONS]), min_size=1, max_size=4, unique=True))
    out = []
    for service, question in chosen:
        published = draw(st.dates(min_value=date(2014, 1, 1), max_value=on))
        cell = {"question": question, "rating": draw(st.sampled_from(RATINGS)), "published_on": published.isoformat()}
        if service:
            cell["service"] = service
        out.append(cell)
    return out


def inheritance(draw: Any, pid: str, on: date | None = None) -> dict[str, Any]:
    on = on or draw(days)
    return {
        "type": "RatingsInherited",
        "provider_id": pid,
        "location_id": "RWP01",
        "on": on.isoformat(),
        "from_location_id": "RWP99",
        "ratings": draw(inherited(on)),
    }


@st.composite
def batches(draw: Any) -> list[list[dict[str, Any]]]:
    """Batches of entry objects that are valid whatever order the batches are recorded in."""
    found: list[list[dict[str, Any]]] = []
    for pid in PROVIDERS:
        # Reports of drawn cells, and of one service's block (see block()).
        for kind, most, ratings in (("r", 4, cells()), ("b", 2, block())):
            for n in range(draw(st.integers(0, most))):
                report = {"type": "ReportPublished", "provider_id": pid, "report_id": f"{pid}-{kind}{n}", "on": draw(days).isoformat()}
                found.append([{**report, "ratings": draw(ratings)}])
        for _ in range(draw(st.integers(0, 2))):
            cell = draw(cells().filter(bool))[0]
            found.append(
                [{"type": "RatingRevised", "provider_id": pid, "on": draw(days).isoformat(), "cell": cell, "reason": "rating review"}]
            )
        # Special measures: separate periods, each entered and exited in one batch (or left open).
        bounds = sorted(draw(st.lists(days, min_size=0, max_size=4, unique=True)))
        for i in range(0, len(bounds), 2):
            batch = [{"type": "SpecialMeasuresEntered", "provider_id": pid, "on": bounds[i].isoformat(), "regime": "quality"}]
            if i + 1 < len(bounds):
                batch.append({"type": "SpecialMeasuresExited", "provider_id": pid, "on": bounds[i + 1].isoformat(), "regime": "quality"})
            found.append(batch)
        for n in range(draw(st.integers(0, 2))):
            issued = draw(days)
            batch = [
                {"type": "WarningNoticeIssued", "provider_id": pid, "notice_id": f"{pid}-n{n}", "on": issued.isoformat(), "section": "29A"}
            ]
            if draw(st.booleans()):
                assessed = issued + timedelta(days=draw(st.integers(0, 400)))
                batch.append(
                    {
                        "type": "WarningNoticeAssessed",
                        "provider_id": pid,
                        "notice_id": f"{pid}-n{n}",
                        "on": min(assessed, date(2025, 12, 31)).isoformat(),
                        "outcome": draw(st.sampled_from(["met", "not-met", "withdrawn"])),
                    }
                )
            found.append(batch)
        for _ in range(draw(st.integers(0, 2))):
            on = draw(st.dates(min_value=date(2016, 10, 1), max_value=date(2025, 12, 31)))
            found.append(
                [
                    {
                        "type": "OversightSegmentChanged",
                        "provider_id": pid,
                        "on": on.isoformat(),
                        "framework": oversight_framework_on(on),  # the framework that applied that day
                        "segment": draw(st.integers(1, 4)),
                    }
                ]
            )
        for _ in range(draw(st.integers(0, 2))):
            location_id, service = draw(st.sampled_from(SERVICE_PLACES))
            superseded = {
                "type": "ServiceSuperseded",
                "provider_id": pid,
                "service": service,
                "on": draw(days).isoformat(),
                "by": ["Maternity"],
            }
            found.append([{**superseded, "location_id": location_id} if location_id else superseded])
        for _ in range(draw(st.integers(0, 2))):
            found.append([inheritance(draw, pid)])
        if draw(st.booleans()):
            found.append([{"type": "ProviderRenamed", "provider_id": pid, "name": f"{pid} renamed", "on": draw(days).isoformat()}])
    return draw(st.permutations(found))


def registrations() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for pid in PROVIDERS:
        out.append({"type": "ProviderRegistered", "provider_id": pid, "name": f"Provider {pid}", "on": "2010-04-01"})
        out.append({"type": "LocationRegistered", "provider_id": pid, "location_id": "RWP01", "name": "Hospital", "on": "2010-04-01"})
    return out


def own_places(obj: dict[str, Any]) -> dict[str, Any]:
    """The entry with "RWP01", the location the strategies draw, made its provider's own (RX901 for
    RX9): a location id is registered under one provider only."""
    if obj["provider_id"] == "RWP":
        return obj
    return orjson.loads(orjson.dumps(obj).replace(b'"RWP01"', f'"{obj["provider_id"]}01"'.encode()))


def record_history(db: str, plan: list[list[dict[str, Any]]], data: Any) -> tuple[Ledger, list[datetime]]:
    """Records the batches (and mends drawn between them); returns the ledger and the batch times."""
    ledger = Ledger(str(db))
    views = open_views(ledger)
    times: list[datetime] = []

    def record(objs: list[dict[str, Any]]) -> None:
        moment = START + timedelta(hours=len(times))
        follow = data.draw(st.booleans(), label="follow")
        try:
            ledger.record(
                [(i + 1, entry(own_places(o)), None) for i, o in enumerate(objs)],
                followers=[views.follow] if follow else [],
                clock=lambda: moment,
            )
        except RuleBroken:
            return  # a mend the rules refuse: nothing recorded, as the user would see
        times.append(moment)
        if not follow and data.draw(st.booleans(), label="pull now"):
            views.catch_up(ledger)

    record(registrations())
    for batch in plan:
        record(batch)
        if data.draw(st.integers(0, 3), label="mend?") == 0:
            record([mend(ledger, data)])
    views.catch_up(ledger)
    return ledger, times


def mend(ledger: Ledger, data: Any) -> dict[str, Any]:
    """A correction or retraction of a random earlier entry (the rules may refuse it)."""
    pid = data.draw(st.sampled_from(PROVIDERS), label="mend provider")
    recorded = ledger.entries_of(pid)
    target = data.draw(st.sampled_from(recorded[2:] or recorded), label="target")
    if data.draw(st.booleans(), label="retract") or target.entry.type_name not in (
        "ReportPublished",
        "OversightSegmentChanged",
        "RatingRevised",
        "ServiceSuperseded",
        "RatingsInherited",
    ):
        return {"type": "EntryRetracted", "provider_id": pid, "ref": target.ref, "reason": "test"}
    replacement = dict(_json(target.entry))
    if replacement["type"] == "ReportPublished":
        replacement["ratings"] = data.draw(cells(), label="corrected cells")
    replacement["on"] = data.draw(days, label="corrected day").isoformat()
    if replacement["type"] == "RatingsInherited":
        replacement["ratings"] = data.draw(inherited(date.fromisoformat(replacement["on"])), label="corrected inherited cells")
    return {"type": "EntryCorrected", "provider_id": pid, "ref": target.ref, "replacement": replacement, "reason": "test"}


def _json(e: Any) -> dict[str, Any]:
    from cqc_ledger.events.jsonform import entry_to_json

    return entry_to_json(e)


def view_rows(ledger: Ledger) -> list[tuple[Any, ...]]:
    views = open_views(ledger)
    with views.datastore.transaction(commit=False) as c:
        c.execute(views.q("SELECT * FROM {entries} ORDER BY provider_id, valid_from, position, mend"))
        found = rows(c)
        c.execute(views.q("SELECT * FROM {headlines} ORDER BY provider_id, topic, subject, valid_from, position, mend"))
        return found + rows(c)


@contextmanager
def fresh_ledger(store: str, tmp_path_factory: Any) -> Iterator[str]:
    """A new, empty ledger on the store, for one generated example."""
    if store == "sqlite":
        yield str(tmp_path_factory.mktemp("views") / "ledger.db")
    else:
        yield from postgres_schema()


# PostgreSQL: fewer examples, since each needs a schema of its own.
EXAMPLES = {"sqlite": (40, 25), "postgres": (12, 8)}


@pytest.mark.parametrize("store", STORES)
def test_status_and_register_from_the_views_equal_replay(store: str, tmp_path_factory: Any) -> None:
    @settings(max_examples=EXAMPLES[store][0], deadline=None, suppress_health_check=list(HealthCheck))
    @given(plan=batches(), data=st.data())
    def check(plan: list[list[dict[str, Any]]], data: Any) -> None:
        with fresh_ledger(store, tmp_path_factory) as db:
            views_equal_replay(db, plan, data)

    check()


def views_equal_replay(db: str, plan: list[list[dict[str, Any]]], data: Any) -> None:
    ledger, times = record_history(db, plan, data)
    try:
        check_views_equal_replay(ledger, times, data)
    finally:
        ledger.close()


def check_views_equal_replay(ledger: Ledger, times: list[datetime], data: Any) -> None:
    views = open_views(ledger)
    known_ats = [None, *(t + timedelta(minutes=m) for t in times for m in (-1, 0, 1))]
    entries = {pid: ledger.entries_of(pid) for pid in PROVIDERS}
    for _ in range(12):
        at = data.draw(days, label="at")
        known_at = data.draw(st.sampled_from(known_ats), label="known_at")
        shown = known_at or START
        replayed = {pid: status_at(entries[pid], pid, at, known_at) for pid in PROVIDERS}
        for pid in PROVIDERS:
            from_views = views.status(pid, at, known_at)
            assert (from_views.cells, from_views.superseded) == (replayed[pid].cells, replayed[pid].superseded)
            assert status_json(from_views, at, shown) == status_json(replayed[pid], at, shown)
        headlines = [headline_of(s) for s in replayed.values() if s.name is not None]
        assert views.headlines(at, known_at) == headlines
        assert trusts_json(register(views.headlines(at, known_at)), at) == trusts_json(register(headlines), at)


@pytest.mark.parametrize("store", STORES)
def test_a_rebuilt_store_holds_exactly_the_rows_of_the_incrementally_built_one(store: str, tmp_path_factory: Any) -> None:
    @settings(max_examples=EXAMPLES[store][1], deadline=None, suppress_health_check=list(HealthCheck))
    @given(plan=batches(), data=st.data())
    def check(plan: list[list[dict[str, Any]]], data: Any) -> None:
        with fresh_ledger(store, tmp_path_factory) as db:
            ledger, _ = record_history(db, plan, data)
            incremental = view_rows(ledger)
            views = open_views(ledger)
            # read a few entries at a time too: a mend and the entry it mends on different pages
            views.rebuild_page = data.draw(st.sampled_from([1, 3, views.rebuild_page]), label="page")
            views.rebuild(ledger)
            assert view_rows(ledger) == incremental
            ledger.close()

    check()
