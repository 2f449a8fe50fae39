"""A provider's story over time: its status folded day by day, cut into bands a chart can draw.

The timeline is a map over the status history: the status fold (`status.evolve`) is run over
the effective entries in effect order, its state taken at the end of each day an entry took
effect, and each rating cell, special-measures regime, warning notice and oversight segment is
read off those states as periods of one value. Nothing here draws: `charts` turns it into a
chart, and `timeline_json` into plain data.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from itertools import accumulate
from typing import Any

from cqc_ledger.events import inspections
from cqc_ledger.events.base import CellKey
from cqc_ledger.events.vocabulary import KEY_QUESTIONS, OVERALL, TRUST_ONLY_QUESTIONS
from cqc_ledger.ledger.errors import UnknownLocation
from cqc_ledger.ledger.history import effective, in_effect_order, takes_effect
from cqc_ledger.ledger.records import Recorded
from cqc_ledger.projections.status import Status, evolve, standing

NO_RATING = "No rating"


@dataclass(frozen=True)
class Band:
    """One stretch of one row holding one value, from `start` up to `end`."""

    row: str
    value: str
    start: date
    end: date
    ref: str | None = None


@dataclass(frozen=True)
class Marker:
    """A day something was published (a report), drawn as a line across the rows."""

    on: date
    label: str
    ref: str


@dataclass(frozen=True)
class Timeline:
    """Everything a provider's chart shows, between two days."""

    provider_id: str
    name: str | None
    start: date
    end: date
    rows: tuple[str, ...]
    ratings: tuple[Band, ...]
    reports: tuple[Marker, ...]
    special_measures: tuple[Band, ...]
    notices: tuple[Band, ...]
    oversight: tuple[Band, ...]


def timeline(
    recorded: Iterable[Recorded],
    provider_id: str,
    *,
    today: date,
    since: date | None = None,
    until: date | None = None,
    known_at: datetime | None = None,
    location_id: str | None = None,
) -> Timeline:
    """The provider's timeline from `since` (default: its registration, or with `location_id`
    the location's) to `until` (default: `today`), as known at `known_at`; with `location_id`,
    that location's and its services' rows."""
    history = in_effect_order(effective(recorded, known_at))
    days = list(_day_states(history, provider_id))
    last = days[-1][1] if days else Status(provider_id)
    if location_id is not None and location_id not in last.locations:
        raise UnknownLocation(
            f'{provider_id} has no location "{location_id}" (as known then): see `status {provider_id}` for its locations'
        )
    registered_on = last.registered_on if location_id is None else last.locations[location_id].registered_on
    start = since or registered_on or (days[0][0] if days else today)
    end = max(until or today, start)
    rows = _rows(last, days, location_id)
    return Timeline(
        provider_id=provider_id,
        name=_name_at(days, end) or last.name,
        start=start,
        end=end,
        rows=tuple(label for label, _ in rows),
        ratings=tuple(band for label, key in rows for band in _bands(days, label, lambda s, k=key: _rating(s, k), start, end)),
        reports=tuple(
            Marker(r.entry.on, r.entry.report_id, r.ref)
            for r in history
            if isinstance(r.entry, inspections.ReportPublished) and start <= r.entry.on <= end
        ),
        special_measures=tuple(_regimes(days, start, end)),
        notices=tuple(_notices(days, start, end)),
        oversight=tuple(
            _bands(
                days,
                "Oversight",
                lambda s: s.oversight and (f"{s.oversight.framework} segment {s.oversight.value}", s.oversight.ref),
                start,
                end,
                empty=None,
            )
        ),
    )


def _day_states(history: list[Recorded], provider_id: str) -> Iterator[tuple[date, Status]]:
    """The status at the end of each day on which an entry took effect, in day order."""
    states = accumulate(history, evolve, initial=Status(provider_id))
    next(states)
    for i, state in enumerate(states):
        on = takes_effect(history[i].entry)
        if i + 1 == len(history) or takes_effect(history[i + 1].entry) != on:
            yield on, state


def _name_at(days: list[tuple[date, Status]], end: date) -> str | None:
    names = [s.name for d, s in days if d <= end and s.name]
    return names[-1] if names else None


