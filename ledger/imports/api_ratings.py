"""The ratings a CQC API response publishes, each with the report link and day that published it.

A response shows ratings in two places. `currentRatings` holds each cell's latest value, and
each part carries its own report: every key question of `overall`, `useOfResources`, and every
entry of `serviceRatings` (whose own key questions share its report). `historicRatings` holds
snapshots, each as published by one report (`reportLinkId`, `reportDate`), with no dates inside.
Every rating found is attributed to the report that carries it; the words CQC uses where there is
no rating ("No published rating", "No action", ...: `events.vocabulary.NOT_RATINGS`) make no cell, but their
report still counts, and each is listed so the import can say so.

Cells are placed by the response: a provider's are the trust's own (and its services without a
location: ambulance, mental health and community trusts); a location's are that location's,
with its `serviceRatings` as its services. Use of resources and the combined rating are the
trust's own wherever they appear. Services are named by code in real responses (`urgent`,
`npimaternity`): the response's own `inspectionAreas` name them, else CQC's table
(`services.INSPECTION_AREAS`).

A part whose `organisationId` names another organisation (a predecessor: RH5A8's ratings carry
`"organisationId": "RBA11"`) was published for that one: its cells are `inherited`, and a
historic snapshot of another organisation is that organisation's report, passed over here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cqc_ledger.events.services import INSPECTION_AREAS
from cqc_ledger.ledger.imports import words
from cqc_ledger.ledger.parsing import shown

Where = str  # a JSON path inside one response, for messages: currentRatings.serviceRatings[2].rating


@dataclass(frozen=True)
class Published:
    """One rating cell, or (with `cell` None) only the fact that a report was published.
    `inherited_from`: the organisation the rating was published for, when not this one."""

    link: str
    day: date
    cell: dict[str, Any] | None
    where: Where
    inherited_from: str | None = None


@dataclass
class Found:
    """Everything a response publishes: its ratings, the values that are not ratings (path and
    word), and the historic snapshots of other organisations passed over (path and organisation)."""

    published: list[Published] = field(default_factory=list)
    not_ratings: list[tuple[Where, str]] = field(default_factory=list)
    passed_over: list[tuple[Where, str]] = field(default_factory=list)


class ResponseError(ValueError):
    """A value of the response the ledger cannot take; `where` is its JSON path."""

    def __init__(self, where: Where, message: str):
        super().__init__(f"{where}: {message}")
        self.where = where


@dataclass(frozen=True)
class _Reading:
    """What reading one response needs: whose it is, and the names of its inspection areas."""

    own: str
    location_id: str | None
    areas: Mapping[str, str]
    found: Found


def area_names(response: dict[str, Any]) -> dict[str, str]:
    """The response's own inspection areas, id -> name (`inspectionAreas`)."""
    names = {}
    for i, area in enumerate(_list(response.get("inspectionAreas"), "inspectionAreas")):
        area = _object(area, f"inspectionAreas[{i}]")
        code, name = area.get("inspectionAreaId"), area.get("inspectionAreaName")
        if isinstance(code, str) and isinstance(name, str) and name.strip():
            names[code] = name.strip()
    return names


def published(response: dict[str, Any], location_id: str | None) -> Found:
    """Every rating of a provider (`location_id` None) or location response, with its report."""
    own = location_id or str(response.get("providerId") or "")
    reading = _Reading(own, location_id, area_names(response), Found())
    current = _object(response.get("currentRatings"), "currentRatings")
    reading.found.published.extend(_current(current, reading))
    for i, snapshot in enumerate(_list(response.get("historicRatings"), "historicRatings")):
        where = f"historicRatings[{i}]"
        snapshot = _object(snapshot, where)
        other = _other(snapshot, reading)
        if other:
            reading.found.passed_over.append((where, other))
            continue
        reading.found.published.extend(_snapshot(snapshot, reading, where))
    return reading.found


def _other(part: dict[str, Any], reading: _Reading, enclosing: str | None = None) -> str | None:
    """The organisation a part was published for, when it is not this response's own (`-`, as
    CQC writes an empty value, names none). A part that names none belongs with the part it is
    in (`enclosing`): RH5A8's `overall` names RBA11, and so its empty `useOfResources` is
    RBA11's too, not a report of RH5."""
    org = part.get("organisationId")
    org = org.strip() if isinstance(org, str) else None
    if not org or org == "-":
        return enclosing
    return org if org != reading.own else None


def _current(current: dict[str, Any], reading: _Reading) -> Iterator[Published]:
    where = "currentRatings"
    here_place = {"location_id": reading.location_id}
    fallback = _report(current, None, where)
    overall = _object(current.get("overall"), f"{where}.overall")
    here = _report(overall, fallback, f"{where}.overall")
    whose = _other(overall, reading)
    yield from _cells(here, here_place, "overall", overall.get("rating"), f"{where}.overall", reading, whose)
    for i, kq in enumerate(_list(overall.get("keyQuestionRatings"), f"{where}.overall.keyQuestionRatings")):
        path = f"{where}.overall.keyQuestionRatings[{i}]"
        kq = _object(kq, path)
        question = _question(kq.get("name"), f"{path}.name")
        yield from _cells(_report(kq, here, path), here_place, question, kq.get("rating"), path, reading, _other(kq, reading, whose))
    use = _object(overall.get("useOfResources"), f"{where}.overall.useOfResources")
    yield from _resources(use, _report(use, here, f"{where}.overall.useOfResources"), f"{where}.overall.useOfResources", reading, whose)
    for i, service in enumerate(_list(current.get("serviceRatings"), f"{where}.serviceRatings")):
        path = f"{where}.serviceRatings[{i}]"
        service = _object(service, path)
        yield from _service(service, _report(service, fallback, path), path, reading, _other(service, reading))


