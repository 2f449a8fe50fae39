"""CQC API provider and location responses, as entries.

Each provider response registers its provider (and its deregistration, with the successor its
`relationships` name); each location response registers its location under its `providerId`.
Each report link, whether listed in `reports` or carried by a rating, becomes one
`ReportPublished` (report_id: the link; on: its publication day) with exactly the ratings
published with that link, and, when `reports` gives its `firstVisitDate`, one
`InspectionCarriedOut` (inspection_id: the link; at the locations whose responses list it, where
that day is within their registration). Several responses of one import share their
report links, so a report's ratings may come from the provider's and its locations' responses.
A location's `lastInspection` is an `InspectionCarriedOut` there on that day (see
`_last_inspection`): most reports give no first visit day.

A location's ratings that the response says were published for another organisation
(`organisationId`: RH5A8's carry RBA11, the hospital it took over) become one `RatingsInherited`
from the location's registration, each cell dated as first published, naming that organisation
as `from_location_id` and no `from_provider_id`: the response does not name its provider, and an
entry drafted from one response says only what that response says, whatever else is imported
with it (else importing RH5A8's response alone, after all of them, drafted an entry that differs
and was recorded again). Neither that organisation's historic reports nor the reports of its
ratings are this provider's: they are passed over, with a note (they are recorded from its own
response). Each inspection area marked `Superseded` where the location had ratings of it
becomes a `ServiceSuperseded` (on its `endDate`, else the day a successor was first rated there).

The same responses always give the same entries, `source` included (the API address of the
provider, location or report, never the file's name), so importing them again adds nothing; and
the entries of a response do not depend on which others come with it, apart from a report
whose cells are in several responses (a provider's and its locations'), drafted once whole.
Entries come in the order the ledger needs: registrations, then inspections and reports by day,
then deregistrations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from cqc_ledger.events.services import INSPECTION_AREAS
from cqc_ledger.events.vocabulary import QUESTIONS, normalise
from cqc_ledger.ledger.errors import BadImportFile
from cqc_ledger.ledger.imports import Draft, first_few, keeping, words
from cqc_ledger.ledger.imports.api_ratings import Found, Published, ResponseError, area_names, published, service_name
from cqc_ledger.ledger.parsing import shown

API = "https://api.service.cqc.org.uk/public/v1"
# Words of a provider's primary inspection category, and the provider type each means.
_PROVIDER_TYPES = (
    ("ambulance", "ambulance"),
    ("mental health", "mental-health"),
    ("community", "community"),
    ("non specialist", "acute"),
    ("specialist", "specialist"),
    ("acute", "acute"),
)


@dataclass(frozen=True)
class Response:
    """One provider or location response, named by the file (and place in it) it came from."""

    name: str
    body: Any


@dataclass
class _Report:
    provider_id: str
    link: str
    day: date
    origin: str
    first_visit: date | None = None
    cells: dict[tuple, tuple[str, str]] = field(default_factory=dict)
    visited: set[str] = field(default_factory=set)  # the locations whose responses list it with its first visit


def drafts(responses: Sequence[Response], notes: list[str] | None = None) -> list[Draft]:
    """The entries that the responses publish, in the order the ledger records them; what was
    passed over (values that are not ratings, a predecessor's reports) is added to `notes`."""
    _one_response_each(responses)
    notes = notes if notes is not None else []
    registered, deregistered, carried = [], [], []
    reports: dict[tuple[str, str], _Report] = {}
    not_ratings: list[tuple[str, str, str]] = []
    for response in responses:
        body = response.body
        found = _collect_reports(response, reports)
        notes.extend(_passed_over(response, found))
        not_ratings.extend((response.name, where, word) for where, word in found.not_ratings)
        if _is_location(body):
            registered.append(_location_registered(response))
            deregistered.extend(_deregistered(response, "LocationDeregistered", {"location_id": body["locationId"]}))
            carried.extend(_inherited(response, found))
            carried.extend(_superseded(response, found, notes))
            carried.extend(_last_inspection(response, notes))
        else:
            registered.append(_provider_registered(response))
            deregistered.extend(_deregistered(response, "ProviderDeregistered", _successor(body)))
    registered.sort(key=lambda d: (d.obj["type"] != "ProviderRegistered", d.obj["provider_id"], d.obj.get("location_id", "")))
    recorded = [draft for report in reports.values() for draft in _report_drafts(report, notes)] + carried
    recorded.sort(key=lambda d: (d.obj["on"], _ORDER.index(d.obj["type"]), d.obj["provider_id"], d.obj.get("source", "")))
    deregistered.sort(key=lambda d: (d.obj["type"] != "LocationDeregistered", d.obj["provider_id"], d.obj.get("location_id", "")))
    notes.extend(_not_ratings(not_ratings))
    return registered + recorded + deregistered


# On one day: a location takes over its predecessor's ratings, CQC inspects, publishes, and
# retires the areas that the day's report replaced.
_ORDER = ("RatingsInherited", "InspectionCarriedOut", "ReportPublished", "ServiceSuperseded")


def _inherited(response: Response, found: Found) -> list[Draft]:
    """A location's ratings published for another organisation (`organisationId`): one
    `RatingsInherited` per organisation, from the location's registration, each cell dated as
    first published; from that organisation (`from_location_id`), with no `from_provider_id`,
    which the response does not give (see the module's doc)."""
    by_source: dict[str, list[Published]] = {}
    for item in found.published:
        if item.inherited_from and item.cell:
            by_source.setdefault(item.inherited_from, []).append(item)
    _, location_id, provider_id = organisation(response)
    registered = _day(response, "registrationDate")
    out = []
    for source, items in sorted(by_source.items()):
        cells: dict[tuple[str, int], dict[str, Any]] = {}
        for item in items:
            key = (item.cell.get("service") or "", QUESTIONS.index(item.cell["question"]))  # type: ignore[index,union-attr]
            cells.setdefault(key, {**item.cell, "published_on": item.day.isoformat(), "report_id": item.link})  # type: ignore[dict-item]
        obj = {
            "type": "RatingsInherited",
            "provider_id": provider_id,
            "location_id": location_id,
            "on": max(registered, *(item.day for item in items)).isoformat(),
            "from_location_id": source,
            "ratings": [cells[key] for key in sorted(cells)],
            "source": f"{API}/locations/{location_id}",
        }
        out.append(Draft({k: v for k, v in obj.items() if v is not None}, f"{response.name}: currentRatings"))
    return out


def _superseded(response: Response, found: Found, notes: list[str]) -> list[Draft]:
    """`ServiceSuperseded` for each inspection area the location's response marks superseded,
    where the location had ratings of it: on its `endDate`, else the day the location's first
    rating of a successor was published. If the old area was rated again on or after that day (a
    later report of the old areas: RK950's of 2019-03-05), it is superseded from the location's
    next report that no longer rates it, else the day after its last rating, so that every report
    stands on its own day. An area superseded by one of the same canonical name (CQC's "Medical
    care" by "Medical care (including older people's care)") is the same service."""
    body = response.body
    _, location_id, provider_id = organisation(response)
    areas = {**INSPECTION_AREAS, **area_names(body)}
    rated: dict[str, list[date]] = {}
    for item in found.published:
        if item.cell and item.cell.get("service") and not item.inherited_from:
            rated.setdefault(item.cell["service"], []).append(item.day)
    report_days = sorted({item.day for item in found.published if not item.inherited_from})
    registered = _day(response, "registrationDate")
    out = []
    for i, area in enumerate(body.get("inspectionAreas") or []):
        where = f"inspectionAreas[{i}]"
        if not isinstance(area, dict) or normalise(str(area.get("status") or "")) != "superseded":
            continue
        service = service_name(area.get("inspectionAreaName") or area.get("inspectionAreaId"), areas, f"{where}.inspectionAreaName")
        named = [service_name(code, areas, f"{where}.supersededBy") for code in area.get("supersededBy") or []]
        by = [b for b in dict.fromkeys(named) if b and b != service]
        if service is None or service not in rated or not by:
            continue
        if area.get("endDate") is not None:
            on = _day(response, "endDate", area, where)
        elif any(b in rated for b in by):
            on = min(day for b in by for day in rated.get(b, ()))
        else:
            notes.append(
                f"{response.name}: {where}: {service} is superseded by {', '.join(by)}, with no endDate and no rating "
                "of them here to date it: left standing"
            )
            continue
        last = max(rated[service])
        if last >= on:
            on = next((day for day in report_days if day > last), last + timedelta(days=1))
        if on < registered:
            continue  # retired before this location existed: nothing of it stands here
        obj = {
            "type": "ServiceSuperseded",
            "provider_id": provider_id,
            "location_id": location_id,
            "service": service,
            "on": on.isoformat(),
            "by": by,
            "source": f"{API}/locations/{location_id}",
        }
        out.append(Draft(obj, f"{response.name}: {where}"))
    return out


def _last_inspection(response: Response, notes: list[str]) -> list[Draft]:
    """The inspection a location response gives as its last (`lastInspection.date`), which most
    reports of the ratings era do not date (they have no `firstVisitDate`): an
    `InspectionCarriedOut` at that location on that day, its id made of the location and the day
    (`cqc-api:RK950:2021-03-08`), so that the same response, alone or with any others, drafts it
    the same. The response says no more of it: no last visit day, kind, framework or report.
    None when that day is the `firstVisitDate` of a report the response lists: that inspection is
    the report's, recorded by its link at this location (its `scope`), as is one a later response
    lists: the ledger records the visit once, whichever it imports first (`keeping.same_visit`);
    and none, with a note, when the day falls outside the location's registration (CQC's own days
    for it): the ledger would refuse it, and one such day would refuse the whole import."""
    body = response.body
    last = body.get("lastInspection")
    if last is None:
        return []
    if not isinstance(last, dict):
        raise BadImportFile(f"{response.name}: lastInspection: expected a JSON object")
    if last.get("date") is None:
        return []
    on = _day(response, "date", last, "lastInspection")
    _, location_id, provider_id = organisation(response)
    visits = [
        _day(response, "firstVisitDate", r, f"reports[{i}]") for i, r in enumerate(_listed_reports(response)) if r.get("firstVisitDate")
    ]
    if on in visits:
        return []
    if (span := _outside_registration(response, on)) is not None:
        notes.append(f"{response.name}: lastInspection.date {on} is outside the location's registration ({span}): not recorded")
        return []
    obj = {
        "type": "InspectionCarriedOut",
        "provider_id": provider_id,
        "inspection_id": keeping.visit_id(location_id, on),
        "on": on.isoformat(),
        "scope": [{"location_id": location_id}],
        "source": f"{API}/locations/{location_id}",
    }
    return [Draft(obj, f"{response.name}: lastInspection.date")]


def _outside_registration(response: Response, day: date) -> str | None:
    """The location's registration (CQC's days for it), in words, when `day` falls outside it."""
    registered = _day(response, "registrationDate")
    gone = _day(response, "deregistrationDate") if response.body.get("deregistrationDate") else None
    if day < registered or (gone is not None and day > gone):
        return f"{registered} to {gone}" if gone else f"from {registered}"
    return None


def _passed_over(response: Response, found: Found) -> list[str]:
    """The historic reports of another organisation that a response carries, in a sentence."""
    notes = []
    for source in dict.fromkeys(org for _, org in found.passed_over):
        paths = [where for where, org in found.passed_over if org == source]
        notes.append(
            f"{response.name}: {', '.join(paths)} {'are reports' if len(paths) > 1 else 'is a report'} of {source}, "
            f"not of {organisation(response)[1]}: passed over (import {source}'s own response for them)"
        )
    return notes


def _not_ratings(found: list[tuple[str, str, str]]) -> list[str]:
    """One note per word CQC publishes where there is no rating: how many, in which files, and
    the first place of it."""
    notes = []
    for word in sorted({word for _, _, word in found}):
        places = [(name, where) for name, where, w in found if w == word]
        files = list(dict.fromkeys(name for name, _ in places))
        shown = first_few(files, 3)
        notes.append(
            f'"{word}" is not a rating: {len(places)} value{"s" if len(places) > 1 else ""} in '
            f"{len(files)} response{'s' if len(files) > 1 else ''} made no cell ({shown}; the first at {places[0][0]}: {places[0][1]})"
        )
    return notes


def organisation(response: Response) -> tuple[str, str, str]:
    """('location', 'RWP01', 'RWP') or ('provider', 'RWP', 'RWP'); BadImportFile if it is neither."""
    body = response.body
    if not isinstance(body, dict):
        raise BadImportFile(f"{response.name}: not a CQC API provider or location response (expected a JSON object)")
    if _is_location(body):
        return "location", _text(response, "locationId"), _text(response, "providerId")
    if "providerId" in body:
        return "provider", _text(response, "providerId"), _text(response, "providerId")
    hint = (
        " (this is a listing: import each provider's own response, /providers/{id})" if "providers" in body or "locations" in body else ""
    )
    raise BadImportFile(f'{response.name}: not a CQC API provider or location response: it has no "providerId" or "locationId"{hint}')


def _is_location(body: dict[str, Any]) -> bool:
    return "locationId" in body or body.get("organisationType") == "Location"


def _one_response_each(responses: Sequence[Response]) -> None:
    seen: dict[tuple[str, str], str] = {}
    for response in responses:
        kind, org_id, _ = organisation(response)
        if (kind, org_id) in seen:
            raise BadImportFile(
                f"{response.name}: {kind} {org_id} is also in {seen[(kind, org_id)]}; import one response "
                "of each provider or location at a time, the older first"
            )
        seen[(kind, org_id)] = response.name


def _provider_registered(response: Response) -> Draft:
    body = response.body
    obj = {
        "type": "ProviderRegistered",
        "provider_id": _text(response, "providerId"),
        "name": _text(response, "name"),
        "on": _day(response, "registrationDate").isoformat(),
        "provider_type": _provider_type(body.get("inspectionCategories")),
        "region": body.get("region") or None,
        "source": f"{API}/providers/{body['providerId']}",
    }
    return Draft({k: v for k, v in obj.items() if v is not None}, response.name)


def _location_registered(response: Response) -> Draft:
    body = response.body
    return Draft(
        {
            "type": "LocationRegistered",
            "provider_id": _text(response, "providerId"),
            "location_id": _text(response, "locationId"),
            "name": _text(response, "name"),
            "on": _day(response, "registrationDate").isoformat(),
            "source": f"{API}/locations/{body['locationId']}",
        },
        response.name,
    )


def _deregistered(response: Response, kind: str, extra: dict[str, Any]) -> list[Draft]:
    body = response.body
    if normalise(str(body.get("registrationStatus") or "")) != "deregistered":
        return []
    kind_of, org_id, provider_id = organisation(response)
    obj = {
        "type": kind,
        "provider_id": provider_id,
        "on": _day(response, "deregistrationDate").isoformat(),
        **extra,
        "source": f"{API}/{kind_of}s/{org_id}",
    }
    return [Draft(obj, f"{response.name}: deregistrationDate")]


def _successor(body: dict[str, Any]) -> dict[str, str]:
    """successor_id and reason, when the provider's relationships name exactly one successor."""
    found = [r for r in body.get("relationships") or [] if isinstance(r, dict) and "successor" in normalise(str(r.get("type")))]
    if len(found) != 1 or not isinstance(found[0].get("relatedProviderId"), str):
        return {}
    reason = found[0].get("reason")
    return {"successor_id": found[0]["relatedProviderId"], **({"reason": reason} if isinstance(reason, str) and reason.strip() else {})}


def _provider_type(categories: Any) -> str | None:
    primary = [c for c in categories or [] if isinstance(c, dict) and str(c.get("primary")).lower() == "true"]
    name = normalise(str(primary[0].get("name"))) if len(primary) == 1 else ""
    return next((kind for word, kind in _PROVIDER_TYPES if word in name), None)


def _collect_reports(response: Response, reports: dict[tuple[str, str], _Report]) -> Found:
    kind, org_id, provider_id = organisation(response)
    for i, listed in enumerate(_listed_reports(response)):
        where = f"reports[{i}]"
        report = _report(
            reports, provider_id, _text(response, "linkId", listed, where), _day(response, "reportDate", listed, where), response, where
        )
        if listed.get("firstVisitDate") is not None:
            visit = _day(response, "firstVisitDate", listed, where)
            if report.first_visit not in (None, visit):
                raise BadImportFile(
                    f"{response.name}: {where}.firstVisitDate: report {report.link} was first visited on {report.first_visit} in {report.origin}, not {visit}"
                )
            report.first_visit = visit
            if kind == "location" and _outside_registration(response, visit) is None:
                report.visited.add(org_id)
    try:
        found = published(response.body, org_id if kind == "location" else None)
    except ResponseError as bad:
        raise BadImportFile(f"{response.name}: {bad}") from None
    for item in found.published:
        if item.inherited_from is None:
            _add_cell(_report(reports, provider_id, item.link, item.day, response, item.where), item, response)
    return found


def _listed_reports(response: Response) -> list[dict[str, Any]]:
    listed = response.body.get("reports") or []
    if not isinstance(listed, list) or not all(isinstance(r, dict) for r in listed):
        raise BadImportFile(f"{response.name}: reports: expected a list of JSON objects")
    return listed


def _report(reports: dict[tuple[str, str], _Report], provider_id: str, link: str, day: date, response: Response, where: str) -> _Report:
    report = reports.setdefault((provider_id, link), _Report(provider_id, link, day, f"{response.name}: {where}"))
    if report.day != day:
        raise BadImportFile(
            f"{response.name}: {where}: report {link} is dated {day} here but {report.day} in {report.origin}; "
            "a report has one publication day"
        )
    return report


def _add_cell(report: _Report, item: Published, response: Response) -> None:
    if item.cell is None:
        return
    key = (item.cell.get("location_id"), item.cell.get("service"), item.cell["question"])
    origin = f"{response.name}: {item.where}"
    earlier = report.cells.setdefault(key, (item.cell["rating"], origin))
    if earlier[0] != item.cell["rating"]:
        raise BadImportFile(
            f'{origin}: report {report.link} rates {_cell_words(key)} "{item.cell["rating"]}" here but "{earlier[0]}" in {earlier[1]}'
        )


def _report_drafts(report: _Report, notes: list[str]) -> list[Draft]:
    source = f"{API}/reports/{report.link}"
    base = {"provider_id": report.provider_id, "source": source}
    found = []
    if report.first_visit:
        visit: dict[str, Any] = {"type": "InspectionCarriedOut", **base, "inspection_id": report.link, "on": report.first_visit.isoformat()}
        if report.visited:  # at the locations whose reports it is (see `_last_inspection`: one visit, recorded once)
            visit["scope"] = [{"location_id": location_id} for location_id in sorted(report.visited)]
        found.append(Draft(visit, report.origin))
    cells = [_cell(key, rating) for key, (rating, _) in sorted(report.cells.items(), key=lambda kv: _cell_order(kv[0]))]
    obj = {"type": "ReportPublished", **base, "report_id": report.link, "on": report.day.isoformat(), "ratings": cells}
    if report.first_visit and report.first_visit <= report.day:
        obj["inspection_ids"] = [report.link]
    elif report.first_visit:  # CQC's data says the visit came after the report (TAL11): not its inspection
        notes.append(
            f"{report.origin}: report {report.link} is dated {report.day} but its firstVisitDate is {report.first_visit}, "
            "later: the inspection is recorded, but not as the report's"
        )
    found.append(Draft(obj, report.origin, {key: origin for key, (_, origin) in report.cells.items()}))
    return found


def _cell(key: tuple, rating: str) -> dict[str, Any]:
    location_id, service, question = key
    cell = {"location_id": location_id, "service": service, "question": question, "rating": rating}
    return {k: v for k, v in cell.items() if v is not None}


def _cell_order(key: tuple) -> tuple:
    location_id, service, question = key
    return (location_id or "", service or "", QUESTIONS.index(question))


def _cell_words(key: tuple) -> str:
    location_id, service, question = key
    return " ".join(part for part in (location_id or "trust", service, question) if part)


def _text(response: Response, name: str, part: dict[str, Any] | None = None, where: str = "") -> str:
    value = (response.body if part is None else part).get(name)
    if not isinstance(value, str) or not value.strip():
        path = f"{where}.{name}" if where else name
        raise BadImportFile(f"{response.name}: {path}: expected text, found {shown(value)}")
    return value.strip()


def _day(response: Response, name: str, part: dict[str, Any] | None = None, where: str = "") -> date:
    value = (response.body if part is None else part).get(name)
    path = f"{where}.{name}" if where else name
    if value is None:
        raise BadImportFile(f"{response.name}: {path} is missing")
    try:
        return words.day(value)
    except words.WordError as bad:
        raise BadImportFile(f"{response.name}: {path}: {bad}") from None
