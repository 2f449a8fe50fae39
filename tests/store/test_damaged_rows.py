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


def refusals(ledger: str, position: int, not_read: Any = NOT_READ) -> list[str]:
    """What each reading command that reads RWP's entry at `position` did, where it did not refuse it."""
    wrong = []
    for args in (a for a in READING if position not in not_read.get(a, ())):
        result = run(ledger, *args)
        if not refused(result, f"RWP/{position}"):
            wrong.append(f"{' '.join(args)}: {result.exit_code} {result.exception!r} {result.stderr[-300:]}")
    return wrong


@pytest.mark.parametrize(("position", "edit"), [(p, e) for p, e, _ in OUT_OF_WORDS], ids=[i for *_, i in OUT_OF_WORDS])
def test_an_entry_the_ledger_could_not_have_recorded_is_refused_by_every_reading_command(ledger: str, position: int, edit: Any):
    # Given one stored entry edited by hand: valid JSON, but not an entry the ledger would write
    old = set_state(ledger, position, None)
    set_state(ledger, position, edited(old, edit))
    # When each reading command meets it, then it is refused, naming the entry, as a row holding no entry is
    wrong = refusals(ledger, position)

    assert not wrong, "\n".join(wrong)
    # And a word outside the vocabulary is named with where it is
    if edit is rated_meh:
        assert 'ratings[0].rating is "Meh", not one of the ledger\'s words' in run(ledger, "status", "RWP").stderr
    set_state(ledger, position, old)
    ok(ledger, "verify")


MONTH_13 = "2026-13-01T10:00:00.000000Z"
# The recorded time in front of a stored state: read by rebuild's fast reading (a report; a notice,
# with words of its own to check), by the entry's fast reading, and the general way (a correction)
TIMES = [
    (23, MONTH_13, "a report recorded in month 13"),
    (7, MONTH_13, "a notice recorded in month 13"),
    (29, MONTH_13, "a correction recorded in month 13"),
    (23, "2026-11-22T15:33:46Z", "a time without its microseconds"),
    (23, "2026-11-22T15:33:46.123456+01:00", "a time in another zone"),
    (23, "2026-11-22T15:33:46.123456", "a time without its zone"),
    (1, 20261122, "a time that is a number"),
]
# changes reads of an entry only its day and its cells (register_facts.read_rated), not when it
# was recorded (the views hold that), as it reads no summary
TIME_NOT_READ = NOT_READ | {("changes", "--from", "2015-01-01", "--to", "2020-01-01"): {1, 7, 23, 29}}


@pytest.mark.parametrize(("position", "time"), [(p, t) for p, t, _ in TIMES], ids=[i for *_, i in TIMES])
def test_an_entry_recorded_at_no_time_the_ledger_writes_is_refused_by_every_reading_command(ledger: str, position: int, time: Any):
    # Given one stored entry whose recorded time is edited by hand, left in front as the ledger writes it
    old = set_state(ledger, position, None)
    set_state(ledger, position, edited(old, lambda obj: obj.update(recorded_at=time)))

    # When each reading command meets it, then it is refused, naming the entry (never a traceback,
    # and rebuild copies no time into the views)
    wrong = refusals(ledger, position, TIME_NOT_READ)

    assert not wrong, "\n".join(wrong)
    # And the time is named with what is wrong with it
    if time == MONTH_13:
        said = f'(ValueError: recorded_at is "{MONTH_13}", not a time (month must be in 1..12))'
        assert said in run(ledger, "rebuild").stderr
        assert said in run(ledger, "history", "RWP").stderr
    elif isinstance(time, str):
        assert (
            f'recorded_at is "{time}", not a time as the ledger writes one (2026-11-22T15:33:46.123456Z)' in run(ledger, "rebuild").stderr
        )
    set_state(ledger, position, old)
    ok(ledger, "verify")
