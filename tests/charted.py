"""A small history with something of everything a chart draws: ratings at trust, location and
service level, special measures, warning notices met and open, oversight segments, a renaming."""

from __future__ import annotations

from typing import Any

from builders import cell, entered, exited, location, notice_assessed, notice_issued, registered, report, segment

INADEQUATE, RI, GOOD = "Inadequate", "Requires improvement", "Good"


def lines(*more: dict[str, Any]) -> list[dict[str, Any]]:
    """The history's entry lines (RWP/1 to RWP/12), then `more`."""
    return [
        registered("RWP", name="Worcestershire Acute Hospitals NHS Trust"),  # RWP/1
        location("RWP01", name="Worcestershire Royal"),  # RWP/2
        report(
            "R1",
            "2016-01-10",
            cell("overall", RI),
            cell("safe", RI),
            cell("overall", INADEQUATE, "RWP01"),
            source="https://www.cqc.org.uk/provider/RWP/reports",
        ),  # RWP/3
        entered("2016-02-01"),  # RWP/4
        notice_issued("WN-1", "2016-03-01"),  # RWP/5
        segment("2016-10-01", "SOF-2016", 4),  # RWP/6
        report("R2", "2017-06-20", cell("overall", INADEQUATE), cell("caring", GOOD)),  # RWP/7
        notice_assessed("WN-1", "2017-06-20", "met"),  # RWP/8
        notice_issued("WN-2", "2017-07-01", section="29"),  # RWP/9
        exited("2018-01-15"),  # RWP/10
        segment("2018-02-01", "SOF-2016", 3),  # RWP/11
        report("R3", "2019-05-01", cell("overall", GOOD, "RWP01", "Maternity")),  # RWP/12
        *more,
    ]
