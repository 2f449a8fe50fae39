"""`python -m bench`: generate a synthetic register and measure cqc-ledger on it, side by side
with the physical reference (the same lines parsed and inserted into a bare SQLite table in one
transaction), printing each figure, its median over the runs, and the ratio.

    python -m bench                      # 5,000 providers, about 170,000 entries (a few minutes)
    python -m bench --providers 500      # a quick look
    python -m bench --providers 30000    # about a million entries
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from bench.register import heavy_provider_lines, register_lines
from cqc_ledger.ledger.application import Ledger
from cqc_ledger.ledger.store.target import checked, masked, postgres_connection
from cqc_ledger.projections.trusts import register
from cqc_ledger.projections.views import open_views, rebuilt

CLI = [sys.executable, "-c", "from cqc_ledger.cli import main; main()"]
# Runs a command and prints its peak memory (KiB), processor time (s) and wall time (s, from its
# start to its end, as the launcher saw it). A child forked from this process would count the pages
# it shares with it (the whole generated register) in its own peak, so the measured command is
# started from this small launcher instead; the launcher's own start (an interpreter's, some tens
# of milliseconds) is no part of the command's time.
LAUNCHER = [
    sys.executable,
    "-c",
    (
        "import resource, subprocess, sys, time; start = time.perf_counter(); code = subprocess.run(sys.argv[1:]).returncode; "
        "wall = time.perf_counter() - start; used = resource.getrusage(resource.RUSAGE_CHILDREN); "
        "sys.stderr.write(f'peak-kib {used.ru_maxrss} cpu-s {used.ru_utime + used.ru_stime} wall-s {wall}\\n'); sys.exit(code)"
    ),
]
PEAKS: list[int] = []
CPUS: list[float] = []  # each measured command's processor time (user and system), seconds
WALLS: list[float] = []  # each measured command's wall time, seconds


def median_of(runs: int, work: Callable[[], object]) -> float:
    """The median wall time of `runs` calls of `work`, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def median_of_commands(runs: int, work: Callable[[], object]) -> float:
    """The median wall time of the one command that each of `runs` calls of `work` runs (`command`),
    as its launcher timed it: what comes before it in `work` (emptying the store) and the
    launcher's own start are not counted."""
    WALLS.clear()
    for _ in range(runs):
        work()
    if len(WALLS) != runs:
        raise RuntimeError(f"{len(WALLS)} commands timed in {runs} runs: each run must run one")
    return statistics.median(WALLS)


def physical_reference(lines_file: Path, db: Path) -> None:
    """The floor: parse every line and insert it into a bare SQLite table, in one transaction."""
    db.unlink(missing_ok=True)
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE lines (provider_id TEXT, line BLOB)")
    with connection, open(lines_file, "rb") as lines:
        connection.executemany("INSERT INTO lines VALUES (?, ?)", ((orjson.loads(line)["provider_id"], line) for line in lines))
    connection.close()


