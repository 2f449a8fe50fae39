"""A record writes each chunk of entries (with its links of the chain and the views' rows) on a
thread of its own while it decides the next (`ledger.chunks`, `ledger.store.beside`), on both
stores: what it writes is what writing in turn wrote, and a write that fails is raised in the
command's thread, nothing is written after it, and nothing of the input stands."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bench.register import register_lines
from cqc_ledger.ledger.application import Ledger
from cqc_ledger.ledger.input import iter_entries
from cqc_ledger.projections.views import written
from tests.conftest import EXAMPLES, runner_for
from tests.store.test_views_equal_replay import view_rows

ChunkWriter = Callable[..., Callable[[Any], list[int]]]


@pytest.fixture
def register(tmp_path: Path) -> Path:
    """An input of a few thousand entries: written in three chunks and more."""
    path = tmp_path / "register.jsonl"
    path.write_bytes(b"\n".join(register_lines(200, 30, seed=5)) + b"\n")
    return path


@pytest.fixture
def ledger(db: str) -> Iterator[Ledger]:
    """A ledger holding one trust's history, recorded by the command."""
    runner_for(db)("record", str(EXAMPLES / "RX9.jsonl"))
    opened = Ledger(db)
    try:
        yield opened
    finally:
        opened.close()


def each_chunk(ledger: Ledger, monkeypatch: pytest.MonkeyPatch, around: Callable[[int, Callable[[Any], list[int]]], list[int]]) -> None:
    """Has each chunk's write of its entries go through `around` (given the chunk's number, from
    1, and the write), where the write runs."""
    recorder = type(ledger.recorder)
    real: ChunkWriter = recorder.chunk_writer  # type: ignore[attr-defined]
    made = 0

    def chunk_writer(self: Any, *args: Any) -> Callable[[Any], list[int]]:
        nonlocal made
        made += 1
        write, number = real(self, *args), made
        return lambda c: around(number, lambda: write(c))  # type: ignore[arg-type, misc]

    monkeypatch.setattr(recorder, "chunk_writer", chunk_writer)


def test_a_records_chunks_are_written_beside_the_deciding_with_their_chain_and_views(
    ledger: Ledger, register: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[str] = []

    def noting_the_thread(number: int, write: Callable[[], list[int]]) -> list[int]:
        threads.append(threading.current_thread().name)
        return write()

    each_chunk(ledger, monkeypatch, noting_the_thread)
    # When the register is recorded with the views following
    with register.open("rb") as lines:
        outcome = written(ledger, lambda follow: ledger.record(iter_entries(lines, today=date(2026, 12, 1)), followers=[follow]))
    # Then its chunks were written on the writes' thread, every entry is there in its order,
    # the chain verifies, and the views hold what a rebuild makes of the entries
    assert len(threads) >= 3
    assert set(threads) == {"writes"}
    assert [r.ref for r in ledger.all_entries()][-len(outcome.recorded) :] == outcome.recorded
    assert ledger.recorder.verify()[0] is None  # type: ignore[attr-defined]
    followed = view_rows(ledger)
    runner_for(ledger.target)("rebuild")
    assert view_rows(ledger) == followed


def test_a_record_whose_write_fails_beside_it_raises_it_and_records_nothing(
    ledger: Ledger, register: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = ledger.recorder.max_notification_id()
    threads: list[str] = []

    def failing_at_the_third(number: int, write: Callable[[], list[int]]) -> list[int]:
        threads.append(threading.current_thread().name)
        if number == 3:
            raise RuntimeError("the disk went away")
        return write()

    each_chunk(ledger, monkeypatch, failing_at_the_third)
    # When the third chunk's write fails
    with register.open("rb") as lines, pytest.raises(RuntimeError, match="the disk went away"):
        ledger.record(iter_entries(lines, today=date(2026, 12, 1)))
    # Then the chunks were written beside the deciding, none after the failure, and nothing of the input stands
    assert threads == ["writes"] * 3
    assert ledger.recorder.max_notification_id() == before
    assert runner_for(ledger.target)("verify").exit_code == 0


def test_a_chunk_is_handed_over_once_its_entries_reach_its_bytes(ledger: Ledger, register: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given chunks of at most 200,000 bytes of entries (SQLite takes a chunk's states as one blob)
    from cqc_ledger.ledger import chunks

    monkeypatch.setattr(chunks, "CHUNK_BYTES", 200_000)
    recorder = type(ledger.recorder)
    real: ChunkWriter = recorder.chunk_writer  # type: ignore[attr-defined]
    sizes: list[tuple[int, int]] = []

    def chunk_writer(self: Any, stored: list[Any], *args: Any) -> Callable[[Any], list[int]]:
        sizes.append((len(stored), sum(len(s.state) for s in stored)))
        return real(self, stored, *args)

    monkeypatch.setattr(recorder, "chunk_writer", chunk_writer)
    # When the register is recorded
    with register.open("rb") as lines:
        outcome = ledger.record(iter_entries(lines, today=date(2026, 12, 1)))
    # Then each chunk stopped at the entry that took its canonical forms to the limit (a stored
    # state is its form with the time put in front: 44 bytes more), and every entry was written
    assert sum(n for n, _ in sizes) == len(outcome.recorded)
    assert len(sizes) > len(outcome.recorded) // 2000 + 1
    assert all(n < 2000 and 200_000 <= size - 44 * n < 200_000 + 30_000 for n, size in sizes[:-1]), sizes
    assert ledger.recorder.verify()[0] is None  # type: ignore[attr-defined]
