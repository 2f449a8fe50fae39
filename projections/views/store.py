"""The views in the ledger's own store: one row per entry and the headline facts, kept exactly once.

The views follow the entries by pulling (SQLite has no subscriptions): `catch_up` reads the
entries after the position tracked for the views and applies each page of them in one
transaction together with the new tracked position, through eventsourcing's tracking recorder.
A crash can then neither skip nor double an entry, and two processes catching up at once cannot
both apply the same page (the second one's tracking insert fails and its page rolls back).
Applying an entry again is harmless (rows already there are kept), so views whose tracked
position was lost catch up to the same rows.

`status` selects the provider's entries visible on the day as known at the time, reads them from
the store and folds them with the fold replay uses (`projections.status.status_of`): the views
equal replay by construction. Register-wide questions read the headline facts
(`projections.views.headlines`).

The logic is written once over both stores: statements use `?` placeholders and `{entries}`,
`{headlines}`, `{events}`, `{tracking}` and `{nid}` for the names, which `q` turns into the
store's own SQL. What differs by store is in a module of each store's own (`sqlite`, `postgres`),
imported where the store's views are opened.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import date, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol, cast

from eventsourcing.persistence import IntegrityError, PersistenceError, Tracking

from cqc_ledger.ledger.application import Follow, Ledger, collector_paused
from cqc_ledger.ledger.records import Recorded, format_time, parse_ref, seen_by
from cqc_ledger.ledger.store.beside import Write, beside
from cqc_ledger.ledger.store.codec import entry_kind, recorded_from_state, recorded_of
from cqc_ledger.ledger.store.sql import one, rows
from cqc_ledger.projections.status import Status, status_of
from cqc_ledger.projections.trusts import Headline
from cqc_ledger.projections.views import schema
from cqc_ledger.projections.views.headlines import RUNS, Fact, headlines_from
from cqc_ledger.projections.views.rows import EntryRow, HeadlineRow, recorded_rows, rows_of, stored_rows

if TYPE_CHECKING:
    from cqc_ledger.events.corrections import EntryCorrected

TRACKED_AS = "views"
PULL_PAGE = 2_000
# A write of at least this many entries, and at least a tenth of the entries the store then holds,
# has the planner's statistics refreshed after it commits (see `Views.refresh`).
REFRESH_AT = 1_000

# The read transactions each thread's answers hold open for all their reads (`Views.one_snapshot`):
# the cursor of each, by the views it reads (two ledgers' answers may be read one inside the other).
_PINNED = threading.local()


def _pins() -> dict[int, Any]:
    """This thread's held snapshots: the cursor of each, by the id of the views it reads."""
    return cast(dict[int, Any], vars(_PINNED).setdefault("pins", {}))


class Insert(Protocol):
    """How rows go in: given the transaction's cursor and the rows (which it empties)."""

    def __call__(self, c: Any, entries: list[EntryRow], headlines: list[HeadlineRow]) -> None: ...


_INSERT_ENTRIES = "INSERT {or_ignore} INTO {entries} VALUES (?, ?, ?, ?, ?, ?, NULL) {on_conflict}"
_INSERT_HEADLINES = "INSERT {or_ignore} INTO {headlines} VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?) {on_conflict}"
_WITHDRAW = "UPDATE {table} SET withdrawn_at = ? WHERE provider_id = ? AND position = ? AND withdrawn_at IS NULL AND mend < ?"
_PAGE = "SELECT {nid}, originator_id, originator_version, topic, state FROM {events} WHERE {nid} > ? ORDER BY {nid} LIMIT ?"


def _visible(table: str = "") -> str:
    """Of a view's rows (of `table`, as a query names it), those visible on a day (`valid_from` by
    it) as known at a time (recorded by it, not withdrawn by then): three parameters, the day,
    then the time twice."""
    t = f"{table}." if table else ""
    return f"{t}valid_from <= ? AND {t}recorded_at <= ? AND ({t}withdrawn_at IS NULL OR {t}withdrawn_at > ?)"


_VISIBLE = _visible()
# The provider is given to each table rather than joined on: on PostgreSQL the views' ids are
# collated "C" and the events' are not, and a join across collations cannot use the events' key.
_STATUS = f"""
    SELECT v.position, v.mend, e.topic, e.state AS state, m.state AS mending
    FROM {{entries}} v
    JOIN {{events}} e ON e.originator_id = ? AND e.originator_version = v.position
    LEFT JOIN {{events}} m ON m.originator_id = ? AND m.originator_version = v.mend
    WHERE v.provider_id = ? AND {_visible("v")}
    ORDER BY v.valid_from, v.position"""


