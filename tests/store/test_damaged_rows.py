"""A stored row that holds no entry (its state NULL, a number, text that is not JSON) is refused by
every command that reads it the same way, as the codec's one rule says: `Error: ... the store has
been altered or damaged; run cqc-ledger verify`, exit 1, never a traceback. Each damage is made
as someone with the store would make it, with SQL on the events table, the ledger's code nowhere
in the loop; PostgreSQL's state is bytea, so a number cannot be stored there, NULL can.
"""

from __future__ import annotations

from contextlib import closing
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
import pytest
from ledgers import EXAMPLES, ok, record_examples, run

READING = [
    ("export",),
    ("entries", "RWP"),
    ("history", "RWP"),
    ("explain", "RWP"),
    ("explain", "RWP", "--at", "2017-01-01"),
    ("status", "RWP"),
    ("status", "RWP", "--at", "2018-01-01"),
    ("diff", "RWP", "--from", "2015-01-01", "--to", "2020-01-01"),
    ("changes", "--from", "2015-01-01", "--to", "2020-01-01"),
    ("anomalies",),
    ("rebuild",),
]
# RWP/1 its registration, RWP/7 a warning notice, RWP/10 a report, RWP/29 a correction of the report RWP/25
DAMAGED = [1, 7, 10, 29]
# Rows a command has no need to read: changes reads only what sets ratings, a status of 2018 not a correction of 2019
NOT_READ = {("changes", "--from", "2015-01-01", "--to", "2020-01-01"): {1, 7}, ("status", "RWP", "--at", "2018-01-01"): {29}}
REFUSED = "the store has been altered or damaged; run `cqc-ledger verify`"


def set_state(db: str, position: int, value: Any) -> Any:
    """Sets the stored state of RWP's entry at `position` straight in the store; gives the old one."""
    where = "WHERE originator_id = 'RWP' AND originator_version = "
    if db.startswith("postgresql://"):
        import psycopg

        schema = parse_qs(urlsplit(db).query)["schema"][0]
        with psycopg.connect(db.split("?")[0], autocommit=True) as c:
            (old,) = c.execute(f'SELECT state FROM "{schema}".cqc_ledger_events {where} %s', (position,)).fetchone()  # type: ignore[misc]
            c.execute(f'UPDATE "{schema}".cqc_ledger_events SET state = %s {where} %s', (value, position))
            return old
    import sqlite3

    with closing(sqlite3.connect(db, isolation_level=None)) as c:
        (old,) = c.execute(f"SELECT state FROM stored_events {where} ?", (position,)).fetchone()
        c.execute(f"UPDATE stored_events SET state = ? {where} ?", (value, position))
        return old


@pytest.fixture
def ledger(db: str, tmp_path) -> str:
    """The examples, with RWP's report RWP/25 corrected (RWP/29): a row of the views read with its mend."""
    record_examples(db)
    report = next(
        obj
        for line in (EXAMPLES / "RWP.jsonl").read_text().splitlines()
        if (obj := orjson.loads(line)).get("report_id") == "RWP-2019-09-20"
    )
    replacement = tmp_path / "replacement.json"
    replacement.write_bytes(orjson.dumps(report | {"summary": "Corrected."}))
    ok(db, "correct", "RWP/25", str(replacement), "--reason", "summary")
    return db


@pytest.mark.parametrize("value", [None, 123, "not an entry"], ids=["NULL", "a number", "text"])
def test_a_row_holding_no_entry_is_refused_by_every_reading_command_without_a_traceback(ledger: str, value: Any):
    if ledger.startswith("postgresql://") and value is not None:
        value = str(value).encode()  # PostgreSQL's state is bytea: the same damage as the bytes it holds
    wrong = []
    for position in DAMAGED:
        # Given one stored row damaged
        old = set_state(ledger, position, value)
        for args in (a for a in READING if position not in NOT_READ.get(a, ())):
            # When a reading command meets it
            result = run(ledger, *args)

            # Then it is refused in a sentence, as verify refuses a tampering
            if result.exit_code != 1 or not isinstance(result.exception, SystemExit) or REFUSED not in result.stderr:
                wrong.append(f"RWP/{position}: {' '.join(args)}: {result.exit_code} {result.exception!r} {result.stderr[-300:]}")
        set_state(ledger, position, old)
    assert not wrong, "\n".join(wrong)
    # And the ledger, mended, reads as before
    ok(ledger, "verify")
    ok(ledger, "status", "RWP")
