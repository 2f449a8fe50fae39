"""Reading CQC's data files row by row, never whole: CSV, ODS (CQC's own format) and XLSX.

The national files are large (the content of `HSCA_Active_Locations.ods` is about 440 MB of
XML), so rows are streamed: a CSV through the csv module, an ODS by inflating its `content.xml`
from the zip archive as it is read (`ods`: lxml's `iterparse`, or, when the reader sifts the
rows, a scanner that reads whole only the rows wanted), so memory holds one row at a time.
Measured on a generated HSCA file of 139 MB of XML: 6 s and 17 MiB; python-calamine, which reads
a sheet whole, took 597 MiB; stream-read-ods (a pure-Python inflater) 20 s and 30 MiB. An XLSX
file is read with python-calamine (`pip install 'cqc-ledger[ods]'`), whole: CQC publishes ODS.

A sheet's header row is found by its content, among its first rows (`HEADER_WITHIN`): CQC's
files may open with a banner ("Data as at 1 September 2026"), which is kept as the table's
`banner`. Sheets without a header the caller recognises (notes, contents) are passed over.
Rows are numbered as a spreadsheet shows them, counting from 1 at the top of the sheet.
"""

from __future__ import annotations

import csv
import functools
import io
import os
import stat
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from cqc_ledger.ledger.errors import BadImportFile
from cqc_ledger.ledger.imports import ods

HEADER_WITHIN = 20
_ZIP = b"PK\x03\x04"

Row = list[Any]
Recognise = Callable[[list[str]], str | None]
Advance = Callable[[int], None]


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
    sieving: ods.Sieving | None = None
    header_row: int = 1

    def given_twice(self, key: Callable[[str], str], read: Callable[[str], bool]) -> None:
        """BadImportFile when the header names a column the reader reads (`read`, of a name as
        `key` gives it) twice: which of the two holds the value cannot be told. A column not read
        may be named any number of times."""
        first: dict[str, int] = {}
        for at, column in enumerate(self.columns):
            name = key(column)
            if not name or not read(name):
                continue
            if name in first:
                was = first[name]
                raise BadImportFile(
                    f'{self.name}: row {self.header_row}: the header names the column "{self.columns[was]}" twice, as columns '
                    f"{was + 1} ({_letters(was)}) and {at + 1} ({_letters(at)}): which of them to read cannot be told; "
                    "remove or rename one"
                )
            first[name] = at

    def sift(self, columns: Sequence[int], keep: Callable[[list[Any]], bool]) -> None:
        """Before its rows are read: the rows wanted are those for which `keep`, given the values
        of `columns` (in that order), says so. Others may be given holding only those values
        (every other cell ""); a reader that cannot tell them cheaply gives them whole."""
        if self.sieving is not None:
            self.sieving.sieve = ods.Sieve(tuple(columns), keep, len(self.columns))


def read(path: str, recognise: Recognise, *, sifting: bool = False, advance: Advance = lambda _: None) -> Iterator[Table]:
    """Each table of the file whose header `recognise` names a kind of; a table must be read
    (or left) before the next is asked for. With `sifting`, a table's reader may say which rows
    it wants whole (`Table.sift`): an ODS's other rows are then read only as far as deciding it.
    `advance` is told of the bytes read as they are read, `size(path)` of them in all."""
    with open(path, "rb") as file:
        start = file.read(4)
    sieving = ods.Sieving() if sifting else None
    if start != _ZIP:
        yield from _tables([(path, _csv_rows(path, advance))], recognise, sieving)
    elif _is_ods(path):
        yield from _tables(_ods_sheets(path, sieving, advance), recognise, sieving)
    else:
        yield from _tables(_xlsx_sheets(path, advance), recognise, sieving)


def _letters(at: int) -> str:
    """The letters a spreadsheet names the column at index `at` by: A, ..., Z, AA, ..."""
    letters = ""
    at += 1
    while at:
        at, left = divmod(at - 1, 26)
        letters = chr(ord("A") + left) + letters
    return letters


def size(path: str) -> int:
    """How many bytes reading the file reads: an ODS's `content.xml` as inflated, else the file's
    own size (a file that cannot be read as it seems is refused when it is read, not here). Only
    a file is opened as a zip archive: zipfile reads a device (`/dev/zero`) to its end, which
    never comes, looking for the archive's directory."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return 0
        with zipfile.ZipFile(path) as book:
            return book.getinfo("content.xml").file_size
    except (zipfile.BadZipFile, KeyError, OSError):
        try:
            return os.path.getsize(path)
        except OSError:
            return 0


def _tables(sheets: Any, recognise: Recognise, sieving: ods.Sieving | None) -> Iterator[Table]:
    for name, rows in sheets:
        banner: list[list[str]] = []
        for number, values in rows:
            kind = recognise(values) if any(values) else None
            if kind is not None:
                columns = _columns(values)
                yield Table(name, kind, columns, banner, _numbered(name, columns, rows), sieving, number)
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


# The longest line a CSV may hold, in characters: a row of CQC's widest file (HSCA_Active_Locations,
# 122 columns) is a few KB, and the csv module refuses a cell of over 128 KiB.
ROW_LIMIT = 1 << 20
_PIECE = 1 << 16


class _LineRefused(ValueError):
    """A line of a CSV that cannot be a row of CQC's: refused, naming the row, unread beyond."""


