"""CQC's own API responses, as served on 2021-04-08 for 159 NHS locations in the South West
(shared/reference/cqc-api-real), imported in one command: what the ledger then says equals what
CQC published, for every location, on the capture day and on the day of each historic report."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner
from conftest import SHARED

from cqc_ledger.cli import main
from cqc_ledger.events.services import INSPECTION_AREAS, canonical_service
from cqc_ledger.ledger.imports import words

REAL = SHARED / "reference" / "cqc-api-real"
FILES = sorted(REAL.glob("*.json"))
CAPTURED = "2021-04-08"
MERIT = ("Outstanding", "Good", "Requires improvement", "Inadequate")


def body(path: Path) -> dict[str, Any]:
    return orjson.loads(path.read_bytes())


def providers() -> list[str]:
    return sorted({body(path)["providerId"] for path in FILES})


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite ledger holding every real response, imported in one command after the providers
    were registered (a location response does not say when its provider was)."""
    db = str(tmp_path_factory.mktemp("real") / "ledger.db")
    registrations = "".join(
        orjson.dumps({"type": "ProviderRegistered", "provider_id": p, "name": f"{p} NHS Trust", "on": "2010-04-01"}).decode() + "\n"
        for p in providers()
    )
    assert run(db, "record", input=registrations).exit_code == 0
    result = run(db, "import", "cqc-api", *map(str, FILES), "--json")
    assert result.exit_code == 0, result.output
    return db


def run(db: str, *args: str, input: str | None = None) -> Any:
    return CliRunner().invoke(main, ["--db", db, *args], input=input)


@cache
def _status(db: str, provider_id: str, at: str) -> dict[str, Any]:
    result = run(db, "status", provider_id, "--at", at, "--json")
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout)


def place(db: str, provider_id: str, location_id: str, at: str) -> dict[str, Any]:
    found = [loc for loc in _status(db, provider_id, at)["locations"] if loc["location_id"] == location_id]
    assert found, f"{location_id} is not among {provider_id}'s locations on {at}"
    return found[0]


def areas_of(response: dict[str, Any]) -> dict[str, str]:
    return {**INSPECTION_AREAS, **{a["inspectionAreaId"]: a["inspectionAreaName"] for a in response.get("inspectionAreas") or []}}


def service(code: str, areas: dict[str, str]) -> str:
    return canonical_service(areas.get(code, code))


def question(name: str) -> str:
    return words.question(name)


def is_rating(word: Any) -> bool:
    return isinstance(word, str) and words.rating(word) is not None


def current_cells(response: dict[str, Any]) -> dict[tuple[str | None, str], tuple[str, str, str | None]]:
    """(service or None, question) -> (rating, reportDate, organisationId) of `currentRatings`."""
    current, areas = response.get("currentRatings") or {}, areas_of(response)
    overall, out = current.get("overall") or {}, {}
    if is_rating(overall.get("rating")):
        out[(None, "overall")] = (overall["rating"], overall["reportDate"], overall.get("organisationId"))
    for kq in overall.get("keyQuestionRatings") or []:
        if is_rating(kq.get("rating")):
            out[(None, question(kq["name"]))] = (kq["rating"], kq.get("reportDate", overall.get("reportDate")), kq.get("organisationId"))
    for s in current.get("serviceRatings") or []:
        name = service(s["name"], areas)
        if is_rating(s.get("rating")):
            out[(name, "overall")] = (s["rating"], s["reportDate"], s.get("organisationId"))
        for kq in s.get("keyQuestionRatings") or []:
            if is_rating(kq.get("rating")):
                out[(name, question(kq["name"]))] = (kq["rating"], s["reportDate"], s.get("organisationId"))
    return out


def held(location: dict[str, Any], where: str | None, q: str) -> dict[str, Any] | None:
    if where is None:
        return location["ratings"].get(q)
    services = {s["service"]: s["ratings"] for s in location["services"]}
    return services.get(where, {}).get(q)


