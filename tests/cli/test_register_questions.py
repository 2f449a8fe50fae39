"""Questions across the whole register, asked as a user asks them: what changed, how many over
time, how ratings moved, which provider has that name; and every listing in the formats an
analyst loads (JSON, CSV, JSON lines)."""

from __future__ import annotations

import csv
import io

import orjson
import pytest

from tests.builders import cell, entered, exited, location, registered, report

# Given: two acute trusts in the West Midlands and an ambulance trust in the East Midlands.
REGISTER = [
    registered("RWP", name="Worcestershire Acute Hospitals NHS Trust", provider_type="acute", region="West Midlands"),
    location("RWP01", provider_id="RWP", name="Worcestershire Royal Hospital"),
    registered("RXK", name="Sandwell and West Birmingham Hospitals NHS Trust", provider_type="acute", region="West Midlands"),
    registered("RX9", name="East Midlands Ambulance Service NHS Trust", provider_type="ambulance", region="East Midlands"),
    {"type": "ProviderRenamed", "provider_id": "RXK", "name": "Sandwell and West Birmingham NHS Trust", "on": "2019-06-01"},
    report("RWP-2015", "2015-12-02", cell("overall", "Inadequate"), cell("safe", "Inadequate"), provider_id="RWP"),
    entered("2015-12-21", provider_id="RWP"),
    report("RWP-2017", "2017-06-20", cell("overall", "Inadequate"), cell("safe", "Requires improvement", "RWP01"), provider_id="RWP"),
    report("RWP-2019", "2019-09-20", cell("overall", "Requires improvement"), cell("safe", "Good", "RWP01", "Surgery"), provider_id="RWP"),
    exited("2019-10-01", provider_id="RWP"),
    report("RX9-2016", "2016-05-10", cell("overall", "Requires improvement"), provider_id="RX9"),
    report("RX9-2019", "2019-07-17", cell("overall", "Good"), provider_id="RX9"),
    report("RXK-2018", "2018-03-01", cell("overall", "Good"), provider_id="RXK"),
    {"type": "ProviderDeregistered", "provider_id": "RXK", "on": "2020-04-01"},
]


@pytest.fixture
def register(cli):
    assert cli("record", input=REGISTER).exit_code == 0
    return cli


def as_json(cli, *args):
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout)


def test_changes_lists_every_cell_that_changed_in_the_period_with_the_entry_that_changed_it(register):
    found = as_json(register, "changes", "--from", "2017-01-01", "--to", "2019-12-31")

    assert [(c["provider_id"], c["location_id"], c["service"], c["question"], c["from"], c["to"], c["on"]) for c in found] == [
        ("RWP", "RWP01", None, "safe", None, "Requires improvement", "2017-06-20"),
        ("RXK", None, None, "overall", None, "Good", "2018-03-01"),
        ("RX9", None, None, "overall", "Requires improvement", "Good", "2019-07-17"),
        ("RWP", None, None, "overall", "Inadequate", "Requires improvement", "2019-09-20"),
        ("RWP", "RWP01", "Surgery", "safe", None, "Good", "2019-09-20"),
    ]
    assert found[3]["ref"] == "RWP/6"  # the 2019 report: RWP's sixth entry
    assert set(found[0]) == {"provider_id", "name", "location_id", "service", "question", "from", "to", "on", "ref"}


def test_changes_leaves_out_a_report_that_republishes_a_rating_unchanged(register):
    found = as_json(register, "changes", "--from", "2017-01-01", "--to", "2017-12-31", "--question", "overall")

    assert found == []


