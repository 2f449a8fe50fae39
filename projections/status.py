"""A provider's status on a day: the fold of its entries in effect by then, as known at a time.

This fold is the reference: the fast views are held equal to it. It is written to be obviously
right: take the effective history as known at `known_at`, keep the entries with `on` <= the day,
put them in effect order (`on`, then recording), and apply each with `evolve`.

What a rating cell holds follows the contract's meaning (section 2): a report replaces only the
cells it lists; "Inspected but not rated" over a rating (Outstanding to Inadequate) leaves the
rating standing and marks the area inspected that day; a service's words that are not ratings go
with its rating, as one block (`settled`); a superseded service's cells no longer stand at its
place; inherited cells stand as if published on their own days, marked inherited.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import reduce, singledispatch
from types import MappingProxyType
from typing import TYPE_CHECKING

import msgspec

from cqc_ledger.events.base import CellKey, Entry
from cqc_ledger.events.vocabulary import KEY_QUESTIONS, OVERALL, merit
from cqc_ledger.ledger.history import effective, in_effect_order, takes_effect
from cqc_ledger.ledger.records import Recorded, format_time
from cqc_ledger.projections.handlers import ByName

if TYPE_CHECKING:
    from cqc_ledger.events import continuity, enforcement, inspections, oversight, provider

INSPECTED_NOT_RATED = "Inspected but not rated"
Place = tuple[str | None, str]  # (location, service): where a service is rated


class CellValue(msgspec.Struct, frozen=True):
    """A rating as it stands: its value, the day the entry that last set it took effect, that
    entry, and the first day of the unbroken run of this same value.

    `since` is the day of the report (or revision) that last set the cell, as the contract has
    it; `unchanged_since` is the day the cell came to hold this value and has held it since:
    re-publishing the same word does not break the run. A value that starts a run (the default)
    has `unchanged_since` equal to `since`; `held_after` carries a run on.

    `inherited` marks a rating taken over from a predecessor (`inherited_from`: the location or
    provider it came from, where known). `inspected_on`/`inspected_ref`: the latest day the area
    was inspected without a new rating ("Inspected but not rated" over this rating), if any.

    A msgspec structure rather than a dataclass: folds make one or two for every cell of every
    report they fold, and a structure is made several times faster.
    """

    rating: str
    since: date
    ref: str
    unchanged_since: date = None  # type: ignore[assignment]  # None: a new run, from `since`
    inherited: bool = False
    inherited_from: str | None = None
    inspected_on: date | None = None
    inspected_ref: str | None = None

    def __post_init__(self) -> None:
        if self.unchanged_since is None:
            msgspec.structs.force_setattr(self, "unchanged_since", self.since)


def held_after(previous: CellValue | None, value: CellValue) -> CellValue:
    """The value a cell holds when `value` is set over `previous`: the same word carries on the
    run (its `unchanged_since` stays), any other word starts a new one; "Inspected but not rated"
    over a rating (Outstanding to Inadequate) is no new value: the rating stands, marked with the
    day the area was inspected."""
    if value.rating == INSPECTED_NOT_RATED and previous is not None and merit(previous.rating) is not None:
        return msgspec.structs.replace(previous, inspected_on=value.since, inspected_ref=value.ref)
    if previous is not None and previous.rating == value.rating:
        return _run_since(value, previous.unchanged_since)
    # A new value as callers make it already starts its run: no copy (this runs for every cell folded).
    return value if value.unchanged_since == value.since else _run_since(value, value.since)


def rerated(previous: CellValue | None, value: CellValue | None) -> bool:
    """Whether a cell's rating differs from `previous` to `value` (None: no rating): the one rule
    by which a change of rating is credited. `history` shows it at the entry after which the
    cell's rating differs from the one before; `changes` credits a day's change to the last entry
    of that day after which it differs, the entry from which the new rating stood (of two reports
    of one day giving a cell the same new rating, the first in effect order: the second
    republishes it unchanged)."""
    return (previous.rating if previous else None) != (value.rating if value else None)


def _run_since(value: CellValue, day: date) -> CellValue:
    """`value` in a run unchanged since `day` (built directly, as this runs for most cells folded)."""
    return CellValue(
        value.rating, value.since, value.ref, day, value.inherited, value.inherited_from, value.inspected_on, value.inspected_ref
    )


@dataclass(frozen=True)
class Superseded:
    """A service CQC retired at a place: from `on` (by entry `ref`) the services `by` carry on."""

    on: date
    ref: str
    by: tuple[str, ...]


@dataclass(frozen=True)
class Location:
    name: str
    registered_on: date
    deregistered_on: date | None = None


@dataclass(frozen=True)
class Notice:
    notice_id: str
    section: str
    issued_on: date
    deadline: date | None
    ref: str
    location_id: str | None = None
    service: str | None = None
    status: str = "open"
    closed_on: date | None = None
    closed_ref: str | None = None
    source: str | None = field(default=None, compare=False)  # where it was published, for `explain`: not what the notice is


@dataclass(frozen=True)
class Since:
    """A state entered on a day by an entry (a regime of special measures, an oversight segment)."""

    since: date
    ref: str
    value: str | int | None = None
    framework: str | None = None


@dataclass(frozen=True)
class Status:
    """Everything the ledger says of a provider on one day."""

    provider_id: str
    name: str | None = None
    provider_type: str | None = None
    region: str | None = None
    registered_on: date | None = None
    deregistered: Since | None = None
    locations: Mapping[str, Location] = field(default_factory=lambda: MappingProxyType({}))
    cells: Mapping[CellKey, CellValue] = field(default_factory=lambda: MappingProxyType({}))
    superseded: Mapping[Place, Superseded] = field(default_factory=lambda: MappingProxyType({}))
    special_measures: Mapping[str, Since] = field(default_factory=lambda: MappingProxyType({}))
    oversight: Since | None = None
    notices: Mapping[str, Notice] = field(default_factory=lambda: MappingProxyType({}))
    enforcement: tuple[Recorded, ...] = ()
    last_inspection: Recorded | None = None
    last_report: Recorded | None = None
    entries: int = field(default=0, compare=False)
    # The deregistrations dated the status's own day, of the provider (None) and of its locations:
    # its last day on the register, so nothing of them is folded yet (`takes_effect`), but the
    # status says they are recorded (`leaving_on`).
    leaving: Mapping[str | None, Since] = field(default_factory=lambda: MappingProxyType({}))


def status_at(recorded: Iterable[Recorded], provider_id: str, at: date, known_at: datetime | None = None) -> Status:
    """The provider's status at the end of `at`, from what was recorded by `known_at`."""
    history = [r for r in effective(recorded, known_at) if r.entry.on <= at]  # type: ignore[attr-defined]
    return status_of(in_effect_order(history), provider_id, at)


