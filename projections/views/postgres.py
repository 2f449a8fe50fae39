"""The views of a PostgreSQL ledger: the same rows, tracking and queries, in its schema.

Needs the optional dependency: `pip install 'cqc-ledger[postgres]'` (psycopg 3).
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from eventsourcing.persistence import PersistenceError
from eventsourcing.postgres import PostgresTrackingRecorder
from psycopg.rows import tuple_row
from psycopg.sql import SQL

from cqc_ledger.ledger.store.beside import read_ahead
from cqc_ledger.ledger.store.postgres import CreatedOneAtATime, qualified
from cqc_ledger.ledger.store.sql import one
from cqc_ledger.projections.views import schema
from cqc_ledger.projections.views.rows import EntryRow, HeadlineRow
from cqc_ledger.projections.views.store import _PAGE, _STATUS, TRACKED_AS, Views

# Rows that may be there already (catching up again after the tracked position was lost) are
# kept: each column as one binary array, not a round trip per row.
_INSERT_ENTRIES = """INSERT INTO {entries} (provider_id, valid_from, position, mend, kind, recorded_at)
    SELECT * FROM unnest(%b::text[], %b::text[], %b::int8[], %b::int8[], %b::text[], %b::text[]) ON CONFLICT DO NOTHING"""
_INSERT_HEADLINES = """INSERT INTO {headlines} (provider_id, topic, subject, valid_from, position, mend, recorded_at, value)
    SELECT * FROM unnest(%b::text[], %b::text[], %b::text[], %b::text[], %b::int8[], %b::int8[], %b::text[], %b::text[])
    ON CONFLICT DO NOTHING"""
# New rows: one binary COPY a table.
_COPY = {
    "entries": (
        "COPY {entries} (provider_id, valid_from, position, mend, kind, recorded_at) FROM STDIN (FORMAT BINARY)",
        ["text", "text", "int8", "int8", "text", "text"],
    ),
    "headlines": (
        "COPY {headlines} (provider_id, topic, subject, valid_from, position, mend, recorded_at, value) FROM STDIN (FORMAT BINARY)",
        ["text", "text", "text", "text", "int8", "int8", "text", "text"],
    ),
}

# `status`'s rows (those of `_STATUS`) after how far behind the views are, in one statement, so
# one snapshot: no rows are read when the views are behind (the one row then says by how much).
_CURRENT_STATUS = """
    SELECT b.behind, s.position, s.mend, s.topic, s.state, s.mending
    FROM (SELECT COALESCE((SELECT MAX(notification_id) FROM {events}), 0)
            - COALESCE((SELECT MAX(notification_id) FROM {tracking} WHERE application_name = %s), 0) AS behind) b
    LEFT JOIN LATERAL (
        SELECT v.valid_from, v.position, v.mend, e.topic, e.state, m.state AS mending
        FROM {entries} v
        JOIN {events} e ON e.originator_id = %s AND e.originator_version = v.position
        LEFT JOIN {events} m ON m.originator_id = %s AND m.originator_version = v.mend
        WHERE b.behind = 0 AND v.provider_id = %s AND v.valid_from <= %s AND v.recorded_at <= %s
            AND (v.withdrawn_at IS NULL OR v.withdrawn_at > %s)) s ON true
    ORDER BY s.valid_from, s.position"""

# A store of the earlier layout: its views are dropped (and rebuilt by the first catch-up).
_MIGRATE = """DO $$ BEGIN
    IF EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = '{schema_name}' AND tablename = 'view_facts') THEN
        {drops}
        DELETE FROM {tracking} WHERE application_name = '{tracked}';
    END IF;
