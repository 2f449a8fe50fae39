"""An entry as the ledger holds it: its place in the provider's ledger and when it was learned."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from cqc_ledger.events.base import Entry
from cqc_ledger.ledger.errors import InvalidField

_REF = re.compile(r"(?P<provider>[^/\s]+)/(?P<position>[1-9][0-9]*)")


@dataclass(frozen=True, slots=True)
class Recorded:
    """One recorded entry. `position` counts from 1 in its provider's ledger; the ref is `RWP/9`.

    It is also the stored event of the provider's aggregate: eventsourcing's mapper and event
    store read its `originator_id`, `originator_version` and `timestamp`.
    """

    entry: Entry
    position: int
    recorded_at: datetime

    @property
    def ref(self) -> str:
        return f"{self.entry.provider_id}/{self.position}"

    @property
    def originator_id(self) -> str:
        return self.entry.provider_id

    @property
    def originator_version(self) -> int:
        return self.position

    @property
    def timestamp(self) -> datetime:
        return self.recorded_at


@dataclass(frozen=True, slots=True)
class Stamp:
    """Where and when an exported entry was recorded: its ref and its `recorded_at`."""

    ref: str
    recorded_at: datetime


def parse_ref(ref: str) -> tuple[str, int]:
    """('RWP', 9) from 'RWP/9'."""
    match = _REF.fullmatch(ref.strip())
    if not match:
        raise InvalidField(f'"{ref}" is not a ref like "RWP/9"', field="ref")
    return match["provider"], int(match["position"])


def format_time(moment: datetime) -> str:
    """UTC, ISO 8601 with microseconds: 2026-11-22T15:33:46.123456Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> datetime:
    """A moment from ISO 8601; a time without a zone is taken as UTC, a bare day as its end."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if len(text.strip()) == 10:  # a day: everything recorded during it
        moment = moment.replace(hour=23, minute=59, second=59, microsecond=999999)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
