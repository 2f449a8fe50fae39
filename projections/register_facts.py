"""What questions across the whole register read from the views: every headline fact over
time, every name a provider or location has held, and which providers' ratings moved in a period.

This is the one module that knows where those facts are stored (`view_headlines` and
`view_entries`, see `projections.views`); `counts`, `transitions`, `changes` and `find` ask it
and fold what it returns. Headline facts come back as the views' `Fact`s: (provider_id, topic,
subject, on, position, value), topics `name`, `registered` (JSON `{"provider_type", "region"}`),
`deregistered`, `overall` (the trust's own overall rating), `regime` and `oversight`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import orjson

from cqc_ledger.ledger.records import format_time
from cqc_ledger.ledger.store.sql import rows
from cqc_ledger.projections.find import Name
from cqc_ledger.projections.views import Fact, Views

_END_OF_TIME = "9999-12-31T23:59:59.999999Z"
_VISIBLE = "recorded_at <= ? AND (withdrawn_at IS NULL OR withdrawn_at > ?)"
HEADLINE_TOPICS = ("name", "registered", "deregistered", "overall", "regime", "oversight")
# The entry types that set or unset rating cells.
RATED = ("ReportPublished", "RatingRevised", "RatingsInherited", "ServiceSuperseded")


def _seen(known_at: datetime | None) -> str:
    return format_time(known_at) if known_at else _END_OF_TIME


def _read(views: Views, statement: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    with views.datastore.transaction(commit=False) as c:
        c.execute(views.q(statement), params)
        return rows(c)


def headline_facts(views: Views, until: date, known_at: datetime | None = None) -> list[Fact]:
    """Every headline fact with `on` <= `until`, as known at `known_at`, in effect order per provider."""
    seen = _seen(known_at)
    found = _read(
        views,
        f"""SELECT provider_id, topic, subject, valid_from, position, value FROM {{headlines}}
            WHERE topic IN ({", ".join(f"'{t}'" for t in HEADLINE_TOPICS)}) AND valid_from <= ? AND {_VISIBLE}
            ORDER BY provider_id, valid_from, position""",
        (until.isoformat(), seen, seen),
    )
    return [Fact(p, t, s, date.fromisoformat(on), position, value) for p, t, s, on, position, value in found]


def _live_entries(views: Views) -> str:
    schema = views.names.get("schema")
    return f"{schema}.live_entries" if schema else "live_entries"


def names(views: Views) -> list[Name]:
    """Every name a provider (location_id None) or one of its locations has held, as known now."""
    own = _read(
        views,
        f"SELECT provider_id, valid_from, position, value FROM {{headlines}} WHERE topic = 'name' AND {_VISIBLE}",
        (_END_OF_TIME, _END_OF_TIME),
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


def provider_ids(views: Views) -> set[str]:
    """Every provider with a registration in the ledger."""
    return {row[0] for row in _read(views, "SELECT DISTINCT provider_id FROM {headlines} WHERE topic = 'registered'", ())}


def rated_between(views: Views, start: date, end: date, known_at: datetime | None = None) -> list[str]:
    """The providers with an entry setting or unsetting ratings on a day after `start`, up to `end`."""
    seen = _seen(known_at)
    found = _read(
        views,
        f"""SELECT DISTINCT provider_id FROM {{entries}}
            WHERE kind IN ({", ".join(f"'{k}'" for k in RATED)}) AND valid_from > ? AND valid_from <= ? AND {_VISIBLE}""",
        (start.isoformat(), end.isoformat(), seen, seen),
    )
    return sorted(row[0] for row in found)
