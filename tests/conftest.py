"""Shared fixtures: a fresh ledger per test on each store, and the CLI run as a user runs it.

`db` is a new ledger on SQLite (a file in a temporary directory) and on PostgreSQL (a schema of
its own in the server's database, dropped after the test), so every test that stores entries
runs on both. The server is `$CQC_TEST_POSTGRES`, or postgresql://postgres@127.0.0.1:5432/test.
When none answers, the PostgreSQL runs are skipped, saying so; under CI (`CI=true`) they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner, Result

from cqc_ledger.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared"
POSTGRES = os.environ.get("CQC_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
STORES = ["sqlite", "postgres"]


def _server_problem() -> str | None:
    """Why the PostgreSQL server cannot be used, or None when it can."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install 'cqc-ledger[postgres]')"
    try:
        with psycopg.connect(POSTGRES, connect_timeout=3):
            return None
    except psycopg.Error as error:
        return f"no PostgreSQL answers at {POSTGRES} ({str(error).strip().splitlines()[0]})"


_PROBLEM: list[str | None] = []


def postgres_schema() -> Iterator[str]:
    """A ledger URL in a fresh schema of the test server, dropped afterwards."""
    if not _PROBLEM:
        _PROBLEM.append(_server_problem())
    if _PROBLEM[0]:
        message = f"{_PROBLEM[0]}; start PostgreSQL or set CQC_TEST_POSTGRES=postgresql://user@host:port/db to run these tests"
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL tests must run in CI: {message}")
        pytest.skip(message)
    import psycopg

    schema = f"cqc_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{POSTGRES}?schema={schema}"
    finally:
        with psycopg.connect(POSTGRES, autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=STORES)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new ledger: a SQLite file path, or a PostgreSQL URL with a schema of its own."""
    if request.param == "sqlite":
        yield str(tmp_path / "ledger.db")
    else:
        yield from postgres_schema()


@pytest.fixture
def sqlite_db(tmp_path: Path) -> str:
    """The path of a SQLite ledger file that does not exist yet (for tests about the file)."""
    return str(tmp_path / "ledger.db")


Cli = Callable[..., Result]


def runner_for(target: str) -> Cli:
    """Runs `cqc-ledger --db TARGET ARGS...`; `input` may be text or a list of entry dicts."""

    def run(*args: str, input: str | list[dict] | None = None) -> Result:
        if isinstance(input, list):
            input = "\n".join(orjson.dumps(obj).decode() for obj in input) + "\n"
        return CliRunner().invoke(main, ["--db", target, *args], input=input)

    return run


@pytest.fixture
def cli(db: str) -> Cli:
    """The CLI on the test's ledger (on each store)."""
    return runner_for(db)


@pytest.fixture
def sqlite_cli(sqlite_db: str) -> Cli:
    """The CLI on a SQLite ledger file."""
    return runner_for(sqlite_db)


def jsonl(*objs: dict) -> str:
    """JSON Lines text of entry dicts."""
    return "".join(orjson.dumps(obj).decode() + "\n" for obj in objs)


_KINDS = ("unit", "cli", "store", "stories", "slow")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Marks each test with its kind, the folder it lives in: `pytest -m "not slow"` is the fast lane."""
    for item in items:
        kind = Path(str(item.fspath)).parent.name
        if kind in _KINDS:
            item.add_marker(getattr(pytest.mark, kind))
