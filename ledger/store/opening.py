"""What a target holds before the ledger opens it, and what may be done there.

    nothing: a new file, an empty file, database or schema  -> a writing command makes a ledger
                                                                there; a reading one says none
    a ledger: its three tables, with the ledger's columns    -> every command (reading ones also
                                                                on a read-only file or mount)
    anything else: other tables, tables named like the ledger's but shaped otherwise, a file that
    is not SQLite, a folder, a missing folder or schema, a server that does not answer
                                                             -> refused, naming what is there

So a reading command never creates a table, and no command adopts another program's database.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from cqc_ledger.ledger.errors import StoreError
from cqc_ledger.ledger.store.target import (
    SQLITE_FILES,
    is_postgres,
    postgres_connection,
    postgres_settings,
    quoted,
    server_shown,
    shown,
    sqlite_uri,
    user_shown,
)

# The ledger's own tables and the columns each must have; the events table is eventsourcing's.
_COLUMNS = {
    "events": {"originator_id", "originator_version", "topic", "state"},
    "ledger_head": {"id", "recorded_at", "chain_position", "chain_hash"},
    "ledger_chain": {"position", "notification_id", "hash"},
}
_EVENTS_TABLE = {"sqlite": "stored_events", "postgres": "cqc_ledger_events"}
_SHOWN_TABLES = 5
_ROOM = 64 * 1024  # bytes free, below which a disk is full for SQLite's purposes


@dataclass(frozen=True)
class Found:
    """What is at a target: a ledger or nothing yet, and whether it can only be read.

    On PostgreSQL it also holds the columns of every table and view in the schema, as seen
    (`columns`), and, when the inspection was asked to `keep` it, the connection they were read
    on (`connection`, open, in autocommit): a reading command goes on with that one connection
    rather than opening a pool and looking at the schema again (see `Ledger`)."""

    ledger: bool
    read_only: bool = False
    full: bool = False  # on a full disk: read as if read-only, and said so to a writing command
    columns: Mapping[str, frozenset[str]] = field(default_factory=dict, compare=False)
    connection: Any = field(default=None, compare=False, repr=False)


def inspect(target: str, *, writing: bool = False, creating: bool = False, keep: bool = False) -> Found:
    """What is at `target`, or StoreError saying why a command cannot open a ledger there: a
    reading one, a `writing` one, or one `creating` a ledger where there is none yet. With `keep`,
    a ledger found on PostgreSQL comes with the connection it was found on (the caller closes it)."""
    writing = writing or creating
    found = _postgres(target, keep=keep and not writing) if is_postgres(target) else _sqlite(target, writing=creating)
    if not found.ledger and not creating:
        if found.connection is not None:
            found.connection.close()
        raise StoreError(f"there is no ledger at {shown(target)} (record entries first, or pass --db)")
    if writing and found.full:
        raise StoreError(f"the disk holding {target} is full: nothing was written (free some space and run the command again)")
    if writing and found.read_only:
        raise StoreError(f"{target} is read-only (a read-only file, folder or mount): reading commands work on it, writing ones cannot")
    return found


def _sqlite(target: str, *, writing: bool) -> Found:
    import sqlite3  # here, not above: a command on PostgreSQL starts without it

    path = Path(target)
    folder = path.parent
    if not path.exists():
        if not writing:
            return Found(ledger=False)
        if not folder.is_dir():
            raise StoreError(
                f"the folder {folder} does not exist: create it first, or name a ledger file in a folder that exists with --db"
            )
        return Found(ledger=False, read_only=not os.access(folder, os.W_OK))
    if path.is_dir():
        raise StoreError(f"{target} is a folder, not a ledger file: name a file in it with --db, like {path / 'cqc-ledger.db'}")
    read_only = not os.access(path, os.W_OK) or not os.access(folder, os.W_OK)
    if path.stat().st_size == 0:
        return Found(ledger=False, read_only=read_only)
    full = _free_bytes(folder) < _ROOM
    if full:
        read_only = True  # SQLite cannot even make the lock files it reads a ledger with
    uri = sqlite_uri(target) if read_only else f"file:{quote(os.path.abspath(target))}?mode=ro"
    try:
        with closing(sqlite3.connect(uri, uri=True)) as probe:
            tables = {name for (name,) in probe.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            tables = {t for t in tables if not t.startswith("sqlite_")}
            columns = {t: {r[1] for r in probe.execute(f'PRAGMA table_info("{t}")')} for t in tables}
    except sqlite3.DatabaseError as bad:
        if "not a database" in str(bad) or "malformed" in str(bad):
            raise StoreError(f"{target} is not a cqc-ledger store (not a SQLite database)") from None
        raise StoreError(f"{target} cannot be read: {bad}") from None
    return Found(ledger=_holds_ledger(target, columns, _EVENTS_TABLE["sqlite"]), read_only=read_only, full=full)


def _free_bytes(folder: Path) -> int:
    """The bytes free to this user on the disk holding `folder`, as `shutil.disk_usage` gives
    them: shutil loads the bz2 and lzma compressors as it is imported, a reading command's start
    on SQLite paid for nothing else of it."""
    found = os.statvfs(folder)
    return found.f_bavail * found.f_frsize


# The columns of every table and view in the schema (as information_schema.columns lists them:
# those the user may see), and the schema itself (one row of NULLs when it is empty, none when it
# does not exist), from the catalog: information_schema's views of it took 10 to 60 ms to plan
# and run in a new session, this a millisecond or two.
_SCHEMA_COLUMNS = """
    SELECT c.relname, a.attname FROM pg_namespace n
    LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relkind IN ('r', 'v', 'f', 'p')
    LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        AND (pg_has_role(c.relowner, 'USAGE') OR has_column_privilege(c.oid, a.attnum, 'SELECT, INSERT, UPDATE, REFERENCES'))
    WHERE n.nspname = %s"""


def _postgres(url: str, *, keep: bool = False) -> Found:
    settings = postgres_settings(url)
    try:
        import psycopg
    except ImportError:
        raise StoreError(
            f"{shown(url)} is a PostgreSQL database, and keeping the ledger in one needs the optional driver: "
            "pip install 'cqc-ledger[postgres]'"
        ) from None
    where = server_shown(url)
    conn = None
    try:
        conn = postgres_connection(url, autocommit=True)
        schema = settings["schema"]
        found = conn.execute(_SCHEMA_COLUMNS, (schema,)).fetchall()
        if not found:
            raise StoreError(
                f"the schema {quoted(schema)} does not exist in the database {settings['dbname']} on {where}: "
                f"create it (CREATE SCHEMA {quoted(schema)}) or name another in the URL (?schema=NAME)"
            )
        columns: dict[str, set[str]] = {}
        for table, column in found:
            if table is not None and column is not None:
                columns.setdefault(table, set()).add(column)
        ledger = _holds_ledger(shown(url), columns, _EVENTS_TABLE["postgres"])
    except psycopg.OperationalError as bad:
        _close(conn)
        cause = " ".join(str(bad).split()) or "no answer"
        raise StoreError(f"cannot connect to {where} (database {settings['dbname']}, user {user_shown(url)}): {cause}") from None
    except psycopg.Error as bad:
        _close(conn)
        raise StoreError(f"{where} refused to show what the database holds: {' '.join(str(bad).split())}") from None
    except BaseException:
        _close(conn)
        raise
    if not (keep and ledger):
        _close(conn)
        conn = None
    return Found(ledger=ledger, columns={t: frozenset(c) for t, c in columns.items()}, connection=conn)


def _close(conn: Any) -> None:
    if conn is not None:
        conn.close()


def _holds_ledger(target: str, columns: dict[str, set[str]], events_table: str) -> bool:
    """True when the tables are a ledger's, False when there are none; StoreError otherwise."""
    if not columns:
        return False
    expected = {events_table if name == "events" else name: wanted for name, wanted in _COLUMNS.items()}
    if set(expected) <= set(columns):
        for name, wanted in expected.items():
            if not wanted <= columns[name]:
                raise StoreError(
                    f"{target} is not a cqc-ledger store: its table {name} has the columns {', '.join(sorted(columns[name]))}, "
                    f"not a ledger's ({', '.join(sorted(wanted))}); name another store with --db"
                )
        return True
    names = sorted(columns)
    listed = ", ".join(names[:_SHOWN_TABLES]) + (f" and {len(names) - _SHOWN_TABLES} more" if len(names) > _SHOWN_TABLES else "")
    raise StoreError(
        f"{target} is not a cqc-ledger store: it holds other tables ({listed}); a ledger is made only in a new file "
        "or an empty database: name one with --db"
    )


