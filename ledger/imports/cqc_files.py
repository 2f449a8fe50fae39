"""CQC's monthly files, read into what they say of each provider and location.

Four kinds of table, each known by its header row (found by content, wherever the banner puts it):

- `ratings-locations`, `ratings-providers`: the "Latest ratings" file's Locations and Providers
  sheets (one rating per row; see `cqc_ratings`).
- `active`: `HSCA_Active_Locations`, one registered location per row, with `Location HSCA start
  date`, its provider's `Provider HSCA start date`, names, sector, category and region.
- `deactivated`: `Deactivated_Locations`, one former location per row, with `Location HSCA
  start date` and `Location HSCA End Date`.

Only NHS trusts are read unless `all_providers`: a row is an NHS trust's when its provider's (or
location's) type or sector is "NHS Healthcare Organisation", or its provider id is an ODS code
(`RWP`, `TAD`: three letters or digits; the rest of the register has ids like `1-101726214`).
The file's own day ("Data as at 1 September 2026" in the banner, or a name like
`01_September_2026_Latest_ratings.ods`) is kept, to be cited in the entries' `source`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cqc_ledger.ledger.errors import BadImportFile
from cqc_ledger.ledger.imports import cqc_ratings, words
from cqc_ledger.ledger.imports.tables import Table, read
from cqc_ledger.ledger.input import reading

NHS = "nhs healthcare organisation"
RATINGS_KINDS = ("ratings-locations", "ratings-providers")
KINDS = (*RATINGS_KINDS, "active", "deactivated")
_ODS_ID = re.compile(r"[A-Z0-9]{3}")
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_WORDS_DAY = re.compile(rf"(\d{{1,2}})(?:st|nd|rd|th)?[ _-]+({_MONTHS})[ _-]+(\d{{4}})", re.IGNORECASE)
_NUMBER_DAY = re.compile(r"(\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4})")
_TYPE_COLUMNS = ("provider type/sector", "provider type", "location type/sector", "location type")
_TITLES = {
    "ratings-locations": '"Latest ratings" file, Locations sheet',
    "ratings-providers": '"Latest ratings" file, Providers sheet',
    "active": "HSCA_Active_Locations file",
    "deactivated": "Deactivated_Locations file",
}
# Words of a provider's primary inspection category, and the provider type each means (NHS only).
_PROVIDER_TYPES = (
    ("ambulance", "ambulance"),
    ("mental health", "mental-health"),
    ("community", "community"),
    ("non specialist", "acute"),
    ("non-specialist", "acute"),
    ("specialist", "specialist"),
    ("acute", "acute"),
)


def kind_of(header: list[str]) -> str | None:
    """What a header row is the header of, or None."""
    names = {_key(v) for v in header if isinstance(v, str)}
    if {"location id", "location hsca end date"} <= names:
        return "deactivated"
    if {"location id", "location hsca start date", "provider id"} <= names:
        return "active"
    if {"provider id", "latest rating"} <= names:
        return "ratings-locations" if "location id" in names else "ratings-providers"
    return None


def _key(name: str) -> str:
    return " ".join(name.lower().split())


@dataclass
class Source:
    """A file as entries cite it: its kind, name and own day."""

    kind: str
    path: str
    as_at: date | None

    def cite(self) -> str:
        day = f" as at {self.as_at}" if self.as_at else ""
        return f"CQC {_TITLES[self.kind]}{day} ({Path(self.path).name})"


@dataclass
class Place:
    """What the files say of a provider or a location."""

    name: str | None = None
    start: date | None = None
    start_from: Source | None = None
    end: date | None = None
    end_from: Source | None = None
    provider_id: str | None = None  # a location's provider
    provider_type: str | None = None
    region: str | None = None
    shown: date | None = None  # the earliest day any row shows for it
    shown_from: Source | None = None
    nhs: bool = False
    inherited: date | None = None  # the latest day a rating it inherited (a predecessor's) was published
    inherited_from: Source | None = None
    where: str | None = None  # the row that gave its registration day, else the first row naming it
    start_column: str | None = None  # the column of that row that gave the day
    end_where: str | None = None  # the row that gave its deregistration day, and its column
    end_column: str | None = None

    def show(self, day: date | None, source: Source) -> None:
        if day is not None and (self.shown is None or day < self.shown):
            self.shown, self.shown_from = day, source

    def show_inherited(self, day: date, source: Source) -> None:
        if self.inherited is None or day > self.inherited:
            self.inherited, self.inherited_from = day, source

    @property
    def earliest(self) -> date | None:
        """The earliest day the files show it registered on: the first day shown for it, else, when
        nothing else shows it, the day the latest of the ratings it inherited was published (a
        location takes over only ratings already published, so it was registered no earlier)."""
        return self.shown or self.inherited


@dataclass
class Read:
    """Everything read from the files of one import."""

    providers: dict[str, Place] = field(default_factory=dict)
    locations: dict[str, Place] = field(default_factory=dict)
    ratings: list[cqc_ratings.Row] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    passed_over: set[str] = field(default_factory=set)  # providers left out (not NHS trusts)

    def provider(self, provider_id: str) -> Place:
        return self.providers.setdefault(provider_id, Place())


def read_files(
    paths: Iterable[str], *, all_providers: bool, kinds: tuple[str, ...] = KINDS, advance: Callable[[int], None] = lambda _: None
) -> Read:
    """Reads every table of the files (streamed), telling `advance` of the bytes read (see
    `tables.size`); BadImportFile if a file holds none of `kinds`."""
    found = Read()
    for path in paths:
        tables = 0
        with reading(path):
            recognise = lambda header: k if (k := kind_of(header)) in kinds else None  # noqa: E731
            for table in read(path, recognise, sifting=not all_providers, advance=advance):
                tables += 1
                source = Source(table.kind, path, _as_at(table.banner, path))
                found.sources.append(source)
                _read_table(found, table, source, all_providers)
        if not tables:
            raise BadImportFile(f"{path}: {_not_ours(kinds)}")
    return found


def _not_ours(kinds: tuple[str, ...]) -> str:
    if kinds == RATINGS_KINDS:
        return f'not CQC\'s "Latest ratings" file: no header row with the columns {" and ".join(cqc_ratings.MARKERS)} in its first rows'
    return (
        "not one of CQC's monthly files (Latest_ratings, HSCA_Active_Locations, Deactivated_Locations): no header row "
        'with "Provider ID" and "Latest Rating", or "Location ID" and "Location HSCA start date" or "Location HSCA End Date", in its first rows'
    )


def _as_at(banner: list[list[str]], path: str) -> date | None:
    """The file's own day: from its banner, else from its name."""
    for text in [" ".join(row) for row in banner] + [Path(path).name]:
        if (found := _WORDS_DAY.search(text)) is not None:
            try:
                return datetime.strptime(f"{found[1]} {found[2]} {found[3]}", "%d %B %Y").date()
            except ValueError:
                continue
        if (found := _NUMBER_DAY.search(text)) is not None:
            try:
                return words.day(found[1])
            except words.WordError:
                continue
    return None


