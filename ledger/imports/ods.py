"""An ODS spreadsheet's sheets and rows, streamed from its `content.xml` as it is inflated.

Two readers give the same rows:

- lxml's `iterparse` (the reference): every row's element is built, read and dropped with those
  before it, so memory holds one row at a time.
- A scanner of the inflated bytes, for imports that read only some rows whole (NHS trusts among
  the whole register): it finds each row's extent (`<table:table-row ...>` to its end tag), and
  when the caller has said which rows it wants (`Sieve`), reads only the cells that decide it;
  a row it wants, or any row it cannot read that cheaply, is parsed whole by lxml (the row
  alone). Building the tree of every row is most of the reading time, and an NHS-only import
  passes over 97% of the rows.

The scanner reads only what spreadsheet programs write (the usual `office:`/`table:`/`text:`
prefixes, UTF-8, cells of plain text); anything else (a comment, CDATA, another encoding, a
prefix bound elsewhere, a table nested in a row) and it hands the file to lxml, which carries on
from the same row. A row passed over is read as far as the cells that decide it and its width,
and counted as far as needed to know that it holds no more cells than a row may.
"""

from __future__ import annotations

import functools
import operator
import re
import zipfile
import zlib
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from cqc_ledger.ledger.errors import BadImportFile

TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE, _OFFICE, _TEXT = f"{{{TABLE_NS}}}", f"{{{OFFICE_NS}}}", f"{{{TEXT_NS}}}"
_VALUE_TYPE, _REPEATED = _OFFICE + "value-type", _TABLE + "number-columns-repeated"
MAX_REPEAT = 1000  # a run of empty rows or cells longer than this is the sheet's blank tail
# The most a row may hold, as a CSV's line may hold 1 MiB (`tables.ROW_LIMIT`): 4 MiB of XML
# leaves room for that much text in its markup (a row of CQC's widest file, 122 cells, is a few
# KB), and 16,384 cells are the columns of a sheet in LibreOffice and Excel. A deflated row
# that never ends (a few MB on disk inflate to GB) is refused as soon as it passes either. What
# comes before the first sheet (the styles and settings) may hold no more XML than a row.
ROW_BYTES = 4 << 20
MAX_CELLS = 16_384
_CHUNK = 1 << 20

Row = list[Any]
# ("table", name) | ("row", number, values) | ("end",): a sheet opens, a row of it, it closes
Event = tuple[Any, ...]


@dataclass(frozen=True)
class Sieve:
    """Which rows to read whole: those for which `keep` (given the values of `columns`, in that
    order) says so. A row passed over is given as a row holding those columns' values alone (and
    "" before them); one wider than `width` (the header's), or with no value in those columns,
    is read whole, so that it is refused as it would be."""

    columns: tuple[int, ...]
    keep: Callable[[list[Any]], bool]
    width: int


class Sieving:
    """The sieve of the sheet being read, set by its reader once it knows the sheet's columns."""

    sieve: Sieve | None = None


def events(path: str, sieving: Sieving | None = None, advance: Callable[[int], None] = lambda _: None) -> Iterator[Event]:
    """The sheets and rows of the ODS at `path`: scanned when `sieving` is given, else parsed
    by lxml; a damaged file is refused in a sentence. `advance` is told of the bytes of
    `content.xml` as they are inflated (once each, when lxml reads again what the scanner read)."""
    try:
        from lxml import etree
    except ImportError:
        raise BadImportFile(
            f"{path}: an ODS spreadsheet, and reading one needs the optional reader: "
            "pip install 'cqc-ledger[ods]' (or save its sheets as CSV files)"
        ) from None
    damage = (etree.XMLSyntaxError, zipfile.BadZipFile, zlib.error, EOFError, OSError)
    told = _Told(advance)
    try:
        if sieving is None:
            yield from _parsed(path, told)
            return
        given = 0
        try:
            for event in _scanned(path, sieving, told):
                yield event
                given += 1
        except _NotPlain:
            for n, event in enumerate(_parsed(path, told)):
                if n >= given:
                    yield event
    except damage as bad:
        raise BadImportFile(f"{path}: not a readable ODS spreadsheet ({bad})") from None


class _Told:
    """How far into `content.xml` the readers have read, told to `advance` once for each byte."""

    def __init__(self, advance: Callable[[int], None]) -> None:
        self.advance, self.furthest = advance, 0

    def reader(self, raw: IO[bytes]) -> _Counted:
        return _Counted(raw, self)


