"""Keeping current: what of an import the ledger does not hold yet. Pure: histories are passed in.

An imported entry is weighed against the provider's history as it counts now (corrections
applied), by what it is about: the provider's registration or deregistration, a location's, an
inspection (by inspection_id), a report (by report_id) or the ratings a location inherited from
the one it names (`from_location_id`; one that names none is compared whole, as `record` does).
An inheritance that names a predecessor the ledger holds none from is about the location's
inheritance recorded naming none, if there is one (`held_as`: CQC's ratings file names none).

- Nothing recorded about it: it is recorded.
- A registration or deregistration already recorded on the same day is already there; a name
  that differs from the current one is kept as recorded, with a note. On another day it is a
  contradiction, unless the recorded day was the ledger's choice, not CQC's (`chosen_day`: CQC's
  files gave none, or an earlier release moved a location onto its provider's day): then the day
  CQC gives corrects it (`EntryCorrected`), and only the day: the replacement is the recorded
  entry on CQC's day, its name kept (with the note if CQC's differs), a field it lacks taken from
  the import. A location's inheritances taken over before that later day move with it, each by a
  correction recorded before the registration's (`_moved_with`).
- A provider registered on a day the ledger inferred, that an import of CQC's API shows earlier
  without registering it (a location response's registration, report or inspection), moves to
  the earliest day shown, still inferred (`_shown_earlier`): the day the files would have
  inferred had they shown it, until the provider's own response gives CQC's.
- A report, inspection or inheritance already recorded is compared field by field and, for
  ratings, cell by cell (an inherited cell by its rating and the day it was first published). A
  cell or field that the import gives another value is a contradiction. An import that has
  nothing the recorded entry lacks (the same report, or a subset of its cells: a newer response
  where some of its ratings were superseded; an inheritance without the `from_provider_id` that
  was recorded with it) is already there. One that has more (a cell, inspection_ids,
  from_provider_id) completes it: an `EntryCorrected` whose replacement is the recorded entry
  with what the import adds, so the ledger shows when it learned the rest. A new cell may name
  only a location registered before the report (the replacement takes the report's place).
- An inspection known only by a location and a day (`visit_id`: a location's `lastInspection`
  in CQC's API) is the same visit as a report's inspection at that location on that day (in its
  `scope`): recorded after it, it is already there; recorded before it, it is retracted
  (`same_visit`), so the ledger counts the visit once whichever response came first.
- A contradiction refuses the whole import (RuleBroken) with the ref to correct.
- A report that restates ratings of the one CQC's ratings file recorded for its provider and day
  takes them out of it: the file's report is retracted, or corrected to what it keeps
  (`restated`), after the import's own entries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Any

from cqc_ledger.events import continuity, inspections, provider
from cqc_ledger.events.base import Entry, InheritedRating, RatingCell, describe_cell
from cqc_ledger.events.corrections import EntryCorrected, EntryRetracted
from cqc_ledger.events.vocabulary import QUESTIONS
from cqc_ledger.ledger.errors import RuleBroken
from cqc_ledger.ledger.history import in_effect_order
from cqc_ledger.ledger.imports import Draft, restated
from cqc_ledger.ledger.records import Recorded, parse_ref
from cqc_ledger.ledger.store import codec

Origin = str
INFERRED_DAY = "registration day inferred"  # in the `source` of a registration on a day CQC did not give
# In the `source` of a location registered on its provider's day rather than the earlier one the
# files show (its day inferred: `file_entries`), or, by an import before this release, rather than
# the earlier one CQC gave: that day too is the ledger's, not CQC's.
MOVED_DAY = "so it is registered with its provider"
_DAY_ONLY = (provider.ProviderRegistered, provider.LocationRegistered, provider.ProviderDeregistered, provider.LocationDeregistered)


@dataclass
class Plan:
    """What an import comes to: entries to record, refs already holding the rest, and notes."""

    record: list[tuple[Entry, Draft]] = field(default_factory=list)  # each with the draft it came from
    already: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class _Contradiction(Exception):
    """What differs (`RWP01 safe`, `on`), its recorded value and the import's, and the cell."""

    def __init__(self, what: str, recorded: Any, imported: Any, key: tuple[Any, ...] | None = None):
        super().__init__(what)
        self.what, self.recorded, self.imported, self.key = what, recorded, imported, key


