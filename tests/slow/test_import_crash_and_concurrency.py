"""`import` killed mid-write, and imports run at once, on both stores.

An import records what it drafted in one transaction, as `record` does, so a SIGKILL at any point
leaves the ledger as it was before the import or as the import leaves it: the chain verifies and
the export (its entries, without the times they were recorded) equals one of the two; running the
import again leaves the ledger as an uninterrupted import does. Two imports run at once take turns:
each is recorded whole at a time of its own, never interleaved with the other.

The inputs are CQC's own: the 159 real API responses in shared/reference/cqc-api-real (after
their providers are registered), and monthly files (HSCA_Active_Locations and the "Latest
ratings" Locations sheet) of 150 made-up trusts, written with the tests' CSV helpers.
"""

from __future__ import annotations

import random
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from conftest import SHARED, STORES
from cqc_data import active_row, location_row, monthly_csv, ratings_csv
from ledgers import Targets, ok, run, run_process, start_process

REAL = sorted((SHARED / "reference" / "cqc-api-real").glob("*.json"))
KILL_POINTS = 5
QUESTIONS = ("Overall", "Safe", "Effective", "Caring", "Responsive", "Well-led")
RATINGS = ("Good", "Requires improvement", "Outstanding", "Inadequate")


@pytest.fixture(params=STORES)
def targets(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Targets]:
    made = Targets(request.param, tmp_path)
    try:
        yield made
    finally:
        made.close()


# ---- the inputs ---------------------------------------------------------------------------------


def registrations(folder: Path) -> Path:
    """The ProviderRegistered entries of the real responses' providers (a location response does
    not say when its provider was registered)."""
    providers = sorted({orjson.loads(p.read_bytes())["providerId"] for p in REAL})
    path = folder / "providers.jsonl"
    path.write_bytes(
        b"".join(
            orjson.dumps({"type": "ProviderRegistered", "provider_id": p, "name": f"{p} NHS Trust", "on": "2010-04-01"}) + b"\n"
            for p in providers
        )
    )
    return path


def monthly_files(folder: Path, trusts: range) -> list[str]:
    """An HSCA_Active_Locations file and a "Latest ratings" Locations sheet of made-up trusts,
    four locations each, each location rated on every key question."""
    rng = random.Random(trusts.start)
    active, rated = [], []
    for n in trusts:
        provider = f"T{n:03d}"
        for k in range(1, 5):
            location = f"{provider}{k:02d}"
            active.append(active_row(location, f"20{10 + k}-04-01", provider_id=provider))
            for question in QUESTIONS:
                rated.append(location_row(location, "Overall", question, rng.choice(RATINGS), f"2019-0{k}-1{k}", provider_id=provider))
    return [
        monthly_csv(folder, f"active{trusts.start}.csv", "HSCA_Active_Locations", active),
        ratings_csv(folder, f"ratings{trusts.start}.csv", "Locations", rated),
    ]


def facts(target: str) -> list[bytes]:
    """The export's lines without the time each was recorded (which differs from run to run)."""
    lines = ok(target, "export").stdout_bytes.splitlines()
    return [orjson.dumps({k: v for k, v in orjson.loads(line).items() if k != "recorded_at"}) for line in lines]


def times(target: str) -> list[str]:
    """The time each entry was recorded, in recording order."""
    return [orjson.loads(line)["recorded_at"] for line in ok(target, "export").stdout_bytes.splitlines()]


Prepare = Callable[[str], None]


def import_case(kind: str, folder: Path) -> tuple[Prepare, list[str]]:
    """How to bring a new ledger to its state before the import, and the import's arguments."""
    if kind == "cqc-api":
        providers = registrations(folder)
        return (lambda target: ok(target, "record", str(providers)) and None), ["import", "cqc-api", *map(str, REAL)]
    earlier = monthly_files(folder, range(0, 20))
    return (lambda target: ok(target, "import", "cqc-files", *earlier) and None), [
        "import",
        "cqc-files",
        *monthly_files(folder, range(20, 170)),
    ]


