"""A provider's ledger as the recording transaction builds it: read from the store (`load`), it
knows what the ledger that recorded those entries one by one (`append`) knew, however many
corrections and retractions are among them; so whatever was accepted never makes a later valid
entry refused.

Hypothesis writes inputs of special measures, warning notices (an id issued again, a notice
corrected) and mends in any order; the rules accept some and refuse others, as they would a user's.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from builders import Line, corrected, entered, exited, location, notice_issued, registered, renamed, retracted
from hypothesis import given, settings
from hypothesis import strategies as st

from cqc_ledger.ledger.errors import RuleBroken
from cqc_ledger.ledger.parsing import parse_entry
from cqc_ledger.ledger.provider import ProviderLedger
from cqc_ledger.ledger.records import Recorded
from cqc_ledger.ledger.store.codec import identity_of

TODAY = date(2026, 1, 1)
AT = datetime(2026, 1, 1, tzinfo=UTC)
START = date(2016, 1, 1)


def _day(n: int) -> str:
    return (START + timedelta(days=n)).isoformat()


def _content(line: Line) -> tuple[object, bytes]:
    entry = parse_entry(line, today=TODAY)
    return entry, identity_of(entry)


def recorded_one_by_one(lines: list[Line]) -> tuple[ProviderLedger, list[Recorded]]:
    """The lines recorded one input each, as the application records them: each decided on the
    ledger as it stands and appended, then settled; refused ones are left out."""
    stored: list[Recorded] = []
    for line in lines:
        ledger = _appended(stored)
        entry, content = _content(line)
        try:
            if ledger.decide(entry, content):  # type: ignore[arg-type]
                continue
            recorded = ledger.append(entry, content, AT)  # type: ignore[arg-type]
            ledger.settle(recorded.position)
        except RuleBroken:
            continue
        stored.append(recorded)
    return _appended(stored), stored


def _appended(stored: list[Recorded]) -> ProviderLedger:
    """A ledger that recorded `stored` entry by entry (reading its history from `stored`)."""
    written: list[Recorded] = []
    ledger = ProviderLedger("RWP", lambda: list(written))
    for r in stored:
        ledger.append(r.entry, identity_of(r.entry), r.recorded_at)
        written.append(r)
    return ledger


def loaded(stored: list[Recorded]) -> ProviderLedger:
    """The ledger read back from the store."""
    return ProviderLedger("RWP", lambda: list(stored)).load((r, identity_of(r.entry)) for r in stored)


BASE = [registered(on="2010-04-01"), location("RWP01", on="2010-04-01")]

regimes = st.sampled_from(["quality", "finance"])
days = st.integers(0, 400)
lines = st.one_of(
    st.builds(lambda r, d: entered(_day(d), r), regimes, days),
    st.builds(lambda r, d: exited(_day(d), r), regimes, days),
    st.builds(lambda n, d, s: notice_issued(n, _day(d), s), st.sampled_from(["W1", "W2"]), days, st.sampled_from(["29A", "29"])),
    st.builds(lambda p: retracted(f"RWP/{p}"), st.integers(3, 14)),
    st.builds(
        lambda p, n, d, s: corrected(f"RWP/{p}", notice_issued(n, _day(d), s)),
        st.integers(3, 14),
        st.sampled_from(["W1", "W2"]),
        days,
        st.sampled_from(["29A", "29"]),
    ),
    st.builds(lambda p, d: corrected(f"RWP/{p}", entered(_day(d))), st.integers(3, 14), days),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(lines, min_size=1, max_size=12))
def test_a_ledger_read_from_the_store_knows_what_the_ledger_that_recorded_it_knew(tried):
    # Given a provider's entries recorded one input at a time (what the rules accepted of them)
    recording, stored = recorded_one_by_one(BASE + tried)
    # When its ledger is read back from the store
    read = loaded(stored)
    # Then it knows the same entries and facts as the ledger that recorded them
    assert (read.version, read.known, read.facts) == (recording.version, recording.known, recording.facts)
    # ...and a further valid entry is recorded on it
    entry, content = _content(renamed("2010-05-01", "Worcestershire"))
    assert read.decide(entry, content) is None  # type: ignore[arg-type]
    read.append(entry, content, AT)  # type: ignore[arg-type]
    read.settle(read.version)
