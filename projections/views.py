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
from eventsourcing.sqlite import SQLiteTrackingRecorder

from cqc_ledger.events.corrections import EntryCorrected, EntryRetracted
from cqc_ledger.ledger.application import Ledger
from cqc_ledger.ledger.records import Recorded, format_time, parse_ref
from cqc_ledger.ledger.store.codec import entry_kind, recorded_from_state
from cqc_ledger.ledger.store.sql import as_bytes, one, rows
from cqc_ledger.ledger.store.sqlite import created_in_turn
from cqc_ledger.ledger.store.target import is_postgres
from cqc_ledger.projections.facts import Held, facts_of, status_from_facts
from cqc_ledger.projections.status import Status

TRACKED_AS = "views"
_END_OF_TIME = "9999-12-31T23:59:59.999999Z"

HEADLINE_WHERE = "topic IN ('name', 'regime', 'notice', 'assessment') OR (topic = 'cell' AND subject = '[null,null,\"overall\"]')"

SQLITE_TABLES = [
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
    f"CREATE INDEX IF NOT EXISTS view_headlines ON view_facts (topic, subject, provider_id, valid_from, position) WHERE {HEADLINE_WHERE}",
    *[
        f"""CREATE VIEW IF NOT EXISTS {name} AS
        SELECT provider_id, {columns}, valid_from,
               LEAD(valid_from) OVER (PARTITION BY provider_id, topic, subject ORDER BY valid_from, position) AS valid_until,
               provider_id || '/' || position AS ref, recorded_at
        FROM view_facts WHERE topic IN ({topics}) AND retracted_at IS NULL"""
        for name, topics, columns in [
            (
                "rating_intervals",
                "'cell'",
                "json_extract(subject, '$[0]') AS location_id, json_extract(subject, '$[1]') AS service, "
                "json_extract(subject, '$[2]') AS question, value AS rating",
            ),
            ("special_measures_intervals", "'regime'", "subject AS regime, json_extract(value, '$.entered') AS in_force"),
            (
                "oversight_intervals",
                "'oversight'",
                "json_extract(value, '$.framework') AS framework, json_extract(value, '$.segment') AS segment",
            ),
            ("name_intervals", "'name', 'location'", "NULLIF(subject, '') AS location_id, json_extract(value, '$.name') AS name"),
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

_INSERT = "INSERT INTO {facts} VALUES (?, ?, ?, ?, ?, ?, NULL, ?)"
PULL_PAGE = 2_000
_WITHDRAW = "UPDATE {facts} SET retracted_at = ? WHERE provider_id = ? AND position = ? AND retracted_at IS NULL"
_VISIBLE = "valid_from <= ? AND recorded_at <= ? AND (retracted_at IS NULL OR retracted_at > ?)"
_LATEST = f"""
    SELECT provider_id, topic, subject, valid_from, position, value FROM (
        SELECT provider_id, topic, subject, valid_from, position, value,
               ROW_NUMBER() OVER (PARTITION BY provider_id, topic, subject ORDER BY valid_from DESC, position DESC) AS latest
        FROM {{facts}} WHERE {{where}} AND {_VISIBLE}
    ) AS found WHERE latest = 1 OR topic IN ('action', 'cell')"""


def _plain(value: Any) -> str:
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


class Views:
    """The views of one ledger, in its own store, sharing its connections and its tracking table.

    The logic is written once over both stores: statements use `?` placeholders and `{facts}`,
    `{events}`, `{tracking}` and `{nid}` for the names, which `q` turns into the store's own SQL.
    """

    names: dict[str, str]
    placeholder = "?"
    datastore: Any

    def q(self, statement: str) -> str:
        return statement.format(**self.names).replace("?", self.placeholder)

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

    def follow(self, c: Any, recorded: Sequence[Recorded], ids: Sequence[int]) -> None:
        """Applies entries inside the transaction that records them, when the views are up to
        date with everything before them; otherwise leaves them for `catch_up` to pull."""
        c.execute(self.q("SELECT MAX({nid}) FROM {events} WHERE {nid} < ?"), (ids[0],))
        before = one(c) or 0
        if (self._max_tracking_id(TRACKED_AS, c) or 0) != before:
            return
        self._insert_tracking(c, Tracking(TRACKED_AS, ids[-1]))
        self._apply(c, recorded)

    def _apply(self, c: Any, recorded: Sequence[Recorded]) -> None:
        run: list[Recorded] = []
        for r in recorded:
            if isinstance(r.entry, (EntryRetracted, EntryCorrected)):
                self._insert(c, sorted(_rows(run)))  # the mend may target an entry of this run
                run = []
                self._insert(c, list(self._mend(c, r)))
            else:
                run.append(r)
        # In key order, so a clustered table is appended to rather than split at random.
        self._insert(c, sorted(_rows(run)))

    def _insert(self, c: Any, found: list[tuple[Any, ...]]) -> None:
        """Inserts fact rows (a store may have a faster way than one statement per row)."""
        if found:
            c.executemany(self.q(_INSERT), found)

    def _mend(self, c: Any, mend: Recorded) -> Iterator[tuple[Any, ...]]:
        """Withdraws the facts of the mended entry; a correction states its replacement's."""
        provider_id, position = parse_ref(mend.entry.ref)  # type: ignore[attr-defined]
        c.execute(self.q(_WITHDRAW), (format_time(mend.recorded_at), provider_id, position))
        if not isinstance(mend.entry, EntryCorrected):
            return iter(())
        c.execute(self.q("SELECT topic, state FROM {events} WHERE originator_id = ? AND originator_version = ?"), (provider_id, position))
        topic, state = rows(c)[0]
        original = recorded_from_state(entry_kind(topic), position, as_bytes(state))
        corrected = Recorded(mend.entry.replacement, position, original.recorded_at)
        return _rows([corrected], mend.recorded_at)

    def rebuild(self, ledger: Ledger, progress: Callable[[int], None] | None = None) -> int:
        """Drops every fact and rebuilds them all from the entries, in one transaction: a crash
        leaves the views as they were, and readers see the old views until it commits."""
        applied, start = 0, 0
        with self.datastore.transaction(commit=True) as c:
            c.execute(self.q("DELETE FROM {facts}"))
            c.execute(self.q("DELETE FROM {tracking} WHERE application_name = ?"), (TRACKED_AS,))
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
        held = self._latest(f"({HEADLINE_WHERE})", (), at, known_at)
        by_provider: dict[str, list[Held]] = {}
        for provider_id, h in held:
            by_provider.setdefault(provider_id, []).append(h)
        statuses = [status_from_facts(p, hs) for p, hs in sorted(by_provider.items())]
        return [s for s in statuses if s.name is not None]

    def _latest(self, where: str, params: tuple[Any, ...], at: date, known_at: datetime | None) -> Any:
        seen = format_time(known_at) if known_at else _END_OF_TIME
        statement = self.q(_LATEST.format(where=where, facts="{facts}"))
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, (*params, at.isoformat(), seen, seen))
            found = rows(c)
        held = [(row[0], Held(row[1], row[2], date.fromisoformat(row[3]), row[4], _decode(row[1], row[5]))) for row in found]
        if "provider_id = ?" in where:
            return [h for _, h in held]
        return held


def _rows(recorded: Iterable[Recorded], learned: datetime | None = None) -> Iterator[tuple[Any, ...]]:
    """The rows of the facts the entries state, learned when they were recorded (or at `learned`)."""
    for r in recorded:
        at = format_time(learned or r.recorded_at)
        provider_id, position = r.entry.provider_id, r.position
        on = r.entry.on.isoformat()  # type: ignore[attr-defined]  # every fact of an entry is from its day
        for f in facts_of(r):
            yield provider_id, f.topic, f.subject, on, position, at, _encode(f.topic, f.value)


def _encode(topic: str, value: Any) -> str:
    """A fact's value as stored: a cell's rating word as it is, anything else as JSON."""
    if topic == "cell":
        return value["rating"]
    return orjson.dumps(value, default=_plain).decode()


def _decode(topic: str, value: str) -> dict[str, Any]:
    return {"rating": value} if topic == "cell" else orjson.loads(value)


class SQLiteViews(Views, SQLiteTrackingRecorder):
    """The views of a SQLite ledger, in its file."""

    names = {"facts": "view_facts", "events": "stored_events", "tracking": "tracking", "nid": "rowid"}  # noqa: RUF012

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *SQLITE_TABLES]

    def create_table(self) -> None:
        created_in_turn(super().create_table)  # two processes may be opening a new ledger at once


def open_views(ledger: Ledger) -> Views:
    """The views of a ledger, their tables created if need be."""
    if is_postgres(ledger.target):
        from cqc_ledger.projections.views_postgres import PostgresViews  # needs the optional psycopg

        views: Views = ledger.factory.tracking_recorder(PostgresViews)  # type: ignore[arg-type]
    else:
        views = ledger.factory.tracking_recorder(SQLiteViews)  # type: ignore[arg-type]
    views.names = {**views.names, "events": ledger.recorder.names["events"]}  # type: ignore[attr-defined]
    return views