@dataclass(frozen=True, slots=True)
class Recalled:
    """What keeping current needs of a recorded entry without holding it: its day and whether
    that day was the ledger's choice (a registration or deregistration: `chosen_day`), else a
    digest of its content."""

    on: Any
    chosen: bool
    digest: bytes


@dataclass
class Known:
    """What keeping current needs of a provider's effective history: the first entry about each
    thing (recalled, with its ref) and the current names. Much smaller than the history."""

    index: dict[tuple[Any, ...], tuple[Recalled, str]] = field(default_factory=dict)
    names: dict[tuple[Any, ...], str] = field(default_factory=dict)


def known(history: Sequence[Recorded]) -> Known:
    """What keeping current needs of a provider's effective history (see `Known`)."""
    return Known({key: (_recalled(entry), ref) for key, (entry, ref) in index_of(history).items()}, _names(history))


def _content_digest(entry: Entry) -> bytes:
    """The entry's content, whoever published it (`source` aside), as a short digest."""
    return codec.digest(repr(replace(entry, source=None)).encode())


def _recalled(entry: Entry) -> Recalled:
    return Recalled(getattr(entry, "on", None), chosen_day(entry.source), _content_digest(entry))


def chosen_day(source: str | None) -> bool:
    """Whether a registration with this `source` stands on a day the ledger chose (inferred from
    CQC's files, which gave none, or moved onto the provider's), not one CQC gave."""
    return INFERRED_DAY in (source or "") or MOVED_DAY in (source or "")


Recall = Callable[[str], Mapping[tuple[Any, ...], tuple[Entry, str]]]


def plan(
    drafted: Iterable[tuple[Entry, Draft]], knowing: Callable[[str], Known], recall: Recall, *, shown_days_correct: bool = False
) -> Plan:
    """Weighs each imported entry (with the draft it was read from) against what is known of its
    provider's effective history (`knowing`; see module doc). An entry whose content equals the recorded
    one's is already there; only one that differs needs the recorded entry itself, which
    `recall` gives (the provider's `index_of`, read again). With `shown_days_correct` (CQC's API,
    whose entries give CQC's days), a provider registered on a day the ledger inferred is moved
    to an earlier day the import shows of it (`_shown_earlier`)."""
    result = Plan()
    shown: dict[str, tuple[Entry, Draft] | None] = {}  # each provider's entry of the earliest day CQC gives
    corrected: dict[str, Entry] = {}  # the entries this import corrects, by ref: the replacement so far
    stood_in = restated.Restated()  # the ratings file's reports that the import's reports restate
    retracted: set[str] = set()  # the inspections known only by a location and day that this import retracts
    for entry, draft in drafted:
        if shown_days_correct:
            _keep_earliest(shown, entry, draft)
        mine = knowing(entry.provider_id)
        stood_in.weigh(entry, draft, mine.index, recall)
        result.record.extend((mend, draft) for mend in same_visit(mine.index, entry, retracted))
        key = held_as(mine.index, entry, corrected)
        found = mine.index.get(key) if key is not None else None
        if found is None and (visit := mine.index.get(_visit_of(entry) or ())) is not None:
            result.already.append(visit[1])  # the day's visit at that location, recorded by its report
            continue
        if found is None:
            result.record.append((entry, draft))
            continue
        recalled, ref = found
        try:
            if isinstance(entry, _DAY_ONLY) and _chosen_day_corrected(recalled, entry):
                index = recall(entry.provider_id)
                recorded = index[key][0]  # type: ignore[index]
                for mend in [*_moved_with(index, entry), _redated(recorded, entry, ref)]:
                    result.record.append((mend, draft))
                    corrected[mend.ref] = mend.replacement
                result.notes.extend(_renamed(entry, mine.names, draft.origin))
                continue
            if isinstance(entry, _DAY_ONLY):
                _same_day(recalled, entry)
                result.notes.extend(_renamed(entry, mine.names, draft.origin))
                result.already.append(ref)
                continue
            if recalled.digest == _content_digest(entry):
                result.already.append(ref)
                continue
            index = recall(entry.provider_id)
            recorded = corrected.get(ref, index[key][0])  # type: ignore[index]
            if (correction := _completion(entry, draft, (recorded, ref), index)) is None:
                result.already.append(ref)
            else:
                result.record.append((correction, draft))
                corrected[ref] = correction.replacement
        except _Contradiction as differs:
            raise RuleBroken(
                f"{draft.places.get(differs.key, draft.origin) if differs.key else draft.origin}: {about(entry)} is already recorded as {ref}, where "
                f"{differs.what} is {_show(differs.recorded)}, but this import has {_show(differs.imported)}; if CQC changed "
                f"it, or the ledger is wrong, record a correction: cqc-ledger correct {ref} FILE --reason TEXT"
            ) from None
    result.record.extend(stood_in.mends())
    result.notes.extend(stood_in.note())
    result.record[:0] = _shown_earlier(shown, knowing, recall)
    return result


