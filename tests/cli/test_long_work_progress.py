"""Long work draws a progress bar on a terminal, as `record` draws one for a large file, and none
off a terminal: `import` in every format (reading the files, checking the entries drafted from
them, recording them), and `record -` or `restore -` reading a pipe, whose size is unknown (a bar
with no total, counting the lines read). The bars are seen as a person sees them: the command runs
in a process of its own under a pseudo-terminal. Which stages an import goes through, and that
each is advanced to its end, is watched in this process (a stage's bar is drawn only when it is
long, and a test of every stage at that length would take minutes)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cqc_data import fixture
from ledgers import EXAMPLES, command, on_a_terminal, run_process

from bench import national
from bench.register import register_lines
from cqc_ledger.cli.progress import PROGRESS_BYTES
from cqc_ledger.ledger.application import Ledger, utc_now
from cqc_ledger.ledger.imports import run, tables
from cqc_ledger.projections import views

_ESCAPES = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


class Watched:
    """What the command is told of an import's stages: each begun, with its size and unit, and
    how far it was advanced."""

    def __init__(self) -> None:
        self.stages: list[tuple[str, int, str]] = []
        self.advanced: list[int] = []

    def __call__(self, label: str, size: int, unit: str) -> run.Advance:
        self.stages.append((label, size, unit))
        self.advanced.append(0)
        at = len(self.advanced) - 1

        def advance(n: int) -> None:
            self.advanced[at] += n

        return advance


def imported(db: Path, fmt: str, paths: list[str], watched: Watched) -> run.ImportOutcome:
    """The import as the command runs it (the views following), with its stages watched."""
    ledger = Ledger(str(db))
    try:
        return views.written(
            ledger,
            lambda follow: run.import_files(
                ledger, fmt, paths, today=utc_now().date(), followers=[follow], stage=watched, all_providers=True
            ),
        )
    finally:
        ledger.close()


def monthly_files(folder: Path, scale: float, *, ods: bool) -> list[str]:
    folder.mkdir()
    return [str(p) for p in national.write_files(national.generate(scale=scale), folder, ods=ods)]


@pytest.mark.parametrize("fmt", ["cqc-api", "cqc-files ods", "cqc-files csv", "cqc-ratings"])
def test_an_import_reads_checks_and_records_each_stage_to_its_end(tmp_path, fmt):
    # Given files of the format
    if fmt == "cqc-api":
        paths = [fixture(name) for name in ("RWP", "RWP01", "RWP50")]
    else:
        paths = monthly_files(tmp_path / "files", 0.01, ods=fmt.endswith("ods"))
        if fmt == "cqc-ratings":
            paths = [p for p in paths if "Latest_ratings" in p]
    name = fmt.split()[0]

    # When they are imported into a new ledger
    watched = Watched()
    done = imported(tmp_path / "ledger.db", name, paths, watched)

    # Then it read every byte of the files, checked every entry drafted, and recorded them
    labels = [label for label, _, _ in watched.stages]
    assert labels == ["Reading", "Checking", "Recording"]
    (_, read, bytes_), (_, checked, entries), (_, recording, _) = watched.stages
    assert bytes_ == "bytes" and entries == "entries"
    assert read == sum(tables.size(p) for p in paths) > 0
    assert recording == len(done.recorded) > 0 and checked >= recording
    assert watched.advanced == [read, checked, recording]

    # And imported again, it reads and checks them again to the end, and has nothing to record
    again = Watched()
    imported(tmp_path / "ledger.db", name, paths, again)
    (_, reread, _), (_, rechecked, _), (_, rerecorded, _) = again.stages
    assert (reread, rerecorded) == (read, 0) and rechecked > 0 and again.advanced == [reread, rechecked, 0]


def test_an_ods_file_is_read_once_for_the_bar_though_the_reader_starts_again(tmp_path):
    # Given a file the quick reader hands to lxml part of the way through (a comment in a sheet)
    paths = monthly_files(tmp_path / "files", 0.01, ods=True)
    plain = tmp_path / "commented.ods"
    _with_a_comment(Path(paths[0]), plain)

    # When it is imported
    watched = Watched()
    imported(tmp_path / "ledger.db", "cqc-ratings", [str(plain)], watched)

    # Then the bytes lxml reads again are not counted twice
    assert watched.stages[0][1] == tables.size(str(plain)) and watched.advanced[0] == watched.stages[0][1]


def _with_a_comment(source: Path, target: Path) -> None:
    import zipfile

    with zipfile.ZipFile(source) as book, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in book.infolist():
            data = book.read(info)
            if info.filename == "content.xml":
                at = data.index(b"<table:table-row", len(data) // 2)
                data = data[:at] + b"<!-- a comment -->" + data[at:]
            out.writestr(info, data)


def shown(written: bytes) -> str:
    return _ESCAPES.sub(b"", written).decode()


def test_on_a_terminal_an_import_of_large_files_draws_a_bar_while_reading_them(tmp_path):
    # Given CQC's monthly files as large as an input that gets a bar (their sheets' content)
    paths = monthly_files(tmp_path / "files", 0.05, ods=True)
    assert sum(tables.size(p) for p in paths) >= PROGRESS_BYTES

    # When they are imported on a terminal (NHS trusts only: a few hundred entries)
    code, written = on_a_terminal(command(tmp_path / "ledger.db", "import", "cqc-files", *paths))

    # Then a bar showed the files read, ended before the summary
    text = shown(written)
    assert code == 0, text
    assert re.search(r"Reading\s+\[#+\]\s+100%", text), text
    assert "\n" in text[text.rindex("100%") : text.index("Recorded ")]
    # and checking and recording so few entries was too short to draw one
    assert "Checking" not in text and "Recording" not in text and "Traceback" not in text

    # And off a terminal, none
    done = run_process(tmp_path / "other.db", "import", "cqc-files", *paths)
    assert done.returncode == 0, done.stderr.decode()
    assert b"Reading" not in done.stderr and b"#" not in done.stderr and b"\r" not in done.stdout + done.stderr


def large_input() -> bytes:
    """A register's entries (bench.register), as many lines as make a large input."""
    lines = []
    size = 0
    for line in register_lines(200, 200):
        lines.append(line + b"\n")
        size += len(line) + 1
        if size > PROGRESS_BYTES + 500_000:
            return b"".join(lines)
    raise AssertionError("the register is smaller than a large input")


