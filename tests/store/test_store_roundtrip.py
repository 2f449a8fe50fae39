"""Every entry type, every field filled, goes into a real SQLite ledger and comes back equal."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

from cqc_ledger.events import ENTRY_TYPES, continuity, corrections, enforcement, inspections, oversight, provider
from cqc_ledger.events.base import Entry, InheritedRating, RatingCell, ScopeItem
from cqc_ledger.ledger.application import Ledger
from cqc_ledger.ledger.records import Recorded

RWP = "RWP"
UEC = "Urgent and emergency services"
MEDICAL = "Medical care (including older people's care)"
SOURCE = "https://www.cqc.org.uk/provider/RWP"

# When the two inputs below were recorded: microseconds matter.
FIRST_INPUT_AT = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
SECOND_INPUT_AT = datetime(2026, 3, 2, 17, 5, 0, 1, tzinfo=UTC)


def report_of_2017(*, summary: str) -> inspections.ReportPublished:
    return inspections.ReportPublished(
        provider_id=RWP,
        source=SOURCE,
        report_id="RWP-2017-06-20",
        on=date(2017, 6, 20),
        ratings=(
            RatingCell(question="overall", rating="Inadequate"),
            RatingCell(question="well-led", rating="Inadequate"),
            RatingCell(location_id="RWP01", question="overall", rating="Inadequate"),
            RatingCell(location_id="RWP01", service=UEC, question="safe", rating="Inadequate"),
            RatingCell(service="Patient transport services", question="caring", rating="Good"),
        ),
        inspection_ids=("RWP-2016-11",),
        must_do=27,
        should_do=0,
        summary=summary,
        url="https://www.cqc.org.uk/news/releases/chief-inspector-hospitals-rates-worcestershire-acute-hospitals-nhs-trust-inadequate",
    )


# Recorded as one input, in this order (positions 1 to 16).
FIRST_INPUT: tuple[Entry, ...] = (
    provider.ProviderRegistered(
        provider_id=RWP,
        source=SOURCE,
        name="Worcestershire Acute Hospitals NHS Trust",
        on=date(2010, 4, 1),
        provider_type="acute",
        region="Midlands",
    ),
    provider.ProviderRenamed(provider_id=RWP, source=SOURCE, name="Worcestershire Acute Hospitals Trust", on=date(2011, 1, 1)),
    provider.LocationRegistered(
        provider_id=RWP, source=SOURCE, location_id="RWP01", name="Worcestershire Royal Hospital", on=date(2010, 4, 1)
    ),
    provider.LocationRegistered(
        provider_id=RWP, source=SOURCE, location_id="RWP52", name="Evesham Community Hospital", on=date(2010, 4, 1)
    ),
    provider.LocationDeregistered(provider_id=RWP, source=SOURCE, location_id="RWP52", on=date(2013, 3, 31)),
    inspections.InspectionCarriedOut(
        provider_id=RWP,
        source=SOURCE,
        inspection_id="RWP-2016-11",
        on=date(2016, 11, 22),
        until=date(2016, 12, 15),
        kind="comprehensive",
        framework="kloe-2014",
        scope=(
            ScopeItem(location_id="RWP01", service=UEC, questions=("safe", "well-led")),
            ScopeItem(location_id="RWP01", service=MEDICAL, questions=("effective",)),
        ),
        summary="Announced inspection 22-25 November 2016, unannounced visits in December.",
    ),
    report_of_2017(summary="Trust rated Inadequate overall."),
    inspections.RatingRevised(
        provider_id=RWP,
        source=SOURCE,
        on=date(2017, 9, 1),
        cell=RatingCell(location_id="RWP01", service=UEC, question="effective", rating="Requires improvement"),
        reason="rating review",
        report_id="RWP-2017-06-20",
    ),
    enforcement.WarningNoticeIssued(
        provider_id=RWP,
        source=SOURCE,
        notice_id="RWP-WN-2017-01",
        on=date(2017, 1, 27),
        section="29A",
        deadline=date(2017, 3, 10),
        location_id="RWP01",
        service=UEC,
        concerns=("patient safety", "governance", "urgent care pathway"),
    ),
    enforcement.WarningNoticeAssessed(
        provider_id=RWP, source=SOURCE, notice_id="RWP-WN-2017-01", on=date(2017, 6, 20), outcome="not-met", report_id="RWP-2017-06-20"
    ),
    enforcement.EnforcementActionTaken(
        provider_id=RWP,
        source=SOURCE,
        action_id="RWP-EA-2015-01",
        on=date(2015, 4, 1),
        action="condition-imposed",
        location_id="RWP01",
        details="Urgent condition on staffing in the emergency department.",
    ),
    oversight.SpecialMeasuresEntered(
        provider_id=RWP, source=SOURCE, on=date(2015, 12, 2), regime="quality", decided_by="NHS Trust Development Authority"
    ),
    oversight.SpecialMeasuresExited(
        provider_id=RWP, source=SOURCE, on=date(2020, 9, 24), regime="quality", decided_by="NHS England and NHS Improvement"
    ),
    oversight.OversightSegmentChanged(provider_id=RWP, source=SOURCE, on=date(2021, 7, 1), framework="SOF-2021", segment=4),
    continuity.ServiceSuperseded(
        provider_id=RWP,
        source=SOURCE,
        location_id="RWP01",
        service="Outpatients and diagnostic imaging",
        on=date(2019, 9, 20),
        by=("Outpatients", "Diagnostic imaging"),
    ),
    continuity.RatingsInherited(
        provider_id=RWP,
        source=SOURCE,
        location_id="RWP01",
        on=date(2016, 4, 1),
        from_provider_id="RWPX",
        from_location_id="RWPX1",
        ratings=(
            InheritedRating(
                location_id="RWP01", service=UEC, question="caring", rating="Good", published_on=date(2015, 6, 1), report_id="RWPX-2011"
            ),
        ),
    ),
)

# Recorded later, as a second input (positions 17 to 19).
SECOND_INPUT: tuple[Entry, ...] = (
    corrections.EntryRetracted(provider_id=RWP, source=SOURCE, ref="RWP/2", reason="no such renaming", on=date(2026, 3, 2)),
    corrections.EntryCorrected(
        provider_id=RWP,
        source=SOURCE,
        ref="RWP/7",
        replacement=report_of_2017(summary="Trust rated Inadequate overall (corrected summary)."),
        reason="summary misquoted",
        on=date(2026, 3, 2),
    ),
    provider.ProviderDeregistered(
        provider_id=RWP, source=SOURCE, on=date(2025, 4, 1), successor_id="RWPX", reason="merged (an invented case, to fill every field)"
    ),
)

RICH = FIRST_INPUT + SECOND_INPUT


def test_the_rich_instances_cover_exactly_the_entry_types():
    assert sorted({type(entry).__name__ for entry in RICH}) == sorted(ENTRY_TYPES)


def empty_fields(obj: object) -> list[str]:
    """The fields of an entry (or of the values in it) left empty, by path."""
    empty = []
    for f in dataclasses.fields(obj):  # type: ignore[arg-type]
        value = getattr(obj, f.name)
        if value is None or value == ():
            # A cell without location or service is the trust's own: those are its meaning.
            if not (isinstance(obj, RatingCell) and f.name in ("location_id", "service")):
                empty.append(f.name)
        for inner in value if isinstance(value, tuple) else (value,):
            if dataclasses.is_dataclass(inner):
                empty.extend(f"{f.name}.{name}" for name in empty_fields(inner))
    return empty


def test_the_rich_instances_fill_every_field():
    assert {type(entry).__name__: empty_fields(entry) for entry in RICH if empty_fields(entry)} == {}


def test_every_entry_type_comes_back_from_the_store_equal_with_its_times(db: str):
    path = db

    # Given every entry type recorded, richly filled, in two inputs at known times
    writer = Ledger(path)
    first = writer.record([(n, e, None) for n, e in enumerate(FIRST_INPUT, 1)], clock=lambda: FIRST_INPUT_AT)
    second = writer.record([(n, e, None) for n, e in enumerate(SECOND_INPUT, 1)], clock=lambda: SECOND_INPUT_AT)
    writer.close()
    assert (len(first.recorded), len(second.recorded)) == (len(FIRST_INPUT), len(SECOND_INPUT))

    # When the ledger is opened again and read
    reader = Ledger(path)
    read = reader.entries_of(RWP)
    everything = list(reader.all_entries())
    reader.close()

    # Then every entry is as it was recorded: the entry, its position and its time
    expected = [Recorded(entry, n, FIRST_INPUT_AT) for n, entry in enumerate(FIRST_INPUT, 1)] + [
        Recorded(entry, n, SECOND_INPUT_AT) for n, entry in enumerate(SECOND_INPUT, len(FIRST_INPUT) + 1)
    ]
    assert read == expected
    assert everything == expected
    assert all(r.recorded_at.tzinfo is not None for r in read)
