"""Helpers for tests that work on ledger files themselves: run the CLI on any file, copy a
ledger, run the real command in a process of its own, and write a synthetic register to a file."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

import orjson
from click.testing import CliRunner, Result
from conftest import postgres_schema

from bench.register import register_lines
from cqc_ledger.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def run(db: str | Path, *args: str, input: str | bytes | None = None) -> Result:
    """`cqc-ledger --db DB ARGS...`, in this process."""
    return CliRunner().invoke(main, ["--db", str(db), *args], input=input)


def ok(db: str | Path, *args: str, input: str | bytes | None = None) -> Result:
    """The same, failing the test unless the command exits 0."""
    result = run(db, *args, input=input)
    assert result.exit_code == 0, result.output
    return result


def record_examples(db: str | Path) -> None:
    """Records the RWP and RX9 examples into the ledger, as a user would."""
    for name in ("RWP", "RX9"):
        ok(db, "record", str(EXAMPLES / f"{name}.jsonl"))


def json_of(db: str | Path, *args: str) -> object:
    """The JSON document a reading command prints with `--json`."""
    return orjson.loads(ok(db, *args, "--json").stdout)


def command(db: str | Path, *args: str) -> list[str]:
    """The argv of the real command in a process of its own (what a user or cron job runs)."""
    return [sys.executable, "-c", "from cqc_ledger.cli import main; main()", "--db", str(db), *args]


def run_process(db: str | Path, *args: str, timeout: float = 120, piped: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """The real command in a process of its own, `piped` (if given) on its standard input."""
    return subprocess.run(command(db, *args), cwd=ROOT, input=piped, capture_output=True, timeout=timeout)


def start_process(db: str | Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command(db, *args), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def on_a_terminal(argv: list[str], *, piped: bytes | None = None, timeout: float = 120) -> tuple[int, bytes]:
    """Runs the command with a pseudo-terminal as its standard output and error, and as its
    standard input unless `piped` is given (then a pipe carrying those bytes); its exit status
    and all it wrote, as the terminal received it."""
    leader, follower = os.openpty()
    given = subprocess.PIPE if piped is not None else follower
    process = subprocess.Popen(argv, cwd=ROOT, stdin=given, stdout=follower, stderr=follower, env={**os.environ, "COLUMNS": "100"})
    os.close(follower)
    if piped is not None:
        feeding = threading.Thread(target=_feed, args=(process.stdin, piped))
        feeding.start()
    written = bytearray()
    try:
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal's other end closed: the process has ended
                break
            if not chunk:
                break
            written += chunk
    finally:
        os.close(leader)
        if piped is not None:
            feeding.join()
    return process.wait(timeout), bytes(written)


def _feed(pipe: Any, data: bytes) -> None:
    with pipe:
        pipe.write(data)


def copy_ledger(source: str | Path, target: str | Path) -> None:
    """A copy of a ledger file as it stands (SQLite's backup: safe whatever the journal holds)."""
    with closing(sqlite3.connect(source)) as s, closing(sqlite3.connect(target)) as t:
        s.backup(t)


def write_register(path: Path, providers: int, entries_per_provider: int, seed: int = 7) -> list[dict]:
    """Writes a synthetic register (bench.register) as JSON Lines; returns its entries."""
    lines = list(register_lines(providers, entries_per_provider, seed))
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return [orjson.loads(line) for line in lines]


def write_jsonl(path: Path, objs: Sequence[dict]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(o) + b"\n" for o in objs))
    return path


class Targets:
    """New, empty ledgers on one store: SQLite files in a folder, or PostgreSQL schemas of the
    test server (dropped at the end; under CI=true a missing server fails the test)."""

    def __init__(self, store: str, folder: Path):
        self.store, self.folder, self.made = store, folder, 0
        self._schemas: list[Iterator[str]] = []

    def new(self) -> str:
        self.made += 1
        if self.store == "sqlite":
            return str(self.folder / f"ledger{self.made}.db")
        schema = postgres_schema()
        self._schemas.append(schema)
        return next(schema)

    def close(self) -> None:
        for schema in self._schemas:
            schema.close()
