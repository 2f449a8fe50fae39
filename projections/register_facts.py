"""What questions across the whole register read from the views: every headline fact over
time, every name a provider or location has held, and which providers' ratings moved in a period.

This is the one module that knows where those facts are stored (`view_headlines` and
`view_entries`, see `projections.views`); `counts`, `transitions`, `changes` and `find` ask it
and fold what it returns. Headline facts come back as the views' `Fact`s: (provider_id, topic,
subject, on, position, value), topics `name`, `registered` (JSON `{"provider_type", "region"}`),
`deregistered`, `overall` (the trust's own overall rating), `regime` and `oversight`.
"""

from __future__ import annotations

from collections.abc import Collection, Container
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, TypeAlias, cast

import msgspec
import orjson

from cqc_ledger.events.base import CellKey, RatingCell
from cqc_ledger.events.continuity import ServiceSuperseded
from cqc_ledger.events.corrections import EntryCorrected
from cqc_ledger.events.inspections import RatingRevised
from cqc_ledger.events.services import KNOWN_NAMES
from cqc_ledger.events.vocabulary import QUESTIONS, RATINGS
from cqc_ledger.ledger.history import AFTER_ITS_DAY
from cqc_ledger.ledger.records import END_OF_TIME, seen_by
from cqc_ledger.ledger.store.codec import entry_kind, recorded_from_state
from cqc_ledger.ledger.store.sql import as_bytes
from cqc_ledger.projections.find import Name
from cqc_ledger.projections.views import Fact, Views

_VISIBLE = "recorded_at <= ? AND (withdrawn_at IS NULL OR withdrawn_at > ?)"
HEADLINE_TOPICS = ("name", "registered", "deregistered", "overall", "regime", "oversight")
# The entry types that set or unset rating cells.
RATED = ("ReportPublished", "RatingRevised", "RatingsInherited", "ServiceSuperseded")


