"""An answer the views make from several reads sees one state of the ledger.

`changes` reads the period's entries, the providers' names, then the entries before the period
that settle what it changed, each in a statement of its own; `find` reads the providers' names,
their locations' and the deregistrations. An input recorded while they read (a `sync` run by
cron as an analyst asks) must show in all of those reads or in none. Here an input is recorded
between an answer's first read and the rest, and the answer must be the one given before it
or the one given after it: without one snapshot, `changes` credited the change in the period
to a rating the ledger held at no time before it, and `find` gave a provider's new location
without its new name.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest

from cqc_ledger.projections import register_facts
from tests.conftest import Cli, jsonl, runner_for

PROVIDER = {"type": "ProviderRegistered", "provider_id": "RAA", "name": "A Trust", "on": "2010-04-01", "provider_type": "acute"}


def report(report_id: str, on: str, rating: str) -> dict[str, Any]:
    return {
        "type": "ReportPublished",
        "provider_id": "RAA",
        "report_id": report_id,
        "on": on,
        "ratings": [{"question": "overall", "rating": rating}],
    }


@contextmanager
def recorded_after_the_first_read(cli: Cli, entries: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """In the block, the views' first read of an answer is followed by another process's input
    (`entries`) committing; the statements read are listed."""
    reads = register_facts._read
    calls: list[str] = []

    def read_then_record(views: Any, statement: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        found = reads(views, statement, params)
        calls.append(statement)
        if len(calls) == 1:
            with monkeypatch.context() as unpatched:
                unpatched.setattr(register_facts, "_read", reads)
                assert cli("record", input=jsonl(*entries)).exit_code == 0
        return found

    with monkeypatch.context() as patched:
        patched.setattr(register_facts, "_read", read_then_record)
        yield calls
    assert len(calls) > 1  # the answer was read in several statements, the input between them


def answer(cli: Cli, *args: str) -> Any:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout)


def test_changes_read_one_state_of_the_ledger(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli("record", input=jsonl(PROVIDER, report("R1", "2017-03-01", "Good"), report("R2", "2019-06-03", "Inadequate"))).exit_code == 0
    asked = ("changes", "--from", "2018-12-31", "--to", "2019-12-31")

    def changed() -> list[tuple[str, str | None, str | None]]:
        return [(row["on"], row["from"], row["to"]) for row in answer(cli, *asked)]

    before = changed()
    assert before == [("2019-06-03", "Good", "Inadequate")]
    # One input: a report before the period (standing under the period's first change) and one in it.
    beside = [report("R0", "2018-06-01", "Outstanding"), report("R3", "2019-09-02", "Requires improvement")]
    with recorded_after_the_first_read(cli, beside, monkeypatch):
        during = changed()
    after = changed()
    assert after == [("2019-06-03", "Outstanding", "Inadequate"), ("2019-09-02", "Inadequate", "Requires improvement")]
    assert during in (before, after)


def test_find_reads_one_state_of_the_ledger(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli("record", input=jsonl(PROVIDER)).exit_code == 0

    def found() -> list[tuple[str, str | None]]:
        return [(row["name"], row["location_id"]) for row in answer(cli, "find", "B")]

    before = found()
    assert before == []
    beside = [
        {"type": "ProviderRenamed", "provider_id": "RAA", "name": "B Trust", "on": "2020-01-01"},
        {"type": "LocationRegistered", "provider_id": "RAA", "location_id": "RAA02", "name": "B Clinic", "on": "2020-01-01"},
    ]
    with recorded_after_the_first_read(cli, beside, monkeypatch):
        during = found()
    after = found()
    assert after == [("B Trust", None), ("B Clinic", "RAA02")]
    assert during in (before, after)


def test_a_shared_snapshot_plans_each_read_as_alone(cli: Cli, db: str) -> None:
    """On PostgreSQL the headlines are read with sorting off (see `_in_key_order`), a setting
    that lasts the transaction: in an answer's shared snapshot it is set back for the reads after."""
    from cqc_ledger.ledger.application import Ledger
    from cqc_ledger.projections.views import open_views

    assert cli("record", input=jsonl(PROVIDER, report("R1", "2017-03-01", "Good"))).exit_code == 0
    ledger = Ledger(db)
    views = open_views(ledger)
    try:
        with views.one_snapshot():
            assert [h.provider_id for h in views.headlines(date(2018, 1, 1)) or ()] == ["RAA"]
            if views.postgres:
                assert views.read("SELECT current_setting('enable_sort')") == [("on",)]
            assert views.read("SELECT count(*) FROM {entries}") == [(2,)]
    finally:
        ledger.close()


def test_a_snapshot_of_another_ledger_inside_one_leaves_it_held(cli: Cli, db: str, tmp_path: Path) -> None:
    """Two ledgers' answers in one thread (the site serves one ledger, but a program may read two):
    the inner one's snapshot ends, and the outer one's reads are still its own snapshot's."""
    from cqc_ledger.ledger.application import Ledger
    from cqc_ledger.projections.views import open_views

    assert cli("record", input=jsonl(PROVIDER)).exit_code == 0
    other_db = str(tmp_path / "other.db")
    assert runner_for(other_db)("record", input=jsonl(PROVIDER)).exit_code == 0
    ledger, other = Ledger(db), Ledger(other_db)
    views, others = open_views(ledger), open_views(other)
    try:
        with views.one_snapshot():
            held = views._pinned()
            with others.one_snapshot():
                assert others._pinned() is not None and views._pinned() is held
            assert views._pinned() is held
        assert views._pinned() is None
    finally:
        ledger.close()
        other.close()