def standing_cells(location: dict[str, Any]) -> dict[tuple[str | None, str], tuple[str, str, str | None]]:
    """(service or None, question) -> (rating, since, inherited_from) of every cell `status` shows at a location."""
    cells = {(None, q): v for q, v in location["ratings"].items()}
    cells |= {(s["service"], q): v for s in location["services"] for q, v in s["ratings"].items()}
    return {key: (v["rating"], v["since"], v.get("inherited_from")) for key, v in cells.items()}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_on_the_capture_day_every_rating_in_force_is_cqcs_with_its_own_day(ledger: str, path: Path) -> None:
    response = body(path)
    own = (None, "-", response["locationId"])
    expected = {
        key: (words.rating(rating), day, None if org in own else org) for key, (rating, day, org) in current_cells(response).items()
    }
    location = place(ledger, response["providerId"], response["locationId"], CAPTURED)

    assert (location["registered_on"], location["deregistered_on"]) == (response["registrationDate"], response.get("deregistrationDate"))
    # every cell, of the location and of each of its services: CQC's rating, its reportDate, whose
    # it was; and nothing else stands there (superseded areas have gone, words that are not
    # ratings made no cell, a key question CQC no longer lists under a service is not shown)
    assert standing_cells(location) == expected


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_on_each_historic_report_day_the_ratings_that_report_published_stand(ledger: str, path: Path) -> None:
    response = body(path)
    own = [h for h in response.get("historicRatings") or [] if h.get("organisationId") in (None, response["locationId"])]
    areas = areas_of(response)
    for snapshot in own:
        location = place(ledger, response["providerId"], response["locationId"], snapshot["reportDate"])
        overall = snapshot.get("overall") or {}
        published = [(None, "overall", overall.get("rating"))]
        published += [(None, question(kq["name"]), kq["rating"]) for kq in overall.get("keyQuestionRatings") or []]
        for s in snapshot.get("serviceRatings") or []:
            published.append((service(s["name"], areas), "overall", s["rating"]))
            published += [(service(s["name"], areas), question(kq["name"]), kq["rating"]) for kq in s.get("keyQuestionRatings") or []]
        for where, q, rating in published:
            if rating in MERIT:
                value = held(location, where, q)
                assert value is not None and value["rating"] == rating, f"{path.stem} {snapshot['reportDate']} {where or ''} {q}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_report_a_response_lists_is_recorded_on_its_day_with_its_first_visit(ledger: str, path: Path) -> None:
    response = body(path)
    recorded = {e["report_id"]: e for e in entries(ledger, response["providerId"]) if e["type"] == "ReportPublished"}
    visits = {e["inspection_id"]: e["on"] for e in entries(ledger, response["providerId"]) if e["type"] == "InspectionCarriedOut"}

    for listed in response.get("reports") or []:
        assert recorded[listed["linkId"]]["on"] == listed["reportDate"]
        assert visits.get(listed["linkId"]) == listed.get("firstVisitDate")


@cache
def _entries(db: str, provider_id: str) -> str:
    return run(db, "entries", provider_id, "--json").stdout


def entries(db: str, provider_id: str) -> list[dict[str, Any]]:
    return orjson.loads(_entries(db, provider_id))


def test_importing_the_same_responses_again_records_nothing(ledger: str) -> None:
    result = run(ledger, "import", "cqc-api", *map(str, FILES), "--json")

    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout)["recorded"] == []


def test_the_successor_location_shows_its_ratings_as_inherited_from_the_hospital_it_took_over(ledger: str) -> None:
    musgrove = place(ledger, "RH5", "RH5A8", CAPTURED)

    assert musgrove["ratings"]["overall"]["rating"] == "Good"
    assert musgrove["ratings"]["overall"]["since"] == "2020-03-24"
    assert {v["inherited_from"] for v in musgrove["ratings"].values()} == {"RBA11"}
    # and no report of RH5 rates RH5A8: its ratings came with it
    held = entries(ledger, "RH5")
    reports = [e for e in held if e["type"] == "ReportPublished" and any(c.get("location_id") == "RH5A8" for c in e["ratings"])]
    assert reports == []
    inherited = [e for e in held if e["type"] == "RatingsInherited"]
    # from the organisation its response names; its provider is not named there, so not here either
    assert [(e["location_id"], e["on"], e["from_location_id"], e.get("from_provider_id")) for e in inherited] == [
        ("RH5A8", "2020-04-01", "RBA11", None)
    ]