def test_on_a_terminal_recording_and_restoring_from_a_pipe_draws_a_bar_counting_the_lines(tmp_path):
    # Given a large input coming through a pipe, whose size cannot be known
    given = large_input()
    lines = given.count(b"\n")

    # When it is recorded, on a terminal
    code, written = on_a_terminal(command(tmp_path / "ledger.db", "record", "-"), piped=given)

    # Then a bar with no total counted the lines read, to the last, before the summary
    text = shown(written)
    assert code == 0, text
    assert re.search(rf"Recording\s+\[[-#]+\]\s+{lines}\s+lines read", text), text
    assert "%" not in text  # no total, so no share of one
    assert text.index("lines read") < text.index(f"Recorded {lines} entries")

    # And its export restored through a pipe draws one too
    export = run_process(tmp_path / "ledger.db", "export")
    code, written = on_a_terminal(command(tmp_path / "restored.db", "restore", "-"), piped=export.stdout)
    text = shown(written)
    assert code == 0, text
    assert re.search(rf"Recording\s+\[[-#]+\]\s+{lines}\s+lines read", text) and f"Restored {lines} entries" in text, text

    # And off a terminal, none
    done = run_process(tmp_path / "piped.db", "record", "-", piped=given)
    assert done.returncode == 0, done.stderr.decode()
    assert b"Recording" not in done.stderr and b"\r" not in done.stdout + done.stderr


def test_a_small_input_through_a_pipe_draws_no_bar(tmp_path):
    code, written = on_a_terminal(command(tmp_path / "ledger.db", "record", "-"), piped=(EXAMPLES / "RWP.jsonl").read_bytes())

    assert code == 0 and "Recording" not in shown(written) and "Recorded " in shown(written), shown(written)
