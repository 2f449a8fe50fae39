"""`import cqc-files`: CQC's monthly files (Latest_ratings, HSCA_Active_Locations,
Deactivated_Locations) in any combination register every NHS trust and location they name, with
the days they give (or the earliest day they show, marked inferred), add the ratings as reports,
deregister deactivated locations, and on a later month record only what changed."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from builders import entered, exited, location, registered, renamed
from cqc_data import (
    active_row,
    columns,
    columns_2026,
    deactivated_row,
    entries,
    fixture,
    location_row,
    monthly_csv,
    ods,
    ods_with_opening_without_end,
    ods_without_end,
    provider_row,
    ratings_csv,
    refused,
    response,
    run_import,
    saved,
    status,
)

GOOD, RI = "Good", "Requires improvement"
BANNER = ["Care Quality Commission", "HSCA Active Locations", "Data as at 1 September 2026", "", "Notes", "", ""]


def _registered_alone(location_id: str, day: str) -> dict:
    """CQC's API response of a location registered on `day`, with no ratings or reports."""
    return response(location_id) | {
        "name": f"Hospital {location_id}",
        "registrationDate": day,
        "currentRatings": {},
        "historicRatings": [],
        "reports": [],
    }


def types(cli, provider_id: str) -> list[tuple[str, str, str]]:
    return [(e["type"], e.get("location_id", ""), e.get("on", "")) for e in entries(cli, provider_id)]


def test_the_three_files_register_every_nhs_trust_and_location_with_the_days_they_give(cli, tmp_path):
    active = monthly_csv(
        tmp_path, "active.csv", "HSCA_Active_Locations", [active_row("RWP01", "2010-04-01"), active_row("RWP50", "2012-06-01")]
    )
    gone = monthly_csv(tmp_path, "gone.csv", "Deactivated_Locations", [deactivated_row("RWP77", "2010-04-01", "2019-03-31")])
    ratings = ratings_csv(tmp_path, "ratings.csv", "Locations", [location_row("RWP01", "Overall", "Overall", GOOD, "2019-09-20")])

    outcome = run_import(cli, "cqc-files", ratings, active, gone)

    assert types(cli, "RWP") == [
        ("ProviderRegistered", "", "2010-04-01"),
        ("LocationRegistered", "RWP01", "2010-04-01"),
        ("LocationRegistered", "RWP50", "2012-06-01"),
        ("LocationRegistered", "RWP77", "2010-04-01"),
        ("ReportPublished", "", "2019-09-20"),
        ("LocationDeregistered", "RWP77", "2019-03-31"),
    ]
    registration = entries(cli, "RWP")[0]
    assert registration["name"] == "RWP NHS Trust" and registration["provider_type"] == "acute"
    assert registration["source"] == "CQC HSCA_Active_Locations file (active.csv)"
    assert len(outcome["recorded"]) == 6


def test_a_provider_and_location_the_files_give_no_day_for_are_registered_on_the_earliest_day_shown_marked_inferred(cli, tmp_path):
    ratings = ratings_csv(
        tmp_path,
        "ratings.csv",
        "Locations",
        [location_row("RWP01", "Overall", "Overall", GOOD, "2019-09-20"), location_row("RWP01", "Overall", "Safe", RI, "2016-02-01")],
    )

    run_import(cli, "cqc-files", ratings)

    provider, location = entries(cli, "RWP")[:2]
    assert (provider["type"], provider["on"], location["type"], location["on"]) == (
        "ProviderRegistered",
        "2016-02-01",
        "LocationRegistered",
        "2016-02-01",
    )
    assert "registration day inferred: the earliest day the files show (2016-02-01), as they give none" in provider["source"]
    assert "registration day inferred" in location["source"]


def test_a_registration_day_given_by_a_later_file_corrects_the_inferred_one(cli, tmp_path):
    ratings = ratings_csv(tmp_path, "ratings.csv", "Locations", [location_row("RWP01", "Overall", "Overall", GOOD, "2019-09-20")])
    run_import(cli, "cqc-files", ratings)
    active = monthly_csv(tmp_path, "active.csv", "HSCA_Active_Locations", [active_row("RWP01", "2011-01-01")])

    outcome = run_import(cli, "cqc-files", active)

    corrections = [e for e in entries(cli, "RWP") if e["type"] == "EntryCorrected"]
    assert [(c["target_ref"], c["replacement"]["on"]) for c in corrections] == [("RWP/1", "2010-04-01"), ("RWP/2", "2011-01-01")]
    assert outcome["recorded"] == ["RWP/4", "RWP/5"]
    assert run_import(cli, "cqc-files", active)["recorded"] == []


