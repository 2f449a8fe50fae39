"""The ledger application: records inputs whole, and reads providers' entries back."""

from __future__ import annotations

import copy
import gc
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from eventsourcing.application import Application
from eventsourcing.persistence import InfrastructureFactory, OperationalError, StoredEvent
from eventsourcing.utils import Environment

from cqc_ledger.events.base import Entry
from cqc_ledger.ledger.errors import InputError, InvalidField, RuleBroken, StoreBusy, StoreError, UnknownProvider
from cqc_ledger.ledger.records import REF_IN_TEXT, Recorded, Stamp, format_time, parse_ref
from cqc_ledger.ledger.store.codec import (
    EntryMapper,
    OrjsonTranscoder,
    canonical,
    canonical_of_state,
    identity,
    recorded_of,
    stored_topics,
)
from cqc_ledger.ledger.store.target import environment, is_postgres, shown

# What only writing needs (the parser; the rules, in ProviderLedger; the services' names) is
# imported where it is used, so that a reading command, answering from the views, starts without it.
if TYPE_CHECKING:
    from cqc_ledger.ledger.chunks import Chunks
    from cqc_ledger.ledger.input import Read
    from cqc_ledger.ledger.provider import ProviderLedger
    from cqc_ledger.ledger.store.opening import Found

Clock = Callable[[], datetime]
# What a follower writes of a chunk of recorded entries, inside the recording transaction, given
# the transaction's cursor and the entries' notification ids.
Follow = Callable[[Any, list[int]], None]
# A follower (the views) is given each chunk of recorded entries where they are decided, and makes
# there what it writes of them (`ledger.chunks`): its write, or None for nothing to write.
Follower = Callable[[list[Recorded]], Follow | None]
_PAGE = 5000


def _unwritten(refused: InputError, refs: list[str], lines: list[int]) -> InputError:
    """The refusal, knowing the refs this input's entries were given and their lines (see
    `InputError.unwritten`; `told_by_line` says them so)."""
    refused.unwritten = dict(zip(refs, lines, strict=True))
    return refused


def told_by_line(refused: InputError, name: Callable[[int], str] = lambda line: f"line {line} of this input") -> InputError:
    """The refusal of an input with each ref it names that only the input's own entries were given
    (nothing of the input was written) told by `name` of that entry's line: "line 12 of this
    input" (an importer names the entry and where it came from instead)."""
    told = REF_IN_TEXT.sub(lambda ref: name(refused.unwritten[ref[0]]) if ref[0] in refused.unwritten else ref[0], refused.message)
    if told == refused.message:
        return refused
    again = copy.copy(refused)  # the same error (its line, field and any position), told so
    again.message, again.args = told, (told,)
    return again


def utc_now() -> datetime:
    return datetime.now(UTC)


def _check_stamp(
    stamp: Stamp, entry: Entry, ledger: ProviderLedger, duplicate: str | None, last: datetime | None, now: datetime
) -> datetime:
    """Refuses a restored line whose ref is not its provider's next position, whose time goes
    back or lies in the future, or whose entry takes effect after the day of that time; returns
    its time."""
    expected = f"{ledger.id}/{ledger.version + 1}"
    if duplicate or stamp.ref != expected:
        raise InvalidField(f'field "ref": "{stamp.ref}" is not the next entry of {ledger.id} ({expected})', field="ref")
    if stamp.recorded_at > now:
        raise InvalidField(f'field "recorded_at": {format_time(stamp.recorded_at)} is in the future', field="recorded_at")
    if last is not None and stamp.recorded_at < last:
        raise InvalidField(f'field "recorded_at": {format_time(stamp.recorded_at)} is earlier than the line before', field="recorded_at")
    _in_effect_by(entry, stamp)
    return stamp.recorded_at


def _in_effect_by(entry: Entry, stamp: Stamp) -> None:
    """Refuses an entry (or a correction's replacement) dated after the day it was recorded:
    `record` refuses a day after today, so no export of a ledger holds one, and restoring it
    would put in the past a fact that could not have been known then."""
    day = stamp.recorded_at.astimezone(UTC).date()
    for prefix, held in (("", entry), ("replacement.", getattr(entry, "replacement", None))):
        for name in ("on", "until"):
            value = getattr(held, name, None)
            if value is not None and value > day:
                raise InvalidField(
                    f'field "{prefix}{name}": {value} is after {day}, the day this line was recorded ({format_time(stamp.recorded_at)}): '
                    "no entry takes effect after the day it is recorded",
                    field=prefix + name,
                )