# The columns the import reads (as `_key` gives them), the place's and provider's: a header that
# names one of them twice is refused; any other may be named twice (the import does not read it).
_READ_COLUMNS = frozenset(
    {
        "provider id",
        "provider name",
        "provider hsca start date",
        "provider primary inspection category",
        "provider region",
        "location id",
        "location name",
        "location hsca start date",
        "location hsca end date",
        *_TYPE_COLUMNS,
        *(_key(c) for c in (cqc_ratings.SERVICE, cqc_ratings.RATING, cqc_ratings.DAY, cqc_ratings.INHERITED)),
        *(_key(c) for c in cqc_ratings.QUESTION_COLUMNS),
    }
)


def _reads(kind: str) -> Callable[[str], bool]:
    """Whether the import reads a column of a table of `kind`: a Providers sheet's row is checked
    for any location it names (`cqc_ratings`), in every column whose name starts "location"."""
    if kind == "ratings-providers":
        return lambda name: name in _READ_COLUMNS or name.startswith("location")
    return _READ_COLUMNS.__contains__


def _read_table(found: Read, table: Table, source: Source, all_providers: bool) -> None:
    table.given_twice(_key, _reads(table.kind))
    columns = {_key(c): c for c in table.columns}
    index = {_key(c): i for i, c in enumerate(table.columns)}
    types = [index[c] for c in _TYPE_COLUMNS if c in index]
    if "provider id" not in index:
        raise BadImportFile(f"{table.name}: no column Provider ID: the locations cannot be placed under their providers")
    at = index["provider id"]
    question = next((c for c in cqc_ratings.QUESTION_COLUMNS if c in table.columns), None)
    if table.kind in RATINGS_KINDS:
        cqc_ratings.check_columns(table, question)
    if not all_providers:
        nhs_only(table, at, types)
    for number, row in table.rows:
        provider_id = row[at] if at < len(row) else ""
        if not isinstance(provider_id, str) or not provider_id:
            raise BadImportFile(f"{table.name}: row {number}, column Provider ID: is empty")
        nhs = _is_nhs(provider_id, row, types)
        if not all_providers and not nhs:
            found.passed_over.add(provider_id)
            continue
        if nhs:
            found.provider(provider_id).nhs = True
        where = f"{table.name}: row {number}"
        values = dict(zip(table.columns, row, strict=False))
        if table.kind in RATINGS_KINDS:
            _rating_row(found, values, where, question, table.kind == "ratings-locations", source)  # type: ignore[arg-type]
        else:
            _register_row(found, provider_id, values, columns, where, source, table.kind)


