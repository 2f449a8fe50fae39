"""The ledger in a SQLite file: eventsourcing's SQLite recorder, appending in bulk, with the
ledger's own tables."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from eventsourcing.persistence import IntegrityError, OperationalError
from eventsourcing.sqlite import SQLiteApplicationRecorder

from cqc_ledger.ledger.store.sql import one
from cqc_ledger.ledger.store.tables import LedgerTables

if TYPE_CHECKING:
    from cqc_ledger.ledger.store.codec import Stored


def created_in_turn(create: Callable[[], None], *, patience: float = 60.0) -> None:
    """Runs a SQLite recorder's table creation, again while another process is creating the same
    tables. Two processes opening a new ledger at once both find the tables missing; SQLite then
    refuses the second one's schema change at once ("database is locked": a transaction that
    began by reading does not wait for the write lock), or eventsourcing's tracking migration row
    is there already. Tried again, the tables are there, and creating them only reads."""
    deadline = time.monotonic() + patience
    while True:
        try:
            return create()
        except (IntegrityError, OperationalError, sqlite3.OperationalError) as clash:
            if time.monotonic() > deadline or not (isinstance(clash, IntegrityError) or "locked" in str(clash)):
                raise
            time.sleep(0.05)


# The ledger's `_insert_events` also writes the hash chain and returns the ids it needs; it stands in
# for eventsourcing's own on purpose.
class SQLiteLedgerRecorder(LedgerTables, SQLiteApplicationRecorder):
    """eventsourcing's SQLite recorder, appending in bulk, with the ledger's own tables.

    Blobs are handed to SQLite as bytearrays: Python's sqlite3 binds a bytearray as it is, but
    first asks for an adapter of any `bytes`, and looking for one (and its `__conform__`) cost
    far more than the copy (the same blob is stored either way)."""

    names = {  # noqa: RUF012 (never mutated; PostgreSQL's recorder sets its own per schema)
        "events": "stored_events",
        "head": "ledger_head",
        "chain": "ledger_chain",
        "nid": "rowid",
    }

    def create_table(self) -> None:
        """Creates the tables of a new store; a store already made is only read. (Inserting the
        head's row again on every open would take the write lock, so a command opening the store
        while another process records would fail at once instead of reading beside it.)"""

        def create() -> None:
            with self.datastore.transaction(commit=False) as c:
                tables = (self.events_table_name, "ledger_head", "ledger_chain")
                c.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN (?, ?, ?)", tables)
                if one(c) == len(tables):
                    return
            super(SQLiteLedgerRecorder, self).create_table()

        created_in_turn(create)

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            "CREATE TABLE IF NOT EXISTS ledger_head ("
            "id INTEGER PRIMARY KEY CHECK (id = 1), recorded_at TEXT NOT NULL, "
            "chain_position INTEGER NOT NULL, chain_hash BLOB NOT NULL)",
            "INSERT OR IGNORE INTO ledger_head VALUES (1, '', 0, zeroblob(32))",
            "CREATE TABLE IF NOT EXISTS ledger_chain ("
            "position INTEGER PRIMARY KEY, notification_id INTEGER NOT NULL UNIQUE, hash BLOB NOT NULL)",
        ]

    def lock(self, c: Any) -> None:
        # Writers keep 64 MiB of pages (the connection keeps it after): recording inserts at random
        # into the keys of the events and the views, which spilled the default 2 MiB to the log.
        c.execute("PRAGMA cache_size = -65536")
        c.execute("UPDATE ledger_head SET recorded_at = recorded_at WHERE id = 1")

    def insert_stored(self, c: Any, stored_events: Sequence[Stored]) -> list[int]:
        # Rowids are consecutive: the recording transaction holds the write lock.
        c.executemany(
            self.insert_events_statement,
            [(s.originator_id, s.originator_version, s.topic, bytearray(s.state)) for s in stored_events],
        )
        c.execute("SELECT last_insert_rowid()")
        last = one(c)
        return list(range(last - len(stored_events) + 1, last + 1))

    def insert_links(self, c: Any, links: list[tuple[int, int, bytes]]) -> None:
        c.executemany(
            "INSERT INTO ledger_chain (position, notification_id, hash) VALUES (?, ?, ?)",
            [(position, nid, bytearray(hash_)) for position, nid, hash_ in links],
        )
