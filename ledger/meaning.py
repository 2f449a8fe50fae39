"""What the record can mean: rules of time that an entry must keep to be a possible fact.

Pure, like `ledger.rules` (which calls `check_meaning` for every entry): nothing of the
regulator's record happens to a provider before it was registered or after it was deregistered
(mends aside), nothing is rated at a location outside its registration (an inheritance's cells
aside: they were published before the location existed, but it takes them over on a day within
its registration), a report can only name inspections
recorded and begun by its day, a revision or assessment only a report recorded and published by
its day, and no rating, framework or oversight segment is dated before it
existed. The days, with their sources, are below and in the README.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cqc_ledger.events import ENTRY_TYPES, continuity, enforcement, inspections, oversight, provider
from cqc_ledger.events.base import Entry, RatingCell
from cqc_ledger.events.corrections import MENDING
from cqc_ledger.events.services import KNOWN_NAMES, is_known_service
from cqc_ledger.events.vocabulary import TRUST_ONLY, TRUST_ONLY_QUESTIONS
from cqc_ledger.ledger.cells import named
from cqc_ledger.ledger.errors import RuleBroken, with_article

# CQC's ratings of NHS trusts began with its new approach to inspecting acute hospitals, from
# October 2013 (CQC, "A new start: consultation on changes to the way CQC regulates, inspects
# and monitors care", June 2013; the first inspections under it from September 2013, ratings
# published from the reports of the waves that followed).
RATINGS_BEGAN = date(2013, 10, 1)
# Use of resources (NHS Improvement's assessment, rated by CQC) and the combined rating: first
# published with CQC's trust reports in 2018 (NHS Improvement, "Use of resources assessment
# framework", 2017; CQC's first combined ratings, 2018).
RESOURCES_BEGAN = date(2018, 1, 1)
# CQC's single assessment framework: from November 2023 (CQC, "Our new single assessment
# framework", rolled out from 21 November 2023; November 2023 is taken).
FRAMEWORKS_BEGAN = {"kloe-2014": RATINGS_BEGAN, "saf-2023": date(2023, 11, 1)}
# NHS England's (before 2022 NHS Improvement's) oversight frameworks, from the day each applied:
# the Single Oversight Framework from 1 October 2016 (NHS Improvement, September 2016); the
# System Oversight Framework 2021/22 published 24 June 2021; the NHS Oversight Framework 2022/23
# from 1 July 2022 (with integrated care boards); the NHS Oversight Framework 2025/26 from the
# financial year 2025/26, 1 April 2025 (its first segmentation, for quarter 1).
OVERSIGHT_BEGAN = {
    "SOF-2016": date(2016, 10, 1),
    "SOF-2021": date(2021, 6, 24),
    "NOF-2022": date(2022, 7, 1),
    "NOF-2025": date(2025, 4, 1),
}


def oversight_framework_on(day: date) -> str | None:
    """The oversight framework that applied on a day, or None before the first."""
    applying = [name for name, began in OVERSIGHT_BEGAN.items() if began <= day]
    return applying[-1] if applying else None


# Entries of the regulator's record: each must fall within the provider's registration. That is
# every entry type but the provider's own registration, its locations' registrations and
# deregistrations (CQC's location responses carry their own days) and the mends (a correction
# or retraction may come at any time); a new entry type is held to it unless listed here.
_NOT_WITHIN_REGISTRATION = (provider.ProviderRegistered, provider.LocationRegistered, provider.LocationDeregistered, *MENDING)
_RECORD = tuple(cls for cls in ENTRY_TYPES.values() if cls not in _NOT_WITHIN_REGISTRATION)


@dataclass
class Span:
    """When a provider or location was registered, deregistered, and the latest day of anything
    recorded of it (so a deregistration recorded late cannot leave a later fact behind it)."""

    registered: date | None = None
    registered_ref: str | None = None
    deregistered: date | None = None
    deregistered_ref: str | None = None
    latest: date | None = None
    latest_ref: str | None = None
    latest_type: str | None = None

    def saw(self, on: date, ref: str, type_name: str) -> None:
        if self.latest is None or on > self.latest:
            self.latest, self.latest_ref, self.latest_type = on, ref, type_name


@dataclass
class Times:
    """What the meaning rules know of a provider: its span, each location's, each
    inspection's first visit day and each report's publication day."""

    provider: Span = field(default_factory=Span)
    locations: dict[str, Span] = field(default_factory=dict)
    inspections: dict[str, date] = field(default_factory=dict)
    reports: dict[str, date] = field(default_factory=dict)

    def add(self, entry: Entry, ref: str) -> None:
        """Folds an accepted entry into what the rules know."""
        on: date | None = getattr(entry, "on", None)
        if on is None:
            return
        if isinstance(entry, provider.ProviderRegistered):
            self.provider.registered, self.provider.registered_ref = on, ref
        elif isinstance(entry, provider.ProviderDeregistered):
            self.provider.deregistered, self.provider.deregistered_ref = on, ref
        elif isinstance(entry, provider.LocationRegistered):
            span = self._span(entry.location_id)
            span.registered, span.registered_ref = on, ref
        elif isinstance(entry, provider.LocationDeregistered):
            span = self._span(entry.location_id)
            span.deregistered, span.deregistered_ref = on, ref
        else:
            self.provider.saw(on, ref, entry.type_name)
            for location_id in _rated_places(entry):
                self._span(location_id).saw(on, ref, entry.type_name)
        if isinstance(entry, inspections.InspectionCarriedOut):
            self.inspections.setdefault(entry.inspection_id, entry.on)
        elif isinstance(entry, inspections.ReportPublished):
            self.reports.setdefault(entry.report_id, entry.on)

    def _span(self, location_id: str) -> Span:
        span = self.locations.get(location_id)
        if span is None:
            span = self.locations[location_id] = Span()
        return span


def check_meaning(times: Times, entry: Entry) -> None:
    """Raises RuleBroken if the entry could not be a fact of the provider's record (see module doc)."""
    on: date | None = getattr(entry, "on", None)
    if on is None:
        return
    _within_provider(times.provider, entry, on)
    _within_locations(times, entry, on)
    _in_its_era(entry, on)
    if isinstance(entry, inspections.ReportPublished):
        _inspections_behind(times, entry)
    elif isinstance(entry, _NAMING_A_REPORT) and entry.report_id is not None:
        _report_behind(times, entry)


