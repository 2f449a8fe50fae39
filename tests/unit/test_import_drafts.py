"""What an import of CQC API responses drafts, and how keeping current weighs inherited ratings:
a response gives the same entries whichever responses come with it, an inherited rating's report
is not the successor's, and an inheritance recorded once is already there when imported again,
with or without what only another response says of it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from builders import cell, inherited, location, registered
from conftest import SHARED

from cqc_ledger.ledger.errors import BadImportFile, RuleBroken
from cqc_ledger.ledger.imports import Draft, keeping
from cqc_ledger.ledger.imports.cqc_api import Response, drafts
from cqc_ledger.ledger.parsing import parse_entry
from cqc_ledger.ledger.records import Recorded

REAL = SHARED / "reference" / "cqc-api-real"
FILES = sorted(REAL.glob("*.json"))
TODAY = date(2026, 1, 1)
MUSGROVE_2020 = "e473abc4-3b8f-4f4d-8f97-4f593fd195bc"  # RBA11's report of 2020-03-24, whose ratings RH5A8 took over


def real(path: Path) -> Response:
    return Response(path.stem, orjson.loads(path.read_bytes()))


def drafted(*paths: Path) -> list[dict[str, Any]]:
    return [d.obj for d in drafts([real(path) for path in paths])]


def test_each_real_response_alone_drafts_what_it_drafts_among_all_of_them():
    together = drafted(*FILES)

    alone = {path.stem: [obj for obj in drafted(path) if obj not in together] for path in FILES}

    assert {name: objs for name, objs in alone.items() if objs} == {}


def test_the_successor_drafts_its_inherited_ratings_from_the_location_its_response_names_and_no_report():
    musgrove = drafted(REAL / "RH5A8.json")

    assert [d["type"] for d in musgrove] == ["LocationRegistered", "RatingsInherited"]
    taken = musgrove[1]
    assert (taken["on"], taken["from_location_id"], "from_provider_id" in taken) == ("2020-04-01", "RBA11", False)
    assert MUSGROVE_2020 in {c["report_id"] for c in taken["ratings"]}
    # with the predecessor's response, the same entry; the report is the predecessor's
    both = drafted(REAL / "RBA11.json", REAL / "RH5A8.json")
    assert taken in both
    assert [(d["provider_id"], d["on"]) for d in both if d.get("report_id") == MUSGROVE_2020] == [("RBA", "2020-03-24")]


def test_a_part_that_names_no_organisation_belongs_to_the_part_it_is_in():
    # RH5A8's overall is RBA11's; so is its useOfResources, which names none (here, empty)
    body = orjson.loads((REAL / "RH5A8.json").read_bytes())
    body["currentRatings"]["overall"]["useOfResources"] = {}
    for kq in body["currentRatings"]["overall"]["keyQuestionRatings"]:
        del kq["organisationId"]

    found = drafts([Response("RH5A8", body)])

    assert [d.obj["type"] for d in found] == ["LocationRegistered", "RatingsInherited"]
    assert len(found[1].obj["ratings"]) == 60


def inspections_of(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [d.obj for d in drafts([Response("RH801", body)]) if d.obj["type"] == "InspectionCarriedOut"]


def test_a_locations_last_inspection_is_an_inspection_there_on_that_day_unless_a_listed_report_was_first_visited_then():
    body = orjson.loads((REAL / "RH801.json").read_bytes())
    listed = [r["firstVisitDate"] for r in body["reports"] if r.get("firstVisitDate")]

    assert [(i["inspection_id"], i["on"], i.get("scope")) for i in inspections_of(body) if i["on"] not in listed] == [
        ("cqc-api:RH801:2021-01-19", "2021-01-19", [{"location_id": "RH801"}])
    ]
    body["lastInspection"] = {"date": listed[0]}
    assert [i["on"] for i in inspections_of(body)] == sorted(listed)
    body["lastInspection"] = {"date": None}
    assert [i["on"] for i in inspections_of(body)] == sorted(listed)


def test_a_last_inspection_that_is_not_a_day_is_refused_naming_its_place():
    body = orjson.loads((REAL / "RH801.json").read_bytes())
    body["lastInspection"] = {"date": "19/01/2021x"}

    with pytest.raises(BadImportFile, match=r"^RH801: lastInspection\.date: "):
        drafts([Response("RH801", body)])
    body["lastInspection"] = "2021-01-19"
    with pytest.raises(BadImportFile, match=r"^RH801: lastInspection: expected a JSON object$"):
        drafts([Response("RH801", body)])


def test_a_last_inspection_outside_the_locations_registration_is_left_out_with_a_note():
    body = orjson.loads((REAL / "RH801.json").read_bytes())
    registered_on = body["registrationDate"]
    body["lastInspection"] = {"date": "2009-01-01"}
    notes: list[str] = []
    found = [d.obj for d in drafts([Response("RH801", body)], notes) if d.obj["type"] == "InspectionCarriedOut"]
    assert "2009-01-01" not in [i["on"] for i in found]
    assert notes[-1] == f"RH801: lastInspection.date 2009-01-01 is outside the location's registration (from {registered_on}): not recorded"
    body["deregistrationDate"] = "2020-12-31"
    body["lastInspection"] = {"date": "2021-01-19"}
    notes = []
    assert "2021-01-19" not in [d.obj["on"] for d in drafts([Response("RH801", body)], notes)]
    assert notes[-1] == (
        f"RH801: lastInspection.date 2021-01-19 is outside the location's registration ({registered_on} to 2020-12-31): not recorded"
    )


RH5A8 = "RH5A8"
TAKEN = [cell("overall", "Good", RH5A8) | {"published_on": "2020-03-24", "report_id": MUSGROVE_2020}]


def history(*lines: dict[str, Any]) -> list[Recorded]:
    at = datetime(2025, 1, 1, tzinfo=UTC)
    return [Recorded(parse_entry(line, today=TODAY), n, at) for n, line in enumerate(lines, 1)]


def weighed(recorded: list[Recorded], line: dict[str, Any]) -> keeping.Plan:
    """What keeping current makes of one imported entry against the provider's history."""
    entry = parse_entry(line, today=TODAY)
    return keeping.plan([(entry, Draft(line, "RH5A8.json"))], lambda _: keeping.known(recorded), lambda _: keeping.index_of(recorded))


