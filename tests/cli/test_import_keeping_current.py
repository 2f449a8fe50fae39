"""Keeping current with `import cqc-api`: importing again adds only what is new, a report seen
again with fewer of its ratings is already there, one seen with more is completed, and anything
that contradicts the ledger is refused whole with the ref to correct."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
import real_responses
from builders import registered
from click.testing import CliRunner
from conftest import runner_for
from cqc_data import (
    RWP_2019,
    RX9_2016,
    RX9_2017,
    RX9_2019,
    entries,
    fixture,
    location_row,
    rated,
    ratings_csv,
    refused,
    response,
    run_import,
    saved,
    status,
)

from cqc_ledger.cli import main

RI, GOOD = "Requires improvement", "Good"
NEWER = (fixture("RX9"), fixture("RX901"))
OLDER = (fixture("RX9-2018"), fixture("RX901"))


def test_importing_the_same_responses_twice_adds_nothing(cli):
    first = run_import(cli, "cqc-api", *NEWER)

    again = run_import(cli, "cqc-api", *NEWER)

    assert again["recorded"] == []
    assert sorted(again["skipped"]) == sorted(first["recorded"])


def test_a_newer_response_adds_its_new_report_and_completes_an_older_one_it_shows_in_full(cli):
    run_import(cli, "cqc-api", *OLDER)
    before = entries(cli, "RX9")

    outcome = run_import(cli, "cqc-api", *NEWER)

    added = entries(cli, "RX9")[len(before) :]
    assert [(e["type"], e.get("inspection_id") or e.get("report_id") or e["replacement"]["report_id"]) for e in added] == [
        # The 2018 response showed the 2017 report's trust caring and responsive as the 2016
        # report's, and patient transport not at all; the 2020 one shows the 2017 report whole.
        ("EntryCorrected", RX9_2017),
        ("InspectionCarriedOut", RX9_2019),
        ("ReportPublished", RX9_2019),
    ]
    assert added[0]["reason"] == f'completed from CQC data: report "{RX9_2017}" also has 8 more ratings'
    assert len(outcome["recorded"]) == 3


def test_an_older_response_after_a_newer_one_adds_nothing(cli):
    # The older response shows fewer of the 2017 report's ratings: a subset is already there.
    run_import(cli, "cqc-api", *NEWER)

    outcome = run_import(cli, "cqc-api", *OLDER)

    assert outcome["recorded"] == []


def test_either_order_of_import_tells_the_same_status(cli, tmp_path):
    def other(*args: str):  # a second ledger, the same files imported newer first
        return CliRunner().invoke(main, ["--db", str(tmp_path / "other.db"), *args])

    for files in (OLDER, NEWER):
        run_import(cli, "cqc-api", *files)
    for files in (NEWER, OLDER):
        run_import(other, "cqc-api", *files)

    for day in ("2016-06-01", "2017-07-01", "2020-01-01"):
        assert rated(status(cli, "RX9", day)["ratings"]) == rated(status(other, "RX9", day)["ratings"])


def test_a_response_that_gives_a_recorded_report_another_rating_is_refused_with_the_ref_to_correct(cli, tmp_path):
    run_import(cli, "cqc-api", *NEWER)
    count = len(entries(cli, "RX9"))
    body = response("RX9")
    body["historicRatings"][1]["serviceRatings"][0]["keyQuestionRatings"][0]["rating"] = RI  # 2016: EUC safe was Inadequate
    path = saved(tmp_path, "RX9.json", body)

    message = refused(cli, "cqc-api", path, fixture("RX901"))

    ref = next(e["ref"] for e in entries(cli, "RX9") if e.get("report_id") == RX9_2016)
    assert (
        f'{path}: historicRatings[1].serviceRatings[0].keyQuestionRatings[0].rating: report "{RX9_2016}" is already recorded as {ref}'
        in message
    )
    assert 'where the rating of Emergency and urgent care safe is "Inadequate", but this import has "Requires improvement"' in message
    assert f"cqc-ledger correct {ref} FILE --reason TEXT" in message
    assert len(entries(cli, "RX9")) == count


def test_a_registration_on_another_day_is_refused(cli, tmp_path):
    run_import(cli, "cqc-api", *NEWER)
    body = response("RX9")
    body["registrationDate"] = "2011-04-01"

    message = refused(cli, "cqc-api", saved(tmp_path, "RX9.json", body))

    assert "the registration of RX9 is already recorded as RX9/1, where the day is 2010-04-01, but this import has 2011-04-01" in message


def test_a_new_name_is_kept_as_recorded_with_a_note(cli, tmp_path):
    run_import(cli, "cqc-api", *NEWER)
    body = response("RX9")
    body["name"] = "East Midlands Ambulance Service"

    outcome = run_import(cli, "cqc-api", saved(tmp_path, "RX9.json", body))

    assert outcome["recorded"] == []
    assert [note for note in outcome["notes"] if "is not a rating" not in note] == [
        f'{tmp_path / "RX9.json"}: CQC names RX9 "East Midlands Ambulance Service", but the ledger has '
        '"East Midlands Ambulance Service NHS Trust"; kept as recorded (record a ProviderRenamed with the day of the change)'
    ]


def test_a_location_response_naming_another_provider_than_the_ledgers_is_refused(cli, tmp_path):
    # Given RWP01 registered under RWP (RWP/2, after RWP's registration), and RX9 in the ledger
    run_import(cli, "cqc-api", *NEWER)
    run_import(cli, "cqc-api", fixture("RWP"), fixture("RWP01"))
    ref = next(e["ref"] for e in entries(cli, "RWP") if e["type"] == "LocationRegistered")
    before = entries(cli, "RX9")
    # When a response of RWP01 names RX9 as its provider
    body = response("RWP01") | {"providerId": "RX9"}
    path = saved(tmp_path, "RWP01.json", body)

    message = refused(cli, "cqc-api", path)

    # Then it is refused, naming the registration held; nothing of it is recorded under RX9
    assert f'{path}: field "location_id": location RWP01 is placed under RX9, but the ledger has it under RWP ({ref})' in message
    assert entries(cli, "RX9") == before
    # And it is record's refusal of the same registration, word for word, told by the response
    # it came from where record names the line
    line = b'{"type": "LocationRegistered", "provider_id": "RX9", "location_id": "RWP01", "name": "Worcestershire Royal", "on": "2015-01-01"}\n'
    by_record = cli("record", input=line)
    assert by_record.exit_code == 1
    assert message.replace(f"Error: {path}: ", "Error: line 1: ") == by_record.output


def test_a_location_registered_under_another_provider_and_retracted_there_may_be_imported(cli, tmp_path):
    run_import(cli, "cqc-api", *NEWER)
    body = response("RWP01") | {"providerId": "RX9", "currentRatings": {}, "historicRatings": [], "reports": []}
    run_import(cli, "cqc-api", saved(tmp_path, "RWP01.json", body))
    wrong = next(e["ref"] for e in entries(cli, "RX9") if e.get("location_id") == "RWP01")
    assert cli("retract", wrong, "--reason", "RWP01 is RWP's").exit_code == 0

    outcome = run_import(cli, "cqc-api", fixture("RWP"), fixture("RWP01"))

    assert any(e["type"] == "LocationRegistered" for e in entries(cli, "RWP")) and outcome["recorded"]


def test_a_location_imported_after_its_provider_joins_it(cli):
    run_import(cli, "cqc-api", fixture("RWP"))

    outcome = run_import(cli, "cqc-api", fixture("RWP01"), fixture("RWP"))

    assert [e["type"] for e in entries(cli, "RWP")].count("LocationRegistered") == 1
    assert rated(status(cli, "RWP", "2024-01-01")["locations"][0]["ratings"])["safe"] == (RI, "2023-04-06")
    assert outcome["recorded"][0] == "RWP/11"  # after RWP's own: registration, 4 inspections, 5 reports


def test_a_location_rated_in_its_providers_report_after_that_report_was_recorded_is_refused_with_a_way_out(cli, tmp_path):
    # A correction takes the place of the report it completes, before the location's registration.
    run_import(cli, "cqc-api", fixture("RWP"))
    body = response("RWP01")
    body["currentRatings"]["overall"]["reportLinkId"] = RWP_2019  # the trust's own 2019 report

    message = refused(cli, "cqc-api", saved(tmp_path, "RWP01.json", body))

    ref = next(e["ref"] for e in entries(cli, "RWP") if e.get("report_id") == RWP_2019)
    assert f'currentRatings.overall.rating: report "{RWP_2019}" is recorded as {ref}, before location RWP01 was registered' in message
    assert (
        f"retract {ref} (cqc-ledger retract {ref} --reason TEXT) and import the provider's response together with its locations' responses"
        in message
    )


def test_what_the_ledger_knew_before_an_import_stays_told(cli):
    run_import(cli, "cqc-api", *OLDER)
    known_then = entries(cli, "RX9")[-1]["recorded_at"]
    run_import(cli, "cqc-api", *NEWER)

    result = cli("status", "RX9", "--at", "2020-01-01", "--known-at", known_then, "--json")

    assert result.exit_code == 0, result.output
    assert rated(orjson.loads(result.stdout)["ratings"])["overall"] == (RI, "2017-06-13")
    assert rated(status(cli, "RX9", "2020-01-01")["ratings"])["overall"] == (GOOD, "2019-07-17")


def test_a_providers_registration_day_the_ratings_file_inferred_moves_to_the_earlier_day_its_locations_responses_show(cli, tmp_path):
    # Given RK9 known only from a ratings file: registered on its first rating's day there, inferred
    rows = [location_row("RK901", "Overall", "Overall", RI, "2016-11-25", provider_id="RK9")]
    run_import(cli, "cqc-ratings", ratings_csv(tmp_path, "ratings.csv", "Locations", rows))
    assert [e["on"] for e in entries(cli, "RK9") if e["type"] == "ProviderRegistered"] == ["2016-11-25"]

    # When the real responses of its locations are imported (Derriford's inspection of 2011 among them)
    outcome = run_import(cli, "cqc-api", *map(str, real_responses.files(real_responses.named("RK9*"))))

    # Then the registration moves to the earliest day CQC shows of RK9 (RK950's registration), before anything else
    first, *_ = (e for e in entries(cli, "RK9") if e["ref"] in outcome["recorded"])
    assert (first["type"], first["target_ref"], first["replacement"]["on"]) == ("EntryCorrected", "RK9/1", "2010-04-01")
    assert first["reason"] == (
        "CQC's data shows RK9 on 2010-04-01 (the registration of location RK950), before the day the ledger had "
        "inferred, 2016-11-25; still inferred: CQC's provider response gives the day itself"
    )
    assert status(cli, "RK9", "2011-04-27")["last_report"]["report_id"] == "b7db5afd-3cc0-4064-a172-24734c66252d"
    # and, still inferred, it gives way to the day CQC's provider response gives
    provider = {"providerId": "RK9", "name": "RK9", "registrationDate": "2010-03-01", "registrationStatus": "Registered"}
    run_import(cli, "cqc-api", saved(tmp_path, "RK9.json", provider))
    assert entries(cli, "RK9")[-1]["reason"] == "CQC gives the day, 2010-03-01, where the ledger had inferred 2010-04-01"


def _inherited_rows(body: dict) -> list[dict[str, str]]:
    """The "Latest ratings" rows CQC's file gives for a response's ratings first published on its
    inherited overall's day, each marked inherited (Inherited Rating (Y/N) = Y)."""
    overall, areas = body["currentRatings"]["overall"], {a["inspectionAreaId"]: a["inspectionAreaName"] for a in body["inspectionAreas"]}
    day, location_id, provider_id = overall["reportDate"], body["locationId"], body["providerId"]
    places = [("Overall", overall), *((areas.get(s["name"], s["name"]), s) for s in body["currentRatings"]["serviceRatings"])]
    return [
        location_row(location_id, service, question, rating, day, provider_id=provider_id)
        | {"Location Name": body["name"], "Inherited Rating (Y/N)": "Y"}
        for service, part in places
        if part["reportDate"] == day
        for question, rating in [("Overall", part["rating"]), *((k["name"], k["rating"]) for k in part["keyQuestionRatings"])]
    ]


