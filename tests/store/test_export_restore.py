"""Export and restore: the whole ledger as JSON Lines, and back into a new ledger exactly.

`export` writes every entry in recording order, each as it was recorded plus its `ref` and
`recorded_at` (a correction's or retraction's own target as `target_ref`). `restore` records an
export into an empty ledger at the same refs and times, by the same rules as `record`, so that
exporting the restored ledger gives the same bytes and its hash chain the same head. A tampered
export (refs out of order or missing, time going back) is refused with the line named and nothing
written; one altered in content restores, but not to the digest published of the original.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ledgers import EXAMPLES, json_of, ok, run
from test_views_equal_replay import batches, record_history

from cqc_ledger.ledger.records import format_time, parse_time

EXAMPLE_LINES = [orjson.loads(line) for name in ("RWP.jsonl", "RX9.jsonl") for line in (EXAMPLES / name).read_bytes().splitlines()]
RWP_ENTRIES = 28


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ledger holding the examples, then a correction and a retraction of RWP entries."""
    db = tmp_path_factory.mktemp("source") / "ledger.db"
    ok(db, "record", str(EXAMPLES / "RWP.jsonl"))
    ok(db, "record", str(EXAMPLES / "RX9.jsonl"))
    fixed = dict(
        EXAMPLE_LINES[16],
        ratings=[
            {**c, "rating": "Requires improvement"} if c == {"question": "safe", "rating": "Inadequate"} else c
            for c in EXAMPLE_LINES[16]["ratings"]
        ],
    )
    ok(db, "correct", "RWP/17", "-", "--reason", "safe was Requires improvement", input=orjson.dumps(fixed))
    ok(db, "retract", "RWP/23", "--reason", "report withdrawn")
    return db


@pytest.fixture(scope="module")
def exported(source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export") / "ledger.jsonl"
    ok(source, "export", "--out", str(out))
    return out


def lines_of(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def tables_in(url: str) -> list[str]:
    """The tables of a PostgreSQL ledger's schema."""
    import psycopg

    server, schema = url.split("?schema=")
    with psycopg.connect(server) as c:
        found = c.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,)).fetchall()
    return sorted(t for (t,) in found)


def status_without_known_at(db: Path, *args: str) -> dict[str, Any]:
    document = json_of(db, "status", *args)
    assert isinstance(document, dict)
    return {k: v for k, v in document.items() if k != "known_at"}


# ---- export ---------------------------------------------------------------------------------------


def test_export_writes_every_entry_in_recording_order_with_its_ref_and_time(source, exported):
    lines = lines_of(exported)

    # Every entry, in the order recorded: RWP's input, RX9's input, then the two mends
    assert [line["ref"] for line in lines] == [f"RWP/{n}" for n in range(1, 29)] + [f"RX9/{n}" for n in range(1, 13)] + ["RWP/29", "RWP/30"]
    # Each as it was recorded, plus its ref and time
    for line, written in zip(lines, EXAMPLE_LINES, strict=False):
        assert {k: v for k, v in line.items() if k not in ("ref", "recorded_at")} == written
    # Times never go back; one input shares one time; each mend has its own, later time
    times = [parse_time(line["recorded_at"]) for line in lines]
    assert times == sorted(times)
    assert len(set(times[:28])) == 1 and len(set(times[28:40])) == 1
    assert times[27] < times[28] < times[40] < times[41]
    # A mend's own ref is `ref`; the entry it mends is `target_ref`
    correction, retraction = lines[40], lines[41]
    assert (correction["type"], correction["ref"], correction["target_ref"]) == ("EntryCorrected", "RWP/29", "RWP/17")
    assert correction["replacement"]["ratings"][1] == {"question": "safe", "rating": "Requires improvement"}
    assert (retraction["type"], retraction["ref"], retraction["target_ref"], retraction["reason"]) == (
        "EntryRetracted",
        "RWP/30",
        "RWP/23",
        "report withdrawn",
    )


def test_export_writes_the_same_lines_that_entries_json_lists(source, exported):
    assert lines_of(exported) == json_of(source, "entries")


def test_export_to_standard_output_is_the_same_as_to_a_file(source, exported):
    assert ok(source, "export").stdout_bytes == exported.read_bytes()


# ---- restore --------------------------------------------------------------------------------------


