"""`counts` and `transitions` are `trusts --at` asked on many days at once: they must agree; and
`changes`, read from the views, is the fold of every entry, and credits each change to the entry
`history` shows changing it.

Registers are generated as in the views' property tests (batches recorded in a random order,
with corrections and retractions between them; reports and revisions with every rating word,
"Inspected but not rated" among them, services superseded and ratings inherited), with
deregistrations added; then `counts`, for random periods and `--known-at` times, gives on each
period's end exactly the numbers that `trusts --at` that day lists (for another question than
overall, that `status --at` gives of each provider listed), and `transitions` exactly the pairs
of ratings those give on its two days for the providers listed on both.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from itertools import groupby
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cqc_ledger.projections import changes
from cqc_ledger.projections.history import history
from cqc_ledger.projections.status import status_at
from cqc_ledger.projections.views import open_views
from tests.conftest import STORES, runner_for
from tests.store.test_views_equal_replay import PROVIDERS, SERVICE_PLACES, batches, block, cells, days, fresh_ledger, record_history

EXAMPLES = {"sqlite": 25, "postgres": 8}
BLOCK_EXAMPLES = {"sqlite": 80, "postgres": 20}  # small registers: each example is quick


@st.composite
def registers(draw: Any) -> list[list[dict[str, Any]]]:
    """The views' generated batches, with reports published the same day as others, and for
    some providers a deregistration."""
    found = draw(batches())
    found += draw(same_day(found))
    for pid in PROVIDERS:
        if draw(st.booleans()):
            on = draw(days).isoformat()
            found.insert(draw(st.integers(0, len(found))), [{"type": "ProviderDeregistered", "provider_id": pid, "on": on}])
    return found


@st.composite
def same_day(draw: Any, found: list[list[dict[str, Any]]]) -> list[list[dict[str, Any]]]:
    """Reports published the same day as some of the reports `found` holds, each giving some of
    that report's cells the same rating again, and cells of its own: which of the day's reports
    a change of rating is credited to is what `changes` and `history` must agree on, and days
    drawn from years seldom meet."""
    reports = [e for batch in found for e in batch if e["type"] == "ReportPublished"]
    out = []
    for n, first in enumerate(draw(st.lists(st.sampled_from(reports), min_size=1, max_size=3)) if reports else []):
        again = [c for c in first["ratings"] if draw(st.booleans())]
        own = [c for c in draw(cells()) if all(_place(c) != _place(a) for a in again)]
        out.append([{**first, "report_id": f"{first['report_id']}-again{n}", "ratings": again + own}])
    return out


def _place(cell: dict[str, Any]) -> tuple[Any, ...]:
    return cell.get("location_id"), cell.get("service"), cell["question"]


QUARTERS = st.sampled_from([date(2016, 1, 1) + timedelta(days=91 * n) for n in range(8)])


@st.composite
def blocks(draw: Any) -> list[list[dict[str, Any]]]:
    """Only reports of one service's block (overall and key questions, often words that are not
    ratings), several at each provider, all of one service: a service inspected without a new
    rating, then rated anew, and a key question set again after, is what the block rule weighs,
    and the general registers seldom draw it in a period. Their days are a few, so that reports
    before a period settle what one in it finds."""
    found = []
    for pid in PROVIDERS:
        place = draw(st.sampled_from(SERVICE_PLACES))
        for n in range(draw(st.integers(2, 6))):
            report = {"type": "ReportPublished", "provider_id": pid, "report_id": f"{pid}-b{n}", "on": draw(QUARTERS).isoformat()}
            found.append([{**report, "ratings": draw(block(place))}])
    return found


asked_changes = st.builds(
    lambda question, level, rating: changes.Asked(changes.Filters(rating=rating), question, level),
    st.sampled_from([None, "overall", "safe", "well-led"]),
    st.sampled_from([None, *changes.LEVELS]),
    st.sampled_from([None, "Good", "Inadequate", "Inspected but not rated"]),
)


def told_by_history(ledger: Any, start: date, end: date, known_at: Any) -> list[dict[str, Any]]:
    """The changes `history` tells: its changes of rating, entry by entry, taken day by day; a
    cell whose rating at the end of a day after `start` differs from the day before's is credited
    to the last entry of that day whose history shows its rating changed."""
    rows = []
    for pid in PROVIDERS:
        recorded = list(ledger.entries_of(pid))
        name = status_at(recorded, pid, end, known_at).name
        ratings: dict[tuple[Any, ...], str | None] = {}
        for day, steps in groupby(history(recorded, until=end, known_at=known_at), key=lambda s: s.recorded.entry.on):
            before, by = dict(ratings), {}
            for step in steps:
                for c in step.changes:
                    key = (c["location_id"], c["service"], c["question"])
                    if c["kind"] in ("rating", "inheritance") and c["to"] != ratings.get(key):
                        ratings[key], by[key] = c["to"], step.recorded.ref
            if day > start:
                rows += [
                    {"provider_id": pid, "name": name, "location_id": key[0], "service": key[1], "question": key[2]}
                    | {"from": before.get(key), "to": ratings[key], "on": day.isoformat(), "ref": ref}
                    for key, ref in by.items()
                    if ratings[key] is not None and ratings[key] != before.get(key)
                ]
    return changes.in_order(rows)


def answer(run: Any, *args: str) -> Any:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout)


@pytest.mark.parametrize("store", STORES)
def test_counts_and_transitions_say_what_trusts_says_on_each_day(store: str, tmp_path_factory: Any) -> None:
    @settings(max_examples=EXAMPLES[store], deadline=None, suppress_health_check=list(HealthCheck))
    @given(plan=registers(), data=st.data())
    def check(plan: list[list[dict[str, Any]]], data: Any) -> None:
        with fresh_ledger(store, tmp_path_factory) as db:
            ledger, times = record_history(db, plan, data)
            ledger.close()
            run = runner_for(db)
            known_at = data.draw(st.sampled_from([None, *(t + timedelta(minutes=m) for t in times for m in (-1, 0))]), label="known_at")
            seen = ["--known-at", known_at.isoformat()] if known_at else []
            start, end = sorted((data.draw(days, label="from"), data.draw(days, label="to")))
            every = data.draw(st.sampled_from(["quarter", "year"]), label="every")
            period = ["--from", start.isoformat(), "--to", end.isoformat(), "--every", every, *seen]
            by_rating = answer(run, "counts", *period)
            by_regime = answer(run, "counts", *period, "--by", "special-measures")
            by_segment = answer(run, "counts", *period, "--by", "segment")
            for rating, regime, segment in zip(by_rating, by_regime, by_segment, strict=True):
                listed = answer(run, "trusts", "--at", rating["at"], *seen)
                overall = Counter(r["overall"] or "no rating" for r in listed)
                assert rating == {
                    "at": rating["at"],
                    "providers": len(listed),
                    **{k: overall[k] for k in rating if k not in ("at", "providers")},
                }
                assert regime["any"] == sum(r["in_special_measures"] for r in listed)
                assert regime["quality"] == sum("quality" in r["special_measures"] for r in listed)
                assert regime["providers"] == segment["providers"] == len(listed)
                segments = Counter(str(r["segment"]) if r["segment"] else "no segment" for r in listed)
                assert {k: v for k, v in segment.items() if k not in ("at", "providers")} == {
                    k: segments[k] for k in segment if k not in ("at", "providers")
                }
            moved = answer(run, "transitions", "--from", start.isoformat(), "--to", end.isoformat(), *seen)
            first = {r["provider_id"]: r["overall"] or "no rating" for r in answer(run, "trusts", "--at", start.isoformat(), *seen)}
            second = {r["provider_id"]: r["overall"] or "no rating" for r in answer(run, "trusts", "--at", end.isoformat(), *seen)}
            pairs = Counter((first[p], second[p]) for p in first.keys() & second.keys())
            assert {(a, b): n for a, row in moved["matrix"].items() for b, n in row.items() if n} == dict(pairs)
            assert moved["providers"] == sum(pairs.values())

    check()


@pytest.mark.parametrize("store", STORES)
def test_counts_and_transitions_of_another_question_say_what_status_says(store: str, tmp_path_factory: Any) -> None:
    """For a question other than overall (folded from the entries, not the headline facts), each
    number is what `status --at` says of the trust-level rating of each provider `trusts` lists."""

    @settings(max_examples=EXAMPLES[store] // 2, deadline=None, suppress_health_check=list(HealthCheck))
    @given(plan=registers(), data=st.data())
    def check(plan: list[list[dict[str, Any]]], data: Any) -> None:
        with fresh_ledger(store, tmp_path_factory) as db:
            ledger, times = record_history(db, plan, data)
            ledger.close()
            run = runner_for(db)
            known_at = data.draw(st.sampled_from([None, *(t + timedelta(minutes=m) for t in times for m in (-1, 0))]), label="known_at")
            seen = ["--known-at", known_at.isoformat()] if known_at else []
            start, end = sorted((data.draw(days, label="from"), data.draw(days, label="to")))
            question = data.draw(st.sampled_from(["safe", "well-led"]), label="question")

            def rated(day: str) -> dict[str, str]:
                listed = answer(run, "trusts", "--at", day, *seen)
                statuses = {r["provider_id"]: answer(run, "status", r["provider_id"], "--at", day, *seen) for r in listed}
                return {p: s["ratings"].get(question, {}).get("rating") or "no rating" for p, s in statuses.items()}

            period = ["--from", start.isoformat(), "--to", end.isoformat(), "--every", "year", "--question", question, *seen]
            for row in answer(run, "counts", *period):
                held = Counter(rated(row["at"]).values())
                assert row == {
                    "at": row["at"],
                    "providers": sum(held.values()),
                    **{k: held[k] for k in row if k not in ("at", "providers")},
                }
            moved = answer(run, "transitions", "--from", start.isoformat(), "--to", end.isoformat(), "--question", question, *seen)
            first, second = rated(start.isoformat()), rated(end.isoformat())
            pairs = Counter((first[p], second[p]) for p in first.keys() & second.keys())
            assert {(a, b): n for a, row in moved["matrix"].items() for b, n in row.items() if n} == dict(pairs)

    check()


@pytest.mark.parametrize("store", STORES)
def test_changes_of_services_blocks_from_the_views_equal_changes_by_replay(store: str, tmp_path_factory: Any) -> None:
    """`changes` from the views applies a service's block as the status fold does: a word that
    is not a rating, of a service inspected without a new rating, sets nothing; one another
    report set ends when the service is rated anew."""

    @settings(max_examples=BLOCK_EXAMPLES[store], deadline=None, suppress_health_check=list(HealthCheck))
    @given(plan=blocks(), data=st.data())
    def check(plan: list[list[dict[str, Any]]], data: Any) -> None:
        with fresh_ledger(store, tmp_path_factory) as db:
            ledger, _ = record_history(db, plan, data)
            start = data.draw(QUARTERS, label="from") - timedelta(days=1)
            end = data.draw(st.sampled_from([start + timedelta(days=200), date(2025, 12, 31)]), label="to")
            asked = changes.Asked(changes.Filters(), None, None)
            replayed = [row for pid in PROVIDERS for row in changes.changes(ledger.entries_of(pid), pid, start, end, None, asked)]
            from_views = changes.across(open_views(ledger), start, end, None, asked)
            assert from_views == changes.in_order(replayed)
            assert from_views == told_by_history(ledger, start, end, None)
            ledger.close()

    check()


@pytest.mark.parametrize("store", STORES)
@pytest.mark.parametrize(
    "rounds",
    [((0, 1), (1, None)), ((0, 1), (1, 2), (2, 3), (3, None))],
    ids=["one-then-the-rest", "one-at-a-time"],
)
def test_changes_from_the_views_equal_changes_by_replay(store: str, rounds: Any, tmp_path_factory: Any, monkeypatch: Any) -> None:
    """Read from the few latest entries before the period that settle the cells it sets (in
    rounds of one entry, then the rest; or one at a time), the changes are those of folding
    every entry of every provider, with or without a question, a level or a new rating asked."""
    monkeypatch.setattr(changes, "ROUNDS", rounds)

    @settings(max_examples=EXAMPLES[store], deadline=None, suppress_health_check=list(HealthCheck))
    @given(plan=registers(), data=st.data())
    def check(plan: list[list[dict[str, Any]]], data: Any) -> None:
        with fresh_ledger(store, tmp_path_factory) as db:
            ledger, times = record_history(db, plan, data)
            known_at = data.draw(st.sampled_from([None, *(t + timedelta(minutes=m) for t in times for m in (-1, 0))]), label="known_at")
            start, end = sorted((data.draw(days, label="from"), data.draw(days, label="to")))
            asked = data.draw(asked_changes, label="asked")
            replayed = [row for pid in PROVIDERS for row in changes.changes(ledger.entries_of(pid), pid, start, end, known_at, asked)]
            assert changes.across(open_views(ledger), start, end, known_at, asked) == changes.in_order(replayed)
            every = changes.Asked(changes.Filters(), None, None)
            assert changes.across(open_views(ledger), start, end, known_at, every) == told_by_history(ledger, start, end, known_at)
            ledger.close()

    check()