def ledger_of(taken: dict[str, Any]) -> list[Recorded]:
    return history(registered("RH5"), location(RH5A8, "2020-04-01", provider_id="RH5"), taken)


def from_rba11(*cells: dict[str, Any], **more: Any) -> dict[str, Any]:
    return inherited(RH5A8, "2020-04-01", *(cells or TAKEN), provider_id="RH5", from_location_id="RBA11", **more)


def test_an_inheritance_recorded_with_its_providers_id_is_already_there_when_imported_without_it():
    plan = weighed(ledger_of(from_rba11(from_provider_id="RBA")), from_rba11())

    assert (plan.record, plan.already) == ([], ["RH5/3"])


def test_an_inheritance_recorded_without_its_providers_id_is_completed_by_one_that_gives_it():
    plan = weighed(ledger_of(from_rba11()), from_rba11(from_provider_id="RBA"))

    ((correction, _),) = plan.record
    assert (correction.type_name, correction.ref, correction.replacement.from_provider_id) == ("EntryCorrected", "RH5/3", "RBA")


def test_an_inheritance_seen_again_with_fewer_ratings_is_already_there():
    more = [*TAKEN, cell("safe", "Requires improvement", RH5A8) | {"published_on": "2020-03-24", "report_id": MUSGROVE_2020}]

    plan = weighed(ledger_of(from_rba11(*more)), from_rba11())

    assert (plan.record, plan.already) == ([], ["RH5/3"])