def test_restoring_an_export_into_an_empty_ledger_reproduces_every_entry_ref_and_time(source, exported, db):
    # Given an empty ledger (on SQLite, or on PostgreSQL: a ledger moves between stores so)
    restored = db

    # When the export is restored into it
    result = run(restored, "restore", str(exported))

    # Then every entry is back at its own ref and time...
    assert result.exit_code == 0, result.output
    assert "Restored 42 entries" in result.stdout
    assert json_of(restored, "entries") == json_of(source, "entries")
    # ...so exporting it again gives the same bytes, and its hash chain the same head
    assert ok(restored, "export").stdout_bytes == exported.read_bytes()
    assert ok(restored, "verify", "--digest").stdout == ok(source, "verify", "--digest").stdout
    # And it answers as the source does, now and as known before each mend
    times = [line["recorded_at"] for line in lines_of(exported)]
    for known_at in (times[0], times[40], times[41]):
        for at in ("2017-12-01", "2018-07-01"):
            args = ("RWP", "--at", at, "--known-at", known_at)
            assert status_without_known_at(restored, *args) == status_without_known_at(source, *args)
    assert json_of(restored, "history", "RWP") == json_of(source, "history", "RWP")


def test_after_a_restore_new_entries_are_stamped_after_every_restored_one(exported, db):
    # Given a ledger restored from an export
    restored = db
    ok(restored, "restore", str(exported))
    last = max(parse_time(line["recorded_at"]) for line in lines_of(exported))

    # When a new entry is recorded
    ok(restored, "record", input=orjson.dumps({"type": "ProviderRenamed", "provider_id": "RX9", "name": "EMAS", "on": "2024-01-01"}))

    # Then it comes after the restored entries, at the next position and a later time
    newest = json_of(restored, "entries", "RX9")[-1]
    assert newest["ref"] == "RX9/13"
    assert parse_time(newest["recorded_at"]) > last


HELD_BEFORE: list = [
    pytest.param(lambda db, exported: ok(db, "record", str(EXAMPLES / "RX9.jsonl")), id="entries recorded"),
    pytest.param(lambda db, exported: ok(db, "restore", str(exported)), id="the same export restored"),
]


@pytest.mark.parametrize("hold", HELD_BEFORE)
def test_restore_into_a_ledger_that_holds_entries_is_refused_and_changes_nothing(exported, db, hold):
    # Given a ledger that already holds entries (recorded, or restored from this very export)
    hold(db, exported)
    before = ok(db, "export").stdout_bytes

    # When the export is restored into it
    result = run(db, "restore", str(exported))

    # Then it is refused, and the ledger is as it was
    assert result.exit_code == 1
    assert "is not empty: restore only into a new ledger" in result.stderr
    assert ok(db, "export").stdout_bytes == before


def _swap(lines: list[dict[str, Any]], i: int, j: int) -> list[dict[str, Any]]:
    lines[i - 1], lines[j - 1] = lines[j - 1], lines[i - 1]
    return lines


def _earlier(lines: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    lines[n - 1]["recorded_at"] = format_time(parse_time(lines[n - 2]["recorded_at"]) - timedelta(microseconds=1))
    return lines


TAMPERED = [
    pytest.param(lambda lines: _swap(lines, 3, 4), 3, "ref", id="two refs out of order"),
    pytest.param(lambda lines: [line for n, line in enumerate(lines, 1) if n != 10], 10, "ref", id="a line missing"),
    pytest.param(lambda lines: [*lines[:5], lines[4], *lines[5:]], 6, "ref", id="a line repeated"),
    pytest.param(
        lambda lines: [{k: v for k, v in line.items() if not (n == 5 and k == "ref")} for n, line in enumerate(lines, 1)],
        5,
        "ref",
        id="a ref missing",
    ),
    pytest.param(
        lambda lines: [{**line, "ref": "RWP/7"} if n == 8 else line for n, line in enumerate(lines, 1)], 8, "ref", id="a ref changed"
    ),
    pytest.param(lambda lines: _earlier(lines, 29), 29, "recorded_at", id="time going back"),
    pytest.param(
        lambda lines: [{k: v for k, v in line.items() if not (n == 12 and k == "recorded_at")} for n, line in enumerate(lines, 1)],
        12,
        "recorded_at",
        id="a time missing",
    ),
    pytest.param(
        lambda lines: [{**line, "recorded_at": "yesterday"} if n == 2 else line for n, line in enumerate(lines, 1)],
        2,
        "recorded_at",
        id="a time that is not a time",
    ),
    pytest.param(
        lambda lines: [
            {**line, "recorded_at": "2999-01-01T00:00:00.000000Z"} if n == len(lines) else line for n, line in enumerate(lines, 1)
        ],
        "last",
        "recorded_at",
        id="a time in the future",
    ),
    pytest.param(
        lambda lines: [{**line, "target_ref": "RWP/13"} if n == 42 else line for n, line in enumerate(lines, 1)],
        42,
        "ref",
        id="a retraction retargeted so it breaks the rules",
    ),
]


@pytest.mark.parametrize(("tamper", "line", "field"), TAMPERED)
def test_a_tampered_export_is_refused_with_its_line_named_and_nothing_written(exported, tmp_path, db, tamper, line, field):
    # Given an export tampered with
    tampered = tmp_path / "tampered.jsonl"
    changed = tamper(lines_of(exported))
    tampered.write_bytes(b"".join(orjson.dumps(obj) + b"\n" for obj in changed))
    line = len(changed) if line == "last" else line
    target = db

    # When it is restored into an empty ledger
    result = run(target, "restore", str(tampered))

    # Then it is refused, naming the line and the field...
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"Error: line {line}: "), result.stderr
    assert f'"{field}"' in result.stderr, result.stderr
    assert "Traceback" not in result.output
    # ...and nothing is written: no new ledger file is left behind (an empty PostgreSQL schema is
    # left without tables), so the untampered export restores
    if target.startswith("postgresql://"):
        assert tables_in(target) == []
    else:
        assert not Path(target).exists()
    assert run(target, "restore", str(exported)).exit_code == 0


