"""The entries that CQC's monthly files come to, weighed against what the ledger holds. Pure:
what the providers' effective histories hold (`held`) is passed in.

- Every provider and location the files name is registered: on the day the files give
  (`Provider HSCA start date`, `Location HSCA start date`), else on the earliest day the files
  show for it (a rating's publication, a location's start; when nothing else shows a location,
  the day the latest of the ratings it inherited was published), its `source` saying the day was
  inferred. A registration already in the ledger stands; one the ledger holds on a day it chose
  is corrected when a file gives the real day (`keeping` drafts the `EntryCorrected`: only the
  day changes, the name stays as recorded, and a location's inheritances move with it). A location that CQC dates before its provider is
  registered on CQC's day (the ledger allows it; CQC's API gives the same day), its ratings
  counting from the provider's registration; a location whose day is inferred is never
  dated before its provider.
- The ratings become one report per provider and publication day (`cqc_ratings.reports`), of
  the ratings that say something new: one the ledger holds as published that day, with the same
  rating, by another report (CQC's own, from its API) is already there. A
  rating dated before its place was registered, or after it was deregistered, cannot stand in the
  ledger: it is left out, with a note. Inherited ratings (`Inherited Rating (Y/N)` = Y) are the
  predecessor's, taken over on the location's registration day (or its provider's, if later): one `RatingsInherited` per
  location (each rating with its own `published_on`), unless the ledger holds them already.
- A deactivated location is deregistered on its `Location HSCA End Date`.

Entries come in the order the ledger needs: providers' registrations, locations', then reports
and inherited ratings by day, then deregistrations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cqc_ledger.events import inspections, provider
from cqc_ledger.ledger.imports import Draft, cqc_ratings, first_few
from cqc_ledger.ledger.imports.cqc_files import Place, Read
from cqc_ledger.ledger.imports.keeping import INFERRED_DAY, MOVED_DAY, chosen_day
from cqc_ledger.ledger.records import Recorded

_SHOWN = 10
# The columns of a registration's fields, named alike in every file that names the place.
_PROVIDER_COLUMNS = {"provider_id": "Provider ID", "name": "Provider Name"}
_LOCATION_COLUMNS = {"provider_id": "Provider ID", "location_id": "Location ID", "name": "Location Name"}


@dataclass
class Held:
    """What a provider's effective history holds of registration: (day, ref, chosen?), chosen
    when the day was the ledger's choice, not CQC's (`keeping.chosen_day`); the ratings locations
    inherited; and each rating published, by the reports that published it."""

    provider: tuple[date, str, bool] | None = None
    locations: dict[str, tuple[date, str, bool]] = field(default_factory=dict)
    ended: dict[str, date] = field(default_factory=dict)
    inherited: dict[str, set[tuple[Any, ...]]] = field(default_factory=dict)  # location -> cells held
    published: dict[tuple[Any, ...], set[str]] = field(default_factory=dict)  # (*cell key, rating, day) -> report ids


def held(history: Sequence[Recorded]) -> Held:
    found = Held()
    for r in history:
        entry = r.entry
        chosen = chosen_day(entry.source)
        if isinstance(entry, provider.ProviderRegistered) and found.provider is None:
            found.provider = (entry.on, r.ref, chosen)
        elif isinstance(entry, provider.LocationRegistered):
            found.locations.setdefault(entry.location_id, (entry.on, r.ref, chosen))
        elif isinstance(entry, provider.LocationDeregistered):
            found.ended.setdefault(entry.location_id, entry.on)
        elif entry.type_name == "RatingsInherited":
            found.inherited.setdefault(entry.location_id, set()).update(_inherited_key(c) for c in entry.ratings)  # type: ignore[attr-defined]
        elif isinstance(entry, inspections.ReportPublished):
            for cell in entry.ratings:
                found.published.setdefault((*cell.key, cell.rating, entry.on), set()).add(entry.report_id)
    return found


def drafts(read: Read, holding: Mapping[str, Held]) -> tuple[list[Draft], list[str]]:
    """The entries the files come to (see module doc), and notes; `holding` is what each
    provider's effective history holds of registration (`held`)."""
    notes: list[str] = []
    providers, locations, reports, ended = [], [], [], []
    days: dict[str, date] = {}  # provider id -> registration day as it will stand
    places: dict[str, tuple[date, date | None]] = {}  # location id -> (registered, deregistered)
    children: dict[str, list[tuple[str, Place]]] = {}
    unrated: list[str] = []  # providers not in the ledger whose rows hold no rating, and where
    for location_id, place in read.locations.items():
        children.setdefault(place.provider_id or "", []).append((location_id, place))
    for provider_id in sorted(read.providers):
        place = read.providers[provider_id]
        mine = holding.get(provider_id) or Held()
        shown = [d for d in [place.shown, *(_first_day(p) for _, p in children.get(provider_id, []))] if d is not None]
        if not shown:  # no row gives a day (its ratings are words: "Not applicable"): nothing to record or register it on
            unrated.extend([] if mine.provider else [f"{provider_id} ({place.where})"])
            continue
        day, draft = _provider_registration(provider_id, place, min(shown), mine, notes)
        if draft is not None:
            providers.append(draft)
        days[provider_id] = day
        for location_id, location in sorted(children.get(provider_id, [])):
            on, draft = _location_registration(provider_id, location_id, location, day, mine, notes)
            if draft is not None:
                locations.append(draft)
            end = location.end or mine.ended.get(location_id)
            places[location_id] = (on, end)
            if location.end is not None and location.end_from is not None:
                ended.append(_deregistration(provider_id, location_id, location))
    for location_id, (on, _, _) in ((lid, h) for mine in holding.values() for lid, h in mine.locations.items()):
        places.setdefault(location_id, (on, None))
    standing, left_out = _standing(read.ratings, days, places)
    reports.extend(cqc_ratings.reports(r for r in standing if not r.inherited and not _published_by_another(r, holding)))
    inherited, not_placed = _inherited([r for r in standing if r.inherited], places, days, holding)
    if not_placed:
        notes.append(
            f"{not_placed} inherited rating{'s' if not_placed > 1 else ''} of a provider as a whole (Inherited Rating (Y/N) = Y "
            "on the Providers sheet) left out: the ledger holds inherited ratings for locations only"
        )
    if left_out:
        notes.append(_left_out_note(left_out))
    if unrated:
        notes.append(_unrated_note(unrated))
    return providers + locations + sorted(reports + inherited, key=lambda d: d.obj["on"]) + ended, notes


