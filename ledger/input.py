"""Reading JSON Lines input into numbered entries, refusing it whole at the first bad line."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

import orjson

from events.base import Entry
from events.parsing import parse_entry
from ledger.errors import InputError, MalformedLine


def read_entries(lines: Iterable[str | bytes], *, today: date) -> list[tuple[int, Entry]]:
    """Every entry of the input with its line number; blank lines are skipped.

    Raises an InputError naming the line (and the field) of the first line that is not an entry.
    """
    return list(iter_entries(lines, today=today))


def iter_entries(lines: Iterable[str | bytes], *, today: date) -> Iterator[tuple[int, Entry]]:
    """The entries of the input with their line numbers, read as they are asked for."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError as bad:
            raise MalformedLine(f"not valid JSON ({bad})", line=number) from None
        try:
            yield number, parse_entry(obj, today=today)
        except InputError as refused:
            raise refused.at_line(number) from None