def status_of(history: Iterable[Recorded], provider_id: str, at: date) -> Status:
    """The fold itself: the status at the end of `at` after the entries in effect by then (mends
    applied, `on` <= `at`), given in effect order; of them, a deregistration dated `at` is not
    folded (`takes_effect`: a provider or location is on the register through its deregistration
    day), only noted as `leaving`. The views call this too, with the same entries read from their
    rows, so they answer as replay does by construction.

    Only the last status of this fold is seen, so the fold owns its cells: each report writes
    into them rather than copying every cell the provider has (which made a provider's fold
    grow with the square of its history); the status it returns holds them read-only."""
    from cqc_ledger.events.provider import LocationDeregistered, ProviderDeregistered  # here: see `_apply`

    leaving: dict[str | None, Since] = {}

    def in_effect() -> Iterable[Recorded]:
        for r in history:
            if takes_effect(r.entry) <= at:
                yield r
            elif isinstance(r.entry, ProviderDeregistered):
                leaving[None] = Since(r.entry.on, r.ref, r.entry.successor_id)
            elif isinstance(r.entry, LocationDeregistered):
                leaving[r.entry.location_id] = Since(r.entry.on, r.ref)

    state = reduce(evolve, in_effect(), Status(provider_id, cells=_Owned()))
    return _with(state, cells=MappingProxyType(dict(state.cells)), leaving=MappingProxyType(leaving))