def _rows(last: Status, days: list[tuple[date, Status]], location_id: str | None) -> list[tuple[str, CellKey]]:
    """Each row's label and cell: the trust's overall and key questions (and use of resources and
    combined where ever rated); or a location's overall and each of its services' overall."""
    ever = {key for _, state in days for key in state.cells}
    if location_id is None:
        questions = [OVERALL, *KEY_QUESTIONS, *(q for q in TRUST_ONLY_QUESTIONS if (None, None, q) in ever)]
        return [(_question_label(q), (None, None, q)) for q in questions]
    services = sorted({service for (loc, service, question) in ever if loc == location_id and service and question == OVERALL})
    place = last.locations[location_id].name
    return [
        (f"{place}: overall", (location_id, None, OVERALL)),
        *((f"{service}: overall", (location_id, service, OVERALL)) for service in services),
    ]


def _question_label(question: str) -> str:
    return {"well-led": "Well-led", "use-of-resources": "Use of resources"}.get(question, question.capitalize())


def _rating(state: Status, key: CellKey) -> tuple[str, str] | None:
    """The rating in force in the cell (none once its location or the provider is deregistered)."""
    value = standing(state, key)
    return (value.rating, value.ref) if value else None


def _bands(days: list[tuple[date, Status]], row: str, read: Any, start: date, end: date, *, empty: str | None = NO_RATING) -> list[Band]:
    """The periods of one value of one row, read from each day's state, cut to [start, end].

    `read(state)` gives `(value, ref)` or None; a stretch with None is a band of `empty` (or no
    band at all when `empty` is None)."""
    changes: list[tuple[date, tuple[str, str] | None]] = [(start, None)]
    for on, state in days:
        value = read(state) or None
        if on <= start:
            changes[0] = (start, value)
        elif on <= end and value != changes[-1][1]:
            changes.append((on, value))
    bands = []
    for (begin, value), (finish, _) in zip(changes, [*changes[1:], (end, None)], strict=True):
        if (value is None and empty is None) or (begin >= finish and start < end):
            continue
        bands.append(Band(row, value[0] if value else empty or "", begin, finish, value[1] if value else None))
    return bands


def _regimes(days: list[tuple[date, Status]], start: date, end: date) -> Iterator[Band]:
    for regime in ("quality", "finance"):
        yield from _bands(
            days,
            f"Special measures ({regime})",
            lambda s, r=regime: (f"in special measures ({r})", s.special_measures[r].ref) if r in s.special_measures else None,
            start,
            end,
            empty=None,
        )


def _notices(days: list[tuple[date, Status]], start: date, end: date) -> Iterator[Band]:
    """Each warning notice, a row of its own, from its issue to its assessment (or the chart's end
    while open), labelled with its section and outcome."""
    last = days[-1][1] if days else None
    for notice in sorted(last.notices.values(), key=lambda n: (n.issued_on, n.notice_id)) if last else ():
        closed = notice.closed_on if notice.closed_on and notice.closed_on <= end else None
        if notice.issued_on > end or (closed and closed < start):
            continue
        outcome = notice.status if closed else "open"
        yield Band(
            f"Warning notice {notice.notice_id}", f"s{notice.section}: {outcome}", max(notice.issued_on, start), closed or end, notice.ref
        )


def timeline_json(found: Timeline) -> dict[str, Any]:
    """The timeline as plain data (days as ISO text): what the chart is drawn from."""

    def bands(items: Iterable[Band]) -> list[dict[str, Any]]:
        return [{"row": b.row, "value": b.value, "start": b.start.isoformat(), "end": b.end.isoformat(), "ref": b.ref} for b in items]

    return {
        "provider_id": found.provider_id,
        "name": found.name,
        "from": found.start.isoformat(),
        "to": found.end.isoformat(),
        "rows": list(found.rows),
        "ratings": bands(found.ratings),
        "reports": [{"on": m.on.isoformat(), "report_id": m.label, "ref": m.ref} for m in found.reports],
        "special_measures": bands(found.special_measures),
        "warning_notices": bands(found.notices),
        "oversight": bands(found.oversight),
    }