def _inherited(
    rows: Sequence[cqc_ratings.Row],
    places: Mapping[str, tuple[date, date | None]],
    days: Mapping[str, date],
    holding: Mapping[str, Held],
) -> tuple[list[Draft], int]:
    """One `RatingsInherited` per location, on its registration day (or its provider's, if later), with the ratings it took
    over (each with its own publication day); none where the ledger holds the same already.
    Also how many inherited rows are not a location's."""
    by_location: dict[str, dict[tuple, tuple[cqc_ratings.Row, dict[str, Any]]]] = {}
    not_placed = 0
    for row in rows:
        location_id = row.cell.get("location_id")
        if not location_id:
            not_placed += 1
            continue
        cell = {k: v for k, v in row.cell.items() if k != "location_id"} | {"published_on": row.day.isoformat()}
        by_location.setdefault(location_id, {}).setdefault((cell.get("service") or "", cell["question"]), (row, cell))
    found = []
    for location_id, cells in sorted(by_location.items()):
        first = next(iter(cells.values()))[0]
        ratings = [cell for _, (_, cell) in sorted(cells.items())]
        held_before = holding.get(first.provider_id, Held()).inherited.get(location_id)
        if held_before is not None and all(_inherited_key(c) in held_before for c in ratings):
            continue
        cite = first.source.cite() if first.source else 'CQC "Latest ratings" file'
        obj = {
            "type": "RatingsInherited",
            "provider_id": first.provider_id,
            "location_id": location_id,
            "on": _counts_from(places[location_id][0], days.get(first.provider_id)).isoformat(),  # type: ignore[union-attr]
            "ratings": ratings,
            "source": f"{cite}: the ratings {location_id} inherited (Inherited Rating (Y/N) = Y)",
        }
        found.append(Draft(obj, f"{first.where} (the ratings {location_id} inherited)"))
    return found, not_placed


def _published_by_another(row: cqc_ratings.Row, holding: Mapping[str, Held]) -> bool:
    """Whether the ledger holds the row's rating as published on its day by a report other than the
    one the file's rows of that day make (CQC's own, from its API): then the row says nothing new.
    Its own report's cells are weighed whole by keeping current, which names the report as there."""
    cell = row.cell
    key = (cell.get("location_id"), cell.get("service"), cell["question"], cell["rating"], row.day)
    mine = holding.get(row.provider_id)
    return mine is not None and bool(mine.published.get(key, set()) - {cqc_ratings.report_id(row.provider_id, row.day)})


def _inherited_key(cell: Any) -> tuple[Any, ...]:
    get = cell.get if isinstance(cell, dict) else lambda name: getattr(cell, name, None)
    published = get("published_on")
    return (get("service") or "", get("question"), get("rating"), str(published))


def _first_day(place: Place) -> date | None:
    return min((d for d in (place.start, place.earliest) if d is not None), default=None)


def _provider_registration(provider_id: str, place: Place, shown: date, mine: Held, notes: list[str]) -> tuple[date, Draft | None]:
    """The day the provider's registration stands on, and the entry to draft."""
    given = place.start
    day = given or shown
    source = place.start_from.cite() if given and place.start_from else _inferred(place.shown_from or place.start_from, day)
    obj: dict[str, Any] = {
        "type": "ProviderRegistered",
        "provider_id": provider_id,
        "name": place.name or provider_id,
        "on": day.isoformat(),
    }
    if place.nhs and place.provider_type:
        obj["provider_type"] = place.provider_type
    if place.region and "region" in provider.ProviderRegistered.__dataclass_fields__:
        obj["region"] = place.region
    obj["source"] = source
    origin = place.where or f"{source}: provider {provider_id}"  # the row; what it is about, each message says
    return _against_held(
        provider_id, day, given, Draft(obj, origin, columns=_with_day(_PROVIDER_COLUMNS, place.start_column)), mine.provider, notes
    )


