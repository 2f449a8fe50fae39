"""Query parameters read into the values the projections take; a bad one is a `BadRequest` (400)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from cqc_ledger.events.services import canonical_service
from cqc_ledger.events.vocabulary import PROVIDER_TYPES, QUESTION_WORDS, QUESTIONS, RATING_WORDS, normalise
from cqc_ledger.ledger.records import parse_time


def _get(query: Mapping[str, str], name: str) -> str:
    """The parameter's value ("" when absent); `known-at` is taken for `known_at`, as on the command line."""
    return query.get(name) or query.get(name.replace("_", "-")) or ""


class BadRequest(Exception):
    """A query parameter the site cannot use; the message says which and what it takes."""


def day(query: Mapping[str, str], name: str) -> date | None:
    text = _get(query, name).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadRequest(f'{name}: "{text}" is not a day like 2018-01-01') from None


def moment(query: Mapping[str, str], name: str) -> datetime | None:
    text = _get(query, name).strip()
    if not text:
        return None
    try:
        return parse_time(text)
    except ValueError:
        raise BadRequest(f'{name}: "{text}" is not a time like 2019-03-01 or 2019-03-01T12:00:00Z') from None


def rating(query: Mapping[str, str], name: str = "rating") -> str | None:
    text = _get(query, name).strip()
    if not text:
        return None
    found = RATING_WORDS.get(normalise(text))
    if found is None:
        raise BadRequest(f'{name}: "{text}" is not a CQC rating')
    return found


def question(query: Mapping[str, str], name: str = "question") -> str:
    text = _get(query, name).strip() or "overall"
    found = QUESTION_WORDS.get(normalise(text))
    if found is None:
        raise BadRequest(f'{name}: "{text}" is not a question: use one of {", ".join(QUESTIONS)}')
    return found


def provider_type(query: Mapping[str, str], name: str = "type") -> str | None:
    text = _get(query, name).strip()
    if text and text not in PROVIDER_TYPES:
        raise BadRequest(f'{name}: "{text}" is not a provider type: use one of {", ".join(PROVIDER_TYPES)}')
    return text or None


def service(query: Mapping[str, str], name: str = "service") -> str | None:
    text = _get(query, name).strip()
    return canonical_service(text) if text else None


def text(query: Mapping[str, str], name: str) -> str | None:
    return _get(query, name).strip() or None


def flag(query: Mapping[str, str], name: str) -> bool:
    value = _get(query, name).strip().lower()
    if value not in ("", "0", "1", "true", "false", "on", "yes", "no"):
        raise BadRequest(f'{name}: "{value}" is not yes or no (1 or 0)')
    return value in ("1", "true", "on", "yes")


def ordered(start: date | None, end: date | None) -> None:
    if start and end and start > end:
        raise BadRequest(f"from: {start} is after to {end}")
