"""Entries that mend earlier entries without erasing them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cqc_ledger.events.base import Entry


@dataclass(frozen=True, kw_only=True, slots=True)
class EntryRetracted(Entry):
    """An earlier entry (`ref`) was a mistake: from now on it counts for nothing."""

    ref: str
    reason: str
    on: date | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class EntryCorrected(Entry):
    """An earlier entry (`ref`) is replaced, from now on, by `replacement` (same type, same provider)."""

    ref: str
    replacement: Entry
    reason: str
    on: date | None = None


# The entries that mend others, rather than being entries of a history.
MENDING = (EntryRetracted, EntryCorrected)