def _location_registration(
    provider_id: str, location_id: str, place: Place, provider_day: date, mine: Held, notes: list[str]
) -> tuple[date, Draft | None]:
    given = place.start
    day = given or place.earliest or provider_day
    source = place.start_from.cite() if given and place.start_from else _location_inferred(place, day)
    if day < provider_day and given is None:  # an inferred day: the provider's is the better guess
        source = f"{source}; the files show it from {day}, before its provider's registration on {provider_day}, {MOVED_DAY}"
        day = provider_day
    obj = {
        "type": "LocationRegistered",
        "provider_id": provider_id,
        "location_id": location_id,
        "name": place.name or location_id,
        "on": day.isoformat(),
        "source": source,
    }
    origin = place.where or f"{source}: location {location_id}"
    draft = Draft(obj, origin, columns=_with_day(_LOCATION_COLUMNS, place.start_column))
    return _against_held(location_id, day, given, draft, mine.locations.get(location_id), notes)


def _with_day(named: dict[str, str], column: str | None) -> dict[str, str]:
    """The columns of a registration's or deregistration's fields: its day's too, when a row's
    column gave it (an inferred day is named by the row that showed it)."""
    return named | {"on": column} if column else named


def _against_held(
    what: str, day: date, given: date | None, draft: Draft, recorded: tuple[date, str, bool] | None, notes: list[str]
) -> tuple[date, Draft | None]:
    """The day a registration stands on, and the draft to weigh, given the one the ledger holds:
    none held, the same day, or CQC's day for one on a day the ledger chose (keeping corrects
    it), the draft; otherwise the held day stands, with a note when CQC's file gives another."""
    if recorded is None:
        return day, draft
    recorded_on, ref, chosen = recorded
    if recorded_on == day or (chosen and given is not None):
        return day, draft
    if given is not None:
        notes.append(f"{draft.origin}: CQC's file registers {what} on {day}, but the ledger has {recorded_on} ({ref}); kept as recorded")
    return recorded_on, None


def _location_inferred(place: Place, day: date) -> str:
    if place.shown is None and place.inherited is not None:
        return _inferred(place.inherited_from, day, "the day the latest of the ratings it inherited was published")
    return _inferred(place.shown_from, day)


def _inferred(source: Any, day: date, shown: str = "the earliest day the files show") -> str:
    cited = source.cite() if source is not None else "CQC's files"
    return f"{cited}; {INFERRED_DAY}: {shown} ({day}), as they give none"


def _deregistration(provider_id: str, location_id: str, place: Place) -> Draft:
    assert place.end is not None and place.end_from is not None
    source = place.end_from.cite()
    obj = {
        "type": "LocationDeregistered",
        "provider_id": provider_id,
        "location_id": location_id,
        "on": place.end.isoformat(),
        "source": source,
    }
    origin = place.end_where or f"{source}: location {location_id}"
    return Draft(obj, origin, columns=_with_day(_LOCATION_COLUMNS, place.end_column))


def _standing(
    rows: Sequence[cqc_ratings.Row], days: Mapping[str, date], places: Mapping[str, tuple[date, date | None]]
) -> tuple[list[cqc_ratings.Row], list[cqc_ratings.Row]]:
    """The ratings that can stand where the ledger places them, and those that cannot."""
    standing, left_out = [], []
    for row in rows:
        location_id = row.cell.get("location_id")
        start, end = places.get(location_id, (None, None)) if location_id else (None, None)
        start = _counts_from(start, days.get(row.provider_id))
        if not row.inherited and ((start is not None and row.day < start) or (end is not None and row.day > end)):
            left_out.append(row)
        else:
            standing.append(row)
    return standing, left_out


def _counts_from(location_day: date | None, provider_day: date | None) -> date | None:
    """The first day a place's ratings can stand: its registration's, never before its provider's."""
    return max((d for d in (location_day, provider_day) if d is not None), default=None)


def _left_out_note(rows: Sequence[cqc_ratings.Row]) -> str:
    shown = first_few([r.where for r in rows], _SHOWN, "; ")
    return (
        f"{len(rows)} rating{'s' if len(rows) > 1 else ''} dated before its place was registered, or after it was "
        f"deregistered, left out ({shown})"
    )


def _unrated_note(named: Sequence[str]) -> str:
    shown = first_few(list(named), _SHOWN, "; ")
    many = len(named) > 1
    return (
        f"{len(named)} provider{'s' if many else ''} not in the ledger {'are' if many else 'is'} not registered, as no row naming "
        f'{"them" if many else "it"} gives a day (a rating, not a word such as "Not applicable" or "No published rating", '
        f"or a registration day): {shown}"
    )