def visit_id(location_id: str, day: date) -> str:
    """The id of an inspection known only by its location and first day (a location's
    `lastInspection` in CQC's API): `cqc-api:RK950:2021-03-08`."""
    return f"cqc-api:{location_id}:{day.isoformat()}"


def _visit_of(entry: Entry) -> tuple[Any, ...] | None:
    """The visit an inspection known only by its location and day (`visit_id`) is, as `index_of`
    holds a report's inspection at that location on that day; None for any other entry."""
    if not isinstance(entry, inspections.InspectionCarriedOut) or len(entry.scope) != 1 or entry.scope[0].location_id is None:
        return None
    location_id = entry.scope[0].location_id
    return ("visit", location_id, entry.on) if entry.inspection_id == visit_id(location_id, entry.on) else None


def _visits(entry: Entry) -> list[tuple[Any, ...]]:
    """The visits a report's inspection records: one at each location of its scope, on its day."""
    if not isinstance(entry, inspections.InspectionCarriedOut) or _visit_of(entry) is not None:
        return []
    return [("visit", item.location_id, entry.on) for item in entry.scope if item.location_id]


def same_visit(index: Mapping[tuple[Any, ...], tuple[Any, str]], entry: Entry, retracted: set[str]) -> list[EntryRetracted]:
    """The retractions of the inspections known only by a location and day (`visit_id`) that an
    imported report's inspection records at that location on that day: one visit, recorded once,
    by the report's, whichever response was imported first (a location's `lastInspection`, then
    a later response listing the report first visited that day). The other way round, an
    inspection known only by its location and day is already there (`plan`). `retracted` holds
    the refs this import retracts, so each is retracted once."""
    found = []
    for _, location_id, day in _visits(entry):
        held = index.get(("InspectionCarriedOut", visit_id(location_id, day)))
        if held is None or held[1] in retracted:
            continue
        retracted.add(held[1])
        reason = (
            f'the same visit as inspection "{entry.inspection_id}" (at {location_id} on {day}), '  # type: ignore[attr-defined]
            "which CQC's report names: the ledger records the visit once"
        )
        found.append(EntryRetracted(provider_id=entry.provider_id, ref=held[1], reason=reason, source=entry.source))
    return found


def _keep_earliest(shown: dict[str, tuple[Entry, Draft] | None], entry: Entry, draft: Draft) -> None:
    """Keeps the entry if it is its provider's earliest on a day CQC gives (not one inferred); a
    provider the import registers itself is passed over (None): its day is weighed as ever."""
    if isinstance(entry, provider.ProviderRegistered):
        shown[entry.provider_id] = None
        return
    day = getattr(entry, "on", None)
    if day is None or chosen_day(entry.source):
        return
    if entry.provider_id not in shown or ((earliest := shown[entry.provider_id]) is not None and day < earliest[0].on):  # type: ignore[attr-defined]
        shown[entry.provider_id] = (entry, draft)