def leaving_on(status: Status, location_id: str | None = None) -> Since | None:
    """The provider's (None) or a location's deregistration dated the status's own day, if one is
    recorded: on the register through that day, off it from the next."""
    return status.leaving.get(location_id)


class _Owned(dict):
    """Cells that one fold made and only its next status will hold: `settled` writes into them."""


def standing(status: Status, key: CellKey) -> CellValue | None:
    """The rating of the cell `key` in force at the status's day: none once the provider is
    deregistered, none at a location deregistered by then (from the day after its deregistration
    day: `takes_effect`). The status keeps those cells (it shows a deregistered place apart, as
    it stood), but they are no longer in force: the analysts' `rating_intervals` end them the day
    after the deregistration day, and what judges or explains
    a rating in force reads them through this."""
    if status.deregistered is not None or not location_in_force(status, key[0]):
        return None
    return status.cells.get(key)


def in_force(status: Status) -> dict[CellKey, CellValue]:
    """Every cell in force at the status's day (see `standing`)."""
    if status.deregistered is not None:
        return {}
    return {key: value for key, value in status.cells.items() if location_in_force(status, key[0])}


def location_in_force(status: Status, location_id: str | None) -> bool:
    """Whether a place is not deregistered by the status's day (the trust's own, None, always;
    a location the status does not know, too: its cells name it without a registration)."""
    where = status.locations.get(location_id) if location_id is not None else None
    return where is None or where.deregistered_on is None


def not_registered_by(recorded: Iterable[Recorded], provider_id: str, at: date, known_at: datetime | None = None) -> str:
    """Why the provider has no status at the end of `at` as known at `known_at`, in a sentence:
    nothing of it recorded by then, or its registration later than the day."""
    recorded = list(recorded)
    seen = effective(recorded, known_at)
    if not seen:
        return _nothing_by(recorded, provider_id, known_at)
    from cqc_ledger.events.provider import ProviderRegistered  # here: see `_apply`

    registration = next((r for r in seen if isinstance(r.entry, ProviderRegistered)), None)
    if registration is None:
        return f"{provider_id} has no registration in the ledger as known then: record its ProviderRegistered entry"
    return f"{provider_id} was not registered on {at}: it was registered on {registration.entry.on} ({registration.ref})"  # type: ignore[attr-defined]


def unknown_by(recorded: list[Recorded], provider_id: str, known_at: datetime | None) -> str | None:
    """Why nothing can be told of the provider as known at `known_at`, in the sentence `status`
    says it: nothing of it had been recorded by then (None when something had)."""
    if known_at is None or effective(recorded, known_at):
        return None
    return _nothing_by(recorded, provider_id, known_at)


def _nothing_by(recorded: list[Recorded], provider_id: str, known_at: datetime | None) -> str:
    first = format_time(recorded[0].recorded_at) if recorded else "no time"
    return f"nothing of {provider_id} had been recorded by {format_time(known_at) if known_at else 'now'} (its first entry was recorded at {first})"


def _with(state: Status, **changes: object) -> Status:
    """`state` with `changes`, as `dataclasses.replace` makes it but without its checks (a Status
    has every field in `__init__` and no `__post_init__`), at a fraction of the cost: the fold
    makes two or three for every entry it folds."""
    changed = object.__new__(Status)
    changed.__dict__.update(state.__dict__, **changes)
    return changed


def evolve(state: Status, recorded: Recorded) -> Status:
    """The status after one more entry took effect."""
    return _with(_apply(recorded.entry, state, recorded), entries=state.entries + 1)


# Each handler is registered with its type named, not read from its annotations: reading them
# evaluates every handler's annotations as the module loads, some milliseconds of every command's
# start. Named by its name (`ByName`), registered when the fold first meets an entry: a command that
# folds none (`trusts`) starts without the entry types.
@singledispatch
def _apply(entry: Entry, state: Status, recorded: Recorded) -> Status:
    if _handles.register():
        return _apply(entry, state, recorded)
    raise TypeError(f"no status handler for {entry.type_name}")


