"""The text a person reads, from literal answers, without a store: the cases the example
ledger does not reach (tests/cli/test_exact_output.py holds the commands' whole text)."""

from __future__ import annotations

from datetime import date

from cqc_ledger.projections import output


def test_record_says_what_it_recorded_by_provider_and_which_lines_it_skipped():
    text = output.record.record_text(["RWP/1", "RWP/2", "RWP/3", "RX9/1"], {4: "RWP/2"})

    assert text == "Recorded 4 entries: RWP/1-3, RX9/1.\nAlready recorded, skipped: 1: line 4 (RWP/2)."


def test_restore_of_nothing_new_says_so_and_names_the_lines_already_there():
    text = output.record.record_text([], {1: "RWP/1", 2: "RWP/2"}, done="Restored")

    assert text == "Restored 0 entries.\nAlready recorded, skipped: 2: line 1 (RWP/1), line 2 (RWP/2)."


def test_a_deregistered_provider_in_the_register_is_marked_with_its_day_and_successor():
    row = {
        "provider_id": "RXX",
        "name": "Old Trust",
        "overall": None,
        "unchanged_since": None,
        "age_days": None,
        "special_measures": [],
        "open_warning_notices": 0,
        "deregistered_on": "2019-04-01",
        "successor_id": "RYY",
        "in_force": False,
    }

    assert output.trusts.trusts_text([row], "2020-01-01") == (
        "provider  overall                unchanged since   days  special measures  open notices  name\n"
        "RXX       no rating              -                    -  -                 0             Old Trust (deregistered 2019-04-01, successor RYY)\n"
        "0 providers on the register at 2020-01-01, 1 deregistered by then."
    )


def test_empty_answers_are_a_sentence():
    assert output.trusts.trusts_text([], "2020-01-01") == "No provider matches at 2020-01-01."
    assert output.history.history_text([]) == "No changes in that period."
    assert output.changes.changes_text([], date(2019, 1, 1), date(2019, 12, 31)) == "No rating changed after 2019-01-01 up to 2019-12-31."


def test_a_deregistered_trust_shows_its_successor_its_places_apart_and_its_retired_services():
    doc = {
        "name": "Old Trust",
        "provider_id": "RXX",
        "at": "2020-01-01",
        "known_at": "2026-01-01T23:59:59.999999Z",
        "deregistered": {"on": "2019-04-01", "successor_id": "RYY", "ref": "RXX/9"},
        "in_force": False,
        "ratings": {},
        "special_measures": [],
        "oversight": None,
        "warning_notices": [],
        "last_inspection": None,
        "last_report": None,
        "locations": [
            {
                "location_id": "RXX01",
                "name": "Old Hospital",
                "deregistered_on": "2019-04-01",
                "in_force": False,
                "ratings": {
                    "overall": {
                        "rating": "Good",
                        "since": "2016-01-01",
                        "unchanged_since": "2014-01-01",
                        "ref": "RXX/4",
                        "inherited": True,
                        "inherited_from": "RAA01",
                    }
                },
                "services": [],
                "superseded_services": [],
            }
        ],
        "services": [],
        "superseded_services": [
            {"service": "Maternity and gynaecology", "on": "2018-01-01", "by": ["Maternity", "Gynaecology"], "ref": "RXX/7"}
        ],
    }

    assert output.status.status_text(doc) == (
        "Old Trust (RXX)\n"
        "  at 2020-01-01, as the ledger knew it at 2026-01-01T23:59:59.999999Z\n"
        "  deregistered on 2019-04-01, succeeded by RYY: its ratings, special measures, oversight and notices below are as they"
        " stood then, no longer in force\n"
        "\n"
        "Overall           no rating\n"
        "Special measures  none\n"
        "Warning notices   none\n"
        "\n"
        "Deregistered locations (1)\n"
        "\n"
        "RXX01 Old Hospital, deregistered 2019-04-01\n"
        "  its ratings when it was deregistered on 2019-04-01, no longer in force:\n"
        "  overall Good (since 2014-01-01, last published 2016-01-01; inherited from RAA01)\n"
        "\n"
        "Services\n"
        "  Maternity and gynaecology: superseded on 2018-01-01 by Maternity, Gynaecology (RXX/7)"
    )


def test_days_are_written_out_for_the_accounts_of_explain_diff_and_anomalies():
    assert output.common.long_day("2017-06-20") == "20 June 2017"
    assert output.common.long_day(None) == "an unknown day"


def test_record_says_what_the_lines_it_skipped_beyond_the_first_ten_are():
    text = output.record.record_text([], {n: f"RWP/{n}" for n in range(1, 159)})

    assert text.endswith("line 10 (RWP/10) and 148 more lines.")


def test_an_import_says_what_the_refs_it_skipped_beyond_the_first_ten_runs_are():
    from cqc_ledger.ledger.imports.run import ImportOutcome

    already = [f"R{p:02d}/{n}" for p in range(1, 13) for n in (1, 2)]  # twelve runs of two

    text = ImportOutcome(already=already).text()

    assert text.splitlines()[1] == (
        "Already recorded, skipped: 24 entries: R01/1-2, R02/1-2, R03/1-2, R04/1-2, R05/1-2, R06/1-2, R07/1-2, R08/1-2, "
        "R09/1-2, R10/1-2 and 4 more entries."
    )


def test_an_import_gives_each_providers_refs_together_in_order_whatever_order_it_met_them_in():
    from cqc_ledger.ledger.imports.run import ImportOutcome

    # registrations first, then each provider's entries; skipped in the order of the files' rows
    text = ImportOutcome(recorded=["T3E/1", "T67/1", "T3E/2", "T3E/3", "T67/2"], already=["RXX/1", "RXX/7", "RXX/6", "RXX/2"]).text()

    assert text.splitlines() == [
        "Recorded 5 entries: T3E/1-3, T67/1-2.",
        "Already recorded, skipped: 4 entries: RXX/1-2, RXX/6-7.",
    ]


def _principles(inputs: list[dict], missing: list[dict], says: str) -> dict:
    """The principles' check of an aggregate, as `explain --json` gives it."""
    return {
        "principles": "2014-2023 ratings principles for NHS trusts",
        "published": "Good",
        "rating": "Good",
        "agrees": True,
        "rule": "good-otherwise",
        "steps": [{"rule": "good-otherwise", "says": says, "basis": "unstated"}],
        "of": "services",
        "found": "one Good" if inputs else "no ratings",
        "inputs": inputs,
        "missing": missing,
        "set_apart_as_inherited": [],
        "set_after": [],
    }


def test_the_principles_name_what_is_under_an_aggregate_in_the_singular_when_it_is_one():
    one = {"location_id": None, "service": "Emergency and urgent care", "question": "safe", "rating": "Good", "since": "2019-07-17"}
    two = {**one, "service": "Patient transport services"}

    [heading_of_one, *rest] = output.explain.check_lines(
        _principles([{**one, "ref": "RX9/5"}], [], "the one service Good: Good"), "2020-01-01"
    )
    [heading_of_two, *_] = output.explain.check_lines(
        _principles([{**one, "ref": "RX9/5"}], [two], "the one service Good: Good"), "2020-01-01"
    )

    assert heading_of_one == "CQC's aggregation principles (2014-2023 ratings principles for NHS trusts), from the service under it:"
    assert rest == [
        "  Emergency and urgent care safe Good (2019-07-17, RX9/5).",
        "  Found: one Good.",
        "  Rule: the one service Good: Good (threshold not stated in CQC's sources: an assumption).",
        "  The principles give Good, as published.",
    ]
    assert heading_of_two.endswith("from the services under it:")
