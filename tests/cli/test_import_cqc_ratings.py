"""`import cqc-ratings`: the "Latest ratings" file's Locations and Providers rows become one report
per provider and publication day, for the providers the ledger follows; a file that is not
CQC's, malformed, or with a word CQC does not use is refused whole, naming row and column."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from builders import cell, location, registered, report
from conftest import SHARED
from cqc_data import columns, entries, location_row, ods, place, provider_row, rated, ratings_csv, refused, run_import, status

RI, GOOD, INADEQUATE = "Requires improvement", "Good", "Inadequate"
UEC = "Urgent and emergency services"

LOCATIONS = [
    location_row("RWP01", "Overall", "Overall", RI, "20/09/2019"),
    location_row("RWP01", "Overall", "Safe", RI, "06/04/2023"),
    location_row("RWP01", "Urgent and emergency care", "Overall", RI, "2023-04-06"),
    location_row("RWP01", "Urgent and emergency care", "Safe", RI, "2023-04-06"),
    location_row("RWP50", "Services for children & young people", "Well-led", GOOD, "20/09/2019"),
    location_row("RWP50", "Overall", "Caring", "Not applicable", ""),
]
PROVIDERS = [
    provider_row("Overall", "Overall", RI, "20/09/2019"),
    provider_row("Overall", "Use of resources", INADEQUATE, "20/09/2019"),
    provider_row("Overall", "Caring", "No published rating", ""),
]


@pytest.fixture
def rwp(cli):
    """A ledger that follows RWP and its two hospitals."""
    result = cli("record", input=[registered("RWP"), location("RWP01"), location("RWP50")])
    assert result.exit_code == 0, result.output


def reports(cli) -> dict[str, dict]:
    return {e["report_id"]: e for e in entries(cli, "RWP") if e["type"] == "ReportPublished"}


def test_rows_are_grouped_into_one_report_per_provider_and_publication_day(cli, rwp, tmp_path):
    files = ratings_csv(tmp_path, "locations.csv", "Locations", LOCATIONS), ratings_csv(tmp_path, "providers.csv", "Providers", PROVIDERS)

    run_import(cli, "cqc-ratings", *files)

    found = reports(cli)
    assert sorted(found) == ["cqc-ratings:RWP:2019-09-20", "cqc-ratings:RWP:2023-04-06"]
    assert found["cqc-ratings:RWP:2019-09-20"]["ratings"] == [
        {"question": "overall", "rating": RI},
        {"question": "use-of-resources", "rating": INADEQUATE},
        {"location_id": "RWP01", "question": "overall", "rating": RI},
        {"location_id": "RWP50", "service": "Services for children and young people", "question": "well-led", "rating": GOOD},
    ]
    assert found["cqc-ratings:RWP:2023-04-06"]["ratings"] == [
        {"location_id": "RWP01", "question": "safe", "rating": RI},
        {"location_id": "RWP01", "service": UEC, "question": "overall", "rating": RI},
        {"location_id": "RWP01", "service": UEC, "question": "safe", "rating": RI},
    ]
    assert (
        found["cqc-ratings:RWP:2023-04-06"]["source"]
        == 'CQC "Latest ratings" file, Locations sheet (locations.csv): the ratings of RWP published 2023-04-06'
    )
    assert rated(place(status(cli, "RWP", "2024-01-01"), "RWP01"))["safe"] == (RI, "2023-04-06")


def test_the_older_key_question_header_is_read_as_the_domain(cli, rwp, tmp_path):
    run_import(cli, "cqc-ratings", ratings_csv(tmp_path, "old.csv", "Providers", PROVIDERS, question_header="Key Question"))

    assert reports(cli)["cqc-ratings:RWP:2019-09-20"]["ratings"][1] == {"question": "use-of-resources", "rating": INADEQUATE}


def test_importing_the_file_again_adds_nothing_and_a_newer_file_only_its_new_publications(cli, rwp, tmp_path):
    run_import(cli, "cqc-ratings", ratings_csv(tmp_path, "2024.csv", "Locations", LOCATIONS))
    assert run_import(cli, "cqc-ratings", ratings_csv(tmp_path, "2024.csv", "Locations", LOCATIONS))["recorded"] == []
    # A year on, RWP01's overall was published anew; the rest of the 2019 rows still stand.
    newer = [location_row("RWP01", "Overall", "Overall", GOOD, "2025-05-01"), *LOCATIONS[1:]]

    outcome = run_import(cli, "cqc-ratings", ratings_csv(tmp_path, "2025.csv", "Locations", newer))

    assert [reports(cli)[r]["on"] for r in reports(cli) if reports(cli)[r]["ref"] in outcome["recorded"]] == ["2025-05-01"]
    assert rated(place(status(cli, "RWP", "2025-06-01"), "RWP01"))["overall"] == (GOOD, "2025-05-01")


def test_the_providers_sheet_imported_after_the_locations_sheet_completes_their_reports(cli, rwp, tmp_path):
    run_import(cli, "cqc-ratings", ratings_csv(tmp_path, "locations.csv", "Locations", LOCATIONS))

    outcome = run_import(cli, "cqc-ratings", ratings_csv(tmp_path, "providers.csv", "Providers", PROVIDERS))

    last = entries(cli, "RWP")[-1]
    assert (last["type"], len(outcome["recorded"])) == ("EntryCorrected", 1)
    assert rated(status(cli, "RWP", "2024-01-01")["ratings"]) == {
        "overall": (RI, "2019-09-20"),
        "use-of-resources": (INADEQUATE, "2019-09-20"),
    }


def test_rows_of_providers_that_are_not_nhs_trusts_are_passed_over_with_a_note(cli, rwp, tmp_path):
    care_home = {**location_row("1-101", "Overall", "Overall", GOOD, "01/02/2020", provider_id="1-100"), "Location Type": "Social Care Org"}

    outcome = run_import(cli, "cqc-ratings", ratings_csv(tmp_path, "all.csv", "Locations", [*LOCATIONS, care_home]))

    assert [ref.split("/")[0] for ref in outcome["recorded"]] == ["RWP", "RWP"]
    assert outcome["notes"] == [
        "passed over the rows of 1 provider that are not NHS trusts (1-100); import with --all-providers for the whole register"
    ]


def test_a_rated_location_the_ledger_does_not_hold_is_registered_on_the_day_of_its_first_rating(cli, rwp, tmp_path):
    path = ratings_csv(tmp_path, "new.csv", "Locations", [*LOCATIONS, location_row("RWP51", "Overall", "Overall", GOOD, "2020-01-01")])

    run_import(cli, "cqc-ratings", path)

    registration = next(e for e in entries(cli, "RWP") if e["type"] == "LocationRegistered" and e["location_id"] == "RWP51")
    assert registration["on"] == "2020-01-01"
    assert "registration day inferred: the earliest day the files show (2020-01-01)" in registration["source"]
    assert reports(cli)["cqc-ratings:RWP:2020-01-01"]["ratings"] == [{"location_id": "RWP51", "question": "overall", "rating": GOOD}]


def test_a_rating_the_ledger_holds_as_published_that_day_by_another_report_is_already_there(cli, rwp, tmp_path):
    # Given CQC's own report of 2023-04-06 (from its API), rating RWP01's safe and its urgent and emergency care overall
    cqc = report("7e3b9f20-2023", "2023-04-06", cell("safe", RI, "RWP01"), cell("overall", RI, "RWP01", UEC))
    assert cli("record", input=[cqc]).exit_code == 0

    # When the file lists those, and one rating more of that day, and the 2019 ones
    outcome = run_import(cli, "cqc-ratings", ratings_csv(tmp_path, "locations.csv", "Locations", LOCATIONS))

    # Then the file's report of that day holds only the rating that says something new; the rest are
    # there, set by CQC's report, which stays the last report
    found = reports(cli)
    assert found["cqc-ratings:RWP:2023-04-06"]["ratings"] == [{"location_id": "RWP01", "service": UEC, "question": "safe", "rating": RI}]
    assert len(found["cqc-ratings:RWP:2019-09-20"]["ratings"]) == 2
    assert run_import(cli, "cqc-ratings", ratings_csv(tmp_path, "locations.csv", "Locations", LOCATIONS))["recorded"] == []
    assert len(outcome["recorded"]) == 2


def test_a_rating_the_ledger_holds_from_another_day_or_as_another_rating_is_new(cli, rwp, tmp_path):
    # Given CQC's report of 2023-04-06 rating RWP01's safe Good, and of 2019-09-20 its overall as the file does
    cqc = [
        report("7e3b9f20-2023", "2023-04-06", cell("safe", GOOD, "RWP01")),
        report("7e3b9f20-2019", "2019-06-01", cell("overall", RI, "RWP01")),
    ]
    assert cli("record", input=cqc).exit_code == 0

    run_import(cli, "cqc-ratings", ratings_csv(tmp_path, "locations.csv", "Locations", LOCATIONS[:2]))

    # Then the file's ratings are recorded: published on another day, or rated otherwise
    found = reports(cli)
    assert found["cqc-ratings:RWP:2019-09-20"]["ratings"] == [{"location_id": "RWP01", "question": "overall", "rating": RI}]
    assert found["cqc-ratings:RWP:2023-04-06"]["ratings"] == [{"location_id": "RWP01", "question": "safe", "rating": RI}]


@pytest.mark.parametrize(
    "row, says",
    [
        (
            location_row("RWP01", "Surgery", "Safe", "Requires Improvment", "2019-09-20"),
            'row 8, column Latest Rating: "Requires Improvment" is not a CQC rating (did you mean "Requires improvement"?)',
        ),
        (location_row("RWP01", "Surgery", "Safety", RI, "2019-09-20"), 'row 8, column Domain: "Safety" is not a CQC key question'),
        (
            location_row("RWP01", "Surgery", "Safe", RI, "31/02/2019"),
            'row 8, column Publication Date: "31/02/2019" is not a day of the calendar',
        ),
        (location_row("RWP01", "Surgery", "Safe", RI, "Sept 2019"), 'row 8, column Publication Date: "Sept 2019" is not a date like'),
        # a row is one rating: CQC writes a word where there is none ("Not applicable"), never nothing
        (location_row("RWP01", "Surgery", "Safe", " ", "2019-09-20"), "row 8, column Latest Rating: is empty"),
        # refused by the rules an entry is checked by, after rows became a report and registrations:
        # the row of that rating or place, not the report's first row or none
        (
            location_row("RWP01", "Matrenity", "Safe", RI, "2019-09-20"),
            'row 8, column Service / Population Group: field "ratings[1].service": "Matrenity" is not a CQC service '
            '(did you mean "Maternity"?)',
        ),
        (
            location_row("rwp02", "Surgery", "Safe", RI, "2019-09-20"),
            'row 8, column Location ID: field "location_id": "rwp02" is not a CQC id',
        ),
        (
            location_row("RWP01", "Surgery of " + "the hands " * 30, "Safe", RI, "2019-09-20"),
            'row 8, column Service / Population Group: field "ratings[1].service": the name "Surgery of the hands the hands the hands..." '
            "is 310 characters long; a name may be at most 300 characters",
        ),
        (
            {**location_row("RWP77", "Surgery", "Safe", RI, "2019-09-20"), "Location Name": "A" * 301},
            'row 8, column Location Name: field "name": the name "' + "A" * 40 + '..." is 301 characters long',
        ),
    ],
)
def test_a_value_cqc_does_not_use_refuses_the_whole_file_naming_row_and_column(cli, rwp, tmp_path, row, says):
    path = ratings_csv(tmp_path, "bad.csv", "Locations", [*LOCATIONS, row])

    message = refused(cli, "cqc-ratings", path)

    assert f"{path}: {says}" in message
    assert not reports(cli)


def test_a_file_that_is_not_the_ratings_file_is_refused(cli, rwp, tmp_path):
    path = tmp_path / "directory.csv"
    path.write_text("Name,Also known as,Address,Postcode\nA Hospital,-,1 Road,WR5 1DD\n")

    message = refused(cli, "cqc-ratings", str(path))

    assert f'{path}: not CQC\'s "Latest ratings" file: no header row with the columns Provider ID and Latest Rating' in message


def test_a_malformed_csv_is_refused(cli, rwp, tmp_path):
    path = Path(ratings_csv(tmp_path, "cut.csv", "Providers", PROVIDERS))
    path.write_text(path.read_text() + 'RWP,RWP,"unfinished\n')

    message = refused(cli, "cqc-ratings", str(path))

    assert f"{path}: row 5: " in message and "not valid CSV" in message


def test_a_row_with_more_cells_than_columns_is_refused(cli, rwp, tmp_path):
    path = Path(ratings_csv(tmp_path, "long.csv", "Providers", PROVIDERS))
    path.write_text(path.read_text() + "RWP," * 30 + "extra\n")

    message = refused(cli, "cqc-ratings", str(path))

    assert f"{path}: row 5 has 31 cells, but the header row has 21 columns" in message


@pytest.mark.parametrize("row", [3, 4], ids=["a row in the middle", "the last row"])
def test_a_cell_added_by_a_tool_that_knows_only_line_feeds_is_refused_as_its_rows_own(cli, rwp, tmp_path, row):
    # Given the file as CQC writes CSV (rows end in CR LF), a cell added at the end of a line by
    # `sed '3s/$/,extra/'`, which leaves the CR before it: an editor shows one line, not two
    path = Path(ratings_csv(tmp_path, "crlf.csv", "Providers", PROVIDERS))
    lines = path.read_bytes().split(b"\n")
    lines[row - 1] += b",extra"
    path.write_bytes(b"\n".join(lines))

    message = refused(cli, "cqc-ratings", str(path))

    assert f"{path}: row {row} has 22 cells, but the header row has 21 columns" in message


@pytest.mark.parametrize("ending", ["\r\n", "\n", "\r"], ids=["CR LF", "LF", "CR (Excel for Mac before 2016)"])
def test_rows_are_read_whichever_line_ending_the_file_uses(cli, rwp, tmp_path, ending):
    path = Path(ratings_csv(tmp_path, "ends.csv", "Providers", PROVIDERS))
    path.write_bytes(path.read_bytes().replace(b"\r\n", ending.encode()))

    run_import(cli, "cqc-ratings", str(path))

    assert reports(cli)["cqc-ratings:RWP:2019-09-20"]["ratings"] == [
        {"question": "overall", "rating": RI},
        {"question": "use-of-resources", "rating": INADEQUATE},
    ]


# ---- ODS, as CQC publishes the file ----------------------------------------------------------


def sheet(name: str, rows: list[dict[str, str]]) -> list[list[object]]:
    """A sheet of the file: a banner, the documented columns, and the rows (dates as dates)."""

    def value(column: str, row: dict[str, str]) -> object:
        text = row.get(column, "")
        return date.fromisoformat(text) if column == "Publication Date" and text[4:5] == "-" else text

    return [[f"CQC {name} data"], columns(name), *[[value(c, row) for c in columns(name)] for row in rows]]


def test_the_ods_file_as_cqc_publishes_it_is_read_sheet_by_sheet(cli, rwp, tmp_path):
    pytest.importorskip("lxml", reason="reading ODS needs the optional extra: pip install 'cqc-ledger[ods]'")
    locations = [location_row("RWP01", "Overall", "Overall", RI, "2019-09-20"), location_row("RWP01", "Overall", "Safe", RI, "06/04/2023")]
    path = ods(
        tmp_path / "latest.ods",
        {
            "Notes": [["About this file"]],
            "Locations": sheet("Locations", locations),
            "Providers": sheet("Providers", [provider_row("Overall", "Overall", RI, "2019-09-20")]),
        },
    )

    run_import(cli, "cqc-ratings", path)

    assert reports(cli)["cqc-ratings:RWP:2019-09-20"]["ratings"] == [
        {"question": "overall", "rating": RI},
        {"location_id": "RWP01", "question": "overall", "rating": RI},
    ]
    assert sorted(reports(cli)) == ["cqc-ratings:RWP:2019-09-20", "cqc-ratings:RWP:2023-04-06"]


def test_a_locations_row_in_a_file_without_the_location_id_column_is_refused_naming_row_and_column(cli, rwp, tmp_path):
    # Given the Locations sheet saved without its Location ID column: Worcestershire Royal's row
    # would otherwise be filed as the trust's own overall rating
    path = tmp_path / "no-location-id.csv"
    header = [c for c in columns("Locations") if c != "Location ID"]
    row = location_row("RWP01", "Overall", "Overall", INADEQUATE, "20/09/2019") | {"Location Name": "Worcestershire Royal Hospital"}
    path.write_text(",".join(header) + "\n" + ",".join(row.get(c, "") for c in header) + "\n")

    message = refused(cli, "cqc-ratings", str(path))

    assert f'{path}: row 2: the row names a location (Location ODS Code "RWP01")' in message
    assert "no column Location ID" in message
    assert not reports(cli)


# ---- ratings a location inherited -------------------------------------------------------------

# RH5A8 (Musgrove Park Hospital under Somerset NHS FT from 2020-04-01) as the "Latest ratings" file
# of April 2021 lists it: every rating inherited from RBA11, published on two days.
MUSGROVE = {"Location Name": "Musgrove Park Hospital", "Inherited Rating (Y/N)": "Y"}
MUSGROVE_ROWS = [
    location_row("RH5A8", "Overall", "Overall", GOOD, "2020-03-24", provider_id="RH5") | MUSGROVE,
    location_row("RH5A8", "Overall", "Safe", RI, "2020-03-24", provider_id="RH5") | MUSGROVE,
    location_row("RH5A8", "Urgent care centre", "Overall", "Inspected but not rated", "2013-11-21", provider_id="RH5") | MUSGROVE,
]


@pytest.mark.parametrize("provider_held", [True, False], ids=["RH5 registered", "RH5 not in the ledger"])
def test_a_location_known_only_by_ratings_it_inherited_is_registered_no_earlier_than_the_latest_was_published(cli, tmp_path, provider_held):
    # Given RH5A8's rows, all inherited, published on 2013-11-21 and 2020-03-24
    if provider_held:
        assert cli("record", input=[registered("RH5")]).exit_code == 0
    path = ratings_csv(tmp_path, "musgrove.csv", "Locations", MUSGROVE_ROWS)

    # When the file is imported, the location is registered, and takes them over, on the later day:
    # a location inherits only ratings already published
    run_import(cli, "cqc-ratings", path)

    held = entries(cli, "RH5")
    registration = next(e for e in held if e["type"] == "LocationRegistered")
    assert registration["on"] == "2020-03-24"
    assert "registration day inferred: the day the latest of the ratings it inherited was published (2020-03-24)" in registration["source"]
    taken = next(e for e in held if e["type"] == "RatingsInherited")
    assert taken["on"] == "2020-03-24"
    assert {(c.get("service"), c["question"], c["published_on"]) for c in taken["ratings"]} == {
        (None, "overall", "2020-03-24"),
        (None, "safe", "2020-03-24"),
        ("Urgent care centre", "overall", "2013-11-21"),
    }
    assert [e["on"] for e in held if e["type"] == "ProviderRegistered"] == ["2010-04-01" if provider_held else "2020-03-24"]

    # And when CQC's API gives the real day, the registration is corrected and the inheritance moves with it
    run_import(cli, "cqc-api", str(SHARED / "reference" / "cqc-api-real" / "RH5A8.json"))

    moved = {c["target_ref"]: c["replacement"]["on"] for c in entries(cli, "RH5") if c["type"] == "EntryCorrected"}
    assert moved == {registration["ref"]: "2020-04-01", taken["ref"]: "2020-04-01"}
    musgrove = place(status(cli, "RH5", "2021-04-08"), "RH5A8")
    assert (musgrove["overall"]["rating"], musgrove["overall"]["since"]) == (GOOD, "2020-03-24")
    assert not status(cli, "RH5", "2020-03-31")["locations"]


# ---- rows that hold no rating -------------------------------------------------------------------

CHARD = {"Location Name": "Chard Community Hospital"}


@pytest.mark.parametrize("fmt", ["cqc-ratings", "cqc-files"])
@pytest.mark.parametrize(
    "word, day", [("Not applicable", "2020-01-01"), ("No published rating", "")], ids=["not applicable", "no published rating"]
)
def test_a_provider_named_only_by_rows_that_hold_no_rating_is_not_registered_with_a_note(cli, rwp, tmp_path, fmt, word, day):
    # Given a file where RH5's only row holds CQC's word for no rating, beside RWP's ratings
    path = ratings_csv(
        tmp_path,
        "unrated.csv",
        "Locations",
        [*LOCATIONS, location_row("RH5F2", "Overall", "Overall", word, day, provider_id="RH5") | CHARD],
    )

    outcome = run_import(cli, fmt, path)

    # Then RWP's ratings are recorded; RH5, of which the file gives no day, is passed over with a note
    assert sorted(reports(cli)) == ["cqc-ratings:RWP:2019-09-20", "cqc-ratings:RWP:2023-04-06"]
    assert cli("entries", "RH5").exit_code == 1
    assert outcome["notes"] == [
        "1 provider not in the ledger is not registered, as no row naming it gives a day (a rating, not a word such as "
        f'"Not applicable" or "No published rating", or a registration day): RH5 ({path}: row 8)'
    ]


@pytest.mark.parametrize("fmt", ["cqc-ratings", "cqc-files"])
def test_a_provider_in_the_ledger_named_only_by_rows_that_hold_no_rating_gets_nothing(cli, tmp_path, fmt):
    assert cli("record", input=[registered("RH5")]).exit_code == 0
    rows = [location_row("RH5F2", "Overall", "Overall", "No published rating", "", provider_id="RH5") | CHARD]
    rows.append(location_row("RH5F2", "Overall", "Safe", "Not applicable", "2020-01-01", provider_id="RH5") | CHARD)

    outcome = run_import(cli, fmt, ratings_csv(tmp_path, "unrated.csv", "Locations", rows))

    assert (outcome["recorded"], outcome["notes"]) == ([], [])
    assert [e["type"] for e in entries(cli, "RH5")] == ["ProviderRegistered"]


def test_names_up_to_the_limit_are_imported_from_the_ods_file_as_from_csv(cli, rwp, tmp_path):
    pytest.importorskip("lxml", reason="reading ODS needs the optional extra: pip install 'cqc-ledger[ods]'")
    from cqc_ledger.ledger.entry_checks import NAME_LIMIT

    longest = "Hospital " + "H" * (NAME_LIMIT - 9)
    rows = [{**location_row("RWP77", "Overall", "Overall", RI, "2019-09-20"), "Location Name": longest}]
    longer = [{**rows[0], "Location Name": longest + "H"}]

    message = refused(cli, "cqc-ratings", ods(tmp_path / "longer.ods", {"Locations": sheet("Locations", longer)}))
    assert f'row 3, column Location Name: field "name": the name "{longest[:40]}..." is {NAME_LIMIT + 1} characters long' in message
    assert not reports(cli)

    run_import(cli, "cqc-ratings", ods(tmp_path / "latest.ods", {"Locations": sheet("Locations", rows)}))
    assert [e["name"] for e in entries(cli, "RWP") if e.get("location_id") == "RWP77" and e["type"] == "LocationRegistered"] == [longest]
