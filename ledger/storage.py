"""Where the ledger lives: a SQLite file by default, and the recorder that keeps its clock.

`environment(target)` turns a `--db` target into eventsourcing's settings. The recorder adds two
tables beside eventsourcing's `stored_events`. `ledger_head` is one row holding the latest
`recorded_at` and the head of the hash chain: a recording transaction writes it first, which
takes the store's write lock before anything is read, and reads the time to stamp from it, so
later entries never get an earlier time whatever the clocks of several writers say.
`ledger_chain` holds each entry's link of the hash chain (see `ledger.chain`), written with it.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from ledger import chain
from ledger.errors import StoreError
from ledger.records import format_time

DEFAULT_TARGET = "cqc-ledger.db"
_TICK = timedelta(microseconds=1)


def default_target() -> str:
    """The store named by `$CQC_LEDGER_DB`, else `cqc-ledger.db` in the working directory."""
    return os.environ.get("CQC_LEDGER_DB") or DEFAULT_TARGET


def is_postgres(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


def environment(target: str) -> dict[str, str]:
    """eventsourcing's settings for a store target."""
    if is_postgres(target):
        raise StoreError(
            f"{target} is a PostgreSQL URL; this version of cqc-ledger stores ledgers in SQLite "
            "files only (pass a file path to --db)"
        )
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": target,
        "SQLITE_LOCK_TIMEOUT": "60",
        "ORIGINATOR_ID_TYPE": "text",
        "APPLICATION_RECORDER_TOPIC": f"{__name__}:SQLiteLedgerRecorder",
    }


def check_target(target: str, *, must_exist: bool) -> None:
    """Refuses a target that cannot hold a ledger; a reading command needs one that exists."""
    if is_postgres(target):
        return
    path = Path(target)
    if must_exist and not path.exists():
        raise StoreError(f"there is no ledger at {target} (record entries first, or pass --db)")
    if path.is_dir():
        raise StoreError(f"{target} is a directory, not a ledger file")
    if path.exists() and path.stat().st_size:
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as probe:
                probe.execute("SELECT name FROM sqlite_master LIMIT 1").fetchall()
        except sqlite3.DatabaseError:
            raise StoreError(f"{target} is not a cqc-ledger store (not a SQLite database)") from None


def _bytes(value: Any) -> bytes:
    """A stored state as bytes, whatever type an edit of the file left it as."""
    return value if isinstance(value, bytes) else str(value).encode()


class SQLiteLedgerRecorder(SQLiteApplicationRecorder):
    """eventsourcing's SQLite recorder, appending in bulk and keeping the ledger's clock."""

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

    def _insert_events(self, c: SQLiteCursor, stored_events: list[StoredEvent], **_: Any) -> list[int]:
        """Inserts the events and their links of the hash chain; returns their notification ids
        (rowids), which are consecutive because the recording transaction holds the write lock."""
        c.executemany(
            self.insert_events_statement,
            [(s.originator_id, s.originator_version, s.topic, s.state) for s in stored_events],
        )
        c.execute("SELECT last_insert_rowid()")
        last = c.fetchone()[0]
        ids = list(range(last - len(stored_events) + 1, last + 1))
        head = self._head(c)
        new = list(chain.links(head.hash, stored_events))
        c.executemany(
            "INSERT INTO ledger_chain VALUES (?, ?, ?)",
            [(head.position + i, n, h) for i, (n, h) in enumerate(zip(ids, new), 1)],
        )
        c.execute("UPDATE ledger_head SET chain_position = ?, chain_hash = ? WHERE id = 1", (head.position + len(new), new[-1]))
        return ids

    @staticmethod
    def _head(c: SQLiteCursor) -> chain.Head:
        c.execute("SELECT chain_position, chain_hash FROM ledger_head WHERE id = 1")
        position, hash_ = c.fetchone()
        return chain.Head(position, bytes(hash_))

    def head(self) -> chain.Head:
        """The head of the hash chain, as stored."""
        with self.datastore.transaction(commit=False) as c:
            return self._head(c)

    def verify(self) -> tuple[chain.Break | None, list[bytes]]:
        """Recomputes the chain over every stored entry; the first break (or None), and the links."""
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT position, notification_id, hash FROM ledger_chain")
            kept = {row[0]: (row[1], bytes(row[2])) for row in c.fetchall()}
            head = self._head(c)
            c.execute(f"SELECT rowid, originator_id, originator_version, topic, state FROM {self.events_table_name} ORDER BY rowid")
            rows = ((row[0], StoredEvent(row[1], row[2], row[3], _bytes(row[4]))) for row in c.fetchall())
            return chain.first_break(rows, kept, head)

    def take_clock(self, c: SQLiteCursor, now: datetime) -> datetime:
        """Takes the write lock and the time to stamp: `now`, or just after the latest stamp."""
        c.execute("UPDATE ledger_head SET recorded_at = recorded_at WHERE id = 1")  # the write lock
        c.execute("SELECT recorded_at FROM ledger_head WHERE id = 1")
        latest = c.fetchone()[0]
        if latest:
            now = max(now, datetime.fromisoformat(latest.replace("Z", "+00:00")) + _TICK)
        c.execute("UPDATE ledger_head SET recorded_at = ? WHERE id = 1", (format_time(now),))
        return now

    def set_clock(self, c: SQLiteCursor, moment: datetime) -> None:
        """Sets the latest stamp (a restore leaves it at the last restored entry's time)."""
        c.execute("UPDATE ledger_head SET recorded_at = ? WHERE id = 1", (format_time(moment),))

    def holds_entries(self, c: SQLiteCursor) -> bool:
        c.execute(f"SELECT 1 FROM {self.events_table_name} LIMIT 1")
        return c.fetchone() is not None

    def stream(self, c: SQLiteCursor, provider_id: str) -> list[StoredEvent]:
        """The provider's stored events, read inside the caller's transaction."""
        c.execute(self.select_events_statement + "ORDER BY originator_version", (provider_id,))
        return [StoredEvent(row[0], row[1], row[2], row[3]) for row in c.fetchall()]
