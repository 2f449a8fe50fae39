"""What a place's record holds across a change (contract section 2): "Inspected but not rated"
over a rating, a service CQC superseded, ratings a location inherited from its predecessor."""

from __future__ import annotations

from typing import Any

import orjson
from builders import cell, inherited, location, registered, report, superseded

GOOD, RI, IBNR = "Good", "Requires improvement", "Inspected but not rated"
MATERNITY_OLD, MATERNITY = "Maternity and gynaecology", "Maternity"


def recorded(cli: Any, *lines: dict) -> None:
    result = cli("record", input=list(lines))
    assert result.exit_code == 0, result.output


def status(cli: Any, *args: str) -> dict[str, Any]:
    result = cli("status", "RH5", "--json", *args)
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout)


def place(doc: dict[str, Any], location_id: str) -> dict[str, Any]:
    return next(loc for loc in doc["locations"] if loc["location_id"] == location_id)


def services(doc: dict[str, Any], location_id: str) -> dict[str, dict[str, Any]]:
    return {s["service"]: s["ratings"] for s in place(doc, location_id)["services"]}


HISTORY = [
    registered("RH5", on="2010-04-01"),
    location("RH5A8", on="2020-04-01", provider_id="RH5", name="Musgrove Park Hospital"),
    location("RH501", on="2010-04-01", provider_id="RH5"),
]


def test_inspected_but_not_rated_over_a_rating_leaves_the_rating_and_says_when_the_area_was_inspected(cli):
    # Given a location rated Good, then a report that inspected it without rating it
    recorded(
        cli,
        *HISTORY,
        report("R1", "2016-05-25", cell("safe", GOOD, "RH501"), provider_id="RH5"),
        report("R2", "2019-01-10", cell("safe", IBNR, "RH501"), cell("caring", IBNR, "RH501"), provider_id="RH5"),
    )

    # When its status is read after the second report
    safe_and_caring = place(status(cli, "--at", "2020-01-01"), "RH501")["ratings"]

    # Then Good stands from its own day, marked inspected on the later day; where nothing was rated, the words stand
    assert safe_and_caring["safe"]["rating"] == GOOD
    assert safe_and_caring["safe"]["since"] == "2016-05-25"
    assert safe_and_caring["safe"]["inspected_without_rating"] == {"on": "2019-01-10", "ref": "RH5/5"}
    assert safe_and_caring["caring"] == {"rating": IBNR, "since": "2019-01-10", "unchanged_since": "2019-01-10", "ref": "RH5/5"}
    text = cli("status", "RH5", "--at", "2020-01-01").output
    assert "safe Good (since 2016-05-25; inspected 2019-01-10 without a new rating)" in text
    assert cli("history", "RH5", "--json").output.count('"Inspected but not rated"') == 1  # caring only: safe did not change


def test_the_status_headline_carries_the_marks_of_the_trusts_overall_as_every_other_rating_line_does(cli):
    # Given a trust rated Good overall, then inspected without a new rating
    recorded(
        cli,
        *HISTORY,
        report("R1", "2015-01-01", cell("overall", GOOD), provider_id="RH5"),  # RH5/4
        report("R2", "2017-01-01", cell("overall", IBNR), provider_id="RH5"),  # RH5/5
    )
    # Then the headline says so, as the JSON does
    assert status(cli, "--at", "2018-01-01")["ratings"]["overall"]["inspected_without_rating"] == {"on": "2017-01-01", "ref": "RH5/5"}
    text = cli("status", "RH5", "--at", "2018-01-01").output
    assert "Overall           Good since 2015-01-01 (RH5/4; inspected 2017-01-01 without a new rating)\n" in text


def test_history_says_a_report_of_only_inspected_but_not_rated_cells_published_no_rating(cli):
    recorded(
        cli,
        *HISTORY,
        report("R1", "2015-01-01", cell("overall", GOOD), cell("safe", GOOD, "RH501"), provider_id="RH5"),  # RH5/4
        report("R2", "2017-01-01", cell("overall", IBNR), cell("safe", IBNR, "RH501"), provider_id="RH5"),  # RH5/5
        report("R3", "2018-01-01", cell("overall", GOOD), cell("safe", IBNR, "RH501"), provider_id="RH5"),  # RH5/6
    )
    summaries = [step["summary"] for step in orjson.loads(cli("history", "RH5", "--json").stdout) if step["type"] == "ReportPublished"]
    assert summaries == [
        "report R1 published with 2 ratings",
        "report R2 published: 2 cells inspected but not rated",
        "report R3 published with 1 rating and 1 cell inspected but not rated",
    ]