class Views:
    """The views of one ledger, in its own store, sharing its connections and its tracking table."""

    names: dict[str, str]
    placeholder = "?"
    datastore: Any
    postgres = False
    rebuild_page = 20_000  # the stored entries a rebuild reads at a time

    if TYPE_CHECKING:  # given by eventsourcing's tracking recorder, which every store's views extend

        def max_tracking_id(self, application_name: str) -> int | None: ...
        def _max_tracking_id(self, application_name: str, c: Any) -> int | None: ...
        def _insert_tracking(self, c: Any, tracking: Tracking) -> None: ...

    def q(self, statement: str) -> str:
        names = {
            **self.names,
            "or_ignore": "" if self.postgres else "OR IGNORE",
            "on_conflict": "ON CONFLICT DO NOTHING" if self.postgres else "",
            # the views' ids compared as the events' are (PostgreSQL: so a join can use their key)
            "as_events": ' COLLATE "default"' if self.postgres else "",
        }
        return statement.format(**names).replace("?", self.placeholder)

    # ---- following the entries ----------------------------------------------------------

    def catch_up(self, ledger: Ledger, progress: Callable[[int], None] | None = None, *, wait: bool = True) -> int:
        """Applies every entry recorded since the views last caught up; returns how many.

        With `wait=False` (a reader), it gives up at once instead of waiting for another
        process's write lock, leaving the views behind: readers never wait on writers."""
        applied = 0
        if not self.max_tracking_id(TRACKED_AS) and (ledger.recorder.max_notification_id() or 0) > PULL_PAGE:
            try:  # views never built (a new layout, or tracking lost): the fast way
                return self.rebuild(ledger, progress, wait=wait)
            except PersistenceError:
                if wait:
                    raise
                return 0
        while True:
            start = self.max_tracking_id(TRACKED_AS) or 0
            page = ledger.recorder.select_notifications(start, PULL_PAGE, inclusive_of_start=False)
            if not page:
                return applied
            try:
                with self.datastore.transaction(commit=True) as c, self._waiting(c, wait):
                    self._insert_tracking(c, Tracking(TRACKED_AS, page[-1].id))
                    self._apply(c, [recorded_of(n) for n in page])
            except IntegrityError:
                if (self.max_tracking_id(TRACKED_AS) or 0) <= start:
                    raise
                continue  # another process applied this page first: carry on after it
            except PersistenceError:
                if wait:
                    raise
                return applied  # another process holds the write lock: leave it to them
            applied += len(page)
            if progress:
                progress(len(page))

    @contextmanager
    def _waiting(self, c: Any, wait: bool) -> Iterator[None]:
        """Without `wait`, the transaction fails at once rather than wait for a lock."""
        raise NotImplementedError
        yield

    def follow(self, recorded: list[Recorded]) -> Follow:
        """What the views write of entries being recorded (`ledger.chunks`): their rows, made
        here, where the entries are decided; the write applies them inside the transaction that
        records them when the views are up to date with everything before them, and otherwise
        leaves them for `catch_up` to pull. The rows are new then (the views hold rows only of
        entries they track), so they go in as a rebuild's do (`_insert_new`)."""
        writes = list(self._writes_of(recorded, [], [], self._insert_new))

        def follow(c: Any, ids: list[int]) -> None:
            c.execute(self.q("SELECT MAX({nid}) FROM {events} WHERE {nid} < ?"), (ids[0],))
            before = one(c) or 0
            if (self._max_tracking_id(TRACKED_AS, c) or 0) != before:
                return
            self._insert_tracking(c, Tracking(TRACKED_AS, ids[-1]))
            for write in writes:
                write(c)

        return follow

    def _apply(self, c: Any, recorded: Sequence[Recorded]) -> None:
        """Applies entries pulled by `catch_up` (rows already there are kept)."""
        for write in self._writes_of(recorded, [], [], self._insert):
            write(c)

    def _writes_of(
        self, recorded: Iterable[Recorded], entries: list[EntryRow], headlines: list[HeadlineRow], insert: Insert
    ) -> Iterator[Write]:
        """The writes of the rows of entries, in turn: their rows in bulk by `insert`, and each mend's
        withdrawal in its place, after the rows before it (which it may withdraw). `entries` and
        `headlines` are the rows gathered already, which whatever reads `recorded` may add to."""
        from cqc_ledger.events.corrections import MENDING, EntryCorrected  # here: see `_recorded`

        for r in recorded:
            if not isinstance(r.entry, MENDING):
                recorded_rows(r, entries, headlines)
                continue
            yield self._rows_write(entries, headlines, insert)
            provider_id, target = parse_ref(r.entry.ref)
            learned = format_time(r.recorded_at)
            yield partial(self._withdraw, provider_id=provider_id, target=target, position=r.position, learned=learned)
            if isinstance(r.entry, EntryCorrected):  # the replacement's rows: not withdrawn by it
                rows_of(r.entry.replacement, target, r.position, learned, entries, headlines)
        yield self._rows_write(entries, headlines, insert)

    @staticmethod
    def _rows_write(entries: list[EntryRow], headlines: list[HeadlineRow], insert: Insert) -> Write:
        """The write of the rows gathered, in the tables' key order (so the clustered tables are
        appended to rather than split at random); empties the lists."""
        write = partial(insert, entries=sorted(entries), headlines=sorted(headlines))
        entries.clear()
        headlines.clear()
        return write

    def _insert(self, c: Any, entries: list[EntryRow], headlines: list[HeadlineRow]) -> None:
        """Inserts rows (kept if already there), and empties the lists."""
        if entries:
            c.executemany(self.q(_INSERT_ENTRIES), entries)
        if headlines:
            c.executemany(self.q(_INSERT_HEADLINES), headlines)
        entries.clear()
        headlines.clear()

    def _withdraw(self, c: Any, provider_id: str, target: int, position: int, learned: str) -> None:
        """Withdraws the rows of the entry a mend at `position` mends, as learned at `learned`."""
        for table in ("{entries}", "{headlines}"):
            c.execute(self.q(_WITHDRAW.format(table=table)), (learned, provider_id, target, position))

    def rebuild(self, ledger: Ledger, progress: Callable[[int], None] | None = None, *, wait: bool = True) -> int:
        """Drops every row and rebuilds them all from the stored entries, in one transaction that
        first takes the ledger's write lock (so writers wait their turn): a crash leaves the views
        as they were, and readers see the old views until it commits. The store then tidies away
        the rows replaced (`_tidy`)."""
        applied, last = 0, 0
        with collector_paused(), self.datastore.transaction(commit=True) as c:
            with self._waiting(c, wait):
                ledger.recorder.lock(c)  # type: ignore[attr-defined]
            c.execute(self.q("DELETE FROM {entries}"))
            c.execute(self.q("DELETE FROM {headlines}"))
            c.execute(self.q("DELETE FROM {tracking} WHERE application_name = ?"), (TRACKED_AS,))
            with beside(c) as writes:
                for page in self._rebuild_pages(c):
                    for write in self._page_writes(page):
                        writes.hand(write)
                    last = page[-1][0]
                    applied += len(page)
                    if progress:
                        progress(len(page))
            if last:
                self._insert_tracking(c, Tracking(TRACKED_AS, last))
            self._analyse(c)
        self._tidy()
        return applied

    def _page_writes(self, page: list[tuple[Any, ...]]) -> Iterator[Write]:
        """What a rebuild writes of a page of stored entries: their rows in bulk, read straight from
        their bytes where they can be (`stored_rows`), a mend's withdrawal in its place."""
        entries: list[EntryRow] = []
        headlines: list[HeadlineRow] = []

        def read_whole() -> Iterator[Recorded]:
            for _, provider_id, position, topic, state in page:
                kind = entry_kind(topic)
                if not stored_rows(position, kind, state, entries, headlines):
                    yield recorded_from_state(kind, position, state, provider_id=provider_id)

        return self._writes_of(read_whole(), entries, headlines, self._insert_new)

    def _rebuild_pages(self, c: Any) -> Iterator[list[tuple[Any, ...]]]:
        """The stored entries a rebuild reads, in pages in the order of their ids, read in its
        transaction (which holds the write lock: nothing is written beside it)."""
        start = 0
        while page := self._rows(c, self.q(_PAGE), (start, self.rebuild_page)):
            yield page
            start = page[-1][0]

    def _rows(self, c: Any, statement: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        """The rows of `statement` (in the store's own SQL), read in the transaction of `c`, as tuples."""
        c.execute(statement, params)
        return self._tuples(c)

    def read(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """The rows of a statement over the views and the entries (written with `?` and the
        names `q` fills in), in one snapshot: the answer's, inside `one_snapshot`."""
        with self._snapshot() as c:
            return self._rows(c, self.q(statement), params)

    def _insert_new(self, c: Any, entries: list[EntryRow], headlines: list[HeadlineRow]) -> None:
        """Inserts rows none of which is there yet (a store may have a faster way than `_insert`);
        empties the lists."""
        self._insert(c, entries, headlines)

    def _analyse(self, c: Any) -> None:
        """Refreshes the planner's statistics after bulk work."""
        c.execute("ANALYZE")

    # What a failed refresh of the statistics raises (eventsourcing's errors, and each store's
    # driver's own): the write before it stands all the same.
    _analyse_failures: tuple[type[Exception], ...] = (PersistenceError,)

    def refresh(self, ledger: Ledger, wrote: int) -> bool:
        """After a write of `wrote` entries has committed: refreshes the planner's statistics of
        the tables reading commands query (`_analyse`) when the write grew the store
        substantially, at least `REFRESH_AT` entries and a tenth of what the store now holds, or
        when those tables have none yet (nothing has analysed them); returns whether it did.
        A small write into a big ledger pays one catalog query, not an ANALYZE. Best effort:
        the write stands whether or not this succeeds."""
        if not wrote:
            return False
        try:
            grew = wrote >= REFRESH_AT and wrote * 10 >= (ledger.recorder.max_notification_id() or 0)
            if not grew and self._has_statistics():
                return False
            with self.datastore.transaction(commit=True) as c:
                self._analyse(c)
        except self._analyse_failures:
            return False
        return True

    def _has_statistics(self) -> bool:
        """Whether the views' tables have planner statistics (each store keeps them its own way)."""
        raise NotImplementedError

    def _tidy(self) -> None:
        """After a rebuild has committed: clears away the rows it replaced (a store may need to)."""

    # ---- answering ----------------------------------------------------------------------

    @contextmanager
    def one_snapshot(self) -> Iterator[None]:
        """Every read of these views in the block, in this thread, is made in one read
        transaction, which sees one state of the store throughout: an answer made of several
        reads (`changes`: the period's entries, the names, the entries before) shows an input
        recorded meanwhile in all of them or in none, never the state before it in one read and
        the state after it in the next. A block inside another shares the outer one's."""
        if self._pinned() is not None:
            yield
            return
        pins = _pins()
        with self._snapshot() as c:
            pins[id(self)] = c
            try:
                yield
            finally:
                del pins[id(self)]

    def _pinned(self) -> Any | None:
        """The cursor of this thread's `one_snapshot` of these views, if it is in one."""
        return _pins().get(id(self))

    @contextmanager
    def _snapshot(self) -> Iterator[Any]:
        """A read transaction that sees one state of the store throughout (inside `one_snapshot`,
        the answer's)."""
        pinned = self._pinned()
        if pinned is not None:
            yield pinned
            return
        with self._read_transaction() as c:
            yield c

    def _read_transaction(self) -> AbstractContextManager[Any]:
        """A new read transaction that sees one state of the store throughout (a store may need to
        ask for that)."""
        return cast(AbstractContextManager[Any], self.datastore.transaction(commit=False))

    def _behind(self, c: Any) -> int:
        c.execute(self.q("SELECT MAX({nid}) FROM {events}"))
        last = one(c) or 0
        return last - (self._max_tracking_id(TRACKED_AS, c) or 0)

    def behind(self) -> int:
        """How many entries the views have not applied yet."""
        with self._snapshot() as c:
            return self._behind(c)

    def status(self, provider_id: str, at: date, known_at: datetime | None = None, *, current: bool = False) -> Status | None:
        """The provider's status at the end of `at`, as known at `known_at`: its visible entries
        folded as replay folds them. With `current`, None when the views are behind."""
        seen = seen_by(known_at)
        found = self._status_rows(provider_id, at.isoformat(), seen, current=current)
        if found is None:
            return None
        return status_of([_recorded(provider_id, *row) for row in found], provider_id, at)

    def _status_rows(self, provider_id: str, day: str, seen: str, *, current: bool) -> list[tuple[Any, ...]] | None:
        """The rows `status` folds (see `_STATUS`), read in one snapshot; None when `current`
        and the views are behind."""
        return self._read(
            lambda c: self._rows(c, self.q(_STATUS), (provider_id, provider_id, provider_id, day, seen, seen)), current=current
        )

    def _read(self, read: Callable[[Any], list[tuple[Any, ...]]], *, current: bool) -> list[tuple[Any, ...]] | None:
        """What `read` reads in one snapshot (given its transaction); None when `current` and the
        views are behind."""
        with self._snapshot() as c:
            if current and self._behind(c):
                return None
            return read(c)

    def headline_facts(
        self, at: date, known_at: datetime | None = None, topics: Sequence[str] | None = None, *, current: bool = False
    ) -> list[Fact] | None:
        """Every provider's headline facts in force on `at` as known at `known_at` (see
        `projections.views.headlines`). With `current`, None when the views are behind."""
        found = self._visible_headlines(at, known_at, topics, current=current)
        return None if found is None else _in_force(found)

    def headlines(self, at: date, known_at: datetime | None = None, *, current: bool = False) -> list[Headline] | None:
        """Every provider registered by `at`, with its headline (what `trusts` shows). The cycle
        collector rests while the rows are read and folded, and they are let go before it resumes:
        they hold no cycles, and it would walk them over and over as they grow."""
        with collector_paused():
            return self._folded_headlines(at, known_at, current=current)

    def _folded_headlines(self, at: date, known_at: datetime | None, *, current: bool) -> list[Headline] | None:
        day, seen, gone_by = at.isoformat(), seen_by(known_at), (at + timedelta(days=1)).isoformat()
        found = self._read(lambda c: self._headline_facts(c, day, seen, gone_by), current=current)
        return None if found is None else headlines_from(found, at)

    def _visible_headlines(
        self, at: date, known_at: datetime | None, topics: Sequence[str] | None = None, *, current: bool
    ) -> list[tuple[Any, ...]] | None:
        """Every headline fact visible on `at` as known at `known_at` (of `topics`, or all), in the
        tables' order (see `_VISIBLE_HEADLINES`). With `current`, None when the views are behind."""
        day, seen = at.isoformat(), seen_by(known_at)
        where = f"AND topic IN ({', '.join('?' for _ in topics)})" if topics else ""
        statement = self.q(_VISIBLE_HEADLINES.format(headlines="{headlines}", where=where))

        def read(c: Any) -> list[tuple[Any, ...]]:
            with self._in_key_order(c) if not topics else nullcontext():
                return self._rows(c, statement, (day, seen, seen, day, *(topics or ())))

        return self._read(read, current=current)

    def _headline_facts(self, c: Any, day: str, seen: str, gone_by: str) -> list[tuple[Any, ...]]:
        """What `headlines` folds, read in the transaction of `c`: every fact visible on `day` as
        known at `seen`, a deregistration before `gone_by` (the day after: the headline's
        `leaving`), in the tables' order. A store may leave out facts the fold sets aside
        (SQLite: see `projections.views.sqlite`)."""
        with self._in_key_order(c):
            return self._rows(c, self.q(_VISIBLE_HEADLINES.format(headlines="{headlines}", where="")), (day, seen, seen, gone_by))

    def _in_key_order(self, c: Any) -> AbstractContextManager[None]:
        """Has the transaction's reads in the block read a table in its key's order where a query
        asks for that order (SQLite does so by itself: its tables are clustered by their keys)."""
        return nullcontext()

    def _tuples(self, c: Any) -> list[tuple[Any, ...]]:
        """Every remaining row of a query, as tuples."""
        return rows(c)


def _recorded(provider_id: str, position: int, mend: int, topic: str, state: Any, mending: Any) -> Recorded:
    """The entry a row of `view_entries` stands for, read from the store (through the codec, whose
    one rule refuses a damaged row): a corrected entry as its replacement, at its own time.

    The corrections' types are imported where the views mend (`_writes_of`), not
    above: `trusts` reads the views' rows alone, and starts without making any entry type."""
    recorded = recorded_from_state(entry_kind(topic), position, state, provider_id=provider_id)
    if not mend:
        return recorded
    correction = cast("EntryCorrected", recorded_from_state("EntryCorrected", mend, mending, provider_id=provider_id).entry)
    return Recorded(correction.replacement, position, recorded.recorded_at)


# Every visible fact, in the tables' own order (so neither store sorts): each subject's facts
# together, latest last. Picking the latest of each is left to Python: grouping in SQL cost ten
# times the scan.
_VISIBLE_HEADLINES = f"""
    SELECT provider_id, topic, subject, valid_from, position, value
    FROM {{headlines}} WHERE {_VISIBLE} AND {schema.DEREGISTERED_BY} {{where}}
    ORDER BY provider_id, topic, subject, valid_from, position"""


def _in_force(found: list[tuple[Any, ...]]) -> list[Fact]:
    """The facts in force among visible facts in the order above: the latest of each subject,
    and every fact of a run topic."""
    facts: list[Fact] = []
    days: dict[str, date] = {}
    subject = None
    for p, t, s, on, position, value in found:
        day = days.get(on) or days.setdefault(on, date.fromisoformat(on))
        fact = Fact(p, t, s, day, position, value)
        if t in RUNS:
            facts.append(fact)
        elif (p, t, s) == subject:
            facts[-1] = fact  # a later fact of the same subject replaces the one before
        else:
            facts.append(fact)
            subject = (p, t, s)
    return facts
