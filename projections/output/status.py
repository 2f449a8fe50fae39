"""`status`: one provider's status on a day, as the JSON document of the contract (section 3)
and as text for a person."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from cqc_ledger.events.base import CellKey
from cqc_ledger.events.vocabulary import QUESTIONS
from cqc_ledger.ledger.records import format_time
from cqc_ledger.projections.output.common import day
from cqc_ledger.projections.output.entries import recorded_json
from cqc_ledger.projections.status import CellValue, Since, Status, leaving_on, location_in_force

# What a deregistered provider's status is, said under its deregistration by the text and the
# web page: everything shown (ratings, special measures, oversight, warning notices) as it stood on
# that day, none of it in force (explain says so of each rating; `trusts` no longer lists it).
PROVIDER_GONE = "its ratings, special measures, oversight and notices below are as they stood then, no longer in force"
# What a deregistration dated the status's own day means, of the provider or a location: it is on
# the register through that day (`ledger.history.takes_effect`).
LEAVING = "on the register through this day, off it from the next"


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
        key=lambda loc: (not location_in_force(status, loc), loc),
    )  # the locations in force first, then those deregistered by the day
    return {
        "provider_id": status.provider_id,
        "name": status.name,
        "provider_type": status.provider_type,
        "region": status.region,
        "at": day(at),
        "known_at": format_time(known_at),
        "registered_on": day(status.registered_on),
        "deregistered": deregistration_json(status.deregistered or leaving_on(status)),
        "in_force": status.deregistered is None,
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


def deregistration_json(gone: Since | None) -> dict[str, Any] | None:
    """The provider's deregistration, given from its own day (when `in_force` is still true: it is
    on the register through that day) and after it."""
    return {"on": day(gone.since), "successor_id": gone.value, "ref": gone.ref} if gone else None


def location_json(status: Status, location_id: str) -> dict[str, Any]:
    location = status.locations.get(location_id)
    leaving = leaving_on(status, location_id)
    gone_on = location.deregistered_on if location else None
    return {
        "location_id": location_id,
        "name": location.name if location else None,
        "registered_on": day(location.registered_on) if location else None,
        "deregistered_on": day(gone_on or (leaving.since if leaving else None)),  # from its own day, still in force then
        "in_force": location_in_force(status, location_id),
        "ratings": ratings_json(status.cells, location_id, None),
        "services": [{"service": s, "ratings": ratings_json(status.cells, location_id, s)} for s in services_of(status.cells, location_id)],
        "superseded_services": superseded_json(status, location_id),
    }


_WIDTH = 18


def since_words(value: dict[str, Any]) -> str:
    """'since 2015-12-02, last published 2017-06-20': how long the rating has stood, and when it
    was last set (one day when the two are the same)."""
    run, last = value.get("unchanged_since") or value["since"], value["since"]
    return f"since {run}" if run == last else f"since {run}, last published {last}"


def _ratings_line(ratings: dict[str, Any], *, skip_overall: bool = False) -> str:
    parts = [_rating(q, ratings[q]) for q in QUESTIONS if q in ratings and not (skip_overall and q == "overall")]
    return ", ".join(parts)


def _rating(question: str, value: dict[str, Any]) -> str:
    """'safe Good (since 2019-05-01)', with 'inherited from RBA11' and 'inspected 2021-01-10 without a new rating' where so."""
    return f"{question} {value['rating']} ({rating_notes(value)})"


def rating_notes(value: dict[str, Any]) -> str:
    """What is said of a rating beside its word, by the text and the web page alike: 'since
    2016-05-25, last published 2020-03-24; inherited from RBA11' (see `since_words`, `_marks`)."""
    return "; ".join([since_words(value), *_marks(value)])


def _marks(value: dict[str, Any]) -> list[str]:
    """What the JSON marks on a rating, in words: where it was inherited from, the day its area
    was inspected without a new rating."""
    marks = []
    if value.get("inherited"):
        marks.append(f"inherited from {value['inherited_from']}" if value.get("inherited_from") else "inherited")
    if value.get("inspected_without_rating"):
        marks.append(f"inspected {value['inspected_without_rating']['on']} without a new rating")
    return marks


def _superseded_lines(superseded: list[dict[str, Any]], indent: str) -> Iterable[str]:
    for gone in superseded:
        yield f"{indent}{gone['service']}: {superseded_words(gone)}"


def superseded_words(gone: dict[str, Any]) -> str:
    """'superseded on 2020-03-24 by Maternity (RBA/23)': a service retired at a place."""
    by = f" by {', '.join(gone['by'])}" if gone["by"] else ""
    return f"superseded on {gone['on']}{by} ({gone['ref']})"