def test_a_change_made_by_two_reports_of_one_day_is_credited_to_the_entry_history_shows_making_it(register):
    # Given: two reports of RX9 published the same day, the second giving overall the rating the
    # first gave (republished unchanged), and safe a rating other than the first's.
    same_day = [
        report("RX9-a", "2021-03-01", cell("overall", "Inadequate"), cell("safe", "Good"), provider_id="RX9"),
        report("RX9-b", "2021-03-01", cell("overall", "Inadequate"), cell("safe", "Inadequate"), provider_id="RX9"),
    ]
    assert register("record", input=same_day).exit_code == 0

    found = as_json(register, "changes", "--from", "2021-02-28", "--to", "2021-03-01")
    told = as_json(register, "history", "RX9", "--from", "2021-03-01", "--to", "2021-03-01")

    # Then: overall changed with the first report (RX9/4), safe's Inadequate with the second (RX9/5).
    assert [(c["question"], c["from"], c["to"], c["ref"]) for c in found] == [
        ("overall", "Good", "Inadequate", "RX9/4"),
        ("safe", None, "Inadequate", "RX9/5"),
    ]
    # and history shows each change at that entry: the second shows overall not changed.
    shown = {(step["ref"], c["question"], c["to"]) for step in told for c in step["changes"]}
    assert shown == {("RX9/4", "overall", "Inadequate"), ("RX9/4", "safe", "Good"), ("RX9/5", "safe", "Inadequate")}


def test_changes_filters_by_level_question_type_region_and_new_rating(register):
    period = ("--from", "2015-01-01", "--to", "2020-12-31")

    trust = as_json(register, "changes", *period, "--level", "trust", "--question", "overall")
    services = as_json(register, "changes", *period, "--level", "service")
    ambulance = as_json(register, "changes", *period, "--provider-type", "ambulance")
    west = as_json(register, "changes", *period, "--region", "west midlands", "--rating", "good")

    assert [(c["provider_id"], c["on"]) for c in trust] == [
        ("RWP", "2015-12-02"),
        ("RX9", "2016-05-10"),
        ("RXK", "2018-03-01"),
        ("RX9", "2019-07-17"),
        ("RWP", "2019-09-20"),
    ]
    assert [(c["service"], c["to"]) for c in services] == [("Surgery", "Good")]
    assert {c["provider_id"] for c in ambulance} == {"RX9"}
    assert [(c["provider_id"], c["to"]) for c in west] == [("RXK", "Good"), ("RWP", "Good")]


def test_provider_type_and_level_are_matched_as_every_closed_list_is(register):
    period = ("--from", "2015-01-01", "--to", "2020-12-31")

    loose = as_json(register, "changes", *period, "--provider-type", "AMBULANCE", "--level", "Trust")
    exact = as_json(register, "changes", *period, "--provider-type", "ambulance", "--level", "trust")
    counted = as_json(register, "counts", *period, "--every", "year", "--provider-type", "Mental_Health")
    listed = as_json(register, "trusts", "--at", "2021-01-01", "--provider-type", "Acute")
    refused = register("changes", *period, "--level", "ward")

    assert loose == exact and {c["provider_id"] for c in loose} == {"RX9"}
    assert [r["providers"] for r in counted] == [0] * 6
    assert {r["provider_id"] for r in listed} == {"RWP"}
    assert refused.exit_code == 2 and '"ward" is not one of: trust, location, service' in refused.output


def test_counts_is_a_time_series_over_the_providers_on_the_register_at_each_period_end(register):
    found = as_json(register, "counts", "--from", "2017-01-01", "--to", "2020-12-31", "--every", "year")

    assert [(r["at"], r["providers"], r["Good"], r["Requires improvement"], r["Inadequate"]) for r in found] == [
        ("2017-12-31", 3, 0, 1, 1),
        ("2018-12-31", 3, 1, 1, 1),
        ("2019-12-31", 3, 2, 1, 0),
        ("2020-12-31", 2, 1, 1, 0),  # RXK was deregistered on 2020-04-01
    ]
    assert found[0]["no rating"] == 1


def test_counts_by_special_measures_and_by_quarter_cut_at_the_last_day(register):
    found = as_json(register, "counts", "--from", "2019-07-01", "--to", "2019-11-15", "--every", "quarter", "--by", "special-measures")

    assert [(r["at"], r["quality"], r["finance"], r["any"]) for r in found] == [("2019-09-30", 1, 0, 1), ("2019-11-15", 0, 0, 0)]