def _within_provider(span: Span, entry: Entry, on: date) -> None:
    if isinstance(entry, _RECORD) and span.registered and on < span.registered:
        raise RuleBroken(
            f"{on} is before the provider was registered ({span.registered}, {span.registered_ref}): "
            f"{with_article(entry.type_name)} cannot be dated before the provider existed",
            field="on",
        )
    if span.deregistered and on > span.deregistered and not isinstance(entry, provider.ProviderDeregistered):
        raise RuleBroken(
            f"{on} is after the provider was deregistered ({span.deregistered}, {span.deregistered_ref}): nothing but a "
            "correction or retraction can be recorded of it after that day",
            field="on",
        )
    if isinstance(entry, provider.ProviderDeregistered) and span.latest and span.latest > on:
        raise RuleBroken(
            f"the provider cannot be deregistered on {on}: {span.latest_ref} is dated {span.latest}, after it "
            "(correct or retract that entry first, or deregister it later)",
            field="on",
        )


def _within_locations(times: Times, entry: Entry, on: date) -> None:
    if isinstance(entry, provider.LocationDeregistered):
        span = times.locations.get(entry.location_id)
        if span and span.latest and span.latest > on:
            raise RuleBroken(
                f"location {entry.location_id} cannot be deregistered on {on}: {span.latest_ref}, {with_article(span.latest_type or 'entry')} "
                f"of it, is dated {span.latest}, after that day",
                field="on",
            )
        if span and span.registered and on < span.registered:
            raise RuleBroken(f"location {entry.location_id} was registered on {span.registered}, after {on}", field="on")
        return
    places = _rated_places(entry)
    if not places or not any(_outside(times.locations.get(location_id), on) for location_id in places):
        return
    for location_id in _in_entry_order(entry, places):  # the first the entry names, as the refusal says
        span = times.locations.get(location_id)
        if span is None or not _outside(span, on):
            continue  # (an unregistered location is refused by the rules on locations)
        where = _rated_field(entry, location_id)
        if span.registered and on < span.registered:
            # An inheritance's cells may come before the location (their published_on), not its own day.
            inherited = isinstance(entry, continuity.RatingsInherited)
            rest = (
                "a location takes over its predecessor's ratings once registered (each keeps the day it was published, its published_on)"
                if inherited
                else "a location can be rated only once registered (its predecessor's ratings come to it by RatingsInherited)"
            )
            raise RuleBroken(
                f"location {location_id} was registered on {span.registered} ({span.registered_ref}), after this "
                f"{entry.type_name} of {on}; {rest}",
                field="on" if inherited else where,
            )
        raise RuleBroken(
            f"location {location_id} was deregistered on {span.deregistered} ({span.deregistered_ref}), before this "
            f"{entry.type_name} of {on}; nothing is rated at a location after its deregistration",
            field=where,
        )


