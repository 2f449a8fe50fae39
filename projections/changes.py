"""What changed across the register: `changes`, every rating cell whose value changed in a
period, with the day, the entry that changed it, and the value before and after.

Each provider's status is folded (the reference fold, `projections.status`) up to the first day,
then on through the period day by day: a cell changed on a day when its rating at the end of the
day differs from its rating at the end of the day before. A first rating is a change from
nothing; a report that republishes a rating unchanged is not a change, nor is "Inspected but not
rated" over a rating, nor a correction that leaves the value as it was.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from itertools import groupby
from types import MappingProxyType
from typing import Any

from cqc_ledger.events.base import CellKey
from cqc_ledger.ledger.history import effective, in_effect_order
from cqc_ledger.ledger.records import Recorded
from cqc_ledger.projections import register_facts
from cqc_ledger.projections.register_facts import Rated
from cqc_ledger.projections.status import INSPECTED_NOT_RATED, CellValue, Status, evolve, settled
from cqc_ledger.projections.trusts import Filters
from cqc_ledger.projections.views import Views

LEVELS = ("trust", "location", "service")
COLUMNS = ("provider_id", "name", "location_id", "service", "question", "from", "to", "on", "ref")


@dataclass(frozen=True)
class Asked:
    """What `changes` keeps: the filters of the register, a question and a level."""

    filters: Filters = field(default_factory=Filters)
    question: str | None = None
    level: str | None = None


def level_of(key: CellKey) -> str:
    location_id, service, _ = key
    return "service" if service else "location" if location_id else "trust"


Move = tuple[date, CellKey, "CellValue | None", CellValue]


@dataclass(frozen=True)
class Who:
    """What the filters ask of a provider: its name, type and region (on the last day)."""

    name: str | None
    provider_type: str | None
    region: str | None


def changes(
    recorded: Iterable[Recorded], provider_id: str, start: date, end: date, known_at: datetime | None, asked: Asked
) -> list[dict[str, Any]]:
    """The provider's rating changes on the days after `start` up to `end`, as `changes --json`
    lists them: the reference, folding every entry of the provider."""
    history = [r for r in in_effect_order(effective(recorded, known_at)) if r.entry.on <= end]  # type: ignore[attr-defined]
    state, moved = moves(history, provider_id, start)
    return rows_of(provider_id, Who(state.name, state.provider_type, state.region), moved, asked)


def moves(history: list[Recorded], provider_id: str, start: date) -> tuple[Status, list[Move]]:
    """The status at the end of the history (in effect order) and each cell's change of rating
    on a day after `start`: the cells at the end of each day against the end of the day before."""
    state = Status(provider_id)
    moved: list[Move] = []
    for day, same_day in groupby(history, key=lambda r: r.entry.on):  # type: ignore[attr-defined]
        before = state.cells
        for r in same_day:
            state = evolve(state, r)
        if day > start:
            moved.extend((day, key, before.get(key), value) for key, value in state.cells.items() if _differs(before.get(key), value))
    return state, moved


def rows_of(provider_id: str, who: Who, moved: list[Move], asked: Asked) -> list[dict[str, Any]]:
    """The changes `asked` keeps, as rows."""
    if not asked.filters.keeps_provider(who.name, who.provider_type, who.region):
        return []
    return [_row(provider_id, who.name, day, key, was, now) for day, key, was, now in moved if _kept(key, now, asked)]


# ---- from part of a history, read from the views ------------------------------------------


def settled_by(before: list[Rated], keys: set[CellKey]) -> bool:
    """Whether the latest entries `before` a period decide what each of `keys` held when it
    began, whatever came earlier: each key was set since by a value that replaces any (not
    "Inspected but not rated", which may leave an earlier rating standing)."""
    settled = {key for r in before for key, rating in r.cells if rating != INSPECTED_NOT_RATED}
    return keys <= settled


def touched(window: list[Rated]) -> set[CellKey] | None:
    """The cells a period's entries set; None when one of them retires a service (then every
    cell of that place may change, and the whole history is read)."""
    if any(r.kind == "ServiceSuperseded" for r in window):
        return None
    return {key for r in window for key, _ in r.cells}


def rated_moves(rated: list[Rated], provider_id: str, start: date) -> list[Move]:
    """As `moves`, over entries read as `Rated`: each sets its cells as the status fold does
    (`settled`), and a retired service's cells leave its place."""
    state = Status(provider_id)
    moved: list[Move] = []
    for day, same_day in groupby(rated, key=lambda r: r.on):
        before = state.cells
        for r in same_day:
            state = _set(state, r, f"{provider_id}/{r.position}")
        if day > start:
            moved.extend((day, key, before.get(key), value) for key, value in state.cells.items() if _differs(before.get(key), value))
    return moved