def test_the_reports_of_inherited_ratings_are_the_predecessors_not_the_successors(ledger: str) -> None:
    # RH5A8's ratings came from RBA11's report of 2020-03-24: a report of RBA, not of RH5
    inherited = {cell["report_id"] for e in entries(ledger, "RH5") if e["type"] == "RatingsInherited" for cell in e["ratings"]}
    assert "e473abc4-3b8f-4f4d-8f97-4f593fd195bc" in inherited

    reports = {e["report_id"] for e in entries(ledger, "RH5") if e["type"] == "ReportPublished"}
    assert reports & inherited == set()
    assert "e473abc4-3b8f-4f4d-8f97-4f593fd195bc" in {e["report_id"] for e in entries(ledger, "RBA") if e["type"] == "ReportPublished"}


def own_report_days(response: dict[str, Any]) -> set[str]:
    """The days of the reports a location's response shows as its own: listed, historic and
    current, leaving out what it shows of another organisation."""

    def own(part: dict[str, Any]) -> bool:
        return part.get("organisationId") in (None, "-", response["locationId"])

    current = response.get("currentRatings") or {}
    overall = current.get("overall") or {}
    parts = [overall, *(overall.get("keyQuestionRatings") or []), *(current.get("serviceRatings") or [])]
    days = {listed["reportDate"] for listed in response.get("reports") or []}
    days |= {h["reportDate"] for h in response.get("historicRatings") or [] if own(h)}
    return days | {part["reportDate"] for part in parts if "reportDate" in part and own(part)}


@pytest.mark.parametrize("provider_id", providers())
def test_each_providers_last_report_is_the_latest_its_locations_own(ledger: str, provider_id: str) -> None:
    days = {day for path in FILES if (response := body(path))["providerId"] == provider_id for day in own_report_days(response)}

    last = _status(ledger, provider_id, CAPTURED)["last_report"]

    assert (last and last["on"]) == (max(days) if days else None)


@pytest.mark.parametrize("provider_id", providers())
def test_each_providers_last_inspection_is_the_latest_its_locations_give(ledger: str, provider_id: str) -> None:
    # Most reports of the ratings era give no firstVisitDate: each location's lastInspection does
    days = {
        response["lastInspection"]["date"]
        for path in FILES
        if (response := body(path))["providerId"] == provider_id and (response.get("lastInspection") or {}).get("date")
    }

    last = _status(ledger, provider_id, CAPTURED)["last_inspection"]

    assert (last and last["on"]) == (max(days) if days else None)


def test_a_last_inspection_that_no_report_dates_is_recorded_at_its_location_and_says_no_more(ledger: str) -> None:
    (plymouth,) = [e for e in entries(ledger, "RK9") if e["type"] == "InspectionCarriedOut" and e["on"] == "2021-03-08"]

    assert {k: v for k, v in plymouth.items() if k not in ("ref", "recorded_at")} == {
        "type": "InspectionCarriedOut",
        "provider_id": "RK9",
        "inspection_id": "cqc-api:RK950:2021-03-08",
        "on": "2021-03-08",
        "scope": [{"location_id": "RK950"}],
        "source": "https://api.service.cqc.org.uk/public/v1/locations/RK950",
    }
    # a last inspection that is a listed report's first visit is that report's, recorded once
    assert not [
        e for e in entries(ledger, "RBZ") if e["type"] == "InspectionCarriedOut" and e["inspection_id"].startswith("cqc-api:RBZ93:")
    ]


def test_rh5s_last_report_is_its_own_of_2014_not_the_one_rh5a8_inherited(ledger: str) -> None:
    last = _status(ledger, "RH5", CAPTURED)["last_report"]

    assert (last["on"], last["report_id"]) == ("2014-03-18", "f177d506-5885-4976-b65d-fd176dc32c23")