class _Counted:
    """The inflated bytes as a reader reads them, from the start of `content.xml`."""

    def __init__(self, raw: IO[bytes], told: _Told) -> None:
        self.raw, self.told, self.at = raw, told, 0
        self.since: int | None = None  # where the row (or the stretch between rows, or the opening) being read began
        self.in_row = False
        self.opening = True  # before the first sheet

    def read(self, size: int = -1) -> bytes:
        if self.since is not None and self.at - self.since > ROW_BYTES:
            if self.opening:
                raise _opening_too_long()
            raise _longer_than_a_row() if self.in_row else _no_row_within()
        chunk = self.raw.read(size)
        self.at += len(chunk)
        if self.at > self.told.furthest:
            self.told.advance(self.at - self.told.furthest)
            self.told.furthest = self.at
        return chunk


class _TooLong(Exception):
    """A row passed `ROW_BYTES` of XML or `MAX_CELLS` cells (`place` "row"), the XML between two
    rows passed `ROW_BYTES` ("between rows"), or what comes before the first sheet did
    ("opening"): refused, unread beyond."""

    def __init__(self, why: str, place: str = "row") -> None:
        super().__init__(why)
        self.place = place


def _too_long(path: str, sheet: str | None, number: int, found: _TooLong) -> BadImportFile:
    """The refusal of row `number + 1` of the sheet, of what follows row `number`, or of what
    comes before the first sheet."""
    if found.place == "opening":
        return BadImportFile(f"{path}: before its first sheet: {found}")
    where = f"row {number + 1}" if found.place == "row" else f"after row {number}"
    return BadImportFile(f"{path} (sheet {sheet}): {where}: {found}")


def _longer_than_a_row() -> _TooLong:
    return _TooLong(f"longer than {ROW_BYTES} bytes ({ROW_BYTES >> 20} MiB) of XML, the most a row may hold (a row of CQC's is a few KB)")


def _too_many_cells() -> _TooLong:
    return _TooLong(f"more than {MAX_CELLS:,} cells, the most a row of a sheet holds (LibreOffice's and Excel's widest)")


def _no_row_within() -> _TooLong:
    return _TooLong(f"{ROW_BYTES} bytes ({ROW_BYTES >> 20} MiB) of XML without a row, more than a row may hold", place="between rows")


def _opening_too_long() -> _TooLong:
    return _TooLong(
        f"longer than {ROW_BYTES} bytes ({ROW_BYTES >> 20} MiB) of XML, the most the styles and settings before a sheet may hold (as a row may)",
        place="opening",
    )


# ---- lxml ---------------------------------------------------------------------------------------


def _parsed(path: str, told: _Told) -> Iterator[Event]:
    """The events of lxml's reading. A row, the XML between two rows (or after a sheet) and what
    comes before the first sheet are read no further than `ROW_BYTES` past where they began (as
    far as lxml has read when it tells of their start: one piece of its reading more): lxml
    builds a row whole before it ends, and keeps what comes before the first sheet."""
    from lxml import etree

    with zipfile.ZipFile(path) as book, book.open("content.xml") as content:
        reader = told.reader(content)
        reader.since = 0
        parsed = etree.iterparse(reader, events=("start", "end"), tag=(_TABLE + "table", _TABLE + "table-row"), huge_tree=True)
        depth, number, sheet = 0, 0, None  # rows of a table nested in a cell (rare) are not the sheet's
        try:
            for event, element in parsed:
                if element.tag == _TABLE + "table":
                    if event == "start":
                        depth += 1
                        if depth == 1:
                            number, sheet, reader.since, reader.opening = 0, element.get(_TABLE + "name"), reader.at, False
                            yield ("table", sheet)
                        continue
                    depth -= 1
                    if depth == 0:
                        reader.since, reader.in_row = reader.at, False
                        yield ("end",)
                    continue
                if depth != 1:
                    continue
                reader.since, reader.in_row = reader.at, event == "start"
                if event == "start":
                    continue
                repeat = int(element.get(_TABLE + "number-rows-repeated", "1"))
                row = row_values(element)
                element.clear()
                while element.getprevious() is not None:  # the rows read so far are let go
                    del element.getparent()[0]
                number = yield from _repeated(number, repeat, row)
        except _TooLong as too_long:
            raise _too_long(path, sheet, number, too_long) from None


def _repeated(number: int, repeat: int, row: Row) -> Generator[Event, None, int]:
    """A row given `repeat` times after row `number`, once for each time (at most MAX_REPEAT: a
    longer run is the sheet's tail); an empty row is only counted. Returns the last row's number."""
    if not row:
        return number + repeat
    for _ in range(min(repeat, MAX_REPEAT)):
        number += 1
        yield ("row", number, row)
    return number


