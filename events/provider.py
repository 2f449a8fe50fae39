"""Entries about who the provider is: registration, names, locations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cqc_ledger.events.base import Entry, choice
from cqc_ledger.events.vocabulary import PROVIDER_TYPES


@dataclass(frozen=True, kw_only=True, slots=True)
class ProviderRegistered(Entry):
    """The provider was registered with CQC: the first entry of every provider's ledger."""

    name: str
    on: date
    provider_type: str | None = choice(PROVIDER_TYPES)
    region: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class ProviderRenamed(Entry):
    """The provider took a new name (same body, same provider id)."""

    name: str
    on: date


@dataclass(frozen=True, kw_only=True, slots=True)
class ProviderDeregistered(Entry):
    """The provider's registration ended, for example on a merger into a successor."""

    on: date
    successor_id: str | None = None
    reason: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class LocationRegistered(Entry):
    """A location (a hospital, a headquarters) was registered under the provider."""

    location_id: str
    name: str
    on: date


@dataclass(frozen=True, kw_only=True, slots=True)
class LocationDeregistered(Entry):
    """A location's registration under the provider ended."""

    location_id: str
    on: date
