"""`python -m bench`: generate a synthetic register and measure cqc-ledger on it, side by side
with the physical reference (the same lines parsed and inserted into a bare SQLite table in one
transaction), printing each figure, its median over the runs, and the ratio.

    python -m bench                      # 5,000 providers, about 170,000 entries (a few minutes)
    python -m bench --providers 500      # a quick look
    python -m bench --providers 30000    # about a million entries
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import orjson

from bench.register import register_lines
from ledger.application import Ledger
from projections.trusts import register
from projections.views import open_views

CLI = [sys.executable, "-c", "from cli import main; main()"]


def median_of(runs: int, work: Callable[[], object]) -> float:
    """The median wall time of `runs` calls of `work`, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def physical_reference(lines_file: Path, db: Path) -> None:
    """The floor: parse every line and insert it into a bare SQLite table, in one transaction."""
    db.unlink(missing_ok=True)
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE lines (provider_id TEXT, line BLOB)")
    with connection, open(lines_file, "rb") as lines:
        connection.executemany("INSERT INTO lines VALUES (?, ?)", ((orjson.loads(l)["provider_id"], l) for l in lines))
    connection.close()


def command(db: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    result = subprocess.run([*CLI, "--db", str(db), *args], capture_output=True)
    if result.returncode:
        sys.exit(f"cqc-ledger {' '.join(args)} failed:\n{result.stderr.decode()}")
    return result


def fresh(db: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return db


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--providers", type=int, default=5000)
    parser.add_argument("--entries-per-provider", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement (medians are reported)")
    parser.add_argument("--dir", type=Path, default=None, help="where to write the register and the ledgers")
    args = parser.parse_args()
    work = args.dir or Path(tempfile.mkdtemp(prefix="cqc-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    lines_file, db, reference_db = work / "register.jsonl", work / "ledger.db", work / "reference.db"

    with open(lines_file, "wb") as out:
        for line in register_lines(args.providers, args.entries_per_provider):
            out.write(line + b"\n")
    entries = sum(1 for _ in open(lines_file, "rb"))
    cells = sum(len(orjson.loads(l).get("ratings", ())) for l in open(lines_file, "rb"))
    print(f"register: {args.providers} providers, {entries} entries, {cells} rating cells, "
          f"{lines_file.stat().st_size / 2**20:.0f} MiB in {lines_file}")
    print(f"runs: {args.runs} of each; figures are medians")

    reference = median_of(args.runs, lambda: physical_reference(lines_file, reference_db))
    record = median_of(args.runs, lambda: command(fresh(db), "record", str(lines_file)))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"physical reference   {reference:8.2f} s   {entries / reference:10.0f} entries/s")
    print(f"record (with views)  {record:8.2f} s   {entries / record:10.0f} entries/s   "
          f"ratio reference/record {reference / record:.3f} (goal >= 0.25)")
    print(f"peak memory of record {peak:7.0f} MiB (goal: under 2 GiB for a million entries)")

    rebuild = median_of(args.runs, lambda: command(db, "rebuild"))
    print(f"rebuild              {rebuild:8.2f} s   {entries / rebuild:10.0f} entries/s   "
          f"{cells / rebuild:10.0f} cells/s (goal >= 100,000 entries/s)")

    rng = random.Random(1)
    providers = [f"R{rng.randrange(args.providers):05d}" for _ in range(200)]
    days = [date(rng.randint(2014, 2025), rng.randint(1, 12), 28) for _ in range(200)]
    ledger = Ledger(str(db))
    views = open_views(ledger)
    asked = iter(range(10**9))

    def one_status() -> None:
        i = next(asked) % len(providers)
        views.status(providers[i], days[i])

    in_process = median_of(max(200, args.runs), one_status)
    print(f"status --at, in process {in_process * 1000:6.2f} ms (goal < 5 ms, flat in register size)")
    whole = median_of(max(5, args.runs), lambda: command(db, "status", providers[0], "--at", "2019-06-30"))
    print(f"status --at, command    {whole * 1000:6.0f} ms (goal < 300 ms)")
    trusts_in_process = median_of(max(5, args.runs), lambda: register(views.statuses(date(2019, 6, 30))))
    print(f"trusts --at, in process {trusts_in_process * 1000:6.0f} ms over {args.providers} providers (goal < 1 s)")
    trusts = median_of(max(3, args.runs), lambda: command(db, "trusts", "--at", "2019-06-30", "--json"))
    print(f"trusts --at, command    {trusts * 1000:6.0f} ms")
    ledger.close()
    if not args.dir:
        for path in work.iterdir():
            path.unlink()
        os.rmdir(work)


if __name__ == "__main__":
    main()
