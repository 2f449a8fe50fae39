"""`lines_of`: the lines of an input as a file gives them, however its reads fall; a line that
does not end within the most a line may hold refused at once, naming it, unread beyond."""

from __future__ import annotations

import io

import pytest

from cqc_ledger.ledger.errors import MalformedLine
from cqc_ledger.ledger.input import lines_of


class Endless:
    """An input that gives `byte` for ever, counting what is read of it, after `start`."""

    def __init__(self, byte: bytes, start: bytes = b"") -> None:
        self.start, self.byte, self.read = start, byte, 0

    def __call__(self, size: int) -> bytes:
        piece, self.start = (self.start, b"") if self.start else (self.byte * size, b"")
        self.read += len(piece)
        return piece


def in_pieces(text: bytes, size: int):
    """A read that gives at most `size` bytes at a time, as a pipe or a terminal does."""
    source = io.BytesIO(text)
    return lambda wanted: source.read(min(size, wanted))


@pytest.mark.parametrize("text", [b"", b"a\n", b"a", b"a\n\nbc\n", b"a\nbc", b"\n\n", b"ab\ncd\nef\n" * 5])
@pytest.mark.parametrize("size", [1, 2, 3, 7, 1 << 20])
def test_the_lines_are_a_files_however_its_reads_fall(text, size):
    assert list(lines_of(in_pieces(text, size), "-")) == list(io.BytesIO(text))


def test_a_line_without_end_is_refused_once_it_passes_the_limit_unread_beyond():
    endless = Endless(b"x", start=b'{"a": 1}\n')

    with pytest.raises(MalformedLine) as refused:
        list(lines_of(endless, "-", limit=100))

    assert str(refused.value) == "line 2: longer than 100 bytes, the most a line may hold: is it JSON Lines, one entry to a line?"
    assert endless.read <= (1 << 20) + 10


def test_a_line_of_the_limit_is_read_and_one_byte_more_refused():
    assert list(lines_of(in_pieces(b"x" * 100 + b"\n", 7), "-", limit=100)) == [b"x" * 100 + b"\n"]
    with pytest.raises(MalformedLine, match="line 1: longer than 100 bytes"):
        list(lines_of(in_pieces(b"x" * 101 + b"\n", 7), "-", limit=100))


def test_nul_bytes_without_end_are_refused_with_the_first_piece_after_the_lines_before():
    endless = Endless(b"\x00", start=b'{"a": 1}\n{"b": 2}\n')
    given = []

    with pytest.raises(MalformedLine) as refused:
        for line in lines_of(endless, "-"):
            given.append(line)

    assert given == [b'{"a": 1}\n', b'{"b": 2}\n']
    assert str(refused.value).startswith("line 3: not UTF-8 text: the line holds NUL bytes")
    assert endless.read <= (1 << 20) + 18
