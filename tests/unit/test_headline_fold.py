"""The headline fold of the views (`projections.views.headlines.headlines_from`): each provider's
visible headline facts, in the tables' order, become its `Headline` (what `trusts` lists), with
the latest fact of each subject in force and the trust's overall folded as the status fold folds
a cell. (That it equals `headline_of` the replayed status on generated histories is held by
tests/store/test_views_equal_replay.py.)"""

from __future__ import annotations

from datetime import date

import orjson
import pytest

from cqc_ledger.projections.status import CellValue, Since, held_after
from cqc_ledger.projections.trusts import Headline
from cqc_ledger.projections.views.headlines import headlines_from

REGISTERED = '{"provider_type":"acute","region":"West Midlands"}'


def notice(deadline: str | None) -> str:
    """A warning notice's fact value, as the views store it."""
    return orjson.dumps({"deadline": deadline, "location_id": None, "section": "29A", "service": None}).decode()


# RWP's visible facts on a day, as the views return them: by topic, subject, day and position.
RWP = [
    ("RWP", "assessment", "WN1", "2016-03-01", 6, "met"),
    ("RWP", "name", "", "2010-04-01", 1, "Worcestershire Acute Hospitals NHS Trust"),
    ("RWP", "name", "", "2018-01-01", 9, "Worcestershire Acute Hospitals"),
    ("RWP", "notice", "WN1", "2016-01-10", 5, notice("2016-02-10")),
    ("RWP", "notice", "WN2", "2019-02-01", 12, notice(None)),
    ("RWP", "notice", "WN3", "2019-03-01", 13, notice("2019-04-01")),
    ("RWP", "overall", "", "2015-12-02", 3, "Inadequate"),
    ("RWP", "overall", "", "2017-06-20", 7, "Inadequate"),
    ("RWP", "overall", "", "2018-06-05", 10, "Inspected but not rated"),
    ("RWP", "oversight", "", "2016-10-01", 4, '{"framework":"SOF-2016","segment":4}'),
    ("RWP", "oversight", "", "2018-04-01", 8, '{"framework":"SOF-2016","segment":3}'),
    ("RWP", "regime", "finance", "2017-01-01", 14, '{"decided_by":null,"entered":true}'),
    ("RWP", "regime", "quality", "2016-01-01", 2, '{"decided_by":"NHS Improvement","entered":true}'),
    ("RWP", "regime", "quality", "2018-03-01", 11, '{"decided_by":"NHS Improvement","entered":false}'),
    ("RWP", "registered", "", "2010-04-01", 1, REGISTERED),
]


def test_the_latest_fact_of_each_subject_is_in_force_and_the_overall_is_folded_as_a_run():
    # Given RWP's facts up to 2019-06-30
    # When they are folded
    (rwp,) = headlines_from(RWP)
    # Then the later name and segment are in force, the regime not exited since, and the two notices not assessed
    assert rwp == Headline(
        "RWP",
        "Worcestershire Acute Hospitals",
        "acute",
        "West Midlands",
        # the overall has stood since 2015, last published in 2017, inspected without a new rating in 2018
        CellValue("Inadequate", date(2017, 6, 20), "RWP/7", date(2015, 12, 2), inspected_on=date(2018, 6, 5), inspected_ref="RWP/10"),
        ("finance",),
        2,
        3,
        None,
    )


def test_a_provider_without_a_name_in_force_is_left_out_and_the_rest_come_by_provider_id():
    # Given a provider deregistered with a successor, one with only an overall fact, and RWP
    rows = [
        ("R1A", "deregistered", "", "2019-04-01", 3, '{"successor_id":"RWP"}'),
        ("R1A", "name", "", "2012-01-01", 1, "Old Trust"),
        ("R1A", "registered", "", "2012-01-01", 1, '{"provider_type":null,"region":null}'),
        ("R2B", "overall", "", "2016-01-01", 2, "Good"),
        *RWP,
    ]
    # When they are folded
    found = headlines_from(rows)
    # Then the nameless provider is left out, and the deregistered one names its successor
    assert [h.provider_id for h in found] == ["R1A", "RWP"]
    assert found[0] == Headline("R1A", "Old Trust", None, None, None, (), 0, None, Since(date(2019, 4, 1), "R1A/3", "RWP"))


@pytest.mark.parametrize(
    ("ratings", "expected"),
    [
        # a republished rating after an inspection without one: the run goes on, the mark is gone
        (("Good", "Inspected but not rated", "Good"), CellValue("Good", date(2017, 1, 1), "RWP/4", date(2015, 1, 1))),
        # "Inspected but not rated" over no rating, or over "Not rated", is a value of its own
        (("Inspected but not rated",), CellValue("Inspected but not rated", date(2015, 1, 1), "RWP/2", date(2015, 1, 1))),
        (("Not rated", "Inspected but not rated"), CellValue("Inspected but not rated", date(2016, 1, 1), "RWP/3", date(2016, 1, 1))),
        # another word starts a new run
        (("Good", "Good", "Requires improvement"), CellValue("Requires improvement", date(2017, 1, 1), "RWP/4", date(2017, 1, 1))),
    ],
)
def test_the_overall_is_folded_as_held_after_folds_a_cell(ratings: tuple[str, ...], expected: CellValue):
    # Given RWP's overall published once a year from 2015 (RWP/2, RWP/3, ...)
    rows = [
        ("RWP", "name", "", "2010-04-01", 1, "Worcestershire Acute Hospitals"),
        *(("RWP", "overall", "", f"{2015 + i}-01-01", 2 + i, rating) for i, rating in enumerate(ratings)),
    ]
    # When they are folded
    (rwp,) = headlines_from(rows)
    # Then the overall is what the status fold's held_after makes of them
    assert rwp.overall == expected
    held = None
    for i, rating in enumerate(ratings):
        held = held_after(held, CellValue(rating, date(2015 + i, 1, 1), f"RWP/{2 + i}"))
    assert held == expected
