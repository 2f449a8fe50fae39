"""The planner's statistics of the tables reading commands query are refreshed by `rebuild` (on
both stores)."""

from __future__ import annotations

import sqlite3
from urllib.parse import parse_qs, urlsplit

from tests.conftest import EXAMPLES, POSTGRES, runner_for


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
