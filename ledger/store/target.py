"""Where the ledger lives: a SQLite file by default, or a PostgreSQL database named by its URL,
and eventsourcing's settings for each.

A target is shown to people only through `shown`, which masks a URL's password: no message, log
or error of the ledger ever prints a credential.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from cqc_ledger.ledger.errors import StoreError

DEFAULT_TARGET = "cqc-ledger.db"
# Seconds to wait for a PostgreSQL server to answer: one that does not is told at once, not after
# eventsourcing's pool gives up ("couldn't get a connection", hiding why).
CONNECT_TIMEOUT = 3


def is_postgres(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


# The files a SQLite ledger lives in: the file, and those SQLite keeps beside it.
SQLITE_FILES = ("", "-wal", "-shm", "-journal")


def is_ledger_file(target: str, path: str) -> bool:
    """Whether `path` is one of the files the SQLite ledger at `target` lives in, told by the
    file's identity (a hard or symbolic link to it, or another spelling of its name, is it too).
    A name that is not there yet is one of them only where SQLite would take a file made there
    for its own (`ledger.db-wal` beside `ledger.db`)."""
    if is_postgres(target):
        return False
    base = os.path.realpath(target)  # SQLite keeps its files beside the file a link leads to
    for suffix in SQLITE_FILES:
        own = base + suffix
        try:
            if os.path.samefile(own, path):
                return True
        except OSError:  # one of the two is not there
            if own == os.path.realpath(path):
                return True
    return False


def shown(target: str) -> str:
    """The target as a message may show it: a PostgreSQL URL's password replaced by `***`."""
    if not is_postgres(target):
        return target
    password = _password(target)
    return target.replace(f":{password}@", ":***@", 1) if password else target


def masked(message: str, target: str) -> str:
    """`message` with the target's password masked wherever it appears (a driver's error may
    quote the URL or its parts)."""
    password = _password(target) if is_postgres(target) else None
    if not password:
        return message
    message = message.replace(target, shown(target))
    for form in {password, unquote(password)}:
        message = message.replace(form, "***")
    return message


def _password(url: str) -> str | None:
    try:
        netloc = urlsplit(url).netloc
    except ValueError:
        return None
    credentials, at, _ = netloc.rpartition("@")
    if not at or ":" not in credentials:
        return None
    return credentials.partition(":")[2] or None


def environment(target: str, *, create: bool = True, read_only: bool = False) -> dict[str, str]:
    """eventsourcing's settings for a store target: a SQLite file path or a PostgreSQL URL.
    `create`: make the ledger's tables when they are missing (writing commands only);
    `read_only`: open a SQLite file that cannot be written (a read-only file or mount) as such."""
    common = {"ORIGINATOR_ID_TYPE": "text", "CREATE_TABLE": "yes" if create else "no"}
    if is_postgres(target):
        return {**common, **postgres_environment(target)}
    return {
        **common,
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": sqlite_uri(target) if read_only else target,
        "SQLITE_LOCK_TIMEOUT": "60",
        "APPLICATION_RECORDER_TOPIC": "cqc_ledger.ledger.store.sqlite:SQLiteLedgerRecorder",
    }


def sqlite_uri(path: str) -> str:
    """A SQLite URI opening the file read-only and unchanging: a ledger on a read-only mount has
    no room for the lock files SQLite's write-ahead log otherwise needs beside it."""
    return f"file:{quote(os.path.abspath(path))}?immutable=1"


def postgres_settings(url: str) -> dict[str, str]:
    """The parts of `postgresql://user[:password]@host[:port]/dbname[?schema=NAME]`."""
    dbname: str | None
    host: str | None
    user: str | None
    try:
        parts = urlsplit(url)
        dbname, host, port, user = parts.path.lstrip("/"), parts.hostname, parts.port, parts.username
    except ValueError:
        dbname = host = user = None
    if not host or not dbname or not user:
        raise StoreError(f"{shown(url)} is not a PostgreSQL URL like postgresql://user@host:5432/dbname")
    return {
        "dbname": unquote(dbname),
        "host": host,
        "port": str(port or 5432),
        "user": unquote(user),
        "password": unquote(parts.password or ""),
        "schema": parse_qs(parts.query).get("schema", ["public"])[0],
    }


def postgres_connection(url: str, *, autocommit: bool = False) -> Any:
    """A psycopg connection to the database `url` names, waiting at most CONNECT_TIMEOUT for the
    server (psycopg is imported here: it is the optional `postgres` extra)."""
    import psycopg

    settings = postgres_settings(url)
    return psycopg.connect(
        dbname=settings["dbname"],
        host=settings["host"],
        port=settings["port"],
        user=settings["user"],
        password=settings["password"] or None,
        connect_timeout=CONNECT_TIMEOUT,
        autocommit=autocommit,
    )


def postgres_environment(url: str) -> dict[str, str]:
    """A PostgreSQL URL as eventsourcing's settings."""
    settings = postgres_settings(url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": settings["dbname"],
        "POSTGRES_HOST": settings["host"],
        "POSTGRES_PORT": settings["port"],
        "POSTGRES_USER": settings["user"],
        "POSTGRES_PASSWORD": settings["password"],
        "POSTGRES_SCHEMA": settings["schema"],
        "POSTGRES_LOCK_TIMEOUT": "60",
        # eventsourcing's server ends a session idle inside a transaction for 5 s; recording decides a
        # chunk of entries, and a rebuild folds a page of them, between statements, which a loaded
        # machine can stretch past that. A writer that dies closes its connection and its
        # transaction rolls back at once; this only bounds one that hangs holding the write lock.
        "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "600",
        "POSTGRES_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT),
        "POSTGRES_POOL_SIZE": "2",
        "POSTGRES_MAX_OVERFLOW": "4",
        "APPLICATION_RECORDER_TOPIC": "cqc_ledger.ledger.store.postgres:PostgresLedgerRecorder",
    }
