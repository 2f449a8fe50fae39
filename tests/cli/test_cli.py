"""The `cqc-ledger` command as a user meets it: help, exit statuses, standard input, JSON shapes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
import orjson
import pytest
from builders import (
    cell,
    entered,
    inspection,
    location,
    notice_issued,
    registered,
    report,
    segment,
)
from click.testing import CliRunner
from conftest import EXAMPLES

from cqc_ledger.cli import main

RECORDED_AT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")


def commands(group: click.Group = main, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """The path of every command, the group itself first."""
    found = [path]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found.extend(commands(command, (*path, name)))
        else:
            found.append((*path, name))
    return found


def examples(path: tuple[str, ...]) -> list[str]:
    """The examples that end the command's --help, as printed."""
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    description = result.output.split("\nOptions:")[0].rstrip().splitlines()
    heading = max(i for i, line in enumerate(description) if line.strip() in ("Example:", "Examples:"))
    return [line.strip() for line in description[heading + 1 :]]


@pytest.mark.parametrize("path", commands(), ids=lambda path: " ".join(path) or "cqc-ledger")
def test_every_commands_help_ends_with_an_example(path):
    shown = examples(path)

    assert shown, f"no example after the heading in the help of {path}"
    for example in shown:
        assert re.sub(r"^cqc-ledger --db \S+ ", "cqc-ledger ", example).startswith(" ".join(("cqc-ledger", *path))), example


# The examples that need what only a user has: their own file (a corrected entry, CQC's data),
# a key to CQC's API; and `serve`, which serves until stopped.
NOT_RUN = {"correct", "import", "sync", "serve"}
BEFORE = {"restore": "cqc-ledger export --out ledger.jsonl"}  # what a restore example restores