@contextmanager
def removed_if_refused(target: str, *, creating: bool, empty: bool = True) -> Iterator[None]:
    """Runs a command that may create a SQLite file, and removes the file again if the command
    fails having recorded nothing into it: a refused input leaves no empty ledger behind. (In a
    PostgreSQL schema that was `empty`, what the command created is dropped the same way: see
    `leftovers`.)

    Every command creating a ledger holds a shared lock (flock) on the file while it runs, taken
    before the store opens it. The creator removes the file only if it can take the lock alone,
    so never while another process has it open; a process that opened the path as it was being
    removed sees it gone and opens it afresh."""
    if not creating:
        yield
        return
    if is_postgres(target):
        from cqc_ledger.ledger.store.leftovers import schema_kept_if_refused  # needs the optional psycopg

        with schema_kept_if_refused(target, empty=empty):
            yield
        return
    descriptor, created = _held(target)
    try:
        yield
    except BaseException:
        if created:
            _remove_if_empty(descriptor, target)
        raise
    finally:
        os.close(descriptor)


def _held(target: str) -> tuple[int, bool]:
    """A descriptor of the file at `target` (created if need be) holding a shared lock, and
    whether this call created the file."""
    while True:
        try:
            descriptor, created = os.open(target, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644), True
        except FileExistsError:
            descriptor, created = os.open(target, os.O_RDONLY), False
        fcntl.flock(descriptor, fcntl.LOCK_SH)
        try:
            if os.stat(target).st_ino == os.fstat(descriptor).st_ino:
                return descriptor, created
        except FileNotFoundError:
            pass
        os.close(descriptor)  # removed (or replaced) by its creator meanwhile: open it afresh


def _remove_if_empty(descriptor: int, target: str) -> None:
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return  # another process has the file open: it is theirs now
    if os.fstat(descriptor).st_size:
        import sqlite3  # as in `_sqlite`

        try:
            with closing(sqlite3.connect(f"file:{quote(os.path.abspath(target))}?mode=ro", uri=True)) as probe:
                if probe.execute("SELECT 1 FROM sqlite_master WHERE name = 'stored_events'").fetchone():
                    if probe.execute("SELECT 1 FROM stored_events LIMIT 1").fetchone():
                        return
        except sqlite3.Error:
            return
    for suffix in SQLITE_FILES:
        with suppress(OSError):
            os.unlink(target + suffix)
