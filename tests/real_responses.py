"""The 159 real CQC API responses of shared/reference/cqc-api-real, for tests that import them in
parts: a ledger with their providers registered, an import, and what the ledger then tells."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson
from click.testing import CliRunner
from conftest import SHARED

from cqc_ledger.cli import main

REAL = SHARED / "reference" / "cqc-api-real"
FILES = sorted(REAL.glob("*.json"))
NAMES = [path.stem for path in FILES]
CAPTURED = "2021-04-08"
DAYS = ("2013-12-31", "2016-06-30", "2018-01-01", "2020-03-31", "2020-04-01", CAPTURED)  # around the reports that matter
PROVIDERS = sorted({orjson.loads(path.read_bytes())["providerId"] for path in FILES})
REF = re.compile(r"\b[0-9A-Z]{3}/\d+\b")
NOT_ANSWERS = ("ref", "refs", "recorded_at", "known_at", "closed_ref")  # where and when the ledger wrote things down


def files(names: Sequence[str]) -> list[Path]:
    return [REAL / f"{name}.json" for name in names]


def named(*patterns: str) -> list[str]:
    """The responses whose names match (`RH5*`)."""
    return [path.stem for path in FILES if any(path.match(f"{pattern}.json") for pattern in patterns)]


def run(db: Path, *args: str) -> Any:
    result = CliRunner().invoke(main, ["--db", str(db), *args])
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout)


def new_ledger(db: Path) -> Path:
    """A ledger with the 17 providers registered, as the README's quick start does."""
    lines = "".join(
        orjson.dumps({"type": "ProviderRegistered", "provider_id": p, "name": p, "on": "2010-04-01"}).decode() + "\n" for p in PROVIDERS
    )
    result = CliRunner().invoke(main, ["--db", str(db), "record"], input=lines)
    assert result.exit_code == 0, result.output
    return db


def imported(db: Path, paths: Sequence[Path]) -> list[str]:
    """The refs an import of the files recorded."""
    return run(db, "import", "cqc-api", *map(str, paths), "--json")["recorded"]  # type: ignore[no-any-return]


def in_parts(db: Path, parts: Sequence[Sequence[str]]) -> Path:
    """The ledger, each part (of response names) imported in one command, in order."""
    for part in parts:
        imported(db, files(part))
    return db


def answers(db: Path) -> dict[str, Any]:
    """What the ledger tells of every provider, without the refs and times of its entries (they
    follow the order things were recorded in): its status on a few days, and every entry of its
    history with what it changed (those of one day in any order: entries about different places
    may be recorded in either order)."""
    return {
        provider_id: {
            "status": [_status(db, provider_id, day) for day in DAYS],
            "history": sorted(orjson.dumps(_plain(e), option=orjson.OPT_SORT_KEYS) for e in run(db, "history", provider_id, "--json")),
        }
        for provider_id in PROVIDERS
    }


def _status(db: Path, provider_id: str, day: str) -> dict[str, Any]:
    """The status on the day; of its last inspection and report, the day: two reports of one day
    (RH8's of RH854 and RH868) are folded in the order they were recorded, so either may be the
    last, as the contract has it."""
    told = _plain(run(db, "status", provider_id, "--at", day, "--json"))
    return {**told, **{last: (told[last] or {}).get("on") for last in ("last_inspection", "last_report")}}


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k not in NOT_ANSWERS}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return REF.sub("REF", value) if isinstance(value, str) else value


def latest_ratings_rows(response: dict[str, Any]) -> list[dict[str, str]]:
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