def test_an_inherited_rating_first_published_on_another_day_is_a_contradiction_with_the_ref_to_correct():
    other_day = [TAKEN[0] | {"published_on": "2017-12-05"}]

    with pytest.raises(RuleBroken) as refused:
        weighed(ledger_of(from_rba11()), from_rba11(*other_day))

    message = str(refused.value)
    assert "the inheritance of RH5A8's ratings from RBA11 is already recorded as RH5/3, where the day RH5A8 overall was first" in message
    assert "published is 2020-03-24, but this import has 2017-12-05" in message and "cqc-ledger correct RH5/3" in message


def test_an_inheritance_that_names_no_location_seen_again_is_already_there():
    unnamed = inherited(RH5A8, "2020-04-01", *TAKEN, provider_id="RH5")

    plan = weighed(ledger_of(unnamed), unnamed)

    assert (plan.record, plan.already) == ([], ["RH5/3"])  # the location's one inheritance, recorded naming none


def test_an_inheritance_that_names_no_location_completes_the_one_recorded_naming_none():
    # Given the first part of CQC's ratings file recorded RH5A8's inheritance of its overall, naming no predecessor
    first = inherited(RH5A8, "2020-04-01", *TAKEN, provider_id="RH5")
    safe = cell("safe", "Requires improvement", RH5A8) | {"published_on": "2020-03-24"}

    # When the second part gives another of its inherited ratings
    plan = weighed(ledger_of(first), inherited(RH5A8, "2020-04-01", safe, provider_id="RH5"))

    # Then it completes that inheritance with the rating, not a second one
    ((correction, _),) = plan.record
    assert (correction.type_name, correction.ref) == ("EntryCorrected", "RH5/3")
    assert len(correction.replacement.ratings) == len(TAKEN) + 1  # type: ignore[attr-defined]


def test_an_inheritance_recorded_naming_no_predecessor_is_completed_by_one_that_names_it():
    # Given the ratings file's inheritance of RH5A8: its overall, no predecessor named, no report
    from_file = inherited(RH5A8, "2020-04-01", cell("overall", "Good", RH5A8) | {"published_on": "2020-03-24"}, provider_id="RH5")
    safe = cell("safe", "Requires improvement", RH5A8) | {"published_on": "2020-03-24", "report_id": MUSGROVE_2020}

    plan = weighed(ledger_of(from_file), from_rba11(*TAKEN, safe))

    ((correction, _),) = plan.record
    assert (correction.type_name, correction.ref, correction.replacement.from_location_id) == ("EntryCorrected", "RH5/3", "RBA11")
    assert [(c.question, c.rating) for c in correction.replacement.ratings] == [("overall", "Good"), ("safe", "Requires improvement")]
    assert (
        correction.reason
        == "completed from CQC data: the inheritance of RH5A8's ratings from RBA11 also has 1 more rating, from_location_id"
    )


def test_an_inheritance_recorded_naming_no_predecessor_that_another_rates_otherwise_is_a_contradiction_with_the_ref():
    from_file = inherited(RH5A8, "2020-04-01", TAKEN[0] | {"rating": "Outstanding"}, provider_id="RH5")

    with pytest.raises(RuleBroken) as refused:
        weighed(ledger_of(from_file), from_rba11())

    assert 'already recorded as RH5/3, where the rating of RH5A8 overall is "Outstanding", but this import has "Good"' in str(refused.value)


def test_an_inheritance_recorded_naming_no_predecessor_is_completed_once_the_second_predecessors_is_recorded_beside_it():
    from_file = inherited(RH5A8, "2020-04-01", *TAKEN, provider_id="RH5")
    recorded = ledger_of(from_file)
    lines = [from_rba11(), from_rba11() | {"from_location_id": "RBA12"}]
    imported = [(parse_entry(line, today=TODAY), Draft(line, "RH5A8.json")) for line in lines]

    plan = keeping.plan(imported, lambda _: keeping.known(recorded), lambda _: keeping.index_of(recorded))

    assert [(e.type_name, getattr(e, "ref", None), getattr(e, "from_location_id", None)) for e, _ in plan.record] == [
        ("EntryCorrected", "RH5/3", None),
        ("RatingsInherited", None, "RBA12"),
    ]
