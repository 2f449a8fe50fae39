"""The periods `counts` counts: their ends, and how many there are, reckoned without making them
(what the web site weighs before it counts)."""

from __future__ import annotations

from datetime import date

import pytest

from cqc_ledger.projections.counts import period_count, period_ends


def test_each_period_ends_on_its_last_day_and_the_last_is_cut_to_the_end():
    assert period_ends(date(2019, 2, 10), date(2019, 5, 15), "month") == [
        date(2019, 2, 28),
        date(2019, 3, 31),
        date(2019, 4, 30),
        date(2019, 5, 15),
    ]
    assert period_ends(date(2019, 2, 10), date(2020, 2, 29), "quarter") == [
        date(2019, 3, 31),
        date(2019, 6, 30),
        date(2019, 9, 30),
        date(2019, 12, 31),
        date(2020, 2, 29),
    ]
    assert period_ends(date(1, 1, 1), date(9999, 12, 31), "year")[-2:] == [date(9998, 12, 31), date(9999, 12, 31)]


@pytest.mark.parametrize(
    ("start", "end", "every", "count"),
    [
        (date(2019, 1, 15), date(2019, 1, 20), "month", 1),
        (date(2015, 1, 1), date(2024, 12, 31), "month", 120),  # ten years by month
        (date(2015, 1, 15), date(2025, 1, 15), "month", 121),
        (date(2019, 3, 31), date(2019, 4, 1), "quarter", 2),
        (date(1925, 1, 1), date(2024, 12, 31), "year", 100),  # a century by year
        (date(1, 1, 1), date(9999, 12, 31), "month", 119_988),
    ],
)
def test_the_count_of_periods_is_how_many_ends_there_are(start: date, end: date, every: str, count: int):
    assert period_count(start, end, every) == count
    if count < 10_000:
        assert len(period_ends(start, end, every)) == count
