"""Crash safety: the real command, killed (SIGKILL: no clean-up of any kind) at many points.

`record` writes a whole input in one transaction, the views following inside it, so a kill leaves
the ledger with everything of the input or nothing of it: never part, never entries without their
links of the hash chain, never views that disagree with the entries. Running the same command
again records what is missing (or skips everything, if the first run had committed). `rebuild`
rebuilds the views in one transaction: a kill leaves the views as they were.

The input is a synthetic register of about 4,000 entries (bench.register), large enough that one
`record` takes about a second; the kill points are spread at random (seeded) over that second.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from contextlib import closing
from datetime import date, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from ledgers import copy_ledger, json_of, ok, record_examples, run, run_process, start_process, write_register

from cqc_ledger.ledger.application import Ledger
from cqc_ledger.ledger.records import parse_time
from cqc_ledger.projections.output.status import status_json
from cqc_ledger.projections.status import status_at

KILL_POINTS = 12
REBUILD_KILL_POINTS = 6
DAYS = (date(2015, 6, 30), date(2019, 1, 1), date(2025, 12, 31))


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Counter[str]]:
    """A register of 120 synthetic trusts as one input file, and how many entries each has in it."""
    path = tmp_path_factory.mktemp("register") / "register.jsonl"
    entries = write_register(path, providers=120, entries_per_provider=50, seed=7)
    return path, Counter(e["provider_id"] for e in entries)


@pytest.fixture(scope="module")
def before(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ledger before the big input: the RWP and RX9 examples."""
    db = tmp_path_factory.mktemp("before") / "ledger.db"
    record_examples(db)
    return db


