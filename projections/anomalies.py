"""Published aggregate ratings that CQC's aggregation principles would not give.

A map over the status of every provider on a day (projections/register.py): each aggregate
rating is checked against the ratings under it (projections/aggregates.py), and those the
principles would give otherwise are listed with the rule that decided. CQC balances the
principles with professional judgement, so each is a question to ask, not an error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cqc_ledger.projections.aggregates import Check, checks
from cqc_ledger.projections.status import Status


@dataclass(frozen=True)
class Anomaly:
    """One published aggregate rating the principles would not give, with the provider it belongs to."""

    provider_id: str
    name: str | None
    check: Check


@dataclass(frozen=True)
class Survey:
    """Every aggregate rating checked on a day, and those the principles would not give."""

    checked: int
    agreed: int
    anomalies: tuple[Anomaly, ...]


def survey(statuses: Iterable[Status]) -> Survey:
    """Checks every published aggregate rating of every status given.

    `checked` counts the aggregates the principles could judge (some ratings under them);
    `agreed` those they reproduce.
    """
    judged = [(s, c) for s in statuses for c in checks(s) if c.agrees is not None]
    found = tuple(Anomaly(s.provider_id, s.name, c) for s, c in judged if not c.agrees)
    return Survey(len(judged), len(judged) - len(found), found)
