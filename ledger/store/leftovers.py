"""A refused first write into an empty PostgreSQL schema leaves the schema as it was.

Opening a ledger creates its tables (and eventsourcing's type and routine) before anything is
written, in transactions of their own; a command refused after that would leave an empty ledger
behind. So every command that may create a ledger holds a shared advisory lock on the schema
while it runs, and the one that found the schema empty notes what the schema held. If it is
refused, it drops what is new since, only if it can take the lock alone (no other command has
the ledger open) and the ledger holds no entry (another command may have recorded meanwhile):
the same rule as for a new SQLite file (`opening.removed_if_refused`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from cqc_ledger.ledger.store.target import postgres_connection, postgres_settings

# The advisory lock's key: (this program's, the schema's). A two-key lock never meets the one-key
# lock taken while creating tables.
_PROGRAM = "cqc-ledger: commands creating a ledger"
_OBJECTS = """
    SELECT 'relation', relkind::text, relname, oid::regclass::text FROM pg_class
        WHERE relnamespace = quote_ident(%(schema)s)::regnamespace AND relkind IN ('r', 'v', 'm', 'c', 'S', 'p', 'f')
    UNION ALL SELECT 'routine', prokind::text, proname, oid::regprocedure::text FROM pg_proc
        WHERE pronamespace = quote_ident(%(schema)s)::regnamespace
"""
_DROP = {"r": "TABLE", "p": "TABLE", "f": "FOREIGN TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW", "c": "TYPE", "S": "SEQUENCE"}


@contextmanager
def schema_kept_if_refused(url: str, *, empty: bool) -> Iterator[None]:
    """Runs a command that may create a ledger in the schema of `url`; if it was `empty` and the
    command fails having recorded nothing, drops what the command created there."""
    conn = postgres_connection(url, autocommit=True)
    schema = postgres_settings(url)["schema"]
    key = (_PROGRAM, schema)
    try:
        conn.execute("SELECT pg_advisory_lock_shared(hashtext(%s), hashtext(%s))", key)
        before = _objects(conn, schema) if empty else None
    except BaseException:
        conn.close()
        raise
    try:
        yield
    except BaseException:
        if before is not None:
            with suppress(Exception):  # the refusal is what the user must see, not a failed tidy-up
                conn.execute("SELECT pg_advisory_unlock_shared(hashtext(%s), hashtext(%s))", key)
                if _scalar(conn, "SELECT pg_try_advisory_lock(hashtext(%s), hashtext(%s))", key):
                    _drop_new(conn, schema, before)
        raise
    finally:
        with suppress(Exception):
            conn.close()  # ends the session: its advisory locks go with it


def _objects(conn: Any, schema: str) -> set[tuple[str, str, str, str]]:
    return {tuple(row) for row in conn.execute(_OBJECTS, {"schema": schema}).fetchall()}


def _scalar(conn: Any, statement: str, params: tuple[str, ...]) -> Any:
    row = conn.execute(statement, params).fetchone()
    return row[0] if row else None


def _drop_new(conn: Any, schema: str, before: set[tuple[str, str, str, str]]) -> None:
    """Drops, in one transaction, what is in the schema now but was not before, unless an entry
    was recorded there meanwhile (then it is a ledger, and someone else's now)."""
    new = sorted(_objects(conn, schema) - before, key=lambda o: (o[0] == "relation" and o[1] == "c", o[0] == "routine"))
    if not new:
        return
    with conn.transaction():
        conn.execute("SET LOCAL lock_timeout = '5s'")  # a reader holding the tables: leave them, do not hang
        for _, kind, name, qualified in new:
            if (
                kind == "r"
                and name.endswith("_events")
                and _scalar(conn, f"SELECT count(*) FROM (SELECT 1 FROM {qualified} LIMIT 1) s", ())
            ):
                return
        for what, kind, _, qualified in new:
            statement = "ROUTINE" if what == "routine" else _DROP[kind]
            conn.execute(f"DROP {statement} IF EXISTS {qualified} CASCADE")
