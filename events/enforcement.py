"""Entries about CQC's enforcement: warning notices and its other civil and criminal powers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cqc_ledger.events.base import Entry, choice
from cqc_ledger.events.vocabulary import ENFORCEMENT_ACTIONS, NOTICE_OUTCOMES, NOTICE_SECTIONS


@dataclass(frozen=True, kw_only=True, slots=True)
class WarningNoticeIssued(Entry):
    """CQC served a warning notice (section 29A for NHS trusts); it is open until assessed."""

    notice_id: str
    on: date
    section: str = choice(NOTICE_SECTIONS, required=True)
    deadline: date | None = None
    location_id: str | None = None
    service: str | None = None
    concerns: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class WarningNoticeAssessed(Entry):
    """CQC found a warning notice met or not met, or withdrew it."""

    notice_id: str
    on: date
    outcome: str = choice(NOTICE_OUTCOMES, required=True)
    report_id: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class EnforcementActionTaken(Entry):
    """CQC used another enforcement power: a requirement notice, a condition, a prosecution..."""

    action_id: str
    on: date
    action: str = choice(ENFORCEMENT_ACTIONS, required=True)
    location_id: str | None = None
    details: str | None = None
