"""A provider's history as it counts: corrections and retractions applied, as known at a time.

Both sides use this: the rules decide against the history as it stands now; the projections
answer `--known-at` by applying only what had been recorded by then.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, timedelta

from cqc_ledger.ledger.records import Recorded, parse_ref

# A provider or location is on the register through its deregistration day and off it from the
# next: a deregistration takes effect the day after its `on` (the rules accept entries dated on
# it). Every read that asks "by the end of D" asks it through `takes_effect`, and the views' SQL
# through `schema.DEREGISTERED_BY` (and the interval views' own ends). The deregistrations are
# known by their types' names (each type's own, `events.ENTRY_TYPES`), so that this module loads
# without the provider family's types: a command that folds no entry (`trusts`) never makes them.
# The mending types (`corrections.MENDING`) are imported where a history is mended, for the same
# reason: any entry there was made already, and its family with it.
DEREGISTRATIONS = frozenset(("ProviderDeregistered", "LocationDeregistered"))
AFTER_ITS_DAY = timedelta(days=1)


def takes_effect(entry: object) -> date:
    """The first day an entry counts in a status at the end of a day: its `on`, but a
    deregistration's the day after."""
    on: date = entry.on  # type: ignore[attr-defined]
    return on + AFTER_ITS_DAY if type(entry).__name__ in DEREGISTRATIONS else on


def effective(recorded: Iterable[Recorded], known_at: datetime | None = None) -> list[Recorded]:
    """The entries that count, in recording order.

    Only what was recorded by `known_at` is seen. Of the corrections and retractions seen, the
    latest for each target decides it: a retracted entry is dropped, a corrected one is replaced
    by its replacement (keeping its own ref and time). Corrections and retractions themselves
    are not entries of the history: they only mend it.
    """
    from cqc_ledger.events.corrections import MENDING, EntryCorrected  # here: see above

    seen = [r for r in recorded if known_at is None or r.recorded_at <= known_at]
    fate: dict[int, Recorded] = {}
    for r in seen:
        if isinstance(r.entry, MENDING):
            fate[parse_ref(r.entry.ref)[1]] = r
    history = []
    for r in seen:
        if isinstance(r.entry, MENDING):
            continue
        mended = fate.get(r.position)
        if mended is None:
            history.append(r)
        elif isinstance(mended.entry, EntryCorrected):
            history.append(replace(r, entry=mended.entry.replacement))
    return history


def in_effect_order(history: Iterable[Recorded]) -> list[Recorded]:
    """Entries in the order they took effect: by the day they take effect (`takes_effect`),
    then by recording."""
    return sorted(history, key=lambda r: (takes_effect(r.entry), r.position))


def mended_by(recorded: Iterable[Recorded], known_at: datetime | None = None) -> dict[int, list[Recorded]]:
    """For each position, the corrections and retractions of it seen by `known_at`, oldest first."""
    from cqc_ledger.events.corrections import MENDING  # here: see above

    found: dict[int, list[Recorded]] = {}
    for r in recorded:
        if isinstance(r.entry, MENDING) and (known_at is None or r.recorded_at <= known_at):
            found.setdefault(parse_ref(r.entry.ref)[1], []).append(r)
    return found
