"""Times as the ledger writes them: UTC, ISO 8601 with microseconds, the year in four digits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from cqc_ledger.ledger.records import format_time, parse_time


@pytest.mark.parametrize(
    ("moment", "written"),
    [
        (datetime(2026, 11, 22, 15, 33, 46, 123456, tzinfo=UTC), "2026-11-22T15:33:46.123456Z"),
        (datetime(2019, 3, 1, tzinfo=UTC), "2019-03-01T00:00:00.000000Z"),
        (datetime(2019, 3, 1, 1, 30, tzinfo=timezone(timedelta(hours=2))), "2019-02-28T23:30:00.000000Z"),
        (datetime(1, 1, 1, 23, 59, 59, 999999, tzinfo=UTC), "0001-01-01T23:59:59.999999Z"),
        (datetime(999, 12, 31, tzinfo=UTC), "0999-12-31T00:00:00.000000Z"),
    ],
)
def test_a_time_is_written_in_utc_with_microseconds_and_a_four_digit_year(moment: datetime, written: str):
    assert format_time(moment) == written
    assert parse_time(written) == moment


def test_times_written_sort_as_text_as_they_sort_in_time():
    moments = [datetime(year, 6, 1, tzinfo=UTC) for year in (1, 9, 99, 999, 1000, 2026, 9999)]

    assert sorted(format_time(m) for m in moments) == [format_time(m) for m in moments]
