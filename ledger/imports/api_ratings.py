"""The ratings a CQC API response publishes, each with the report link and day that published it.

A response shows ratings in two places. `currentRatings` holds each cell's latest value, and
each part carries its own report: every key question of `overall`, `useOfResources`, and every
entry of `serviceRatings` (whose own key questions share its report). `historicRatings` holds
snapshots, each as published by one report (`reportLinkId`, `reportDate`), with no dates inside.
Every rating found is attributed to the report that carries it; the words that mean no rating
("No published rating", "Do not include in report") make no cell, but their report still counts.

Cells are placed by the response: a provider's are the trust's own (and its services without a
location: ambulance, mental health and community trusts); a location's are that location's,
with its `serviceRatings` as its services. Use of resources and the combined rating are the
trust's own wherever they appear.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from cqc_ledger.ledger.imports import words

Where = str  # a JSON path inside one response, for messages: currentRatings.serviceRatings[2].rating


@dataclass(frozen=True)
class Published:
    """One rating cell, or (with `cell` None) only the fact that a report was published."""

    link: str
    day: date
    cell: dict[str, Any] | None
    where: Where


class ResponseError(ValueError):
    """A value of the response the ledger cannot take; `where` is its JSON path."""

    def __init__(self, where: Where, message: str):
        super().__init__(f"{where}: {message}")
        self.where = where


def published(response: dict[str, Any], location_id: str | None) -> list[Published]:
    """Every rating of a provider (`location_id` None) or location response, with its report."""
    current = _object(response.get("currentRatings"), "currentRatings")
    found = list(_current(current, location_id))
    for i, snapshot in enumerate(_list(response.get("historicRatings"), "historicRatings")):
        found.extend(_snapshot(_object(snapshot, f"historicRatings[{i}]"), location_id, f"historicRatings[{i}]"))
    return found


def _current(current: dict[str, Any], location_id: str | None) -> Iterator[Published]:
    where = "currentRatings"
    fallback = _report(current, None, where)
    overall = _object(current.get("overall"), f"{where}.overall")
    here = _report(overall, fallback, f"{where}.overall")
    yield from _cells(here, {"location_id": location_id}, "overall", overall.get("rating"), f"{where}.overall")
    for i, kq in enumerate(_list(overall.get("keyQuestionRatings"), f"{where}.overall.keyQuestionRatings")):
        path = f"{where}.overall.keyQuestionRatings[{i}]"
        kq = _object(kq, path)
        question = _question(kq.get("name"), f"{path}.name")
        yield from _cells(_report(kq, here, path), {"location_id": location_id}, question, kq.get("rating"), path)
    use = _object(overall.get("useOfResources"), f"{where}.overall.useOfResources")
    yield from _resources(use, _report(use, here, f"{where}.overall.useOfResources"), f"{where}.overall.useOfResources")
    for i, service in enumerate(_list(current.get("serviceRatings"), f"{where}.serviceRatings")):
        path = f"{where}.serviceRatings[{i}]"
        service = _object(service, path)
        yield from _service(service, _report(service, fallback, path), location_id, path)


def _snapshot(snapshot: dict[str, Any], location_id: str | None, where: Where) -> Iterator[Published]:
    report = _report(snapshot, None, where)
    if report is None:
        raise ResponseError(where, "a historic rating without a reportLinkId cannot be placed in a report")
    yield Published(report[0], report[1], None, where)
    overall = _object(snapshot.get("overall"), f"{where}.overall")
    yield from _cells(report, {"location_id": location_id}, "overall", overall.get("rating"), f"{where}.overall")
    for i, kq in enumerate(_list(overall.get("keyQuestionRatings"), f"{where}.overall.keyQuestionRatings")):
        path = f"{where}.overall.keyQuestionRatings[{i}]"
        kq = _object(kq, path)
        yield from _cells(report, {"location_id": location_id}, _question(kq.get("name"), f"{path}.name"), kq.get("rating"), path)
    yield from _resources(
        _object(overall.get("useOfResources"), f"{where}.overall.useOfResources"), report, f"{where}.overall.useOfResources"
    )
    for i, service in enumerate(_list(snapshot.get("serviceRatings"), f"{where}.serviceRatings")):
        path = f"{where}.serviceRatings[{i}]"
        yield from _service(_object(service, path), report, location_id, path)


def _service(service: dict[str, Any], report: tuple[str, date] | None, location_id: str | None, where: Where) -> Iterator[Published]:
    try:
        name = words.service(service.get("name"))
    except words.WordError as bad:
        raise ResponseError(f"{where}.name", str(bad)) from None
    if name is None:  # "Overall" among the services: the place's own overall rating
        yield from _cells(report, {"location_id": location_id}, "overall", service.get("rating"), where)
        return
    place = {"location_id": location_id, "service": name}
    yield from _cells(report, place, "overall", service.get("rating"), where)
    for i, kq in enumerate(_list(service.get("keyQuestionRatings"), f"{where}.keyQuestionRatings")):
        path = f"{where}.keyQuestionRatings[{i}]"
        kq = _object(kq, path)
        yield from _cells(report, place, _question(kq.get("name"), f"{path}.name"), kq.get("rating"), path)


def _resources(use: dict[str, Any], report: tuple[str, date] | None, where: Where) -> Iterator[Published]:
    trust = {"location_id": None}
    yield from _cells(report, trust, "use-of-resources", use.get("useOfResourcesRating"), f"{where}.useOfResourcesRating")
    yield from _cells(report, trust, "combined", use.get("combinedQualityRating"), f"{where}.combinedQualityRating")


def _cells(report: tuple[str, date] | None, place: dict[str, Any], question: str, word: Any, where: Where) -> Iterator[Published]:
    """The cell a rating word makes (none for a word that means no rating), in its report."""
    path = where if where.endswith(("Rating", ".rating")) else f"{where}.rating"
    try:
        value = words.rating(word)
    except words.WordError as bad:
        raise ResponseError(path, str(bad)) from None
    if report is not None:
        yield Published(report[0], report[1], None, where)
    if value is None:
        return
    if report is None:
        raise ResponseError(where, f'the rating "{value}" has no reportLinkId, so no report can carry it')
    cell = {key: v for key, v in place.items() if v is not None}
    yield Published(report[0], report[1], {**cell, "question": question, "rating": value}, path)


def _report(part: dict[str, Any], fallback: tuple[str, date] | None, where: Where) -> tuple[str, date] | None:
    """The (link, day) of the report a part of the response carries, else the enclosing one."""
    link, day = part.get("reportLinkId"), part.get("reportDate")
    if link is None:
        return fallback
    if not isinstance(link, str) or not link.strip():
        raise ResponseError(f"{where}.reportLinkId", f"{link!r} is not a report link")
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