def test_a_superseded_service_no_longer_stands_and_its_successor_carries_on(cli):
    # Given Maternity and gynaecology rated, then superseded by Maternity, which a report rates
    recorded(
        cli,
        *HISTORY,
        report(
            "R1", "2016-05-25", cell("overall", GOOD, "RH501", MATERNITY_OLD), cell("safe", RI, "RH501", MATERNITY_OLD), provider_id="RH5"
        ),
        superseded(MATERNITY_OLD, "2020-03-24", MATERNITY, location_id="RH501", provider_id="RH5"),
        report("R2", "2020-03-24", cell("overall", GOOD, "RH501", MATERNITY), provider_id="RH5"),
    )

    # Then before its day the old service stands; from it only the successor does
    assert set(services(status(cli, "--at", "2020-03-23"), "RH501")) == {MATERNITY_OLD}
    after = status(cli, "--at", "2020-03-24")
    assert set(services(after, "RH501")) == {MATERNITY}
    assert place(after, "RH501")["superseded_services"] == [
        {"service": MATERNITY_OLD, "on": "2020-03-24", "by": [MATERNITY], "ref": "RH5/5"}
    ]
    # And history and explain say where the old service went
    history = orjson.loads(cli("history", "RH5", "--json").stdout)
    gone = next(h for h in history if h["type"] == "ServiceSuperseded")
    assert gone["summary"] == f"{MATERNITY_OLD} at RH501 superseded by {MATERNITY}"
    assert {(c["question"], c["from"], c["to"]) for c in gone["changes"]} == {
        ("overall", GOOD, None),
        ("safe", RI, None),
        (None, "in force", "superseded"),
    }
    explained = orjson.loads(
        cli("explain", "RH5", "--location", "RH501", "--service", MATERNITY_OLD, "--at", "2021-01-01", "--json").stdout
    )
    assert explained["rating"] is None
    assert explained["superseded"] == {"on": "2020-03-24", "by": [MATERNITY], "ref": "RH5/5", "source": None}
    assert [p["rating"] for p in explained["previous"]] == [GOOD]


def test_inherited_ratings_stand_from_the_day_taken_over_dated_as_first_published_and_marked(cli):
    # Given RH5A8, registered 2020-04-01, inheriting Musgrove Park's ratings published 2020-03-24
    recorded(
        cli,
        *HISTORY,
        inherited(
            "RH5A8",
            "2020-04-01",
            {**cell("overall", GOOD), "published_on": "2020-03-24", "report_id": "e473abc4"},
            {**cell("safe", RI), "published_on": "2020-03-24"},
            provider_id="RH5",
            from_provider_id="RBA",
            from_location_id="RBA11",
        ),
    )

    # Then on its first day it holds them, since the day they were published, inherited from RBA11
    ratings = place(status(cli, "--at", "2020-04-01"), "RH5A8")["ratings"]
    assert ratings["overall"] == {
        "rating": GOOD,
        "since": "2020-03-24",
        "unchanged_since": "2020-03-24",
        "ref": "RH5/4",
        "inherited": True,
        "inherited_from": "RBA11",
    }
    assert ratings["safe"]["inherited_from"] == "RBA11"
    # And not before it took them over
    assert "RH5A8" not in [loc["location_id"] for loc in status(cli, "--at", "2020-03-31")["locations"]]
    text = cli("explain", "RH5", "--location", "RH5A8", "--question", "safe", "--at", "2021-01-01").output
    assert "Inherited from RBA11 on 1 April 2020" in text


def test_the_principles_never_aggregate_an_inherited_rating_with_a_new_one(cli):
    # Given a location that inherited Inadequate surgery, then a new report rates medicine Good and the location Good
    recorded(
        cli,
        *HISTORY,
        inherited(
            "RH5A8", "2020-04-01", {**cell("safe", "Inadequate", service="Surgery"), "published_on": "2019-01-01"}, provider_id="RH5"
        ),
        report("R3", "2021-02-01", cell("safe", GOOD, "RH5A8", "Medical care"), cell("safe", GOOD, "RH5A8"), provider_id="RH5"),
    )

    # When the location's safe rating is explained
    result = cli("explain", "RH5", "--location", "RH5A8", "--question", "safe", "--json")
    principles = orjson.loads(result.stdout)["principles"]

    # Then only the new service rating is under it; the inherited one is set apart
    assert [i["service"] for i in principles["inputs"]] == ["Medical care (including older people's care)"]
    assert principles["set_apart_as_inherited"] == [
        {"location_id": "RH5A8", "service": "Surgery", "question": "safe", "cell": "RH5A8 Surgery safe"}
    ]
    assert principles["agrees"] is True
