"""What the ledger remembers of syncing: when the last successful `sync` started.

Kept in the ledger's own store, in a small table `ledger_sync` beside `ledger_head` (name,
value), so a ledger moved or copied carries it along. It is not an entry: it says nothing about
any provider, only how far the ledger has asked CQC.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cqc_ledger.ledger.application import Ledger
from cqc_ledger.ledger.records import format_time, parse_time
from cqc_ledger.ledger.store.sql import one

LAST_SYNC = "last_successful_sync"


def _table(recorder: Any) -> str:
    return recorder.names["head"].replace("ledger_head", "ledger_sync")


def _ensure(recorder: Any, c: Any) -> str:
    table = _table(recorder)
    c.execute(f"CREATE TABLE IF NOT EXISTS {table} (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
    return table


def last_sync(ledger: Ledger) -> datetime | None:
    """When the last successful sync started, or None when none has."""
    recorder: Any = ledger.recorder
    with recorder.datastore.transaction(commit=True) as c:
        table = _ensure(recorder, c)
        c.execute(f"SELECT value FROM {table} WHERE name = {recorder.placeholder}", (LAST_SYNC,))
        value = one(c)
    return parse_time(value) if value else None


def remember_sync(ledger: Ledger, started: datetime) -> None:
    """Notes that a sync started at `started` finished with every provider recorded."""
    recorder: Any = ledger.recorder
    p = recorder.placeholder
    with recorder.datastore.transaction(commit=True) as c:
        table = _ensure(recorder, c)
        c.execute(
            f"INSERT INTO {table} (name, value) VALUES ({p}, {p}) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (LAST_SYNC, format_time(started)),
        )
