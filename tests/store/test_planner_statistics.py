"""The planner's statistics of the tables reading commands query are refreshed after a write that
grew the store substantially, not after every small one, and a failure to refresh them never
fails the write (on both stores)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import orjson
import pytest

from bench.register import register_lines
from cqc_ledger.projections.views.sqlite import SQLiteViews
from cqc_ledger.projections.views.store import REFRESH_AT
from tests.conftest import EXAMPLES, POSTGRES, runner_for

ONE_MORE = {"type": "ProviderRenamed", "provider_id": "R00000", "name": "Trust R00000 renamed", "on": "2025-12-19"}


def counted_rows(db: str) -> dict[str, float | None]:
    """The rows each table of the views and the entries held when the planner's statistics were
    last refreshed (None: never)."""
    if not db.startswith("postgresql"):
        with sqlite3.connect(db) as conn:
            if not conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone()[0]:
                return dict.fromkeys(("view_entries", "view_headlines", "stored_events"))
            found = dict(conn.execute("SELECT tbl, max(CAST(stat AS INTEGER)) FROM sqlite_stat1 GROUP BY tbl").fetchall())
        return {table: found.get(table) for table in ("view_entries", "view_headlines", "stored_events")}
    import psycopg

    schema = parse_qs(urlsplit(db).query)["schema"][0]
    with psycopg.connect(POSTGRES) as conn:
        found = dict(
            conn.execute(
                "SELECT c.relname, c.reltuples FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = %s",
                (schema,),
            ).fetchall()
        )
    return {table: None if found[table] < 0 else found[table] for table in ("view_entries", "view_headlines", "cqc_ledger_events")}


def register(folder: Path, providers: int) -> Path:
    path = folder / f"register-{providers}.jsonl"
    path.write_bytes(b"".join(line + b"\n" for line in register_lines(providers, 40)))
    return path


def test_a_bulk_record_leaves_statistics_and_a_small_one_into_a_big_ledger_does_not_analyse(db: str, tmp_path: Path) -> None:
    cli = runner_for(db)
    # Given a new ledger, whose first record (a few lines) has its tables analysed: they had no statistics
    assert cli("record", str(EXAMPLES / "RX9.jsonl")).exit_code == 0
    first = counted_rows(db)
    assert all(rows is not None for rows in first.values())
    # When a register of more than REFRESH_AT entries, many times what the ledger held, is recorded
    big = register(tmp_path, 40)
    entries = len(big.read_bytes().splitlines())
    assert entries >= REFRESH_AT
    assert cli("record", str(big)).exit_code == 0
    # Then the statistics count every row of the views and every entry
    after = counted_rows(db)
    assert after != first
    events = after.get("stored_events", after.get("cqc_ledger_events"))
    assert events is not None and events >= entries
    assert after["view_entries"] is not None and after["view_entries"] >= entries
    # When one more line is recorded, and a register under a tenth of the ledger's size
    assert cli("record", input=[ONE_MORE]).exit_code == 0
    assert cli("record", str(register(tmp_path, 3))).exit_code == 0
    # Then the statistics are as the big record left them: neither write analysed
    assert counted_rows(db) == after


def test_a_rebuild_leaves_statistics_of_the_views_and_the_entries(db: str) -> None:
    cli = runner_for(db)
    assert cli("record", str(EXAMPLES / "RX9.jsonl")).exit_code == 0
    # When the views are rebuilt
    assert cli("rebuild").exit_code == 0
    # Then every table reading commands query has been analysed, the entries' too (RX9: 12 entries)
    after = counted_rows(db)
    assert after["view_entries"] == 12
    assert after.get("stored_events", after.get("cqc_ledger_events")) == 12
    assert after["view_headlines"]


def test_a_record_stands_when_analysing_after_it_fails(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a store whose ANALYZE fails (here: of a table it cannot find)
    def failing(self, c):  # type: ignore[no-untyped-def]
        c.execute("ANALYZE no_such_table")

    monkeypatch.setattr(SQLiteViews, "_analyse", failing)
    if db.startswith("postgresql"):
        from cqc_ledger.projections.views.postgres import PostgresViews

        monkeypatch.setattr(PostgresViews, "_analyse", failing)
    cli = runner_for(db)
    # When a new ledger (whose tables have no statistics) records an input
    recorded = cli("record", str(EXAMPLES / "RX9.jsonl"))
    # Then the record stands and is told as ever, and the views answer from it
    assert recorded.exit_code == 0, recorded.output
    assert recorded.output.startswith("Recorded ")
    assert all(rows is None for rows in counted_rows(db).values())
    shown = cli("status", "RX9", "--json")
    assert shown.exit_code == 0, shown.output
    assert orjson.loads(shown.output)["provider_id"] == "RX9"
