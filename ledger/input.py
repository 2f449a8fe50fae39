"""Reading JSON Lines input into numbered entries, refusing it whole at the first bad line."""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any, TypeVar

import orjson

from cqc_ledger.events.base import Entry
from cqc_ledger.ledger.errors import InputError, InvalidField, MalformedLine
from cqc_ledger.ledger.fastparse import fast_read
from cqc_ledger.ledger.parsing import LeftOut, parse_entry
from cqc_ledger.ledger.records import Stamp, parse_time

T = TypeVar("T")


# A line of input read: its number, its entry, and the entry's canonical form when the reader
# already wrote it (None: the recorder writes it).
Read = tuple[int, Entry, bytes | None]


def iter_entries(lines: Iterable[str | bytes], *, today: date, left_out: list[tuple[int, str, str]] | None = None) -> Iterator[Read]:
    """The entries of the input with their line numbers and, where the fast door wrote it, each
    one's canonical form (else None), read as they are asked for. Each cell left out (its rating
    a word for none: `parse_entry`) is told in `left_out` as (line, where, word)."""
    # A line already in canonical form is read by the fast door; any other, and every refusal,
    # the strict way (see ledger.fastparse).
    for number, line in enumerate(lines, 1):
        fast = fast_read(line, today)
        if fast is not None:
            yield number, *fast
            continue
        # Each lambda is called at once, inside its iteration: binding the loop variable late is safe.
        for _, text, obj in _objects([line], first=number):
            found: list[LeftOut] = []
            yield number, _at_line(number, lambda: _entry(obj, text, today, found=found)), None  # noqa: B023
            if left_out is not None:
                left_out.extend((number, where, word) for where, word in found)


def iter_exported(lines: Iterable[str | bytes], *, today: date) -> Iterator[tuple[int, Entry, Stamp]]:
    """The entries of an export (each line an entry plus its `ref` and `recorded_at`)."""
    for number, text, obj in _objects(lines):
        stamp = _at_line(number, lambda: _stamp(obj))  # noqa: B023
        yield number, _at_line(number, lambda: _entry(obj, text, today, unwrap=_stamp)), stamp  # noqa: B023


def _objects(lines: Iterable[str | bytes], first: int = 1) -> Iterator[tuple[int, str | bytes, Any]]:
    """Each non-blank line's text and JSON value, with its line number (a byte order mark opening
    the input, as some editors on Windows write one, is passed over)."""
    for number, line in enumerate(lines, first):
        if number == 1:
            line = without_bom(line)
        if not line.strip():
            continue
        try:
            yield number, line, json_value(line)
        except ValueError as bad:
            raise MalformedLine(not_utf8(line, "line") or f"not valid JSON ({bad})", line=number) from None


def _entry(
    obj: Any, text: str | bytes, today: date, *, unwrap: Callable[[Any], object] | None = None, found: list[LeftOut] | None = None
) -> Entry:
    """`parse_entry` of a line's value. A refusal of a line holding an integer of 20 digits or
    more is the refusal of its exact reading (`json_value(exact=True)`): read quickly, an integer
    from 2**64 on is a float, refused as not a whole number when it is too large. `unwrap` takes
    an export line's ref and time off the exact reading too."""
    try:
        return parse_entry(obj, today=today, left_out=found)
    except InvalidField:
        exact = json_value(text, exact=True) if _LONG_INTEGER.search(_bytes(text)) else None
        if exact is None:
            raise
        if unwrap is not None:
            unwrap(exact)
        return parse_entry(exact, today=today)


_BOM = "\ufeff"


@contextmanager
def reading(name: str) -> Iterator[None]:
    """A failure of the file system while reading the input `name` (a read names no file, and the
    command would blame its ledger) said of that input: `/proc/self/mem: Input/output error`."""
    try:
        yield
    except OSError as failed:
        if failed.filename is not None or failed.errno is None:
            raise
        raise OSError(failed.errno, failed.strerror, "standard input" if name in ("-", "<stdin>") else name) from None


