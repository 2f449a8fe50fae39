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
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby
from typing import Any

from cqc_ledger.events.base import CellKey
from cqc_ledger.ledger.history import effective, in_effect_order
from cqc_ledger.ledger.records import Recorded
from cqc_ledger.projections.status import CellValue, Status, evolve
from cqc_ledger.projections.trusts import Filters

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


def changes(
    recorded: Iterable[Recorded], provider_id: str, start: date, end: date, known_at: datetime | None, asked: Asked
) -> list[dict[str, Any]]:
    """The provider's rating changes on the days after `start` up to `end`, as `changes --json` lists them."""
    history = [r for r in in_effect_order(effective(recorded, known_at)) if r.entry.on <= end]  # type: ignore[attr-defined]
    state = Status(provider_id)
    moved: list[tuple[date, CellKey, CellValue | None, CellValue]] = []
    for day, same_day in groupby(history, key=lambda r: r.entry.on):  # type: ignore[attr-defined]
        before = state.cells
        for r in same_day:
            state = evolve(state, r)
        if day > start:
            moved.extend((day, key, before.get(key), value) for key, value in state.cells.items() if _differs(before.get(key), value))
    if not asked.filters.keeps_provider(state.name, state.provider_type, state.region):
        return []
    return [_row(state, day, key, was, now) for day, key, was, now in moved if _kept(key, now, asked)]


def _differs(was: CellValue | None, now: CellValue) -> bool:
    return was is None or was.rating != now.rating


def _kept(key: CellKey, now: CellValue, asked: Asked) -> bool:
    return (
        (asked.question is None or key[2] == asked.question)
        and (asked.level is None or level_of(key) == asked.level)
        and (asked.filters.rating is None or now.rating == asked.filters.rating)
    )


def _row(state: Status, day: date, key: CellKey, was: CellValue | None, now: CellValue) -> dict[str, Any]:
    location_id, service, question = key
    return {
        "provider_id": state.provider_id,
        "name": state.name,
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
