"""How one rating came about: a fold over the provider's effective history, in effect order.

The fold keeps every value the cell took (each with the entry and the report that set it) and
the reports and inspections seen on the way. The explanation adds the corrections and
retractions that touched the entries that set the cell, and, for an aggregate rating, the
principles' check of it against the ratings under it (projections/aggregates.py).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import reduce, singledispatch
from types import MappingProxyType

from cqc_ledger.events import continuity, inspections
from cqc_ledger.events.base import CellKey, Entry
from cqc_ledger.events.corrections import EntryCorrected
from cqc_ledger.events.vocabulary import TRUST_ONLY_QUESTIONS
from cqc_ledger.ledger.errors import NotYetRegistered, QuestionNotAtLevel, UnknownLocation, UnknownService
from cqc_ledger.ledger.history import DEREGISTRATIONS, effective, in_effect_order, mended_by, takes_effect
from cqc_ledger.ledger.records import Recorded
from cqc_ledger.projections import aggregates
from cqc_ledger.projections.aggregates import Check, Enforcement
from cqc_ledger.projections.judgement import Judgement, judge
from cqc_ledger.projections.status import CellValue, Status, Superseded, not_registered_by, standing, status_at
from cqc_ledger.projections.status import evolve as status_evolve


@dataclass(frozen=True)
class Setting:
    """One value the cell took: the rating, from when, until when, the entry and report that set it.

    `value` is the cell as the status fold holds it (inherited, inspected without a new rating);
    `ended_by` is the entry that ended it without a successor (a ServiceSuperseded, or the
    deregistration of its location or of the provider)."""

    rating: str
    since: date
    recorded: Recorded
    report: Recorded | None = None
    until: date | None = None
    value: CellValue | None = None
    ended_by: Recorded | None = None


@dataclass(frozen=True)
class CellHistory:
    """The state of the fold: the cell's values so far, the reports and inspections seen, and
    the provider's status (whose fold decides what the cell holds)."""

    key: CellKey
    settings: tuple[Setting, ...] = ()
    reports: Mapping[str, Recorded] = field(default_factory=lambda: MappingProxyType({}))
    inspections: Mapping[str, Recorded] = field(default_factory=lambda: MappingProxyType({}))
    status: Status | None = None


@dataclass(frozen=True)
class Mend:
    """A correction or retraction of an entry that set the cell, and what it did to the cell."""

    recorded: Recorded
    target: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class Explanation:
    """Everything `explain` says of one cell at a day, as known at a time."""

    status: Status
    key: CellKey
    at: date
    current: Setting | None
    previous: tuple[Setting, ...]  # most recent first
    inspections: tuple[Recorded, ...]
    unrecorded_inspections: tuple[str, ...]
    mends: tuple[Mend, ...]
    check: Check | None
    note: str | None
    judgement: Judgement | None = None
    notices: tuple[Enforcement, ...] = ()
    superseded: Superseded | None = None
    supersession: Recorded | None = None  # the ServiceSuperseded entry behind `superseded`
    deregistered: Recorded | None = None  # the deregistration (of its location or the provider) that ended it
    inspected: Recorded | None = None  # the entry that inspected the area without a new rating (`inspected_ref`)


