"""How many providers, over time: `counts`, a time series at trust level over the providers on
the register at the end of each period (each number what `trusts --at` says that day)."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from cqc_ledger.events.vocabulary import RATINGS
from cqc_ledger.projections.register_days import Headline, Move, tallies
from cqc_ledger.projections.trusts import EVERY_PROVIDER, Filters

MONTHS = {"month": 1, "quarter": 3, "year": 12}  # the periods counted over, narrowest first: each one's months
EVERY = tuple(MONTHS)  # their names: --every's choices (the web site suggests the wider ones)
BY = ("rating", "special-measures", "segment")
NO_RATING, NO_SEGMENT = "no rating", "no segment"
REGIMES = ("quality", "finance")
SEGMENTS = ("1", "2", "3", "4", "5")
KEYS = {"rating": (*RATINGS, NO_RATING), "special-measures": (*REGIMES, "any"), "segment": (*SEGMENTS, NO_SEGMENT)}


def period_count(start: date, end: date, every: str) -> int:
    """How many months, quarters or years overlap `start`..`end` (`start` not after `end`):
    the length of `period_ends`, reckoned without making them."""
    return _period(end, every) - _period(start, every) + 1


def period_ends(start: date, end: date, every: str) -> list[date]:
    """The last day of each month, quarter or year that overlaps `start`..`end`, the last one
    cut to `end`."""
    first, months = _period(start, every), MONTHS[every]
    days = []
    for n in range(first, first + period_count(start, end, every)):
        year, month = divmod((n + 1) * months - 1, 12)  # the period's last month, counted from 0
        days.append(min(date(year, month + 1, calendar.monthrange(year, month + 1)[1]), end))
    return days


def _period(day: date, every: str) -> int:
    """The period holding `day`, as a count of periods since year 0."""
    return (day.year * 12 + day.month - 1) // MONTHS[every]


def kept(headlines: Iterable[Headline], filters: Filters) -> list[Headline]:
    """The headlines a question's filters keep."""
    if filters == EVERY_PROVIDER:
        return list(headlines)
    return [h for h in headlines if keeps(h, filters)]


def keeps(h: Headline, filters: Filters) -> bool:
    """Whether a question's filters keep a provider with this headline."""
    return (
        filters.keeps_provider(h.name, h.provider_type, h.region)
        and (filters.rating is None or h.rating == filters.rating)
        and (not filters.special_measures or bool(h.regimes))
    )


def series(found: Iterable[Move], days: Sequence[date], by: str, filters: Filters) -> list[dict[str, Any]]:
    """`{"at", "providers", <one key per value>}` for each of the ascending `days`, over the
    providers on the register that day that the filters keep: from each provider's moves (see
    `projections.register_days.tallies`), each number what `trusts --at` lists that day."""

    def keys(h: Headline) -> tuple[str, ...]:
        return ("providers", *_keys(h, by)) if filters == EVERY_PROVIDER or keeps(h, filters) else ()

    return [
        {"at": day.isoformat(), "providers": totals["providers"], **{k: totals[k] for k in KEYS[by]}}
        for day, totals in zip(days, tallies(found, days, keys), strict=True)
    ]


def _keys(h: Headline, by: str) -> Iterable[str]:
    if by == "rating":
        return (h.rating or NO_RATING,)
    if by == "special-measures":
        return (*h.regimes, "any") if h.regimes else ()
    return (str(h.segment) if h.segment else NO_SEGMENT,)