def deregistered_words(location: dict[str, Any]) -> str:
    """'its ratings when it was deregistered on 2020-04-02, no longer in force': what a
    deregistered location's ratings are (status keeps them, as they stood; none is in force)."""
    return f"its ratings when it was deregistered on {location['deregistered_on']}, no longer in force"


def _headline(ratings: dict[str, Any]) -> str:
    """'Good since 2015-01-01 (RDD/3; inspected 2017-01-01 without a new rating)': the trust's
    overall with its ref and the marks every other rating line shows."""
    overall = ratings.get("overall")
    if not overall:
        return "no rating"
    return f"{overall['rating']} {since_words(overall)} ({'; '.join([overall['ref'], *_marks(overall)])})"


def status_text(doc: dict[str, Any]) -> str:
    """The status document of `status --json`, as a person reads it."""
    lines = [
        f"{doc['name']} ({doc['provider_id']})",
        f"  at {doc['at']}, as the ledger knew it at {doc['known_at']}",
    ]
    if doc["deregistered"]:
        gone = doc["deregistered"]
        successor = f", succeeded by {gone['successor_id']}" if gone["successor_id"] else ""
        lines.append(f"  deregistered on {gone['on']}{successor}: {PROVIDER_GONE if not doc['in_force'] else LEAVING}")
    lines.append("")
    lines.append(f"{'Overall':<{_WIDTH}}{_headline(doc['ratings'])}")
    others = _ratings_line(doc["ratings"], skip_overall=True)
    if others:
        lines.append(f"{'Key questions':<{_WIDTH}}{others}")
    regimes = ", ".join(f"{sm['regime']} since {sm['since']} ({sm['ref']})" for sm in doc["special_measures"])
    lines.append(f"{'Special measures':<{_WIDTH}}{regimes or 'none'}")
    if doc["oversight"]:
        o = doc["oversight"]
        lines.append(f"{'Oversight':<{_WIDTH}}{o['framework']} segment {o['segment']} since {o['since']}")
    lines.extend(_notice_lines(doc["warning_notices"]))
    inspection, report = doc["last_inspection"], doc["last_report"]
    if inspection:
        until = f" to {inspection['until']}" if inspection.get("until") else ""
        kind = f"{inspection['kind']} " if inspection.get("kind") else ""
        lines.append(f"{'Last inspection':<{_WIDTH}}{kind}{inspection['on']}{until} ({inspection['ref']})")
    if report:
        lines.append(f"{'Last report':<{_WIDTH}}{report['report_id']} published {report['on']} ({report['ref']})")
    lines.extend(_place_lines(doc))
    return "\n".join(lines)


def _notice_lines(notices: list[dict[str, Any]]) -> Iterable[str]:
    if not notices:
        yield f"{'Warning notices':<{_WIDTH}}none"
        return
    for i, n in enumerate(notices):
        label = "Warning notices" if i == 0 else ""
        deadline = f", deadline {n['deadline']}" if n["deadline"] else ""
        closed = f" on {n['closed_on']}" if n["closed_on"] else ""
        yield f"{label:<{_WIDTH}}{n['notice_id']} (s{n['section']}) issued {n['issued_on']}{deadline}: {n['status']}{closed}"


def _place_lines(doc: dict[str, Any]) -> Iterable[str]:
    """The locations in force, then (under their own heading) those deregistered by the day."""
    in_force = [loc for loc in doc["locations"] if loc["in_force"]]
    gone = [loc for loc in doc["locations"] if not loc["in_force"]]
    yield from _location_lines(in_force)
    if gone:
        yield ""
        yield f"Deregistered locations ({len(gone)})"
        yield from _location_lines(gone)
    if doc["services"] or doc.get("superseded_services"):
        yield ""
        yield "Services"
        for service in doc["services"]:
            yield f"  {service['service']}: {_ratings_line(service['ratings'])}"
        yield from _superseded_lines(doc.get("superseded_services", []), "  ")


def _location_lines(locations: list[dict[str, Any]]) -> Iterable[str]:
    for location in locations:
        yield ""
        gone = f", deregistered {location['deregistered_on']}" if location["deregistered_on"] else ""
        leaving = f": {LEAVING}" if gone and location["in_force"] else ""
        yield f"{location['location_id']} {location['name'] or ''}{gone}{leaving}".rstrip()
        if gone and not leaving and (location["ratings"] or location["services"]):
            yield f"  {deregistered_words(location)}:"
        if location["ratings"]:
            yield f"  {_ratings_line(location['ratings'])}"
        elif not location["services"]:
            yield "  no rating"
        for service in location["services"]:
            yield f"  {service['service']}: {_ratings_line(service['ratings'])}"
        yield from _superseded_lines(location.get("superseded_services", []), "  ")