def explain(recorded: list[Recorded], provider_id: str, key: CellKey, at: date, known_at: datetime | None = None) -> Explanation:
    """How the rating of `key` stood at the end of `at`, as known at `known_at`, and how it came about."""
    status = status_at(recorded, provider_id, at, known_at)
    if status.registered_on is None:  # as `status` says: there was no provider to have a rating
        raise NotYetRegistered(not_registered_by(recorded, provider_id, at, known_at))
    _check_location(status, key[0], at)
    _check_question(status, key)
    history = [r for r in effective(recorded, known_at) if takes_effect(r.entry) <= at]
    _check_service(status, history, key, at)
    folded = reduce(evolve, in_effect_order(history), CellHistory(key, status=Status(provider_id)))
    settings = _with_until(folded.settings)
    current = settings[-1] if settings and settings[-1].ended_by is None else None
    ended = settings[-1].ended_by if settings else None
    found, unrecorded = _inspections_of(current, folded)
    published = status_at(recorded, provider_id, current.since, known_at) if current else None
    superseded = status.superseded.get(key[:2]) if key[1] is not None and current is None else None  # type: ignore[arg-type]
    by_ref = {r.ref: r for r in history}  # to show the entries the status names by ref, with their sources
    inspected_ref = current.value.inspected_ref if current and current.value else None
    return Explanation(
        status=status,
        key=key,
        at=at,
        current=current,
        previous=tuple(reversed(settings[:-1] if current else settings)),
        inspections=found,
        unrecorded_inspections=unrecorded,
        mends=mends_of(recorded, key, at, known_at),
        check=aggregates.check(status, key) if current else None,
        note=_note(key, found),
        judgement=judge(published, status, key) if published else None,
        notices=aggregates.enforcement_on(published, key, current.since) if published and current else (),
        superseded=superseded,
        supersession=by_ref.get(superseded.ref) if superseded else None,
        deregistered=ended if ended and type(ended.entry).__name__ in DEREGISTRATIONS else None,
        inspected=by_ref.get(inspected_ref) if inspected_ref else None,
    )


def evolve(state: CellHistory, recorded: Recorded) -> CellHistory:
    """The cell's history after one more entry took effect: the status fold says what the cell
    holds in force after it; a new value is a new setting, a value gone (its service superseded,
    its location or the provider deregistered) ends the last one."""
    state = _apply(recorded.entry, state, recorded)
    before = standing(state.status, state.key) if state.status else None
    after_status = status_evolve(state.status or Status(recorded.entry.provider_id), recorded)
    after = standing(after_status, state.key)
    state = replace(state, status=after_status)
    if after == before:
        return state
    if after is None:
        last = state.settings[-1]
        ended = replace(last, until=takes_effect(recorded.entry), ended_by=recorded)  # the first day it no longer stands
        return replace(state, settings=(*state.settings[:-1], ended))
    if before is not None and (after.rating, after.since, after.ref) == (before.rating, before.since, before.ref):
        return replace(state, settings=(*state.settings[:-1], replace(state.settings[-1], value=after)))
    setting = Setting(after.rating, after.since, recorded, _report_of(recorded, state), value=after)
    return replace(state, settings=(*state.settings, setting))


def _report_of(recorded: Recorded, state: CellHistory) -> Recorded | None:
    entry = recorded.entry
    if isinstance(entry, inspections.ReportPublished):
        return recorded
    if isinstance(entry, inspections.RatingRevised) and entry.report_id:
        return state.reports.get(entry.report_id)
    return None


@singledispatch
def _apply(entry: Entry, state: CellHistory, recorded: Recorded) -> CellHistory:
    return state  # the other entry types do not set ratings


@_apply.register(inspections.InspectionCarriedOut)
def _(entry: inspections.InspectionCarriedOut, state: CellHistory, recorded: Recorded) -> CellHistory:
    return replace(state, inspections=MappingProxyType({**state.inspections, entry.inspection_id: recorded}))


@_apply.register(inspections.ReportPublished)
def _(entry: inspections.ReportPublished, state: CellHistory, recorded: Recorded) -> CellHistory:
    return replace(state, reports=MappingProxyType({**state.reports, entry.report_id: recorded}))


def rating_in(entry: Entry | None, key: CellKey) -> str | None:
    """The rating an entry gives the cell `key`, or None if it does not set it."""
    if isinstance(entry, inspections.ReportPublished):
        return next((cell.rating for cell in entry.ratings if cell.key == key), None)
    if isinstance(entry, inspections.RatingRevised) and entry.cell.key == key:
        return entry.cell.rating
    if isinstance(entry, continuity.RatingsInherited):
        return next((cell.rating for cell in entry.ratings if cell.key == key), None)
    return None


def _with_until(settings: tuple[Setting, ...]) -> tuple[Setting, ...]:
    """Each setting until the next one's day (or its own end); the last stands unless it ended."""
    return tuple(replace(s, until=s.until or nxt.since) for s, nxt in itertools.pairwise(settings)) + settings[-1:]


