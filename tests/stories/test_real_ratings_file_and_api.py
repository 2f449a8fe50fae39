"""CQC's "Latest ratings" file and its API tell the same ratings: a file built from the
`currentRatings` of the 159 real API responses of 2021-04-08 (shared/reference/cqc-api-real), as
CQC's Locations sheet lists them, imported after the responses adds nothing they gave; imported
before them, its reports are retracted as the responses restate them. So the two imported in
either order tell the same status, history, differences and explanations of every provider, the
entries named by what they are, not by their refs."""

from __future__ import annotations

import csv
import itertools
import shutil
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner
from cqc_data import columns
from real_responses import CAPTURED, DAYS, FILES, NOT_ANSWERS, PROVIDERS, REF, latest_ratings_rows

from cqc_ledger.cli import main


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
                writer.writerows([row.get(c, "") for c in header] for row in latest_ratings_rows(body))
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


def test_the_api_imported_after_the_file_retracts_each_report_of_the_files_it_restates(orders: dict[str, Any]) -> None:
    # Every rating of the file is one a report of CQC's own published on the same day: each report
    # the file recorded stood in for them, and is retracted by the import that brings them
    db, (file, api) = orders["file, then api"]
    stood_in = {ref for ref in file["recorded"] if ref.split("/")[0] in PROVIDERS}
    mended = {}
    for provider_id in PROVIDERS:
        for entry in run(db, "entries", provider_id):
            if entry["ref"] in stood_in and entry["type"] == "ReportPublished":
                mended[entry["ref"]] = None
            if entry.get("target_ref") in mended:
                assert entry["ref"] in api["recorded"]
                mended[entry["target_ref"]] = entry["type"]
    assert len(mended) == 14 and set(mended.values()) == {"EntryRetracted"}
    # and its notes say so once: how many, the first three, and how many more
    told = [note for note in api["notes"] if "the ratings file recorded" in note]
    assert len(told) == 1 and "restate 14 reports the ratings file recorded in their stead: " in told[0], told
    assert told[0].count(") retracted") == 3 and told[0].endswith(" retracted and 11 more")


def test_either_order_imported_again_records_nothing(orders: dict[str, Any], ratings_file: str, tmp_path: Path) -> None:
    for order, (db, _) in orders.items():
        again = tmp_path / db.name
        shutil.copy(db, again)
        assert run(again, "import", "cqc-api", *map(str, FILES))["recorded"] == [], order
        assert run(again, "import", "cqc-ratings", ratings_file)["recorded"] == [], order


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


def shown(db: Path, provider_id: str) -> dict[tuple[str | None, str | None, str], str]:
    """Every cell any of the days shows, with the last of them that shows it."""
    return {cell: day for day in DAYS for cell in cells(run(db, "status", provider_id, "--at", day))}


# How the ledger came to hold what it holds differs with the order by nature: which entries it
# recorded first, and which it then retracted or corrected (the file's reports, when the API
# restates them; registrations on inferred days), and so where it first read a fact (RH5A8's
# inheritance cites the file, completed by the API, or the API). What it tells of the trust does
# not: each entry that counts is named by what it is (a report by its id), the mends, retracted
# entries and sources aside.
LEARNT = ("mends", "mended_by", "source", "recorded_at", "known_at")


def named_by(db: Path, provider_id: str) -> dict[str, str]:
    """Each of the provider's refs, as what its entry is about (`ReportPublished e3438ab7-...`)."""
    about = ("report_id", "inspection_id", "notice_id", "action_id", "location_id", "service")
    return {e["ref"]: " ".join([e["type"], *(e[k] for k in about if e.get(k))]) for e in run(db, "entries", provider_id)}


def told(doc: Any, names: dict[str, str]) -> Any:
    """What a command answers, its refs named by what their entries are, without how and when the
    ledger learnt it (`LEARNT`)."""
    if isinstance(doc, dict):
        return {k: told(v, names) for k, v in doc.items() if k not in LEARNT}
    if isinstance(doc, list):
        return [told(v, names) for v in doc]
    return REF.sub(lambda ref: names[ref.group()], doc) if isinstance(doc, str) else doc


@pytest.mark.parametrize("provider_id", PROVIDERS)
def test_either_order_tells_the_same_history(orders: dict[str, Any], provider_id: str) -> None:
    # Entries of one day in any order: two reports of one day may be recorded in either
    tellings = []
    for db, _ in orders.values():
        names = named_by(db, provider_id)
        steps = [told(step, names) for step in run(db, "history", provider_id) if not step["retracted"]]
        tellings.append(sorted(orjson.dumps(step, option=orjson.OPT_SORT_KEYS) for step in steps))
    assert tellings[0] == tellings[1]


@pytest.mark.parametrize("provider_id", PROVIDERS)
def test_either_order_tells_the_same_differences(orders: dict[str, Any], provider_id: str) -> None:
    spans = [("2010-04-01", CAPTURED), *itertools.pairwise(DAYS)]
    ledgers = [(db, named_by(db, provider_id)) for db, _ in orders.values()]
    for since, until in spans:
        differs = [told(run(db, "diff", provider_id, "--from", since, "--to", until), n) for db, n in ledgers]
        for differ in differs:  # the register's changes of one day in the order they were recorded: in either
            differ["register"].sort(key=lambda change: orjson.dumps(change, option=orjson.OPT_SORT_KEYS))
        assert differs[0] == differs[1], (since, until)


@pytest.mark.parametrize("provider_id", PROVIDERS)
def test_either_order_explains_every_cell_alike(orders: dict[str, Any], provider_id: str) -> None:
    # Every cell shown on any of the days, at the last of them: what set it, and every earlier value
    ledgers = [(db, named_by(db, provider_id)) for db, _ in orders.values()]
    cells_shown = shown(ledgers[0][0], provider_id)
    assert cells_shown == shown(ledgers[1][0], provider_id)
    for (location_id, service, question), day in cells_shown.items():
        args = ["explain", provider_id, "--question", question, "--at", day]
        args += ["--location", location_id] if location_id else []
        args += ["--service", service] if service else []
        explained = [told(run(db, *args), n) for db, n in ledgers]
        assert explained[0] == explained[1], (location_id, service, question, day)
