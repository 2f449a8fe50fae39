"""Writes beside the work that makes them, and reading ahead of it (`ledger.store.beside`): every
write in turn, on one thread, drained on asking; the first failure raised in the caller's thread
with nothing written after it; a block that fails has the writes not yet begun dropped."""

from __future__ import annotations

import threading
import time
from collections.abc import Generator
from typing import Any

import pytest

from cqc_ledger.ledger.store.beside import beside, read_ahead


def threads_named(name: str) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == name]


def test_writes_beside_run_in_turn_on_a_thread_of_their_own_and_are_all_written_when_drained() -> None:
    written: list[tuple[int, str, Any]] = []

    def write(n: int) -> Any:
        def run(c: Any) -> None:
            time.sleep(0.01 if n % 3 == 0 else 0)  # some slower than the rest: still in turn
            written.append((n, threading.current_thread().name, c))

        return run

    with beside("cursor") as writes:
        for n in range(5):
            writes.hand(write(n))
        writes.drain()
        assert [n for n, _, _ in written] == list(range(5))
        for n in range(5, 9):
            writes.hand(write(n))
    # Every write, in the order handed over, on the writes' thread, given the cursor
    assert written == [(n, "writes", "cursor") for n in range(9)]
    assert not threads_named("writes")


def test_a_failed_write_is_raised_in_the_callers_thread_and_nothing_is_written_after_it() -> None:
    written: list[int] = []

    def write(n: int) -> Any:
        def run(_: Any) -> None:
            if n == 2:
                raise RuntimeError("the server went away")
            written.append(n)

        return run

    with pytest.raises(RuntimeError, match="the server went away"), beside(None) as writes:
        for n in range(6):
            writes.hand(write(n))
        writes.drain()
    assert written == [0, 1]
    assert not threads_named("writes")
    # Raised as the block ends, too, when nothing asks for it before
    with pytest.raises(RuntimeError, match="the server went away"), beside(None) as writes:
        writes.hand(write(2))
    assert not threads_named("writes")


def test_a_block_that_fails_drops_the_writes_not_yet_begun() -> None:
    started, release = threading.Event(), threading.Event()
    written: list[int] = []

    def slow(_: Any) -> None:
        started.set()
        release.wait(5)
        written.append(0)

    with pytest.raises(KeyboardInterrupt), beside(None) as writes:
        writes.hand(slow)
        started.wait(5)
        writes.hand(lambda _: written.append(1))
        writes.hand(lambda _: written.append(2))
        release.set()
        raise KeyboardInterrupt
    # The write under way ends; those waiting their turn are dropped
    assert written == [0]
    assert not threads_named("writes")


def test_reading_ahead_gives_every_item_in_order_raises_a_failure_in_its_place_and_stops_when_left() -> None:
    closed = []

    def items(failing_at: int | None = None) -> Generator[int, None, None]:
        try:
            for n in range(10):
                if n == failing_at:
                    raise ValueError(f"item {n} unreadable")
                yield n
        finally:
            closed.append(threading.current_thread().name)

    # Every item, in order
    assert list(read_ahead(items())) == list(range(10))
    # A failure comes after the items before it
    taken = []
    with pytest.raises(ValueError, match="item 4 unreadable"):
        for n in read_ahead(items(failing_at=4)):
            taken.append(n)
    assert taken == [0, 1, 2, 3]
    # Left after two items: the items are closed, on the reading thread, which is gone
    ahead = read_ahead(items())
    assert [next(ahead), next(ahead)] == [0, 1]
    ahead.close()
    assert closed == ["read-ahead"] * 3
    assert not threads_named("read-ahead")