_handles = ByName(_apply)


@_handles("ProviderRegistered")
def _(entry: provider.ProviderRegistered, state: Status, recorded: Recorded) -> Status:
    return _with(state, name=entry.name, provider_type=entry.provider_type, region=entry.region, registered_on=entry.on)


@_handles("ProviderRenamed")
def _(entry: provider.ProviderRenamed, state: Status, recorded: Recorded) -> Status:
    return _with(state, name=entry.name)


@_handles("ProviderDeregistered")
def _(entry: provider.ProviderDeregistered, state: Status, recorded: Recorded) -> Status:
    return _with(state, deregistered=Since(entry.on, recorded.ref, entry.successor_id))


@_handles("LocationRegistered")
def _(entry: provider.LocationRegistered, state: Status, recorded: Recorded) -> Status:
    location = Location(entry.name, entry.on)
    return _with(state, locations=MappingProxyType({**state.locations, entry.location_id: location}))


@_handles("LocationDeregistered")
def _(entry: provider.LocationDeregistered, state: Status, recorded: Recorded) -> Status:
    known = state.locations.get(entry.location_id) or Location(entry.location_id, entry.on)
    location = replace(known, deregistered_on=entry.on)
    return _with(state, locations=MappingProxyType({**state.locations, entry.location_id: location}))


@_handles("InspectionCarriedOut")
def _(entry: inspections.InspectionCarriedOut, state: Status, recorded: Recorded) -> Status:
    return _with(state, last_inspection=recorded)


def settled(state: Status, values: Iterable[tuple[CellKey, CellValue]], *, block: bool = True) -> Status:
    """The status with cells set: each replaces what its cell held, except that "Inspected but
    not rated" over a rating leaves the rating and marks the day; a service set again at a place
    is no longer superseded there. A service's ratings are one block, as CQC shows them: a word
    that is not a rating sets none of the key questions of a service the entry inspected without
    a new rating (`inspected_without_rating`), and a service rated anew (its overall set by this
    entry) keeps no such word that another entry set. A revision of one rating (`block` False)
    rates nothing anew: the block stays the report's."""
    owned = type(state.cells) is _Owned  # status_of's own: written in place, as no other status holds them
    cells = state.cells if owned else dict(state.cells)
    superseded = dict(state.superseded)
    values = list(values)
    unrated = inspected_without_rating(
        lambda key: was.rating if (was := cells.get(key)) else None, ((key, value.rating) for key, value in values)
    )
    rated_anew: dict[Place, str] = {}
    for key, value in values:
        held = held_after(cells.get(key), value)
        if key[1] is None:
            cells[key] = held  # type: ignore[index]
            continue
        place = (key[0], key[1])
        if place in unrated and key[2] != OVERALL and held.ref == value.ref and merit(value.rating) is None:
            continue  # a word that is not a rating, of a service inspected without a new rating: nothing new
        cells[key] = held  # type: ignore[index]
        if block and key[2] == OVERALL and held.ref == value.ref:
            rated_anew[place] = value.ref
        if superseded:
            superseded.pop(place, None)
    for place, ref in rated_anew.items():
        for question in KEY_QUESTIONS:
            kept = cells.get((*place, question))
            if kept is not None and kept.ref != ref and merit(kept.rating) is None:
                del cells[(*place, question)]  # type: ignore[attr-defined]
    return _with(state, cells=cells if owned else MappingProxyType(cells), superseded=MappingProxyType(superseded))


def inspected_without_rating(held: Callable[[CellKey], str | None], values: Iterable[tuple[CellKey, str]]) -> set[Place]:
    """The services an entry inspects without a new rating: it gives their overall "Inspected but
    not rated" where they hold a rating (`held`: a cell's rating before the entry, or None). CQC
    shows a service's ratings as one block from one report, and such a report leaves the block as
    it was: the words that are not ratings it gives the service's key questions ("Insufficient
    evidence to rate") set nothing new. The status fold and `changes` from the views both ask it."""
    return {
        (key[0], key[1])
        for key, rating in values
        if key[1] is not None and key[2] == OVERALL and rating == INSPECTED_NOT_RATED and (was := held(key)) and merit(was) is not None
    }