def test_the_ratings_file_and_the_api_in_either_order_record_rh5a8s_inheritance_once_and_tell_the_same(cli, tmp_path):
    # Given RH5 registered, RH5A8's real response and the rows of a ratings file for what it inherited on 2020-03-24
    (response_file,) = real_responses.files(["RH5A8"])
    ratings = ratings_csv(tmp_path, "ratings.csv", "Locations", _inherited_rows(orjson.loads(response_file.read_bytes())))
    other = runner_for(str(tmp_path / "other.db"))
    for ledger in (cli, other):
        assert ledger("record", input=[registered("RH5", "2010-04-01")]).exit_code == 0

    # When one ledger imports the ratings file first, then the response, and the other the reverse
    run_import(cli, "cqc-ratings", ratings)
    run_import(cli, "cqc-api", str(response_file))
    run_import(other, "cqc-api", str(response_file))
    run_import(other, "cqc-ratings", ratings)

    # Then each holds one inheritance of RH5A8, from RBA11: the API's completes the file's, naming RBA11
    for ledger in (cli, other):
        kept = [e for e in effective_entries(ledger, "RH5") if e["type"] == "RatingsInherited"]
        assert [(e["location_id"], e.get("from_location_id"), e["on"]) for e in kept] == [("RH5A8", "RBA11", "2020-04-01")]
    # and both tell the same of it: status, every change of history, and how each rating came about
    assert told(cli, "status", "RH5", "--at", "2021-04-08") == told(other, "status", "RH5", "--at", "2021-04-08")
    assert told(cli, "history", "RH5") == told(other, "history", "RH5")
    (rh5a8,) = status(cli, "RH5", "2021-04-08")["locations"]
    for service, ratings in [(None, rh5a8["ratings"]), *((s["service"], s["ratings"]) for s in rh5a8["services"])]:
        for question in ("overall", "safe"):
            asked = ("explain", "RH5", "--location", "RH5A8", "--question", question, "--at", "2021-04-08")
            asked += ("--service", service) if service else ()
            assert ratings[question]["inherited_from"] == "RBA11"
            assert told(cli, *asked) == told(other, *asked)
            assert told(cli, *asked)["previous"] == []  # no second inheritance replacing the first the same day