def _shown_earlier(
    shown: Mapping[str, tuple[Entry, Draft] | None], knowing: Callable[[str], Known], recall: Recall
) -> list[tuple[Entry, Draft]]:
    """The corrections of providers' registrations on days the ledger inferred (the earliest day
    its data showed, as CQC gave none) that the import shows earlier (a location's registration,
    a report, an inspection): each moves to that day, still inferred, as the files' inference
    would have put it (the earliest day shown, its first location's start included); the
    provider's own response gives CQC's day, and corrects it again. Recorded first, so that the
    import's entries are weighed against the registration as corrected."""
    found: list[tuple[Entry, Draft]] = []
    for provider_id, earliest in shown.items():
        if earliest is None:
            continue
        entry, draft = earliest
        held = knowing(provider_id).index.get(("ProviderRegistered",))
        if held is None or not held[0].chosen or entry.on >= held[0].on:  # type: ignore[attr-defined]
            continue
        recorded, ref = recall(provider_id)[("ProviderRegistered",)]
        day, was = entry.on, recorded.on  # type: ignore[attr-defined]
        source = (
            f"{entry.source}; {INFERRED_DAY}: the earliest day CQC's data shows for {provider_id} ({day}, {about(entry)}), as it gives none"
        )
        reason = (
            f"CQC's data shows {provider_id} on {day} ({about(entry)}), before the day the ledger had inferred, {was}; "
            "still inferred: CQC's provider response gives the day itself"
        )
        replacement = replace(recorded, on=day, source=source)  # type: ignore[call-arg]
        found.append((EntryCorrected(provider_id=provider_id, ref=ref, replacement=replacement, reason=reason, source=entry.source), draft))
    return found


def _redated(recorded: Entry, new: Entry, ref: str) -> EntryCorrected:
    """The correction of a registration or deregistration on a day the ledger chose: the recorded
    entry on the day CQC gives (cited by its `source`), with the fields it lacks taken from `new`.
    Nothing else of it changes: a name CQC gives differently is a renaming the ledger has no day
    for, which `plan` notes."""
    day, was = new.on, recorded.on  # type: ignore[attr-defined]
    changes = {f.name: getattr(new, f.name) for f in fields(recorded) if getattr(recorded, f.name) is None}
    had = "inferred" if INFERRED_DAY in (recorded.source or "") else "its provider's day,"
    reason = f"CQC gives the day, {day}, where the ledger had {had} {was}"
    replacement = replace(recorded, **(changes | {"on": day, "source": new.source}))
    return EntryCorrected(provider_id=new.provider_id, ref=ref, replacement=replacement, reason=reason, source=new.source)


def _moved_with(index: Mapping[tuple[Any, ...], tuple[Entry, str]], registration: Entry) -> list[EntryCorrected]:
    """The corrections moving a location's inheritances, recorded on the day the ledger inferred
    for its registration, onto the later day CQC gives: a location takes over its predecessor's
    ratings once registered, so they move with it (each cell keeps its published_on). Recorded
    before the registration's own correction, which the rule would otherwise refuse."""
    if not isinstance(registration, provider.LocationRegistered):
        return []
    day = registration.on
    return [
        EntryCorrected(
            provider_id=entry.provider_id,
            ref=ref,
            replacement=replace(entry, on=day),
            reason=f"CQC registers {entry.location_id} on {day}, after the day the ledger had inferred, {entry.on}: "
            "the ratings it inherited are taken over on that day",
            source=registration.source,
        )
        for entry, ref in index.values()
        if isinstance(entry, continuity.RatingsInherited) and entry.location_id == registration.location_id and entry.on < day
    ]


def _completion(
    entry: Entry, draft: Draft, found: tuple[Entry, str], index: Mapping[tuple[Any, ...], tuple[Entry, str]]
) -> EntryCorrected | None:
    """The correction that completes a recorded entry with what the import adds, if anything.

    A report's new cells may name only locations registered before it: a correction takes the
    place of the entry it corrects, so the ledger's rule on locations would refuse it."""
    recorded, ref = found
    completed, added = complete(recorded, entry)
    if not added:
        return None
    held = {cell.key for cell in getattr(recorded, "ratings", ())}
    for cell in getattr(completed, "ratings", ()):
        registration = index.get(("LocationRegistered", cell.location_id))
        if cell.key not in held and cell.location_id and (registration is None or _position(registration[1]) > _position(ref)):
            raise RuleBroken(
                f"{draft.places.get(cell.key, draft.origin)}: {about(entry)} is recorded as {ref}, before location "
                f"{cell.location_id} was registered, so its ratings for {cell.location_id} cannot be added to it: retract "
                f"{ref} (cqc-ledger retract {ref} --reason TEXT) and import the provider's response together with its "
                "locations' responses, so that the report is recorded whole"
            )
    reason = f"completed from CQC data: {about(entry)} also has {', '.join(added)}"
    return EntryCorrected(provider_id=entry.provider_id, ref=ref, replacement=completed, reason=reason, source=entry.source)