# The longest JSON line read (`record`, `restore`) or correction's replacement: the benchmark's
# register of 5,000 trusts is longest at 28,564 bytes (a comprehensive report of a trust with
# five hospitals), so a line would need over 500 times as many cells to be refused.
LINE_LIMIT = 16 << 20
_PIECE = 1 << 20  # bytes read at a time: a line of a few KiB costs one split, not a read


def lines_of(read: Callable[[int], bytes], name: str, limit: int = LINE_LIMIT) -> Iterator[bytes]:
    """The lines of the input `name`, read a piece at a time by `read` (one read of a file each,
    as an unbuffered file or `read1` reads), a failure to read them said of it (`reading`). An
    input that never ends a line (`/dev/zero`) is refused as soon as a line passes `limit` bytes,
    naming it, and a line holding a NUL byte (no JSON text holds one; UTF-16 text does) as soon
    as a piece of it unended is read: the lines before it are given first, so that the first bad
    line is the one named, and a line ended within a piece is refused, if at all, as it is read."""
    number, held = 1, 0  # the line being read: its number, and the bytes of its pieces so far
    rest: list[bytes] = []
    with reading(name):
        while piece := read(_PIECE):
            end = piece.rfind(b"\n") + 1
            if end:
                # A piece's lines are split by BytesIO (memchr, sharing the piece's bytes), not by
                # bytes.split or count, which look at each byte in turn; its last is the start of
                # the next line when the piece ends within it.
                lines = io.BytesIO(piece).readlines()
                if end < len(piece):
                    lines.pop()
                if rest:
                    lines[0] = b"".join([*rest, lines[0]])
                    if len(lines[0]) > limit + 1:
                        raise MalformedLine(_too_long(limit), line=number)
                number += len(lines)
                yield from lines
                piece = piece[end:]
                rest, held = [], 0
                if not piece:
                    continue
            rest.append(piece)
            held += len(piece)
            if held > limit:
                raise MalformedLine(_too_long(limit), line=number)
            if b"\x00" in piece:
                raise MalformedLine(not_utf8(b"".join(rest), "line") or "holds NUL bytes", line=number)
        if held:
            yield b"".join(rest)


def read_at_most(file: Any, limit: int) -> bytes:
    """The whole of a file holding one JSON text (a correction's replacement, a CQC API response),
    read a piece at a time: TooLong as soon as it passes `limit` bytes; only as far as the first
    piece holding a NUL byte, which no JSON text holds (the text is then refused as not JSON, and
    `not_utf8` says why)."""
    pieces: list[bytes] = []
    held = 0
    while held <= limit and (piece := file.read(min(_PIECE, limit + 1 - held))):
        pieces.append(piece)
        held += len(piece)
        if b"\x00" in piece:
            break
    if held > limit:
        raise TooLong(f"longer than {limit} bytes{_size(limit)}")
    return b"".join(pieces)


class TooLong(ValueError):
    """An input passed the bytes it may hold: refused, unread beyond them."""


def _too_long(limit: int) -> str:
    return f"longer than {limit} bytes{_size(limit)}, the most a line may hold: is it JSON Lines, one entry to a line?"


def _size(limit: int) -> str:
    return f" ({limit >> 20} MiB)" if limit >= 1 << 20 else ""


def without_bom(text: T) -> T:
    """The text less a UTF-8 byte order mark at its start."""
    if isinstance(text, bytes):
        return text[3:] if text.startswith(_BOM.encode()) else text  # type: ignore[return-value]
    return text[1:] if isinstance(text, str) and text.startswith(_BOM) else text  # type: ignore[return-value]