def test_a_later_file_that_gives_the_registration_day_and_another_name_corrects_only_the_day_and_notes_the_name(cli, tmp_path):
    # Given a trust registered on the day the ratings file infers, under the name it gives
    ratings = ratings_csv(tmp_path, "ratings.csv", "Providers", [provider_row("Overall", "Overall", GOOD, "2019-09-20")])
    run_import(cli, "cqc-files", ratings)
    # When the active locations file gives the real day, and the trust's name of a later month
    newer = "Worcestershire Acute Hospitals NHS Trust"
    row = active_row("RWP01", "2011-01-01", **{"Provider Name": newer})
    outcome = run_import(cli, "cqc-files", monthly_csv(tmp_path, "active.csv", "HSCA_Active_Locations", [row]))

    # Then only the day is corrected: the name stays as recorded, with a note (no day to rename it on)
    correction = next(e for e in entries(cli, "RWP") if e["type"] == "EntryCorrected")
    assert (correction["replacement"]["on"], correction["replacement"]["name"]) == ("2010-04-01", "RWP NHS Trust")
    assert correction["replacement"]["provider_type"] == "acute"
    assert any(f'CQC names RWP "{newer}", but the ledger has "RWP NHS Trust"; kept as recorded' in n for n in outcome["notes"])
    assert status(cli, "RWP", "2019-12-31")["name"] == "RWP NHS Trust"


def test_a_location_cqc_dates_before_its_provider_is_registered_on_cqcs_day_so_the_api_agrees(cli, tmp_path):
    # Given CQC's file dating RWP01 (2009-04-01) before its trust (2010-04-01), and a rating of it between
    active = monthly_csv(tmp_path, "active.csv", "HSCA_Active_Locations", [active_row("RWP01", "2009-04-01")])
    ratings = ratings_csv(tmp_path, "ratings.csv", "Locations", [location_row("RWP01", "Overall", "Overall", GOOD, "2009-09-20")])

    outcome = run_import(cli, "cqc-files", active, ratings)

    # Then the location stands on CQC's day (the ledger allows a location before its provider);
    # its rating before the provider's registration is left out, with a note
    assert types(cli, "RWP") == [("ProviderRegistered", "", "2010-04-01"), ("LocationRegistered", "RWP01", "2009-04-01")]
    assert any("1 rating dated before its place was registered" in n for n in outcome["notes"])
    # And CQC's API response of the location, giving the same day, is already there
    body = _registered_alone("RWP01", "2009-04-01")
    assert run_import(cli, "cqc-api", saved(tmp_path, "RWP01.json", body)) == {"recorded": [], "skipped": ["RWP/2"], "notes": []}


def test_the_api_imported_first_and_a_file_dating_its_location_before_its_provider_agree_without_a_note(cli, tmp_path):
    body = _registered_alone("RWP01", "2009-04-01")
    assert cli("record", input=[registered(on="2010-04-01")]).exit_code == 0
    run_import(cli, "cqc-api", saved(tmp_path, "RWP01.json", body))

    outcome = run_import(
        cli, "cqc-files", monthly_csv(tmp_path, "active.csv", "HSCA_Active_Locations", [active_row("RWP01", "2009-04-01")])
    )

    assert outcome["recorded"] == [] and not [n for n in outcome["notes"] if "registers RWP01" in n]


def test_a_location_an_earlier_release_moved_onto_its_providers_day_is_corrected_to_the_day_cqc_gives(cli, tmp_path):
    # Given RWP01 recorded by an earlier release on its trust's day, its source saying so
    moved = "CQC HSCA_Active_Locations file (active.csv); CQC dates it 2009-04-01, before its provider's registration on 2010-04-01, so it is registered with its provider"
    lines = [registered(on="2010-04-01"), location("RWP01", "2010-04-01", source=moved)]
    assert cli("record", input=lines).exit_code == 0
    body = _registered_alone("RWP01", "2009-04-01")

    outcome = run_import(cli, "cqc-api", saved(tmp_path, "RWP01.json", body))

    correction = entries(cli, "RWP")[-1]
    assert (correction["type"], correction["target_ref"], correction["replacement"]["on"]) == ("EntryCorrected", "RWP/2", "2009-04-01")
    assert correction["reason"] == "CQC gives the day, 2009-04-01, where the ledger had its provider's day, 2010-04-01"
    assert outcome["recorded"] == ["RWP/3"]


