"""What changed between two days: the status on each, compared, with the entries that changed it.

Each rating cell, special-measures regime, warning notice and the oversight segment is compared
on its own; renames, registrations and deregistrations between the days are listed. The entries
named for a change are those of the effective history (as known at the time asked) that took
effect after the first day and by the second and changed that thing.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import singledispatch
from typing import Any, cast

from cqc_ledger.events import continuity, enforcement, inspections, oversight, provider
from cqc_ledger.events.base import CellKey, Entry
from cqc_ledger.events.vocabulary import KEY_QUESTIONS, OVERALL, QUESTIONS
from cqc_ledger.ledger.history import effective, in_effect_order, takes_effect
from cqc_ledger.ledger.records import Recorded
from cqc_ledger.projections.aggregates import cell_order
from cqc_ledger.projections.status import CellValue, Notice, Since, Status, evolve, status_at


@dataclass(frozen=True)
class Change:
    """One thing that differs between the two days: its value on each (None: absent), and the refs."""

    subject: Hashable
    before: CellValue | Since | Notice | None
    after: CellValue | Since | Notice | None
    refs: tuple[str, ...]
    steps: tuple[tuple[str, date, str], ...] = ()  # (what happened, on, ref) between the days


@dataclass(frozen=True)
class Diff:
    """The differences in a provider's status between the end of `start` and the end of `end`."""

    before: Status
    after: Status
    start: date
    end: date
    changes: tuple[Change, ...]  # ratings that differ
    reaffirmed: tuple[Change, ...]  # ratings set again to the same word
    special_measures: tuple[Change, ...]
    warning_notices: tuple[Change, ...]
    oversight: Change | None
    register: tuple[Registration, ...] = ()  # registered, renamed or deregistered between the days
    inspected: tuple[Change, ...] = ()  # ratings standing, their area inspected without a new rating


@dataclass(frozen=True)
class Registration:
    """A change to the register between the days: the provider renamed or deregistered, a
    location registered or deregistered."""

    did: str  # "renamed", "deregistered", "location registered", "location deregistered"
    on: date
    ref: str
    location_id: str | None = None
    name: str | None = None
    successor_id: str | None = None


def diff(recorded: list[Recorded], provider_id: str, start: date, end: date, known_at: datetime | None = None) -> Diff:
    """How the provider's status at the end of `end` differs from that at the end of `start`."""
    before = status_at(recorded, provider_id, start, known_at)
    after = status_at(recorded, provider_id, end, known_at)
    # The entries that took effect between the days, in effect order (ordered once, used thrice).
    window = in_effect_order([r for r in effective(recorded, known_at) if start < takes_effect(r.entry) <= end])
    refs = refs_by_subject(before, window)
    cells = [_change(("cell", k), before.cells.get(k), after.cells.get(k), refs) for k in _keys(before, after)]
    found = [c for c in cells if c]
    regimes = sorted(set(before.special_measures) | set(after.special_measures) | {e.regime for e in _regime_entries(window)})
    notices = sorted(set(before.notices) | set(after.notices), key=lambda i: (_issued(i, before, after), i))
    same = [c for c in found if _rating(c.before) == _rating(c.after)]  # set again, or only inspected
    return Diff(
        before,
        after,
        start,
        end,
        changes=tuple(c for c in found if _rating(c.before) != _rating(c.after)),
        reaffirmed=tuple(c for c in same if _set_again(c)),
        inspected=tuple(c for c in same if not _set_again(c)),
        special_measures=_regime_changes(before, after, regimes, window, refs),
        warning_notices=_changes(((("notice", i), before.notices.get(i), after.notices.get(i)) for i in notices), refs),
        oversight=_change(("oversight",), before.oversight, after.oversight, refs),
        register=tuple(done for r in window if (done := _registration(r.entry, r.ref, after)) is not None),
    )


def _registration(entry: Entry, ref: str, after: Status) -> Registration | None:
    """What an entry between the days did to the register, if anything."""
    if isinstance(entry, provider.ProviderRenamed):
        return Registration("renamed", entry.on, ref, name=entry.name)
    if isinstance(entry, provider.ProviderDeregistered):
        return Registration("deregistered", entry.on, ref, successor_id=entry.successor_id)
    if isinstance(entry, provider.LocationRegistered):
        return Registration("location registered", entry.on, ref, location_id=entry.location_id, name=entry.name)
    if isinstance(entry, provider.LocationDeregistered):
        known = after.locations.get(entry.location_id)
        return Registration("location deregistered", entry.on, ref, location_id=entry.location_id, name=known.name if known else None)
    return None


def _regime_entries(window: list[Recorded]) -> list[oversight.SpecialMeasuresEntered | oversight.SpecialMeasuresExited]:
    return [r.entry for r in window if isinstance(r.entry, (oversight.SpecialMeasuresEntered, oversight.SpecialMeasuresExited))]


def _regime_changes(
    before: Status, after: Status, regimes: list[str], window: list[Recorded], refs: dict[Hashable, tuple[str, ...]]
) -> tuple[Change, ...]:
    """Each regime whose state differs between the days, or that was entered or left between them
    (a regime entered and left again in between is the same on both days, and still listed).
    `window` is in effect order."""
    out = []
    for regime in regimes:
        steps = tuple(
            ("entered" if isinstance(r.entry, oversight.SpecialMeasuresEntered) else "left", r.entry.on, r.ref)
            for r in window
            if isinstance(r.entry, (oversight.SpecialMeasuresEntered, oversight.SpecialMeasuresExited)) and r.entry.regime == regime
        )
        old, new = before.special_measures.get(regime), after.special_measures.get(regime)
        if old != new or steps:
            out.append(Change(("regime", regime), old, new, refs.get(("regime", regime), ()), steps))
    return tuple(out)