@pytest.mark.parametrize("first", [0, 1], ids=["odd_rows_first", "even_rows_first"])
def test_the_ratings_file_imported_in_two_parts_records_rh5a8s_inheritance_once_and_tells_as_whole(cli, tmp_path, first):
    # Given RH5 registered in two ledgers, and RH5A8's inherited rows of the ratings file whole and in two parts
    (response_file,) = real_responses.files(["RH5A8"])
    rows = _inherited_rows(orjson.loads(response_file.read_bytes()))
    parts = [ratings_csv(tmp_path, f"part{i}.csv", "Locations", rows[i::2]) for i in (first, 1 - first)]
    whole = ratings_csv(tmp_path, "whole.csv", "Locations", rows)
    other = runner_for(str(tmp_path / "whole.db"))
    for ledger in (cli, other):
        assert ledger("record", input=[registered("RH5", "2010-04-01")]).exit_code == 0

    # When one ledger imports the file in its two parts, the other whole, and both then the response
    for part in parts:
        run_import(cli, "cqc-ratings", part)
    run_import(other, "cqc-ratings", whole)
    for ledger in (cli, other):
        run_import(ledger, "cqc-api", str(response_file))

    # Then each holds one inheritance of RH5A8, from RBA11, of every cell: the second part completed the first's
    kept = [
        [
            (
                e["location_id"],
                e.get("from_location_id"),
                e["on"],
                sorted(orjson.dumps(c, option=orjson.OPT_SORT_KEYS) for c in e["ratings"]),
            )
            for e in effective_entries(ledger, "RH5")
            if e["type"] == "RatingsInherited"
        ]
        for ledger in (cli, other)
    ]
    assert [k[:3] for k in kept[0]] == [("RH5A8", "RBA11", "2020-04-01")]
    assert kept[0] == kept[1]
    # and the parts tell what the whole tells: status, every change of history, how each rating came about
    assert told(cli, "status", "RH5", "--at", "2021-04-08") == told(other, "status", "RH5", "--at", "2021-04-08")
    assert told(cli, "history", "RH5") == told(other, "history", "RH5")
    (rh5a8,) = status(cli, "RH5", "2021-04-08")["locations"]
    for service, ratings in [(None, rh5a8["ratings"]), *((s["service"], s["ratings"]) for s in rh5a8["services"])]:
        for question in ratings:
            asked = ("explain", "RH5", "--location", "RH5A8", "--question", question, "--at", "2021-04-08")
            asked += ("--service", service) if service else ()
            assert ratings[question]["inherited_from"] == "RBA11"
            assert told(cli, *asked) == told(other, *asked)
            assert told(cli, *asked)["previous"] == []
    # and importing any of it again records nothing
    for path in [*parts, whole]:
        assert run_import(cli, "cqc-ratings", path)["recorded"] == []
    assert run_import(cli, "cqc-api", str(response_file))["recorded"] == []


