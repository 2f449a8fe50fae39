"""`import cqc-api`: CQC's provider and location responses become registrations, inspections and
reports, each report carrying exactly the ratings published with its link; bad files are refused
whole, naming the file and the place in it."""

from __future__ import annotations

import pytest
from builders import registered
from cqc_data import (
    API,
    RWP01_2023,
    RWP_2019,
    RWP_UOR_2019,
    RX9_2014,
    entries,
    fixture,
    place,
    rated,
    refused,
    response,
    run_import,
    saved,
    status,
)

from cqc_ledger.ledger.imports.cqc_api import Response, drafts

RI, GOOD, INADEQUATE = "Requires improvement", "Good", "Inadequate"
RWP_FILES = [fixture("RWP"), fixture("RWP01"), fixture("RWP50")]


# ---- what a response becomes ----------------------------------------------------------------


def test_a_provider_response_becomes_its_registration_and_a_report_per_link_each_with_its_own_cells():
    body = {
        "providerId": "RX9",
        "name": "East Midlands Ambulance Service NHS Trust",
        "registrationDate": "2010-04-01",
        "registrationStatus": "Registered",
        "inspectionCategories": [{"primary": "true", "name": "Ambulance service"}],
        "currentRatings": {
            "overall": {
                "rating": "Good",
                "reportDate": "2019-07-17",
                "reportLinkId": "L19",
                "keyQuestionRatings": [
                    {"name": "Caring", "rating": "Outstanding", "reportDate": "2019-07-17", "reportLinkId": "L19"},
                    {"name": "Responsive", "rating": "Good", "reportDate": "2016-05-10", "reportLinkId": "L16"},
                ],
            },
            "serviceRatings": [
                {
                    "name": "Emergency and urgent care (EUC)",
                    "rating": "Good",
                    "reportDate": "2019-07-17",
                    "reportLinkId": "L19",
                    "keyQuestionRatings": [{"name": "Safe", "rating": "Good"}],
                }
            ],
        },
        "historicRatings": [],
        "reports": [{"linkId": "L19", "reportDate": "2019-07-17", "firstVisitDate": "2019-04-02", "reportType": "Provider"}],
    }

    found = [d.obj for d in drafts([Response("RX9.json", body)])]

    assert found == [
        {
            "type": "ProviderRegistered",
            "provider_id": "RX9",
            "name": "East Midlands Ambulance Service NHS Trust",
            "on": "2010-04-01",
            "provider_type": "ambulance",
            "source": f"{API}/providers/RX9",
        },
        {
            "type": "ReportPublished",
            "provider_id": "RX9",
            "source": f"{API}/reports/L16",
            "report_id": "L16",
            "on": "2016-05-10",
            "ratings": [{"question": "responsive", "rating": GOOD}],
        },
        {"type": "InspectionCarriedOut", "provider_id": "RX9", "source": f"{API}/reports/L19", "inspection_id": "L19", "on": "2019-04-02"},
        {
            "type": "ReportPublished",
            "provider_id": "RX9",
            "source": f"{API}/reports/L19",
            "report_id": "L19",
            "on": "2019-07-17",
            "inspection_ids": ["L19"],
            "ratings": [
                {"question": "overall", "rating": GOOD},
                {"question": "caring", "rating": "Outstanding"},
                {"service": "Emergency and urgent care", "question": "overall", "rating": GOOD},
                {"service": "Emergency and urgent care", "question": "safe", "rating": GOOD},
            ],
        },
    ]


def test_the_same_responses_always_give_the_same_entries():
    responses = [Response(name, response(name)) for name in ("RWP", "RWP01", "RWP50")]

    assert [d.obj for d in drafts(responses)] == [d.obj for d in drafts(list(reversed(responses)))]


def test_an_acute_trust_is_rated_at_trust_location_and_service_level_each_cell_from_its_own_report(cli):
    run_import(cli, "cqc-api", *RWP_FILES)

    doc = status(cli, "RWP", "2024-01-01")
    assert rated(doc["ratings"])["overall"] == (RI, "2019-09-20")
    assert rated(doc["ratings"])["use-of-resources"] == (INADEQUATE, "2019-09-20")
    assert rated(doc["ratings"])["combined"] == (RI, "2019-09-20")
    # RWP01's safe came from the 2023 report, its other key questions from the 2019 one.
    assert rated(place(doc, "RWP01"))["safe"] == (RI, "2023-04-06")
    assert rated(place(doc, "RWP01"))["caring"] == (GOOD, "2019-09-20")
    assert rated(place(doc, "RWP01", "Maternity"))["overall"] == (GOOD, "2019-09-20")
    assert [loc["name"] for loc in doc["locations"]] == ["Worcestershire Royal Hospital", "Alexandra Hospital"]


