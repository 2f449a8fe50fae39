"""The materialised views: every fact of every entry, in the ledger's own store, kept exactly once.

`view_facts` holds one row per fact (see `projections.facts`) with its valid-from day, its ref,
when it was learned and when it was withdrawn. SQL views over it (`rating_intervals`,
`special_measures_intervals`, `oversight_intervals`, `name_intervals`, `warning_notices`) give
each value's interval, valid from and valid until, as the ledger knows it now.

The views follow the entries by pulling (SQLite has no subscriptions): `catch_up` reads the
entries after the position tracked for the views and applies each page of them in one
transaction together with the new tracked position, through eventsourcing's tracking recorder.
A crash can then neither skip nor double an entry, and two processes catching up at once cannot
both apply the same page (the second one's tracking insert fails and its page rolls back).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

import orjson
from eventsourcing.persistence import IntegrityError, Tracking
from eventsourcing.sqlite import SQLiteCursor, SQLiteTrackingRecorder

from events.corrections import EntryCorrected, EntryRetracted
from ledger.application import Ledger
from ledger.codec import recorded_from_state
from ledger.records import Recorded, format_time, parse_ref
from projections.facts import Held, facts_of, status_from_facts
from projections.status import Status

TRACKED_AS = "views"
_END_OF_TIME = "9999-12-31T23:59:59.999999Z"

_HEADLINE_WHERE = "topic IN ('name', 'regime', 'notice', 'assessment') OR (topic = 'cell' AND subject = '[null,null,\"overall\"]')"

_TABLES = [
    # Clustered by what status asks for: one provider's facts, subject by subject, in effect order.
    """CREATE TABLE IF NOT EXISTS view_facts (
        provider_id TEXT NOT NULL,
        topic TEXT NOT NULL,
        subject TEXT NOT NULL,
        valid_from TEXT NOT NULL,
        position INTEGER NOT NULL,
        recorded_at TEXT NOT NULL,
        retracted_at TEXT,
        value TEXT NOT NULL,
        PRIMARY KEY (provider_id, topic, subject, valid_from, position, recorded_at)) WITHOUT ROWID""",
    # What `trusts` asks for across the register: the headline facts only, so the index stays small.
    f"CREATE INDEX IF NOT EXISTS view_headlines ON view_facts (topic, subject, provider_id, valid_from, position) "
    f"WHERE {_HEADLINE_WHERE}",
    *[
        f"""CREATE VIEW IF NOT EXISTS {name} AS
        SELECT provider_id, {columns}, valid_from,
               LEAD(valid_from) OVER (PARTITION BY provider_id, topic, subject ORDER BY valid_from, position) AS valid_until,
               provider_id || '/' || position AS ref, recorded_at
        FROM view_facts WHERE topic IN ({topics}) AND retracted_at IS NULL"""
        for name, topics, columns in [
            ("rating_intervals", "'cell'",
             "json_extract(subject, '$[0]') AS location_id, json_extract(subject, '$[1]') AS service, "
             "json_extract(subject, '$[2]') AS question, value AS rating"),
            ("special_measures_intervals", "'regime'",
             "subject AS regime, json_extract(value, '$.entered') AS in_force"),
            ("oversight_intervals", "'oversight'",
             "json_extract(value, '$.framework') AS framework, json_extract(value, '$.segment') AS segment"),
            ("name_intervals", "'name', 'location'",
             "NULLIF(subject, '') AS location_id, json_extract(value, '$.name') AS name"),
        ]
    ],
    """CREATE VIEW IF NOT EXISTS warning_notices AS
        SELECT n.provider_id, n.subject AS notice_id, json_extract(n.value, '$.section') AS section,
               n.valid_from AS issued_on, json_extract(n.value, '$.deadline') AS deadline,
               COALESCE(json_extract(a.value, '$.outcome'), 'open') AS status, a.valid_from AS closed_on,
               n.provider_id || '/' || n.position AS ref
        FROM view_facts n LEFT JOIN view_facts a
          ON a.provider_id = n.provider_id AND a.topic = 'assessment' AND a.subject = n.subject AND a.retracted_at IS NULL
        WHERE n.topic = 'notice' AND n.retracted_at IS NULL""",
]

_INSERT = "INSERT INTO view_facts VALUES (?, ?, ?, ?, ?, ?, NULL, ?)"
PULL_PAGE = 10_000
_WITHDRAW = "UPDATE view_facts SET retracted_at = ? WHERE provider_id = ? AND position = ? AND retracted_at IS NULL"
_VISIBLE = "valid_from <= ? AND recorded_at <= ? AND (retracted_at IS NULL OR retracted_at > ?)"
_LATEST = f"""
    SELECT provider_id, topic, subject, valid_from, position, value FROM (
        SELECT provider_id, topic, subject, valid_from, position, value,
               ROW_NUMBER() OVER (PARTITION BY provider_id, topic, subject ORDER BY valid_from DESC, position DESC) AS latest
        FROM view_facts WHERE {{where}} AND {_VISIBLE})
    WHERE latest = 1 OR topic = 'action'"""


def _plain(value: Any) -> str:
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


class Views(SQLiteTrackingRecorder):
    """The views of one SQLite ledger, sharing its file, its connections and its tracking table."""

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *_TABLES]

    # ---- following the entries ----------------------------------------------------------

    def catch_up(self, ledger: Ledger, progress: Callable[[int], None] | None = None) -> int:
        """Applies every entry recorded since the views last caught up; returns how many."""
        applied = 0
        while True:
            start = self.max_tracking_id(TRACKED_AS) or 0
            page = ledger.recorder.select_notifications(start, PULL_PAGE, inclusive_of_start=False)
            if not page:
                return applied
            try:
                with self.datastore.transaction(commit=True) as c:
                    self._insert_tracking(c, Tracking(TRACKED_AS, page[-1].id))
                    self._apply(c, [ledger.mapper.to_domain_event(n) for n in page])
            except IntegrityError:
                continue  # another process applied this page first: carry on after it
            applied += len(page)
            if progress:
                progress(len(page))

    def follow(self, c: SQLiteCursor, recorded: Sequence[Recorded], ids: Sequence[int]) -> None:
        """Applies entries inside the transaction that records them, when the views are up to
        date with everything before them; otherwise leaves them for `catch_up` to pull."""
        if (self._max_tracking_id(TRACKED_AS, c) or 0) != ids[0] - 1:
            return
        self._insert_tracking(c, Tracking(TRACKED_AS, ids[-1]))
        self._apply(c, recorded)

    def _apply(self, c: SQLiteCursor, recorded: Sequence[Recorded]) -> None:
        run: list[Recorded] = []
        for r in recorded:
            if isinstance(r.entry, (EntryRetracted, EntryCorrected)):
                c.executemany(_INSERT, sorted(_rows(run)))  # the mend may target an entry of this run
                run = []
                c.executemany(_INSERT, self._mend(c, r))
            else:
                run.append(r)
        # In key order, so the clustered table is appended to rather than split at random.
        c.executemany(_INSERT, sorted(_rows(run)))

    def _mend(self, c: SQLiteCursor, mend: Recorded) -> Iterator[tuple[Any, ...]]:
        """Withdraws the facts of the mended entry; a correction states its replacement's."""
        provider_id, position = parse_ref(mend.entry.ref)  # type: ignore[attr-defined]
        c.execute(_WITHDRAW, (format_time(mend.recorded_at), provider_id, position))
        if not isinstance(mend.entry, EntryCorrected):
            return iter(())
        c.execute("SELECT topic, state FROM stored_events WHERE originator_id = ? AND originator_version = ?", (provider_id, position))
        topic, state = c.fetchone()
        original = recorded_from_state(topic.rpartition(":")[2], position, state)
        corrected = Recorded(mend.entry.replacement, position, original.recorded_at)
        return _rows([corrected], mend.recorded_at)

    def rebuild(self, ledger: Ledger, progress: Callable[[int], None] | None = None) -> int:
        """Drops every fact and rebuilds them all from the entries, in one transaction: a crash
        leaves the views as they were, and readers see the old views until it commits."""
        applied, start = 0, 0
        with self.datastore.transaction(commit=True) as c:
            c.execute("DELETE FROM view_facts")
            c.execute("DELETE FROM tracking WHERE application_name = ?", (TRACKED_AS,))
            while page := ledger.recorder.select_notifications(start, PULL_PAGE, inclusive_of_start=False):
                self._apply(c, [ledger.mapper.to_domain_event(n) for n in page])
                start = page[-1].id
                applied += len(page)
                if progress:
                    progress(len(page))
            if start:
                self._insert_tracking(c, Tracking(TRACKED_AS, start))
        return applied

    # ---- answering ----------------------------------------------------------------------

    def status(self, provider_id: str, at: date, known_at: datetime | None = None) -> Status:
        """The provider's status at the end of `at`, as known at `known_at`: equal to `status_at`."""
        held = self._latest("provider_id = ?", (provider_id,), at, known_at)
        return status_from_facts(provider_id, held)

    def statuses(self, at: date, known_at: datetime | None = None) -> list[Status]:
        """Every provider registered by `at`, with its name, trust overall, regimes and notices."""
        held = self._latest(f"({_HEADLINE_WHERE})", (), at, known_at)
        by_provider: dict[str, list[Held]] = {}
        for provider_id, h in held:
            by_provider.setdefault(provider_id, []).append(h)
        statuses = [status_from_facts(p, hs) for p, hs in sorted(by_provider.items())]
        return [s for s in statuses if s.name is not None]

    def _latest(self, where: str, params: tuple[Any, ...], at: date, known_at: datetime | None) -> Any:
        seen = format_time(known_at) if known_at else _END_OF_TIME
        statement = _LATEST.format(where=where)
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, (*params, at.isoformat(), seen, seen))
            rows = c.fetchall()
        held = [
            (row[0], Held(row[1], row[2], date.fromisoformat(row[3]), row[4], _decode(row[1], row[5])))
            for row in rows
        ]
        if "provider_id = ?" in where:
            return [h for _, h in held]
        return held


def _rows(recorded: Iterable[Recorded], learned: datetime | None = None) -> Iterator[tuple[Any, ...]]:
    """The rows of the facts the entries state, learned when they were recorded (or at `learned`)."""
    for r in recorded:
        at = format_time(learned or r.recorded_at)
        provider_id, position = r.entry.provider_id, r.position
        for f in facts_of(r):
            yield provider_id, f.topic, f.subject, f.on.isoformat(), position, at, _encode(f.topic, f.value)


def _encode(topic: str, value: Any) -> str:
    """A fact's value as stored: a cell's rating word as it is, anything else as JSON."""
    if topic == "cell":
        return value["rating"]
    return orjson.dumps(value, default=_plain).decode()


def _decode(topic: str, value: str) -> dict[str, Any]:
    return {"rating": value} if topic == "cell" else orjson.loads(value)


def open_views(ledger: Ledger) -> Views:
    """The views of a ledger, their tables created if need be."""
    return ledger.factory.tracking_recorder(Views)  # type: ignore[arg-type]


def caught_up(ledger: Ledger, progress: Callable[[int], None] | None = None) -> Views:
    """The ledger's views, after applying whatever was recorded since they last caught up."""
    views = open_views(ledger)
    views.catch_up(ledger, progress)
    return views


