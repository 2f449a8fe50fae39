"""The views of a SQLite ledger: the same rows, tracking and queries, in its file, through
eventsourcing's SQLite tracking recorder. Imported only where a SQLite ledger's views are opened
(`projections.views.open_views`), so that a command on PostgreSQL starts without sqlite3.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
from eventsourcing.persistence import PersistenceError
from eventsourcing.sqlite import SQLiteTrackingRecorder

from cqc_ledger.ledger.store.sql import one
from cqc_ledger.ledger.store.sqlite import created_in_turn
from cqc_ledger.projections.views import schema
from cqc_ledger.projections.views.rows import EntryRow, HeadlineRow
from cqc_ledger.projections.views.store import _VISIBLE, TRACKED_AS, Views, _visible

# What `headlines` folds on SQLite, whose driver lets go of the interpreter's lock and takes it
# back for every row it reads, and locks the connection for every value: reading a row cost more
# than folding it. So the facts the fold would only set aside are left out: the assessments, and
# the notices assessed (by an assessment visible too); a notice is open until it is assessed, so
# the notices left are the open ones and the fold counts the same (over 5,000 providers, 24,574
# rows of 32,654). And the rows come as one, a JSON array of each column's values in the order of
# the others' (one pass of the aggregates over the rows), made tuples again by `zip` and sorted
# into the tables' order, which an aggregate is not promised to read them in (`trusts` over 5,000
# providers: 7% fewer instructions). PostgreSQL reads every fact as rows: leaving some out had the
# server scan the whole table for the assessments (49 ms rather than 31 ms at best) and passed the
# planner's threshold for just-in-time compilation (60 ms more), for 7 ms of reading saved.
_HEADLINE_FACTS = f"""
    FROM {{headlines}} h WHERE {_VISIBLE} AND {schema.DEREGISTERED_BY} AND topic <> 'assessment'
        AND (topic <> 'notice' OR NOT EXISTS (
            SELECT 1 FROM {{headlines}} a
            WHERE a.provider_id = h.provider_id AND a.topic = 'assessment' AND a.subject = h.subject AND {_visible("a")}))"""
_HEADLINE_COLUMNS = (
    "SELECT json_group_array(provider_id), json_group_array(topic), json_group_array(subject),"
    " json_group_array(valid_from), json_group_array(position), json_group_array(value)" + _HEADLINE_FACTS
)

# A rebuild's rows of a page, into a table in one statement: given as one JSON array of the rows
# (each an array of the columns), which SQLite reads apart itself. See `SQLiteViews._writes`.
_BULK_ENTRIES = "INSERT INTO {entries} SELECT " + ", ".join(f"json_extract(value, '$[{i}]')" for i in range(6)) + ", NULL FROM json_each(?)"
_BULK_HEADLINES = (
    "INSERT INTO {headlines} SELECT "
    + ", ".join(f"json_extract(value, '$[{i}]')" for i in range(7))
    + ", NULL, json_extract(value, '$[7]') FROM json_each(?)"
)


class SQLiteViews(Views, SQLiteTrackingRecorder):
    """The views of a SQLite ledger, in its file."""

    names = {"entries": "view_entries", "headlines": "view_headlines", "events": "stored_events", "tracking": "tracking", "nid": "rowid"}  # noqa: RUF012

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            *schema.tables(postgres=False, names=self.names),
            *schema.sql_views(postgres=False, names=self.names),
        ]

    def create_table(self) -> None:
        """Creates the views of a new store, or of a store of an earlier layout (dropping its
        views, which the first catch-up then rebuilds); a store already made is only read."""

        def create() -> None:
            with self.datastore.transaction(commit=False) as c:
                c.execute(
                    "SELECT count(*) FROM sqlite_master WHERE name IN ('tracking', 'view_entries', 'view_headlines', 'warning_notices')"
                )
                made = one(c) == 4
                view, column = schema.CURRENT_VIEWS_COLUMN
                c.execute(f"SELECT count(*) FROM pragma_table_info('{view}') WHERE name = '{column}'")
                current = one(c)
                c.execute("SELECT count(*) FROM sqlite_master WHERE name = ? AND instr(sql, ?) > 0", (view, schema.CURRENT_VIEWS_WORD))
                if made and current and one(c):
                    return
            if made:
                self._replace_sql_views()
                return
            with self.datastore.transaction(commit=True) as c:
                c.execute("SELECT count(*) FROM sqlite_master WHERE name = 'view_facts'")
                if one(c):
                    for kind, name in schema.OLD_OBJECTS:
                        c.execute(f"DROP {kind} IF EXISTS {name}")
                    c.execute("DELETE FROM tracking WHERE application_name = ?", (TRACKED_AS,))
            super(SQLiteViews, self).create_table()

        created_in_turn(create)  # two processes may be opening a new ledger at once

    # The driver's errors besides eventsourcing's (see `Views.refresh`).
    _analyse_failures = (PersistenceError, sqlite3.Error)

    def _has_statistics(self) -> bool:
        """Whether the views' tables have planner statistics: rows in `sqlite_stat1`."""
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if not one(c):
                return False
            c.execute(self.q("SELECT count(*) FROM sqlite_stat1 WHERE tbl IN ('{entries}', '{headlines}')"))
            return bool(one(c))

    def _replace_sql_views(self) -> None:
        """The analysts' views of an earlier release replaced by this one's (left as they are
        where the file cannot be written: reading commands work on a read-only ledger)."""
        try:
            with self.datastore.transaction(commit=True) as c:
                for name in reversed(schema.SQL_VIEWS):
                    c.execute(f"DROP VIEW IF EXISTS {name}")
                for statement in schema.sql_views(postgres=False, names=self.names):
                    c.execute(statement)
        except PersistenceError:
            pass

    def _headline_facts(self, c: Any, day: str, seen: str, gone_by: str) -> list[tuple[Any, ...]]:
        """What `headlines` folds, but the facts it would set aside, read as a JSON array a column
        (see `_HEADLINE_FACTS`), as rows in the tables' order."""
        c.execute(self.q(_HEADLINE_COLUMNS), (day, seen, seen, gone_by, day, seen, seen))
        found = list(zip(*map(orjson.loads, self._tuples(c)[0]), strict=True))
        found.sort()
        return found

    def _rebuild_pages(self, c: Any) -> Iterator[list[tuple[Any, ...]]]:
        """Read in the command's thread, on a connection of their own (the rebuild's is its
        writes' thread's), in a read transaction begun once the rebuild holds the write lock: it
        sees every entry there is, and none is written beside it (the views' rows the rebuild
        deletes and writes are not read here)."""
        with self.datastore.transaction(commit=False) as reading:
            yield from super()._rebuild_pages(reading)

    def _insert_new(self, c: Any, entries: list[EntryRow], headlines: list[HeadlineRow]) -> None:
        """New rows, one statement a table (see `_writes`); empties the lists."""
        for statement, found in ((_BULK_ENTRIES, entries), (_BULK_HEADLINES, headlines)):
            if found:
                c.execute(self.q(statement), (orjson.dumps(found).decode(),))  # as text: a blob may be read as binary JSON
            found.clear()

    def _tuples(self, c: Any) -> list[tuple[Any, ...]]:
        """Every remaining row, as the tuples SQLite makes when no row factory is set (eventsourcing
        sets `sqlite3.Row` on its connections, and copying each into a tuple costs as much again)."""
        c.sqlite_cursor.row_factory = None
        return c.fetchall()

    @contextmanager
    def _waiting(self, c: Any, wait: bool) -> Iterator[None]:
        if wait:
            yield
            return
        c.execute("PRAGMA busy_timeout")
        patience = one(c)
        c.execute("PRAGMA busy_timeout = 0")
        try:
            yield
        finally:
            c.execute(f"PRAGMA busy_timeout = {int(patience)}")