def test_an_organisation_id_of_a_dash_names_no_other_organisation():
    # Given RWP01's response, whose key questions give "organisationId": "-" (CQC's empty value)
    body = response("RWP01")
    assert {kq["organisationId"] for kq in body["currentRatings"]["overall"]["keyQuestionRatings"]} == {"-"}

    # When it is drafted into entries
    drafted = [d.obj for d in drafts([Response("RWP", response("RWP")), Response("RWP01", body)])]

    # Then its ratings are the location's own, not inherited from an organisation called "-"
    assert [d for d in drafted if d["type"] == "RatingsInherited"] == []


def test_service_names_are_the_canonical_core_services(cli):
    run_import(cli, "cqc-api", *RWP_FILES)

    doc = status(cli, "RWP", "2024-01-01")
    services = {loc["location_id"]: [s["service"] for s in loc["services"]] for loc in doc["locations"]}
    # The responses say "Urgent and emergency care", "Urgent & emergency services", "Services for children & young people".
    assert "Urgent and emergency services" in services["RWP01"]
    assert services["RWP50"] == ["Services for children and young people", "Urgent and emergency services"]


def test_use_of_resources_and_the_combined_rating_are_the_trusts_own_in_their_own_report(cli):
    run_import(cli, "cqc-api", *RWP_FILES)

    report = next(e for e in entries(cli, "RWP") if e.get("report_id") == RWP_UOR_2019)
    assert report["ratings"] == [{"question": "use-of-resources", "rating": INADEQUATE}, {"question": "combined", "rating": RI}]


def test_key_questions_are_matched_by_name_not_by_position(cli):
    # RWP's current key questions come as Well-led, Safe, Caring, Responsive, Effective.
    run_import(cli, "cqc-api", *RWP_FILES)

    ratings = rated(status(cli, "RWP", "2024-01-01")["ratings"])
    assert ratings["effective"] == (GOOD, "2019-09-20")
    assert ratings["well-led"] == (RI, "2019-09-20")


def test_each_report_link_becomes_an_inspection_from_its_first_visit_and_a_report_citing_the_link(cli):
    run_import(cli, "cqc-api", *RWP_FILES)

    recorded = entries(cli, "RWP")
    inspection = next(e for e in recorded if e.get("inspection_id") == RWP01_2023)
    report = next(e for e in recorded if e.get("report_id") == RWP01_2023)
    assert (inspection["type"], inspection["on"], inspection["source"]) == (
        "InspectionCarriedOut",
        "2022-11-29",
        f"{API}/reports/{RWP01_2023}",
    )
    assert (report["on"], report["inspection_ids"], report["source"]) == ("2023-04-06", [RWP01_2023], f"{API}/reports/{RWP01_2023}")
    # The use of resources report has no first visit, so no inspection.
    assert not any(e.get("inspection_id") == RWP_UOR_2019 for e in recorded)


def test_registrations_come_before_the_reports_that_name_the_locations_whatever_the_order_of_the_files(cli):
    outcome = run_import(cli, "cqc-api", fixture("RWP50"), fixture("RWP01"), fixture("RWP"))

    types = [e["type"] for e in entries(cli, "RWP")]
    assert types[:3] == ["ProviderRegistered", "LocationRegistered", "LocationRegistered"]
    assert len(outcome["recorded"]) == len(types)


def test_words_that_mean_no_rating_make_no_cell_but_their_report_is_recorded(cli):
    # RX9's 2014 report: "No published rating" overall, "Do not include in report" for each key question.
    run_import(cli, "cqc-api", fixture("RX9"), fixture("RX901"))

    report = next(e for e in entries(cli, "RX9") if e.get("report_id") == RX9_2014)
    assert (report["on"], report["ratings"]) == ("2014-04-09", [])
    assert status(cli, "RX9", "2015-01-01")["ratings"] == {}


