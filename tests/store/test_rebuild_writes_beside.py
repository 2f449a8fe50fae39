"""A rebuild writes a page's rows on a thread of its own while it reads and makes the next page's
(`ledger.store.beside`; on SQLite a statement a table, on PostgreSQL a COPY), on both stores: a
write that fails is raised in the command's thread, nothing is written after it, and the views
are left as they were (the rebuild's one transaction rolls back)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from cqc_ledger.ledger.application import Ledger
from cqc_ledger.projections.views import open_views
from tests.conftest import EXAMPLES, runner_for
from tests.store.test_views_equal_replay import view_rows

Bulk = Callable[[Any, list[Any], list[Any]], None]


@pytest.fixture
def paged(db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Ledger, Any, Callable[[Callable[[Bulk], Bulk]], None]]]:
    """A ledger holding RX9's history, its views rebuilt three entries a page, and a way to wrap
    the writing of each page's rows."""
    runner_for(db)("record", str(EXAMPLES / "RX9.jsonl"))
    ledger = Ledger(db)
    try:
        views = open_views(ledger)
        views.rebuild_page = 3

        def wrap(around: Callable[[Bulk], Bulk]) -> None:
            monkeypatch.setattr(views, "_insert_new", around(views._insert_new))

        yield ledger, views, wrap
    finally:
        ledger.close()


def test_a_rebuild_writes_its_rows_beside_the_reading(paged: tuple[Ledger, Any, Callable[[Callable[[Bulk], Bulk]], None]]) -> None:
    ledger, views, wrap = paged
    before = view_rows(ledger)
    threads: set[str] = set()

    def noting_the_thread(real: Bulk) -> Bulk:
        def bulk(c: Any, entries: list[Any], headlines: list[Any]) -> None:
            threads.add(threading.current_thread().name)
            real(c, entries, headlines)

        return bulk

    wrap(noting_the_thread)
    # When it is rebuilt
    views.rebuild(ledger)
    # Then every page's rows were written on the writes' thread, and the rows are as before
    assert threads == {"writes"}
    assert view_rows(ledger) == before


def test_a_rebuild_whose_write_fails_raises_it_and_leaves_the_views_as_they_were(
    paged: tuple[Ledger, Any, Callable[[Callable[[Bulk], Bulk]], None]],
) -> None:
    ledger, views, wrap = paged
    before = view_rows(ledger)
    written = []

    def failing_at_the_second(real: Bulk) -> Bulk:
        def bulk(c: Any, entries: list[Any], headlines: list[Any]) -> None:
            written.append(len(entries))
            if len(written) == 2:
                raise RuntimeError("the disk went away")
            real(c, entries, headlines)

        return bulk

    # When the second page's rows fail to be written (on the writes' thread)
    wrap(failing_at_the_second)
    with pytest.raises(RuntimeError, match="the disk went away"):
        views.rebuild(ledger)
    # Then nothing was written after the failure, and the views are as they were
    assert len(written) == 2
    assert view_rows(ledger) == before
