"""The ledger on a PostgreSQL server: writers at once, and moving a ledger between stores.

(Every other test that stores entries runs on PostgreSQL too, through the `db` fixture.)
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import orjson
import pytest

from bench.register import register_lines
from cqc_ledger.ledger.application import Ledger
from cqc_ledger.projections.output.status import status_json
from cqc_ledger.projections.status import status_at
from cqc_ledger.projections.views import open_views
from tests.conftest import EXAMPLES, postgres_schema, runner_for

COMMAND = [sys.executable, "-c", "from cqc_ledger.cli import main; main()"]
DAYS = [date(2014, 6, 30), date(2017, 6, 30), date(2020, 6, 30), date(2025, 6, 30)]
SHOWN_AS_KNOWN_AT = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.fixture
def pg() -> Iterator[str]:
    yield from postgres_schema()


def provider_files(folder: Path, providers: int) -> dict[str, Path]:
    """One JSON Lines file per provider of a small synthetic register."""
    by_provider: dict[str, list[bytes]] = {}
    for line in register_lines(providers, 30, seed=11):
        by_provider.setdefault(orjson.loads(line)["provider_id"], []).append(line)
    files = {}
    for provider_id, lines in by_provider.items():
        files[provider_id] = folder / f"{provider_id}.jsonl"
        files[provider_id].write_bytes(b"\n".join(lines) + b"\n")
    return files


def run_at_once(target: str, files: list[Path]) -> list[subprocess.CompletedProcess[bytes]]:
    """Starts one `record` per file before waiting for any of them."""
    started = [
        subprocess.Popen([*COMMAND, "--db", target, "record", str(f)], stdout=subprocess.PIPE, stderr=subprocess.PIPE) for f in files
    ]
    return [subprocess.CompletedProcess(p.args, p.wait(timeout=300), *p.communicate()) for p in started]


def assert_consistent(target: str, expected: dict[str, int]) -> None:
    """Every provider holds exactly its entries, the chain verifies, the views equal replay."""
    ledger = Ledger(target)
    try:
        views = open_views(ledger)
        views.catch_up(ledger)
        for provider_id, count in expected.items():
            recorded = ledger.entries_of(provider_id)
            assert [r.position for r in recorded] == list(range(1, count + 1))
            for day in DAYS:
                assert status_json(views.status(provider_id, day), day, SHOWN_AS_KNOWN_AT) == status_json(
                    status_at(recorded, provider_id, day), day, SHOWN_AS_KNOWN_AT
                )
        found, links = ledger.recorder.verify()
        assert found is None and len(links) == sum(expected.values())
    finally:
        ledger.close()


def test_eight_processes_recording_different_providers_at_once_all_succeed_exactly_once(pg: str, tmp_path: Path) -> None:
    # Given eight providers, each in a file of its own
    files = provider_files(tmp_path, 8)
    expected = {p: len(f.read_bytes().splitlines()) for p, f in files.items()}

    # When eight processes record them into one PostgreSQL ledger at once
    results = run_at_once(pg, list(files.values()))

    # Then all succeed, and the ledger holds each entry once, verifies, and its views agree
    assert [r.returncode for r in results] == [0] * 8, [r.stderr.decode() for r in results]
    assert_consistent(pg, expected)


def test_two_processes_recording_the_same_provider_at_once_record_it_once(pg: str, tmp_path: Path) -> None:
    # Given one provider's history, in two copies of the same file
    [(provider_id, path)] = provider_files(tmp_path, 1).items()
    copy = tmp_path / "copy.jsonl"
    copy.write_bytes(path.read_bytes())

    # When two processes record it at once
    results = run_at_once(pg, [path, copy])

    # Then both succeed: one records every entry, the other finds them all recorded
    assert [r.returncode for r in results] == [0, 0], [r.stderr.decode() for r in results]
    outputs = sorted(r.stdout.decode().splitlines()[0] for r in results)
    assert outputs[0] == "Recorded 0 entries." and outputs[1].startswith("Recorded ")
    assert_consistent(pg, {provider_id: len(path.read_bytes().splitlines())})


def test_a_ledger_moves_from_sqlite_to_postgresql_and_back_with_the_same_export_bytes(pg: str, tmp_path: Path) -> None:
    # Given a SQLite ledger with both example trusts and a retraction
    sqlite_cli, postgres_cli = runner_for(str(tmp_path / "a.db")), runner_for(pg)
    back_cli = runner_for(str(tmp_path / "b.db"))
    for name in ("RWP.jsonl", "RX9.jsonl"):
        assert sqlite_cli("record", str(EXAMPLES / name)).exit_code == 0
    assert sqlite_cli("retract", "RWP/19", "--reason", "test").exit_code == 0
    exported = sqlite_cli("export").stdout_bytes

    # When it is restored into PostgreSQL, exported, and restored into SQLite again
    (tmp_path / "a.jsonl").write_bytes(exported)
    assert postgres_cli("restore", str(tmp_path / "a.jsonl")).exit_code == 0
    from_postgres = postgres_cli("export").stdout_bytes
    (tmp_path / "b.jsonl").write_bytes(from_postgres)
    assert back_cli("restore", str(tmp_path / "b.jsonl")).exit_code == 0

    # Then every export is the same bytes, and both stores verify and answer alike
    assert from_postgres == exported
    assert back_cli("export").stdout_bytes == exported
    assert postgres_cli("verify").exit_code == 0
    known = f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%S.%fZ}"
    status = [c("status", "RWP", "--at", "2019-10-01", "--known-at", known, "--json").stdout for c in (sqlite_cli, postgres_cli)]
    assert orjson.loads(status[0]) == orjson.loads(status[1])


def test_a_reading_ledger_on_postgresql_reads_through_the_connection_it_was_inspected_on(pg: str) -> None:
    from cqc_ledger.ledger.store.opening import inspect

    # Given a ledger with one trust, opened for reading on what its inspection kept
    runner_for(pg)("record", str(EXAMPLES / "RX9.jsonl"))
    found = inspect(pg, keep=True)
    ledger = Ledger(pg, found=found)
    pool = ledger.store.datastore.pool
    try:
        # When it is read, and asked for a second connection while the first is held
        with pool.connection() as first, pool.connection() as second:
            assert first is found.connection and second is not first
        assert ledger.entries_of("RX9", limit=1)[0].ref == "RX9/1"
        # Then the second was closed when given back, and the first is kept for the next reads
        assert second.closed and not first.closed
        with pool.connection() as again:
            assert again is first
    finally:
        ledger.close()
    # And closing the ledger closes its connection
    assert found.connection.closed


def test_the_server_leaves_a_writer_ten_minutes_between_statements_inside_its_transaction(pg: str) -> None:
    from cqc_ledger.ledger.store.sql import one

    # Given a ledger on PostgreSQL (eventsourcing's own default would end such a session after 5 s)
    ledger = Ledger(pg)
    try:
        # When a transaction asks the server how long it may sit idle
        with ledger.store.datastore.transaction(commit=False) as c:
            c.execute("SHOW idle_in_transaction_session_timeout")
            # Then it is ten minutes: a chunk decided or a page folded on a loaded machine is not cut off
            assert one(c) == "10min"
    finally:
        ledger.close()


def test_a_rebuild_stands_when_the_vacuum_after_it_fails(pg: str) -> None:
    # Given a ledger on PostgreSQL with its views
    runner_for(pg)("record", str(EXAMPLES / "RX9.jsonl"))
    ledger = Ledger(pg)
    try:
        views = open_views(ledger)
        # When the vacuum that follows a rebuild fails (here: a table it cannot find)
        views.names = {**views.names, "entries": "no_such_table"}
        # Then nothing is raised: the rebuild has committed, and the vacuum was only tidying
        views._tidy()
    finally:
        ledger.close()