def test_an_ambulance_trusts_services_are_rated_at_trust_level(cli):
    run_import(cli, "cqc-api", fixture("RX9"), fixture("RX901"))

    doc = status(cli, "RX9", "2020-01-01")
    assert [s["service"] for s in doc["services"]] == [
        "Emergency and urgent care",
        "Emergency operations centre",
        "Patient transport services",
    ]
    assert rated(place(doc, None, "Emergency and urgent care"))["caring"] == ("Outstanding", "2019-07-17")
    assert doc["locations"][0]["ratings"] == {}


def test_a_deregistered_location_and_provider_are_recorded_with_the_successor_named(cli, tmp_path):
    provider, location = response("RX9"), response("RX901")
    provider.update(
        registrationStatus="Deregistered",
        deregistrationDate="2024-03-31",
        relationships=[
            {"relatedProviderId": "R1A", "relatedProviderName": "Successor NHS Trust", "type": "HSCA Successor", "reason": "NHS Transfer"}
        ],
    )
    location.update(registrationStatus="Deregistered", deregistrationDate="2024-03-31")

    run_import(cli, "cqc-api", saved(tmp_path, "RX9.json", provider), saved(tmp_path, "RX901.json", location))

    last = entries(cli, "RX9")[-2:]
    assert [(e["type"], e["on"]) for e in last] == [("LocationDeregistered", "2024-03-31"), ("ProviderDeregistered", "2024-03-31")]
    assert (last[1]["successor_id"], last[1]["reason"]) == ("R1A", "NHS Transfer")


def test_the_import_command_answers_for_a_person(cli):
    result = cli("import", "cqc-api", fixture("RX9"), fixture("RX901"))

    assert result.exit_code == 0, result.output
    # 2 registrations, 4 inspections, 4 reports; the words that are not ratings are noted, not made cells
    assert result.output == (
        "Recorded 10 entries: RX9/1-10.\n"
        f'Note: "Do not include in report" is not a rating: 5 values in 1 response made no cell ({fixture("RX9")}; '
        f"the first at {fixture('RX9')}: historicRatings[2].overall.keyQuestionRatings[0].rating)\n"
        f'Note: "No published rating" is not a rating: 1 value in 1 response made no cell ({fixture("RX9")}; '
        f"the first at {fixture('RX9')}: historicRatings[2].overall.rating)\n"
    )


# ---- refused whole ---------------------------------------------------------------------------


def test_a_rating_word_cqc_does_not_use_refuses_the_import_naming_the_file_and_the_place(cli, tmp_path):
    body = response("RWP01")
    body["currentRatings"]["serviceRatings"][2]["keyQuestionRatings"][0]["rating"] = "Requires Improvment"
    path = saved(tmp_path, "RWP01.json", body)

    message = refused(cli, "cqc-api", fixture("RWP"), path)

    assert (
        f'{path}: currentRatings.serviceRatings[2].keyQuestionRatings[0].rating: "Requires Improvment" is not a CQC rating (did you mean "Requires improvement"?)'
        in message
    )
    assert cli("entries", "RWP").exit_code == 1  # nothing recorded


def test_a_key_question_cqc_does_not_have_is_refused(cli, tmp_path):
    body = response("RX9")
    body["historicRatings"][0]["overall"]["keyQuestionRatings"][0]["name"] = "Safety"

    message = refused(cli, "cqc-api", saved(tmp_path, "RX9.json", body))

    assert 'historicRatings[0].overall.keyQuestionRatings[0].name: "Safety" is not a CQC key question (did you mean "Safe"?)' in message


@pytest.mark.parametrize(
    "content, says",
    [
        (b'{"providerId": "RX9", ', "not valid JSON"),
        (b'{"name": "A hospital"}', 'not a CQC API provider or location response: it has no "providerId" or "locationId"'),
        (b'{"providers": [{"providerId": "RX9"}], "page": 1}', "this is a listing"),
        (b'"RX9"', "expected a JSON object"),
        ('{"providerId": "RX9", "name": "Café"}'.encode("latin-1"), "not UTF-8 text: byte 35 of the file is 0xe9"),
        ('{"providerId": "RX9"}'.encode("utf-16"), "not UTF-8 text: it opens with UTF-16's byte order mark; save the file as UTF-8"),
    ],
    ids=["cut short", "neither", "a listing", "not an object", "latin-1", "utf-16"],
)
def test_a_file_that_is_not_a_cqc_response_is_refused(cli, tmp_path, content, says):
    path = tmp_path / "data.json"
    path.write_bytes(content)

    message = refused(cli, "cqc-api", fixture("RX901"), str(path))

    assert f"{path}: " in message and says in message
    assert cli("entries", "RX9").exit_code == 1


