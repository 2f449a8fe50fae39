"""Writing beside the work that makes the writes, and reading ahead of it.

A recording writes each chunk of entries (their rows, their links of the hash chain, the views'
rows), and a rebuild each page of the views' rows, while the command works out the next:
`beside` hands each write to a thread of its own, which runs them in turn on the transaction's
cursor. The command makes all of a write's Python itself (`ledger.chunks`,
`projections.views.store`), and hands over only the store's statements, a few a chunk, each
sending many rows at once (a JSON array or a blob on SQLite, a `COPY` on PostgreSQL): the driver
lets go of the interpreter's lock while the store works on each. (Row by row, SQLite's driver
takes the lock back for every row, and a writes' thread beside a busy one waited its turn for
each: see the README.) Every use of the cursor is then the thread's until `drain` returns: the
command drains before it reads through the cursor itself (a provider's stored history, a
mend's), so one thing at a time uses it, in the order the command asked. The first failure of a
write is raised in the command's thread (at the next hand-over, drain or end); nothing is
written after it, nor after the command fails itself, and its transaction rolls back.

`read_ahead` reads a generator's items on a thread while the one before is used.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager, suppress
from typing import Any, TypeVar

T = TypeVar("T")
Write = Callable[[Any], None]  # a write, given the transaction's cursor


class Beside:
    """Writes run in turn on a thread of their own; at most `WAITING` wait their turn."""

    WAITING = 2

    def __init__(self, c: Any):
        self.c = c
        self._waiting: queue.Queue[Write | None] = queue.Queue(maxsize=self.WAITING)
        self._failed: list[BaseException] = []
        self.abandoned = threading.Event()
        self._thread = threading.Thread(target=self._write_in_turn, name="writes", daemon=True)
        self._thread.start()

    def _write_in_turn(self) -> None:
        while True:
            write = self._waiting.get()
            try:
                if write is None:
                    return
                if not self._failed and not self.abandoned.is_set():
                    write(self.c)
            except BaseException as failure:  # raised in the command's thread
                self._failed.append(failure)
            finally:
                self._waiting.task_done()

    def _raise_a_failure(self) -> None:
        if self._failed:
            raise self._failed[0]

    def hand(self, write: Write) -> None:
        self._raise_a_failure()
        self._waiting.put(write)

    def drain(self) -> None:
        """Returns once every write handed over is written."""
        self._waiting.join()
        self._raise_a_failure()

    def end(self) -> None:
        self._waiting.put(None)
        self._thread.join()


@contextmanager
def beside(c: Any) -> Iterator[Beside]:
    """Writes handed over in the block run on a thread, in turn; all are written (or the first
    failure raised) as the block ends. A block that fails has the writes not yet begun dropped."""
    writes = Beside(c)
    try:
        yield writes
    except BaseException:
        writes.abandoned.set()
        raise
    finally:
        writes.end()
    writes._raise_a_failure()


def read_ahead(items: Generator[T, None, None]) -> Generator[T, None, None]:
    """The items of `items`, each taken on a thread of its own while the one before is used (one
    waits its turn). A failure there is raised here, in its place; stopped early, the thread
    stops too, and `items` is closed on it."""
    ready: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=1)
    stopped = threading.Event()

    def take() -> None:
        try:
            for item in items:
                ready.put((True, item))
                if stopped.is_set():
                    break
        except BaseException as failure:  # raised in its place by the reading thread
            ready.put((False, failure))
        else:
            ready.put((False, None))
        finally:
            items.close()

    thread = threading.Thread(target=take, name="read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            taken, item = ready.get()
            if not taken:
                if item is not None:
                    raise item
                return
            yield item
    finally:
        stopped.set()
        while thread.is_alive():  # let a thread waiting to hand over an item see it is stopped
            with suppress(queue.Empty):
                ready.get(timeout=0.05)
        thread.join()
