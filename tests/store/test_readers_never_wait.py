"""Readers never wait on writers and never loop (issue 17, item 2; issue 14 for the register's questions).

`status`, `trusts`, `changes`, `counts`, `transitions` and `find` (and a provider given by name)
bring the views up to date only when they can do so at once. When the views cannot be brought
up to date (another process holds the write lock, or the views lost their tracked position), the answer is folded from the entries themselves, equal to the views'
answer, and standard error says how far behind the views are. Each command runs as a process of
its own with a time limit: before the fix the first case spun for ever and the second waited a
minute for the writer, then failed with a traceback.
"""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import Any

import orjson
import pytest
from ledgers import ROOT, command, ok, record_examples

from cqc_ledger.ledger.store.target import is_postgres

READ = [
    ("status", "RWP", "--at", "2018-01-01", "--json"),
    ("trusts", "--at", "2018-01-01", "--json"),
    # The questions across the register, and a provider named rather than given by id.
    ("changes", "--from", "2014-01-01", "--to", "2020-12-31", "--json"),
    ("counts", "--from", "2015-01-01", "--to", "2020-12-31", "--every", "year", "--json"),
    ("counts", "--from", "2015-01-01", "--to", "2020-12-31", "--every", "year", "--by", "special-measures", "--json"),
    ("transitions", "--from", "2016-01-01", "--to", "2020-01-01", "--json"),
    ("find", "worcestershire", "--json"),
    ("status", "East Midlands Ambulance", "--at", "2019-01-01", "--json"),
]


def answered(db: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    """The command, run as its own process; it must answer within 20 seconds."""
    return subprocess.run(command(db, *args), cwd=ROOT, capture_output=True, timeout=20)


def execute(db: str, statement: str) -> None:
    """Runs one statement on the store, committed."""
    if is_postgres(db):
        import psycopg

        url, schema = db.split("?schema=")
        with psycopg.connect(url, autocommit=True) as c:
            c.execute(f'SET search_path TO "{schema}"')
            c.execute(statement.format(tracking="cqc_ledger_tracking"))
    else:
        with closing(sqlite3.connect(db)) as c, c:
            c.execute(statement.format(tracking="tracking"))


@contextmanager
def a_writer_mid_transaction(db: str) -> Iterator[None]:
    """Another process holding the write lock, as `record` does while it writes (and the views'
    tracked position with it)."""
    if is_postgres(db):
        import psycopg

        url, schema = db.split("?schema=")
        with psycopg.connect(url) as c:
            c.execute(f'SET search_path TO "{schema}"')
            c.execute("LOCK TABLE cqc_ledger_events IN EXCLUSIVE MODE")
            c.execute(
                "INSERT INTO cqc_ledger_tracking VALUES ('views', 1000000) ON CONFLICT (application_name) DO UPDATE SET notification_id = 1000000"
            )
            yield
            c.rollback()
    else:
        with closing(sqlite3.connect(db, isolation_level=None)) as c:
            c.execute("BEGIN IMMEDIATE")
            yield
            c.execute("ROLLBACK")


def answers_before(db: str) -> list[Any]:
    return [orjson.loads(ok(db, *args).stdout) for args in READ]


def test_a_reader_answers_at_once_when_the_views_lost_their_tracked_position(db: str) -> None:
    # Given a ledger whose views hold rows the tracking table no longer knows of
    record_examples(db)
    expected = answers_before(db)
    execute(db, "DELETE FROM {tracking} WHERE application_name = 'views'")

    for args, answer in zip(READ, expected, strict=True):
        # When a reader asks
        done = answered(db, *args)

        # Then it answers, the same as before, without looping
        assert done.returncode == 0, done.stderr.decode()
        assert _without_times(orjson.loads(done.stdout)) == _without_times(answer)


def test_a_reader_does_not_wait_for_a_writer_when_the_views_are_behind(db: str) -> None:
    # Given a ledger whose views are behind its entries (their tracked position lost)
    record_examples(db)
    expected = answers_before(db)
    execute(db, "DELETE FROM {tracking} WHERE application_name = 'views'")

    # And a writer in the middle of its transaction
    with a_writer_mid_transaction(db):
        for args, answer in zip(READ, expected, strict=True):
            # When a reader asks
            done = answered(db, *args)

            # Then it answers at once by replay, the same answer, saying the views are behind
            assert done.returncode == 0, done.stderr.decode()
            assert _without_times(orjson.loads(done.stdout)) == _without_times(answer)
            assert "the views are" in done.stderr.decode() and "behind the ledger" in done.stderr.decode()


def _without_times(document: Any) -> Any:
    """The answer without `known_at` (the moment the command ran)."""
    if isinstance(document, dict):
        return {k: v for k, v in document.items() if k != "known_at"}
    return document


def test_the_web_site_does_not_wait_either_and_says_the_views_are_behind(db: str) -> None:
    pytest.importorskip("starlette", reason="the web extra is not installed: pip install 'cqc-ledger[web]'")
    from starlette.testclient import TestClient

    from cqc_ledger.web.app import create_app

    # Given views behind the entries and a writer in the middle of its transaction
    record_examples(db)
    site = TestClient(create_app(db))
    expected = site.get("/api/trusts?at=2018-01-01").json()
    execute(db, "DELETE FROM {tracking} WHERE application_name = 'views'")
    with a_writer_mid_transaction(db):
        # When the site is asked
        api = site.get("/api/trusts?at=2018-01-01")
        page = site.get("/trust/RWP?at=2018-01-01")

    # Then it answers the same, and says how far behind the views were
    assert api.status_code == 200 and api.json() == expected
    assert int(api.headers["X-Views-Behind"]) > 0
    assert page.status_code == 200 and "views were" in page.text and "answered from the entries themselves" in page.text
