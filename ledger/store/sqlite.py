"""The ledger in a SQLite file: eventsourcing's SQLite recorder, appending in bulk, with the
ledger's own tables."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from itertools import accumulate
from typing import TYPE_CHECKING, Any

import orjson
from eventsourcing.persistence import IntegrityError, OperationalError
from eventsourcing.sqlite import SQLiteApplicationRecorder

from cqc_ledger.ledger.errors import StoreError
from cqc_ledger.ledger.store.sql import one
from cqc_ledger.ledger.store.tables import LedgerTables

if TYPE_CHECKING:
    from cqc_ledger.ledger.chain import Head
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


# A chunk's entries and their links of the chain, each in one statement: the entries' fields are a
# JSON array of (originator_id, originator_version, topic, where its state starts in the states'
# blob, its length), in their order, and each entry's id (its rowid) is the one after the last
# (?3) plus its place in the array. (eventsourcing's own insert is not used: the ledger writes the
# hash chain beside the entries, and gives them their ids itself.)
_INSERT_EVENTS = (
    "INSERT INTO {events} (rowid, originator_id, originator_version, topic, state) SELECT ?3 + key, json_extract(value, '$[0]'), "
    "json_extract(value, '$[1]'), json_extract(value, '$[2]'), substr(?2, json_extract(value, '$[3]'), json_extract(value, '$[4]')) "
    "FROM json_each(?1)"
)
_INSERT_LINKS = (
    "INSERT INTO {chain} (position, notification_id, hash) SELECT ?2 + key, ?3 + key, substr(?4, key * 32 + 1, 32) FROM json_each(?1)"
)


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

    def chunk_writer(self, stored: Sequence[Stored], after: Head, links: list[bytes]) -> Callable[[Any], list[int]]:
        """The entries, their links and the head, each in one statement (see `_INSERT_EVENTS`), after
        reading the last id and before checking every entry went in. The entries' fields are given
        as one JSON array and their states as one blob cut apart by SQLite, made here; the driver lets go of the interpreter's lock for each whole statement
        (row by row, `executemany` takes it back for every row, and waited its turn for each
        beside the busy deciding thread: see the README)."""
        offsets = accumulate((len(s.state) for s in stored), initial=1)
        fields = orjson.dumps(
            [(s.originator_id, s.originator_version, s.topic, start, len(s.state)) for s, start in zip(stored, offsets, strict=False)]
        ).decode()  # as text: a blob may be read as SQLite's binary JSON
        states, hashes = bytearray().join(s.state for s in stored), bytearray().join(links)

        def write(c: Any) -> list[int]:
            c.execute(self.q("SELECT max({nid}) FROM {events}"))  # the recording transaction holds the write lock
            first = (one(c) or 0) + 1
            c.execute(self.q(_INSERT_EVENTS), (fields, states, first))
            c.execute("SELECT changes()")
            if (written := one(c)) != len(stored):
                raise StoreError(f"{written} of a chunk of {len(stored)} entries were written")
            c.execute(self.q(_INSERT_LINKS), (fields, after.position + 1, first, hashes))
            self.set_head(c, after.position + len(links), links[-1])
            return list(range(first, first + len(stored)))

        return write