def _set(state: Status, r: Rated, ref: str) -> Status:
    if r.kind == "ServiceSuperseded":
        place = (r.body.get("location_id"), r.body["service"])
        return replace(state, cells=MappingProxyType({k: v for k, v in state.cells.items() if k[:2] != place}))
    return settled(state, [(key, CellValue(rating, r.on, ref)) for key, rating in r.cells])


def _differs(was: CellValue | None, now: CellValue) -> bool:
    return was is None or was.rating != now.rating


def _kept(key: CellKey, now: CellValue, asked: Asked) -> bool:
    return (
        (asked.question is None or key[2] == asked.question)
        and (asked.level is None or level_of(key) == asked.level)
        and (asked.filters.rating is None or now.rating == asked.filters.rating)
    )


def _row(provider_id: str, name: str | None, day: date, key: CellKey, was: CellValue | None, now: CellValue) -> dict[str, Any]:
    location_id, service, question = key
    return {
        "provider_id": provider_id,
        "name": name,
        "location_id": location_id,
        "service": service,
        "question": question,
        "from": was.rating if was else None,
        "to": now.rating,
        "on": day.isoformat(),
        "ref": now.ref,
    }


def in_order(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Changes by day, then provider, then place and question."""
    return sorted(rows, key=lambda r: (r["on"], r["provider_id"], r["location_id"] or "", r["service"] or "", r["question"]))


def changes_text(rows: list[dict[str, Any]], start: date, end: date) -> str:
    """One line per change: day, ref, provider, place and question, from and to."""
    if not rows:
        return f"No rating changed after {start} up to {end}."
    lines = []
    for r in rows:
        where = " ".join(p for p in (r["location_id"], r["service"]) if p) or "trust"
        lines.append(
            f"{r['on']}  {r['ref']:<10} {r['provider_id']:<8} {where} {r['question']}: {r['from'] or '-'} -> {r['to']}   ({r['name']})"
        )
    lines.append(f"{len(rows)} change{'s' if len(rows) != 1 else ''} after {start} up to {end}.")
    return "\n".join(lines)


# ---- across the register, from the views ------------------------------------------------------

BACK = 6  # of each provider's entries before the period, how many are read first


def across(views: Views, start: date, end: date, known_at: datetime | None, asked: Asked) -> list[dict[str, Any]]:
    """Every provider's rating changes after `start` up to `end`, as known at `known_at`.

    Only the providers whose ratings were set in the period are folded, each from the latest
    few entries before it that settle every cell the period sets (all of its entries when those
    few do not), so a year costs the year's reports and the ones just before, not all history.
    """
    window = register_facts.rated_in(views, start, end, known_at)
    before = register_facts.rated_before(views, start, known_at, latest=BACK)
    names = register_facts.who(views, end, known_at)
    rows: list[dict[str, Any]] = []
    for provider_id, during in window.items():
        about = Who(*names.get(provider_id, (None, None, None)))
        if not asked.filters.keeps_provider(about.name, about.provider_type, about.region):
            continue
        earlier, keys = before.get(provider_id, []), touched(during)
        if keys is None or (len(earlier) >= BACK and not settled_by(earlier, keys)):
            earlier = register_facts.rated_before(views, start, known_at, provider_id=provider_id).get(provider_id, [])
        moved = rated_moves(earlier + during, provider_id, start)
        rows.extend(rows_of(provider_id, about, moved, asked))
    return in_order(rows)
