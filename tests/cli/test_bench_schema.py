"""The benchmark measures PostgreSQL in a schema of its run's own and drops it at the end, even
when the run fails or is interrupted: two people measuring against one server never meet."""

from __future__ import annotations

import os
import sys

import pytest
from conftest import POSTGRES, _server_problem

import bench.__main__ as bench


@pytest.fixture(autouse=True)
def server() -> None:
    if (problem := _server_problem()) is not None:
        pytest.skip(problem)


def schemas() -> set[str]:
    """The benchmark's schemas on the test server made by this process (others may be measuring)."""
    import psycopg

    with psycopg.connect(POSTGRES, autocommit=True) as c:
        found = c.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", (f"cqc_bench_{os.getpid()}_%",))
        return {name for (name,) in found}


def test_each_run_measures_in_a_schema_of_its_own() -> None:
    first, second = bench.postgres_store(POSTGRES), bench.postgres_store(POSTGRES)
    assert first is not None and second is not None
    assert first.target != second.target
    first.reset()
    second.reset()
    first.drop()
    assert second.target.rsplit("schema=", 1)[1] in schemas()
    assert first.target.rsplit("schema=", 1)[1] not in schemas()
    second.drop()


def test_an_interrupted_run_drops_its_schema(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert not schemas()
    measured = []

    def interrupted(store: bench.Store, *_: object) -> None:
        store.reset()
        measured.append(store.label)
        if store.label == "PostgreSQL":
            raise KeyboardInterrupt  # Ctrl-C, with the schema made and half measured

    monkeypatch.setattr(bench, "measure", interrupted)
    monkeypatch.setattr(sys, "argv", ["bench", "--providers", "2", "--runs", "1", "--dir", str(tmp_path), "--postgres", POSTGRES])
    with pytest.raises(KeyboardInterrupt):
        bench.main()

    assert measured == ["SQLite", "PostgreSQL"]
    assert not schemas()
