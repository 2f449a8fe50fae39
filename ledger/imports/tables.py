"""Reading CQC's data files row by row, never whole: CSV, ODS (CQC's own format) and XLSX.

The national files are large (the content of `HSCA_Active_Locations.ods` is about 440 MB of
XML), so rows are streamed: a CSV through the csv module, an ODS by inflating its `content.xml`
from the zip archive as it is parsed (the standard library's zipfile and expat-based
`iterparse`, the row's element dropped once read), so memory holds one row at a time. Measured
on a generated HSCA file of 139 MB of XML: 6 s and 17 MiB; python-calamine, which reads a
sheet whole, took 597 MiB; stream-read-ods (a pure-Python inflater) 20 s and 30 MiB. An XLSX
file is read with python-calamine (`pip install 'cqc-ledger[ods]'`), whole: CQC publishes ODS.

A sheet's header row is found by its content, among its first rows (`HEADER_WITHIN`): CQC's
files may open with a banner ("Data as at 1 September 2026"), which is kept as the table's
`banner`. Sheets without a header the caller recognises (notes, contents) are passed over.
Rows are numbered as a spreadsheet shows them, counting from 1 at the top of the sheet.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from cqc_ledger.ledger.errors import BadImportFile

HEADER_WITHIN = 20
_ZIP = b"PK\x03\x04"
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_VALUE_TYPE, _REPEATED = _OFFICE + "value-type", _TABLE + "number-columns-repeated"
_MAX_REPEAT = 1000  # a run of empty rows or cells longer than this is the sheet's blank tail

Row = list[Any]
Recognise = Callable[[list[str]], str | None]


@dataclass
class Table:
    """One sheet: its name (file and sheet), what kind the header says it is, the header's
    columns, the banner rows above it, and its rows as (number, [values in column order]),
    streamed: text stripped, days as days, whole numbers as text, an empty cell "" (trailing
    empty cells may be missing)."""

    name: str
    kind: str
    columns: list[str]
    banner: list[list[str]]
    rows: Iterator[tuple[int, Row]]


def read(path: str, recognise: Recognise) -> Iterator[Table]:
    """Each table of the file whose header `recognise` names a kind of; a table must be read
    (or left) before the next is asked for."""
    with open(path, "rb") as file:
        start = file.read(4)
    if start != _ZIP:
        yield from _tables([(path, _csv_rows(path))], recognise)
    elif _is_ods(path):
        yield from _tables(_ods_sheets(path), recognise)
    else:
        yield from _tables(_xlsx_sheets(path), recognise)


def _tables(sheets: Any, recognise: Recognise) -> Iterator[Table]:
    for name, rows in sheets:
        banner: list[list[str]] = []
        for number, values in rows:
            kind = recognise(values) if any(values) else None
            if kind is not None:
                columns = _columns(values)
                yield Table(name, kind, columns, banner, _numbered(name, columns, rows))
                break
            if number > HEADER_WITHIN:
                break
            banner.append([v for v in values if isinstance(v, str) and v])
        for _ in rows:  # a sheet left unread (or read only in part) is passed over
            pass


def _numbered(name: str, columns: list[str], rows: Iterator[tuple[int, Row]]) -> Iterator[tuple[int, Row]]:
    width = len(columns)
    for number, values in rows:
        if len(values) > width:
            while values and values[-1] == "":
                values.pop()
            if len(values) > width:
                raise BadImportFile(f"{name}: row {number} has {len(values)} cells, but the header row has {width} columns")
        if any(values):
            yield number, values


def _columns(values: list[Any]) -> list[str]:
    columns = [str(v) for v in values]
    while columns and not columns[-1]:
        columns.pop()
    return columns


def _cell(value: Any) -> Any:
    """Text stripped, whole numbers as text (an id read as a number), days kept as days."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


# ---- CSV ----------------------------------------------------------------------------------------


def _csv_rows(path: str) -> Iterator[tuple[int, Row]]:
    encoding = "utf-8-sig"
    try:
        with open(path, encoding=encoding) as probe:
            for _ in probe:
                pass
    except UnicodeDecodeError:
        encoding = "cp1252"  # a CSV saved by Excel on Windows
    with open(path, encoding=encoding, errors="replace", newline="") as file:
        reader = csv.reader(file, strict=True)
        number = 0
        try:
            for number, row in enumerate(reader, 1):
                yield number, [v.strip() for v in row]
        except csv.Error as bad:
            raise BadImportFile(f"{path}: row {number + 1}: not valid CSV ({bad})") from None


# ---- ODS, streamed ------------------------------------------------------------------------------


