"""Shared fixtures: a fresh ledger file per test, and the CLI run as a user runs it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner, Result

from cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared"


@pytest.fixture
def db(tmp_path: Path) -> str:
    """The path of a ledger file that does not exist yet."""
    return str(tmp_path / "ledger.db")


Cli = Callable[..., Result]


@pytest.fixture
def cli(db: str) -> Cli:
    """Runs `cqc-ledger --db <db> ARGS...`; `input` may be text or a list of entry dicts."""

    def run(*args: str, input: str | list[dict] | None = None) -> Result:
        if isinstance(input, list):
            input = "\n".join(orjson.dumps(obj).decode() for obj in input) + "\n"
        return CliRunner().invoke(main, ["--db", db, *args], input=input)

    return run


def jsonl(*objs: dict) -> str:
    """JSON Lines text of entry dicts."""
    return "".join(orjson.dumps(obj).decode() + "\n" for obj in objs)
