"""One provider's ledger: the aggregate whose event stream is the provider's entries."""

from __future__ import annotations

from datetime import datetime

from events.base import Entry
from events.corrections import EntryCorrected, EntryRetracted
from ledger import rules
from ledger.history import MENDING, effective
from ledger.records import Recorded


class ProviderLedger:
    """A provider's entries so far, and the facts the rules decide with.

    It is rebuilt from its stream by eventsourcing's repository (each `Recorded.mutate` calls
    `apply`), takes new entries through `append` once `decide` has accepted them, and hands them
    to `Application.save` through `collect_events`.
    """

    def __init__(self, provider_id: str):
        self.id = provider_id
        self.version = 0
        self.recorded: list[Recorded] = []
        self.known: dict[Entry, str] = {}
        self.facts = rules.Facts(provider_id)
        self._pending: list[Recorded] = []

    def apply(self, recorded: Recorded) -> None:
        """Folds one recorded entry into the ledger."""
        self.recorded.append(recorded)
        self.version = recorded.position
        self.known.setdefault(recorded.entry, recorded.ref)
        if isinstance(recorded.entry, MENDING):
            self.facts = rules.fold(self.id, effective(self.recorded))
        else:
            self.facts.add(recorded.entry, recorded.position)

    def decide(self, entry: Entry) -> str | None:
        """The ref of an identical entry already recorded (so `entry` is skipped), or None when
        `entry` may be recorded; raises RuleBroken when it may not."""
        duplicate = self.known.get(entry) or self.facts.current.get(entry)
        if duplicate:
            return duplicate
        position = self.version + 1
        if isinstance(entry, (EntryRetracted, EntryCorrected)):
            rules.check_mending(self.recorded, entry, position)
        else:
            rules.check(self.facts, entry, position)
        return None

    def append(self, entry: Entry, recorded_at: datetime) -> Recorded:
        """Records an entry that `decide` accepted, as the next position of the ledger."""
        recorded = Recorded(entry, self.version + 1, recorded_at)
        self.apply(recorded)
        self._pending.append(recorded)
        return recorded

    def collect_events(self) -> list[Recorded]:
        pending, self._pending = self._pending, []
        return pending
