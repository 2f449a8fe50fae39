"""The ledger's rules as pure decisions: a history of literal entries in, a refusal naming the
rule (or nothing) out. No store, no clock: these are the functions the application calls inside
its recording transaction.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from builders import Line, corrected, entered, exited, location, notice_assessed, notice_issued, registered, report, retracted

from cqc_ledger.ledger.errors import RuleBroken
from cqc_ledger.ledger.parsing import parse_entry
from cqc_ledger.ledger.records import Recorded
from cqc_ledger.ledger.rules import check, check_mending, check_regimes, fold
from cqc_ledger.ledger.store.codec import identity_of

TODAY = date(2026, 1, 1)
AT = datetime(2026, 1, 1, tzinfo=UTC)


def history(*lines: Line) -> list[Recorded]:
    """The lines as one provider's recorded history, positions from 1."""
    return [Recorded(parse_entry(line, today=TODAY), n, AT) for n, line in enumerate(lines, 1)]


def refusal(recorded: list[Recorded], line: Line) -> RuleBroken:
    """The refusal of `line` following `recorded`."""
    facts = fold("RWP", recorded)
    entry = parse_entry(line, today=TODAY)
    with pytest.raises(RuleBroken) as raised:
        check(facts, entry, len(recorded) + 1, identity_of(entry))
    return raised.value


def accepts(recorded: list[Recorded], line: Line) -> None:
    facts = fold("RWP", recorded)
    entry = parse_entry(line, today=TODAY)
    check(facts, entry, len(recorded) + 1, identity_of(entry))


def test_nothing_is_recorded_for_a_provider_before_its_registration():
    broken = refusal([], report("R1", "2016-01-01"))

    assert broken.field == "provider_id"
    assert "is not registered" in broken.message


def test_a_provider_is_registered_once():
    broken = refusal(history(registered()), registered())

    assert "already registered (RWP/1)" in broken.message


def test_a_report_rating_several_locations_before_their_registration_names_the_first_it_lists():
    late = [location(f"RWP0{n}", on="2017-01-01") for n in range(2, 8)]
    listed = ("RWP01", "RWP05", "RWP02", "RWP07", "RWP03")
    cells = [{"location_id": place, "question": "safe", "rating": "Good"} for place in listed]

    broken = refusal(history(registered(), location("RWP01"), *late), report("R1", "2016-01-01", *cells))

    assert broken.field == "ratings[1].location_id"
    assert broken.message.startswith("location RWP05 was registered on 2017-01-01 (RWP/6), after this ReportPublished of 2016-01-01")


def test_a_rating_at_a_location_needs_the_location_registered():
    broken = refusal(history(registered()), report("R1", "2016-01-01", {"location_id": "RWP01", "question": "safe", "rating": "Good"}))

    assert broken.field == "ratings[0].location_id"
    assert 'location "RWP01" is not registered' in broken.message


def test_a_report_id_reused_with_other_content_is_refused_with_the_correction_to_make():
    given = history(registered(), report("R1", "2016-01-01"))

    broken = refusal(given, report("R1", "2016-02-01"))

    assert broken.field == "report_id"
    assert "cqc-ledger correct RWP/2" in broken.message


def test_the_same_report_again_is_not_a_reuse():
    accepts(history(registered(), report("R1", "2016-01-01")), report("R1", "2016-01-01"))


def test_a_notice_is_assessed_after_its_issue_and_only_once():
    given = history(registered(), notice_issued("N1", "2016-01-01"))

    assert "never issued" in refusal(given, notice_assessed("N2", "2016-02-01")).message
    assert "after this assessment" in refusal(given, notice_assessed("N1", "2015-12-01")).message
    assessed = history(registered(), notice_issued("N1", "2016-01-01"), notice_assessed("N1", "2016-02-01"))
    assert "already assessed (RWP/3)" in refusal(assessed, notice_assessed("N1", "2016-03-01", outcome="not-met")).message


def test_special_measures_are_entered_and_exited_in_turn_whatever_the_order_of_recording():
    # An exit recorded before the entry it closes is fine once both are in.
    facts = fold("RWP", history(registered(), exited("2017-01-01"), entered("2016-01-01")))

    check_regimes(facts)


def test_entering_a_regime_already_in_force_is_refused_naming_the_day():
    facts = fold("RWP", history(registered(), entered("2016-01-01")))
    facts.add(parse_entry(entered("2016-06-01"), today=TODAY), 3, b"")

    with pytest.raises(RuleBroken, match=r"special measures \(quality\) are already in force on 2016-06-01"):
        check_regimes(facts)


def test_a_retraction_that_would_leave_the_history_inconsistent_is_refused():
    given = history(registered(), entered("2016-01-01"), exited("2017-01-01"))
    mend = parse_entry(retracted("RWP/2"), today=TODAY)

    with pytest.raises(RuleBroken, match="retracting RWP/2 would leave the history of RWP inconsistent"):
        check_mending(given, mend, 4)


def test_a_correction_keeps_the_entrys_type():
    given = history(registered(), location("RWP01"))
    mend = parse_entry(corrected("RWP/2", registered(name="Other")), today=TODAY)

    with pytest.raises(RuleBroken, match="a correction keeps the entry's type") as raised:
        check_mending(given, mend, 3)
    assert raised.value.field == "replacement.type"


def test_a_mend_of_another_providers_entry_is_refused():
    given = history(registered(), location("RWP01"))
    mend = parse_entry(retracted("RX9/2"), today=TODAY)

    with pytest.raises(RuleBroken, match='ref "RX9/2" belongs to provider RX9, not RWP'):
        check_mending(given, mend, 3)


def test_a_history_recorded_under_earlier_rules_can_still_be_mended():
    # Given a history an earlier release accepted and today's rules would not (a location registered twice)
    given = history(registered(), location("RWP01"), location("RWP01", name="Again"), entered("2016-01-01"), exited("2017-01-01"))

    # Then a mend that leaves that old break as it was is decided on what it changes: accepted
    check_mending(given, parse_entry(retracted("RWP/3"), today=TODAY), 6)
    check_mending(given, parse_entry(corrected("RWP/5", exited("2018-01-01")), today=TODAY), 6)
    # And one that breaks a rule of its own is refused as ever, naming the rule it breaks
    with pytest.raises(
        RuleBroken, match=r"retracting RWP/4 would leave the history of RWP inconsistent: special measures \(quality\) are not"
    ):
        check_mending(given, parse_entry(retracted("RWP/4"), today=TODAY), 6)