def _csv_rows(path: str, advance: Advance) -> Iterator[tuple[int, Row]]:
    encoding, feeds = _csv_probe(path)
    with open(path, "rb") as raw, io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="\n" if feeds else "") as file:
        reader = csv.reader(_lines(file, feeds), strict=True)
        number, told = 0, 0
        try:
            for number, row in enumerate(reader, 1):
                yield number, [v.strip() for v in row]
                if (at := raw.tell()) != told:  # the bytes are read a piece of some KiB at a time
                    advance(at - told)
                    told = at
        except csv.Error as bad:
            raise BadImportFile(f"{path}: row {number + 1}: not valid CSV ({bad})") from None
        except _LineRefused as bad:
            raise BadImportFile(f"{path}: row {number + 1}: {bad}") from None
        advance(raw.tell() - told)


def _lines(file: io.TextIOWrapper, feeds: bool) -> Iterator[str]:
    """The lines of a CSV, each read no further than `ROW_LIMIT` characters: one longer (a file
    with no line ends, `/dev/zero`) is refused as soon as it passes them. In a file whose rows end
    at line feeds, a carriage return anywhere else in a line is read as a space (cells are
    stripped): a line edited by a tool that knows only line feeds (`sed 's/$/,extra/'` on a CR LF
    file leaves its CR before `,extra`) is one row, as an editor shows it, not two, so that its
    cells are counted against the header as the row's own."""
    for line in iter(functools.partial(file.readline, ROW_LIMIT + 1), ""):
        if len(line) > ROW_LIMIT and not line.endswith(("\n", "\r")):
            if "\x00" in line:
                raise _LineRefused("holds NUL bytes, which no CSV text does (a spreadsheet, or UTF-16 text?): save the sheet as CSV")
            raise _LineRefused(f"longer than {ROW_LIMIT} characters, the most a line of a CSV may hold (a row of CQC's is a few KB)")
        if feeds and "\r" in line:
            body = line.removesuffix("\n").removesuffix("\r") if line.endswith("\n") else line
            line = body.replace("\r", " ") + line[len(body) :] if "\r" in body else line
        yield line


def _csv_probe(path: str) -> tuple[str, bool]:
    """The file's encoding (UTF-8, else cp1252: a CSV saved by Excel on Windows), and whether its
    rows end at line feeds (LF, or CR LF), as its first line does, or at carriage returns alone
    (a CSV saved by Excel for Mac before 2016). Read no further than a line longer than
    `ROW_LIMIT`, where the rows are refused (`_lines`)."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as probe:
            first = probe.readline(ROW_LIMIT + 1)
            run = 0 if first.endswith(("\n", "\r")) else len(first)  # characters since the last line end
            while run <= ROW_LIMIT and (text := probe.read(_PIECE)):
                end = max(text.rfind("\n"), text.rfind("\r"))
                run = run + len(text) if end < 0 else len(text) - end - 1
        return "utf-8-sig", not first.endswith("\r")
    except UnicodeDecodeError:
        with open(path, encoding="cp1252", errors="replace", newline="") as probe:
            return "cp1252", not probe.readline(ROW_LIMIT + 1).endswith("\r")


# ---- ODS, streamed (see `ods`) ----------------------------------------------------------------


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


def _ods_sheets(path: str, sieving: ods.Sieving | None, advance: Advance) -> Iterator[tuple[str, Iterator[tuple[int, Row]]]]:
    """Each sheet's name and rows, as the file is inflated and read."""
    events = ods.events(path, sieving, advance)
    for event in events:
        if event[0] == "table":
            rows = _sheet_rows(events)
            yield f"{path} (sheet {event[1]})", rows
            for _ in rows:
                pass


def _sheet_rows(events: Iterator[ods.Event]) -> Iterator[tuple[int, Row]]:
    for event in events:
        if event[0] == "end":
            return
        yield event[1], event[2]


# ---- XLSX, through the optional reader ----------------------------------------------------------


def _xlsx_sheets(path: str, advance: Advance) -> Iterator[tuple[str, Iterator[tuple[int, Row]]]]:
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
    advance(size(path))  # read whole
    for name, rows in sheets:
        yield f"{path} (sheet {name})", ((number, [_cell(v) for v in row]) for number, row in enumerate(rows, 1))
