"""The timeline: a provider's status folded day by day and cut into the bands its chart draws."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from builders import cell, corrected, location, report
from charted import GOOD, INADEQUATE, RI, lines
from recorded_history import moment, recorded

from cqc_ledger.ledger.errors import UnknownLocation
from cqc_ledger.projections.timeline import timeline, timeline_json

TODAY = date(2024, 1, 1)


def history(*more: dict[str, Any]) -> list:
    return recorded(*lines(*more))


def drawn(entries: list, **options: Any) -> dict[str, Any]:
    return timeline_json(timeline(entries, "RWP", today=TODAY, **options))


def bands_of(doc: dict[str, Any], key: str, row: str) -> list[tuple[str, str, str]]:
    return [(b["value"], b["start"], b["end"]) for b in doc[key] if b["row"] == row]


def test_each_rating_cell_is_a_row_of_bands_from_registration_to_today_grey_until_first_rated():
    doc = drawn(history())

    assert doc["rows"] == ["Overall", "Safe", "Effective", "Caring", "Responsive", "Well-led"]
    assert bands_of(doc, "ratings", "Overall") == [
        ("No rating", "2010-04-01", "2016-01-10"),
        (RI, "2016-01-10", "2017-06-20"),
        (INADEQUATE, "2017-06-20", "2024-01-01"),
    ]
    assert bands_of(doc, "ratings", "Effective") == [("No rating", "2010-04-01", "2024-01-01")]


def test_a_band_names_the_entry_that_set_its_rating():
    doc = drawn(history())

    assert [b["ref"] for b in doc["ratings"] if b["row"] == "Safe"] == [None, "RWP/3"]


def test_a_report_that_leaves_a_cell_alone_does_not_cut_its_band():
    doc = drawn(history())

    assert bands_of(doc, "ratings", "Safe") == [("No rating", "2010-04-01", "2016-01-10"), (RI, "2016-01-10", "2024-01-01")]


def test_report_days_are_marked_with_their_report_and_ref():
    doc = drawn(history())

    assert doc["reports"] == [
        {"on": "2016-01-10", "report_id": "R1", "ref": "RWP/3"},
        {"on": "2017-06-20", "report_id": "R2", "ref": "RWP/7"},
        {"on": "2019-05-01", "report_id": "R3", "ref": "RWP/12"},
    ]


def test_special_measures_notices_with_their_outcome_and_oversight_segments_are_periods():
    doc = drawn(history())

    assert bands_of(doc, "special_measures", "Special measures (quality)") == [
        ("in special measures (quality)", "2016-02-01", "2018-01-15")
    ]
    assert bands_of(doc, "warning_notices", "Warning notice WN-1") == [("s29A: met", "2016-03-01", "2017-06-20")]
    assert bands_of(doc, "warning_notices", "Warning notice WN-2") == [("s29: open", "2017-07-01", "2024-01-01")]
    assert [(b["value"], b["start"], b["end"]) for b in doc["oversight"]] == [
        ("SOF-2016 segment 4", "2016-10-01", "2018-02-01"),
        ("SOF-2016 segment 3", "2018-02-01", "2024-01-01"),
    ]


def test_from_and_to_cut_every_band_and_a_notice_assessed_later_is_open_at_the_end():
    doc = drawn(history(), since=date(2017, 1, 1), until=date(2017, 12, 31))

    assert (doc["from"], doc["to"]) == ("2017-01-01", "2017-12-31")
    assert bands_of(doc, "ratings", "Overall") == [(RI, "2017-01-01", "2017-06-20"), (INADEQUATE, "2017-06-20", "2017-12-31")]
    assert [r["report_id"] for r in doc["reports"]] == ["R2"]
    assert bands_of(doc, "warning_notices", "Warning notice WN-1") == [("s29A: met", "2017-01-01", "2017-06-20")]
    cut_short = drawn(history(), until=date(2017, 1, 1))
    assert bands_of(cut_short, "warning_notices", "Warning notice WN-1") == [("s29A: open", "2016-03-01", "2017-01-01")]


def test_with_a_location_the_rows_are_its_overall_and_each_of_its_services_overall():
    doc = drawn(history(), location_id="RWP01")

    assert doc["rows"] == ["Worcestershire Royal: overall", "Maternity: overall"]
    assert bands_of(doc, "ratings", "Maternity: overall") == [("No rating", "2010-04-01", "2019-05-01"), (GOOD, "2019-05-01", "2024-01-01")]


def test_a_locations_timeline_starts_at_the_locations_registration_not_its_providers():
    later_place = recorded(*lines(location("RWP02", on="2015-04-01", name="Kidderminster")))

    doc = drawn(later_place, location_id="RWP02")
    trust = drawn(later_place)

    assert doc["from"] == "2015-04-01"
    assert bands_of(doc, "ratings", "Kidderminster: overall") == [("No rating", "2015-04-01", "2024-01-01")]
    assert [r["report_id"] for r in doc["reports"]] == ["R1", "R2", "R3"]
    assert trust["from"] == "2010-04-01"


def test_an_unknown_location_is_refused_naming_it():
    with pytest.raises(UnknownLocation, match='no location "RWP99"'):
        drawn(history(), location_id="RWP99")


def test_known_at_draws_what_the_ledger_said_then():
    later = history(corrected("RWP/7", report("R2", "2017-06-20", cell("overall", GOOD), cell("caring", GOOD))))  # RWP/13

    then = drawn(later, known_at=moment(12))
    now = drawn(later)

    assert bands_of(then, "ratings", "Overall")[-1] == (INADEQUATE, "2017-06-20", "2024-01-01")
    assert bands_of(now, "ratings", "Overall")[-1] == (GOOD, "2017-06-20", "2024-01-01")


def test_a_rating_is_drawn_only_while_in_force_no_rating_once_its_location_or_the_provider_is_deregistered():
    gone = history(
        {"type": "LocationDeregistered", "provider_id": "RWP", "location_id": "RWP01", "on": "2021-03-31"},
        {"type": "ProviderDeregistered", "provider_id": "RWP", "on": "2022-03-31"},
    )

    maternity = bands_of(drawn(gone, location_id="RWP01"), "ratings", "Maternity: overall")
    overall = bands_of(drawn(gone), "ratings", "Overall")

    # on the register through each deregistration day, the rating drawn through it too
    assert maternity[-2:] == [(GOOD, "2019-05-01", "2021-04-01"), ("No rating", "2021-04-01", "2024-01-01")]
    assert overall[-2:] == [(INADEQUATE, "2017-06-20", "2022-04-01"), ("No rating", "2022-04-01", "2024-01-01")]
