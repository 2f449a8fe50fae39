"""Ctrl-C during a writing command: the input's one transaction is rolled back, and the command
says so as `Error: interrupted: nothing of this input was recorded`, exit status 1 (as `sync`
says what stands of its run), where click said `Aborted!`; once the transaction has committed,
as `Error: interrupted after the input was recorded: all of it stands`."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, Cli
from cqc_api_server import KEY, serving
from cqc_data import fixture

from cqc_ledger.cli import main
from cqc_ledger.ledger.sync import client
from cqc_ledger.ledger.sync.run import Synced
from cqc_ledger.projections import output, views

SAID = "Error: interrupted: nothing of this input was recorded\n"


class Interrupted(io.RawIOBase):
    """Standard input that gives `first`, then is interrupted as Ctrl-C interrupts a read."""

    def __init__(self, first: bytes):
        self.left = first

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        if not self.left:
            raise KeyboardInterrupt
        n = min(len(buffer), len(self.left))
        buffer[:n], self.left = self.left[:n], self.left[n:]
        return n


def interrupted(db: str, *args: str, first: bytes):
    return CliRunner().invoke(main, ["--db", db, *args], input=io.BufferedReader(Interrupted(first)))


def waiting_for_more(pid: int, patience: float = 30.0) -> None:
    """Until the process waits to read more of its pipe (past the first lines, in its write)."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        try:
            waiting = Path(f"/proc/{pid}/wchan").read_text()
        except OSError:  # no /proc: a while is long enough
            time.sleep(2)
            return
        if "pipe" in waiting:
            return
        time.sleep(0.05)


def test_ctrl_c_during_record_records_nothing_of_the_input_and_says_so(cli: Cli, db: str):
    assert cli("record", str(EXAMPLES / "RX9.jsonl")).exit_code == 0
    before = cli("export").stdout

    result = interrupted(db, "record", "-", first=(EXAMPLES / "RWP.jsonl").read_bytes())

    assert (result.exit_code, result.stdout, result.stderr) == (1, "", SAID)
    assert cli("export").stdout == before


def test_ctrl_c_during_restore_leaves_no_new_ledger_behind(sqlite_cli: Cli, tmp_path: Path):
    assert sqlite_cli("record", str(EXAMPLES / "RWP.jsonl")).exit_code == 0
    exported = sqlite_cli("export").stdout_bytes
    new = tmp_path / "new.db"

    result = interrupted(str(new), "restore", "-", first=exported[: len(exported) // 2])

    assert (result.exit_code, result.stdout, result.stderr) == (1, "", SAID)
    assert not new.exists()


def test_ctrl_c_sent_to_restore_as_a_user_sends_it(sqlite_cli: Cli, tmp_path: Path):
    # Given restore reading an export from a pipe that has not ended
    assert sqlite_cli("record", str(EXAMPLES / "RWP.jsonl")).exit_code == 0
    exported = sqlite_cli("export").stdout_bytes
    new = tmp_path / "new.db"
    process = subprocess.Popen(
        [sys.executable, "-m", "cqc_ledger.cli", "--db", str(new), "restore", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdin is not None
    process.stdin.write(exported[: len(exported) // 2])
    process.stdin.flush()
    waiting_for_more(process.pid)

    # When Ctrl-C is pressed
    os.kill(process.pid, signal.SIGINT)
    out, err = process.communicate(timeout=60)

    # Then nothing is restored, and it says so
    assert (process.returncode, out, err.decode()) == (1, b"", SAID)
    assert not new.exists()


# After the input's transaction has committed, what is left to do (the views' catch-up when they
# were behind, the planner's statistics, the outcome shown) may be stopped too: the input stays
# recorded, and the command says so rather than that nothing was.
RECORDED = "Error: interrupted after the input was recorded: all of it stands\n"
AFTER_THE_COMMIT = {
    "the views' catch-up": (views.Views, "catch_up"),
    "the statistics' refresh": (views.Views, "refresh"),
    "the outcome shown": (output.record, "record_text"),
}


def ctrl_c(*args: object, **kwargs: object) -> None:
    raise KeyboardInterrupt


def ctrl_c_at(monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    monkeypatch.setattr(*AFTER_THE_COMMIT[where], ctrl_c)


@pytest.mark.parametrize("where", AFTER_THE_COMMIT)
def test_ctrl_c_after_record_committed_says_the_input_was_recorded(cli: Cli, monkeypatch: pytest.MonkeyPatch, where: str):
    with monkeypatch.context() as pressing:
        ctrl_c_at(pressing, where)

        # When Ctrl-C stops record after its transaction committed
        result = cli("record", str(EXAMPLES / "RWP.jsonl"))

    # Then it says the input was recorded, and it was: recording it again adds nothing
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", RECORDED)
    assert len(cli("export").stdout.splitlines()) == len((EXAMPLES / "RWP.jsonl").read_text().splitlines())
    assert "Recorded 0 entries" in cli("record", str(EXAMPLES / "RWP.jsonl")).stdout


def test_ctrl_c_after_restore_committed_keeps_the_new_ledger(sqlite_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    assert sqlite_cli("record", str(EXAMPLES / "RWP.jsonl")).exit_code == 0
    exported = sqlite_cli("export").stdout_bytes
    new = tmp_path / "new.db"

    with monkeypatch.context() as pressing:
        ctrl_c_at(pressing, "the statistics' refresh")  # a first write into a new ledger always refreshes them
        result = CliRunner().invoke(main, ["--db", str(new), "restore", "-"], input=exported)

    assert (result.exit_code, result.stdout, result.stderr) == (1, "", RECORDED)
    assert CliRunner().invoke(main, ["--db", str(new), "export"]).stdout_bytes == exported


def test_ctrl_c_after_retract_committed_says_the_retraction_was_recorded(cli: Cli, monkeypatch: pytest.MonkeyPatch):
    assert cli("record", str(EXAMPLES / "RWP.jsonl")).exit_code == 0

    with monkeypatch.context() as pressing:
        ctrl_c_at(pressing, "the outcome shown")
        result = cli("retract", "RWP/6", "--reason", "recorded in error")

    assert (result.exit_code, result.stdout, result.stderr) == (1, "", RECORDED)
    assert '"recorded in error"' in cli("export").stdout.splitlines()[-1]


def test_ctrl_c_after_import_committed_says_the_input_was_recorded(cli: Cli, monkeypatch: pytest.MonkeyPatch):
    with monkeypatch.context() as pressing:
        ctrl_c_at(pressing, "the views' catch-up")
        result = cli("import", "cqc-api", fixture("RX9"), fixture("RX901"))

    assert (result.exit_code, result.stdout, result.stderr) == (1, "", RECORDED)
    assert "RX9" in cli("export").stdout


# sync records one provider at a time: a Ctrl-C at any point, its summary too, leaves those
# finished before recorded
SYNC_SAID = "Error: interrupted: every provider finished before stays recorded, none half; run sync again to carry on\n"


def test_ctrl_c_while_sync_shows_its_summary_says_what_stands(cli: Cli, monkeypatch: pytest.MonkeyPatch):
    # Given a sync whose run has finished, stopped by Ctrl-C as it shows its summary
    with monkeypatch.context() as pressing:
        pressing.setattr(client, "BACKOFF", 0.01)
        pressing.setattr(Synced, "text", ctrl_c)
        for api in serving():
            result = cli("sync", "--api", api.url, "--key", KEY, "--rate", "100000", "--provider", "RK9")

    # Then it says what sync says of a Ctrl-C, and the provider it finished stays recorded
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", SYNC_SAID)
    assert "RK9" in cli("export").stdout
