"""CQC's "Latest ratings" file, as reports.

Each row of its Locations and Providers sheets is one rating: of a location or of the provider,
of one of its services (`Service / Population Group`; "Overall" for the place itself), for one
question (`Domain`, `Key Question` in older releases), published on `Publication Date` (ISO or
dd/mm/yyyy). Rows are grouped into one `ReportPublished` per provider and publication day, with
report_id `cqc-ratings:RWP:2019-09-20`. Use of resources and combined ratings are the trust's own.
A row with `Inherited Rating (Y/N)` = Y is not a report of this provider: it is a rating the
location took over from its predecessor (see `cqc_files` and `registering`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from cqc_ledger.events.vocabulary import QUESTIONS, TRUST_ONLY_QUESTIONS
from cqc_ledger.ledger.errors import BadImportFile
from cqc_ledger.ledger.imports import Draft, words

PROVIDER, LOCATION, SERVICE, RATING, DAY = "Provider ID", "Location ID", "Service / Population Group", "Latest Rating", "Publication Date"
INHERITED = "Inherited Rating (Y/N)"
QUESTION_COLUMNS = ("Domain", "Key Question")
MARKERS = (PROVIDER, RATING)


@dataclass(frozen=True)
class Row:
    """One rating of the file, placed in the ledger's terms, and the file it came from."""

    provider_id: str
    day: date
    cell: dict[str, Any]
    where: str
    inherited: bool = False
    source: Any = None
    question_column: str = "Domain"  # the column of the key question: "Key Question" in older releases


def check_columns(table: Any, question_column: str | None) -> None:
    """BadImportFile when a ratings sheet lacks a column the ratings need."""
    is_locations = LOCATION in table.columns
    needed = ([LOCATION] if is_locations else []) + [PROVIDER, SERVICE, RATING, DAY]
    missing = [c for c in needed if c not in table.columns] + ([] if question_column else ["Domain (or Key Question)"])
    if missing:
        raise BadImportFile(f'{table.name}: not CQC\'s "Latest ratings" file: no column {", ".join(missing)}')


def read_row(values: dict[str, Any], where: str, question_column: str, is_locations: bool) -> Row | None:
    """The rating of one row; None when its value is not a rating ("Not applicable")."""
    provider_id = _value(values, PROVIDER, where)
    location_id = _value(values, LOCATION, where) if is_locations else None
    if not is_locations:
        _check_trust_level(values, where)
    service = _word(words.service, values, SERVICE, where)
    question = _word(lambda v: words.question(v, trust_level=True), values, question_column, where)
    if not str(values.get(RATING) or "").strip():  # a row is one rating: without it, the file is damaged
        raise BadImportFile(f'{where}, column {RATING}: is empty (where there is no rating CQC writes a word, "Not applicable")')
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
    inherited = str(values.get(INHERITED) or "").strip().upper().startswith("Y")
    return Row(provider_id, day, {k: v for k, v in cell.items() if v is not None}, where, inherited, question_column=question_column)


def _check_trust_level(values: dict[str, Any], where: str) -> None:
    """A row of a sheet without `Location ID` is the trust's own rating, unless the row names a
    location in another column (a Locations sheet that lost its id column): then whose rating it
    is cannot be told, and filing a hospital's rating as the trust's would be wrong."""
    for column, value in values.items():
        if column.lower().startswith("location") and value not in (None, ""):
            raise BadImportFile(
                f'{where}: the row names a location ({column} "{value}") but the file has no column {LOCATION}, so whether '
                f"the rating is that location's or the trust's own cannot be told: import the file with its {LOCATION} column, "
                "as CQC publishes it"
            )


def reports(rows: Iterable[Row]) -> list[Draft]:
    """One report per provider and publication day, in order of day."""
    groups: dict[tuple[str, date], dict[tuple, tuple[str, str]]] = {}
    firsts: dict[tuple[str, date], Row] = {}
    for row in rows:
        firsts.setdefault((row.provider_id, row.day), row)
        _add(groups.setdefault((row.provider_id, row.day), {}), row)
    ordered = sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    return [_report(provider_id, day, cells, firsts[(provider_id, day)]) for (provider_id, day), cells in ordered]


def _add(cells: dict[tuple, tuple[str, str]], row: Row) -> None:
    key = (row.cell.get("location_id"), row.cell.get("service"), row.cell["question"])
    earlier = cells.setdefault(key, (row.cell["rating"], row.where))
    if earlier[0] != row.cell["rating"]:
        place = " ".join(str(k) for k in (key[0] or "trust", key[1], key[2]) if k)
        raise BadImportFile(
            f'{row.where}: {place} is rated "{row.cell["rating"]}" here but "{earlier[0]}" at {earlier[1]}, both published {row.day}'
        )


def _report(provider_id: str, day: date, cells: dict[tuple, tuple[str, str]], first: Row) -> Draft:
    ordered = sorted(cells.items(), key=lambda kv: (kv[0][0] or "", kv[0][1] or "", QUESTIONS.index(kv[0][2])))
    ratings = [
        {k: v for k, v in {"location_id": loc, "service": service, "question": q, "rating": rating}.items() if v is not None}
        for (loc, service, q), (rating, _) in ordered
    ]
    return Draft(
        {
            "type": "ReportPublished",
            "provider_id": provider_id,
            "report_id": report_id(provider_id, day),
            "on": day.isoformat(),
            "ratings": ratings,
            "source": f"{first.source.cite()}: the ratings of {provider_id} published {day}"
            if first.source
            else f'CQC "Latest ratings" file: the ratings of {provider_id} published {day}',
        },
        f"{first.where} (the ratings of {provider_id} published {day})",
        {key: row for key, (_, row) in cells.items()},
        {"location_id": LOCATION, "service": SERVICE, "question": first.question_column, "rating": RATING},
    )


def report_id(provider_id: str, day: date) -> str:
    """The report the file's rows of a provider and publication day make: `cqc-ratings:RWP:2019-09-20`."""
    return f"cqc-ratings:{provider_id}:{day}"


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