def nhs_only(table: Table, at: int, types: list[int]) -> None:
    """Asks the table's reader for NHS trusts' rows whole (and those without a provider id, to be
    refused as they are); of the others, only the provider id and type cells are needed."""
    places = list(range(1, len(types) + 1))
    table.sift([at, *types], lambda values: not values[0] or _is_nhs(values[0], values, places))


def _is_nhs(provider_id: str, row: list[Any], types: list[int]) -> bool:
    return bool(_ODS_ID.fullmatch(provider_id)) or any(i < len(row) and isinstance(row[i], str) and row[i].lower() == NHS for i in types)


def _rating_row(found: Read, values: dict[str, Any], where: str, question: str, is_locations: bool, source: Source) -> None:
    row = cqc_ratings.read_row(values, where, question, is_locations)
    provider = found.provider(str(values["Provider ID"]))
    provider.where = provider.where or where
    provider.name = provider.name or _text(values, "Provider Name")
    provider.provider_type = provider.provider_type or _provider_type(values.get("Provider Primary Inspection Category"))
    provider.region = provider.region or _text(values, "Provider Region")
    if row is None:
        return
    row = replace(row, source=source)
    found.ratings.append(row)
    location_id = values.get("Location ID") if is_locations else None
    if location_id:
        location = found.locations.setdefault(location_id, Place(provider_id=row.provider_id))
        location.where = location.where or where
        location.name = location.name or _text(values, "Location Name")
        location.show_inherited(row.day, source) if row.inherited else location.show(row.day, source)
    if not row.inherited:
        provider.show(row.day, source)


def _register_row(
    found: Read, provider_id: str, values: dict[str, Any], columns: dict[str, str], where: str, source: Source, kind: str
) -> None:
    def value(name: str) -> Any:
        return values.get(columns.get(name, ""), "")

    def day(name: str) -> date | None:
        raw = value(name)
        if raw in ("", None):
            return None
        try:
            return words.day(raw)
        except words.WordError as bad:
            raise BadImportFile(f"{where}, column {columns[name]}: {bad}") from None

    location_id = value("location id")
    if not location_id:
        raise BadImportFile(f"{where}, column Location ID: is empty")
    location = found.locations.setdefault(location_id, Place(provider_id=provider_id))
    if location.provider_id != provider_id:
        raise BadImportFile(
            f"{where}: location {location_id} is under provider {provider_id} here, but under {location.provider_id} in another row"
        )
    location.name = _text(values, columns.get("location name", "")) or location.name
    start = day("location hsca start date")
    location.where = where if start is not None or location.where is None else location.where
    if start is not None:
        location.start, location.start_from, location.start_column = start, source, columns["location hsca start date"]
        location.show(start, source)
    if kind == "deactivated":
        end = day("location hsca end date")
        if end is None:
            raise BadImportFile(f"{where}, column Location HSCA End Date: is empty")
        location.end, location.end_from = end, source
        location.end_where, location.end_column = where, columns["location hsca end date"]
        location.show(end, source)
    provider = found.provider(provider_id)
    provider.name = _text(values, columns.get("provider name", "")) or provider.name
    provider.provider_type = provider.provider_type or _provider_type(value("provider primary inspection category"))
    provider.region = provider.region or _text(values, columns.get("provider region", ""))
    provider_start = day("provider hsca start date")
    provider.where = where if provider_start is not None or provider.where is None else provider.where
    if provider_start is not None:
        provider.start, provider.start_from, provider.start_column = provider_start, source, columns["provider hsca start date"]
        provider.show(provider_start, source)
    provider.show(start, source)


def _text(values: dict[str, Any], column: str) -> str | None:
    value = values.get(column)
    return value if isinstance(value, str) and value and value != "-" else None


def _provider_type(category: Any) -> str | None:
    name = str(category or "").lower()
    return next((kind for word, kind in _PROVIDER_TYPES if word in name), None)