@_handles("ReportPublished")
def _(entry: inspections.ReportPublished, state: Status, recorded: Recorded) -> Status:
    on, ref = entry.on, recorded.ref
    values = [(cell.key, CellValue(cell.rating, on, ref, on)) for cell in entry.ratings]  # a run starting on its day
    return _with(settled(state, values), last_report=recorded)


@_handles("RatingRevised")
def _(entry: inspections.RatingRevised, state: Status, recorded: Recorded) -> Status:
    return settled(state, [(entry.cell.key, CellValue(entry.cell.rating, entry.on, recorded.ref))], block=False)


@_handles("RatingsInherited")
def _(entry: continuity.RatingsInherited, state: Status, recorded: Recorded) -> Status:
    came_from = entry.from_location_id or entry.from_provider_id
    values = [
        (cell.key, CellValue(cell.rating, cell.published_on, recorded.ref, inherited=True, inherited_from=came_from))
        for cell in entry.ratings
    ]
    return settled(state, values)


@_handles("ServiceSuperseded")
def _(entry: continuity.ServiceSuperseded, state: Status, recorded: Recorded) -> Status:
    place = (entry.location_id, entry.service)
    kept = {key: value for key, value in state.cells.items() if key[:2] != place}
    superseded = {**state.superseded, place: Superseded(entry.on, recorded.ref, entry.by)}
    # A fold's own cells stay its own (see status_of): later reports go on writing into them.
    cells = _Owned(kept) if type(state.cells) is _Owned else MappingProxyType(kept)
    return _with(state, cells=cells, superseded=MappingProxyType(superseded))


@_handles("WarningNoticeIssued")
def _(entry: enforcement.WarningNoticeIssued, state: Status, recorded: Recorded) -> Status:
    notice = Notice(
        entry.notice_id, entry.section, entry.on, entry.deadline, recorded.ref, entry.location_id, entry.service, source=entry.source
    )
    return _with(state, notices=MappingProxyType({**state.notices, entry.notice_id: notice}))


@_handles("WarningNoticeAssessed")
def _(entry: enforcement.WarningNoticeAssessed, state: Status, recorded: Recorded) -> Status:
    notice = replace(state.notices[entry.notice_id], status=entry.outcome, closed_on=entry.on, closed_ref=recorded.ref)
    return _with(state, notices=MappingProxyType({**state.notices, entry.notice_id: notice}))


@_handles("EnforcementActionTaken")
def _(entry: enforcement.EnforcementActionTaken, state: Status, recorded: Recorded) -> Status:
    return _with(state, enforcement=(*state.enforcement, recorded))


@_handles("SpecialMeasuresEntered")
def _(entry: oversight.SpecialMeasuresEntered, state: Status, recorded: Recorded) -> Status:
    regimes = {**state.special_measures, entry.regime: Since(entry.on, recorded.ref, entry.decided_by)}
    return _with(state, special_measures=MappingProxyType(regimes))


@_handles("SpecialMeasuresExited")
def _(entry: oversight.SpecialMeasuresExited, state: Status, recorded: Recorded) -> Status:
    regimes = {regime: held for regime, held in state.special_measures.items() if regime != entry.regime}
    return _with(state, special_measures=MappingProxyType(regimes))


@_handles("OversightSegmentChanged")
def _(entry: oversight.OversightSegmentChanged, state: Status, recorded: Recorded) -> Status:
    return _with(state, oversight=Since(entry.on, recorded.ref, entry.segment, entry.framework))


@_handles("EntryRetracted")
@_handles("EntryCorrected")
def _(entry: Entry, state: Status, recorded: Recorded) -> Status:
    # Mends never reach the fold: `effective` applies them to the history beforehand.
    return state