def test_a_location_whose_provider_is_in_neither_the_ledger_nor_the_import_is_refused_with_a_hint(cli):
    message = refused(cli, "cqc-api", fixture("RWP01"))

    assert "provider RWP is neither in the ledger nor in this import: import its provider response first" in message


def test_a_report_link_dated_twice_is_refused(cli, tmp_path):
    body = response("RWP")
    body["reports"][0]["reportDate"] = "2019-09-21"

    message = refused(cli, "cqc-api", saved(tmp_path, "RWP.json", body))

    assert f"report {RWP_2019} is dated 2019-09-20 here but 2019-09-21 in" in message and "a report has one publication day" in message


def test_two_responses_of_one_provider_in_one_import_are_refused(cli):
    message = refused(cli, "cqc-api", fixture("RX9-2018"), fixture("RX9"))

    assert "provider RX9 is also in" in message and "the older first" in message


def test_a_refusal_over_an_entry_of_the_same_import_names_that_entry_not_a_ref_it_was_never_given(cli, tmp_path):
    # Given a ledger holding only RWP's registration, and RWP01's response deregistering it on
    # 2018-01-01, before its report of 2023-04-06 (RWP/2 to RWP/11 would be this import's)
    assert cli("record", input=[registered(on="2010-04-01")]).exit_code == 0
    body = response("RWP01") | {"registrationStatus": "Deregistered", "deregistrationDate": "2018-01-01"}
    path = saved(tmp_path, "RWP01.json", body)

    message = refused(cli, "cqc-api", path)

    # Then the refusal names the report of the response, where in it, and the deregistration's place
    assert f"{path}: deregistrationDate: " in message and "cannot be deregistered on 2018-01-01" in message
    assert f'this import\'s report "{RWP01_2023}" ({path}: ' in message
    assert "RWP/" not in message
    assert [e["type"] for e in entries(cli, "RWP")] == ["ProviderRegistered"]


def test_a_refusal_over_an_entry_already_recorded_names_its_ref(cli, tmp_path):
    assert cli("record", input=[registered(on="2010-04-01")]).exit_code == 0
    run_import(cli, "cqc-api", fixture("RWP01"))
    body = response("RWP01") | {"registrationStatus": "Deregistered", "deregistrationDate": "2018-01-01"}

    message = refused(cli, "cqc-api", saved(tmp_path, "RWP01.json", body))

    ref = next(e["ref"] for e in entries(cli, "RWP") if e.get("report_id") == RWP01_2023)
    assert f"{ref}, a ReportPublished of it, is dated 2023-04-06" in message


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda body: body["reports"][0].update(linkId=None), "reports[0].linkId: expected text, found null"),
        (lambda body: body["reports"][0].update(linkId=7), "reports[0].linkId: expected text, found 7"),
        (
            lambda body: body["currentRatings"]["serviceRatings"][0].update(name={"a": 1}),
            "currentRatings.serviceRatings[0].name: an object is not a service name",
        ),
        (lambda body: body["currentRatings"]["overall"].update(rating=True), "currentRatings.overall.rating: true is not a CQC rating"),
        (
            lambda body: body["currentRatings"]["overall"].update(reportLinkId=False),
            "currentRatings.overall.reportLinkId: false is not a report link",
        ),
        (lambda body: body.update(registrationDate=20100401), "registrationDate: 20100401 is not a date like 2019-09-20"),
        (
            lambda body: body["currentRatings"]["overall"]["keyQuestionRatings"][0].update(name=None),
            "currentRatings.overall.keyQuestionRatings[0].name: null is not a CQC key question",
        ),
    ],
    ids=["null", "a number", "an object", "true", "false", "a number for a day", "null for a question"],
)
def test_a_value_of_the_wrong_kind_is_named_as_json_writes_it(cli, tmp_path, change, says):
    body = response("RWP01")
    change(body)

    message = refused(cli, "cqc-api", fixture("RWP"), saved(tmp_path, "RWP01.json", body))

    assert f"{tmp_path / 'RWP01.json'}: {says}" in message, message