def _inspections_of(current: Setting | None, folded: CellHistory) -> tuple[tuple[Recorded, ...], tuple[str, ...]]:
    """The inspections the current value's report names: those in the ledger, and the ids of the others."""
    if current is None or current.report is None:
        return (), ()
    ids = current.report.entry.inspection_ids  # type: ignore[attr-defined]
    return (
        tuple(folded.inspections[i] for i in ids if i in folded.inspections),
        tuple(i for i in ids if i not in folded.inspections),
    )


def mends_of(recorded: Iterable[Recorded], key: CellKey, at: date, known_at: datetime | None = None) -> tuple[Mend, ...]:
    """Every correction and retraction, seen by `known_at`, of an entry that set the cell by `at`
    (as first recorded or as corrected), oldest first, with the cell's rating before and after."""
    recorded = list(recorded)
    mends = mended_by(recorded, known_at)
    found: list[Mend] = []
    for r in recorded:
        if r.position not in mends:
            continue
        versions = [r.entry, *(m.entry.replacement for m in mends[r.position] if isinstance(m.entry, EntryCorrected))]
        if not any(rating_in(v, key) and v.on <= at for v in versions):  # type: ignore[attr-defined]
            continue
        before: Entry | None = r.entry
        for m in mends[r.position]:
            after = m.entry.replacement if isinstance(m.entry, EntryCorrected) else None
            found.append(Mend(m, r.ref, rating_in(before, key), rating_in(after, key)))
            before = after
    return tuple(sorted(found, key=lambda m: m.recorded.position))


def _check_location(status: Status, location_id: str | None, at: date) -> None:
    if location_id is None or location_id in status.locations or any(k[0] == location_id for k in status.cells):
        return
    known = ", ".join(sorted(status.locations)) or "none"
    raise UnknownLocation(f'location "{location_id}" is not a location of {status.provider_id} on {at} (its locations: {known})')


def _check_question(status: Status, key: CellKey) -> None:
    location_id, service, question = key
    if question in TRUST_ONLY_QUESTIONS and (location_id or service):
        where = " ".join(p for p in (location_id, service) if p)
        raise QuestionNotAtLevel(
            f'question "{question}" is rated only at trust level, not for {where}: ask for it without --location and --service'
        )


def _check_service(status: Status, history: list[Recorded], key: CellKey, at: date) -> None:
    location_id, service, _ = key
    if service is None:
        return
    rated = {k[1] for r in history for k in cells_of(r.entry) if k[0] == location_id and k[1]}
    if service in rated:
        return
    where = f"at {location_id}" if location_id else "without a location"
    known = ", ".join(sorted(rated)) or "none"
    raise UnknownService(f'service "{service}" has no rating {where} of {status.provider_id} by {at} (its services rated there: {known})')


def cells_of(entry: Entry) -> list[CellKey]:
    """The cells an entry rates (a report's, a revision's, inherited ones)."""
    if isinstance(entry, inspections.RatingRevised):
        return [entry.cell.key]
    return [cell.key for cell in getattr(entry, "ratings", ()) or () if hasattr(cell, "key")]


SAF_NOTE = (
    "The inspection behind it was under the Single Assessment Framework, where CQC rates a key "
    "question from a percentage score (88 to 100% Outstanding, 63 to 87% Good, 39 to 62% Requires "
    "improvement, 38% or lower Inadequate). The ledger holds no scores, and that the framework "
    "aggregates key questions as the 2014-2023 principles do is an assumption."
)


def _note(key: CellKey, inspected: tuple[Recorded, ...]) -> str | None:
    notes = [aggregates.not_aggregated(key)]
    if key == (None, None, "overall"):
        notes.append(aggregates.TRUST_OVERALL_NOTE)
    if any(r.entry.framework == "saf-2023" for r in inspected):  # type: ignore[attr-defined]
        notes.append(SAF_NOTE)
    return " ".join(n for n in notes if n) or None