@pytest.fixture(scope="module")
def demo_ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ledger `scripts/demo.sh` makes: the two example trusts, recorded today."""
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    for trust in ("RWP", "RX9"):
        assert CliRunner().invoke(main, ["--db", str(db), "record", str(EXAMPLES / f"{trust}.jsonl")]).exit_code == 0
    return db


@pytest.mark.parametrize("command", sorted(set(main.commands) - NOT_RUN))
def test_every_example_in_the_help_runs_as_printed_on_the_demos_ledger(command: str, demo_ledger: Path, tmp_path: Path):
    # Given a copy of the demo's ledger as the default ledger, in a directory holding examples/
    (tmp_path / "examples").symlink_to(EXAMPLES)
    shutil.copy(demo_ledger, tmp_path / "demo.db")
    env = {**os.environ, "CQC_LEDGER_DB": str(tmp_path / "demo.db"), "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}

    # When each example is run by the shell, as a user would paste it (a TIME to fill: today)
    for example in [*filter(None, [BEFORE.get(command)]), *examples((command,))]:
        example = example.replace(" TIME ", f" {datetime.now(UTC).date()} ", 1)  # today: all recorded so far
        run = subprocess.run(["bash", "-c", example], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)

        # Then it does what it says, with no error
        assert run.returncode == 0, f"{example}\n{run.stderr}"


def test_the_help_lists_every_command_with_the_first_words_of_its_own_help():
    result = CliRunner().invoke(main, ["--help"], terminal_width=80)

    rows = [line.split(None, 1) for line in result.output.split("\nCommands:\n")[1].splitlines()]
    assert [name for name, _ in rows] == sorted(main.commands)
    for name, short in rows:
        assert " ".join((main.commands[name].help or "").split()).startswith(short.removesuffix("...")), name


def test_a_misspelt_command_is_a_usage_error_that_names_the_command_it_may_mean():
    result = CliRunner().invoke(main, ["stauts", "RWP"])

    assert result.exit_code == 2
    assert "Error: No such command 'stauts'. Did you mean 'status'?" in result.stderr


# ---- exit statuses -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("status", "RWP", "--at", "notaday"),
        ("status", "RWP", "--at", "2018-02-30"),
        ("status", "RWP", "--known-at", "last tuesday"),
        ("status",),
        ("no-such-command",),
    ],
    ids=["a day that is not a day", "a day not in the calendar", "a time that is not a time", "a missing argument", "an unknown command"],
)
def test_a_usage_error_exits_2(cli, args):
    assert cli("record", str(EXAMPLES / "RWP.jsonl")).exit_code == 0

    result = cli(*args)

    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_a_usage_error_says_what_a_day_looks_like(cli):
    result = cli("status", "RWP", "--at", "notaday")

    assert '"notaday" is not a day like 2018-01-01' in result.stderr


def test_status_of_a_provider_not_in_the_ledger_is_a_clear_error(cli, db):
    # Given a ledger that holds Worcestershire Acute only
    assert cli("record", str(EXAMPLES / "RWP.jsonl")).exit_code == 0

    # When a user asks about East Midlands Ambulance
    result = cli("status", "RX9")

    # Then they are told, in a sentence, with exit status 1 and no traceback
    assert result.exit_code == 1
    assert result.stderr == f'Error: provider "RX9" is not in the ledger at {db}\n'
    assert isinstance(result.exception, SystemExit)


def test_status_of_a_ledger_that_does_not_exist_is_a_clear_error_and_creates_nothing(sqlite_cli, sqlite_db):
    result = sqlite_cli("status", "RWP")

    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: there is no ledger at {sqlite_db}")
    assert not Path(sqlite_db).exists()


def test_a_file_that_is_not_a_ledger_is_a_clear_error(sqlite_cli, sqlite_db):
    Path(sqlite_db).write_text("these are my notes, not a ledger\n" * 100)

    result = sqlite_cli("status", "RWP")

    assert result.exit_code == 1
    assert result.stderr == f"Error: {sqlite_db} is not a cqc-ledger store (not a SQLite database)\n"


# ---- standard input ------------------------------------------------------------------------


@pytest.mark.parametrize("args", [("record", "-"), ("record",)], ids=["record -", "record"])
def test_record_reads_standard_input(cli, args):
    result = cli(*args, "--json", input=(EXAMPLES / "RX9.jsonl").read_text())

    assert result.exit_code == 0, result.output
    lines = (EXAMPLES / "RX9.jsonl").read_text().splitlines()
    assert orjson.loads(result.stdout) == {"recorded": [f"RX9/{n}" for n in range(1, len(lines) + 1)], "skipped": []}


def test_record_skips_blank_lines_but_counts_them(cli):
    result = cli("record", "--json", input="\n" + orjson.dumps(registered("RWP")).decode() + "\n\n")

    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout) == {"recorded": ["RWP/1"], "skipped": []}
    again = cli("record", "--json", input="\n\n" + orjson.dumps(registered("RWP")).decode() + "\n")
    assert orjson.loads(again.stdout) == {"recorded": [], "skipped": [3]}


# ---- JSON shapes -----------------------------------------------------------------------------

UEC = "Urgent and emergency services"


def test_status_json_has_every_key_of_the_contracts_shape(cli):
    # Given a trust with something in every part of its status
    assert (
        cli(
            "record",
            input=[
                registered("RWP", name="Worcestershire Acute Hospitals NHS Trust", provider_type="acute"),
                location("RWP01", name="Worcestershire Royal Hospital"),
                inspection("RWP-2016-11", "2016-11-22", until="2016-12-15", kind="comprehensive"),
                report(
                    "RWP-2017-06-20",
                    "2017-06-20",
                    cell("overall", "Inadequate"),
                    cell("overall", "Inadequate", location_id="RWP01"),
                    cell("safe", "Inadequate", location_id="RWP01", service=UEC),
                    cell("overall", "Good", service="Patient transport services"),
                ),
                entered("2015-12-02"),
                segment("2021-07-01", "SOF-2021", 4),
                notice_issued("RWP-WN-2017-01", "2017-01-27", deadline="2017-03-10"),
            ],
        ).exit_code
        == 0
    )

    # When its status is asked as JSON
    result = cli("status", "RWP", "--at", "2021-12-31", "--json")

    # Then every key of the contract is there
    assert result.exit_code == 0, result.output
    doc = orjson.loads(result.stdout)
    assert {
        "provider_id",
        "name",
        "at",
        "known_at",
        "ratings",
        "locations",
        "services",
        "special_measures",
        "oversight",
        "warning_notices",
        "last_inspection",
        "last_report",
    } <= doc.keys()
    assert (doc["provider_id"], doc["name"], doc["at"]) == ("RWP", "Worcestershire Acute Hospitals NHS Trust", "2021-12-31")
    assert RECORDED_AT.fullmatch(doc["known_at"])
    assert doc["ratings"]["overall"].keys() >= {"rating", "since", "ref"}
    assert doc["ratings"]["overall"] == {"rating": "Inadequate", "since": "2017-06-20", "unchanged_since": "2017-06-20", "ref": "RWP/4"}
    place = doc["locations"][0]
    assert place.keys() >= {"location_id", "name", "ratings", "services"}
    assert place["services"][0].keys() >= {"service", "ratings"}
    assert place["services"][0]["service"] == UEC
    assert doc["services"][0].keys() >= {"service", "ratings"}
    assert doc["services"][0]["service"] == "Patient transport services"
    assert doc["special_measures"][0].keys() >= {"regime", "since", "ref"}
    assert doc["oversight"].keys() >= {"framework", "segment", "since"}
    assert (doc["oversight"]["framework"], doc["oversight"]["segment"]) == ("SOF-2021", 4)
    assert doc["warning_notices"][0].keys() >= {"notice_id", "section", "issued_on", "deadline", "status", "closed_on"}
    assert doc["last_inspection"]["inspection_id"] == "RWP-2016-11"
    assert doc["last_report"]["report_id"] == "RWP-2017-06-20"


def test_status_json_before_anything_happened_has_the_empty_values(cli):
    assert cli("record", input=[registered("RWP", on="2010-04-01")]).exit_code == 0

    doc = orjson.loads(cli("status", "RWP", "--at", "2010-04-01", "--json").stdout)

    assert doc["ratings"] == {} and doc["locations"] == [] and doc["services"] == []
    assert doc["special_measures"] == [] and doc["warning_notices"] == []
    assert doc["oversight"] is None and doc["last_inspection"] is None and doc["last_report"] is None


def test_entries_json_is_each_entry_as_input_plus_its_ref_and_recording_time(cli):
    # Given both example trusts recorded
    for trust in ("RX9", "RWP"):
        assert cli("record", str(EXAMPLES / f"{trust}.jsonl")).exit_code == 0
    inputs = [orjson.loads(line) for trust in ("RX9", "RWP") for line in (EXAMPLES / f"{trust}.jsonl").read_text().splitlines()]

    # When every entry is asked for
    result = cli("entries", "--json")

    # Then each is as it was written, in recording order, with its ref and recording time
    assert result.exit_code == 0, result.output
    documents = orjson.loads(result.stdout)
    assert [{k: v for k, v in doc.items() if k not in ("ref", "recorded_at")} for doc in documents] == inputs
    counts = {"RX9": 0, "RWP": 0}
    for doc in documents:
        counts[doc["provider_id"]] += 1
        assert doc["ref"] == f"{doc['provider_id']}/{counts[doc['provider_id']]}"
        assert RECORDED_AT.fullmatch(doc["recorded_at"])


def test_entries_of_one_provider_are_only_its_own(cli):
    for trust in ("RX9", "RWP"):
        assert cli("record", str(EXAMPLES / f"{trust}.jsonl")).exit_code == 0

    documents = orjson.loads(cli("entries", "RX9", "--json").stdout)

    assert {doc["provider_id"] for doc in documents} == {"RX9"}
    assert len(documents) == len((EXAMPLES / "RX9.jsonl").read_text().splitlines())


def test_without_json_status_reads_for_a_person(cli):
    assert cli("record", str(EXAMPLES / "RWP.jsonl")).exit_code == 0

    result = cli("status", "RWP", "--at", "2019-10-01")

    assert result.exit_code == 0, result.output
    assert "Worcestershire Acute Hospitals NHS Trust (RWP)" in result.stdout
    assert "Requires improvement since 2019-09-20" in result.stdout
    assert "quality since 2015-12-02" in result.stdout