def _outside(span: Span | None, on: date) -> bool:
    """Whether a rating on `on` falls outside a location's registration (see `_within_locations`).
    An inheritance is held to it by its own day, the take-over: only its cells' published_on
    days may come before the location's registration."""
    if span is None:
        return False
    return bool((span.registered and on < span.registered) or (span.deregistered and on > span.deregistered))


def _in_its_era(entry: Entry, on: date) -> None:
    if isinstance(entry, inspections.ReportPublished):
        if not _of_its_era(entry.ratings, on):
            _cells_in_their_era(entry, on)
    elif isinstance(entry, _RATING_ONE_BY_ONE):
        _cells_in_their_era(entry, on)
    if isinstance(entry, inspections.InspectionCarriedOut) and entry.framework:
        began = FRAMEWORKS_BEGAN[entry.framework]
        if on < began:
            raise RuleBroken(f'the framework "{entry.framework}" began in {began:%B %Y}, after {on}', field="framework")
    if isinstance(entry, oversight.OversightSegmentChanged):
        began = OVERSIGHT_BEGAN[entry.framework]
        if on < began:
            raise RuleBroken(f"the oversight framework {entry.framework} applied from {began}, after {on}", field="framework")


def _of_its_era(cells: tuple[RatingCell, ...], on: date) -> bool:
    """Whether cells all published on `on` are all ratings CQC gave that day (asked of a whole
    report at once; `_cells_in_their_era` finds the cell that is not)."""
    return on >= RESOURCES_BEGAN or (on >= RATINGS_BEGAN and TRUST_ONLY.isdisjoint(named(cells).questions))


def _cells_in_their_era(entry: Entry, on: date) -> None:
    for cell, day, where in _cells(entry, on):
        if day < RATINGS_BEGAN:
            raise RuleBroken(f"{day} is before CQC's ratings began ({RATINGS_BEGAN:%B %Y}): CQC published no rating then", field=where)
        if cell.question in TRUST_ONLY_QUESTIONS and day < RESOURCES_BEGAN:
            raise RuleBroken(f'"{cell.question}" was first rated in {RESOURCES_BEGAN.year}: there is no such rating on {day}', field=where)


def _inspections_behind(times: Times, entry: inspections.ReportPublished) -> None:
    for i, inspection_id in enumerate(entry.inspection_ids):
        started = times.inspections.get(inspection_id)
        if started is None:
            raise RuleBroken(
                f'inspection "{inspection_id}" is not recorded: record its InspectionCarriedOut entry first '
                "(in the ledger or earlier in the same input), or leave it out of inspection_ids",
                field=f"inspection_ids[{i}]",
            )
        if started > entry.on:
            raise RuleBroken(
                f'inspection "{inspection_id}" began on {started}, after this report of {entry.on}', field=f"inspection_ids[{i}]"
            )


