"""A command's input file (`record`, `restore`, `correct`): read in large pieces, named when it
fails, with a progress bar on a terminal when it is large."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import BinaryIO

import click

from cqc_ledger.cli.progress import PROGRESS_BYTES, counted, open_ended


@contextmanager
def reading(file: BinaryIO) -> Iterator[Iterable[bytes]]:
    """The lines of an input (`ledger.input.lines_of`: a line too long refused as soon as it
    is), with a progress bar on a terminal when the input is large: sized
    by a file's bytes; for an input of unknown size (a pipe), one with no total, counting the
    lines read once as many bytes have come as make a file large. A failure to read them names
    the input (one typed at the terminal gets no bar: it would be drawn over the typing)."""
    from cqc_ledger.ledger.input import lines_of

    size = _size(file)
    with _in_large_pieces(file) as read:
        lines = lines_of(getattr(read, "read1", read.read), name(file))
        if (size is not None and size < PROGRESS_BYTES) or not sys.stderr.isatty() or is_terminal(file):
            yield lines
        elif size is None:
            with open_ended("Recording") as update:
                yield counted(lines, update)
        else:
            with click.progressbar(length=size, label="Recording", file=sys.stderr) as bar:
                yield counted(lines, bar.update)


def is_terminal(file: BinaryIO) -> bool:
    """Whether the input is typed at a terminal."""
    try:
        return file.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def name(file: BinaryIO) -> str:
    """The input's name as given (`-` for standard input, which a test's bytes stand for)."""
    return str(getattr(file, "name", "-"))


@contextmanager
def _in_large_pieces(file: BinaryIO) -> Iterator[BinaryIO]:
    """The input read from its file descriptor up to 1 MiB at a time (in lines of a few KiB, the
    pieces of 8 KiB of a default buffered file made reading them take twice the processor time),
    unbuffered: each piece is what one read gives (a line typed at a terminal as it is typed),
    straight into the bytes the lines are split from (a buffer would copy each byte once more);
    the input as given when it has no descriptor (a test's bytes)."""
    try:
        read = open(file.fileno(), "rb", buffering=0, closefd=False)  # noqa: SIM115 (closed below)
    except (OSError, ValueError, io.UnsupportedOperation):
        yield file
        return
    with read:
        yield read


def _size(file: BinaryIO) -> int | None:
    """The input's size when it is a file; None when it cannot be known (a pipe, a test's bytes)."""
    import stat

    try:
        found = os.fstat(file.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        return None
    return found.st_size if stat.S_ISREG(found.st_mode) else None
