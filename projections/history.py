"""A provider's history: every entry in effect order, with the cells it changed, from and to."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from cqc_ledger.events.corrections import MENDING
from cqc_ledger.ledger.history import effective, in_effect_order, mended_by
from cqc_ledger.ledger.records import Recorded
from cqc_ledger.projections import what_changed
from cqc_ledger.projections.status import Status, evolve


@dataclass(frozen=True)
class Step:
    """One entry of the history: the entry as it counts (a correction's replacement), whether it
    was retracted, what it changed in the status, and the mends of it seen by the time asked."""

    recorded: Recorded
    retracted: bool
    changes: list[dict[str, Any]]
    mended_by: tuple[Recorded, ...] = ()


def history(
    recorded: Iterable[Recorded], *, since: date | None = None, until: date | None = None, known_at: datetime | None = None
) -> list[Step]:
    """Each entry in effect order (`on`, then recording), between `since` and `until`.

    Each entry's `changes` compare the status just before it with the status just after it (the
    status fold), as structured changes of every kind (projections/what_changed.py): ratings, so
    a report that republishes a rating unchanged shows no change for that cell, and names,
    registrations, locations, special measures, notices, enforcement, oversight, supersessions and
    inheritances. An entry that was corrected is its replacement, with the corrections as
    `mended_by`; one that was retracted stays in its place, marked `retracted`, having changed
    nothing. `projections.output.history` shapes them as `history --json` and its text.
    """
    recorded = list(recorded)
    mends = mended_by(recorded, known_at)
    counted = effective(recorded, known_at)
    counting = {r.position for r in counted}
    withdrawn = [r for r in recorded if r.position in mends and r.position not in counting and not isinstance(r.entry, MENDING)]
    state = Status(recorded[0].entry.provider_id if recorded else "")
    out = []
    for r in in_effect_order([*counted, *withdrawn]):
        retracted = r.position not in counting
        changes: list[dict[str, Any]] = []
        if not retracted:
            before, state = state, evolve(state, r)
            changes = what_changed.changes(before, state)
        on = r.entry.on  # type: ignore[attr-defined]
        if (since is None or on >= since) and (until is None or on <= until):
            out.append(Step(r, retracted, changes, tuple(mends.get(r.position, ()))))
    return out