def row_values(element: Any) -> Row:
    """A row element's values: text stripped, days as days, whole numbers as text (_TooLong past
    `MAX_CELLS`, counted as a run of cells is repeated, before its values are)."""
    row: Row = []
    for cell in element:
        if len(row) >= MAX_CELLS:
            raise _too_many_cells()
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
            number = float(cell.get(_OFFICE + "value", "nan"))
            value = str(int(number)) if number.is_integer() else str(number)
        else:
            value = "\n".join(_text(p) for p in cell if p.tag == _TEXT + "p").strip()
        repeat = cell.get(_REPEATED)
        if repeat is None:
            row.append(value)
        elif value != "" or int(repeat) <= MAX_REPEAT:
            if len(row) + int(repeat) > MAX_CELLS:
                raise _too_many_cells()
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


# ---- the scanner --------------------------------------------------------------------------------


class _NotPlain(Exception):
    """The file holds something the scanner does not read: lxml takes over."""


_MARK = re.compile(rb"<table:table(?:-row)?(?=[\s/>])|</table:table>|<[!?]")
_ROW_END = b"</table:table-row>"
_NAMESPACES = {b"table": TABLE_NS.encode(), b"office": OFFICE_NS.encode(), b"text": TEXT_NS.encode()}
_DECLARED = re.compile(rb'xmlns:([\w.-]+)="([^"]*)"')
_ROWS_REPEATED = re.compile(rb'\stable:number-rows-repeated="(\d+)"')
_COLUMNS_REPEATED = re.compile(rb'number-columns-repeated(?:="(\d+)")?')  # every one; its count when written plainly
_NAME = re.compile(rb'\stable:name="([^"]*)"')
_CELL = b"<table:table-cell"
# One cell of plain text (what follows `<table:table-cell`): its attributes, and its paragraph
_PLAIN = re.compile(rb'((?:\s+[\w:.-]+="[^"]*")*)\s*(?:/>|>\s*(?:<text:p>([^<]*)</text:p>|<text:p/>)?\s*</table:table-cell>)\s*', re.S)
_STRING = re.compile(rb'\soffice:value-type="string"')
_ENTITY = re.compile(rb"&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);")
_ENTITIES = {b"amp": "&", b"lt": "<", b"gt": ">", b"quot": '"', b"apos": "'"}


class _Stream:
    """The inflated bytes, in a window that grows as far as a search needs, no further than
    `ROW_BYTES` from `pos` (_TooLong), where the row, tag or stretch between rows being read
    began (in the prolog, the start: what comes before the first sheet)."""

    def __init__(self, raw: _Counted) -> None:
        self.raw, self.buf, self.pos, self.done = raw, b"", 0, False
        self.plain = False  # past the prolog: no comment, CDATA, declaration or instruction allowed
        self.in_row = False

    def more(self) -> bool:
        if self.done:
            return False
        if len(self.buf) - self.pos > ROW_BYTES:
            if not self.plain:
                raise _opening_too_long()
            raise _longer_than_a_row() if self.in_row else _no_row_within()
        chunk = self.raw.read(_CHUNK)
        if not chunk:
            self.done = True
            return False
        kept = len(self.buf) - self.pos
        self.buf = self.buf[self.pos :] + chunk
        self.pos = 0
        if self.plain:
            self.check(max(0, kept - 1))
        return True

    def check(self, start: int) -> None:
        if self.buf.find(b"<!", start) >= 0 or self.buf.find(b"<?", start) >= 0:
            raise _NotPlain

    def find(self, what: bytes, start: int) -> int:
        """The position of `what` at or after `start` (an offset from `pos`), reading on; -1 at the end."""
        while True:
            at = self.buf.find(what, self.pos + start)
            if at >= 0:
                return at - self.pos
            before = len(self.buf) - self.pos
            if not self.more():
                return -1
            start = max(0, before - len(what))


