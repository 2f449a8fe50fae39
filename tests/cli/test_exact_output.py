"""What a person reads, held exactly: each command's text on a small fixed ledger.

Each file in tests/fixtures/output/ named `*.txt` is one case: its first line is the command
(`$ cqc-ledger status RWP --at 2018-01-01 --known-at 2026-01-01`), the rest is exactly what the
command prints. The ledger is tests/fixtures/output/ledger.jsonl, restored (so its times are
fixed too). Any change to the text fails here; when the change is meant, rewrite the expected
text and read the difference before committing it:

    CQC_UPDATE_OUTPUT=1 .venv/bin/python -m pytest tests/cli/test_exact_output.py
    git diff tests/fixtures/output/

A new case is a new file holding only its command line, filled in the same way.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import pytest
from conftest import ROOT, Cli, runner_for

FIXTURES = ROOT / "tests" / "fixtures" / "output"
CASES = sorted(FIXTURES.glob("*.txt"))
UPDATE = os.environ.get("CQC_UPDATE_OUTPUT") == "1"
PROMPT = "$ cqc-ledger "


@pytest.fixture(scope="module")
def fixed(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """The CLI on the fixed ledger, restored once for every case (the commands only read)."""
    cli = runner_for(str(tmp_path_factory.mktemp("output") / "ledger.db"))
    restored = cli("restore", str(FIXTURES / "ledger.jsonl"))
    assert restored.exit_code == 0, restored.output
    return cli


def test_there_is_a_case_for_each_command_a_person_reads_at_length():
    commands = {shlex.split(case.read_text().splitlines()[0].removeprefix(PROMPT))[0] for case in CASES}

    assert {"status", "trusts", "history", "explain", "diff", "anomalies"} <= commands


@pytest.mark.parametrize("case", CASES, ids=[case.stem for case in CASES])
def test_the_command_prints_exactly_the_expected_text(fixed: Cli, case: Path):
    command, *expected = case.read_text().splitlines(keepends=True)
    assert command.startswith(PROMPT), f"{case.name}: the first line must be the command, starting {PROMPT!r}"

    result = fixed(*shlex.split(command.removeprefix(PROMPT)))

    assert result.exit_code == 0, result.output
    if UPDATE:
        case.write_text(command + result.stdout)
        expected = [result.stdout]
    assert result.stdout == "".join(expected)
