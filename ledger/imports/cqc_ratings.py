"""CQC's "Latest ratings" file, as reports.

Each row of its Locations and Providers sheets is one rating: of a location or of the provider,
of one of its services (`Service / Population Group`; "Overall" for the place itself), for one
question (`Domain`, `Key Question` in older releases), published on `Publication Date` (ISO or
dd/mm/yyyy). Rows are grouped into one `ReportPublished` per provider and publication day, with
report_id `cqc-ratings:RWP:2019-09-20`. Use of resources and combined ratings are the trust's own.

The file says nothing of registration, so it adds only to providers already in the ledger: the
rows of other providers are passed over unread (the national file holds every care home and
practice in England), and a rated location that its provider has not registered is refused,
with the hint to import its API response.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from cqc_ledger.events.vocabulary import QUESTIONS, TRUST_ONLY_QUESTIONS
from cqc_ledger.ledger.errors import BadImportFile, RuleBroken
from cqc_ledger.ledger.imports import Draft, words
from cqc_ledger.ledger.imports.tables import Table

PROVIDER, LOCATION, SERVICE, RATING, DAY = "Provider ID", "Location ID", "Service / Population Group", "Latest Rating", "Publication Date"
QUESTION_COLUMNS = ("Domain", "Key Question")


@dataclass(frozen=True)
class Row:
    """One rating of the file, placed in the ledger's terms."""

    provider_id: str
    day: date
    cell: dict[str, Any]
    where: str


def provider_ids(tables: Sequence[Table]) -> set[str]:
    """Every provider the file has rows for."""
    return {str(row.get(PROVIDER)) for table in tables for _, row in table.rows if row.get(PROVIDER)}


def drafts(tables: Sequence[Table], registered: Mapping[str, Collection[str]]) -> tuple[list[Draft], list[str]]:
    """One report per provider (of those `registered`, with their locations) and publication day,
    and the ids of the providers whose rows were passed over."""
    rows = [row for table in tables for row in _rows(table, registered)]
    groups: dict[tuple[str, date], dict[tuple, tuple[str, str]]] = {}
    firsts: dict[tuple[str, date], str] = {}
    passed_over = sorted(provider_ids(tables) - set(registered))
    for row in rows:
        _check_location(row, registered[row.provider_id])
        firsts.setdefault((row.provider_id, row.day), row.where)
        _add(groups.setdefault((row.provider_id, row.day), {}), row)
    found = [_report(provider_id, day, cells, firsts[(provider_id, day)]) for (provider_id, day), cells in sorted(groups.items())]
    return found, passed_over


def _rows(table: Table, registered: Collection[str]) -> list[Row]:
    """The ratings of the rows of the providers `registered`."""
    is_locations = LOCATION in table.columns
    question_column = next((c for c in QUESTION_COLUMNS if c in table.columns), None)
    needed = ([LOCATION] if is_locations else []) + [PROVIDER, SERVICE, RATING, DAY]
    missing = [c for c in needed if c not in table.columns] + ([] if question_column else ["Domain (or Key Question)"])
    if missing:
        raise BadImportFile(f'{table.name}: not CQC\'s "Latest ratings" file: no column {", ".join(missing)}')
    found = []
    for number, values in table.rows:
        if values.get(PROVIDER) not in registered:
            continue
        row = _row(values, f"{table.name}: row {number}", question_column, is_locations)  # type: ignore[arg-type]
        if row is not None:
            found.append(row)
    return found


def _row(values: dict[str, Any], where: str, question_column: str, is_locations: bool) -> Row | None:
    provider_id = _value(values, PROVIDER, where)
    location_id = _value(values, LOCATION, where) if is_locations else None
    service = _word(words.service, values, SERVICE, where)
    question = _word(lambda v: words.question(v, trust_level=True), values, question_column, where)
    rating = _word(words.rating, values, RATING, where)
    if rating is None:
        return None
    if question in TRUST_ONLY_QUESTIONS:
        if service is not None:
            raise BadImportFile(
                f'{where}, column {question_column}: "{values[question_column]}" is rated only for the whole trust, not for the service "{service}"'
            )
        location_id = None
    cell = {"location_id": location_id, "service": service, "question": question, "rating": rating}
    day = _word(words.day, values, DAY, where)
    return Row(provider_id, day, {k: v for k, v in cell.items() if v is not None}, where)


def _check_location(row: Row, locations: Collection[str]) -> None:
    location_id = row.cell.get("location_id")
    if location_id and location_id not in locations:
        raise RuleBroken(
            f'{row.where}: location "{location_id}" is not registered for {row.provider_id}, and the ratings file '
            f"does not say when it was registered: import its CQC API response (cqc-ledger import cqc-api "
            f"{location_id}.json) or record its LocationRegistered, then import this file again"
        )


def _add(cells: dict[tuple, tuple[str, str]], row: Row) -> None:
    key = (row.cell.get("location_id"), row.cell.get("service"), row.cell["question"])
    earlier = cells.setdefault(key, (row.cell["rating"], row.where))
    if earlier[0] != row.cell["rating"]:
        place = " ".join(str(k) for k in (key[0] or "trust", key[1], key[2]) if k)
        raise BadImportFile(
            f'{row.where}: {place} is rated "{row.cell["rating"]}" here but "{earlier[0]}" at {earlier[1]}, both published {row.day}'
        )


def _report(provider_id: str, day: date, cells: dict[tuple, tuple[str, str]], where: str) -> Draft:
    ordered = sorted(cells.items(), key=lambda kv: (kv[0][0] or "", kv[0][1] or "", QUESTIONS.index(kv[0][2])))
    ratings = [
        {k: v for k, v in {"location_id": loc, "service": service, "question": q, "rating": rating}.items() if v is not None}
        for (loc, service, q), (rating, _) in ordered
    ]
    return Draft(
        {
            "type": "ReportPublished",
            "provider_id": provider_id,
            "report_id": f"cqc-ratings:{provider_id}:{day}",
            "on": day.isoformat(),
            "ratings": ratings,
            "source": f'CQC "Latest ratings" file: the ratings of {provider_id} published {day}',
        },
        f"{where} (the ratings of {provider_id} published {day})",
        {key: row for key, (_, row) in cells.items()},
    )


def _value(values: dict[str, Any], column: str, where: str) -> str:
    value = values.get(column)
    if not isinstance(value, str) or not value:
        raise BadImportFile(f"{where}, column {column}: is empty")
    return value


def _word(read: Any, values: dict[str, Any], column: str, where: str) -> Any:
    try:
        return read(values.get(column))
    except words.WordError as bad:
        raise BadImportFile(f"{where}, column {column}: {bad}") from None
