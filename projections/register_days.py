"""The register over time: each provider's headline after every day on which it changed.

A headline holds what `trusts --at` shows of a provider on a day, and `on_register` says whether
`trusts --at` lists it. `moves` sweeps each provider's headline facts (see
`projections.register_facts`) once, in effect order, and yields its headline after each day on
which one of its facts took effect. A provider's headline on any day is then its latest move
on or before it, so a question over many days costs one pass over the facts and one step per
move, not a fold per provider per day: `at_days` for a few days (`transitions`), `tallies` for
a time series (`counts`), which keeps running totals and adds to them only what each move
changes.

The headline facts hold the trust's overall rating only; for another question at trust level,
`replayed_moves` sweeps each provider's entries with the status fold instead (slower, the same
answer).
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from itertools import groupby
from typing import NamedTuple

import orjson

from cqc_ledger.ledger.history import effective, in_effect_order, takes_effect
from cqc_ledger.ledger.records import Recorded
from cqc_ledger.projections import trusts
from cqc_ledger.projections.status import CellValue, Status, evolve, held_after
from cqc_ledger.projections.views import Fact


class Headline(NamedTuple):
    """A provider on a day: its name, type and region, the rating of the question asked at trust
    level, the regimes of special measures in force, its oversight segment, and whether it is on
    the register (registered by the day and not deregistered)."""

    provider_id: str
    name: str | None
    provider_type: str | None
    region: str | None
    rating: str | None
    regimes: tuple[str, ...]
    segment: int | None
    on_register: bool


Move = tuple[date, Headline]


def moves(facts: Iterable[Fact]) -> Iterator[Move]:
    """For each provider (in the order of `facts`, grouped by provider and in effect order), its
    headline at the end of each day on which one of its facts took effect."""
    for provider_id, own in groupby(facts, key=lambda f: f.provider_id):
        yield from _sweep(provider_id, own)


def _sweep(provider_id: str, facts: Iterable[Fact]) -> Iterator[Move]:
    name = provider_type = region = None
    overall: CellValue | None = None
    registered = gone = False
    regimes: dict[str, bool] = {}
    in_force: tuple[str, ...] = ()
    segment = None
    for day, same_day in groupby(facts, key=lambda f: f.on):
        for f in same_day:
            if f.topic == "name":
                name = f.value
            elif f.topic == "registered":
                registered = True
                held = orjson.loads(f.value)
                provider_type, region = held.get("provider_type"), held.get("region")
            elif f.topic == "deregistered":
                gone = True
            elif f.topic == "overall":  # folded as the status fold folds a cell
                overall = held_after(overall, CellValue(f.value, f.on, f.ref))
            elif f.topic == "regime":
                regimes[f.subject] = bool(orjson.loads(f.value)["entered"])
                in_force = tuple(sorted(r for r, entered in regimes.items() if entered))
            elif f.topic == "oversight":
                segment = orjson.loads(f.value)["segment"]
        on_register = name is not None and registered and not gone
        rating = overall.rating if overall else None
        yield day, Headline(provider_id, name, provider_type, region, rating, in_force, segment, on_register)


def replayed_moves(histories: Iterable[tuple[str, list[Recorded]]], known_at: datetime | None, question: str) -> Iterator[Move]:
    """As `moves`, with the trust-level rating of `question`, by folding each provider's entries
    as known at `known_at` once, noting its headline at the end of each day of an entry."""
    key = (None, None, question)
    for provider_id, recorded in histories:
        state = Status(provider_id)
        for day, same_day in groupby(in_effect_order(effective(recorded, known_at)), key=lambda r: takes_effect(r.entry)):
            for r in same_day:
                state = evolve(state, r)
            yield day, _headline(state, key)


def _headline(s: Status, key: tuple[None, None, str]) -> Headline:
    cell = s.cells.get(key)
    segment = s.oversight.value if s.oversight else None
    on_register = trusts.on_register(s)
    return Headline(
        s.provider_id,
        s.name,
        s.provider_type,
        s.region,
        cell.rating if cell else None,
        tuple(sorted(s.special_measures)),
        int(segment) if segment is not None else None,
        on_register,
    )


def at_days(found: Iterable[Move], days: Sequence[date]) -> dict[date, list[Headline]]:
    """The headlines of the providers on the register on each of `days`, by provider."""
    by_provider: dict[str, list[Move]] = {}
    for move in found:
        by_provider.setdefault(move[1].provider_id, []).append(move)
    out: dict[date, list[Headline]] = {day: [] for day in days}
    for own in by_provider.values():
        held = [day for day, _ in own]
        for day in days:
            i = bisect.bisect_right(held, day)
            if i and own[i - 1][1].on_register:
                out[day].append(own[i - 1][1])
    return out


Keys = Callable[[Headline], tuple[str, ...]]


def tallies(found: Iterable[Move], days: Sequence[date], keys: Keys) -> list[Counter[str]]:
    """For each of the ascending `days`, how many providers on the register count under each key
    (`keys` says which keys a provider's headline counts under; none: it is not counted).

    The moves are taken in order of day; each one takes its provider's old keys off the running
    totals and puts its new ones on, so the work is one step per move plus one copy per day."""
    held: dict[str, tuple[str, ...]] = {}
    totals: Counter[str] = Counter()
    ordered = sorted(found, key=lambda m: m[0])
    out, i = [], 0
    for day in days:
        while i < len(ordered) and ordered[i][0] <= day:
            _, h = ordered[i]
            i += 1
            now = keys(h) if h.on_register else ()
            was = held.get(h.provider_id, ())
            if now != was:
                totals.subtract(was)
                totals.update(now)
                held[h.provider_id] = now
        out.append(+totals)
    return out


__all__ = ["Headline", "Move", "at_days", "moves", "replayed_moves", "tallies"]