def test_after_an_import_corrects_a_registration_day_special_measures_leave_the_trust_open_to_what_follows(cli, tmp_path):
    # Given registration days the files had inferred, corrected by a later file (two EntryCorrected)
    ratings = ratings_csv(tmp_path, "ratings.csv", "Locations", [location_row("RWP01", "Overall", "Overall", GOOD, "2019-09-20")])
    run_import(cli, "cqc-files", ratings)
    active = monthly_csv(tmp_path, "active.csv", "HSCA_Active_Locations", [active_row("RWP01", "2011-01-01")])
    run_import(cli, "cqc-files", active)
    # When the trust enters special measures (RWP/6)
    assert cli("record", input=[entered("2020-01-01")]).exit_code == 0
    # Then what follows is recorded: a renaming, the exit, and the same files again (nothing new)
    for line in (renamed("2020-06-01", "Worcestershire Acute Hospitals NHS Trust"), exited("2021-01-01")):
        result = cli("record", input=[line])
        assert result.exit_code == 0, result.output
    assert run_import(cli, "cqc-files", active)["recorded"] == []


def test_only_nhs_trusts_are_read_unless_all_providers_is_given(cli, tmp_path):
    care_home = active_row(
        "1-201",
        "2015-05-05",
        provider_id="1-200",
        provider_start="2015-01-01",
        **{"Provider Type/Sector": "Social Care Org", "Location Type/Sector": "Social Care Org"},
    )
    trust_by_its_code = active_row("RX901", "2010-04-01", provider_id="RX9", **{"Provider Type/Sector": "", "Location Type/Sector": ""})
    path = monthly_csv(tmp_path, "active.csv", "HSCA_Active_Locations", [active_row("RWP01", "2010-04-01"), care_home, trust_by_its_code])

    nhs = run_import(cli, "cqc-files", path)

    assert sorted({ref.split("/")[0] for ref in nhs["recorded"]}) == ["RWP", "RX9"]
    assert nhs["notes"] == [
        "passed over the rows of 1 provider that are not NHS trusts (1-200); import with --all-providers for the whole register"
    ]
    everyone = cli("import", "cqc-files", path, "--all-providers", "--json")
    assert everyone.exit_code == 0, everyone.output
    assert types(cli, "1-200") == [("ProviderRegistered", "", "2015-01-01"), ("LocationRegistered", "1-201", "2015-05-05")]
    assert "provider_type" not in entries(cli, "1-200")[0]


def test_the_header_is_found_below_a_banner_and_the_files_own_day_is_cited(cli, tmp_path):
    path = monthly_csv(tmp_path, "active.csv", "HSCA_Active_Locations", [active_row("RWP01", "01/04/2010")], banner=BANNER)

    run_import(cli, "cqc-files", path)

    assert entries(cli, "RWP")[0]["source"] == "CQC HSCA_Active_Locations file as at 2026-09-01 (active.csv)"


def test_the_ods_files_as_cqc_publishes_them_are_read_with_the_day_in_their_names(cli, tmp_path):
    header = columns_2026("HSCA_Active_Locations")
    row = active_row("RWP01", "")
    values = [date(2010, 4, 1) if c in ("Location HSCA start date", "Provider HSCA start date") else row.get(c, "") for c in header]
    path = ods(
        tmp_path / "01_September_2026_HSCA_Active_Locations.ods", {"HSCA_Active_Locations": [[b] for b in BANNER[:2]] + [header, values]}
    )
    ratings = ods(
        tmp_path / "01_September_2026_Latest_ratings.ods",
        {
            "Locations": [
                columns("Locations"),
                [location_row("RWP01", "Overall", "Overall", RI, "2019-09-20").get(c, "") for c in columns("Locations")],
            ]
        },
    )

    run_import(cli, "cqc-files", path, ratings)

    found = entries(cli, "RWP")
    assert [(e["type"], e["on"]) for e in found] == [
        ("ProviderRegistered", "2010-04-01"),
        ("LocationRegistered", "2010-04-01"),
        ("ReportPublished", "2019-09-20"),
    ]
    assert found[0]["source"] == "CQC HSCA_Active_Locations file as at 2026-09-01 (01_September_2026_HSCA_Active_Locations.ods)"
    assert found[2]["source"].startswith(
        'CQC "Latest ratings" file, Locations sheet as at 2026-09-01 (01_September_2026_Latest_ratings.ods)'
    )


