"""Concurrent writers: several processes recording into one SQLite ledger at once.

A recording transaction takes the store's write lock before it reads anything, so writers take
turns: each input is decided against everything committed before it, recorded whole at its own
time, with its links of the hash chain and its facts in the views. Two processes recording the
same file at once record it once. A new ledger opened by two processes at once is created once.
A reader is answered while a writer records, and sees the input whole or not at all.
"""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest
from ledgers import EXAMPLES, json_of, ok, run, start_process, write_jsonl, write_register

from cqc_ledger.ledger.application import Ledger
from cqc_ledger.ledger.records import parse_time
from cqc_ledger.projections.output.status import status_json
from cqc_ledger.projections.status import status_at
from cqc_ledger.projections.views import open_views

ROUNDS = 3


@pytest.fixture(scope="module")
def halves(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Counter[str]]:
    """A synthetic register of 60 trusts in two files, the first 30 trusts in one, the rest in the
    other (about a thousand entries each); and how many entries each trust has."""
    folder = tmp_path_factory.mktemp("halves")
    entries = write_register(folder / "register.jsonl", providers=60, entries_per_provider=40, seed=3)
    first = [e for e in entries if e["provider_id"] < "R00030"]
    second = [e for e in entries if e["provider_id"] >= "R00030"]
    return (
        write_jsonl(folder / "first.jsonl", first),
        write_jsonl(folder / "second.jsonl", second),
        Counter(e["provider_id"] for e in entries),
    )


def counts(db: Path) -> Counter[str]:
    with closing(sqlite3.connect(db)) as c:
        return Counter(dict(c.execute("SELECT originator_id, count(*) FROM stored_events GROUP BY originator_id").fetchall()))


def at_once(db: Path, *files: Path) -> list[dict[str, Any]]:
    """Starts `record --json FILE` for every file, all before waiting for any; their outcomes."""
    processes = [start_process(db, "record", "--json", str(f)) for f in files]
    outcomes = []
    for p in processes:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err.decode()
        outcomes.append(orjson.loads(out))
    return outcomes


def assert_whole_and_consistent(db: Path, expected: Counter[str]) -> None:
    """Every entry once, the chain intact, the views tracked at the last entry and equal to replay."""
    assert counts(db) == expected
    result = run(db, "verify")
    assert result.exit_code == 0, result.output
    ledger = Ledger(str(db))
    try:
        views = open_views(ledger)
        assert views.max_tracking_id("views") == ledger.recorder.max_notification_id()
        for pid in sorted(expected)[::9]:
            recorded = ledger.entries_of(pid)
            assert [r.position for r in recorded] == list(range(1, expected[pid] + 1))
            for day in ("2016-01-01", "2020-06-30", "2025-12-31"):
                shown = json_of(db, "status", pid, "--at", day)
                assert isinstance(shown, dict)
                replayed = status_json(
                    status_at(recorded, pid, date.fromisoformat(day)), date.fromisoformat(day), parse_time(shown["known_at"])
                )
                assert shown == orjson.loads(orjson.dumps(replayed)), f"{pid} on {day}"
    finally:
        ledger.close()


def test_two_processes_recording_different_trusts_into_one_ledger_both_succeed(halves, tmp_path):
    first, second, expected = halves
    for n in range(ROUNDS):
        # Given a ledger that holds the RX9 example
        db = tmp_path / f"round{n}.db"
        ok(db, "record", str(EXAMPLES / "RX9.jsonl"))

        # When two processes record the two halves of the register at once
        a, b = at_once(db, first, second)

        # Then both record the whole of their input, nothing skipped
        assert (len(a["recorded"]), len(b["recorded"])) == (sum(1 for _ in first.open()), sum(1 for _ in second.open()))
        assert a["skipped"] == b["skipped"] == []
        # And the ledger holds every entry exactly once, the chain verifies, the views equal replay
        assert_whole_and_consistent(db, expected + Counter({"RX9": 12}))
        # And each input was recorded whole at one time: the two did not interleave
        times = [e["recorded_at"] for e in json_of(db, "entries")][12:]  # type: ignore[index]
        assert times == sorted(times) and len(set(times)) == 2


def test_two_processes_opening_a_new_ledger_at_once_both_record(halves, tmp_path):
    first, second, expected = halves
    for n in range(ROUNDS):
        # Given no ledger yet
        db = tmp_path / f"new{n}.db"

        # When two processes record the two halves into it at once
        at_once(db, first, second)

        # Then the ledger is created once, and holds both
        assert_whole_and_consistent(db, expected)


def test_six_processes_opening_a_new_ledger_at_once_all_succeed_and_it_is_created_once(tmp_path):
    # (The race is at creation: each process finds no tables, and all create them at once.)
    for n in range(5):
        # Given no ledger yet
        db = tmp_path / f"opened{n}.db"

        # When six processes record the RX9 example into it at once
        outcomes = at_once(db, *[EXAMPLES / "RX9.jsonl"] * 6)

        # Then all succeed: one records it, the others skip it
        assert sorted(len(o["recorded"]) for o in outcomes) == [0, 0, 0, 0, 0, 12]
        assert_whole_and_consistent(db, Counter({"RX9": 12}))


def test_two_processes_recording_the_same_file_at_once_record_it_once(halves, tmp_path):
    first, _, expected = halves
    lines = sum(1 for _ in first.open())
    for n in range(ROUNDS):
        # Given a ledger that holds the RX9 example
        db = tmp_path / f"same{n}.db"
        ok(db, "record", str(EXAMPLES / "RX9.jsonl"))

        # When two processes record the same file at once
        outcomes = at_once(db, first, first)

        # Then one records it all, and the other, deciding after it, skips it all
        assert sorted((len(o["recorded"]), len(o["skipped"])) for o in outcomes) == [(0, lines), (lines, 0)]
        assert_whole_and_consistent(db, Counter({k: v for k, v in expected.items() if k < "R00030"}) + Counter({"RX9": 12}))


def test_a_reader_is_answered_while_a_writer_records_and_sees_the_input_whole_or_not_at_all(halves, tmp_path):
    first, second, _ = halves
    # Given a ledger that holds the RX9 example, and both halves of the register in one file
    db = tmp_path / "ledger.db"
    ok(db, "record", str(EXAMPLES / "RX9.jsonl"))
    both = tmp_path / "both.jsonl"
    both.write_bytes(first.read_bytes() + second.read_bytes())

    # When readers ask for the register while a writer records it
    writer = start_process(db, "record", str(both))
    answers = []
    while writer.poll() is None:
        reader = start_process(db, "trusts", "--json", "--at", "2025-12-31")
        out, err = reader.communicate(timeout=180)
        # Then each reader is answered (not refused because the store is busy)...
        assert reader.returncode == 0, err.decode()
        answers.append(len(orjson.loads(out)))
        time.sleep(0.05)
    assert writer.wait() == 0
    # ...with the register before the input or after it, never a part of it
    assert set(answers) <= {1, 61}, answers
    assert len(json_of(db, "trusts", "--at", "2025-12-31")) == 61  # type: ignore[arg-type]
