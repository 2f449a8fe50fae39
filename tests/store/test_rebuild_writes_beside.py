"""A rebuild writes a page's rows on a thread of its own while it reads and makes the next page's
(`ledger.store.beside`; on SQLite a statement a table, on PostgreSQL a COPY), on both stores: a
write that fails is raised in the command's thread, nothing is written after it, and the views
are left as they were (the rebuild's one transaction rolls back)."""

from __future__ import annotations

import threading

import pytest

from cqc_ledger.ledger.application import Ledger
from cqc_ledger.projections.views import open_views
from tests.conftest import EXAMPLES, runner_for
from tests.store.test_views_equal_replay import view_rows


def test_a_rebuild_writes_its_rows_beside_the_reading(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a ledger with its views, rebuilt a few entries at a time
    runner_for(db)("record", str(EXAMPLES / "RX9.jsonl"))
    ledger = Ledger(db)
    try:
        views = open_views(ledger)
        before = view_rows(ledger)
        views.rebuild_page = 3
        threads: set[str] = set()
        real = views._bulk

        def bulk(c: object, entries: list[object], headlines: list[object]) -> None:
            threads.add(threading.current_thread().name)
            real(c, entries, headlines)

        monkeypatch.setattr(views, "_bulk", bulk)
        # When it is rebuilt
        views.rebuild(ledger)
        # Then every page's rows were written on the writes' thread, and the rows are as before
        assert threads == {"writes"}
        assert view_rows(ledger) == before
    finally:
        ledger.close()


def test_a_rebuild_whose_write_fails_raises_it_and_leaves_the_views_as_they_were(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a ledger with its views, rebuilt a few entries at a time
    runner_for(db)("record", str(EXAMPLES / "RX9.jsonl"))
    ledger = Ledger(db)
    try:
        views = open_views(ledger)
        before = view_rows(ledger)
        views.rebuild_page = 3
        # When the second page's rows fail to be written (the rebuild writes them on a thread of its own)
        written = []

        def bulk(c: object, entries: list[object], headlines: list[object]) -> None:
            written.append(len(entries))
            if len(written) == 2:
                raise RuntimeError("the disk went away")
            real(c, entries, headlines)

        real = views._bulk
        monkeypatch.setattr(views, "_bulk", bulk)
        with pytest.raises(RuntimeError, match="the disk went away"):
            views.rebuild(ledger)
        # Then nothing was written after the failure, and the views are as they were
        assert len(written) == 2
        assert view_rows(ledger) == before
    finally:
        ledger.close()
