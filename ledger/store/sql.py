"""Small helpers over both stores' cursors: rows come back as tuples in SQLite, dicts in
PostgreSQL, and stored values as bytes, memoryviews or text."""

from __future__ import annotations

from typing import Any


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
