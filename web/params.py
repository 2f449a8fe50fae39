"""Query parameters read into the values the projections take; a bad one is a `BadRequest` (400)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from cqc_ledger.events.services import service_named
from cqc_ledger.events.vocabulary import PROVIDER_TYPES, QUESTION_WORDS, QUESTIONS, RATING_WORDS, matcher, normalise, suggestion
from cqc_ledger.ledger.records import after_now, parse_time
from cqc_ledger.projections import changes, counts
from cqc_ledger.projections.trusts import Filters


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


def known_at(query: Mapping[str, str], now: datetime, name: str = "known_at") -> datetime | None:
    """A time, as `--known-at` takes it: not after `now` (`records.after_now`)."""
    text = _get(query, name).strip()
    if not text:
        return None
    try:
        moment = parse_time(text)
    except ValueError:
        raise BadRequest(f'{name}: "{text}" is not a time like 2019-03-01 or 2019-03-01T12:00:00Z') from None
    refusal = after_now(text, moment, now)
    if refusal:
        raise BadRequest(f"{name}: {refusal}")
    return moment


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


def any_question(query: Mapping[str, str], name: str = "question") -> str | None:
    """A question, or None (every question) when absent."""
    return question(query, name) if _get(query, name).strip() else None


def choice(query: Mapping[str, str], name: str, words: tuple[str, ...], default: str | None = None) -> str | None:
    """One word of a closed list, matched as the command line matches it (any case, `-` or `_`
    for spaces); the list's own word, or `default` when absent."""
    text = _get(query, name).strip()
    if not text:
        return default
    found = matcher(words).get(normalise(text))
    if found is None:
        raise BadRequest(f'{name}: "{text}" is not one of {", ".join(words)}{suggestion(text, words)}')
    return found


def provider_type(query: Mapping[str, str], name: str = "type") -> str | None:
    """The provider type, as `type` (the register's form) or `provider_type` (the command line's
    `--provider-type`)."""
    spelt = name if _get(query, name).strip() or name != "type" else "provider_type"
    text = _get(query, spelt).strip()
    found = matcher(PROVIDER_TYPES).get(normalise(text)) if text else None
    if text and found is None:
        raise BadRequest(f'{spelt}: "{text}" is not a provider type: use one of {", ".join(PROVIDER_TYPES)}')
    return found


def filters(query: Mapping[str, str]) -> Filters:
    """The register's filters, as `trusts` takes them: rating, special_measures, name,
    type (or provider_type) and region."""
    return Filters(
        rating=rating(query),
        special_measures=flag(query, "special_measures"),
        name=text(query, "name"),
        provider_type=provider_type(query),
        region=text(query, "region"),
    )


def service(query: Mapping[str, str], name: str = "service") -> str | None:
    text = _get(query, name).strip()
    return service_named(text) if text else None


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


def changes_asked(query: Mapping[str, str]) -> changes.Asked:
    """What `changes` keeps: `question` (every one when absent), `level`, `rating` (the new
    value), `type` (or `provider_type`) and `region`."""
    return changes.Asked(_across(query), any_question(query), choice(query, "level", changes.LEVELS))


MOST_PERIODS = 240  # twenty years by month, sixty by quarter: each period costs the page a row and its chart's bars


def period_ends(start: date, end: date, every: str) -> list[date]:
    """The ends of the periods `counts` counts (`counts.period_ends`), when there are no more than
    `MOST_PERIODS` of them: a public page cannot be made to count for minutes."""
    asked = counts.period_count(start, end, every)
    if asked > MOST_PERIODS:
        wider = counts.EVERY[counts.EVERY.index(every) + 1 :]
        narrower = f"count every {' or '.join(wider)}, or ask a shorter range" if wider else "ask a shorter range"
        raise BadRequest(
            f"from and to: {start} to {end} is {asked:,} {every}s, more than the {MOST_PERIODS} periods the site counts at once: {narrower}"
        )
    return counts.period_ends(start, end, every)


def counts_asked(query: Mapping[str, str]) -> tuple[str, str, str, Filters]:
    """`every` (month by default), `by` (rating by default), `question` (overall by default) and
    the filters `rating`, `type` (or `provider_type`) and `region`, as `counts` takes them."""
    every = choice(query, "every", counts.EVERY, "month") or "month"
    by = choice(query, "by", counts.BY, "rating") or "rating"
    return every, by, question(query), _across(query)


def _across(query: Mapping[str, str]) -> Filters:
    """The filters `changes` and `counts` take: `rating`, `type` (or `provider_type`) and `region`."""
    return Filters(rating=rating(query), provider_type=provider_type(query), region=text(query, "region"))


def as_query(chosen: Filters) -> dict[str, str | None]:
    """The filters as query parameters again, for links to the same answer."""
    return {
        "rating": chosen.rating,
        "special_measures": "1" if chosen.special_measures else None,
        "name": chosen.name,
        "type": chosen.provider_type,
        "region": chosen.region,
    }