def refs_by_subject(before: Status, window: Iterable[Recorded]) -> dict[Hashable, tuple[str, ...]]:
    """For each thing diff compares (a cell, a regime, a notice, the oversight segment), the refs
    of the entries between the days that changed it, in effect order. The entries are folded on
    from the status on the first day, and one is named only where the fold changed what it
    `touches`: a report that left a service's block as it was (a key question's word that is not
    a rating, its service inspected without a new rating) or a revision of a service's overall
    (its key questions stay their report's) changed those key questions nothing."""
    found: dict[Hashable, list[str]] = {}
    state = before
    for r in window:
        then, state = state, evolve(state, r)
        for subject in touches(r.entry):
            if _value(then, subject) != _value(state, subject):
                found.setdefault(subject, []).append(r.ref)
    return {subject: tuple(refs) for subject, refs in found.items()}


def _value(status: Status, subject: Hashable) -> object:
    """What the status holds of one subject of `touches`."""
    kind, *key = cast(tuple[Any, ...], subject)
    if kind == "cell":
        return status.cells.get(key[0])
    if kind == "regime":
        return status.special_measures.get(key[0])
    if kind == "notice":
        return status.notices.get(key[0])
    return status.oversight


@singledispatch
def touches(entry: Entry) -> tuple[Hashable, ...]:
    """What an entry may change, as diff compares it (`refs_by_subject` keeps what it did change);
    nothing for the entry types it does not compare."""
    return ()


@touches.register(inspections.ReportPublished)
def _(entry: inspections.ReportPublished) -> tuple[Hashable, ...]:
    return _cells_and_blocks([cell.key for cell in entry.ratings])


@touches.register(inspections.RatingRevised)
def _(entry: inspections.RatingRevised) -> tuple[Hashable, ...]:
    return _cells_and_blocks([entry.cell.key])


@touches.register(continuity.RatingsInherited)
def _(entry: continuity.RatingsInherited) -> tuple[Hashable, ...]:
    return _cells_and_blocks([cell.key for cell in entry.ratings])


def _cells_and_blocks(keys: list[CellKey]) -> tuple[Hashable, ...]:
    """The cells an entry may set, and the key questions of each service whose overall it sets (a
    service rated anew keeps no word that is not a rating another entry set: `status.settled`)."""
    rated = [(key[0], key[1]) for key in keys if key[1] is not None and key[2] == OVERALL]
    block = [(*place, question) for place in rated for question in KEY_QUESTIONS]
    return tuple(("cell", key) for key in dict.fromkeys([*keys, *block]))


@touches.register(continuity.ServiceSuperseded)
def _(entry: continuity.ServiceSuperseded) -> tuple[Hashable, ...]:
    """Every cell of the service at its place: from that day none of them stands there."""
    return tuple(("cell", (entry.location_id, entry.service, question)) for question in QUESTIONS)


@touches.register(oversight.SpecialMeasuresEntered)
@touches.register(oversight.SpecialMeasuresExited)
def _(entry: oversight.SpecialMeasuresEntered | oversight.SpecialMeasuresExited) -> tuple[Hashable, ...]:
    return (("regime", entry.regime),)


@touches.register(enforcement.WarningNoticeIssued)
@touches.register(enforcement.WarningNoticeAssessed)
def _(entry: enforcement.WarningNoticeIssued | enforcement.WarningNoticeAssessed) -> tuple[Hashable, ...]:
    return (("notice", entry.notice_id),)


@touches.register(oversight.OversightSegmentChanged)
def _(entry: oversight.OversightSegmentChanged) -> tuple[Hashable, ...]:
    return (("oversight",),)


def _keys(before: Status, after: Status) -> list[CellKey]:
    return sorted(set(before.cells) | set(after.cells), key=cell_order)


def _change(subject: Hashable, before: object, after: object, refs: dict[Hashable, tuple[str, ...]]) -> Change | None:
    if before == after:
        return None
    return Change(subject, before, after, refs.get(subject, ()))  # type: ignore[arg-type]


def _changes(triples: Iterable[tuple[Hashable, object, object]], refs: dict[Hashable, tuple[str, ...]]) -> tuple[Change, ...]:
    return tuple(c for c in (_change(s, b, a, refs) for s, b, a in triples) if c)


def _rating(value: object) -> str | None:
    return value.rating if isinstance(value, CellValue) else None


def _set_again(c: Change) -> bool:
    """Whether an entry between the days set the cell again (the same word published again), as
    against the status fold marking it only: "Inspected but not rated" over a rating leaves the
    rating, its day and its entry as they were (projections/status.py, `held_after`)."""
    before, after = c.before, c.after
    assert isinstance(before, CellValue) and isinstance(after, CellValue)
    return (before.since, before.ref) != (after.since, after.ref)


def _issued(notice_id: str, before: Status, after: Status) -> date:
    notice = after.notices.get(notice_id) or before.notices[notice_id]
    return notice.issued_on