def test_transitions_is_the_matrix_of_overall_ratings_of_providers_on_the_register_both_days(register):
    found = as_json(register, "transitions", "--from", "2016-12-31", "--to", "2020-12-31")

    assert found["from"] == "2016-12-31" and found["to"] == "2020-12-31" and found["question"] == "overall"
    moved = {(a, b): n for a, row in found["matrix"].items() for b, n in row.items() if n}
    assert moved == {("Inadequate", "Requires improvement"): 1, ("Requires improvement", "Good"): 1}


def test_find_matches_current_and_former_names_ignoring_case_and_punctuation(register):
    renamed = as_json(register, "find", "sandwell hospitals")
    every_word = as_json(register, "find", "WEST-birmingham, ambulance")
    places = as_json(register, "find", "worcestershire")

    assert [(f["provider_id"], f["name"], f["former_names"]) for f in renamed] == [
        ("RXK", "Sandwell and West Birmingham NHS Trust", ["Sandwell and West Birmingham Hospitals NHS Trust"])
    ]
    assert every_word == []
    assert [(f["kind"], f["location_id"]) for f in places] == [("provider", None), ("location", "RWP01")]


def test_find_marks_a_deregistered_provider_and_location_with_the_day_they_left_the_register(register):
    # Given RWP01 deregistered (RXK, the provider, was on 2020-04-01)
    assert (
        register(
            "record", input=[{"type": "LocationDeregistered", "provider_id": "RWP", "location_id": "RWP01", "on": "2020-01-01"}]
        ).exit_code
        == 0
    )

    # When they are found
    places = as_json(register, "find", "worcestershire")
    provider = as_json(register, "find", "sandwell")
    text = register("find", "worcestershire").stdout

    # Then each says the day it left, and one still registered says null
    assert [(f["location_id"], f["deregistered_on"]) for f in places] == [(None, None), ("RWP01", "2020-01-01")]
    assert [(f["provider_id"], f["deregistered_on"]) for f in provider] == [("RXK", "2020-04-01")]
    assert "Worcestershire Royal Hospital (deregistered 2020-01-01)" in text
    assert "Worcestershire Acute Hospitals NHS Trust\n" in text


def test_trusts_with_the_deregistered_counts_them_apart_and_stops_their_days_at_deregistration(register):
    found = as_json(register, "trusts", "--at", "2021-01-01", "--deregistered")
    text = register("trusts", "--at", "2021-01-01", "--deregistered").stdout

    # RXK's Good of 2018-03-01 held until its deregistration on 2020-04-01, not to the day asked
    assert [(r["provider_id"], r["age_days"]) for r in found if r["deregistered_on"]] == [("RXK", 762)]
    assert text.endswith("2 providers on the register at 2021-01-01, 1 deregistered by then.\n")
    assert register("trusts", "--at", "2021-01-01").stdout.endswith("2 providers at 2021-01-01.\n")


def test_a_name_that_stands_for_one_provider_is_taken_where_an_id_goes(register):
    result = register("status", "worcestershire acute", "--at", "2018-01-01", "--json")

    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout)["provider_id"] == "RWP"
    assert register("history", "Sandwell Hospitals").exit_code == 0


def test_an_ambiguous_name_is_refused_with_the_candidates(register):
    result = register("status", "west midlands nhs trust")
    ambiguous = register("diff", "nhs trust", "--from", "2015-01-01", "--to", "2019-01-01")

    assert result.exit_code == 1 and "not in the ledger" in result.output
    assert ambiguous.exit_code == 1
    assert "matches 3 providers" in ambiguous.output and "RWP (Worcestershire" in ambiguous.output and "RX9" in ambiguous.output


def test_trusts_filters_by_name_type_and_region_and_leaves_out_the_deregistered(register):
    west = as_json(register, "trusts", "--at", "2019-12-31", "--region", "WEST MIDLANDS")
    acute = as_json(register, "trusts", "--at", "2021-01-01", "--provider-type", "acute")
    named = as_json(register, "trusts", "--at", "2019-12-31", "--name", "ambulance")

    assert [(r["provider_id"], r["region"]) for r in west] == [("RWP", "West Midlands"), ("RXK", "West Midlands")]
    assert [r["provider_id"] for r in acute] == ["RWP"]
    assert [r["provider_id"] for r in named] == ["RX9"]


