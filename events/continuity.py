"""Entries that carry a place's record across a change: an inspection area CQC retired in favour
of others, and ratings a location took over from the one it succeeded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cqc_ledger.events.base import Entry, InheritedRating


@dataclass(frozen=True, kw_only=True, slots=True)
class ServiceSuperseded(Entry):
    """CQC retired a service (an inspection area) at a place: from `on` its ratings no longer
    stand there, and the services in `by` carry on. No `location_id`: a service of the trust."""

    service: str
    on: date
    location_id: str | None = None
    by: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class RatingsInherited(Entry):
    """A location took over ratings published for another (continuation of regulatory history:
    an NHS transfer, a merger, a re-registration). From `on` it holds each as if published on its
    own `published_on`, marked as inherited; CQC never aggregates them with new ratings."""

    location_id: str
    on: date
    ratings: tuple[InheritedRating, ...]
    from_provider_id: str | None = None
    from_location_id: str | None = None
