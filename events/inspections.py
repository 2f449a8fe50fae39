"""Entries about inspections, the reports that publish their ratings, and revisions of ratings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cqc_ledger.events.base import Entry, RatingCell, ScopeItem, choice
from cqc_ledger.events.vocabulary import INSPECTION_FRAMEWORKS, INSPECTION_KINDS


@dataclass(frozen=True, kw_only=True, slots=True)
class InspectionCarriedOut(Entry):
    """CQC inspected the provider: `on` is the first visit day, `until` the last."""

    inspection_id: str
    on: date
    until: date | None = None
    kind: str | None = choice(INSPECTION_KINDS)
    framework: str | None = choice(INSPECTION_FRAMEWORKS)
    scope: tuple[ScopeItem, ...] = ()
    summary: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class ReportPublished(Entry):
    """CQC published a report; its ratings take effect on `on` and replace only the cells listed."""

    report_id: str
    on: date
    ratings: tuple[RatingCell, ...]
    inspection_ids: tuple[str, ...] = ()
    must_do: int | None = None
    should_do: int | None = None
    summary: str | None = None
    url: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class RatingRevised(Entry):
    """One published rating was changed after publication, for example on a rating review."""

    on: date
    cell: RatingCell
    reason: str
    report_id: str | None = None