def told(ledger, *args: str) -> Any:
    """A command's JSON answer without what says when and where the ledger learned it (refs,
    times, sources, mends), which the order of the imports decides."""
    result = ledger(*args, "--json")
    assert result.exit_code == 0, result.output
    return _plain(orjson.loads(result.stdout))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k not in (*real_responses.NOT_ANSWERS, "source", "mends", "mended_by")}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return real_responses.REF.sub("REF", value) if isinstance(value, str) else value


def effective_entries(ledger, provider_id: str) -> list[dict[str, Any]]:
    """The provider's entries as they count now: each corrected one as its latest replacement, a
    retracted one gone (the latest mend of an entry decides it)."""
    found = entries(ledger, provider_id)
    fate = {e["target_ref"]: e.get("replacement") for e in found if e["type"] in ("EntryCorrected", "EntryRetracted")}
    return [fate.get(e["ref"], e) for e in found if "target_ref" not in e and fate.get(e["ref"], e) is not None]


def test_the_ratings_files_report_gives_cqcs_reports_restating_it_their_ratings_and_keeps_the_rest(cli, tmp_path):
    # Given RA9 registered in two ledgers, and a ratings file of the current ratings of RA901 and RA90J
    # (real responses), with one more rating of 2018-05-17 that no response gives: RA901's Diagnostic imaging
    responses = real_responses.files(["RA901", "RA90J"])
    rows = [row for path in responses for row in real_responses.latest_ratings_rows(orjson.loads(path.read_bytes()))]
    rows.append(location_row("RA901", "Diagnostic imaging", "Overall", GOOD, "2018-05-17", provider_id="RA9"))
    ratings = ratings_csv(tmp_path, "ratings.csv", "Locations", rows)
    other = runner_for(str(tmp_path / "other.db"))
    for ledger in (cli, other):
        assert ledger("record", input=[registered("RA9", "2010-04-01")]).exit_code == 0
    file_report = "cqc-ratings:RA9:2018-05-17"

    # When one ledger imports the file, then RA90J's response, then RA901's, and the other the responses, then the file
    run_import(cli, "cqc-ratings", ratings)
    held = {e["report_id"]: e for e in entries(cli, "RA9") if e["type"] == "ReportPublished"}
    assert len(held[file_report]["ratings"]) == 14  # RA901's 13 ratings of that day and RA90J's one
    first = run_import(cli, "cqc-api", str(responses[1]))
    second = run_import(cli, "cqc-api", str(responses[0]))
    run_import(other, "cqc-api", *map(str, responses))
    run_import(other, "cqc-ratings", ratings)

    # Then each response moved what it restates out of the file's report of that day, which keeps
    # the rating no response gives, as the file imported after the responses records it
    file_refs = {e["ref"] for e in entries(cli, "RA9") if e.get("report_id", "").startswith("cqc-ratings:")}
    mends = [
        [e for e in entries(cli, "RA9") if e["ref"] in outcome["recorded"] and e.get("target_ref") in file_refs]
        for outcome in (first, second)
    ]
    assert [(e["type"], len(e["replacement"]["ratings"])) for e in mends[0]] == [("EntryCorrected", 13)]
    assert mends[0][0]["reason"] == (
        "the ratings file's report of RA9 on 2018-05-17 stood in for CQC's own, report "
        '"1dd51f45-9d1f-487a-8d3e-c7fd567edd69", which publishes 1 of its ratings; it keeps the 13 ratings not among them'
    )
    # RA901's of 2016-06-07 and 2020-07-02 wholly, RA9's of 2018-05-17 all but one rating
    assert sorted(e["type"] for e in mends[1]) == ["EntryCorrected", "EntryRetracted", "EntryRetracted"]
    # and each import says so in one note, the file's reports it mends counted and the first few named
    restating = [[n for n in outcome["notes"] if "ratings file" in n] for outcome in (first, second)]
    assert restating[0] == [
        "CQC's reports in this import restate 1 report the ratings file recorded in their stead: "
        f"{mends[0][0]['target_ref']} (RA9 on 2018-05-17) corrected to keep 13 ratings"
    ]
    assert len(restating[1]) == 1
    assert restating[1][0].startswith("CQC's reports in this import restate 3 reports the ratings file recorded in their stead: ")
    assert "on 2016-06-07) retracted" in restating[1][0] and "on 2018-05-17) corrected to keep 1 rating" in restating[1][0]
    kept = [[e for e in effective_entries(ledger, "RA9") if e.get("report_id", "").startswith("cqc-ratings:")] for ledger in (cli, other)]
    extra = {"location_id": "RA901", "service": "Diagnostic imaging", "question": "overall", "rating": GOOD}
    assert (
        [(e["report_id"], e["ratings"]) for e in kept[0]] == [(file_report, [extra])] == [(e["report_id"], e["ratings"]) for e in kept[1]]
    )
    # and both tell the same: status, every change of history that counts, how each rating came about
    # (of two reports of one day, the last recorded is the last report: of the last report, its day)
    for day in ("2016-06-07", "2018-05-17", "2021-04-08"):
        statuses = [told(ledger, "status", "RA9", "--at", day) for ledger in (cli, other)]
        first_told, other_told = ({**doc, "last_report": doc["last_report"]["on"]} for doc in statuses)
        assert first_told == other_told, day
    assert counted_history(cli, "RA9") == counted_history(other, "RA9")
    for service, question in [
        (None, "overall"),
        ("Diagnostic imaging", "overall"),
        ("End of life care", "safe"),
        ("Critical care", "safe"),
    ]:
        asked = ("explain", "RA9", "--location", "RA901", "--question", question, "--at", "2021-04-08")
        asked += ("--service", service) if service else ()
        assert told(cli, *asked) == told(other, *asked), (service, question)
    # and importing any of it again records nothing
    for ledger in (cli, other):
        assert run_import(ledger, "cqc-api", *map(str, responses))["recorded"] == []
        assert run_import(ledger, "cqc-ratings", ratings)["recorded"] == []


