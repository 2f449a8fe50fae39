"""What one entry changed in a provider's status, as structured changes (`history --json`).

The history folds the status entry by entry (the status fold of projections/status.py) and
compares the status before and after each entry. Every change is a dict with the contract's
keys (`location_id`, `service`, `question`, `from`, `to`; null where they do not apply) and a
`kind` saying what changed: a `rating`, the provider's `name` or `registration`, a `location`,
a regime of `special-measures`, a `warning-notice`, an `enforcement` action, the `oversight`
segment, a `service` superseded, an `inheritance` of ratings. Each kind adds the keys that
name its subject (`regime`, `notice_id`, `action_id`, `framework` ...).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cqc_ledger.events.vocabulary import QUESTIONS
from cqc_ledger.projections.status import Location, Notice, Status, rerated


def changes(before: Status, after: Status) -> list[dict[str, Any]]:
    """Everything that differs from `before` to `after`, ratings first, in a stable order."""
    return [
        *_cells(before, after),
        *_name(before, after),
        *_registration(before, after),
        *_locations(before, after),
        *_regimes(before, after),
        *_notices(before, after),
        *_actions(before, after),
        *_oversight(before, after),
        *_superseded(before, after),
    ]


def change(
    kind: str, old: Any, new: Any, location_id: str | None = None, service: str | None = None, question: str | None = None, **more: Any
) -> dict[str, Any]:
    return {"kind": kind, "location_id": location_id, "service": service, "question": question, "from": old, "to": new, **more}


def cell_order(key: tuple[str | None, str | None, str]) -> tuple[str, str, int]:
    location_id, service, question = key
    return (location_id or "", service or "", QUESTIONS.index(question))


def _cells(before: Status, after: Status) -> Iterator[dict[str, Any]]:
    if before.cells is after.cells:
        return
    for key in sorted(before.cells.keys() | after.cells.keys(), key=cell_order):
        old, new = before.cells.get(key), after.cells.get(key)
        if new is not None and new.inherited and new != old:  # taken over from a predecessor, standing from its own day
            yield change("inheritance", old and old.rating, new.rating, *key, since=_day(new.since), inherited_from=new.inherited_from)
        elif rerated(old, new):
            yield change("rating", old and old.rating, new and new.rating, *key)


def _name(before: Status, after: Status) -> Iterator[dict[str, Any]]:
    if before.name != after.name:
        yield change("name", before.name, after.name)


def _registration(before: Status, after: Status) -> Iterator[dict[str, Any]]:
    if before.registered_on != after.registered_on:
        yield change("registration", None, "registered", provider_type=after.provider_type, on=_day(after.registered_on))
    if before.deregistered != after.deregistered:
        gone = after.deregistered
        yield change(
            "registration",
            "deregistered" if before.deregistered else "registered",
            "deregistered" if gone else "registered",
            successor_id=gone.value if gone else None,
        )


def _locations(before: Status, after: Status) -> Iterator[dict[str, Any]]:
    if before.locations is after.locations:
        return
    for location_id in sorted(before.locations.keys() | after.locations.keys()):
        old, new = before.locations.get(location_id), after.locations.get(location_id)
        if old != new:
            yield change("location", _where(old), _where(new), location_id, name=new.name if new else None)


def _where(location: Location | None) -> str | None:
    if location is None:
        return None
    return "deregistered" if location.deregistered_on else "registered"


def _regimes(before: Status, after: Status) -> Iterator[dict[str, Any]]:
    for regime in sorted(before.special_measures.keys() | after.special_measures.keys()):
        old, new = before.special_measures.get(regime), after.special_measures.get(regime)
        if old != new:
            since = _day(new.since) if new else None
            yield change("special-measures", "in" if old else "out", "in" if new else "out", regime=regime, since=since)


def _notices(before: Status, after: Status) -> Iterator[dict[str, Any]]:
    for notice_id in sorted(before.notices.keys() | after.notices.keys()):
        old, new = before.notices.get(notice_id), after.notices.get(notice_id)
        if old != new:
            n: Notice = new or old  # type: ignore[assignment]
            yield change(
                "warning-notice",
                old.status if old else None,
                new.status if new else None,
                n.location_id,
                n.service,
                notice_id=notice_id,
                section=n.section,
                deadline=_day(n.deadline),
            )


def _actions(before: Status, after: Status) -> Iterator[dict[str, Any]]:
    seen = {r.position for r in before.enforcement}
    for r in after.enforcement:
        if r.position not in seen:
            e: Any = r.entry
            yield change("enforcement", None, e.action, e.location_id, action_id=e.action_id)


def _oversight(before: Status, after: Status) -> Iterator[dict[str, Any]]:
    old, new = before.oversight, after.oversight
    if old != new:
        yield change(
            "oversight",
            old.value if old else None,
            new.value if new else None,
            framework=new.framework if new else None,
            from_framework=old.framework if old else None,
        )


def _superseded(before: Status, after: Status) -> Iterator[dict[str, Any]]:
    """Services that stopped standing at a place, and the services that carry on."""
    if before.superseded is after.superseded:
        return
    for place in sorted(after.superseded.keys() - before.superseded.keys(), key=lambda p: (p[0] or "", p[1])):
        yield change("service", "in force", "superseded", place[0], place[1], by=list(after.superseded[place].by))


def _day(value: Any) -> str | None:
    return value.isoformat() if value else None
