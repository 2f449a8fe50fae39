"""How long a rating has stood: `unchanged_since` is the first day of the unbroken run of the same
rating, while `since` stays the day of the report that last set it (CONTRACT.md section 2)."""

from __future__ import annotations

from datetime import date

from builders import cell, corrected, registered, report, retracted, revised
from recorded_history import moment, recorded

from cqc_ledger.projections.status import CellValue, held_after, status_at

TRUST_OVERALL = (None, None, "overall")
INADEQUATE, RI, GOOD = "Inadequate", "Requires improvement", "Good"


def overall(history: list, at: str, known_at=None) -> CellValue:
    return status_at(history, "RWP", date.fromisoformat(at), known_at).cells[TRUST_OVERALL]


def worcestershire(*more: dict) -> list:
    """RWP's trust overall: Inadequate in 2015 and again in 2017 and 2018, then Requires improvement in 2019."""
    return recorded(
        registered("RWP"),  # RWP/1
        report("R-2015", "2015-12-02", cell("overall", INADEQUATE)),  # RWP/2
        report("R-2017", "2017-06-20", cell("overall", INADEQUATE), cell("safe", INADEQUATE)),  # RWP/3
        report("R-2018", "2018-06-05", cell("overall", INADEQUATE)),  # RWP/4
        report("R-2019", "2019-09-20", cell("overall", RI)),  # RWP/5
        *more,
    )


def test_a_republished_rating_keeps_the_day_its_run_began_and_since_is_the_last_report():
    # Given RWP Inadequate from 2015-12-02, published again on 2017-06-20
    # When the status is asked on 2017-09-01
    value = overall(worcestershire(), "2017-09-01")
    # Then the rating has stood since 2015 and was last published in 2017
    assert (value.rating, value.unchanged_since, value.since, value.ref) == (INADEQUATE, date(2015, 12, 2), date(2017, 6, 20), "RWP/3")


def test_a_different_rating_starts_a_new_run():
    value = overall(worcestershire(), "2020-01-01")
    assert (value.rating, value.unchanged_since, value.since) == (RI, date(2019, 9, 20), date(2019, 9, 20))


def test_a_first_rating_stands_from_its_own_day():
    value = overall(worcestershire(), "2016-01-01")
    assert value.unchanged_since == value.since == date(2015, 12, 2)


def test_a_cell_first_rated_by_a_later_report_runs_from_that_report():
    history = worcestershire()
    safe = status_at(history, "RWP", date(2019, 1, 1)).cells[(None, None, "safe")]
    assert (safe.unchanged_since, safe.since) == (date(2017, 6, 20), date(2017, 6, 20))


def test_a_run_broken_in_between_starts_again_after_the_break():
    # Given Inadequate, then a revision to Requires improvement, then Inadequate again
    history = worcestershire(revised("2016-06-01", cell("overall", RI)))  # RWP/6
    # Then on 2018-01-01 the run began with the 2017 report, not in 2015
    value = overall(history, "2018-01-01")
    assert (value.unchanged_since, value.since) == (date(2017, 6, 20), date(2017, 6, 20))


def test_a_revision_to_the_same_rating_does_not_break_the_run():
    history = worcestershire(revised("2016-06-01", cell("overall", INADEQUATE)))  # RWP/6
    value = overall(history, "2016-07-01")
    assert (value.unchanged_since, value.since, value.ref) == (date(2015, 12, 2), date(2016, 6, 1), "RWP/6")


def test_a_correction_that_changes_a_republication_breaks_the_run_from_when_it_is_known():
    # Given the 2017 report corrected, when recorded at RWP/6, to Requires improvement overall
    history = worcestershire(corrected("RWP/3", report("R-2017", "2017-06-20", cell("overall", RI))))  # RWP/6
    # Then as now known, the 2018 Inadequate starts a new run
    assert overall(history, "2018-12-01").unchanged_since == date(2018, 6, 5)
    # And as known before the correction, the run still began in 2015
    assert overall(history, "2018-12-01", known_at=moment(5)).unchanged_since == date(2015, 12, 2)


def test_a_retraction_of_a_different_rating_between_two_mends_the_run():
    # Given a revision to Requires improvement in 2016, later retracted
    history = worcestershire(revised("2016-06-01", cell("overall", RI)), retracted("RWP/6"))  # RWP/6, RWP/7
    # Then once the retraction is known the run is unbroken from 2015
    assert overall(history, "2018-01-01").unchanged_since == date(2015, 12, 2)
    # And before it was known, the run began in 2017
    assert overall(history, "2018-01-01", known_at=moment(6)).unchanged_since == date(2017, 6, 20)


def test_held_after_carries_the_run_only_for_the_same_word():
    first = CellValue(GOOD, date(2015, 1, 1), "P/1")
    again = held_after(first, CellValue(GOOD, date(2016, 1, 1), "P/2"))
    other = held_after(again, CellValue(RI, date(2017, 1, 1), "P/3"))
    assert (first.unchanged_since, again.unchanged_since, other.unchanged_since) == (date(2015, 1, 1), date(2015, 1, 1), date(2017, 1, 1))