def test_the_same_month_again_records_nothing_and_the_next_month_only_what_changed(cli, tmp_path):
    september = [
        ratings_csv(tmp_path, "r9.csv", "Locations", [location_row("RWP01", "Overall", "Overall", RI, "2019-09-20")]),
        monthly_csv(tmp_path, "a9.csv", "HSCA_Active_Locations", [active_row("RWP01", "2010-04-01"), active_row("RWP50", "2010-04-01")]),
    ]
    run_import(cli, "cqc-files", *september)

    again = run_import(cli, "cqc-files", *september)

    october = [
        ratings_csv(
            tmp_path,
            "r10.csv",
            "Locations",
            [location_row("RWP01", "Overall", "Overall", RI, "2019-09-20"), location_row("RWP01", "Overall", "Safe", GOOD, "2026-09-15")],
        ),
        monthly_csv(tmp_path, "a10.csv", "HSCA_Active_Locations", [active_row("RWP01", "2010-04-01"), active_row("RWP60", "2026-09-10")]),
        monthly_csv(tmp_path, "d10.csv", "Deactivated_Locations", [deactivated_row("RWP50", "2010-04-01", "2026-09-30")]),
    ]
    later = run_import(cli, "cqc-files", *october)

    assert again["recorded"] == []
    assert [(e["type"], e.get("location_id", ""), e["on"]) for e in entries(cli, "RWP")[-3:]] == [
        ("LocationRegistered", "RWP60", "2026-09-10"),
        ("ReportPublished", "", "2026-09-15"),
        ("LocationDeregistered", "RWP50", "2026-09-30"),
    ]
    assert len(later["recorded"]) == 3


def test_a_rating_dated_before_its_location_was_registered_is_left_out_with_a_note(cli, tmp_path):
    active = monthly_csv(tmp_path, "active.csv", "HSCA_Active_Locations", [active_row("RWP01", "2020-04-01")])
    ratings = ratings_csv(tmp_path, "ratings.csv", "Locations", [location_row("RWP01", "Overall", "Overall", GOOD, "2019-09-20")])

    outcome = run_import(cli, "cqc-files", active, ratings)

    assert [e["type"] for e in entries(cli, "RWP")] == ["ProviderRegistered", "LocationRegistered"]
    assert outcome["notes"] == [
        f"1 rating dated before its place was registered, or after it was deregistered, left out ({ratings}: row 2)"
    ]


def test_a_file_that_is_not_one_of_cqcs_monthly_files_is_refused(cli, tmp_path):
    path = tmp_path / "directory.csv"
    path.write_text("Name,Also known as,Address,Postcode\nA Hospital,-,1 Road,WR5 1DD\n")

    message = refused(cli, "cqc-files", str(path))

    assert f"{path}: not one of CQC's monthly files (Latest_ratings, HSCA_Active_Locations, Deactivated_Locations)" in message


@pytest.mark.parametrize(
    "row, says",
    [
        (active_row("RWP01", "31/02/2010"), 'row 2, column Location HSCA start date: "31/02/2010" is not a day of the calendar'),
        (active_row("", "2010-04-01"), "row 2, column Location ID: is empty"),
    ],
)
def test_a_bad_value_refuses_the_whole_import_naming_row_and_column(cli, tmp_path, row, says):
    path = monthly_csv(tmp_path, "active.csv", "HSCA_Active_Locations", [row])

    message = refused(cli, "cqc-files", path)

    assert f"{path}: {says}" in message