def test_a_rating_cqcs_report_gives_otherwise_stays_in_the_ratings_files_report(cli, tmp_path):
    # Given the file's report of RA9 on 2018-05-17: RA90J inspected but not rated, RA901's Maternity overall Outstanding
    rows = [
        location_row("RA90J", "Overall", "Overall", "Inspected but not rated", "2018-05-17", provider_id="RA9"),
        location_row("RA901", "Maternity", "Overall", "Outstanding", "2018-05-17", provider_id="RA9"),
    ]
    assert cli("record", input=[registered("RA9", "2010-04-01")]).exit_code == 0
    run_import(cli, "cqc-ratings", ratings_csv(tmp_path, "ratings.csv", "Locations", rows))

    # When CQC's responses give RA90J's rating as the file does, and RA901's Maternity as Requires improvement
    run_import(cli, "cqc-api", *map(str, real_responses.files(["RA901", "RA90J"])))

    # Then the file's report keeps the rating CQC's gives otherwise: no rating is lost
    (kept,) = [e for e in effective_entries(cli, "RA9") if e.get("report_id") == "cqc-ratings:RA9:2018-05-17"]
    assert kept["ratings"] == [{"location_id": "RA901", "service": "Maternity", "question": "overall", "rating": "Outstanding"}]


def counted_history(ledger, provider_id: str) -> list[bytes]:
    """The history's entries that count, as `told`, of one day in any order."""
    steps = [step for step in told(ledger, "history", provider_id) if not step["retracted"]]
    return sorted(orjson.dumps(step, option=orjson.OPT_SORT_KEYS) for step in steps)