def not_utf8(text: str | bytes, what: str) -> str | None:
    """Why the bytes of a line or file (`what`) refused as JSON are not UTF-8 text, if they are
    not, in words (orjson says "str is not valid UTF-8: surrogates not allowed"): UTF-16, by its
    byte order mark or the NUL bytes of its ASCII characters, or a byte UTF-8 does not use
    (Latin-1 and Windows-1252 text, Excel's "CSV" and Notepad's "ANSI")."""
    if isinstance(text, str):
        return None
    raw = bytes(text)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "not UTF-8 text: it opens with UTF-16's byte order mark; save the file as UTF-8"
    if b"\x00" in raw:  # JSON text holds none; UTF-16 writes one in each character of ASCII
        return f"not UTF-8 text: the {what} holds NUL bytes, as UTF-16 text does; save the file as UTF-8"
    try:
        raw.decode()
    except UnicodeDecodeError as bad:
        return (
            f"not UTF-8 text: byte {bad.start + 1} of the {what} is 0x{raw[bad.start]:02x}, which UTF-8 does not use there "
            "(Latin-1 or Windows-1252 text?); save the file as UTF-8"
        )
    return None


def not_utf8_line(text: bytes) -> tuple[int, str] | None:
    """The first line of a whole file (a correction's replacement, one JSON object over any
    number of lines) that is not UTF-8 text, and why (`not_utf8`), as `record` says it of a
    line; None when the file is UTF-8 text."""
    for number, line in enumerate(text.split(b"\n"), 1):
        if (why := not_utf8(line, "line")) is not None:
            return number, why
    return None


def json_value(text: str | bytes, *, exact: bool = False) -> Any:
    """The value of a JSON text, read with orjson; ValueError for text that is not JSON, and for
    an object that names a key twice (JSON parsers silently keep one of the two; the ledger
    refuses to guess which was meant).

    orjson reads an integer from 2**64 on as a float, and refuses one beyond a double's range as
    "infinity": the latter, and with `exact` any text holding a run of 20 digits, is read again
    by Python's json, which keeps every integer exact, as strictly as orjson reads the rest (so
    that a whole number too large is refused as such, naming its field)."""
    raw = _bytes(text)
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as bad:
        if "infinity" not in str(bad) or not _LONG_INTEGER.search(raw):
            raise
        try:
            return _exactly(raw)
        except ValueError:
            raise bad from None
    if exact and _LONG_INTEGER.search(raw):
        return _exactly(raw)
    # Every colon of the text is in a string or after a key. Written out again, a value keeps its
    # strings and keys: so without escapes (\u003a is a colon too), one colon more in the text than
    # in its value written out is a key given twice. Only then (or with escapes) read it slowly.
    if b"\\u" in raw or raw.count(b":") != _written_colons(value):
        try:
            json.loads(raw, object_pairs_hook=_once)
        except RecursionError:
            raise ValueError("nested too deeply") from None
    return value


_LONG_INTEGER = re.compile(rb"[0-9]{20}")  # asked only of a text refused or read exactly: it is slow on long lines


def _bytes(text: str | bytes) -> bytes:
    return text.encode() if isinstance(text, str) else bytes(text)


def _exactly(raw: bytes) -> Any:
    """The value of a JSON text with every integer exact, read by Python's json, which refuses
    what orjson refuses: a key given twice, NaN and Infinity, a float beyond a double's range, a
    lone surrogate."""
    try:
        value = json.loads(raw, object_pairs_hook=_once, parse_int=_integer, parse_float=_finite, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    json.dumps(value, ensure_ascii=False).encode()  # UnicodeEncodeError, a ValueError, for a lone surrogate
    return value


def _integer(digits: str) -> int:
    # Python reads at most 4,300 digits into an int: any longer stands as 10**4000, as large for every check.
    return int(digits) if len(digits) <= 4000 else (-1 if digits[0] == "-" else 1) * 10**4000


def _finite(digits: str) -> float:
    value = float(digits)
    if math.isinf(value):
        raise ValueError("number is infinity when parsed as double")
    return value


def _no_constant(word: str) -> Any:
    raise ValueError(f"{word} is not JSON")


def _written_colons(value: Any) -> int:
    try:
        return orjson.dumps(value).count(b":")
    except TypeError:  # nested deeper than orjson writes: read it the slow way
        return -1


def _once(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        twice = next(key for key, _ in pairs if key in seen or seen.add(key))  # type: ignore[func-returns-value]
        raise ValueError(f'the key "{twice}" is given twice in one object: give it once')
    return found


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