def test_inherited_ratings_become_ratings_inherited_on_the_locations_registration_day(cli, tmp_path):
    inherited = {"Inherited Rating (Y/N)": "Y"}
    ratings = ratings_csv(
        tmp_path,
        "ratings.csv",
        "Locations",
        [
            {**location_row("RH5A8", "Overall", "Overall", GOOD, "2017-10-18", provider_id="RH5"), **inherited},
            {**location_row("RH5A8", "Surgery", "Safe", RI, "2017-10-18", provider_id="RH5"), **inherited},
            location_row("RH5A8", "Overall", "Caring", GOOD, "2022-01-05", provider_id="RH5"),
        ],
    )
    active = monthly_csv(tmp_path, "active.csv", "HSCA_Active_Locations", [active_row("RH5A8", "2020-04-01", provider_id="RH5")])

    outcome = run_import(cli, "cqc-files", ratings, active)

    found = [e for e in entries(cli, "RH5") if e["type"] in ("RatingsInherited", "ReportPublished")]
    assert [(e["type"], e["on"]) for e in found] == [("RatingsInherited", "2020-04-01"), ("ReportPublished", "2022-01-05")]
    assert found[0]["location_id"] == "RH5A8"
    assert found[0]["ratings"] == [
        {"location_id": "RH5A8", "question": "overall", "rating": GOOD, "published_on": "2017-10-18"},
        {"location_id": "RH5A8", "service": "Surgery", "question": "safe", "rating": RI, "published_on": "2017-10-18"},
    ]
    assert "inherited" in found[0]["source"] and not outcome["notes"]
    assert run_import(cli, "cqc-files", ratings, active)["recorded"] == []


def test_inherited_ratings_move_with_a_registration_a_later_file_gives_after_the_inferred_day(cli, tmp_path):
    # Given a location known only by the ratings it inherited: registered, and taking them over, on the day inferred
    inherited = {"Inherited Rating (Y/N)": "Y"}
    rows = [{**location_row("RH5A8", "Overall", "Overall", GOOD, "2017-10-18", provider_id="RH5"), **inherited}]
    run_import(cli, "cqc-files", ratings_csv(tmp_path, "ratings.csv", "Locations", rows))
    active = monthly_csv(tmp_path, "active.csv", "HSCA_Active_Locations", [active_row("RH5A8", "2020-04-01", provider_id="RH5")])

    # When a later file gives its real registration day
    outcome = run_import(cli, "cqc-files", active)

    # Then the inheritance moves with the registration (a location takes ratings over once registered),
    # each cell keeping the day it was published; again, nothing more
    corrections = [e for e in entries(cli, "RH5") if e["type"] == "EntryCorrected"]
    moved = {c["replacement"]["type"]: c["replacement"]["on"] for c in corrections}
    assert moved == {"RatingsInherited": "2020-04-01", "LocationRegistered": "2020-04-01", "ProviderRegistered": "2010-04-01"}
    taken_over = next(c["replacement"] for c in corrections if c["replacement"]["type"] == "RatingsInherited")
    assert taken_over["ratings"][0]["published_on"] == "2017-10-18"
    assert status(cli, "RH5", "2020-04-01")["locations"][0]["ratings"]
    assert len(outcome["recorded"]) == 3
    assert run_import(cli, "cqc-files", active)["recorded"] == []


def test_a_providers_inherited_rating_is_left_out_with_a_note_as_the_ledger_holds_them_for_locations_only(cli, tmp_path):
    # RatingsInherited names a location (CONTRACT: location_id is required): a trust-level row
    # marked inherited is neither a report of the new trust nor an inheritance the ledger can hold
    inherited = {"Inherited Rating (Y/N)": "Y"}
    providers = ratings_csv(
        tmp_path,
        "providers.csv",
        "Providers",
        [
            {**provider_row("Overall", "Overall", GOOD, "2017-10-18", provider_id="RH5"), **inherited},
            provider_row("Overall", "Safe", RI, "2022-01-05", provider_id="RH5"),
        ],
    )
    active = monthly_csv(tmp_path, "active.csv", "HSCA_Active_Locations", [active_row("RH5A8", "2020-04-01", provider_id="RH5")])

    outcome = run_import(cli, "cqc-files", providers, active)

    found = [(e["type"], e["on"]) for e in entries(cli, "RH5") if e["type"] in ("RatingsInherited", "ReportPublished")]
    assert found == [("ReportPublished", "2022-01-05")]
    assert any("1 inherited rating of a provider as a whole" in n and "for locations only" in n for n in outcome["notes"])


