"""`sync` killed (SIGKILL, no clean-up) while it works through several providers: every provider
it finished stays recorded whole, none is half-recorded, and the next `sync` carries on."""

from __future__ import annotations

import signal
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from cqc_api_server import KEY, Api, serving
from ledgers import ok, start_process

PROVIDERS = ("RK9", "RBA", "RH5")


@pytest.fixture
def api() -> Iterator[Api]:
    yield from serving()


def counts(db: Path) -> Counter[str]:
    """Entries per provider in the ledger file, read as it stands."""
    if not db.exists():
        return Counter()
    with closing(sqlite3.connect(db, timeout=30)) as c:
        try:
            return Counter(dict(c.execute("SELECT originator_id, count(*) FROM stored_events GROUP BY originator_id").fetchall()))
        except sqlite3.OperationalError:  # the tables are not made yet
            return Counter()


def sync_args(api: Api, rate: str) -> list[str]:
    return ["sync", "--api", api.url, "--key", KEY, "--rate", rate, *[a for p in PROVIDERS for a in ("--provider", p)]]


def test_a_killed_sync_leaves_whole_providers_and_the_next_one_carries_on(api, tmp_path):
    whole = tmp_path / "whole.db"
    ok(whole, *sync_args(api, "100000"))
    expected = counts(whole)
    assert set(expected) == set(PROVIDERS)
    db = tmp_path / "ledger.db"

    # 4 requests a second: the first provider (8 requests) is done after about 2 s, the last after 9 s
    process = start_process(db, *sync_args(api, "240"))
    deadline = time.monotonic() + 60
    while not counts(db) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    process.send_signal(signal.SIGKILL)
    process.wait(10)

    found = counts(db)
    assert found, "the first provider was recorded before the kill"
    assert set(found) < set(PROVIDERS), "the kill came before the last provider"
    assert all(found[p] == expected[p] for p in found), f"a provider was half-recorded: {found} of {expected}"
    ok(db, *sync_args(api, "100000"))
    assert counts(db) == expected