def test_diff_names_the_entry_that_gave_a_location_its_inherited_ratings_and_that_retired_a_service(ledger: str) -> None:
    (inherited,) = [e["ref"] for e in entries(ledger, "RH5") if e["type"] == "RatingsInherited"]
    (retired,) = [e["ref"] for e in entries(ledger, "RBA") if e["type"] == "ServiceSuperseded" and e["location_id"] == "RBA11"]

    musgrove = orjson.loads(run(ledger, "diff", "RH5", "--from", "2020-01-01", "--to", CAPTURED, "--json").stdout)
    taunton = orjson.loads(run(ledger, "diff", "RBA", "--from", "2020-01-01", "--to", "2020-04-01", "--json").stdout)

    assert {tuple(c["refs"]) for c in musgrove["changes"] if c["location_id"] == "RH5A8"} == {(inherited,)}
    gone = [c for c in taunton["changes"] if c["service"] == "Maternity and gynaecology"]
    assert gone and {tuple(c["refs"]) for c in gone} == {(retired,)}


def test_values_that_are_not_ratings_make_no_cell_and_are_noted(tmp_path: Path) -> None:
    db = str(tmp_path / "l.db")
    run(
        db,
        "record",
        input=orjson.dumps({"type": "ProviderRegistered", "provider_id": "RA9", "name": "Torbay", "on": "2010-04-01"}).decode(),
    )

    result = run(db, "import", "cqc-api", str(REAL / "RA90J.json"), "--json")

    assert result.exit_code == 0, result.output
    notes = orjson.loads(result.stdout)["notes"]
    assert f'"No action" is not a rating: 5 values in 1 response made no cell ({REAL / "RA90J.json"}' in notes[0]


def test_the_analysts_rating_intervals_on_the_capture_day_are_what_status_shows(ledger: str) -> None:
    import sqlite3
    from datetime import date

    from cqc_ledger.ledger.application import Ledger
    from cqc_ledger.projections.status import status_at

    found = sqlite3.connect(ledger).execute(
        """SELECT provider_id, location_id, service, question, rating, published_on, inherited_from FROM rating_intervals
           WHERE valid_from <= ? AND (valid_until IS NULL OR valid_until > ?)""",
        (CAPTURED, CAPTURED),
    )
    standing = {tuple(r[:4]): tuple(r[4:]) for r in found}
    opened = Ledger(ledger)
    try:
        expected = {}
        for provider_id in providers():
            status = status_at(opened.entries_of(provider_id), provider_id, date.fromisoformat(CAPTURED))
            gone = {lid for lid, loc in status.locations.items() if loc.deregistered_on is not None}
            for key, value in status.cells.items():
                if key[0] not in gone:
                    expected[(provider_id, *key)] = (value.rating, value.since.isoformat(), value.inherited_from)
    finally:
        opened.close()

    assert standing == expected
    assert standing[("RH5", "RH5A8", None, "overall")] == ("Good", "2020-03-24", "RBA11")


def test_anomalies_on_the_capture_day_judge_only_the_ratings_in_force(ledger: str) -> None:
    # The README's figures: Musgrove Park (RBA11, deregistered 2020-04-02) no longer counts
    doc = orjson.loads(run(ledger, "anomalies", "--kind", "all", "--at", CAPTURED, "--json").stdout)
    assert (doc["checked"], doc["counts"]) == (93, {"inconsistent": 0, "stale": 0, "assumed": 5, "incomplete": 11, "consistent": 77})
    rba = orjson.loads(run(ledger, "anomalies", "--kind", "all", "--at", CAPTURED, "--provider", "RBA", "--json").stdout)
    assert rba["checked"] == 0
    before = orjson.loads(run(ledger, "anomalies", "--kind", "all", "--at", "2020-04-01", "--provider", "RBA", "--json").stdout)
    assert before["checked"] == 14


def test_the_names_cqc_gives_stay_well_within_the_ledgers_limit(ledger: str) -> None:
    from cqc_ledger.ledger.entry_checks import NAME_LIMIT

    names: list[str] = []
    for entry in orjson.loads(run(ledger, "entries", "--json").stdout):
        names.extend(filter(None, [entry.get("name"), entry.get("service")]))
        for c in [*entry.get("ratings", []), *entry.get("scope", []), *([entry["cell"]] if "cell" in entry else [])]:
            names.extend(filter(None, [c.get("service")]))

    longest = max(names, key=len)
    assert len(names) > 500 and len(longest) <= NAME_LIMIT // 3, (len(longest), longest)
