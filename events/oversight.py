"""Entries about NHS England's oversight: special measures and oversight segments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cqc_ledger.events.base import Entry, choice
from cqc_ledger.events.vocabulary import OVERSIGHT_FRAMEWORKS, REGIMES


@dataclass(frozen=True, kw_only=True, slots=True)
class SpecialMeasuresEntered(Entry):
    """The provider was placed in special measures under one regime (quality or finance)."""

    on: date
    regime: str = choice(REGIMES, required=True)
    decided_by: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class SpecialMeasuresExited(Entry):
    """The provider left special measures under one regime."""

    on: date
    regime: str = choice(REGIMES, required=True)
    decided_by: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class OversightSegmentChanged(Entry):
    """NHS England placed the provider in a segment of its oversight framework."""

    on: date
    framework: str = choice(OVERSIGHT_FRAMEWORKS, required=True)
    segment: int
