"""`history --json`: every kind of change an entry makes is a structured change, not only words
in its summary: ratings, names, registrations, locations, special measures, notices,
enforcement and oversight segments."""

from __future__ import annotations

from typing import Any

import orjson
from builders import (
    action,
    cell,
    entered,
    exited,
    inherited,
    location,
    notice_assessed,
    notice_issued,
    registered,
    renamed,
    report,
    segment,
    superseded,
)

RI = "Requires improvement"
CONTRACT_KEYS = {"location_id", "service", "question", "from", "to"}


def lines() -> list[dict[str, Any]]:
    return [
        registered("RWP", name="Worcestershire Acute Hospitals NHS Trust", provider_type="acute"),  # RWP/1
        location("RWP01", name="Worcestershire Royal Hospital"),  # RWP/2
        notice_issued("WN-1", "2015-04-01", location_id="RWP01", deadline="2015-06-01"),  # RWP/3
        action("EA-1", "2015-04-02", location_id="RWP01"),  # RWP/4
        report("R1", "2015-12-02", cell("overall", "Inadequate")),  # RWP/5
        entered("2015-12-02", decided_by="NHS Trust Development Authority"),  # RWP/6
        segment("2016-10-01", "SOF-2016", 4),  # RWP/7
        notice_assessed("WN-1", "2017-01-10", "met"),  # RWP/8
        renamed("2018-01-01", "Worcestershire Acute Hospitals"),  # RWP/9
        report("R2", "2019-09-20", cell("overall", RI)),  # RWP/10
        segment("2019-10-01", "SOF-2016", 3),  # RWP/11
        exited("2020-09-24"),  # RWP/12
    ]


def changes_by_ref(cli) -> dict[str, list[dict[str, Any]]]:
    assert cli("record", input=lines()).exit_code == 0
    result = cli("history", "RWP", "--json")
    assert result.exit_code == 0, result.output
    return {item["ref"]: item["changes"] for item in orjson.loads(result.stdout)}


def test_every_change_carries_the_contracts_keys_and_a_kind(cli):
    found = changes_by_ref(cli)
    every = [c for changes in found.values() for c in changes]
    assert every and all(c.keys() >= CONTRACT_KEYS and c["kind"] for c in every)


def test_names_registrations_and_locations_are_structured_changes(cli):
    found = changes_by_ref(cli)
    assert [(c["kind"], c["from"], c["to"]) for c in found["RWP/1"]] == [
        ("name", None, "Worcestershire Acute Hospitals NHS Trust"),
        ("registration", None, "registered"),
    ]
    assert found["RWP/9"] == [
        {
            "kind": "name",
            "location_id": None,
            "service": None,
            "question": None,
            "from": "Worcestershire Acute Hospitals NHS Trust",
            "to": "Worcestershire Acute Hospitals",
        }
    ]
    [place] = found["RWP/2"]
    assert (place["kind"], place["location_id"], place["from"], place["to"], place["name"]) == (
        "location",
        "RWP01",
        None,
        "registered",
        "Worcestershire Royal Hospital",
    )


def test_special_measures_notices_enforcement_and_oversight_are_structured_changes(cli):
    found = changes_by_ref(cli)
    [issued] = found["RWP/3"]
    assert (issued["kind"], issued["notice_id"], issued["location_id"], issued["from"], issued["to"], issued["deadline"]) == (
        "warning-notice",
        "WN-1",
        "RWP01",
        None,
        "open",
        "2015-06-01",
    )
    [assessed] = found["RWP/8"]
    assert (assessed["kind"], assessed["from"], assessed["to"]) == ("warning-notice", "open", "met")
    [taken] = found["RWP/4"]
    assert (taken["kind"], taken["action_id"], taken["to"], taken["location_id"]) == ("enforcement", "EA-1", "condition-imposed", "RWP01")
    [into] = found["RWP/6"]
    assert (into["kind"], into["regime"], into["from"], into["to"], into["since"]) == (
        "special-measures",
        "quality",
        "out",
        "in",
        "2015-12-02",
    )
    [out] = found["RWP/12"]
    assert (out["kind"], out["regime"], out["from"], out["to"]) == ("special-measures", "quality", "in", "out")
    [first] = found["RWP/7"]
    assert (first["kind"], first["framework"], first["from"], first["to"]) == ("oversight", "SOF-2016", None, 4)
    [moved] = found["RWP/11"]
    assert (moved["from"], moved["to"], moved["from_framework"]) == (4, 3, "SOF-2016")


def test_ratings_are_changes_of_kind_rating_and_text_says_no_rating_for_none(cli):
    found = changes_by_ref(cli)
    assert found["RWP/10"] == [
        {"kind": "rating", "location_id": None, "service": None, "question": "overall", "from": "Inadequate", "to": RI}
    ]
    text = cli("history", "RWP").stdout
    assert "trust overall: no rating -> Inadequate" in text


def test_supersessions_and_inheritances_are_structured_changes(cli):
    lines = [
        registered("RH5"),  # RH5/1
        location("RH501", provider_id="RH5"),  # RH5/2
        location("RH5A8", on="2020-04-01", provider_id="RH5"),  # RH5/3
        report("R1", "2016-01-01", cell("overall", "Good", "RH501", "Maternity and gynaecology"), provider_id="RH5"),  # RH5/4
        superseded("Maternity and gynaecology", "2020-03-24", "Maternity", location_id="RH501", provider_id="RH5"),  # RH5/5
        inherited(
            "RH5A8",
            "2020-04-01",
            {**cell("overall", "Good"), "published_on": "2020-03-24"},
            provider_id="RH5",
            from_location_id="RBA11",
        ),  # RH5/6
    ]
    assert cli("record", input=lines).exit_code == 0
    found = {item["ref"]: item["changes"] for item in orjson.loads(cli("history", "RH5", "--json").stdout)}
    gone = {c["kind"]: c for c in found["RH5/5"]}
    assert (gone["service"]["location_id"], gone["service"]["service"], gone["service"]["to"], gone["service"]["by"]) == (
        "RH501",
        "Maternity and gynaecology",
        "superseded",
        ["Maternity"],
    )
    assert (gone["rating"]["from"], gone["rating"]["to"]) == ("Good", None)  # its rating no longer stands there
    [taken] = found["RH5/6"]
    assert (taken["kind"], taken["location_id"], taken["question"], taken["to"], taken["since"], taken["inherited_from"]) == (
        "inheritance",
        "RH5A8",
        "overall",
        "Good",
        "2020-03-24",
        "RBA11",
    )
    assert "RH5A8 overall: no rating -> Good (inherited)" in cli("history", "RH5").stdout