def test_the_api_gives_the_day_of_a_registration_the_files_had_to_infer(cli, tmp_path):
    ratings = ratings_csv(tmp_path, "ratings.csv", "Locations", [location_row("RWP01", "Overall", "Overall", RI, "2019-09-20")])
    run_import(cli, "cqc-files", ratings)

    outcome = run_import(cli, "cqc-api", fixture("RWP"), fixture("RWP01"))

    corrections = [e for e in entries(cli, "RWP") if e["type"] == "EntryCorrected"]
    assert [(c["target_ref"], c["replacement"]["on"]) for c in corrections][:2] == [("RWP/1", "2010-04-01"), ("RWP/2", "2010-04-01")]
    assert corrections[0]["reason"] == "CQC gives the day, 2010-04-01, where the ledger had inferred 2019-09-20"
    assert outcome["recorded"]
    # the day is corrected, not the name: the file's stays, with a note giving CQC's
    assert corrections[0]["replacement"]["name"] == "RWP NHS Trust"
    assert any(
        'CQC names RWP "Worcestershire Acute Hospitals NHS Trust", but the ledger has "RWP NHS Trust"' in n for n in outcome["notes"]
    )


def test_a_location_the_ledger_holds_under_one_trust_is_refused_under_another(cli, tmp_path):
    run_import(cli, "cqc-files", monthly_csv(tmp_path, "active.csv", "HSCA_Active_Locations", [active_row("RWP01", "2010-04-01")]))
    moved = monthly_csv(tmp_path, "moved.csv", "HSCA_Active_Locations", [active_row("RWP01", "2010-04-01", provider_id="RX9")])

    message = refused(cli, "cqc-files", moved)

    assert (
        f'{moved}: row 2, column Location ID: field "location_id": location RWP01 is placed under RX9, but the ledger has it under RWP (RWP/2)'
        in message
    )
    assert cli("entries", "RX9").exit_code == 1  # nothing recorded


def test_a_deregistration_the_rules_refuse_is_named_by_its_row_and_column(cli, tmp_path):
    # Given a deactivated location whose end, as the file gives it, comes before its start
    gone = monthly_csv(tmp_path, "gone.csv", "Deactivated_Locations", [deactivated_row("RWP77", "2010-04-01", "01/01/2009")])

    # When it is imported, then the refusal names the row and the column of the day refused
    message = refused(cli, "cqc-files", gone)

    assert (
        f'{gone}: row 2, column Location HSCA End Date: field "on": location RWP77 was registered on 2010-04-01, after 2009-01-01'
        in message
    )
    assert cli("entries", "RWP").exit_code == 1  # nothing recorded


def test_a_registration_day_the_rules_refuse_is_named_by_its_row_and_column(cli, tmp_path):
    active = monthly_csv(tmp_path, "active.csv", "HSCA_Active_Locations", [active_row("RWP01", "2010-04-01", provider_start="2999-01-01")])

    message = refused(cli, "cqc-files", active)

    assert f'{active}: row 2, column Provider HSCA start date: field "on": ' in message


TEXT_CELL = '<table:table-cell office:value-type="string"><text:p>RWP01</text:p></table:table-cell>'
# Each a row that never ends, or never has to: cells on and on; one cell's text on and on; one
# cell repeated two thousand million times (a few bytes, inflated by the reader, not the zip).
WITHOUT_END = {
    "cells": ("<table:table-row>", TEXT_CELL, "row 4: longer than 4194304 bytes (4 MiB) of XML, the most a row may hold"),
    "text": ('<table:table-row><table:table-cell office:value-type="string"><text:p>', "x" * 1000, "row 4: longer than 4194304 bytes"),
    "repeated": (
        '<table:table-row><table:table-cell office:value-type="string" table:number-columns-repeated="2000000000">'
        "<text:p>RWP</text:p></table:table-cell></table:table-row>",
        "<table:table-row/>",
        "row 4: more than 16,384 cells, the most a row of a sheet holds",
    ),
    "no row": ("<table:table-column/>", "<table:table-column/>", "after row 3: 4194304 bytes (4 MiB) of XML without a row"),
}