def _position(ref: str) -> int:
    return parse_ref(ref)[1]


def held_as(index: Mapping[tuple[Any, ...], Any], entry: Entry, corrected: Mapping[str, Entry]) -> tuple[Any, ...] | None:
    """The key under which a provider's `index_of` holds what the imported entry is about, if
    anything: its `identity`, but for an inheritance whose predecessor the ledger holds none
    from, the location's inheritance recorded naming none (CQC's ratings file names none; not
    one this import has already named, `corrected`). A location takes over its predecessor's
    ratings once, so the two are one: compared cell by cell, completed with the predecessor's
    name and the cells the import adds (a second entry would hold the same ratings twice). So
    for an inheritance naming none (the file imported in parts): it completes the location's
    inheritance recorded naming none, else the one recorded naming its predecessor, if only one."""
    key = identity(entry)
    if key in index or not isinstance(entry, continuity.RatingsInherited):
        return key
    place = (entry.type_name, entry.location_id)
    for held in index:  # one recorded naming none, held as (type, location, None, ref), not named since by this import
        if held[:3] == (*place, None) and getattr(corrected.get(held[3]), "from_location_id", None) is None:
            return held
    if key is not None:
        return key
    # One naming none (CQC's ratings file, imported in parts): the location's one inheritance, whoever named it
    named = [held for held in index if held[:2] == place and len(held) == 3]
    return named[0] if len(named) == 1 else None


def identity(entry: Entry) -> tuple[Any, ...] | None:
    """What an entry is about, as far as keeping current goes; None for entries never compared."""
    if isinstance(entry, (provider.ProviderRegistered, provider.ProviderDeregistered)):
        return (entry.type_name,)
    if isinstance(entry, (provider.LocationRegistered, provider.LocationDeregistered)):
        return (entry.type_name, entry.location_id)
    if isinstance(entry, inspections.InspectionCarriedOut):
        return (entry.type_name, entry.inspection_id)
    if isinstance(entry, inspections.ReportPublished):
        return (entry.type_name, entry.report_id)
    if isinstance(entry, continuity.RatingsInherited) and entry.from_location_id:
        return (entry.type_name, entry.location_id, entry.from_location_id)
    return None


def complete(recorded: Entry, new: Entry) -> tuple[Entry, list[str]]:
    """The recorded entry with what `new` adds, and a word for each addition; _Contradiction when
    a field or rating cell both have differs. `source` is the recorded one's: one fact may be
    published in several places."""
    changes: dict[str, Any] = {}
    added: list[str] = []
    for f in fields(recorded):
        old, value = getattr(recorded, f.name), getattr(new, f.name)
        if f.name in ("provider_id", "source") or value is None or value == ():
            continue
        if f.name == "ratings":
            extra = _extra_cells(old, value)
            if extra:
                changes["ratings"] = old + extra
                added.append(f"{len(extra)} more rating{'s' if len(extra) > 1 else ''}")
        elif isinstance(value, tuple):
            extra = tuple(v for v in value if v not in old)
            if extra:
                changes[f.name] = old + extra
                added.append(f.name)
        elif old is None:
            changes[f.name] = value
            added.append(f.name)
        elif old != value:
            raise _Contradiction(f.name, old, value)
    return replace(recorded, **changes), added


def _extra_cells(old: tuple[RatingCell, ...], new: tuple[RatingCell, ...]) -> tuple[RatingCell, ...]:
    held = {cell.key: cell for cell in old}
    extra = []
    for cell in new:
        there = held.get(cell.key)
        if there is None:
            extra.append(cell)
        elif there.rating != cell.rating:
            raise _Contradiction(f"the rating of {describe_cell(*cell.key)}", there.rating, cell.rating, cell.key)
        elif isinstance(there, InheritedRating) and isinstance(cell, InheritedRating) and there.published_on != cell.published_on:
            raise _Contradiction(f"the day {describe_cell(*cell.key)} was first published", there.published_on, cell.published_on, cell.key)
    return tuple(sorted(extra, key=lambda c: (c.location_id or "", c.service or "", QUESTIONS.index(c.question))))