def test_an_export_line_taking_effect_after_the_day_it_was_recorded_is_refused(exported, tmp_path, db):
    # Given an export whose times were all set back to 1 May 2016: no ledger recorded then a fact
    # dated after that day (record refuses a day after today)
    lines = [{**line, "recorded_at": "2016-05-01T00:00:00.000000Z"} for line in lines_of(exported)]
    first = next(n for n, line in enumerate(lines, 1) if line["on"] > "2016-05-01")
    back = tmp_path / "back.jsonl"
    back.write_bytes(b"".join(orjson.dumps(obj) + b"\n" for obj in lines))

    # When it is restored into an empty ledger
    result = run(db, "restore", str(back))

    # Then it is refused at the first such line, naming its field, and nothing is written
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(
        f'Error: line {first}: field "on": {lines[first - 1]["on"]} is after 2016-05-01, the day this line was recorded '
        "(2016-05-01T00:00:00.000000Z): no entry takes effect after the day it is recorded"
    ), result.stderr
    if db.startswith("postgresql://"):
        assert tables_in(db) == []
    else:
        assert not Path(db).exists()


def test_an_export_correction_whose_replacement_takes_effect_after_its_day_is_refused(tmp_path, db):
    # Given an export whose correction, recorded on 1 June 2016, moves a report to 1 July 2016
    report = {"type": "ReportPublished", "provider_id": "RAA", "report_id": "R1", "ratings": [{"question": "overall", "rating": "Good"}]}
    lines = [
        {"type": "ProviderRegistered", "provider_id": "RAA", "name": "Alpha", "on": "2012-04-01", "ref": "RAA/1"},
        {**report, "on": "2016-03-01", "ref": "RAA/2"},
        {
            "type": "EntryCorrected",
            "provider_id": "RAA",
            "target_ref": "RAA/2",
            "replacement": {**report, "on": "2016-07-01"},
            "reason": "day",
            "ref": "RAA/3",
        },
    ]
    times = ["2016-05-01T00:00:00.000000Z", "2016-05-01T00:00:00.000000Z", "2016-06-01T00:00:00.000000Z"]
    export = tmp_path / "export.jsonl"
    export.write_bytes(b"".join(orjson.dumps({**line, "recorded_at": t}) + b"\n" for line, t in zip(lines, times, strict=True)))

    # When it is restored, then the correction is refused, naming the replacement's day
    result = run(db, "restore", str(export))

    assert result.exit_code == 1, result.output
    assert result.stderr.startswith('Error: line 3: field "replacement.on": 2016-07-01 is after 2016-06-01'), result.stderr


