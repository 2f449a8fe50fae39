"""Where the ledger lives: a SQLite file by default, and the recorder that guards its clock.

`environment(target)` turns a `--db` target into eventsourcing's settings. The recorder adds one
table beside eventsourcing's `stored_events`: `ledger_head`, holding the latest `recorded_at`. It
is written first in every appending transaction, which takes the write lock before anything
else, and refuses a time earlier than one already written: so later entries never get an
earlier time, even with several writers.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from ledger.errors import StoreError

DEFAULT_TARGET = "cqc-ledger.db"


class ClockBehind(Exception):
    """Another writer stored a later `recorded_at` after this one read the clock: read it again."""


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
        ]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: list[StoredEvent], *, recorded_at: str | None = None, **_: Any
    ) -> None:
        if recorded_at is not None:
            advance_clock(c, recorded_at)
        c.executemany(
            self.insert_events_statement,
            [(s.originator_id, s.originator_version, s.topic, s.state) for s in stored_events],
        )

    def latest_recorded_at(self) -> str | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT recorded_at FROM ledger_head WHERE id = 1")
            row = c.fetchone()
            return row[0] if row else None


def advance_clock(c: Any, recorded_at: str) -> None:
    """Moves the ledger's clock to `recorded_at`, or raises ClockBehind if it is already later."""
    c.execute(
        "INSERT INTO ledger_head (id, recorded_at) VALUES (1, ?) "
        "ON CONFLICT (id) DO UPDATE SET recorded_at = excluded.recorded_at "
        "WHERE ledger_head.recorded_at <= excluded.recorded_at",
        (recorded_at,),
    )
    c.execute("SELECT changes()")
    if c.fetchone()[0] != 1:
        raise ClockBehind(recorded_at)