def _identified(stored: Iterable[StoredEvent]) -> Iterator[tuple[Recorded, bytes]]:
    """Each stored entry, with its identity (`codec.identity`)."""
    for s in stored:
        recorded = recorded_of(s)
        yield recorded, identity(recorded.entry.type_name, canonical_of_state(s.state))


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector pauses while an input is recorded (or the views rebuilt), and
    resumes after it.

    Recording makes millions of small objects that hold no cycles (reference counting frees them
    as ever) and keeps every provider's facts alive; the collector would walk all of them again
    and again as they grow: a fifth of record's processor time on the benchmark register."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@dataclass
class Outcome:
    """What recording an input did: the refs it recorded and the lines it skipped as duplicates."""

    recorded: list[str] = field(default_factory=list)
    duplicates: dict[int, str] = field(default_factory=dict)  # line -> ref of the identical entry
    recorded_at: datetime | None = None
    notes: list[str] = field(default_factory=list)  # service names new to the ledger, by their first line

    @property
    def skipped(self) -> list[int]:
        """The lines skipped as already recorded."""
        return list(self.duplicates)


class Ledger(Application):
    """The cqc-ledger application: one aggregate (`ProviderLedger`) per provider."""

    name = "cqc_ledger"

    def __init__(self, target: str, *, read_only: bool = False, found: Found | None = None):
        """The ledger at `target`. `found`: what a reading command's inspection saw there (see
        `store.opening.inspect`); on PostgreSQL, with the connection it kept, the ledger reads
        through that one connection and neither makes nor checks its tables, whose columns
        `seen` holds for the views to look at in turn."""
        self.target = target
        self.shown = shown(target)  # the target as messages show it: no password
        self.seen: Mapping[str, frozenset[str]] = found.columns if found else {}
        self._connection = found.connection if found else None
        super().__init__(env=environment(target, read_only=read_only, create=self._connection is None))

    def construct_factory(self, env: Environment) -> InfrastructureFactory:
        factory = super().construct_factory(env)
        if is_postgres(self.target):
            from cqc_ledger.ledger.store.postgres import connecting_as_named, reading_on  # needs the optional psycopg

            connecting_as_named(factory.datastore, self.target)  # type: ignore[attr-defined]
            if self._connection is not None:
                reading_on(factory.datastore, self._connection)  # type: ignore[attr-defined]
        return factory

    def construct_mapper(self) -> EntryMapper:
        return EntryMapper(transcoder=OrjsonTranscoder())

    # ---- writing ------------------------------------------------------------------------

    def record(self, lines: Iterable[Read], *, followers: Sequence[Follower] = (), clock: Clock = utc_now) -> Outcome:
        """Records numbered entries (each with its canonical form, if the reader wrote it) in one
        transaction: all of them, or (on any refusal) none.

        Each entry is decided against its provider's ledger as it stands with the earlier lines
        of the same input; all share one `recorded_at`. The transaction takes the write lock
        first, so no other writer can change a provider between the decision and the write.
        Entries are written in chunks as they are decided, so memory holds the providers'
        facts, not the input; each chunk is also handed to `followers` (the views) inside the
        same transaction. This is why recording goes to the recorder directly rather than
        through `Application.save`, which opens a transaction of its own per call.
        """
        try:
            return self._append(((n, e, form, None) for n, e, form in lines), followers, clock, restoring=False)
        except OperationalError as locked:
            if "locked" not in str(locked):
                raise
            raise StoreBusy(f"{self.shown} is busy: another process kept writing to it for over a minute; try again") from None

    def restore(self, lines: Iterable[tuple[int, Entry, Stamp]], *, followers: Sequence[Follower] = ()) -> Outcome:
        """Records an export into an empty ledger, each entry at its own ref and time.

        Every entry is decided by the same rules as `record`; each line's ref must be the next
        position of its provider and its time no earlier than the line before. So restoring an
        export reproduces the ledger exactly, and exporting it again gives the same bytes. An
        export holds each line as first recorded, under the rules of its day: a line today's
        rules refuse is restored when a later line of the export mends it (corrects or retracts
        it; the mend is refused for any rule it breaks itself), and refused otherwise.
        """
        return self._append(((n, e, None, stamp) for n, e, stamp in lines), followers, utc_now, restoring=True)

    def _append(
        self,
        lines: Iterable[tuple[int, Entry, bytes | None, Stamp | None]],
        followers: Sequence[Follower],
        clock: Clock,
        *,
        restoring: bool,
    ) -> Outcome:
        from cqc_ledger.ledger.chunks import Chunks
        from cqc_ledger.ledger.store.beside import beside

        recorder: Any = self.recorder
        with collector_paused(), recorder.datastore.transaction(commit=True) as c:
            outcome = Outcome(recorded_at=recorder.take_clock(c, clock()))
            held = recorder.holds_entries(c)  # an empty ledger has no provider's entries to read
            head = recorder.head(c)
            with beside(c) as writes:
                self._decided(c, Chunks(recorder, writes, head, followers), held, lines, outcome, restoring=restoring)
        return outcome

    def _decided(
        self,
        c: Any,
        chunks: Chunks,
        held: bool,
        lines: Iterable[tuple[int, Entry, bytes | None, Stamp | None]],
        outcome: Outcome,
        *,
        restoring: bool,
    ) -> None:
        """Decides each line and hands the entries over in chunks, to be written in the recording
        transaction of `c` (see `_append`). The writes run beside the deciding
        (`ledger.chunks`): the cursor is read here only once they are drained."""
        from cqc_ledger.events.corrections import MENDING
        from cqc_ledger.events.oversight import SpecialMeasuresEntered, SpecialMeasuresExited
        from cqc_ledger.ledger.meaning import new_services
        from cqc_ledger.ledger.rules import check_placed, registers_a_location

        if restoring and held:
            raise StoreError(f"the ledger at {self.shown} is not empty: restore only into a new ledger")
        ledgers: dict[str, ProviderLedger] = {}
        first_new: dict[str, int] = {}  # provider -> the first position this input wrote
        regime_lines: dict[str, int] = {}  # ref -> line, of each special-measures entry
        last_stamp: datetime | None = None
        lines_of: list[int] = []  # the line of each ref in outcome.recorded, in turn
        # Restoring: the refusal of each line today's rules refuse (an export holds each line as
        # first recorded, under the rules of its day), and the refs the export's mends target.
        deferred: dict[str, InputError] = {}
        mended: set[str] = set()
        # Location id -> the providers that register it (stored, then this input's): read
        # from the store once an input registers a location.
        placed: dict[str, set[str]] | None = None
        for number, entry, form, stamp in lines:
            ledger = ledgers.get(entry.provider_id)
            if ledger is None:
                ledger = ledgers[entry.provider_id] = self._load(c, chunks, entry.provider_id, stored=held)
            form = form or canonical(entry)
            content = identity(entry.type_name, form)
            if isinstance(entry, MENDING) or ledger.reuses_an_id(entry, content):
                # a mend (or a report reusing an id) is decided on the whole history, read once written
                chunks.hand()
                chunks.drain()
            try:
                try:
                    duplicate = ledger.decide(entry, content)
                    placing = None if duplicate else registers_a_location(entry)
                    if placing:
                        if placed is None:
                            placed = self._placed(c, chunks) if held else {}
                        for holder in placed.get(placing[1], set()) - {entry.provider_id}:
                            if holder not in ledgers:
                                ledgers[holder] = self._load(c, chunks, holder, stored=held)
                            check_placed(ledgers[holder].facts, entry)
                        placed.setdefault(placing[1], set()).add(entry.provider_id)
                except RuleBroken as broken:
                    if not restoring or isinstance(entry, MENDING):
                        raise
                    deferred.setdefault(f"{entry.provider_id}/{ledger.version + 1}", broken.at_line(number))
                    duplicate = None
                if stamp is not None:
                    last_stamp = _check_stamp(stamp, entry, ledger, duplicate, last_stamp, outcome.recorded_at)  # type: ignore[arg-type]
            except InputError as refused:
                raise _unwritten(refused.at_line(number), outcome.recorded, lines_of) from None
            if duplicate:
                outcome.duplicates[number] = duplicate
                continue
            if isinstance(entry, MENDING):
                mended.add("{}/{}".format(*parse_ref(entry.ref)))
            recorded = ledger.append(entry, content, stamp.recorded_at if stamp else outcome.recorded_at)  # type: ignore[arg-type]
            chunks.add(recorded, form)
            outcome.recorded.append(recorded.ref)
            lines_of.append(number)
            for name in new_services(entry):
                if not any(f'"{name}"' in note for note in outcome.notes):
                    outcome.notes.append(
                        f'line {number}: service "{name}" is not among CQC\'s known services: recorded as written (a service CQC rates besides its core services)'
                    )
            first_new.setdefault(entry.provider_id, recorded.position)
            if isinstance(entry, (SpecialMeasuresEntered, SpecialMeasuresExited)):
                regime_lines[recorded.ref] = number
        # A line today's rules refuse is restored when a later line of the export mends it
        # (the mend itself is refused for any rule it breaks), and refused otherwise.
        unmended = [refused for ref, refused in deferred.items() if ref not in mended]
        if unmended:
            raise _unwritten(unmended[0], outcome.recorded, lines_of)
        for provider_id, first in first_new.items():
            try:  # special measures are checked on the whole input; a refusal rolls it all back
                ledgers[provider_id].settle(first)
            except RuleBroken as refused:
                line = regime_lines.get(f"{provider_id}/{refused.position}")
                raise _unwritten(refused.at_line(line) if line else refused, outcome.recorded, lines_of) from None
        chunks.hand()
        if restoring and last_stamp is not None:
            chunks.then(partial(self.store.set_clock, moment=last_stamp))
            outcome.recorded_at = last_stamp

    def _placed(self, c: Any, chunks: Chunks) -> dict[str, set[str]]:
        """Location id -> the providers whose stored entries register it, or correct an entry into
        its registration (a holder's facts say whether that still counts), read once the writes
        handed over are written."""
        from cqc_ledger.events.corrections import EntryCorrected
        from cqc_ledger.events.provider import LocationRegistered
        from cqc_ledger.ledger.rules import registers_a_location

        chunks.drain()
        placed: dict[str, set[str]] = {}
        for stored in self.store.of_topics(c, [*stored_topics(LocationRegistered), *stored_topics(EntryCorrected)]):
            entry = recorded_of(stored).entry
            placing = registers_a_location(entry)
            if placing:
                placed.setdefault(placing[1], set()).add(entry.provider_id)
        return placed

    def _load(self, c: Any, chunks: Chunks, provider_id: str, *, stored: bool) -> ProviderLedger:
        """The provider's ledger as stored (nothing to read when the ledger held no entries as the
        transaction began), read inside the recording transaction once the writes handed over are
        written (its history is read again from there only if a correction or retraction recorded
        in it needs it, after they are drained again: see `_decided`)."""

        def history() -> list[Recorded]:
            return [recorded_of(s) for s in self.store.stream(c, provider_id)]

        from cqc_ledger.ledger.provider import ProviderLedger

        if stored:
            chunks.drain()
        return self._folded(ProviderLedger(provider_id, history), self.store.stream(c, provider_id) if stored else ())

    def _folded(self, ledger: ProviderLedger, stored: Iterable[StoredEvent]) -> ProviderLedger:
        return ledger.load(_identified(stored))

    @property
    def store(self) -> Any:
        """The recorder with the ledger's own tables and statements (eventsourcing types it as a
        plain application recorder)."""
        return self.recorder

    # ---- reading ------------------------------------------------------------------------

    def provider(self, provider_id: str) -> ProviderLedger:
        """The provider's ledger as stored now, holding its whole history (empty if nothing is
        recorded for it yet)."""
        from cqc_ledger.ledger.provider import ProviderLedger

        with self.store.datastore.transaction(commit=False) as c:
            stored = self.store.stream(c, provider_id)
        return self._folded(ProviderLedger(provider_id), stored)

    def entries_of(self, provider_id: str, *, limit: int | None = None) -> list[Recorded]:
        """Every entry of a provider (or the first `limit`), in recording order; UnknownProvider
        if there are none."""
        recorded: list[Recorded] = list(self.events.get(provider_id, limit=limit))  # type: ignore[arg-type]
        if not recorded:
            raise UnknownProvider(provider_id, self.shown)
        return recorded

    def all_entries(self) -> Iterator[Recorded]:
        """Every entry of every provider, in recording order."""
        start = 0
        while True:
            page = self.recorder.select_notifications(start, _PAGE, inclusive_of_start=False)
            for notification in page:
                yield recorded_of(notification)
            if len(page) < _PAGE:
                return
            start = page[-1].id
