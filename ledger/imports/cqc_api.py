"""CQC API provider and location responses, as entries.

Each provider response registers its provider (and its deregistration, with the successor its
`relationships` name); each location response registers its location under its `providerId`.
Each report link, whether listed in `reports` or carried by a rating, becomes one
`ReportPublished` (report_id: the link; on: its publication day) with exactly the ratings
published with that link, and, when `reports` gives its `firstVisitDate`, one
`InspectionCarriedOut` (inspection_id: the link). Several responses of one import share their
report links, so a report's ratings may come from the provider's and its locations' responses.

The same responses always give the same entries, `source` included (the API address of the
provider, location or report, never the file's name), so importing them again adds nothing.
Entries come in the order the ledger needs: registrations, then inspections and reports by day,
then deregistrations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cqc_ledger.events.vocabulary import QUESTIONS, normalise
from cqc_ledger.ledger.errors import BadImportFile
from cqc_ledger.ledger.imports import Draft, words
from cqc_ledger.ledger.imports.api_ratings import Published, ResponseError, published

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


def drafts(responses: Sequence[Response]) -> list[Draft]:
    """The entries that the responses publish, in the order the ledger records them."""
    _one_response_each(responses)
    registered, reports, deregistered = [], {}, []
    for response in responses:
        body = response.body
        if _is_location(body):
            registered.append(_location_registered(response))
            deregistered.extend(_deregistered(response, "LocationDeregistered", {"location_id": body["locationId"]}))
        else:
            registered.append(_provider_registered(response))
            deregistered.extend(_deregistered(response, "ProviderDeregistered", _successor(body)))
        _collect_reports(response, reports)
    registered.sort(key=lambda d: (d.obj["type"] != "ProviderRegistered", d.obj["provider_id"], d.obj.get("location_id", "")))
    recorded = [draft for report in reports.values() for draft in _report_drafts(report)]
    recorded.sort(key=lambda d: (d.obj["on"], d.obj["type"] != "InspectionCarriedOut", d.obj["provider_id"], d.obj["source"]))
    deregistered.sort(key=lambda d: (d.obj["type"] != "LocationDeregistered", d.obj["provider_id"], d.obj.get("location_id", "")))
    return registered + recorded + deregistered


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
    return [Draft(obj, response.name)]


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


def _collect_reports(response: Response, reports: dict[tuple[str, str], _Report]) -> None:
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
    try:
        found = published(response.body, org_id if kind == "location" else None)
    except ResponseError as bad:
        raise BadImportFile(f"{response.name}: {bad}") from None
    for item in found:
        _add_cell(_report(reports, provider_id, item.link, item.day, response, item.where), item, response)


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


def _report_drafts(report: _Report) -> list[Draft]:
    source = f"{API}/reports/{report.link}"
    base = {"provider_id": report.provider_id, "source": source}
    found = []
    if report.first_visit:
        found.append(
            Draft(
                {"type": "InspectionCarriedOut", **base, "inspection_id": report.link, "on": report.first_visit.isoformat()}, report.origin
            )
        )
    cells = [_cell(key, rating) for key, (rating, _) in sorted(report.cells.items(), key=lambda kv: _cell_order(kv[0]))]
    obj = {"type": "ReportPublished", **base, "report_id": report.link, "on": report.day.isoformat(), "ratings": cells}
    if report.first_visit:
        obj["inspection_ids"] = [report.link]
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
        raise BadImportFile(f"{response.name}: {path}: expected text, found {value!r}")
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
