"""CQC's "Latest ratings" file and its API tell the same ratings: a file built from the
`currentRatings` of the 159 real API responses of 2021-04-08 (shared/reference/cqc-api-real), as
CQC's Locations sheet lists them, imported after the responses adds nothing they gave, and the
two imported in either order tell the same status and set each cell by the same report."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner
from cqc_data import columns
from real_responses import CAPTURED, DAYS, FILES, NOT_ANSWERS, PROVIDERS

from cqc_ledger.cli import main


def location_rows(response: dict[str, Any]) -> list[dict[str, str]]:
    """The Locations sheet's rows of a registered location: one per rating of its `currentRatings`,
    with CQC's words as the response writes them ("Inherited Rating (Y/N)" = Y where the rating
    names another organisation)."""
    areas = {a["inspectionAreaId"]: a["inspectionAreaName"] for a in response.get("inspectionAreas") or []}
    location_id = response["locationId"]

    def row(service: str, domain: str, rating: str, day: str, organisation: str | None) -> dict[str, str]:
        return {
            "Location ID": location_id,
            "Location Name": response["name"],
            "Location Type": "NHS Healthcare Organisation",
            "Service / Population Group": service,
            "Domain": domain,
            "Latest Rating": rating,
            "Publication Date": day or "",
            "Inherited Rating (Y/N)": "Y" if organisation and organisation != location_id else "N",
            "Provider ID": response["providerId"],
            "Provider Name": response["providerId"],
        }

    current = response.get("currentRatings") or {}
    overall, rows = current.get("overall") or {}, []
    if overall.get("rating"):
        rows.append(row("Overall", "Overall", overall["rating"], overall.get("reportDate"), overall.get("organisationId")))
        for kq in overall.get("keyQuestionRatings") or []:
            day = kq.get("reportDate") or overall.get("reportDate")
            rows.append(row("Overall", kq["name"], kq["rating"], day, kq.get("organisationId") or overall.get("organisationId")))
    for s in current.get("serviceRatings") or []:
        name = areas.get(s["name"], s["name"])
        rows.append(row(name, "Overall", s["rating"], s.get("reportDate"), s.get("organisationId")))
        rows.extend(
            row(name, kq["name"], kq["rating"], s.get("reportDate"), s.get("organisationId")) for kq in s.get("keyQuestionRatings") or []
        )
    return rows


@pytest.fixture(scope="module")
def ratings_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("file") / "01_April_2021_Latest_ratings.csv"
    header = columns("Locations")
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        for response in FILES:
            body = orjson.loads(response.read_bytes())
            if body.get("registrationStatus") == "Registered":
                writer.writerows([row.get(c, "") for c in header] for row in location_rows(body))
    return str(path)


def run(db: Path, *args: str, input: str | None = None) -> Any:
    result = CliRunner().invoke(main, ["--db", str(db), *args, "--json"], input=input)
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout)


def ledger(db: Path, *imports: tuple[str, ...]) -> list[Any]:
    """A ledger with the providers registered, then each import in turn; what each recorded."""
    lines = "".join(
        orjson.dumps({"type": "ProviderRegistered", "provider_id": p, "name": p, "on": "2010-04-01"}).decode() + "\n" for p in PROVIDERS
    )
    run(db, "record", "-", input=lines)
    return [run(db, "import", *command) for command in imports]


@pytest.fixture(scope="module")
def orders(tmp_path_factory: pytest.TempPathFactory, ratings_file: str) -> dict[str, Any]:
    api = ("cqc-api", *map(str, FILES))
    where = tmp_path_factory.mktemp("orders")
    return {
        "api, then file": (where / "api-first.db", ledger(where / "api-first.db", api, ("cqc-ratings", ratings_file))),
        "file, then api": (where / "file-first.db", ledger(where / "file-first.db", ("cqc-ratings", ratings_file), api)),
    }


def answer(doc: Any) -> Any:
    """What a command answers, without where and when the ledger wrote it down (refs, times)."""
    if isinstance(doc, dict):
        return {k: answer(v) for k, v in doc.items() if k not in NOT_ANSWERS and k != "ended_by"}
    if isinstance(doc, list):
        return [answer(v) for v in doc]
    return doc


def test_the_file_imported_after_the_api_adds_nothing_the_api_gave(orders: dict[str, Any]) -> None:
    # Every rating of the file is one the API published on the same day: it is already there,
    # and no report of the file's own is recorded to say it again
    _, (api, file) = orders["api, then file"]
    assert api["recorded"] and file["recorded"] == []


@pytest.mark.parametrize("provider_id", PROVIDERS)
def test_either_order_tells_the_same_status_on_every_day(orders: dict[str, Any], provider_id: str) -> None:
    (first, _), (second, _) = orders.values()
    for day in DAYS:
        assert answer(run(first, "status", provider_id, "--at", day)) == answer(run(second, "status", provider_id, "--at", day)), day


def cells(doc: dict[str, Any]) -> list[tuple[str | None, str | None, str]]:
    """(location, service, question) of every cell a status shows."""
    found = [(None, None, q) for q in doc["ratings"]] + [(None, s["service"], q) for s in doc["services"] for q in s["ratings"]]
    for place in doc["locations"]:
        found += [(place["location_id"], None, q) for q in place["ratings"]]
        found += [(place["location_id"], s["service"], q) for s in place["services"] for q in s["ratings"]]
    return found


@pytest.mark.parametrize("provider_id", PROVIDERS)
def test_either_order_sets_every_cell_by_the_same_report(orders: dict[str, Any], provider_id: str) -> None:
    (first, _), (second, _) = orders.values()
    for location_id, service, question in cells(run(first, "status", provider_id, "--at", CAPTURED)):
        args = ["explain", provider_id, "--question", question, "--at", CAPTURED]
        args += ["--location", location_id] if location_id else []
        args += ["--service", service] if service else []
        told = [run(db, *args) for db in (first, second)]
        said = [(t["rating"], t["since"], t["inherited_from"], (t["report"] or {}).get("report_id")) for t in told]
        assert said[0] == said[1], (location_id, service, question)
