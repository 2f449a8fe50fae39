"""The files a command writes (`export --out`, `chart --out`, `counts --chart`) and reads (the input
of `record`, `restore`, `correct`, `import`): an output is never the ledger's own file, is written
whole or not at all, and every failure of the file system names the file it is of, not the ledger.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT
from ledgers import command, ok, run

from cqc_ledger.projections.output import entries as shown_entries

RWP = str(EXAMPLES / "RWP.jsonl")
UNREADABLE = "/proc/self/mem"  # opens, then every read fails with EIO


def refused(result, *words: str, never: str | None = None) -> str:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    message = result.stderr
    assert message.startswith("Error: ") and message.count("\n") == 1, message
    for word in words:
        assert word in message, message
    assert never is None or never not in message, message
    return message


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    target = tmp_path / "ledger.db"
    ok(target, "record", RWP)
    return target


# ---- never over the ledger ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["itself", "another spelling", "a hard link", "a symbolic link", "its write-ahead log"])
def test_an_export_over_the_ledgers_own_file_is_refused_and_the_ledger_stays(ledger: Path, name: str):
    # Given a ledger and its export
    before = ok(ledger, "export").stdout_bytes
    out = {
        "itself": ledger,
        "another spelling": ledger.parent / "." / ledger.name,
        "a hard link": ledger.parent / "hard.jsonl",
        "a symbolic link": ledger.parent / "soft.jsonl",
        "its write-ahead log": ledger.parent / f"{ledger.name}-wal",
    }[name]
    if name == "a hard link":
        os.link(ledger, out)
    elif name == "a symbolic link":
        out.symlink_to(ledger)

    # When it is exported over one of its own files
    result = run(ledger, "export", "--out", str(out))

    # Then that is refused, and the ledger is as it was
    refused(result, f"{out} is a file of the ledger {ledger}", "write to another file")
    assert ok(ledger, "export").stdout_bytes == before
    ok(ledger, "verify")


def test_a_chart_over_the_ledgers_own_file_is_refused(tmp_path: Path):
    pytest.importorskip("altair", reason="the charts extra is not installed")
    ledger = tmp_path / "ledger.json"
    ok(ledger, "record", RWP)
    before = ok(ledger, "export").stdout_bytes

    refused(run(ledger, "chart", "RWP", "--out", str(ledger)), "is a file of the ledger")
    refused(run(ledger, "counts", "--from", "2015-01-01", "--to", "2019-12-31", "--chart", str(ledger)), "is a file of the ledger")

    assert ok(ledger, "export").stdout_bytes == before


# ---- whole or not at all -------------------------------------------------------------------


def test_an_export_to_a_file_is_the_export_on_standard_output(ledger: Path, tmp_path: Path):
    out = tmp_path / "export.jsonl"

    assert ok(ledger, "export", "--out", str(out)).stdout == ""

    assert out.read_bytes() == ok(ledger, "export").stdout_bytes
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_an_export_that_fails_midway_leaves_the_file_that_was_there(ledger: Path, tmp_path: Path, monkeypatch):
    # Given a good export in a file, kept private
    out = tmp_path / "export.jsonl"
    out.write_bytes(b"the export of yesterday\n")
    out.chmod(0o600)

    # When an export over it fails after a few entries were written
    written = []

    def failing(recorded):
        if len(written) == 3:
            raise OSError(5, "Input/output error")
        written.append(recorded)
        return {"ref": recorded.ref}

    monkeypatch.setattr(shown_entries, "entry_json", failing)
    result = run(ledger, "export", "--out", str(out))

    # Then the command fails, and the file holds what it held, with nothing left beside it
    assert result.exit_code == 1, result.output
    assert out.read_bytes() == b"the export of yesterday\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
    # and a good export later keeps the file's permissions
    monkeypatch.undo()
    ok(ledger, "export", "--out", str(out))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_an_export_through_a_link_writes_the_file_it_leads_to(ledger: Path, tmp_path: Path):
    real = tmp_path / "real.jsonl"
    real.write_bytes(b"old\n")
    link = tmp_path / "latest.jsonl"
    link.symlink_to(real)

    ok(ledger, "export", "--out", str(link))

    assert link.is_symlink()
    assert real.read_bytes() == ok(ledger, "export").stdout_bytes


# ---- the right file named ------------------------------------------------------------------


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_an_export_to_a_full_device_names_the_device_not_the_ledger(ledger: Path):
    message = refused(run(ledger, "export", "--out", "/dev/full"), "cannot write /dev/full", "No space left on device")

    assert str(ledger) not in message


@pytest.mark.skipif(not os.path.exists(UNREADABLE), reason="no /proc here")
@pytest.mark.parametrize(
    "args",
    [("record", UNREADABLE), ("restore", UNREADABLE), ("correct", "RWP/1", UNREADABLE, "--reason", "x"), ("import", "cqc-api", UNREADABLE)],
    ids=["record", "restore", "correct", "import"],
)
def test_an_input_that_cannot_be_read_is_named_not_the_ledger(ledger: Path, tmp_path: Path, args: tuple[str, ...]):
    target = tmp_path / "new.db" if args[0] == "restore" else ledger

    message = refused(run(target, *args), f"{UNREADABLE}: Input/output error")

    assert str(target) not in message


def test_a_closed_standard_output_ends_the_command_quietly(ledger: Path):
    # Given standard output a pipe whose reader has gone (as `cqc-ledger export | head -c10`)
    reader, writer = os.pipe()
    os.close(reader)

    # When the command writes to it
    done = subprocess.run(command(ledger, "export"), cwd=ROOT, stdout=writer, stderr=subprocess.PIPE, timeout=120)
    os.close(writer)

    # Then it stops without a word (status 1, as click ends a closed pipe), blaming nothing
    assert done.returncode == 1
    assert done.stderr == b""


def test_an_export_appended_to_the_ledgers_own_file_on_standard_output_is_refused(ledger: Path):
    # Given the ledger and its export
    before = ok(ledger, "export").stdout_bytes

    # When standard output is the ledger itself, opened by the shell (`export >> ledger.db`)
    with open(ledger, "ab") as appended:
        done = subprocess.run(command(ledger, "export"), cwd=ROOT, stdout=appended, stderr=subprocess.PIPE, timeout=120)

    # Then that is refused before anything is written, and the ledger is as it was
    assert done.returncode == 1
    assert done.stderr.decode().startswith(f"Error: standard output is a file of the ledger {ledger}")
    assert ok(ledger, "export").stdout_bytes == before
    ok(ledger, "verify")


# ---- a descriptor already open ----------------------------------------------------------------


def test_an_export_to_dev_stdout_through_a_pipe_is_the_export(ledger: Path):
    # When the export goes to /dev/stdout, and standard output is a pipe (`export --out /dev/stdout | wc -c`)
    done = subprocess.run(command(ledger, "export", "--out", "/dev/stdout"), cwd=ROOT, capture_output=True, timeout=120)

    # Then the pipe carries the whole export
    assert done.returncode == 0, done.stderr
    assert done.stdout == ok(ledger, "export").stdout_bytes


def test_an_export_to_dev_stdout_appended_to_a_log_adds_to_it(ledger: Path, tmp_path: Path):
    # Given a log with a line in it, that the shell opens for appending (`export --out /dev/stdout >> log`)
    log = tmp_path / "log.txt"
    log.write_bytes(b"the line before\n")

    with open(log, "ab") as appended:
        done = subprocess.run(
            command(ledger, "export", "--out", "/dev/stdout"), cwd=ROOT, stdout=appended, stderr=subprocess.PIPE, timeout=120
        )

    # Then the export follows the line, which is neither emptied nor replaced
    assert done.returncode == 0, done.stderr
    assert log.read_bytes() == b"the line before\n" + ok(ledger, "export").stdout_bytes


def test_an_export_to_no_file_name_is_a_usage_error(ledger: Path):
    result = run(ledger, "export", "--out", "")

    assert result.exit_code == 2
    assert "name a file, or - for standard output" in result.stderr
