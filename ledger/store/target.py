"""Where the ledger lives: a SQLite file by default, or a PostgreSQL database named by its URL,
and eventsourcing's settings for each."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from cqc_ledger.ledger.errors import StoreError

DEFAULT_TARGET = "cqc-ledger.db"


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
        "APPLICATION_RECORDER_TOPIC": "cqc_ledger.ledger.store.sqlite:SQLiteLedgerRecorder",
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
        "APPLICATION_RECORDER_TOPIC": "cqc_ledger.ledger.store.postgres:PostgresLedgerRecorder",
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