def test_trusts_lists_the_deregistered_only_when_asked_marked_with_their_day_and_successor(register):
    assert "RXK" not in register("trusts", "--at", "2021-01-01").stdout
    found = as_json(register, "trusts", "--at", "2021-01-01", "--deregistered")
    text = register("trusts", "--at", "2021-01-01", "--deregistered").stdout
    on_the_day = as_json(register, "trusts", "--at", "2020-03-31", "--deregistered")

    assert [(r["provider_id"], r["deregistered_on"], r["successor_id"]) for r in found] == [
        ("RWP", None, None),
        ("RX9", None, None),
        ("RXK", "2020-04-01", None),
    ]
    assert "Sandwell and West Birmingham NHS Trust (deregistered 2020-04-01)" in text
    assert [r["deregistered_on"] for r in on_the_day] == [None, None, None]  # not yet gone the day before


def test_trusts_says_since_when_each_overall_has_held_and_for_how_many_days(register):
    found = as_json(register, "trusts", "--at", "2019-01-01")

    # RWP was Inadequate on 2015-12-02 and again on 2017-06-20: unchanged since 2015.
    assert [(r["provider_id"], r["overall_since"], r["unchanged_since"], r["age_days"]) for r in found] == [
        ("RWP", "2017-06-20", "2015-12-02", 1126),
        ("RX9", "2016-05-10", "2016-05-10", 966),
        ("RXK", "2018-03-01", "2018-03-01", 306),
    ]


LISTINGS = [
    ("trusts", "--at", "2019-12-31"),
    ("entries", "RWP"),
    ("history", "RWP"),
    ("changes", "--from", "2015-01-01", "--to", "2020-12-31"),
    ("counts", "--from", "2015-01-01", "--to", "2020-12-31", "--every", "year"),
    ("find", "trust"),
    ("anomalies", "--at", "2020-01-01"),
]


@pytest.mark.parametrize("args", LISTINGS, ids=lambda args: args[0])
def test_every_listing_writes_csv_with_the_jsons_keys_and_json_lines_with_its_rows(register, args):
    rows = as_json(register, *args)
    rows = rows["anomalies"] if isinstance(rows, dict) else rows
    as_csv = register(*args, "--csv")
    as_nl = register(*args, "--nl")

    parsed = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert as_csv.exit_code == 0 and as_nl.exit_code == 0
    assert set(csv.reader(io.StringIO(as_csv.stdout)).__next__()) >= {key for row in rows for key in row}
    assert len(parsed) == len(rows)
    assert [orjson.loads(line) for line in as_nl.stdout.splitlines()] == rows


def test_transitions_as_csv_is_one_row_per_pair_of_ratings(register):
    found = register("transitions", "--from", "2016-12-31", "--to", "2020-12-31", "--csv")

    parsed = list(csv.DictReader(io.StringIO(found.stdout)))
    assert {"from", "to", "question", "from_rating", "to_rating", "providers"} == set(parsed[0])
    assert {(r["from_rating"], r["to_rating"]) for r in parsed if r["providers"] != "0"} == {
        ("Inadequate", "Requires improvement"),
        ("Requires improvement", "Good"),
    }


def test_csv_keeps_nested_values_as_json_text_and_nulls_as_empty_fields(register):
    found = list(csv.DictReader(io.StringIO(register("trusts", "--at", "2016-01-01", "--csv").stdout)))

    assert found[0]["provider_id"] == "RWP" and orjson.loads(found[0]["special_measures"]) == ["quality"]
    assert found[1]["overall"] == ""


def test_two_output_formats_at_once_are_a_usage_error(register):
    result = register("trusts", "--json", "--csv")

    assert result.exit_code == 2 and "choose one output format" in result.output


def test_counts_of_another_question_count_the_trust_level_rating_of_that_question(register):
    found = as_json(register, "counts", "--from", "2016-01-01", "--to", "2016-12-31", "--every", "year", "--question", "safe")

    assert [(r["at"], r["Inadequate"], r["no rating"]) for r in found] == [("2016-12-31", 1, 2)]