# RBZ93's report of 2014-05-10 was first visited on 2014-04-09, the day its response gives as its
# last inspection; before CQC listed that report, the response gave that day alone.
VISITED = "2014-04-09"


def _visits(cli: Any) -> list[dict[str, Any]]:
    """RBZ's inspections on the visit's day, as the ledger counts them (retractions applied)."""
    listed = entries(cli, "RBZ")
    withdrawn = {e["target_ref"] for e in listed if e["type"] == "EntryRetracted"}
    return [e for e in listed if e["type"] == "InspectionCarriedOut" and e["on"] == VISITED and e["ref"] not in withdrawn]


@pytest.mark.parametrize("order", ["older_first", "newer_first"])
def test_a_last_inspection_a_later_response_lists_as_its_reports_first_visit_is_recorded_once_in_either_order(cli, tmp_path, order):
    # Given: RBZ93's response, and the same response as it stood before CQC listed the report.
    newer = orjson.loads(real_responses.files(["RBZ93"])[0].read_bytes())
    older = {**newer, "reports": [r for r in newer["reports"] if r.get("firstVisitDate") != VISITED]}
    paths = [saved(tmp_path, "RBZ93-older.json", older), saved(tmp_path, "RBZ93-newer.json", newer)]
    assert cli("record", input=[registered("RBZ")]).exit_code == 0

    # When: they are imported one at a time, in either order, then each again.
    for path in paths if order == "older_first" else paths[::-1]:
        run_import(cli, "cqc-api", path)
    told = _visits(cli)
    again = [run_import(cli, "cqc-api", path)["recorded"] for path in paths]

    # Then: the visit counts once, as the report's inspection at RBZ93 (an inspection known only
    # by the location and day, recorded first, is retracted); importing again adds nothing.
    assert [(e["inspection_id"], e["scope"]) for e in told] == [("61a23e49-03dd-4f01-902c-65519ce7138d", [{"location_id": "RBZ93"}])]
    assert status(cli, "RBZ", "2021-04-08")["last_inspection"]["inspection_id"] == told[0]["inspection_id"]
    assert again == [[], []]
    assert _visits(cli) == told


