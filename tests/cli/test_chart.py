"""`chart`: a provider's timeline drawn to a file, offline, the same bytes every time."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import orjson
import pytest
from charted import lines
from conftest import ROOT, Cli, jsonl
from recorded_history import recorded

from cqc_ledger.projections.charts import timeline_spec
from cqc_ledger.projections.timeline import timeline

pytest.importorskip("vl_convert", reason="the charts extra is not installed: pip install 'cqc-ledger[charts]'")

GOLDEN = ROOT / "tests" / "fixtures" / "charts" / "RWP-timeline.svg"
WINDOW = ("--from", "2015-01-01", "--to", "2020-12-31")


@pytest.fixture
def recorded_cli(cli: Cli) -> Cli:
    """The CLI on a ledger holding the charted history (on each store)."""
    result = cli("record", input=jsonl(*lines()))
    assert result.exit_code == 0, result.output
    return cli


def test_the_json_file_is_the_specification_of_the_timeline(recorded_cli: Cli, tmp_path: Path):
    out = tmp_path / "RWP.json"

    result = recorded_cli("chart", "RWP", "--out", str(out), *WINDOW)

    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote {out}\n"
    drawn = timeline(recorded(*lines()), "RWP", today=date(2020, 12, 31), since=date(2015, 1, 1), until=date(2020, 12, 31))
    expected = timeline_spec(drawn)
    assert orjson.loads(out.read_bytes()) == expected


def test_the_svg_is_the_golden_one(recorded_cli: Cli, tmp_path: Path):
    out = tmp_path / "RWP.svg"

    assert recorded_cli("chart", "RWP", "--out", str(out), *WINDOW).exit_code == 0

    if os.environ.get("CQC_WRITE_GOLDEN"):  # after a deliberate change to the chart: review the new file in git
        GOLDEN.write_bytes(out.read_bytes())
    assert out.read_bytes() == GOLDEN.read_bytes()


@pytest.mark.parametrize("suffix", [".svg", ".png", ".html", ".json"])
def test_each_format_is_byte_identical_from_run_to_run_in_separate_processes(sqlite_cli: Cli, sqlite_db: str, tmp_path: Path, suffix: str):
    assert sqlite_cli("record", input=jsonl(*lines())).exit_code == 0
    drawn = []
    for seed in ("1", "2"):
        out = tmp_path / f"run{seed}{suffix}"
        done = subprocess.run(
            [sys.executable, "-m", "cqc_ledger.cli", "--db", sqlite_db, "chart", "RWP", "--out", str(out), *WINDOW],
            capture_output=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        drawn.append(out.read_bytes())

    assert drawn[0] == drawn[1]
    assert len(drawn[0]) > 1000


def test_the_html_needs_nothing_from_outside(recorded_cli: Cli, tmp_path: Path):
    out = tmp_path / "RWP.html"

    assert recorded_cli("chart", "RWP", "--out", str(out), *WINDOW).exit_code == 0

    page = out.read_text()
    assert "<script src=" not in page and "<link" not in page
    assert "vegaEmbed" in page


def test_a_location_chart_has_its_own_rows(recorded_cli: Cli, tmp_path: Path):
    out = tmp_path / "RWP01.json"

    assert recorded_cli("chart", "RWP", "--location", "RWP01", "--out", str(out)).exit_code == 0

    rows = orjson.loads(out.read_bytes())["layer"][0]["encoding"]["y"]["scale"]["domain"]
    assert rows[:2] == ["Worcestershire Royal: overall", "Maternity: overall"]


def test_a_file_of_another_format_is_a_usage_error_naming_the_formats(recorded_cli: Cli, tmp_path: Path):
    result = recorded_cli("chart", "RWP", "--out", str(tmp_path / "RWP.gif"))

    assert result.exit_code == 2
    assert ".svg, .png, .html, .json" in result.output


def test_an_unknown_provider_or_location_is_refused(recorded_cli: Cli, tmp_path: Path):
    unknown = recorded_cli("chart", "XXX", "--out", str(tmp_path / "x.svg"))
    no_such_place = recorded_cli("chart", "RWP", "--location", "RWP99", "--out", str(tmp_path / "x.svg"))

    assert unknown.exit_code == 1 and unknown.output.startswith("Error: ")
    assert no_such_place.exit_code == 1 and 'no location "RWP99"' in no_such_place.output
    assert not (tmp_path / "x.svg").exists()


def test_without_the_charts_extra_the_error_names_it(recorded_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "altair", None)  # as if not installed: importing it fails

    result = recorded_cli("chart", "RWP", "--out", str(tmp_path / "RWP.svg"))

    assert result.exit_code == 1
    assert "pip install 'cqc-ledger[charts]'" in result.output
    assert "Traceback" not in result.output
