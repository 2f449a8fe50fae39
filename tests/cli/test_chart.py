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

from cqc_ledger.projections.charts import counts_spec, counts_title, timeline_spec
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


# ---- counts --chart: the register's series, stacked by value over time ------------------------

SERIES = ("counts", "--from", "2015-01-01", "--to", "2020-12-31", "--every", "year")


def test_counts_draws_its_series_stacked_by_rating_and_still_answers(recorded_cli: Cli, tmp_path: Path):
    out = tmp_path / "counts.json"

    result = recorded_cli(*SERIES, "--chart", str(out), "--json")

    assert result.exit_code == 0, result.output
    assert result.stderr == f"Wrote {out}\n"
    rows = orjson.loads(result.stdout)  # the listing on standard output, as without --chart
    spec = orjson.loads(out.read_bytes())
    assert spec == counts_spec(rows, title=counts_title(rows, by="rating", question="overall", every="year"))
    assert spec["mark"]["type"] == "bar" and spec["encoding"]["y"]["stack"] == "zero"
    assert spec["title"] == "Providers on the register by trust-level overall rating, 2015-12-31 to 2020-12-31 (each year's end)"
    drawn = {(v["at"], v["value"]): v["count"] for v in spec["data"]["values"]}
    assert drawn[("2015-12-31", "no rating")] == 1 and drawn[("2016-12-31", "Requires improvement")] == 1
    assert drawn[("2020-12-31", "Inadequate")] == 1 and drawn[("2020-12-31", "Requires improvement")] == 0
    assert {v for _, v in drawn} == {"Requires improvement", "Inadequate", "no rating"}  # values never counted stay out


def test_counts_by_special_measures_leaves_out_any_regime_which_would_count_twice(recorded_cli: Cli, tmp_path: Path):
    out = tmp_path / "regimes.json"

    result = recorded_cli(*SERIES, "--by", "special-measures", "--chart", str(out))

    assert result.exit_code == 0, result.output
    spec = orjson.loads(out.read_bytes())
    assert {(v["at"], v["value"], v["count"]) for v in spec["data"]["values"] if v["count"]} == {
        ("2016-12-31", "quality", 1),
        ("2017-12-31", "quality", 1),
    }
    assert spec["title"].startswith("Providers on the register by special-measures regime")
    assert "Providers on the register at each period's end" in result.stdout


@pytest.mark.parametrize("suffix", [".svg", ".png", ".html"])
def test_counts_draws_each_format(recorded_cli: Cli, tmp_path: Path, suffix: str):
    out = tmp_path / f"counts{suffix}"

    assert recorded_cli(*SERIES, "--chart", str(out)).exit_code == 0

    drawn = out.read_bytes()
    assert len(drawn) > 1000
    if suffix == ".svg":
        assert b'class="mark-rect role-mark marks"' in drawn and b"<path" in drawn


def test_counts_chart_of_another_format_is_a_usage_error_and_without_the_extra_names_it(
    recorded_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    wrong = recorded_cli(*SERIES, "--chart", str(tmp_path / "counts.gif"))
    monkeypatch.setitem(sys.modules, "altair", None)
    missing = recorded_cli(*SERIES, "--chart", str(tmp_path / "counts.svg"))

    assert wrong.exit_code == 2 and ".svg, .png, .html, .json" in wrong.output
    assert missing.exit_code == 1 and "pip install 'cqc-ledger[charts]'" in missing.output
    assert "Traceback" not in missing.output and not (tmp_path / "counts.svg").exists()
