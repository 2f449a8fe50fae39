"""The charts' specifications, read as data: what is drawn where, in which colour."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from charted import lines
from recorded_history import recorded

from cqc_ledger.projections.charts import RATING_COLOURS, counts_spec, counts_title, timeline_spec
from cqc_ledger.projections.timeline import NO_RATING, timeline
from cqc_ledger.projections.trusts import Filters

pytest.importorskip("altair", reason="the charts extra is not installed: pip install 'cqc-ledger[charts]'")


def spec() -> dict[str, Any]:
    return timeline_spec(timeline(recorded(*lines()), "RWP", today=date(2024, 1, 1)))


def layer_with(doc: dict[str, Any], mark: str, colour: str | None = None) -> list[dict[str, Any]]:
    def mark_of(layer: dict[str, Any]) -> dict[str, Any]:
        return layer["mark"] if isinstance(layer["mark"], dict) else {"type": layer["mark"]}

    return [lay for lay in doc["layer"] if mark_of(lay)["type"] == mark and (colour is None or mark_of(lay).get("color") == colour)]


def test_the_rating_bands_are_coloured_with_cqcs_colours_and_grey_where_there_is_no_rating():
    bands = next(lay for lay in spec()["layer"] if "color" in lay.get("encoding", {}))
    scale = bands["encoding"]["color"]["scale"]

    assert dict(zip(scale["domain"], scale["range"], strict=True)) == RATING_COLOURS
    assert RATING_COLOURS["No rating"].startswith("#e")  # a light grey
    assert {v["value"] for v in bands["data"]["values"]} == {"No rating", "Requires improvement", "Inadequate", "Good"}


def test_the_rows_are_the_cells_then_special_measures_then_each_notice_then_oversight():
    bands = next(lay for lay in spec()["layer"] if "color" in lay.get("encoding", {}))

    assert bands["encoding"]["y"]["scale"]["domain"] == [
        "Overall",
        "Safe",
        "Effective",
        "Caring",
        "Responsive",
        "Well-led",
        "Special measures (quality)",
        "Warning notice WN-1",
        "Warning notice WN-2",
        "Oversight",
    ]


def test_report_days_are_rules_across_the_chart():
    rules = layer_with(spec(), "rule")

    assert [v["on"] for v in rules[0]["data"]["values"]] == ["2016-01-10", "2017-06-20", "2019-05-01"]
    assert "y" not in rules[0]["encoding"]


def test_special_measures_are_shaded_across_every_row():
    shading = [lay for lay in layer_with(spec(), "rect") if "y" not in lay["encoding"]]

    assert [(v["start"], v["end"]) for lay in shading for v in lay["data"]["values"]] == [("2016-02-01", "2018-01-15")]


def test_notices_are_labelled_with_their_outcome():
    labels = [v["value"] for lay in layer_with(spec(), "text") for v in lay["data"]["values"] if v["row"].startswith("Warning")]

    assert labels == ["s29A: met", "s29: open"]


def test_the_time_axis_is_in_utc_from_the_first_day_to_the_last():
    bands = next(lay for lay in spec()["layer"] if "color" in lay.get("encoding", {}))

    assert bands["encoding"]["x"]["scale"] == {"domain": ["2010-04-01", "2024-01-01"], "type": "utc"}


def test_the_counts_chart_stacks_each_value_in_order_of_merit_with_its_colour():
    series = [
        {"at": "2018-12-31", "providers": 3, "Good": 1, "Inadequate": 1, "no rating": 1, "Outstanding": 0},
        {"at": "2019-12-31", "providers": 3, "Good": 2, "Inadequate": 0, "no rating": 1, "Outstanding": 0},
    ]

    doc = counts_spec(series)

    colour = doc["encoding"]["color"]["scale"]
    assert colour["domain"] == ["Good", "Inadequate", "no rating"]  # Outstanding, never counted, is left out
    assert colour["range"] == [RATING_COLOURS["Good"], RATING_COLOURS["Inadequate"], RATING_COLOURS[NO_RATING]]
    assert doc["encoding"]["y"]["stack"] == "zero"
    assert {(v["at"], v["value"], v["count"]) for v in doc["data"]["values"]} >= {("2018-12-31", "Good", 1), ("2019-12-31", "Good", 2)}
    assert all(v["value"] != "providers" for v in doc["data"]["values"])


def test_the_counts_chart_leaves_out_any_regime_and_its_title_names_what_and_whom():
    series = [{"at": "2019-03-31", "providers": 2, "quality": 1, "finance": 1, "any": 1}]

    doc = counts_spec(series)
    title = counts_title(
        series, by="special-measures", question="overall", every="quarter", filters=Filters(provider_type="acute", region="South West")
    )

    assert [v["value"] for v in doc["data"]["values"]] == ["finance", "quality"]
    assert title == "Providers on the register (acute, South West) by special-measures regime on 2019-03-31"