# The entry types that may name the report behind them (`report_id`).
_NAMING_A_REPORT = (inspections.RatingRevised, enforcement.WarningNoticeAssessed)


def _report_behind(times: Times, entry: inspections.RatingRevised | enforcement.WarningNoticeAssessed) -> None:
    report_id = entry.report_id
    assert report_id is not None
    published = times.reports.get(report_id)
    if published is None:
        raise RuleBroken(
            f'report "{report_id}" of {entry.provider_id} is not recorded: record its ReportPublished entry first '
            "(in the ledger or earlier in the same input), or leave out report_id",
            field="report_id",
        )
    if published > entry.on:
        raise RuleBroken(
            f'report "{report_id}" was published on {published}, after this {entry.type_name} of {entry.on}', field="report_id"
        )


# The entry types with rating cells besides reports (`_cells` yields nothing of any other).
_RATING_ONE_BY_ONE = (inspections.RatingRevised, continuity.RatingsInherited)


def _cells(entry: Entry, on: date) -> Iterator[tuple[RatingCell, date, str]]:
    """Each rating cell an entry sets, with the day it was published and where it is."""
    if isinstance(entry, inspections.ReportPublished):
        for i, cell in enumerate(entry.ratings):
            yield cell, on, f"ratings[{i}]"
    elif isinstance(entry, inspections.RatingRevised):
        yield entry.cell, on, "cell"
    elif isinstance(entry, continuity.RatingsInherited):
        for i, inherited in enumerate(entry.ratings):
            yield inherited, inherited.published_on, f"ratings[{i}].published_on"


def _rated_places(entry: Any) -> Collection[str]:
    """The locations an entry rates (or retires a service at), each once."""
    if isinstance(entry, inspections.ReportPublished):
        return named(entry.ratings).places
    if isinstance(entry, inspections.RatingRevised):
        return (entry.cell.location_id,) if entry.cell.location_id else ()
    if isinstance(entry, (continuity.RatingsInherited, continuity.ServiceSuperseded)):
        return (entry.location_id,) if entry.location_id else ()
    return ()


def _in_entry_order(entry: Any, places: Collection[str]) -> Iterable[str]:
    """The places an entry rates, in the order its cells first name them."""
    if isinstance(entry, inspections.ReportPublished):
        return [place for place in dict.fromkeys(c.location_id for c in entry.ratings) if place is not None and place in places]
    return places


def _rated_field(entry: Any, location_id: str) -> str:
    """The field naming where an entry first rates a location (for a refusal's message)."""
    if isinstance(entry, inspections.ReportPublished):
        return next(f"ratings[{i}].location_id" for i, cell in enumerate(entry.ratings) if cell.location_id == location_id)
    return "cell.location_id" if isinstance(entry, inspections.RatingRevised) else "location_id"


def new_services(entry: Entry) -> list[str]:
    """The service names an entry uses that are none of CQC's known services (kept as written;
    the ledger notes them, so a user sees a new name rather than a silent typo)."""
    if type(entry) is inspections.ReportPublished:  # the common case: only its cells name services
        if named(entry.ratings).services <= KNOWN_NAMES:
            return []
        return [name for name in {c.service: None for c in entry.ratings} if name and not is_known_service(name)]
    if type(entry) not in _NAMING_SERVICES:
        return []
    names = dict.fromkeys((getattr(entry, "service", None), *getattr(entry, "by", ())))
    for items in (getattr(entry, "ratings", ()), getattr(entry, "scope", ())):
        names.update({item.service: None for item in items})
    if isinstance(entry, inspections.RatingRevised):
        names[entry.cell.service] = None
    return [name for name in names if name and not is_known_service(name)]


# The entry types with a field that names a service (of their own, or of their cells or scope).
_NAMING_SERVICES = frozenset(
    cls for cls in ENTRY_TYPES.values() if {f.name for f in dataclasses.fields(cls)} & {"service", "by", "ratings", "scope", "cell"}
)
