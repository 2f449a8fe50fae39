"""Reading CQC's data files into header rows and numbered rows: CSV, and ODS (or XLSX) when the
optional reader is installed (`pip install 'cqc-ledger[ods]'`, python-calamine).

A table is found by its header row, the first row of the first ten that has `Provider ID` and
`Latest Rating`: CQC's files sometimes open with a banner ("This data was produced on ...").
Sheets of a spreadsheet without such a row (notes, contents) are passed over. Rows are numbered
as a spreadsheet shows them, counting from 1 at the top of the sheet.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from cqc_ledger.ledger.errors import BadImportFile

MARKERS = ("Provider ID", "Latest Rating")
_HEADER_WITHIN = 10
_ZIP = b"PK\x03\x04"


@dataclass(frozen=True)
class Table:
    """One sheet of a file: where it came from, its columns, and its rows by number."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, Any]], ...]


def read_tables(path: str) -> list[Table]:
    """Every table of CQC data in the file; BadImportFile if it is malformed or holds none."""
    data = Path(path).read_bytes()
    sheets = _spreadsheet(path, data) if data.startswith(_ZIP) else {path: _csv_rows(path, data)}
    tables = [table for name, rows in sheets.items() if (table := _table(name, rows)) is not None]
    if not tables:
        raise BadImportFile(
            f'{path}: not CQC\'s "Latest ratings" file: no header row with the columns {" and ".join(MARKERS)} in its first rows'
        )
    return tables


def _csv_rows(path: str, data: bytes) -> list[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # a CSV saved by Excel on Windows
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows = []
    try:
        for row in reader:
            rows.append(row)
    except csv.Error as bad:
        raise BadImportFile(f"{path}: row {len(rows) + 1}: not valid CSV ({bad})") from None
    return rows


def _spreadsheet(path: str, data: bytes) -> dict[str, list[list[Any]]]:
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:
        raise BadImportFile(
            f"{path}: a spreadsheet (ODS or XLSX), and reading one needs the optional reader: "
            "pip install 'cqc-ledger[ods]' (or save its sheets as CSV files)"
        ) from None
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return {f"{path} (sheet {name})": book.get_sheet_by_name(name).to_python() for name in book.sheet_names}
    except Exception as bad:  # the reader's own errors: a damaged or foreign zip file
        raise BadImportFile(f"{path}: not a readable ODS or XLSX spreadsheet ({bad})") from None


def _table(name: str, rows: list[list[Any]]) -> Table | None:
    header_at = next((i for i, row in enumerate(rows[:_HEADER_WITHIN]) if set(MARKERS) <= {_cell(v) for v in row}), None)
    if header_at is None:
        return None
    columns = _columns(rows[header_at])
    numbered = []
    for number, row in enumerate(rows[header_at + 1 :], header_at + 2):
        values = [_cell(v) for v in row]
        if not any(values):
            continue
        if len(values) > len(columns) and any(values[len(columns) :]):
            raise BadImportFile(f"{name}: row {number} has {len(values)} cells, but the header row has {len(columns)} columns")
        if len(values) < len(columns):
            raise BadImportFile(f"{name}: row {number} has {len(values)} cells, but the header row has {len(columns)} columns")
        numbered.append((number, {column: value for column, value in zip(columns, values, strict=False) if column}))
    return Table(name, tuple(columns), tuple(numbered))


def _columns(row: list[Any]) -> list[str]:
    columns = [_cell(v) for v in row]
    while columns and not columns[-1]:
        columns.pop()
    return columns


def _cell(value: Any) -> Any:
    """Text stripped, whole numbers as text (an id read as a number), days kept as days."""
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()
