"""`trusts`' open warning notices from the views: the views read no assessment and no notice
assessed (`projections.views.sqlite._HEADLINE_FACTS`), so which assessments count is decided in
the query. A notice is open until an assessment in force on the day, as known at the time,
closes it: one dated after the day, recorded after the time, retracted or corrected away by then
(or only after then) must leave it as replay leaves it.

RWP's three notices are issued in 2016; WN1 is assessed met in March and WN2 not met in June
(recorded an hour later); an hour after that WN2's assessment is retracted, and an hour after
that WN1's is corrected to May. The views equal replay on every day and time around those.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from cqc_ledger.ledger.application import Ledger
from cqc_ledger.ledger.parsing import parse_entry
from cqc_ledger.projections.status import status_at
from cqc_ledger.projections.trusts import headline_of
from cqc_ledger.projections.views import open_views

START = datetime(2026, 1, 1, tzinfo=UTC)
ISSUED = [
    {"type": "ProviderRegistered", "provider_id": "RWP", "name": "Worcestershire Acute Hospitals", "on": "2010-04-01"},
    *(
        {"type": "WarningNoticeIssued", "provider_id": "RWP", "notice_id": notice, "section": "29A", "on": on}
        for notice, on in (("WN1", "2016-01-10"), ("WN2", "2016-02-01"), ("WN3", "2016-03-01"))
    ),
]
WN1_MET = {"type": "WarningNoticeAssessed", "provider_id": "RWP", "notice_id": "WN1", "outcome": "met", "on": "2016-03-01"}
ASSESSED = [WN1_MET, {"type": "WarningNoticeAssessed", "provider_id": "RWP", "notice_id": "WN2", "outcome": "not-met", "on": "2016-06-01"}]
RETRACTED = [{"type": "EntryRetracted", "provider_id": "RWP", "ref": "RWP/6", "reason": "recorded against the wrong notice"}]
CORRECTED = [
    {"type": "EntryCorrected", "provider_id": "RWP", "ref": "RWP/5", "replacement": {**WN1_MET, "on": "2016-05-01"}, "reason": "the day"}
]
DAYS = [date(2016, 1, 9), date(2016, 2, 29), date(2016, 3, 1), date(2016, 4, 30), date(2016, 5, 1), date(2016, 6, 1), date(2017, 1, 1)]


def recorded(db: str) -> tuple[Ledger, list[datetime]]:
    """RWP's batches, each recorded an hour after the one before, the views following each."""
    ledger = Ledger(db)
    views = open_views(ledger)
    times = [START + timedelta(hours=n) for n in range(4)]
    for moment, batch in zip(times, (ISSUED, ASSESSED, RETRACTED, CORRECTED), strict=True):
        ledger.record(
            [(n + 1, parse_entry(e, today=date(2026, 11, 22)), None) for n, e in enumerate(batch)],
            followers=[views.follow],
            clock=lambda moment=moment: moment,  # type: ignore[misc]
        )
    return ledger, times


def open_notices(ledger: Ledger, at: date, known_at: datetime | None) -> tuple[Any, Any]:
    """The open notices the views count, and those replay counts."""
    (from_views,) = open_views(ledger).headlines(at, known_at)
    replayed = headline_of(status_at(ledger.entries_of("RWP"), "RWP", at, known_at))
    assert from_views == replayed
    return from_views.open_notices, replayed.open_notices


def test_a_notice_is_open_in_the_views_until_an_assessment_in_force_then_closes_it(db: str) -> None:
    # Given RWP's notices, assessed, one assessment retracted and the other corrected, an hour apart
    ledger, (issued, assessed, retracted, corrected) = recorded(db)
    try:
        # When the views are asked on each day, as known at each time around those, Then they equal replay
        for at in DAYS:
            for known_at in (None, issued, *(t + timedelta(minutes=m) for t in (assessed, retracted, corrected) for m in (-1, 0, 1))):
                open_notices(ledger, at, known_at)
        # and in particular: an assessment dated after the day closes nothing yet
        assert open_notices(ledger, date(2016, 3, 1), assessed) == (2, 2)
        assert open_notices(ledger, date(2016, 2, 29), assessed) == (2, 2)
        # one recorded after the time closes nothing as known then
        assert open_notices(ledger, date(2017, 1, 1), issued) == (3, 3)
        assert open_notices(ledger, date(2017, 1, 1), assessed) == (1, 1)
        # a retracted assessment closes nothing from its retraction on
        assert open_notices(ledger, date(2017, 1, 1), retracted) == (2, 2)
        # a corrected one closes its notice from its corrected day, as known from the correction
        assert open_notices(ledger, date(2016, 4, 30), retracted) == (2, 2)
        assert open_notices(ledger, date(2016, 4, 30), corrected) == (3, 3)
        assert open_notices(ledger, date(2016, 5, 1), None) == (2, 2)
    finally:
        ledger.close()