def kill_at(target: str, args: list[str], delay: float) -> int:
    """Starts the real command, kills it (SIGKILL) after `delay` seconds; its exit status."""
    process = start_process(target, *args)
    try:
        process.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
    process.communicate(timeout=120)
    return process.returncode


# ---- killed ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["cqc-api", "cqc-files"])
def test_an_import_killed_at_any_point_leaves_the_ledger_before_or_after_it(targets: Targets, tmp_path: Path, kind: str) -> None:
    prepare, args = import_case(kind, tmp_path)
    # The ledger before the import, and after it uninterrupted (and how long that took)
    before_target = targets.new()
    prepare(before_target)
    before = facts(before_target)
    started = time.monotonic()
    finished = run_process(before_target, *args)
    duration = time.monotonic() - started
    assert finished.returncode == 0, finished.stderr.decode()
    after = facts(before_target)
    assert len(after) > len(before) + 100

    rng = random.Random(kind)
    statuses = []
    for n, delay in enumerate(sorted(rng.uniform(0.2, 1.0) * duration for _ in range(KILL_POINTS))):
        # Given the ledger before the import
        target = targets.new()
        prepare(target)

        # When the import is killed after `delay` seconds
        status = kill_at(target, args, delay)
        statuses.append(status)
        story = f"{kind}: kill point {n} at {delay:.2f}s of {duration:.2f}s (exit status {status})"

        # Then the chain verifies, and the ledger is the one before the import or the one after it
        assert run(target, "verify").exit_code == 0, story
        assert facts(target) in (before, after), story

        # And the import run again leaves the ledger as an uninterrupted one does
        again = run_process(target, *args)
        assert again.returncode == 0, f"{story}: {again.stderr.decode()}"
        assert facts(target) == after, story
        assert run(target, "verify").exit_code == 0, story
    # Some imports were killed while they ran
    assert -signal.SIGKILL in statuses, statuses


# ---- at once --------------------------------------------------------------------------------------


def at_once(target: str, *commands: list[str]) -> list[dict[str, Any]]:
    """Starts every command (with --json), all before waiting for any; their outcomes."""
    processes = [start_process(target, *args, "--json") for args in commands]
    outcomes = []
    for p in processes:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode()
        outcomes.append(orjson.loads(out))
    return outcomes


def test_two_imports_of_different_trusts_at_once_are_each_recorded_whole_never_interleaved(targets: Targets, tmp_path: Path) -> None:
    # Given the registrations of the real responses' providers, and monthly files of other trusts
    providers = registrations(tmp_path)
    api = ["import", "cqc-api", *map(str, REAL)]
    files = ["import", "cqc-files", *monthly_files(tmp_path, range(0, 120))]
    for _ in range(2):
        target = targets.new()
        ok(target, "record", str(providers))
        earlier = len(times(target))

        # When the real responses and the monthly files are imported at once
        a, b = at_once(target, api, files)

        # Then each recorded all it drafted, the chain verifies
        assert a["recorded"] and b["recorded"] and a["skipped"] == b["skipped"] == []
        assert len(times(target)) == earlier + len(a["recorded"]) + len(b["recorded"])
        assert run(target, "verify").exit_code == 0
        # And each import was recorded whole at one time: one after the other, not interleaved
        stamped = times(target)[earlier:]
        assert stamped == sorted(stamped) and len(set(stamped)) == 2


@pytest.mark.parametrize("kind", ["cqc-api", "cqc-files"])
def test_the_same_import_run_twice_at_once_is_recorded_once(targets: Targets, tmp_path: Path, kind: str) -> None:
    prepare, args = import_case(kind, tmp_path)
    # The ledger after one uninterrupted import
    alone = targets.new()
    prepare(alone)
    ok(alone, *args[:1], *args[1:])
    expected = facts(alone)

    # Given the ledger before the import
    target = targets.new()
    prepare(target)

    # When the same import is run twice at once
    outcomes = at_once(target, args, args)

    # Then one records it all and the other, deciding after it, skips it all
    recorded = sorted(len(o["recorded"]) for o in outcomes)
    assert recorded[0] == 0 and recorded[1] > 100, recorded
    # And the ledger is the one a single import leaves
    assert facts(target) == expected
    assert run(target, "verify").exit_code == 0
