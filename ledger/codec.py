"""How entries are stored: the canonical JSON of each entry, written with orjson.

The stored state of an entry is exactly its JSON Lines form (`events.parsing.entry_to_json`) with
sorted keys, less `type` (the stored topic names the class) plus `recorded_at`. So the store is
readable with any JSON tool, the hash chain has one canonical form to hash, and `export` is a
re-serialisation of what is stored.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import Any

import orjson
from eventsourcing.persistence import Mapper, StoredEvent, Transcoder
from eventsourcing.utils import get_topic, resolve_topic

from events.parsing import entry_from_json, entry_to_json
from ledger.records import Recorded, format_time

_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot store a {type(value).__name__}")


class OrjsonTranscoder(Transcoder):
    """orjson as the store's codec: sorted keys, tuples as lists, dates and times as ISO text."""

    def encode(self, obj: Any) -> bytes:
        return orjson.dumps(obj, default=_default, option=_OPTIONS)

    def decode(self, data: bytes) -> Any:
        return orjson.loads(data)


@cache
def _entry_class(topic: str) -> type:
    return resolve_topic(topic)


@cache
def entry_topic(cls: type) -> str:
    """The stored topic of an entry type: its module path, e.g. `events.inspections:ReportPublished`."""
    return get_topic(cls)


class EntryMapper(Mapper):
    """Maps `Recorded` entries to eventsourcing's stored events and back."""

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        recorded: Recorded = domain_event
        return StoredEvent(
            originator_id=recorded.entry.provider_id,
            originator_version=recorded.position,
            topic=entry_topic(type(recorded.entry)),
            state=self.transcoder.encode(stored_state(recorded)),
        )

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        state = self.transcoder.decode(stored_event.state)
        return recorded_from_state(_entry_class(stored_event.topic).__name__, stored_event.originator_version, state)


def stored_state(recorded: Recorded) -> dict[str, Any]:
    """What is stored for an entry: its canonical JSON, less `type`, plus `recorded_at`."""
    state = entry_to_json(recorded.entry)
    del state["type"]
    state["recorded_at"] = format_time(recorded.recorded_at)
    return state


def recorded_from_state(kind: str, position: int, state: dict[str, Any]) -> Recorded:
    """The `Recorded` entry that `stored_state` wrote."""
    recorded_at = datetime.fromisoformat(state.pop("recorded_at").replace("Z", "+00:00"))
    state["type"] = kind
    return Recorded(entry_from_json(state), position, recorded_at)
