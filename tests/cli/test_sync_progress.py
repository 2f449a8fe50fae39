"""`sync` on a terminal draws a progress bar, and ends it cleanly before the summary; off a
terminal (a pipe, a cron job's log) it draws none. The command runs in a process of its own,
under a pseudo-terminal, against the stand-in for CQC's API on 127.0.0.1."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from cqc_api_server import KEY, Api, serving
from ledgers import command, on_a_terminal, run_process

PROVIDERS = ("RK9", "RBA")
_ESCAPES = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture
def api() -> Iterator[Api]:
    yield from serving()


def sync_args(api: Api) -> list[str]:
    return ["sync", "--api", api.url, "--key", KEY, "--rate", "100000", *[a for p in PROVIDERS for a in ("--provider", p)]]


def test_on_a_terminal_a_progress_bar_is_drawn_and_ends_before_the_summary(api, tmp_path):
    code, written = on_a_terminal(command(tmp_path / "ledger.db", *sync_args(api)))

    assert code == 0, written.decode(errors="replace")
    shown = _ESCAPES.sub(b"", written).decode()
    assert "Syncing" in shown and "#" in shown  # the bar, with its label
    assert re.search(r"Syncing\s+\[#+\]\s+100%", shown), shown  # drawn to the end
    assert "Traceback" not in shown
    # the bar's line is ended before the summary, and the output ends with a whole line
    last_bar = shown.rindex("100%")
    summary = shown.index("Synced 2 of 2 providers", last_bar)
    assert "\n" in shown[last_bar:summary]
    after = shown[summary:].rstrip().splitlines()  # the summary, then the imports' notes
    assert shown.endswith("\n") and after[0].startswith("Synced 2 of 2 providers")
    assert all(line.startswith("Note: ") for line in after[1:])


def test_off_a_terminal_no_bar_is_drawn(api, tmp_path):
    done = run_process(tmp_path / "ledger.db", *sync_args(api))

    assert done.returncode == 0, done.stderr.decode()
    assert b"Syncing" not in done.stderr and b"#" not in done.stderr and b"\r" not in done.stdout + done.stderr
