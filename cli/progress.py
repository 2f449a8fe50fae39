"""Progress bars of long work, drawn on standard error when it is a terminal (never otherwise):
reading a large input, an import's stages, a sync's providers, a rebuild's entries."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import click

PROGRESS_FROM = 20_000  # entries: fewer are applied before a bar would be worth drawing
PROGRESS_BYTES = 4_000_000  # an input this large takes long enough to show a bar


@contextmanager
def open_ended(label: str) -> Iterator[Callable[[int], None]]:
    """`update(n)` for each line of n bytes read: from the point the bytes read make the input
    large, a progress bar with no total, counting the lines read (redrawn every thousand)."""
    import itertools

    drawn: list[Any] = []
    read = [0, 0]  # bytes, lines

    def update(n: int) -> None:
        read[0] += n
        read[1] += 1
        if drawn:
            drawn[0].update(1)
        elif read[0] >= PROGRESS_BYTES:
            unsized = itertools.count()  # an iterable of no known length: a bar with no total
            bar = click.progressbar(unsized, label=label, file=sys.stderr, show_pos=True, update_min_steps=1000, item_show_func=_lines_read)
            bar.make_step(read[1])  # the lines read so far, drawn as it appears
            drawn.append(bar.__enter__())

    try:
        yield update
    finally:
        for bar in drawn:
            bar.__exit__(None, None, None)


def _lines_read(_: Any) -> str:
    return "lines read"


def counted(lines: Iterable[bytes], update: Callable[[int], None]) -> Iterator[bytes]:
    """The lines, each told to `update` by its length as it is read."""
    for line in lines:
        update(len(line))
        yield line


@contextmanager
def stages() -> Iterator[Callable[[str, int, str], Callable[[int], None]]]:
    """An import's stages (see `imports.run.Stage`), each with a progress bar as record draws one:
    on a terminal, when the stage is long (as many bytes as a large input, or as many entries as
    a long rebuild); each bar ends before the next stage begins."""
    drawn: list[Any] = []

    def ended() -> None:
        while drawn:
            drawn.pop().__exit__(None, None, None)

    def stage(label: str, size: int, unit: str) -> Callable[[int], None]:
        ended()
        if size < (PROGRESS_BYTES if unit == "bytes" else PROGRESS_FROM) or not sys.stderr.isatty():
            return lambda _: None
        drawn.append(click.progressbar(length=size, label=label, file=sys.stderr).__enter__())
        return drawn[0].update

    try:
        yield stage
    finally:
        ended()


@contextmanager
def planned_bar(label: str) -> Iterator[dict[str, Callable[[Any], None]]]:
    """`planned` and `progress` callbacks drawing a progress bar on a terminal (else nothing): its
    length told once the work is planned, one step per piece of work done."""
    if not sys.stderr.isatty():
        yield {}
        return
    bars: list[Any] = []

    def planned(length: int) -> None:
        bars.append(click.progressbar(length=length, label=label, file=sys.stderr).__enter__())

    def progress(_: Any) -> None:
        if bars:
            bars[0].update(1)

    try:
        yield {"planned": planned, "progress": progress}
    finally:
        for bar in bars:
            bar.__exit__(None, None, None)