def _scanned(path: str, sieving: Sieving, told: _Told) -> Iterator[Event]:
    with zipfile.ZipFile(path) as book, book.open("content.xml") as content:
        stream = _Stream(told.reader(content))
        number, in_table, sheet = 0, False, None
        try:
            wrap = _prolog(stream)
            while True:
                stream.in_row = False
                found = _MARK.search(stream.buf, stream.pos)
                if found is None or found.end() + 32 > len(stream.buf):  # a mark cut by the window
                    if not stream.more():
                        if found is None:
                            if in_table:
                                raise BadImportFile(f"{path}: not a readable ODS spreadsheet (it ends inside a sheet)")
                            return
                    else:
                        continue
                mark = found.group()
                stream.in_row = mark == b"<table:table-row"
                if stream.buf.find(b"xmlns", stream.pos, found.start()) >= 0 or mark.startswith((b"<!", b"<?")):
                    raise _NotPlain
                start = found.start() - stream.pos
                close = stream.find(b">", start)
                if close < 0:
                    raise BadImportFile(f"{path}: not a readable ODS spreadsheet (it ends inside a tag)")
                tag = stream.buf[stream.pos + start : stream.pos + close + 1]
                stream.pos += close + 1
                if b"xmlns" in tag:
                    raise _NotPlain
                if mark == b"</table:table>":
                    in_table = False
                    yield ("end",)
                elif mark == b"<table:table":
                    if in_table:
                        raise _NotPlain
                    sieving.sieve = None
                    name = _NAME.search(tag)
                    number, in_table, sheet = 0, True, _unescaped(name[1]) if name else None
                    yield ("table", sheet)
                    if tag.endswith(b"/>"):
                        in_table = False
                        yield ("end",)
                else:
                    repeat = int(m[1]) if (m := _ROWS_REPEATED.search(tag)) else 1
                    if tag.endswith(b"/>"):
                        number += repeat
                        continue
                    end = stream.find(_ROW_END, 0)
                    if end < 0:
                        raise BadImportFile(f"{path}: not a readable ODS spreadsheet (it ends inside a row)")
                    cells = stream.buf[stream.pos : stream.pos + end]
                    stream.pos += end + len(_ROW_END)
                    row = _row(tag, cells, sieving.sieve, wrap)
                    number = yield from _repeated(number, repeat, row)
        except _TooLong as too_long:
            raise _too_long(path, sheet, number, too_long) from None


def _prolog(stream: _Stream) -> tuple[bytes, bytes]:
    """Reads past the document's opening, up to its first sheet, checking it: UTF-8, no DOCTYPE,
    and the usual prefixes for the three namespaces read. Returns the wrapping a row is parsed in."""
    at = stream.find(b"<table:table", 0)
    head = stream.buf[stream.pos : stream.pos + at] if at >= 0 else stream.buf[stream.pos :]
    stream.pos += len(head)
    head = head.removeprefix(b"\xef\xbb\xbf")
    declaration = re.match(rb"\s*<\?xml\b([^>]*)\?>", head)
    if declaration is not None:
        encoding = re.search(rb"encoding\s*=\s*[\"']([^\"']*)", declaration[1])
        if encoding is not None and encoding[1].lower() not in (b"utf-8", b"utf8"):
            raise _NotPlain
        head = head[declaration.end() :]
    if b"<!" in head or b"<?" in head:
        raise _NotPlain
    declared = dict(_DECLARED.findall(head))
    if any(declared.get(prefix) != uri for prefix, uri in _NAMESPACES.items()):
        raise _NotPlain
    namespaces = b" ".join(b'xmlns:%s="%s"' % (prefix, uri) for prefix, uri in declared.items())
    stream.plain = True
    stream.check(stream.pos)
    return b"<w " + namespaces + b">", b"</w>"


def _row(tag: bytes, cells: bytes, sieve: Sieve | None, wrap: tuple[bytes, bytes]) -> Row:
    """The row's values; when a sieve passes it over, its deciding values alone. A row that may
    hold more than `MAX_CELLS` cells is read whole, to be refused as every row read whole is."""
    if b"office:value-type" not in cells:
        if not _may_pass_max_cells(cells):
            return []  # no cell has a value
    elif sieve is not None:
        passed = _passed_over(cells, sieve)
        if passed is not None:
            return passed
    if b"<table:table-row" in cells or b"<table:table " in cells or b"<table:table>" in cells:
        raise _NotPlain
    return _whole(tag, cells, wrap)


def _may_pass_max_cells(cells: bytes, spanned: int | None = None) -> bool:
    """Whether the row may hold more than `MAX_CELLS` cells as `row_values` counts them: no more
    than it has elements (each at least 4 bytes, and opened by a `<`) and columns its repeated
    cells span (`spanned`, when the caller has read them); a repeat the scanner does not read
    (written otherwise) is left to lxml to count."""
    if spanned is None:
        repeats = _COLUMNS_REPEATED.findall(cells)
        if not all(repeats):
            return True
        spanned = sum(max(int(n) - 1, 0) for n in repeats)
    return len(cells) // 4 + spanned > MAX_CELLS and cells.count(b"<") + spanned > MAX_CELLS


def _whole(tag: bytes, cells: bytes, wrap: tuple[bytes, bytes]) -> Row:
    from lxml import etree

    element = etree.fromstring(wrap[0] + tag + cells + _ROW_END + wrap[1], _parser())[0]
    return row_values(element)


