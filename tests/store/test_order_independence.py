"""Entries may be recorded in any order: the status on a day depends on what happened, not on when
the ledger learned it (CONTRACT.md section 2, "Status at day D").

Hypothesis writes valid histories of one trust, records each twice into real SQLite ledgers, once
in the order things happened and once shuffled, and compares the trust's status on every day.
The shuffle keeps first what must come first: the registration, a location's registration before
any entry naming it, a notice's issue before its assessment. Entries whose relative order on one
day would matter (two reports on one day, two oversight segments on one day...) are generated on
different days; facts of different kinds share days freely.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cqc_ledger.events import enforcement, inspections, oversight, provider
from cqc_ledger.events.base import Entry, RatingCell
from cqc_ledger.events.vocabulary import (
    ENFORCEMENT_ACTIONS,
    KEY_QUESTIONS,
    NOTICE_OUTCOMES,
    OVERALL,
    OVERSIGHT_SEGMENTS,
    QUESTIONS,
    RATINGS,
)
from cqc_ledger.ledger.application import Ledger
from cqc_ledger.ledger.records import Recorded
from cqc_ledger.projections.output.status import status_json
from cqc_ledger.projections.status import status_at

RWP = "RWP"
# Late enough that every kind of rating and every oversight framework had begun (ledger.meaning).
REGISTERED_ON = date(2025, 6, 1)
SPAN = 60  # days after registration within which everything happens: small, so days collide
LOCATIONS = ("RWP01", "RWP50")
SERVICES = ("Urgent and emergency services", "Medical care (including older people's care)")
PLACE_QUESTIONS = (OVERALL, *KEY_QUESTIONS)
CELL_KEYS = (
    [(None, None, q) for q in QUESTIONS]
    + [(None, s, q) for s in SERVICES for q in PLACE_QUESTIONS]
    + [(loc, None, q) for loc in LOCATIONS for q in PLACE_QUESTIONS]
    + [(loc, s, q) for loc in LOCATIONS for s in SERVICES for q in PLACE_QUESTIONS]
)


def day(offset: int) -> date:
    return REGISTERED_ON + timedelta(days=offset)


@dataclass
class History:
    """Entries in the order they happened, and for each, the entries it needs recorded before it."""

    entries: list[Entry] = field(default_factory=list)
    needs: list[set[int]] = field(default_factory=list)

    def add(self, entry: Entry, *needs: int) -> int:
        self.entries.append(entry)
        self.needs.append(set(needs))
        return len(self.entries) - 1


def distinct_days(draw: Any, count: int) -> list[int]:
    """`count` different days, in order: for facts of one kind, whose same-day order would matter."""
    return sorted(draw(st.lists(st.integers(1, SPAN), min_size=count, max_size=count, unique=True)))


@st.composite
def histories(draw: Any) -> History:
    history = History()
    registration = history.add(provider.ProviderRegistered(provider_id=RWP, name="Worcestershire Acute", on=REGISTERED_ON))
    sites = {
        loc: history.add(
            provider.LocationRegistered(provider_id=RWP, location_id=loc, name=f"Hospital {loc}", on=REGISTERED_ON),
            registration,
        )
        for loc in LOCATIONS
    }

    def needing(*location_ids: str | None) -> list[int]:
        return [registration, *(sites[loc] for loc in location_ids if loc)]

    # Reports and rating revisions: each sets cells, so no two share a day.
    reports = draw(
        st.lists(
            st.lists(st.tuples(st.sampled_from(CELL_KEYS), st.sampled_from(RATINGS)), max_size=8, unique_by=lambda c: c[0]), max_size=4
        )
    )
    revisions = draw(st.lists(st.tuples(st.sampled_from(CELL_KEYS), st.sampled_from(RATINGS)), max_size=3))
    setting_days = distinct_days(draw, len(reports) + len(revisions))
    draw(st.randoms()).shuffle(setting_days)
    for n, cells in enumerate(reports):
        ratings = tuple(RatingCell(location_id=loc, service=s, question=q, rating=r) for (loc, s, q), r in cells)
        history.add(
            inspections.ReportPublished(provider_id=RWP, report_id=f"RWP-R{n}", on=day(setting_days.pop()), ratings=ratings),
            *needing(*(c.location_id for c in ratings)),
        )
    for (loc, s, q), r in revisions:
        history.add(
            inspections.RatingRevised(
                provider_id=RWP,
                on=day(setting_days.pop()),
                reason="rating review",
                cell=RatingCell(location_id=loc, service=s, question=q, rating=r),
            ),
            *needing(loc),
        )

    # Special measures: per regime, entered and exited in alternation, on different days.
    for regime in ("quality", "finance"):
        for n, on in enumerate(distinct_days(draw, draw(st.integers(0, 4)))):
            kind = oversight.SpecialMeasuresEntered if n % 2 == 0 else oversight.SpecialMeasuresExited
            history.add(kind(provider_id=RWP, on=day(on), regime=regime), registration)

    # Warning notices, some assessed (on their issue day or later).
    for n in range(draw(st.integers(0, 3))):
        issued_on = draw(st.integers(1, SPAN))
        loc = draw(st.sampled_from((None, *LOCATIONS)))
        issue = history.add(
            enforcement.WarningNoticeIssued(
                provider_id=RWP,
                notice_id=f"RWP-WN-{n}",
                on=day(issued_on),
                section=draw(st.sampled_from(("29A", "29"))),
                deadline=day(issued_on + draw(st.integers(0, 30))),
                location_id=loc,
            ),
            *needing(loc),
        )
        if draw(st.booleans()):
            history.add(
                enforcement.WarningNoticeAssessed(
                    provider_id=RWP,
                    notice_id=f"RWP-WN-{n}",
                    on=day(draw(st.integers(issued_on, SPAN))),
                    outcome=draw(st.sampled_from(NOTICE_OUTCOMES)),
                ),
                registration,
                issue,
            )

    # Oversight segments, inspections, enforcement actions, renamings: one of each kind a day.
    frameworks = st.sampled_from(tuple(OVERSIGHT_SEGMENTS))
    for on in distinct_days(draw, draw(st.integers(0, 3))):
        framework = draw(frameworks)
        number = draw(st.integers(1, OVERSIGHT_SEGMENTS[framework]))
        history.add(oversight.OversightSegmentChanged(provider_id=RWP, on=day(on), framework=framework, segment=number), registration)
    for n, on in enumerate(distinct_days(draw, draw(st.integers(0, 2)))):
        history.add(inspections.InspectionCarriedOut(provider_id=RWP, inspection_id=f"RWP-I{n}", on=day(on)), registration)
    for n, on in enumerate(distinct_days(draw, draw(st.integers(0, 2)))):
        loc = draw(st.sampled_from((None, *LOCATIONS)))
        history.add(
            enforcement.EnforcementActionTaken(
                provider_id=RWP, action_id=f"RWP-A{n}", on=day(on), action=draw(st.sampled_from(ENFORCEMENT_ACTIONS)), location_id=loc
            ),
            *needing(loc),
        )
    for n, on in enumerate(distinct_days(draw, draw(st.integers(0, 2)))):
        history.add(provider.ProviderRenamed(provider_id=RWP, name=f"Worcestershire Acute ({n})", on=day(on)), registration)
    if draw(st.booleans()):
        history.add(
            # on the last day: nothing is rated at a location after its deregistration
            provider.LocationDeregistered(provider_id=RWP, location_id="RWP50", on=day(SPAN)),
            *needing("RWP50"),
        )
    return history


def in_order_of_happening(history: History) -> list[int]:
    """The order things happened in: by day, a thing before what needs it."""
    return recording_order(history, sorted(range(len(history.entries)), key=lambda i: history.entries[i].on))  # type: ignore[attr-defined]


def recording_order(history: History, preference: Sequence[int]) -> list[int]:
    """The entries in the order `preference` gives, except that none comes before what it needs."""
    done: set[int] = set()
    order: list[int] = []
    while len(order) < len(preference):
        nxt = next(i for i in preference if i not in done and history.needs[i] <= done)
        order.append(nxt)
        done.add(nxt)
    return order


def record(path: Path, entries: list[Entry]) -> list[Recorded]:
    ledger = Ledger(str(path))
    try:
        outcome = ledger.record([(n, e, None) for n, e in enumerate(entries, 1)])
        assert outcome.skipped == []
        return ledger.entries_of(RWP)
    finally:
        ledger.close()


def status_document(recorded: list[Recorded], on: date) -> dict[str, Any]:
    """The status document of `status --json`, less what names the recording: refs and times."""
    return without_recording(status_json(status_at(recorded, RWP, on), on, recorded[-1].recorded_at))


def without_recording(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_recording(v) for k, v in value.items() if k not in ("ref", "recorded_at", "known_at")}
    if isinstance(value, list):
        return [without_recording(v) for v in value]
    return value


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(history=histories(), data=st.data())
def test_status_on_every_day_does_not_depend_on_the_order_of_recording(history, data):
    # Given a history, and a shuffled order of recording that keeps first what must come first
    preference = data.draw(st.permutations(range(len(history.entries))), label="shuffle")
    shuffled = recording_order(history, preference)

    # When it is recorded once in the order things happened and once in the shuffled order
    with tempfile.TemporaryDirectory() as tmp:
        in_time = record(Path(tmp) / "in-time.db", [history.entries[i] for i in in_order_of_happening(history)])
        out_of_time = record(Path(tmp) / "shuffled.db", [history.entries[i] for i in shuffled])

    # Then on every day, from before the registration to after the last fact, the status is the same
    for offset in range(-1, SPAN + 2):
        on = day(offset)
        assert status_document(out_of_time, on) == status_document(in_time, on), f"on {on}"


def test_the_comparison_sees_a_difference_of_order_where_one_matters(tmp_path):
    # Two reports setting one cell on one day: the later recorded wins, so the order shows.
    registration = provider.ProviderRegistered(provider_id=RWP, name="Worcestershire Acute", on=REGISTERED_ON)

    def rated(rating: str, n: int) -> Entry:
        return inspections.ReportPublished(
            provider_id=RWP, report_id=f"RWP-R{n}", on=day(3), ratings=(RatingCell(question="overall", rating=rating),)
        )

    good_last = record(tmp_path / "a.db", [registration, rated("Inadequate", 1), rated("Good", 2)])
    inadequate_last = record(tmp_path / "b.db", [registration, rated("Good", 2), rated("Inadequate", 1)])

    assert status_document(good_last, day(3))["ratings"]["overall"]["rating"] == "Good"
    assert status_document(inadequate_last, day(3))["ratings"]["overall"]["rating"] == "Inadequate"
