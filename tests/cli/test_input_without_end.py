"""Input that never ends a line (`/dev/zero`), or holds one longer than any entry, response or
row CQC publishes, is refused as soon as the line passes the most it may hold, naming it, without
reading on: memory stays that of a line, never the whole input. NUL bytes, which no JSON or CSV
text holds, are refused as soon as they are read."""

from __future__ import annotations

import resource
import subprocess

import pytest
from conftest import EXAMPLES
from ledgers import ROOT, command, ok, run

# Far more than a command refusing its input needs, far less than reading /dev/zero whole.
_MEMORY = 512 << 20


def _in_little_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (_MEMORY, _MEMORY))


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["record", "/dev/zero"], "Error: line 1: not UTF-8 text: the line holds NUL bytes"),
        (["restore", "/dev/zero"], "Error: line 1: not UTF-8 text: the line holds NUL bytes"),
        (["import", "cqc-api", "/dev/zero"], "Error: /dev/zero: not UTF-8 text: the file holds NUL bytes"),
        (["import", "cqc-files", "/dev/zero"], "Error: /dev/zero: row 1: holds NUL bytes, which no CSV text does"),
        (["import", "cqc-ratings", "/dev/zero"], "Error: /dev/zero: row 1: holds NUL bytes, which no CSV text does"),
    ],
    ids=["record", "restore", "cqc-api", "cqc-files", "cqc-ratings"],
)
def test_an_input_of_nul_bytes_without_end_is_refused_at_once_in_little_memory(tmp_path, args, says):
    done = subprocess.run(command(tmp_path / "ledger.db", *args), cwd=ROOT, capture_output=True, timeout=60, preexec_fn=_in_little_memory)

    assert done.returncode == 1
    assert done.stderr.decode().startswith(says), done.stderr.decode()[-2000:]


def test_a_correction_of_nul_bytes_without_end_is_refused_at_once_in_little_memory(tmp_path):
    ok(tmp_path / "ledger.db", "record", str(EXAMPLES / "RWP.jsonl"))

    done = subprocess.run(
        command(tmp_path / "ledger.db", "correct", "RWP/1", "/dev/zero", "--reason", "x"),
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        preexec_fn=_in_little_memory,
    )

    assert done.returncode == 1
    assert done.stderr.decode().startswith("Error: line 1: not UTF-8 text: the line holds NUL bytes"), done.stderr.decode()[-2000:]


LONG = 16 << 20  # the most a JSON line holds, in bytes


def test_a_line_longer_than_any_entry_is_refused_naming_it(tmp_path):
    # Given an input whose line does not end within the most a line may hold
    text = b" " * LONG + b"x\n"
    path = tmp_path / "long.jsonl"
    path.write_bytes(text)

    # When it is recorded or restored, then the line is refused, naming it, and nothing recorded
    for command_name in ("record", "restore"):
        result = run(tmp_path / f"{command_name}.db", command_name, str(path))
        assert result.exit_code == 1
        assert result.stderr.startswith(f"Error: line 1: longer than {LONG} bytes (16 MiB), the most a line may hold"), result.stderr
        assert run(tmp_path / f"{command_name}.db", "entries").stdout.strip() in ("", "[]")


def test_a_line_as_long_as_a_line_may_be_is_read(tmp_path):
    # Given an entry padded with spaces to the most a line holds (JSON allows them after the value)
    first = (EXAMPLES / "RWP.jsonl").read_bytes().splitlines()[0]
    path = tmp_path / "padded.jsonl"
    path.write_bytes(first + b" " * (LONG - len(first)) + b"\n")

    ok(tmp_path / "ledger.db", "record", str(path))

    assert ok(tmp_path / "ledger.db", "entries", "RWP", "--json").stdout.count('"ref"') == 1


def test_an_api_response_file_longer_than_any_is_refused_naming_it(tmp_path):
    path = tmp_path / "RWP.json"
    path.write_bytes(b"[" + b" " * (64 << 20) + b"]")

    result = run(tmp_path / "ledger.db", "import", "cqc-api", str(path))

    assert result.exit_code == 1
    assert f"Error: {path}: longer than {64 << 20} bytes (64 MiB), the most a file of CQC API responses may hold" in result.stderr


def test_a_csv_line_longer_than_any_row_is_refused_naming_the_row(tmp_path):
    path = tmp_path / "active.csv"
    path.write_text("Location ID,Location HSCA start date,Provider ID\nRWP01,2010-04-01,RWP\nRWP02,2010-04-01," + "x" * (1 << 20) + "\n")

    result = run(tmp_path / "ledger.db", "import", "cqc-files", str(path))

    assert result.exit_code == 1
    assert f"Error: {path}: row 3: longer than {1 << 20} characters, the most a line of a CSV may hold" in result.stderr
