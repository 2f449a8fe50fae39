"""Commands that ask alike answer alike: a period the wrong way round is a usage error for every
command that takes one, a day before a provider existed is refused by every command about that
day, every reading command takes --json, and --db says every kind of store it takes."""

from __future__ import annotations

import orjson
from click.testing import CliRunner
from conftest import EXAMPLES
from ledgers import ok, run

from cqc_ledger.cli import main

RWP = str(EXAMPLES / "RWP.jsonl")


def test_the_help_of_db_says_it_takes_a_postgresql_url_with_an_example():
    result = CliRunner().invoke(main, ["--help"])

    assert "SQLite file path, or a PostgreSQL URL such as postgresql://user@localhost:5432/cqc" in " ".join(result.output.split())


def test_history_from_a_day_after_its_to_is_a_usage_error_as_for_diff(tmp_path):
    ledger = tmp_path / "ledger.db"
    ok(ledger, "record", RWP)

    for command in ("history", "diff"):
        result = run(ledger, command, "RWP", "--from", "2020-01-01", "--to", "2015-01-01")

        assert result.exit_code == 2, result.output
        assert "2020-01-01 is after --to 2015-01-01" in result.stderr


def test_explain_on_a_day_before_the_registration_is_refused_as_status_refuses_it(tmp_path):
    ledger = tmp_path / "ledger.db"
    ok(ledger, "record", RWP)

    for command in ("status", "explain"):
        result = run(ledger, command, "RWP", "--at", "2000-01-01")

        assert result.exit_code == 1, result.output
        assert result.stderr.startswith("Error: RWP was not registered on 2000-01-01: it was registered on"), result.stderr


def test_a_known_at_before_anything_of_the_provider_was_recorded_is_refused_by_every_command_about_it(tmp_path):
    ledger = tmp_path / "ledger.db"
    ok(ledger, "record", RWP)
    asked = [
        ("status", "RWP"),
        ("explain", "RWP"),
        ("history", "RWP"),
        ("diff", "RWP", "--from", "2017-01-01", "--to", "2019-01-01"),
        ("chart", "RWP", "--out", str(tmp_path / "RWP.svg")),
    ]

    for command in asked:
        result = run(ledger, *command, "--known-at", "2000-01-01")

        assert result.exit_code == 1, (command, result.output)
        assert result.stderr.startswith("Error: nothing of RWP had been recorded by 2000-01-01T23:59:59.999999Z (its first entry"), (
            result.stderr
        )
    assert not (tmp_path / "RWP.svg").exists()


def test_diff_to_a_day_before_the_registration_is_refused_as_status_of_that_day_is_but_from_one_is_not(tmp_path):
    ledger = tmp_path / "ledger.db"
    ok(ledger, "record", RWP)

    result = run(ledger, "diff", "RWP", "--from", "1999-01-01", "--to", "2000-01-01")
    since = orjson.loads(ok(ledger, "diff", "RWP", "--from", "2000-01-01", "--to", "2012-01-01", "--json").stdout)

    assert result.exit_code == 1, result.output
    assert result.stderr == run(ledger, "status", "RWP", "--at", "2000-01-01").stderr
    assert result.stderr.startswith("Error: RWP was not registered on 2000-01-01: it was registered on")
    assert since["name"] == "Worcestershire Acute Hospitals NHS Trust"


def test_verify_answers_in_json_with_the_head_it_found_and_the_one_it_was_held_to(tmp_path):
    ledger = tmp_path / "ledger.db"
    ok(ledger, "record", RWP)
    head = ok(ledger, "verify", "--digest").stdout.strip()

    found = orjson.loads(ok(ledger, "verify", "--json").stdout)
    against = orjson.loads(ok(ledger, "verify", "--against", head, "--json").stdout)

    assert found == {"intact": True, "entries": int(head.split(":")[0]), "head": head, "against": None}
    assert against == {**found, "against": head}


def test_verify_with_both_digest_and_json_is_a_usage_error(tmp_path):
    ledger = tmp_path / "ledger.db"
    ok(ledger, "record", RWP)

    result = run(ledger, "verify", "--digest", "--json")

    assert result.exit_code == 2
    assert "give one of them" in result.stderr