@pytest.fixture(scope="module")
def after(before: Path, register: tuple[Path, Counter[str]], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """The ledger after the big input, recorded without interruption; and how long that took."""
    db = tmp_path_factory.mktemp("after") / "ledger.db"
    copy_ledger(before, db)
    started = time.monotonic()
    finished = run_process(db, "record", str(register[0]))
    assert finished.returncode == 0, finished.stderr.decode()
    return db, time.monotonic() - started


def counts(db: Path) -> Counter[str]:
    """How many entries each provider has in the stored ledger."""
    with closing(sqlite3.connect(db)) as c:
        return Counter(dict(c.execute("SELECT originator_id, count(*) FROM stored_events GROUP BY originator_id").fetchall()))


def view_rows(db: Path) -> list[tuple[Any, ...]]:
    """Every row of the views, without the times it was learned (which differ from run to run)."""
    with closing(sqlite3.connect(db)) as c:
        entries = c.execute(
            "SELECT provider_id, valid_from, position, mend, kind, withdrawn_at IS NOT NULL FROM view_entries "
            "ORDER BY provider_id, valid_from, position, mend"
        ).fetchall()
        headlines = c.execute(
            "SELECT provider_id, topic, subject, valid_from, position, mend, withdrawn_at IS NOT NULL, value FROM view_headlines "
            "ORDER BY provider_id, topic, subject, valid_from, position, mend"
        ).fetchall()
    return entries + headlines


def tracked_and_stored(db: Path) -> tuple[int | None, int]:
    """The position the views are tracked at, and the last entry stored."""
    with closing(sqlite3.connect(db)) as c:
        tracked = c.execute("SELECT notification_id FROM tracking WHERE application_name = 'views'").fetchone()
        (last,) = c.execute("SELECT coalesce(max(rowid), 0) FROM stored_events").fetchone()
    return (tracked[0] if tracked else None), last


def assert_views_equal_replay(db: Path, providers: list[str]) -> None:
    """`status --json` (from the views, after whatever catching up a read does) equals the replay fold."""
    ledger = Ledger(str(db))
    try:
        for pid in providers:
            recorded = ledger.entries_of(pid)
            for day in DAYS:
                shown = json_of(db, "status", pid, "--at", day.isoformat())
                replayed = orjson.loads(orjson.dumps(status_json(status_at(recorded, pid, day), day, ledger_time(shown))))
                assert shown == replayed, f"{pid} at {day}"
    finally:
        ledger.close()


def ledger_time(document: Any) -> datetime:
    return parse_time(document["known_at"])


def kill_at(db: Path, args: list[str], delay: float) -> int:
    """Starts the real command, kills it (SIGKILL) after `delay` seconds; its exit status."""
    process = start_process(db, *args)
    try:
        process.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
    process.communicate(timeout=120)
    return process.returncode


def test_record_killed_at_any_point_leaves_all_or_nothing_of_the_input(before, after, register, tmp_path):
    path, expected = register
    finished, duration = after
    earlier, facts = counts(before), view_rows(finished)
    rng = random.Random(5)
    delays = sorted(rng.uniform(0.1, 1.05) * duration for _ in range(KILL_POINTS))
    outcomes = []
    for n, delay in enumerate(delays):
        # Given the ledger as it was before the input
        db = tmp_path / f"kill{n}.db"
        copy_ledger(before, db)

        # When `record` of the register is killed after `delay` seconds
        status = kill_at(db, ["record", str(path)], delay)
        story = f"kill point {n} at {delay:.2f}s (exit status {status})"

        # Then the ledger holds everything of the input, or nothing of it, beside what it held
        found = counts(db)
        committed = found == earlier + expected
        assert committed or found == earlier, story
        outcomes.append((status, committed))
        # And the chain verifies, and the views were written with the entries
        assert run(db, "verify").exit_code == 0, story
        assert tracked_and_stored(db)[0] == tracked_and_stored(db)[1], story
        sample = ["RWP", *sorted(expected)[:: len(expected) // 2]] if committed else ["RWP"]
        assert_views_equal_replay(db, sample)

        # When the same command is run again
        again = run_process(db, "record", "--json", str(path))

        # Then it completes, recording the input (or skipping all of it if the first run had committed)
        assert again.returncode == 0, f"{story}: {again.stderr.decode()}"
        outcome = orjson.loads(again.stdout)
        assert len(outcome["skipped" if committed else "recorded"]) == expected.total(), story
        assert outcome["recorded" if committed else "skipped"] == [], story
        # And the ledger is the one an uninterrupted run leaves: entries, chain and views
        assert counts(db) == earlier + expected, story
        assert run(db, "verify").exit_code == 0, story
        assert view_rows(db) == facts, story
    # Some runs were killed while they ran (not all finished before their kill point)
    assert any(status == -signal.SIGKILL for status, _ in outcomes), outcomes


def test_rebuild_killed_at_any_point_leaves_the_views_as_they_were(after, register, tmp_path):
    finished, _ = after
    providers = sorted(register[1])
    facts = view_rows(finished)
    # How long an uninterrupted rebuild takes
    timed = tmp_path / "timed.db"
    copy_ledger(finished, timed)
    started = time.monotonic()
    assert run_process(timed, "rebuild").returncode == 0
    duration = time.monotonic() - started
    assert view_rows(timed) == facts

    rng = random.Random(11)
    statuses = []
    for n, delay in enumerate(sorted(rng.uniform(0.1, 1.05) * duration for _ in range(REBUILD_KILL_POINTS))):
        # Given the ledger after the register was recorded
        db = tmp_path / f"rebuild{n}.db"
        copy_ledger(finished, db)

        # When `rebuild` is killed after `delay` seconds
        status = kill_at(db, ["rebuild"], delay)
        statuses.append(status)
        story = f"kill point {n} at {delay:.2f}s (exit status {status})"

        # Then the views are whole (the old ones, or the new ones, which are the same), tracked
        # at the last entry, and agree with replay
        assert view_rows(db) == facts, story
        tracked, last = tracked_and_stored(db)
        assert tracked == last, story
        assert_views_equal_replay(db, ["RX9", providers[n * 7]])
        assert run(db, "verify").exit_code == 0, story
    assert -signal.SIGKILL in statuses  # some rebuilds were killed while they ran
    # And a new rebuild after the last kill completes, to the same views
    assert ok(db, "rebuild").stdout.startswith(f"Rebuilt the views from {last} entries")
    assert view_rows(db) == facts