def test_a_visit_recorded_twice_by_an_earlier_release_counts_once_when_the_newer_response_is_imported_again(cli, tmp_path):
    # Given: the older response imported, then the report's inspection recorded as an earlier
    # release drafted it from the newer one: by its link, at no location.
    newer = orjson.loads(real_responses.files(["RBZ93"])[0].read_bytes())
    older = {**newer, "reports": [r for r in newer["reports"] if r.get("firstVisitDate") != VISITED]}
    assert cli("record", input=[registered("RBZ")]).exit_code == 0
    run_import(cli, "cqc-api", saved(tmp_path, "RBZ93-older.json", older))
    link = "61a23e49-03dd-4f01-902c-65519ce7138d"
    earlier = {"type": "InspectionCarriedOut", "provider_id": "RBZ", "inspection_id": link, "on": VISITED}
    assert cli("record", input=[earlier]).exit_code == 0
    assert len(_visits(cli)) == 2

    # When: the newer response is imported.
    run_import(cli, "cqc-api", saved(tmp_path, "RBZ93-newer.json", newer))

    # Then: the report's inspection is completed with its location, and the other retracted.
    told = entries(cli, "RBZ")
    corrected = [e for e in told if e["type"] == "EntryCorrected" and e["replacement"]["type"] == "InspectionCarriedOut"]
    assert [e["replacement"]["scope"] for e in corrected] == [[{"location_id": "RBZ93"}]]
    assert [(e["inspection_id"], e["ref"]) for e in _visits(cli)] == [(link, corrected[0]["target_ref"])]
