"""The ledger application: records inputs whole, and reads providers' entries back."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, OperationalError

from events.base import Entry
from ledger import storage
from ledger.codec import EntryMapper, OrjsonTranscoder
from ledger.errors import InputError, UnknownProvider, WriteConflict
from ledger.provider import ProviderLedger
from ledger.records import Recorded, format_time

Clock = Callable[[], datetime]
_ATTEMPTS = 20
_PAGE = 5000


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Outcome:
    """What recording an input did: the refs it recorded and the lines it skipped as duplicates."""

    recorded: list[str] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    duplicates: dict[int, str] = field(default_factory=dict)
    recorded_at: datetime | None = None


class Ledger(Application):
    """The cqc-ledger application: one aggregate (`ProviderLedger`) per provider."""

    name = "cqc_ledger"

    def __init__(self, target: str):
        self.target = target
        super().__init__(env=storage.environment(target))

    def construct_mapper(self) -> EntryMapper:
        return EntryMapper(transcoder=OrjsonTranscoder())

    # ---- writing ------------------------------------------------------------------------

    def record(self, lines: Sequence[tuple[int, Entry]], clock: Clock = utc_now) -> Outcome:
        """Records numbered entries in one transaction, all of them or (on any refusal) none.

        Each entry is decided against its provider's ledger as it stands with the earlier
        lines of the same input. All entries of one input share one `recorded_at`. A write
        that loses a race with another writer is decided again from the fresh ledger.
        """
        for _ in range(_ATTEMPTS):
            recorded_at = self._next_time(clock())
            ledgers: dict[str, ProviderLedger] = {}
            outcome = Outcome(recorded_at=recorded_at)
            for number, entry in lines:
                ledger = ledgers.get(entry.provider_id) or ledgers.setdefault(entry.provider_id, self.provider(entry.provider_id))
                try:
                    duplicate = ledger.decide(entry)
                except InputError as refused:
                    raise refused.at_line(number) from None
                if duplicate:
                    outcome.skipped.append(number)
                    outcome.duplicates[number] = duplicate
                else:
                    outcome.recorded.append(ledger.append(entry, recorded_at).ref)
            if not outcome.recorded:
                return outcome
            try:
                self.save(*ledgers.values(), recorded_at=format_time(recorded_at))
            except (IntegrityError, storage.ClockBehind):
                continue  # another writer got there first: decide again against what it wrote
            except OperationalError as locked:
                if "locked" not in str(locked):
                    raise
                continue
            return outcome
        raise WriteConflict(f"gave up after {_ATTEMPTS} attempts: other writers kept changing the same providers")

    def _next_time(self, now: datetime) -> datetime:
        latest = self.recorder.latest_recorded_at()  # type: ignore[attr-defined]
        if latest is not None:
            floor = datetime.fromisoformat(latest.replace("Z", "+00:00"))
            if now < floor:
                return floor
        return now

    # ---- reading ------------------------------------------------------------------------

    def provider(self, provider_id: str) -> ProviderLedger:
        """The provider's ledger (empty if nothing is recorded for it yet)."""
        try:
            return self.repository.get(provider_id)
        except AggregateNotFoundError:
            return ProviderLedger(provider_id)

    def entries_of(self, provider_id: str, *, limit: int | None = None) -> list[Recorded]:
        """Every entry of a provider (or the first `limit`), in recording order; UnknownProvider
        if there are none."""
        recorded = list(self.events.get(provider_id, limit=limit))
        if not recorded:
            raise UnknownProvider(f'provider "{provider_id}" is not in the ledger at {self.target}')
        return recorded

    def all_entries(self) -> Iterator[Recorded]:
        """Every entry of every provider, in recording order."""
        start = 0
        while True:
            page = self.recorder.select_notifications(start, _PAGE, inclusive_of_start=False)
            for notification in page:
                yield self.mapper.to_domain_event(notification)
            if len(page) < _PAGE:
                return
            start = page[-1].id


