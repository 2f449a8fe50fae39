"""Where the ledger lives: a SQLite file by default, or a PostgreSQL database, and the tables the
ledger keeps beside eventsourcing's `stored_events` in either.

`ledger_head` is one row holding the latest `recorded_at` and the head of the hash chain. A
recording transaction takes the store's write lock first (SQLite: a write to that row;
PostgreSQL: eventsourcing's exclusive lock on `stored_events`), then reads the time to stamp
from it, so later entries never get an earlier time whatever the clocks of several writers say.
`ledger_chain` holds each entry's link of the hash chain (see `ledger.chain`), written with it.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, unquote, urlsplit

from eventsourcing.persistence import IntegrityError, OperationalError, StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder

from cqc_ledger.ledger import chain
from cqc_ledger.ledger.errors import StoreError
from cqc_ledger.ledger.records import format_time

DEFAULT_TARGET = "cqc-ledger.db"
_TICK = timedelta(microseconds=1)


def is_postgres(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


def environment(target: str) -> dict[str, str]:
    """eventsourcing's settings for a store target: a SQLite file path or a PostgreSQL URL."""
    common = {"ORIGINATOR_ID_TYPE": "text"}
    if is_postgres(target):
        return {**common, **postgres_environment(target)}
    return {
        **common,
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": target,
        "SQLITE_LOCK_TIMEOUT": "60",
        "APPLICATION_RECORDER_TOPIC": f"{__name__}:SQLiteLedgerRecorder",
    }


def postgres_environment(url: str) -> dict[str, str]:
    """`postgresql://user[:password]@host[:port]/dbname[?schema=NAME]` as eventsourcing's settings."""
    parts = urlsplit(url)
    dbname = parts.path.lstrip("/")
    if not parts.hostname or not dbname or not parts.username:
        raise StoreError(f"{url} is not a PostgreSQL URL like postgresql://user@host:5432/dbname")
    schema = parse_qs(parts.query).get("schema", ["public"])[0]
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": unquote(dbname),
        "POSTGRES_HOST": parts.hostname,
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_SCHEMA": schema,
        "POSTGRES_LOCK_TIMEOUT": "60",
        "POSTGRES_CONNECT_TIMEOUT": "10",
        "POSTGRES_POOL_SIZE": "2",
        "POSTGRES_MAX_OVERFLOW": "4",
        "APPLICATION_RECORDER_TOPIC": "cqc_ledger.ledger.postgres:PostgresLedgerRecorder",
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


def one(c: Any) -> Any:
    """The first column of the next row (rows are tuples in SQLite, dicts in PostgreSQL)."""
    row = c.fetchone()
    if row is None:
        return None
    return next(iter(row.values())) if isinstance(row, dict) else row[0]


def rows(c: Any) -> list[tuple[Any, ...]]:
    """Every remaining row, as tuples."""
    return [tuple(r.values()) if isinstance(r, dict) else tuple(r) for r in c.fetchall()]


