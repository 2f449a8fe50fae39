"""A stored row that holds no entry the ledger could have recorded (its state NULL, a number, text
that is not JSON, a field of the wrong kind, a word outside the ledger's vocabulary) is refused by
every command that reads it the same way, as the codec's one rule says: `Error: the stored entry
RWP/7 is not a cqc-ledger entry (...): the store has been altered or damaged; run cqc-ledger
verify`, exit 1, naming the entry, never a traceback. Each damage is made as someone with the
store would make it, with SQL on the events table, the ledger's code nowhere in the loop;
PostgreSQL's state is bytea, so a number cannot be stored there, NULL can.
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
# Rows a command has no need to read: changes reads only what sets ratings, a status of 2018 not
# what came after (RWP/22 an inspection and RWP/23 a report of 2018, RWP/29 a correction of 2019)
NOT_READ = {("changes", "--from", "2015-01-01", "--to", "2020-01-01"): {1, 7, 22}, ("status", "RWP", "--at", "2018-01-01"): {22, 23, 29}}
REFUSED = "the store has been altered or damaged; run `cqc-ledger verify`"


def refused(result: Any, ref: str) -> bool:
    """Whether a command refused the damaged entry `ref` as the codec's one rule does: exit 1, no
    traceback, the entry named."""
    said = f"Error: the stored entry {ref} is not a cqc-ledger entry ("
    return result.exit_code == 1 and isinstance(result.exception, SystemExit) and said in result.stderr and REFUSED in result.stderr


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

            # Then it is refused in a sentence naming the entry, as verify refuses a tampering
            if not refused(result, f"RWP/{position}"):
                wrong.append(f"RWP/{position}: {' '.join(args)}: {result.exit_code} {result.exception!r} {result.stderr[-300:]}")
        set_state(ledger, position, old)
    assert not wrong, "\n".join(wrong)
    # And the ledger, mended, reads as before
    ok(ledger, "verify")
    ok(ledger, "status", "RWP")


def edited(state: Any, edit: Any) -> bytes:
    """A stored state with one field of its JSON changed, as an edit by hand would leave it."""
    obj = orjson.loads(bytes(state) if not isinstance(state, str) else state.encode())
    edit(obj)
    return orjson.dumps(obj)


def rated_meh(obj: dict[str, Any]) -> None:
    obj["ratings"][0]["rating"] = "Meh"


# RWP/22 an inspection, RWP/23 a report of 2018, RWP/29 the correction of RWP/25 (its replacement)
OUT_OF_WORDS = [
    (23, lambda obj: obj.update(ratings=5), "ratings a number"),
    (23, rated_meh, "a cell rated Meh"),
    (23, lambda obj: obj["ratings"][1].update(question="kindness"), "a question not CQC's"),
    (22, lambda obj: obj.update(kind="surprise"), "an inspection of no kind the ledger has"),
    (29, lambda obj: rated_meh(obj["replacement"]), "a correction's replacement rated Meh"),
]


@pytest.mark.parametrize(("position", "edit"), [(p, e) for p, e, _ in OUT_OF_WORDS], ids=[i for *_, i in OUT_OF_WORDS])
def test_an_entry_the_ledger_could_not_have_recorded_is_refused_by_every_reading_command(ledger: str, position: int, edit: Any):
    # Given one stored entry edited by hand: valid JSON, but not an entry the ledger would write
    old = set_state(ledger, position, None)
    set_state(ledger, position, edited(old, edit))
    wrong = []
    for args in (a for a in READING if position not in NOT_READ.get(a, ())):
        # When a reading command meets it
        result = run(ledger, *args)

        # Then it is refused, naming the entry, as a row holding no entry is
        if not refused(result, f"RWP/{position}"):
            wrong.append(f"{' '.join(args)}: {result.exit_code} {result.exception!r} {result.stderr[-300:]}")
    assert not wrong, "\n".join(wrong)
    # And a word outside the vocabulary is named with where it is
    if edit is rated_meh:
        assert 'ratings[0].rating is "Meh", not one of the ledger\'s words' in run(ledger, "status", "RWP").stderr
    set_state(ledger, position, old)
    ok(ledger, "verify")