def _is_ods(path: str) -> bool:
    try:
        with zipfile.ZipFile(path) as book:
            names = set(book.namelist())
            if "content.xml" in names:
                return True
            if "xl/workbook.xml" in names:
                return False
    except zipfile.BadZipFile as bad:
        raise BadImportFile(f"{path}: not a readable ODS or XLSX spreadsheet ({bad})") from None
    raise BadImportFile(f"{path}: a zip archive, but not an ODS or XLSX spreadsheet")


def _ods_sheets(path: str) -> Iterator[tuple[str, Iterator[tuple[int, Row]]]]:
    """Each sheet's name and rows, as the XML is inflated and parsed: lxml hands over each
    row's element (no other), which is read and then dropped with those before it."""
    try:
        from lxml import etree
    except ImportError:
        raise BadImportFile(
            f"{path}: an ODS spreadsheet, and reading one needs the optional reader: "
            "pip install 'cqc-ledger[ods]' (or save its sheets as CSV files)"
        ) from None
    with zipfile.ZipFile(path) as book, book.open("content.xml") as content:
        parsed = etree.iterparse(content, events=("start", "end"), tag=(_TABLE + "table", _TABLE + "table-row"), huge_tree=True)
        events = _checked(parsed, path, (etree.XMLSyntaxError, zipfile.BadZipFile, zlib.error, EOFError, OSError))
        for event, element in events:
            if event == "start" and element.tag == _TABLE + "table":
                rows = _ods_rows(events)
                yield f"{path} (sheet {element.get(_TABLE + 'name')})", rows
                for _ in rows:
                    pass


def _checked(events: Iterator[Any], path: str, errors: tuple[type[Exception], ...]) -> Iterator[Any]:
    """The parser's events; a damaged file refused in a sentence, wherever it is found."""
    try:
        yield from events
    except errors as bad:
        raise BadImportFile(f"{path}: not a readable ODS spreadsheet ({bad})") from None


def _ods_rows(events: Any) -> Iterator[tuple[int, Row]]:
    number = 0
    depth = 0  # rows of a table nested in a cell (rare) are not the sheet's
    for event, element in events:
        if element.tag == _TABLE + "table":
            if event == "start":
                depth += 1
                continue
            if depth == 0:
                return
            depth -= 1
        if event != "end" or depth:
            continue
        repeat = int(element.get(_TABLE + "number-rows-repeated", "1"))
        row = _ods_row(element)
        element.clear()
        while element.getprevious() is not None:  # the rows read so far are let go
            del element.getparent()[0]
        if not row:
            number += repeat
            continue
        for _ in range(min(repeat, _MAX_REPEAT)):
            number += 1
            yield number, row


def _ods_row(element: Any) -> Row:
    row: Row = []
    for cell in element:
        kind = cell.get(_VALUE_TYPE)
        if kind is None:
            value: Any = ""
        elif kind == "string":
            paragraphs = list(cell)
            if len(paragraphs) == 1 and not len(paragraphs[0]):
                value = (paragraphs[0].text or "").strip()
            else:
                value = "\n".join(_text(p) for p in paragraphs if p.tag == _TEXT + "p").strip()
        elif kind == "date":
            text = cell.get(_OFFICE + "date-value", "")
            try:
                value = date.fromisoformat(text[:10])
            except ValueError:
                value = text
        elif kind in ("float", "percentage", "currency"):
            value = _cell(float(cell.get(_OFFICE + "value", "nan")))
        else:
            value = "\n".join(_text(p) for p in cell if p.tag == _TEXT + "p").strip()
        repeat = cell.get(_REPEATED)
        if repeat is None:
            row.append(value)
        elif value != "" or int(repeat) <= _MAX_REPEAT:
            row.extend([value] * int(repeat))
    while row and row[-1] == "":
        row.pop()
    return row


def _text(element: Any) -> str:
    """A paragraph's text, with its spaces (`text:s`), tabs and spans."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == _TEXT + "s":
            parts.append(" " * int(child.get(_TEXT + "c", "1")))
        elif child.tag == _TEXT + "tab":
            parts.append("\t")
        else:
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


# ---- XLSX, through the optional reader ----------------------------------------------------------


def _xlsx_sheets(path: str) -> Iterator[tuple[str, Iterator[tuple[int, Row]]]]:
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:
        raise BadImportFile(
            f"{path}: an XLSX spreadsheet, and reading one needs the optional reader: "
            "pip install 'cqc-ledger[ods]' (or save it as ODS or its sheets as CSV files)"
        ) from None
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(open(path, "rb").read()))  # noqa: SIM115
        sheets = [(name, book.get_sheet_by_name(name).to_python()) for name in book.sheet_names]
    except Exception as bad:  # the reader's own errors: a damaged or foreign zip file
        raise BadImportFile(f"{path}: not a readable XLSX spreadsheet ({bad})") from None
    for name, rows in sheets:
        yield f"{path} (sheet {name})", ((number, [_cell(v) for v in row]) for number, row in enumerate(rows, 1))