def as_bytes(value: Any) -> bytes:
    """A stored value as bytes, whatever type it comes back as (or an edit of the store left it)."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    return str(value).encode()


class LedgerTables:
    """The ledger's own statements over its tables, shared by the SQLite and PostgreSQL recorders.

    Statements are written with `?` placeholders and `{events}`, `{head}`, `{chain}` and `{nid}`
    (the notification id column) for the names; `q` turns them into the store's own SQL.
    """

    names: dict[str, str]
    placeholder = "?"

    def q(self, statement: str) -> str:
        return statement.format(**self.names).replace("?", self.placeholder)

    def lock(self, c: Any) -> None:
        """Takes the store's write lock for the rest of the transaction."""
        raise NotImplementedError

    def insert_stored(self, c: Any, stored_events: list[StoredEvent]) -> list[int]:
        """Inserts stored events; returns their notification ids."""
        raise NotImplementedError

    def take_clock(self, c: Any, now: datetime) -> datetime:
        """Takes the write lock and the time to stamp: `now`, or just after the latest stamp."""
        self.lock(c)
        c.execute(self.q("SELECT recorded_at FROM {head} WHERE id = 1"))
        latest = one(c)
        if latest:
            now = max(now, datetime.fromisoformat(latest.replace("Z", "+00:00")) + _TICK)
        self.set_clock(c, now)
        return now

    def set_clock(self, c: Any, moment: datetime) -> None:
        """Sets the latest stamp (a restore leaves it at the last restored entry's time)."""
        c.execute(self.q("UPDATE {head} SET recorded_at = ? WHERE id = 1"), (format_time(moment),))

    def holds_entries(self, c: Any) -> bool:
        c.execute(self.q("SELECT 1 FROM {events} LIMIT 1"))
        return one(c) is not None

    def stream(self, c: Any, provider_id: str) -> list[StoredEvent]:
        """The provider's stored events, read inside the caller's transaction."""
        c.execute(
            self.q(
                "SELECT originator_id, originator_version, topic, state FROM {events} WHERE originator_id = ? ORDER BY originator_version"
            ),
            (provider_id,),
        )
        return [StoredEvent(r[0], r[1], r[2], as_bytes(r[3])) for r in rows(c)]

    def _insert_events(self, c: Any, stored_events: list[StoredEvent], **_: Any) -> list[int]:
        """Inserts the events and their links of the hash chain; returns their notification ids."""
        ids = self.insert_stored(c, stored_events)
        head = self._head(c)
        new = list(chain.links(head.hash, stored_events))
        c.executemany(
            self.q("INSERT INTO {chain} (position, notification_id, hash) VALUES (?, ?, ?)"),
            [(head.position + i, n, h) for i, (n, h) in enumerate(zip(ids, new, strict=False), 1)],
        )
        c.execute(self.q("UPDATE {head} SET chain_position = ?, chain_hash = ? WHERE id = 1"), (head.position + len(new), new[-1]))
        return ids

    def _head(self, c: Any) -> chain.Head:
        c.execute(self.q("SELECT chain_position, chain_hash FROM {head} WHERE id = 1"))
        position, hash_ = rows(c)[0]
        return chain.Head(position, as_bytes(hash_))

    def verify(self) -> tuple[chain.Break | None, list[bytes]]:
        """Recomputes the chain over every stored entry; the first break (or None), and the links."""
        with self.datastore.transaction(commit=False) as c:  # type: ignore[attr-defined]
            c.execute(self.q("SELECT position, notification_id, hash FROM {chain}"))
            kept = {r[0]: (r[1], as_bytes(r[2])) for r in rows(c)}
            head = self._head(c)
            c.execute(self.q("SELECT {nid}, originator_id, originator_version, topic, state FROM {events} ORDER BY {nid}"))
            stored = ((r[0], StoredEvent(r[1], r[2], r[3], as_bytes(r[4]))) for r in rows(c))
            return chain.first_break(stored, kept, head)

    def before(self, c: Any, notification_id: int) -> int:
        """The last notification id before `notification_id` (0 if none)."""
        c.execute(self.q("SELECT MAX({nid}) FROM {events} WHERE {nid} < ?"), (notification_id,))
        return one(c) or 0


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


class SQLiteLedgerRecorder(LedgerTables, SQLiteApplicationRecorder):
    """eventsourcing's SQLite recorder, appending in bulk, with the ledger's own tables."""

    names: ClassVar[dict[str, str]] = {"events": "stored_events", "head": "ledger_head", "chain": "ledger_chain", "nid": "rowid"}

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
        c.execute("UPDATE ledger_head SET recorded_at = recorded_at WHERE id = 1")

    def insert_stored(self, c: Any, stored_events: list[StoredEvent]) -> list[int]:
        # Rowids are consecutive: the recording transaction holds the write lock.
        c.executemany(
            self.insert_events_statement,
            [(s.originator_id, s.originator_version, s.topic, s.state) for s in stored_events],
        )
        c.execute("SELECT last_insert_rowid()")
        last = one(c)
        return list(range(last - len(stored_events) + 1, last + 1))