def _snapshot(snapshot: dict[str, Any], reading: _Reading, where: Where) -> Iterator[Published]:
    report = _report(snapshot, None, where)
    if report is None:
        raise ResponseError(where, "a historic rating without a reportLinkId cannot be placed in a report")
    yield Published(report[0], report[1], None, where)
    here_place = {"location_id": reading.location_id}
    overall = _object(snapshot.get("overall"), f"{where}.overall")
    yield from _cells(report, here_place, "overall", overall.get("rating"), f"{where}.overall", reading)
    for i, kq in enumerate(_list(overall.get("keyQuestionRatings"), f"{where}.overall.keyQuestionRatings")):
        path = f"{where}.overall.keyQuestionRatings[{i}]"
        kq = _object(kq, path)
        yield from _cells(report, here_place, _question(kq.get("name"), f"{path}.name"), kq.get("rating"), path, reading)
    yield from _resources(
        _object(overall.get("useOfResources"), f"{where}.overall.useOfResources"), report, f"{where}.overall.useOfResources", reading
    )
    for i, service in enumerate(_list(snapshot.get("serviceRatings"), f"{where}.serviceRatings")):
        path = f"{where}.serviceRatings[{i}]"
        yield from _service(_object(service, path), report, path, reading)


def service_name(code: Any, areas: Mapping[str, str], where: Where) -> str | None:
    """The canonical service a `name` of `serviceRatings` means: an inspection area's code named
    by the response or by CQC's table, or a service's name; None for "Overall"."""
    name = (areas.get(code) or INSPECTION_AREAS.get(code) or code) if isinstance(code, str) else code
    try:
        return words.service(name)
    except words.WordError as bad:
        raise ResponseError(where, str(bad)) from None


def _service(
    service: dict[str, Any], report: tuple[str, date] | None, where: Where, reading: _Reading, other: str | None = None
) -> Iterator[Published]:
    name = service_name(service.get("name"), reading.areas, f"{where}.name")
    if name is None:  # "Overall" among the services: the place's own overall rating
        yield from _cells(report, {"location_id": reading.location_id}, "overall", service.get("rating"), where, reading, other)
        return
    place = {"location_id": reading.location_id, "service": name}
    yield from _cells(report, place, "overall", service.get("rating"), where, reading, other)
    for i, kq in enumerate(_list(service.get("keyQuestionRatings"), f"{where}.keyQuestionRatings")):
        path = f"{where}.keyQuestionRatings[{i}]"
        kq = _object(kq, path)
        yield from _cells(report, place, _question(kq.get("name"), f"{path}.name"), kq.get("rating"), path, reading, other)


def _resources(
    use: dict[str, Any], report: tuple[str, date] | None, where: Where, reading: _Reading, enclosing: str | None = None
) -> Iterator[Published]:
    trust = {"location_id": None}
    other = _other(use, reading, enclosing)
    yield from _cells(report, trust, "use-of-resources", use.get("useOfResourcesRating"), f"{where}.useOfResourcesRating", reading, other)
    yield from _cells(report, trust, "combined", use.get("combinedQualityRating"), f"{where}.combinedQualityRating", reading, other)


def _cells(
    report: tuple[str, date] | None,
    place: dict[str, Any],
    question: str,
    word: Any,
    where: Where,
    reading: _Reading,
    other: str | None = None,
) -> Iterator[Published]:
    """The cell a rating word makes (none for a word that means no rating), in its report."""
    path = where if where.endswith(("Rating", ".rating")) else f"{where}.rating"
    try:
        value = words.rating(word)
    except words.WordError as bad:
        raise ResponseError(path, str(bad)) from None
    if report is not None and other is None:
        yield Published(report[0], report[1], None, where)
    if value is None:
        if isinstance(word, str) and word.strip():
            reading.found.not_ratings.append((path, word.strip()))
        return
    if report is None:
        raise ResponseError(where, f'the rating "{value}" has no reportLinkId, so no report can carry it')
    cell = {key: v for key, v in place.items() if v is not None}
    yield Published(report[0], report[1], {**cell, "question": question, "rating": value}, path, other)


def _report(part: dict[str, Any], fallback: tuple[str, date] | None, where: Where) -> tuple[str, date] | None:
    """The (link, day) of the report a part of the response carries, else the enclosing one."""
    link, day = part.get("reportLinkId"), part.get("reportDate")
    if link is None:
        return fallback
    if not isinstance(link, str) or not link.strip():
        raise ResponseError(f"{where}.reportLinkId", f"{shown(link)} is not a report link")
    if day is None:
        raise ResponseError(f"{where}.reportDate", f"is missing, so report {link} has no publication day")
    try:
        return link.strip(), words.day(day)
    except words.WordError as bad:
        raise ResponseError(f"{where}.reportDate", str(bad)) from None


def _question(name: Any, where: Where) -> str:
    try:
        question = words.question(name)
    except words.WordError as bad:
        raise ResponseError(where, str(bad)) from None
    return question


def _object(value: Any, where: Where) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ResponseError(where, "expected a JSON object")
    return value


def _list(value: Any, where: Where) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ResponseError(where, "expected a JSON list")
    return value