@pytest.mark.parametrize("reader", ["scanned", "parsed"])  # sifting NHS trusts out, or every row read whole
@pytest.mark.parametrize("hostile", list(WITHOUT_END))
def test_an_ods_row_past_the_most_a_row_may_hold_is_refused_naming_its_sheet_and_row_and_nothing_is_recorded(
    cli, tmp_path, reader, hostile
):
    # Given an HSCA file, a few hundred KB deflated, whose third row never ends (16 MiB inflated)
    header = columns_2026("HSCA_Active_Locations")
    row = active_row("RWP01", "2010-04-01")
    opening, piece, said = WITHOUT_END[hostile]
    path = ods_without_end(
        tmp_path / "HSCA_Active_Locations.ods",
        "Locations",
        [[BANNER[0]], header, [row.get(c, "") for c in header]],
        opening,
        piece,
        16 << 20,
    )
    assert (tmp_path / "HSCA_Active_Locations.ods").stat().st_size < 1 << 20

    # When it is imported, then the row is refused, naming the sheet and the row; nothing is recorded
    message = refused(cli, "cqc-files", path, *(["--all-providers"] if reader == "parsed" else []))

    assert f"Error: {path} (sheet Locations): {said}" in message
    assert cli("entries", "RWP").exit_code == 1


@pytest.mark.parametrize("reader", ["scanned", "parsed"])  # sifting NHS trusts out, or every row read whole
def test_an_ods_whose_opening_passes_the_most_a_row_may_hold_is_refused_naming_it_and_nothing_is_recorded(cli, tmp_path, reader):
    # Given an HSCA file, a few hundred KB deflated, whose styles go on for 16 MiB before its sheet
    header = columns_2026("HSCA_Active_Locations")
    row = active_row("RWP01", "2010-04-01")
    path = ods_with_opening_without_end(
        tmp_path / "HSCA_Active_Locations.ods",
        "Locations",
        [[BANNER[0]], header, [row.get(c, "") for c in header]],
        '<office:automatic-styles office:version="1.2"/>',
        16 << 20,
    )
    assert (tmp_path / "HSCA_Active_Locations.ods").stat().st_size < 1 << 20

    # When it is imported, then it is refused, saying what is too long; nothing is recorded
    message = refused(cli, "cqc-files", path, *(["--all-providers"] if reader == "parsed" else []))

    assert (
        f"Error: {path}: before its first sheet: longer than 4194304 bytes (4 MiB) of XML, "
        "the most the styles and settings before a sheet may hold (as a row may)"
    ) in message
    assert cli("entries", "RWP").exit_code == 1


def _with_column_twice(header: list[str], values: list[object], column: str) -> tuple[list[str], list[object]]:
    """The header and row with `column` given again at the end, the second holding another value."""
    return [*header, column], [*values, "Inadequate" if column == "Latest Rating" else "second"]


@pytest.mark.parametrize("as_ods", [False, True], ids=["csv", "ods"])
def test_a_header_naming_a_column_the_import_reads_twice_is_refused_naming_both(cli, tmp_path, as_ods):
    # Given a ratings sheet whose header gives Latest Rating twice, each with its own rating
    header = columns("Locations")
    row = location_row("RWP01", "Overall", "Overall", GOOD, "2019-09-20")
    header, values = _with_column_twice(header, [row.get(c, "") for c in header], "Latest Rating")
    at = header.index("Latest Rating") + 1
    if as_ods:
        path = ods(tmp_path / "latest.ods", {"Locations": [header, values]})
        where = f"{path} (sheet Locations): row 1"
    else:
        path = str(tmp_path / "latest.csv")
        with open(path, "w", newline="") as out:
            csv.writer(out).writerows([header, values])
        where = f"{path}: row 1"

    # When it is imported, then it is refused, naming the column and both places; nothing is recorded
    message = refused(cli, "cqc-files", path)

    assert (
        f'{where}: the header names the column "Latest Rating" twice, as columns {at} (T) and {len(header)} (AC): '
        "which of them to read cannot be told; remove or rename one"
    ) in message
    assert cli("entries", "RWP").exit_code == 1


def test_a_column_the_import_does_not_read_may_be_named_twice(cli, tmp_path):
    header = columns("Locations")
    row = location_row("RWP01", "Overall", "Overall", GOOD, "2019-09-20")
    header, values = _with_column_twice(header, [row.get(c, "") for c in header], "Report Type")
    path = tmp_path / "latest.csv"
    with path.open("w", newline="") as out:
        csv.writer(out).writerows([header, values])

    run_import(cli, "cqc-files", str(path))

    assert [e["type"] for e in entries(cli, "RWP")] == ["ProviderRegistered", "LocationRegistered", "ReportPublished"]
