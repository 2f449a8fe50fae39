"""The JSON documents of the contract (CONTRACT.md section 3), built from folds."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from cqc_ledger.events.base import CellKey
from cqc_ledger.events.jsonform import entry_to_json
from cqc_ledger.events.vocabulary import QUESTIONS
from cqc_ledger.ledger.records import Recorded, format_time
from cqc_ledger.projections.status import CellValue, Status


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def ratings_json(cells: Mapping[CellKey, CellValue], location_id: str | None, service: str | None) -> dict[str, Any]:
    """The `ratings` object of one place: each question that has a value."""
    out = {}
    for question in QUESTIONS:
        value = cells.get((location_id, service, question))
        if value:
            out[question] = value_json(value)
    return out


def value_json(value: CellValue) -> dict[str, Any]:
    """One rating as it stands: `since` the day of the entry that last set it, `unchanged_since`
    the first day of its unbroken run of the same word; an inherited one says so (and where
    from, where known), and one the area was since inspected without re-rating says on which day."""
    out: dict[str, Any] = {
        "rating": value.rating,
        "since": day(value.since),
        "unchanged_since": day(value.unchanged_since),
        "ref": value.ref,
    }
    if value.inherited:
        out["inherited"] = True
        out["inherited_from"] = value.inherited_from
    if value.inspected_on:
        out["inspected_without_rating"] = {"on": day(value.inspected_on), "ref": value.inspected_ref}
    return out


def superseded_json(status: Status, location_id: str | None) -> list[dict[str, Any]]:
    """The services retired at a place, each with its day and the services that carry on."""
    return [
        {"service": service, "on": day(gone.on), "by": list(gone.by), "ref": gone.ref}
        for (loc, service), gone in sorted(status.superseded.items(), key=lambda kv: (kv[1].on, kv[0][1]))
        if loc == location_id
    ]


def services_of(cells: Mapping[CellKey, CellValue], location_id: str | None) -> list[str]:
    return sorted({service for (loc, service, _) in cells if loc == location_id and service})


def status_json(status: Status, at: date, known_at: datetime) -> dict[str, Any]:
    cells = status.cells
    location_ids = sorted(
        set(status.locations) | {loc for (loc, _, _) in cells if loc} | {loc for (loc, _) in status.superseded if loc},
        key=lambda loc: (status.locations.get(loc) is not None and status.locations[loc].deregistered_on is not None, loc),
    )  # the locations in force first, then those deregistered by the day
    return {
        "provider_id": status.provider_id,
        "name": status.name,
        "provider_type": status.provider_type,
        "region": status.region,
        "at": day(at),
        "known_at": format_time(known_at),
        "registered_on": day(status.registered_on),
        "deregistered": (
            {"on": day(status.deregistered.since), "successor_id": status.deregistered.value, "ref": status.deregistered.ref}
            if status.deregistered
            else None
        ),
        "ratings": ratings_json(cells, None, None),
        "locations": [location_json(status, location_id) for location_id in location_ids],
        "services": [{"service": s, "ratings": ratings_json(cells, None, s)} for s in services_of(cells, None)],
        "superseded_services": superseded_json(status, None),
        "special_measures": [
            {"regime": regime, "since": day(held.since), "ref": held.ref} for regime, held in sorted(status.special_measures.items())
        ],
        "oversight": (
            {
                "framework": status.oversight.framework,
                "segment": status.oversight.value,
                "since": day(status.oversight.since),
                "ref": status.oversight.ref,
            }
            if status.oversight
            else None
        ),
        "warning_notices": [
            {
                "notice_id": n.notice_id,
                "section": n.section,
                "issued_on": day(n.issued_on),
                "deadline": day(n.deadline),
                "status": n.status,
                "closed_on": day(n.closed_on),
                "location_id": n.location_id,
                "service": n.service,
                "ref": n.ref,
            }
            for n in sorted(status.notices.values(), key=lambda n: (n.issued_on, n.notice_id))
        ],
        "enforcement_actions": [recorded_json(r) for r in status.enforcement],
        "last_inspection": recorded_json(status.last_inspection),
        "last_report": recorded_json(status.last_report),
    }


def location_json(status: Status, location_id: str) -> dict[str, Any]:
    location = status.locations.get(location_id)
    return {
        "location_id": location_id,
        "name": location.name if location else None,
        "registered_on": day(location.registered_on) if location else None,
        "deregistered_on": day(location.deregistered_on) if location else None,
        "in_force": location is None or location.deregistered_on is None,
        "ratings": ratings_json(status.cells, location_id, None),
        "services": [{"service": s, "ratings": ratings_json(status.cells, location_id, s)} for s in services_of(status.cells, location_id)],
        "superseded_services": superseded_json(status, location_id),
    }


def recorded_json(recorded: Recorded | None) -> dict[str, Any] | None:
    """`entry_json` of an entry, or None for none."""
    return None if recorded is None else entry_json(recorded)


def entry_json(recorded: Recorded) -> dict[str, Any]:
    """An entry as `entries --json` and `export` write it: its JSON form, `ref` and `recorded_at`.

    `ref` is always the entry's own; the entry a correction or retraction mends (its `ref` field
    in the input format) is written as `target_ref`."""
    out = entry_to_json(recorded.entry)
    if "ref" in out:  # a correction or retraction: its own field names the entry it mends
        out["target_ref"] = out.pop("ref")
    out["ref"] = recorded.ref
    out["recorded_at"] = format_time(recorded.recorded_at)
    return out