def command(target: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Runs `cqc-ledger --db TARGET ARGS...` as its own process, noting its peak memory."""
    result = subprocess.run([*LAUNCHER, *CLI, "--db", target, *args], capture_output=True)
    if result.returncode:
        sys.exit(f"cqc-ledger {' '.join(args)} failed:\n{result.stderr.decode()}")
    told = result.stderr.decode().rsplit("peak-kib ", 1)[1].split()
    PEAKS.append(int(told[0]))
    CPUS.append(float(told[2]))
    WALLS.append(float(told[4]))
    return result


def fresh(db: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return db


class Store:
    """A place to measure the ledger in: a SQLite file, or a schema of a PostgreSQL server.
    `drop` takes away what the benchmark made there (the schema; a SQLite file goes with its
    folder)."""

    def __init__(
        self,
        label: str,
        target: str,
        reset: Callable[[], None],
        size: Callable[[], int],
        rebuild_goal: int,
        drop: Callable[[], None] = lambda: None,
    ):
        self.label, self.target, self.reset, self.size, self.rebuild_goal, self.drop = label, target, reset, size, rebuild_goal, drop


def sqlite_store(work: Path) -> Store:
    db = work / "ledger.db"

    def size() -> int:
        with sqlite3.connect(db) as c:
            c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return db.stat().st_size

    return Store("SQLite", str(db), lambda: fresh(db) and None, size, 100_000)


def postgres_store(url: str) -> Store | None:
    """A schema of this run's own on the server at `url`, named by the process and a random part,
    so that two people measuring on one server never meet (None, saying why, when the server
    cannot be used). The benchmark's own connections carry the URL's options (sslmode, say) as
    the ledger's do."""
    schema = f"cqc_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    target = f"{url}{'&' if '?' in url else '?'}schema={schema}"
    try:
        with postgres_connection(checked(target), autocommit=True) as admin:
            admin.execute("SELECT 1")
    except Exception as error:
        print(f"PostgreSQL: not measured ({masked(str(error), target).strip().splitlines()[0]})")
        return None

    def drop() -> None:
        with postgres_connection(target, autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    def reset() -> None:
        drop()
        with postgres_connection(target, autocommit=True) as admin:
            admin.execute(f'CREATE SCHEMA "{schema}"')

    def size() -> int:
        with postgres_connection(target, autocommit=True) as admin:
            found = admin.execute(
                "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = %s AND c.relkind IN ('r', 'm')",
                (schema,),
            ).fetchone()
        return int(found[0] or 0) if found else 0

    return Store("PostgreSQL", target, reset, size, 40_000, drop)


class Baseline(NamedTuple):
    """The physical reference: its wall time and processor time (seconds) and its store's size."""

    wall: float
    cpu: float
    size: int


def measure(store: Store, lines_file: Path, entries: int, cells: int, providers: int, reference: Baseline, runs: int) -> None:
    """Records the register into the store and measures every figure of the issue on it."""
    print(f"\n== {store.label}")

    def record_fresh() -> None:
        store.reset()
        command(store.target, "record", str(lines_file))

    PEAKS.clear()
    CPUS.clear()
    record = median_of_commands(runs, record_fresh)
    peak = max(PEAKS) / 1024
    cpu = statistics.median(CPUS)
    print(
        f"record (with views)     {record:8.2f} s  {entries / record:9.0f} entries/s   ratio reference/record {reference.wall / record:.3f} (goal >= 0.4)"
    )
    print(
        f"record, processor       {cpu:8.2f} s  ratio reference/record {reference.cpu / cpu:.3f} (the steadier figure on a shared machine)"
    )
    print(f"peak memory of record   {peak:8.0f} MiB (goal: under 1 GiB for a million entries)")
    size = store.size()
    print(
        f"store size              {size / 2**20:8.1f} MiB ({size / entries:.0f} bytes an entry; {size / reference.size:.2f} times the reference's {reference.size / 2**20:.1f} MiB)"
    )
    PEAKS.clear()
    rebuild = median_of_commands(runs, lambda: command(store.target, "rebuild"))
    print(
        f"rebuild, command        {rebuild:8.2f} s  {entries / rebuild:9.0f} entries/s  {cells / rebuild:9.0f} cells/s, peak {max(PEAKS) / 1024:.0f} MiB"
    )

    rng = random.Random(1)
    asked = [(f"R{rng.randrange(providers):05d}", date(rng.randint(2014, 2025), rng.randint(1, 12), 28)) for _ in range(200)]
    ledger = Ledger(store.target)
    try:  # closed however the run ends: an open transaction would hold up dropping the schema
        rebuilding = median_of(runs, lambda: rebuilt(ledger))
        print(
            f"rebuild, in process     {rebuilding:8.2f} s  {entries / rebuilding:9.0f} entries/s (goal >= {store.rebuild_goal:,} entries/s)"
        )
        views = open_views(ledger)
        turn = iter(range(10**9))

        def one_status() -> None:
            provider_id, day = asked[next(turn) % len(asked)]
            views.status(provider_id, day)

        in_process = median_of(max(200, runs), one_status)
        print(f"status --at, in process {in_process * 1000:8.2f} ms (goal < 2 ms, flat in register size)")
        whole = median_of_commands(max(5, runs), lambda: command(store.target, "status", asked[0][0], "--at", "2019-06-30"))
        print(f"status --at, command    {whole * 1000:8.0f} ms (goal < 300 ms)")
        trusts_in_process = median_of(max(5, runs), lambda: register(views.headlines(date(2019, 6, 30))))
        print(f"trusts --at, in process {trusts_in_process * 1000:8.0f} ms over {providers} providers")
        trusts = median_of_commands(max(3, runs), lambda: command(store.target, "trusts", "--at", "2019-06-30", "--json"))
        print(f"trusts --at, command    {trusts * 1000:8.0f} ms (goal < 300 ms over 5,000 providers)")
        register_questions(store.target, runs)
        # Last, so that every figure above is over the register alone.
        heavy_status(store, views, lines_file.with_name("heavy.jsonl"), runs)
    finally:
        ledger.close()


def heavy_status(store: Store, views: Any, path: Path, runs: int) -> None:
    """`status --at` in process for one trust with ten times a trust's history (goal: under 10 ms)."""
    lines = list(heavy_provider_lines())
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    command(store.target, "record", str(path))
    days = itertools.cycle([date(year, month, 28) for year in range(2014, 2026) for month in (3, 9)])
    in_process = median_of(max(200, runs), lambda: views.status("RHEAVY", next(days)))
    print(
        f"status --at, heavy      {in_process * 1000:8.2f} ms (goal < 10 ms: one trust with ten times a trust's history, {len(lines)} entries)"
    )


# The questions across the register, each as a whole command, as an analyst asks them.
QUESTIONS = (
    ("changes over a year", ("changes", "--from", "2018-12-31", "--to", "2019-12-31", "--json")),
    ("counts by month, 10 y", ("counts", "--from", "2015-01-01", "--to", "2024-12-31", "--every", "month", "--json")),
    ("transitions, 3 y apart", ("transitions", "--from", "2016-12-31", "--to", "2019-12-31", "--json")),
)


def register_questions(target: str, runs: int) -> None:
    """`changes`, `counts` and `transitions` as commands (goal: under 2 s each on 5,000 providers),
    with the processor time each took, which other work on a shared machine does not inflate."""
    for label, args in QUESTIONS:
        CPUS.clear()
        took = median_of_commands(max(3, runs), partial(command, target, *args))
        print(f"{label + ', command':<23} {took:8.2f} s, {statistics.median(CPUS):.2f} s of processor (goal < 2 s over 5,000 providers)")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--providers", type=int, default=5000)
    parser.add_argument("--entries-per-provider", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement (medians are reported)")
    parser.add_argument("--dir", type=Path, default=None, help="where to write the register and the ledgers")
    parser.add_argument(
        "--postgres",
        default="postgresql://postgres@127.0.0.1:5432/test",
        help="a PostgreSQL server to measure too (in a schema of this run's own, cqc_bench_PID_..., dropped at the end); '' for none",
    )
    args = parser.parse_args()
    work = args.dir or Path(tempfile.mkdtemp(prefix="cqc-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    lines_file, reference_db = work / "register.jsonl", work / "reference.db"

    with open(lines_file, "wb") as out:
        for line in register_lines(args.providers, args.entries_per_provider):
            out.write(line + b"\n")
    with open(lines_file, "rb") as lines:
        counted = [len(orjson.loads(line).get("ratings", ())) for line in lines]
    entries, cells = len(counted), sum(counted)
    print(f"register: {args.providers} providers, {entries} entries, {cells} rating cells, {lines_file.stat().st_size / 2**20:.0f} MiB")
    print(f"runs: {args.runs} of each; figures are medians; the machine is shared, so compare ratios")
    reference_cpu: list[float] = []

    def reference_run() -> None:
        start = time.process_time()
        physical_reference(lines_file, reference_db)
        reference_cpu.append(time.process_time() - start)

    reference = median_of(args.runs, reference_run)
    print(
        f"physical reference      {reference:8.2f} s  {entries / reference:9.0f} entries/s (parse each line, insert it into a bare SQLite table, one transaction)"
    )
    baseline = Baseline(reference, statistics.median(reference_cpu), reference_db.stat().st_size)
    print(f"reference, processor    {baseline.cpu:8.2f} s; its store {baseline.size / 2**20:.1f} MiB")

    stores = [sqlite_store(work)]
    if args.postgres and (server := postgres_store(args.postgres)) is not None:
        stores.append(server)
    try:
        for store in stores:
            measure(store, lines_file, entries, cells, args.providers, baseline, args.runs)
    finally:  # a failed or interrupted run (Ctrl-C) leaves no schema behind either
        for store in stores:
            store.drop()
    if not args.dir:
        for path in work.iterdir():
            path.unlink()
        os.rmdir(work)


if __name__ == "__main__":
    main()