@functools.cache
def _parser() -> Any:
    from lxml import etree

    return etree.XMLParser(huge_tree=True, resolve_entities=False)


def _passed_over(cells: bytes, sieve: Sieve) -> Row | None:
    """The deciding values of a row the sieve passes over; None when the row is wanted, or when
    reading it cheaply cannot tell (then it is read whole)."""
    pieces = cells.split(_CELL)
    if cells.count(b"<table:table") != len(pieces) - 1:
        raise _NotPlain  # a table in a cell, or a covered cell: lxml reads those
    repeats = _repeats(cells, pieces)
    if repeats is None or _may_pass_max_cells(cells, sum(map(_SPAN, repeats))):
        return None  # read whole: a repeat not read cheaply, or perhaps more cells than a row may hold
    last = cells.count(_CELL, 0, cells.rfind(b"office:value-type"))  # the last cell with a value
    if _column(last, repeats) >= sieve.width or any(at == last for at, _ in repeats):
        return None  # wider than the header (to be refused as it would be), or a value repeated
    values = []
    for column in sieve.columns:
        piece = _piece(column, repeats, len(pieces))
        value = "" if piece is None else _plain(pieces[piece])
        if value is None:
            return None
        values.append(value)
    if not any(values) or sieve.keep(values):
        return None
    row: Row = [""] * (max(sieve.columns) + 1)
    for column, value in zip(sieve.columns, values, strict=True):
        row[column] = value
    return row


_SPAN = operator.itemgetter(1)  # of a repeated cell (`_repeats`): the columns it spans


def _repeats(cells: bytes, pieces: list[bytes]) -> list[tuple[int, int]] | None:
    """The repeated cells, as (piece, columns spanned); None when one cannot be told cheaply."""
    repeats = []
    cell, counted = 0, 0
    for found in _COLUMNS_REPEATED.finditer(cells):
        if found[1] is None:
            return None  # written otherwise than spreadsheet programs write it
        cell += cells.count(_CELL, counted, found.start())
        counted = found.start()
        start = cells.rfind(b"<", 0, counted)
        if cells.find(b">", start, counted) >= 0 or not cells.startswith(_CELL, start):
            return None  # not in a cell's tag: the words in a cell's text
        repeats.append((cell, _repeat(int(found[1]), b"office:value-type" in pieces[cell])))
    return repeats


def _column(piece: int, repeats: Sequence[tuple[int, int]]) -> int:
    """The first column of the cell that is `pieces[piece]` (pieces[0] is before the first cell)."""
    return piece - 1 + sum(n - 1 for at, n in repeats if at < piece)


def _piece(column: int, repeats: Sequence[tuple[int, int]], pieces: int) -> int | None:
    """Which piece holds `column`; None past the row's last cell."""
    offset = 0
    for at, n in repeats:
        first = at - 1 + offset
        if column < first:
            break
        if column < first + n:
            return at
        offset += n - 1
    piece = column + 1 - offset
    return piece if piece < pieces else None


def _repeat(n: int, valued: bool) -> int:
    """How many columns a repeated cell spans, as lxml's reading counts them (a long run of
    empty cells is the sheet's blank tail, dropped)."""
    return n if valued or n <= MAX_REPEAT else 0


def _plain(piece: bytes) -> str | None:
    """A cell's value when it is plain text or empty; None otherwise (a number, a day, markup)."""
    cell = _PLAIN.fullmatch(piece)
    if cell is None:
        return None
    attributes = cell[1]
    if b"office:value-type" not in attributes:
        return ""
    if not _STRING.search(attributes):
        return None
    text = (cell[2] or b"").replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if b"&" in text:
        text = _ENTITY.sub(_entity, text)
        if b"&" in text.replace(b"\x00amp\x00", b""):
            return None
        text = text.replace(b"\x00amp\x00", b"&")
    try:
        return text.decode().strip()
    except UnicodeDecodeError:
        return None


def _entity(found: re.Match[bytes]) -> bytes:
    name = found[1]
    if name == b"amp":
        return b"\x00amp\x00"
    if name in _ENTITIES:
        return _ENTITIES[name].encode()
    code = int(name[2:], 16) if name.startswith(b"#x") else int(name[1:])
    return chr(code).encode() if 0 < code < 0x110000 and not 0xD800 <= code < 0xE000 else b"&"


def _unescaped(raw: bytes) -> str:
    return _ENTITY.sub(_entity, raw).replace(b"\x00amp\x00", b"&").decode(errors="replace")
