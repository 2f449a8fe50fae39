"""A rebuild reads the views' rows from stored entries' bytes, each decoded straight into its entry
by the codec's fast reading (`stored_rows`); those rows must be exactly the rows of the entry
itself (`rows_of`)."""

from __future__ import annotations

import dataclasses

import orjson
import pytest

from cqc_ledger.events import ENTRY_TYPES
from cqc_ledger.events.base import Entry, RatingCell
from cqc_ledger.events.schema import field_specs
from cqc_ledger.ledger.records import format_time
from cqc_ledger.ledger.store.codec import canonical, entry_topic, stored_state
from cqc_ledger.projections.views.rows import EntryRow, HeadlineRow, rows_of, stored_rows
from tests.store.test_store_roundtrip import FIRST_INPUT_AT, RICH, report_of_2017

# Entries read from their bytes: every type but the mends, which name another entry and are read whole.
FROM_BYTES = set(ENTRY_TYPES) - {"EntryRetracted", "EntryCorrected"}


def rows_both_ways(
    entry: Entry, position: int = 7
) -> tuple[bool, tuple[list[EntryRow], list[HeadlineRow]], tuple[list[EntryRow], list[HeadlineRow]]]:
    state = stored_state(canonical(entry), FIRST_INPUT_AT)
    from_bytes: tuple[list[EntryRow], list[HeadlineRow]] = ([], [])
    read = stored_rows(position, entry_topic(type(entry)), state, *from_bytes)
    from_entry: tuple[list[EntryRow], list[HeadlineRow]] = ([], [])
    rows_of(entry, position, 0, format_time(FIRST_INPUT_AT), *from_entry)
    return read, from_bytes, from_entry


@pytest.mark.parametrize("entry", RICH, ids=lambda e: type(e).__name__)
def test_rows_read_from_stored_bytes_are_the_rows_of_the_entry(entry: Entry) -> None:
    # Given an entry of each type, every field filled, as stored
    # When its rows are read from its bytes and made from the entry
    read, from_bytes, from_entry = rows_both_ways(entry)
    # Then the bytes are read for every type but the mends, with the same rows
    assert read == (type(entry).__name__ in FROM_BYTES)
    if read:
        assert from_bytes == from_entry


def test_a_report_gives_each_of_the_trusts_overall_cells_and_no_other_cell_as_a_headline() -> None:
    # Given reports whose trust overall cell comes first, last, or not at all, beside overall
    # cells of a location and of a service
    report = report_of_2017(summary='a summary naming ,"on":"2001-01-01" and {"question":"overall","rating":"Good"}')
    cells = report.ratings
    trust_overall = cells[0]
    others = (
        *(c for c in cells if c is not trust_overall),
        RatingCell(service="Maternity", question="overall", rating="Good"),
        RatingCell(location_id="RWP01", service="Maternity", question="overall", rating="Outstanding"),
    )
    for ratings in (cells, (*others, trust_overall), others):
        # When its rows are read from its bytes and made from the entry
        read, from_bytes, from_entry = rows_both_ways(dataclasses.replace(report, ratings=ratings))
        # Then they are the same, with one headline where the trust's overall cell is
        assert read
        assert from_bytes == from_entry
        assert len(from_bytes[1]) == (trust_overall in ratings)


def _sparse(entry: Entry) -> Entry:
    """The entry with every field that has a default at it (left out of its stored form)."""
    defaults = {f.name: f.default for f in dataclasses.fields(entry) if f.default is not dataclasses.MISSING}
    defaults |= {f.name: f.default_factory() for f in dataclasses.fields(entry) if f.default_factory is not dataclasses.MISSING}
    return dataclasses.replace(entry, **defaults)


@pytest.mark.parametrize("entry", [_sparse(e) for e in RICH if type(e).__name__ in FROM_BYTES], ids=lambda e: type(e).__name__)
def test_rows_read_from_stored_bytes_leaving_out_every_field_that_may_be_are_the_rows_of_the_entry(entry: Entry) -> None:
    # Given an entry of each type read from its bytes with only its required fields, as stored
    # When its rows are read from its bytes and made from the entry
    read, from_bytes, from_entry = rows_both_ways(entry)
    # Then the bytes are read, with the same rows
    assert read
    assert from_bytes == from_entry


def _choices(entry: Entry) -> list[str]:
    return [spec.name for spec in field_specs(type(entry)) if spec.kind in ("choice", "choices") and getattr(entry, spec.name)]


@pytest.mark.parametrize(
    ("entry", "field"),
    [(e, name) for e in RICH if type(e).__name__ in FROM_BYTES for name in _choices(e)],
    ids=lambda v: v if isinstance(v, str) else type(v).__name__,
)
def test_a_choice_stored_as_a_word_the_ledger_does_not_use_is_not_read_from_stored_bytes(entry: Entry, field: str) -> None:
    # Given an entry as stored, one of its choices then changed by hand to a word the ledger does not use
    obj = orjson.loads(canonical(entry))
    obj[field] = ["Meh"] if isinstance(obj[field], list) else "Meh"
    state = stored_state(orjson.dumps(obj, option=orjson.OPT_SORT_KEYS), FIRST_INPUT_AT)
    # When its rows are read from its bytes
    # Then they are not: the entry is left to be read whole (and refused there)
    assert not stored_rows(7, entry_topic(type(entry)), state, [], [])