def _chosen_day_corrected(recorded: Recalled, new: Entry) -> bool:
    """Whether the recorded registration's day was the ledger's choice (`chosen_day`) and `new`
    gives another, from CQC: then the new day corrects it."""
    return recorded.on != new.on and recorded.chosen and INFERRED_DAY not in (new.source or "")  # type: ignore[attr-defined]


def _same_day(recorded: Recalled, new: Entry) -> None:
    if recorded.on != new.on:  # type: ignore[attr-defined]
        raise _Contradiction("the day", recorded.on, new.on)  # type: ignore[attr-defined]


def _renamed(entry: Entry, names: Mapping[tuple[Any, ...], str], origin: Origin) -> list[str]:
    name = getattr(entry, "name", None)
    current = names.get(identity(entry))  # type: ignore[arg-type]
    if name is None or current is None or name == current:
        return []
    hint = (
        "record a ProviderRenamed with the day of the change"
        if isinstance(entry, provider.ProviderRegistered)
        else "the ledger has no entry for renaming a location"
    )
    who = getattr(entry, "location_id", entry.provider_id)
    return [f'{origin}: CQC names {who} "{name}", but the ledger has "{current}"; kept as recorded ({hint})']


def index_of(history: Sequence[Recorded]) -> dict[tuple[Any, ...], tuple[Entry, str]]:
    """The first recorded entry about each thing, with its ref (also `plan`'s `recall`). An
    inheritance that names no predecessor is held by its location and ref (each one: a
    registration corrected to a later day moves them all, `_moved_with`), for an import that
    names the predecessor to complete (`held_as`)."""
    found: dict[tuple[Any, ...], tuple[Entry, str]] = {}
    for r in history:
        key = identity(r.entry)
        if key is None and isinstance(r.entry, continuity.RatingsInherited):
            key = (r.entry.type_name, r.entry.location_id, None, r.ref)
        if key is not None:
            found.setdefault(key, (r.entry, r.ref))
        for visit in _visits(r.entry):
            found.setdefault(visit, (r.entry, r.ref))
    return found


def _names(history: Sequence[Recorded]) -> dict[tuple[Any, ...], str]:
    """The current name of the provider and of each location, keyed like their registrations."""
    names: dict[tuple[Any, ...], str] = {}
    for r in in_effect_order(r for r in history if hasattr(r.entry, "on") and hasattr(r.entry, "name")):
        entry = r.entry
        if isinstance(entry, (provider.ProviderRegistered, provider.ProviderRenamed)):
            names[("ProviderRegistered",)] = entry.name
        elif isinstance(entry, provider.LocationRegistered):
            names[("LocationRegistered", entry.location_id)] = entry.name
    return names


def about(entry: Entry) -> str:
    """What an entry is about, in words: `report "X"`, `the registration of location RWP01`."""
    if isinstance(entry, (provider.LocationRegistered, provider.LocationDeregistered)):
        return f"the {'registration' if 'Registered' in entry.type_name else 'deregistration'} of location {entry.location_id}"
    if isinstance(entry, (provider.ProviderRegistered, provider.ProviderDeregistered)):
        return f"the {'registration' if 'Registered' in entry.type_name else 'deregistration'} of {entry.provider_id}"
    if isinstance(entry, inspections.InspectionCarriedOut):
        return f'inspection "{entry.inspection_id}"'
    if isinstance(entry, continuity.RatingsInherited) and not entry.from_location_id:
        return f"the inheritance of {entry.location_id}'s ratings"
    if isinstance(entry, continuity.RatingsInherited):
        return f"the inheritance of {entry.location_id}'s ratings from {entry.from_location_id}"
    if isinstance(entry, inspections.ReportPublished):
        return f'report "{entry.report_id}"'
    return f"{entry.type_name} of {getattr(entry, 'on', None) or 'no day'}"


def _show(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else str(value)
