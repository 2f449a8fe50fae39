"""The one writer of answers in a machine's formats: JSON, CSV and newline-delimited JSON.

Every listing command hands its answer here (sqlite-utils style): `json` writes the command's
JSON document (one, indented, keys sorted); `csv` writes a header of the rows' keys, then one
line per row, a nested value (a list or an object) as its JSON text and a null as an empty
field; `nl` writes each row as one JSON object on a line of its own. The keys of the CSV header
are the keys of the rows' JSON, sorted as the JSON sorts them, so a CSV and the JSON it came
from line up column for key.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

import orjson

FORMATS = ("json", "csv", "nl")
_SORTED = orjson.OPT_SORT_KEYS


def json_bytes(document: Any) -> bytes:
    """The one JSON form of an answer: orjson, keys sorted, indented, with a final newline."""
    return orjson.dumps(document, option=_SORTED | orjson.OPT_INDENT_2) + b"\n"


def nl_bytes(rows: Iterable[dict[str, Any]]) -> bytes:
    """One compact JSON object per line, keys sorted."""
    return b"".join(orjson.dumps(row, option=_SORTED) + b"\n" for row in rows)


def csv_bytes(rows: Sequence[dict[str, Any]], columns: Sequence[str] = ()) -> bytes:
    """A header (the `columns`, then any other key of the rows, sorted), then a line per row."""
    import csv  # here: only --csv writes it, and every reading command's output imports this module

    header = sorted({*columns, *(key for row in rows for key in row)})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_field(row.get(key)) for key in header])
    return out.getvalue().encode()


def _field(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return orjson.dumps(value, option=_SORTED).decode()
    return str(value)


def formatted(fmt: str, document: Any, rows: Sequence[dict[str, Any]] | None = None, columns: Sequence[str] = ()) -> bytes:
    """The answer in `fmt`: the `document` as JSON, or its `rows` (the document itself when it
    is a list) as CSV or JSON lines. `columns` names the CSV header when there may be no rows."""
    listed = document if rows is None else rows
    if fmt == "json":
        return json_bytes(document)
    if fmt == "nl":
        return nl_bytes(listed)
    if fmt == "csv":
        return csv_bytes(listed, columns)
    raise ValueError(f"no output format {fmt!r}")
