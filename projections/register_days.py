"""The register on many days at once: each provider's headline on each day asked, in one pass.

`headlines_on` sweeps each provider's headline facts (see `projections.register_facts`) in effect
order once, noting the headline at each day asked, so a time series of ten years by month costs
one pass over the facts rather than a fold per provider per month. A headline holds what `trusts
--at` shows of a provider on that day, and `on_register` says whether `trusts --at` lists it.

The headline facts hold the trust's overall rating only; for another question at trust level,
`replayed` sweeps each provider's entries with the status fold instead (slower, the same answer).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from itertools import groupby
from typing import NamedTuple

import orjson

from cqc_ledger.ledger.history import effective, in_effect_order
from cqc_ledger.ledger.records import Recorded
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


def headlines_on(facts: Iterable[Fact], days: Sequence[date]) -> Iterator[tuple[date, Headline]]:
    """For each provider (in the order of `facts`, grouped by provider and in effect order) and
    each of the ascending `days`, its headline at the end of that day."""
    for provider_id, own in groupby(facts, key=lambda f: f.provider_id):
        yield from _sweep(provider_id, list(own), days)


def _sweep(provider_id: str, facts: list[Fact], days: Sequence[date]) -> Iterator[tuple[date, Headline]]:
    name = provider_type = region = None
    overall: CellValue | None = None
    registered = gone = False
    regimes: dict[str, bool] = {}
    in_force: tuple[str, ...] = ()
    segment = None
    i = 0
    for day in days:
        while i < len(facts) and facts[i].on <= day:
            f = facts[i]
            i += 1
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


def replayed(
    histories: Iterable[tuple[str, list[Recorded]]], days: Sequence[date], known_at: datetime | None, question: str
) -> Iterator[tuple[date, Headline]]:
    """As `headlines_on`, with the trust-level rating of `question`, by folding each provider's
    entries as known at `known_at` once, noting its status at each of the ascending `days`."""
    key = (None, None, question)
    for provider_id, recorded in histories:
        history = in_effect_order(effective(recorded, known_at))
        state, i = Status(provider_id), 0
        for day in days:
            while i < len(history) and history[i].entry.on <= day:  # type: ignore[attr-defined]
                state, i = evolve(state, history[i]), i + 1
            yield day, _headline(state, key)


def _headline(s: Status, key: tuple[None, None, str]) -> Headline:
    cell = s.cells.get(key)
    segment = s.oversight.value if s.oversight else None
    on_register = s.name is not None and s.deregistered is None
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


def by_day(found: Iterable[tuple[date, Headline]]) -> dict[date, list[Headline]]:
    """The headlines of the providers on the register, day by day."""
    out: dict[date, list[Headline]] = {}
    for day, headline in found:
        if headline.on_register:
            out.setdefault(day, []).append(headline)
    return out


def sorted_days(days: Iterable[date]) -> list[date]:
    return sorted(set(days))


__all__ = ["Headline", "by_day", "headlines_on", "sorted_days"]