def _read(views: Views, statement: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    return views.read(statement, params)


def headline_facts(views: Views, until: date, known_at: datetime | None = None) -> list[Fact]:
    """Every headline fact with `on` <= `until`, as known at `known_at`, in effect order per
    provider: a deregistration on the day after its own (`ledger.history.takes_effect`)."""
    seen = seen_by(known_at)
    found = _read(
        views,
        f"""SELECT provider_id, topic, subject, valid_from, position, value FROM {{headlines}}
            WHERE topic IN ({", ".join(f"'{t}'" for t in HEADLINE_TOPICS)}) AND valid_from <= ? AND {_VISIBLE}
            ORDER BY provider_id, valid_from, position""",
        (until.isoformat(), seen, seen),
    )
    facts = [
        Fact(p, t, s, date.fromisoformat(on) + AFTER_ITS_DAY if t == "deregistered" else date.fromisoformat(on), position, value)
        for p, t, s, on, position, value in found
    ]
    if any(f.topic == "deregistered" for f in facts):
        facts.sort(key=lambda f: (f.provider_id, f.on))  # stable: by position within a day, as read
    return facts


def _live_entries(views: Views) -> str:
    schema = views.names.get("schema")
    return f"{schema}.live_entries" if schema else "live_entries"


def names(views: Views) -> list[Name]:
    """Every name a provider (location_id None) or one of its locations has held, as known now."""
    own = _read(
        views,
        f"SELECT provider_id, valid_from, position, value FROM {{headlines}} WHERE topic = 'name' AND {_VISIBLE}",
        (END_OF_TIME, END_OF_TIME),
    )
    places = _read(
        views,
        f"SELECT provider_id, valid_from, position, body FROM {_live_entries(views)} WHERE kind = 'LocationRegistered'",
        (),
    )
    found = [Name(pid, None, name, on, position) for pid, on, position, name in own]
    for pid, on, position, body in places:
        entry = orjson.loads(body) if isinstance(body, (str, bytes)) else body
        found.append(Name(pid, entry["location_id"], entry["name"], on, position))
    return found


def deregistrations(views: Views) -> dict[tuple[str, str | None], str]:
    """The day each deregistered provider (location None) or location left the register, as known now."""
    found: dict[tuple[str, str | None], str] = {}
    statement = f"SELECT provider_id, valid_from, kind, body FROM {_live_entries(views)} WHERE kind IN ('ProviderDeregistered', 'LocationDeregistered')"
    for pid, on, kind, body in _read(views, statement, ()):
        entry = orjson.loads(body) if isinstance(body, (str, bytes)) else body
        found[(pid, entry["location_id"] if kind == "LocationDeregistered" else None)] = on
    return found


def provider_ids(views: Views) -> set[str]:
    """Every provider with a registration in the ledger."""
    return {row[0] for row in _read(views, "SELECT DISTINCT provider_id FROM {headlines} WHERE topic = 'registered'", ())}


# ---- the entries that set ratings, for `changes` --------------------------------------------

_RATED_ROWS = """
    SELECT v.provider_id, v.position, v.mend, e.topic, e.state AS state, m.state AS mending
    FROM ({chosen}) v
    JOIN {{events}} e ON e.originator_id = v.provider_id{{as_events}} AND e.originator_version = v.position
    LEFT JOIN {{events}} m ON m.originator_id = v.provider_id{{as_events}} AND m.originator_version = v.mend
    ORDER BY v.provider_id, v.valid_from, v.position"""
_RATED_VISIBLE = f"""SELECT provider_id, valid_from, position, mend FROM {{entries}}
    WHERE kind IN ({", ".join(f"'{k}'" for k in RATED)}) AND {_VISIBLE}"""
_LATEST_FIRST = """
    SELECT v.provider_id, v.position, v.mend, e.topic, e.state AS state, m.state AS mending
    FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY provider_id ORDER BY valid_from DESC, position DESC) AS back FROM ({chosen}) r) v
    JOIN {{events}} e ON e.originator_id = v.provider_id{{as_events}} AND e.originator_version = v.position
    LEFT JOIN {{events}} m ON m.originator_id = v.provider_id{{as_events}} AND m.originator_version = v.mend
    WHERE v.back > ? {upto}
    ORDER BY v.provider_id, v.back"""


class Rated(NamedTuple):
    """An entry that sets or unsets ratings, read from its stored JSON without building the entry:
    its day, position and type, each cell it sets (`(location_id, service, question)`) with its
    rating, and for a retired service its place (`(location_id, service)`)."""

    on: date
    position: int
    kind: str
    cells: dict[CellKey, str]
    place: tuple[str | None, str | None] | None = None


# provider_id, position, mend, topic, state, the mending correction's state
StoredRow = tuple[Any, ...]


# A cell's question, rating and service are read as words of their closed lists, for which msgspec
# gives the list's own string each time rather than a new one: each is hashed once, and compared by
# identity as the cells are keyed and matched (a year's changes read some 900,000 cells). A body
# with another word (a service CQC does not list, kept as written) is read whole (`_read_whole`).
if TYPE_CHECKING:  # to a type checker, plain text (it cannot read a Literal made of a tuple)
    _Question: TypeAlias = str
    _Rating: TypeAlias = str
    _Service: TypeAlias = str
else:
    _Question, _Rating, _Service = Literal[QUESTIONS], Literal[RATINGS], Literal[tuple(sorted(KNOWN_NAMES))]


class _Cell(msgspec.Struct, gc=False):
    question: _Question
    rating: _Rating
    location_id: str | None = None
    service: _Service | None = None


class _Body(msgspec.Struct, gc=False):
    """Of an entry that sets or unsets ratings, only what `Rated` holds (msgspec skips the rest)."""

    on: date
    ratings: list[_Cell] | None = None
    cell: _Cell | None = None
    location_id: str | None = None
    service: str | None = None


class _Mending(msgspec.Struct, gc=False):
    replacement: _Body


_BODY, _MENDING = msgspec.json.Decoder(_Body), msgspec.json.Decoder(_Mending)


def read_rated(row: StoredRow, among: Container[CellKey] | None = None) -> Rated:
    """The entry of a row of `_RATED_ROWS` (a corrected entry as its replacement), with only the
    cells `among` when given (an entry read for a few of its cells: the rest are not kept)."""
    provider_id, position, mend, topic, state, mending = row
    kind = entry_kind(topic)
    try:
        body = _MENDING.decode(as_bytes(mending)).replacement if mend else _BODY.decode(as_bytes(state))
    except msgspec.DecodeError:  # another word (ValidationError), or not an entry at all
        return _read_whole(provider_id, position, mend, kind, state, mending, among)
    listed = (body.cell,) if kind == "RatingRevised" and body.cell else body.ratings or ()
    if among is None:
        cells = {(c.location_id, c.service, c.question): c.rating for c in listed}
    else:
        cells = {key: c.rating for c in listed if (key := (c.location_id, c.service, c.question)) in among}
    return Rated(body.on, position, kind, cells, (body.location_id, body.service) if kind == "ServiceSuperseded" else None)


def _read_whole(provider_id: str, position: int, mend: int, kind: str, state: Any, mending: Any, among: Container[CellKey] | None) -> Rated:
    """`read_rated` of a body not in the form msgspec reads it: the entry read whole by the codec,
    whose one rule refuses a row that is not an entry (an altered or damaged store)."""
    if mend:
        entry = cast(EntryCorrected, recorded_from_state("EntryCorrected", mend, mending, provider_id=provider_id).entry).replacement
    else:
        entry = recorded_from_state(kind, position, state, provider_id=provider_id).entry
    listed: tuple[RatingCell, ...] = (entry.cell,) if isinstance(entry, RatingRevised) else getattr(entry, "ratings", ())
    cells = {c.key: c.rating for c in listed if among is None or c.key in among}
    place = (entry.location_id, entry.service) if isinstance(entry, ServiceSuperseded) else None
    return Rated(entry.on, position, kind, cells, place)  # type: ignore[attr-defined]


def _rated(views: Views, chosen: str, params: tuple[Any, ...]) -> dict[str, list[Rated]]:
    found: dict[str, list[Rated]] = {}
    for row in _read(views, _RATED_ROWS.format(chosen=chosen), params):
        found.setdefault(row[0], []).append(read_rated(row))
    return found


def rated_in(views: Views, start: date, end: date, known_at: datetime | None = None) -> dict[str, list[Rated]]:
    """Each provider's entries setting or unsetting ratings on a day after `start` up to `end`,
    as known at `known_at` (a corrected entry as its replacement), in effect order."""
    seen = seen_by(known_at)
    chosen = f"{_RATED_VISIBLE} AND valid_from > ? AND valid_from <= ?"
    return _rated(views, chosen, (seen, seen, start.isoformat(), end.isoformat()))


def rated_back(
    views: Views,
    day: date,
    known_at: datetime | None = None,
    *,
    after: int = 0,
    upto: int | None = None,
    providers: Collection[str] | None = None,
) -> list[StoredRow]:
    """Each provider's entries setting or unsetting ratings on or before `day`, as known at
    `known_at`, as stored (read them with `read_rated`): by provider, latest first, counting
    back from the latest those after the first `after`, up to the `upto`th (None: all); only
    those of `providers`, when named."""
    seen = seen_by(known_at)
    chosen = f"{_RATED_VISIBLE} AND valid_from <= ?"
    params: tuple[Any, ...] = (seen, seen, day.isoformat())
    if providers is not None:
        named = sorted(providers)
        chosen, params = f"{chosen} AND provider_id IN ({', '.join('?' for _ in named) or 'NULL'})", (*params, *named)
    params = (*params, after, *(() if upto is None else (upto,)))
    return _read(views, _LATEST_FIRST.format(chosen=chosen, upto="" if upto is None else "AND v.back <= ?"), params)


def who(views: Views, day: date, known_at: datetime | None = None) -> dict[str, tuple[str | None, str | None, str | None]]:
    """Each provider's name, type and region on `day`, as known at `known_at`."""
    found: dict[str, dict[str, Any]] = {}
    for f in views.headline_facts(day, known_at, topics=("name", "registered")) or ():
        held = found.setdefault(f.provider_id, {})
        if f.topic == "name":
            held["name"] = f.value
        else:
            held.update(orjson.loads(f.value))
    return {pid: (v.get("name"), v.get("provider_type"), v.get("region")) for pid, v in found.items()}
