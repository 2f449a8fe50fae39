"""Reading JSON Lines input into numbered entries, refusing it whole at the first bad line."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any, TypeVar

import orjson

from cqc_ledger.events.base import Entry
from cqc_ledger.ledger.errors import InputError, InvalidField, MalformedLine
from cqc_ledger.ledger.parsing import parse_entry
from cqc_ledger.ledger.records import Stamp, parse_time

T = TypeVar("T")


def iter_entries(lines: Iterable[str | bytes], *, today: date) -> Iterator[tuple[int, Entry]]:
    """The entries of the input with their line numbers, read as they are asked for."""
    # Each lambda is called at once, inside its iteration: binding the loop variable late is safe.
    for number, obj in _objects(lines):
        yield number, _at_line(number, lambda: parse_entry(obj, today=today))  # noqa: B023


def iter_exported(lines: Iterable[str | bytes], *, today: date) -> Iterator[tuple[int, Entry, Stamp]]:
    """The entries of an export (each line an entry plus its `ref` and `recorded_at`)."""
    for number, obj in _objects(lines):
        stamp = _at_line(number, lambda: _stamp(obj))  # noqa: B023
        yield number, _at_line(number, lambda: parse_entry(obj, today=today)), stamp  # noqa: B023


def _objects(lines: Iterable[str | bytes]) -> Iterator[tuple[int, Any]]:
    """Each non-blank line's JSON value, with its line number."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield number, orjson.loads(line)
        except orjson.JSONDecodeError as bad:
            raise MalformedLine(f"not valid JSON ({bad})", line=number) from None


def _at_line(number: int, read: Callable[[], T]) -> T:
    """What `read` makes of a line, or its InputError placed at the line."""
    try:
        return read()
    except InputError as refused:
        raise refused.at_line(number) from None


def _stamp(obj: object) -> Stamp:
    if not isinstance(obj, dict):
        raise InvalidField("expected a JSON object")
    ref, recorded_at = obj.pop("ref", None), obj.pop("recorded_at", None)
    if not isinstance(ref, str):
        raise InvalidField('missing field "ref" (an export line has the entry, its ref and its recorded_at)', field="ref")
    if not isinstance(recorded_at, str):
        raise InvalidField('missing field "recorded_at"', field="recorded_at")
    if "target_ref" in obj:  # a correction or retraction: the entry it mends
        obj["ref"] = obj.pop("target_ref")
    try:
        return Stamp(ref, parse_time(recorded_at))
    except ValueError:
        raise InvalidField(
            f'field "recorded_at": "{recorded_at}" is not a time like 2026-11-22T15:33:46.123456Z', field="recorded_at"
        ) from None
