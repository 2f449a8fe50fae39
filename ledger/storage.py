"""Where the ledger lives: a SQLite file by default, and the recorder that keeps its clock.

`environment(target)` turns a `--db` target into eventsourcing's settings. The recorder adds one
table beside eventsourcing's `stored_events`: `ledger_head`, one row holding the latest
`recorded_at`. A recording transaction writes it first, which takes the store's write lock
before anything is read, and reads the time to stamp from it: so later entries never get an
earlier time, whatever the clocks of several writers say.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

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


class SQLiteLedgerRecorder(SQLiteApplicationRecorder):
    """eventsourcing's SQLite recorder, appending in bulk and keeping the ledger's clock."""

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            "CREATE TABLE IF NOT EXISTS ledger_head ("
            "id INTEGER PRIMARY KEY CHECK (id = 1), recorded_at TEXT NOT NULL)",
            "INSERT OR IGNORE INTO ledger_head VALUES (1, '')",
        ]

    def _insert_events(self, c: SQLiteCursor, stored_events: list[StoredEvent], **_: Any) -> list[int]:
        """Inserts the events in one statement; returns their notification ids (rowids), which
        are consecutive because the recording transaction holds the write lock."""
        c.executemany(
            self.insert_events_statement,
            [(s.originator_id, s.originator_version, s.topic, s.state) for s in stored_events],
        )
        c.execute("SELECT last_insert_rowid()")
        last = c.fetchone()[0]
        return list(range(last - len(stored_events) + 1, last + 1))

    def take_clock(self, c: SQLiteCursor, now: datetime) -> datetime:
        """Takes the write lock and the time to stamp: `now`, or just after the latest stamp."""
        c.execute("UPDATE ledger_head SET recorded_at = recorded_at WHERE id = 1")  # the write lock
        c.execute("SELECT recorded_at FROM ledger_head WHERE id = 1")
        latest = c.fetchone()[0]
        if latest:
            now = max(now, datetime.fromisoformat(latest.replace("Z", "+00:00")) + _TICK)
        c.execute("UPDATE ledger_head SET recorded_at = ? WHERE id = 1", (format_time(now),))
        return now

    def stream(self, c: SQLiteCursor, provider_id: str) -> list[StoredEvent]:
        """The provider's stored events, read inside the caller's transaction."""
        c.execute(self.select_events_statement + "ORDER BY originator_version", (provider_id,))
        return [StoredEvent(row[0], row[1], row[2], row[3]) for row in c.fetchall()]