END $$"""


class PostgresViews(CreatedOneAtATime, Views, PostgresTrackingRecorder):
    """The views of a PostgreSQL ledger, beside its events in the same schema."""

    placeholder = "%s"
    postgres = True

    def __init__(self, datastore: Any, *, events: str, **kwargs: Any):
        super().__init__(datastore, **kwargs)
        name = self.datastore.schema
        self.tables = ("view_entries", "view_headlines", self.tracking_table_name)
        self.names = {
            "entries": qualified(name, "view_entries"),
            "headlines": qualified(name, "view_headlines"),
            "events": events,
            "tracking": qualified(name, self.tracking_table_name),
            "nid": "notification_id",
            "schema": f'"{name}"',
        }
        self._status_sql = self.q(_STATUS)
        self._current_status_sql = _CURRENT_STATUS.format(**self.names)
        drops = " ".join(f"DROP {kind} IF EXISTS {qualified(name, obj)} CASCADE;" for kind, obj in schema.OLD_OBJECTS)
        self.sql_create_statements += [
            SQL(_MIGRATE.format(schema_name=name.replace("'", "''"), drops=drops, tracking=self.names["tracking"], tracked=TRACKED_AS)),  # type: ignore[list-item]
            *[SQL(s) for s in schema.tables(postgres=True, names=self.names)],  # type: ignore[list-item]
            *[SQL(s) for s in schema.sql_views(postgres=True, names=self.names)],  # type: ignore[list-item]
        ]

    def made(self, seen: Mapping[str, frozenset[str]]) -> bool:
        """Whether the columns `seen` in the schema (see `Ledger.seen`) show these views made as
        this release makes them: their tables, and the analysts' views of this layout."""
        view, column = schema.CURRENT_VIEWS_COLUMN
        return all(table in seen for table in self.tables) and column in seen.get(view, ())

    def create_table(self) -> None:
        """Creates the views of a new store; in a store made by an earlier release, replaces its
        analysts' views with this one's (left as they are where the schema cannot be written)."""
        super().create_table()
        view, column = schema.CURRENT_VIEWS_COLUMN
        name = self.datastore.schema
        with self.datastore.get_connection() as conn:
            found = conn.execute(
                "SELECT count(*) AS n FROM information_schema.columns WHERE table_schema = %s AND table_name = %s AND column_name = %s",
                (name, view, column),
            ).fetchone()
            # The view's stored rule is read from the catalog: pg_get_viewdef would lock the view
            # and what it reads, and so deadlock with another process creating or replacing them.
            written = conn.execute(
                "SELECT count(*) AS n FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class "
                "JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = %s AND c.relname = %s AND strpos(r.ev_action::text, %s) > 0",
                (name, view, schema.CURRENT_VIEWS_WORD),
            ).fetchone()
        if found["n"] and written["n"]:
            return
        try:
            with self.datastore.transaction(commit=True) as c:
                c.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (name,))
                for old in reversed(schema.SQL_VIEWS):
                    c.execute(f"DROP VIEW IF EXISTS {qualified(name, old)} CASCADE")
                for statement in schema.sql_views(postgres=True, names=self.names):
                    c.execute(statement)
        except PersistenceError:
            pass

    @contextmanager
    def _waiting(self, c: Any, wait: bool) -> Iterator[None]:
        if not wait:
            c.execute("SET LOCAL lock_timeout = '50ms'")
        yield

    @contextmanager
    def _read_transaction(self) -> Iterator[Any]:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            yield c

    @contextmanager
    def _in_key_order(self, c: Any) -> Iterator[None]:
        """Every visible headline fact (what `trusts` reads) is asked for in the order of the
        table's key. The planner reckons a scan of the table then a sort cheaper than reading the
        key in order, but over 5,000 providers (32,609 facts) the sort spills to disk: the query
        and its rows took a median of 82 ms, 58 ms with the key read in order, which the planner
        does once told not to sort. (Asked for a few topics, a third of the facts, the sort fits
        in memory and is the quicker: there the planner is left to choose.) The setting lasts the
        transaction: one an answer's other reads share (`one_snapshot`) has it set back after."""
        shared = self._pinned() is c
        c.execute("SET LOCAL enable_sort = off")
        yield
        if shared:
            c.execute("SET LOCAL enable_sort = on")

    def _status_rows(self, provider_id: str, day: str, seen: str, *, current: bool) -> list[tuple[Any, ...]] | None:
        """One statement outside a transaction (a statement sees one snapshot by itself): one
        round trip, where a transaction took four (begin, its isolation, the query, rollback).
        Rows come back as tuples, in binary (bytea unencoded)."""
        asked = (provider_id, provider_id, provider_id, day, seen, seen)
        with self.datastore.get_connection() as conn:
            c = conn.cursor(row_factory=tuple_row, binary=True)
            if not current:
                return c.execute(self._status_sql, asked).fetchall()
            found = c.execute(self._current_status_sql, (TRACKED_AS, *asked)).fetchall()
        if found[0][0]:
            return None
        return [row[1:] for row in found if row[1] is not None]

    def _insert(self, c: Any, entries: list[EntryRow], headlines: list[HeadlineRow]) -> None:
        """Rows (kept if already there) in one statement a table."""
        if entries:
            c.execute(_INSERT_ENTRIES.format(**self.names), [list(column) for column in zip(*entries, strict=True)])
        if headlines:
            c.execute(_INSERT_HEADLINES.format(**self.names), [list(column) for column in zip(*headlines, strict=True)])
        entries.clear()
        headlines.clear()

    def _rows(self, c: Any, statement: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        """Read in binary (stored entries unencoded) by a cursor of the same transaction that
        makes tuples, not the dicts eventsourcing's cursors make."""
        return c.connection.cursor(row_factory=tuple_row, binary=True).execute(statement, params).fetchall()

    def _rebuild_pages(self, c: Any) -> Iterator[list[tuple[Any, ...]]]:
        """Read ahead on a thread and a connection of their own (`beside.read_ahead`), so that
        the server reads the next page while the command makes this one's rows and the server
        writes the last one's (`_writes`). The rebuild's transaction holds the write lock, taken
        before this snapshot begins: it sees every entry there is, and none is written beside it."""

        def pages() -> Generator[list[tuple[Any, ...]], None, None]:
            with self.datastore.get_connection() as conn, conn.transaction():
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                reading = conn.cursor(row_factory=tuple_row, binary=True)
                statement, start = self.q(_PAGE), 0
                while page := reading.execute(statement, (start, self.rebuild_page)).fetchall():
                    yield page
                    start = page[-1][0]

        return read_ahead(pages())

    def _insert_new(self, c: Any, entries: list[EntryRow], headlines: list[HeadlineRow]) -> None:
        """New rows, one binary COPY a table (one stream, not a round trip per row); empties the lists."""
        for table, found in (("entries", entries), ("headlines", headlines)):
            if found:
                statement, types = _COPY[table]
                with c.copy(statement.format(**self.names)) as copy:
                    copy.set_types(types)
                    for row in found:
                        copy.write_row(row)
            found.clear()

    _analyse_failures = (PersistenceError, psycopg.Error)

    def _analyse(self, c: Any) -> None:
        """The views' tables, and the entries' (`status` reads the entries it folds from there,
        by their key: without statistics the planner reckoned 14 rows a key, not one, and chose
        a bitmap scan for each)."""
        for table in ("entries", "headlines", "events"):
            c.execute(f"ANALYZE {self.names[table]}")

    def _has_statistics(self) -> bool:
        """Whether the views' entries table has been analysed (or vacuumed): never, its
        `reltuples` is -1."""
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", (self.names["entries"],))
            return bool(one(c) >= 0)

    def _tidy(self) -> None:
        """Vacuums the views' tables once the rebuild has committed: every row it replaced is
        dead then, and left there (autovacuum may be off, or late) each later rebuild's inserts
        check their keys against every dead copy, so rebuilds grew slower one after another.
        Best effort: the rebuild stands whether or not this succeeds."""
        try:
            with self.datastore.get_connection() as conn:
                conn.execute(f"VACUUM {self.names['entries']}, {self.names['headlines']}")
        except (PersistenceError, psycopg.Error):  # eventsourcing's connection re-raises the driver's errors as its own
            pass