def _inherited_early(tmp_path: Path, *, mended: bool) -> Path:
    """An export of a ledger recorded under an earlier release: RH5A8 takes over its ratings
    (RH5/3) before its registration, which today's rules refuse, then (if `mended`) a
    correction moves the take-over to the registration's day."""
    taken = {"type": "RatingsInherited", "provider_id": "RH5", "location_id": "RH5A8"}
    ratings = [{"location_id": "RH5A8", "published_on": "2019-01-01", "question": "overall", "rating": "Good"}]
    lines = [
        {"type": "ProviderRegistered", "provider_id": "RH5", "name": "Somerset", "on": "2010-04-01", "ref": "RH5/1"},
        {
            "type": "LocationRegistered",
            "provider_id": "RH5",
            "location_id": "RH5A8",
            "name": "Musgrove",
            "on": "2020-04-01",
            "ref": "RH5/2",
        },
        {**taken, "on": "2020-03-01", "ratings": ratings, "ref": "RH5/3"},
        {
            "type": "EntryCorrected",
            "provider_id": "RH5",
            "target_ref": "RH5/3",
            "replacement": {**taken, "on": "2020-04-01", "ratings": ratings},
            "reason": "taken over once registered",
            "ref": "RH5/4",
        },
    ][: 4 if mended else 3]
    export = tmp_path / "export.jsonl"
    stamped = ({**line, "recorded_at": "2021-05-01T00:00:00.000000Z"} for line in lines)
    export.write_bytes(b"".join(orjson.dumps(line, option=orjson.OPT_SORT_KEYS) + b"\n" for line in stamped))  # as export writes them
    return export


def test_an_export_line_todays_rules_refuse_is_restored_when_a_later_line_of_the_export_mends_it(tmp_path, db):
    # Given an export holding a line a later release refuses, and its correction
    export = _inherited_early(tmp_path, mended=True)

    # When it is restored, then every line is, and exporting it again gives the same bytes
    ok(db, "restore", str(export))
    assert ok(db, "export").stdout_bytes == export.read_bytes()


def test_an_export_line_todays_rules_refuse_that_no_later_line_mends_is_refused_and_nothing_written(tmp_path, db):
    result = run(db, "restore", str(_inherited_early(tmp_path, mended=False)))

    assert result.exit_code == 1, result.output
    assert result.stderr.startswith('Error: line 3: field "on": location RH5A8 was registered on 2020-04-01'), result.stderr
    if db.startswith("postgresql://"):
        assert tables_in(db) == []
    else:
        assert not Path(db).exists()


def test_an_export_altered_in_content_restores_but_not_to_the_published_digest(source, exported, tmp_path):
    # Given the digest of the source ledger, published when the export was taken
    published = ok(source, "verify", "--digest").stdout.strip()
    # And an export in which someone made RWP's 2017 report kinder (refs and times left alone)
    lines = lines_of(exported)
    lines[16]["ratings"][0]["rating"] = "Requires improvement"
    altered = tmp_path / "altered.jsonl"
    altered.write_bytes(b"".join(orjson.dumps(obj) + b"\n" for obj in lines))

    # When it is restored
    restored = tmp_path / "restored.db"
    ok(restored, "restore", str(altered))

    # Then the restored ledger is intact in itself, but not the ledger the digest was published of
    assert run(restored, "verify").exit_code == 0
    result = run(restored, "verify", "--against", published)
    assert result.exit_code == 1
    assert "the ledger up to here is not the one the digest was taken of" in result.stderr


# ---- generated histories ----------------------------------------------------------------------------


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(plan=batches(), data=st.data())
def test_any_history_restores_to_the_same_bytes_and_head(tmp_path_factory: pytest.TempPathFactory, plan: list, data: Any) -> None:
    # Given a generated history: batches recorded in any order, with corrections and retractions
    folder = tmp_path_factory.mktemp("generated")
    ledger, _ = record_history(folder / "source.db", plan, data)
    ledger.close()
    export = folder / "export.jsonl"
    ok(folder / "source.db", "export", "--out", str(export))

    # When it is exported and restored into an empty ledger
    ok(folder / "restored.db", "restore", str(export))

    # Then exporting the restored ledger gives the same bytes, and the chain the same head
    assert ok(folder / "restored.db", "export").stdout_bytes == export.read_bytes()
    assert ok(folder / "restored.db", "verify", "--digest").stdout == ok(folder / "source.db", "verify", "--digest").stdout
    # And today's status of each provider is the same
    for pid in ("RWP", "RX9"):
        assert status_without_known_at(folder / "restored.db", pid, "--at", "2025-12-31") == status_without_known_at(
            folder / "source.db", pid, "--at", "2025-12-31"
        )
