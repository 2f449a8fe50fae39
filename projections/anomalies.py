"""Published aggregate ratings that raise a question, by kind, across the register on a day.

A map over every provider's history: each aggregate rating in force on the day is judged
(projections/judgement.py) as `inconsistent`, `stale`, `assumed`, `incomplete` or `consistent`.
CQC balances the principles with professional judgement, so each is a question to ask, not an
error; the kinds say how firm the question is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType

from cqc_ledger.ledger.records import Recorded
from cqc_ledger.projections.judgement import CONSISTENT, KINDS, Judgement, judgements


@dataclass(frozen=True)
class Anomaly:
    """One published aggregate rating and its kind, with the provider it belongs to."""

    provider_id: str
    name: str | None
    judgement: Judgement

    @property
    def kind(self) -> str:
        return self.judgement.kind


@dataclass(frozen=True)
class Survey:
    """Every aggregate rating judged on a day: how many of each kind, and those of the kinds asked for."""

    checked: int
    counts: Mapping[str, int]
    anomalies: tuple[Anomaly, ...]
    kinds: tuple[str, ...] = KINDS

    @property
    def agreed(self) -> int:
        return self.counts.get(CONSISTENT, 0)


def survey(
    histories: Iterable[tuple[str, list[Recorded]]],
    at: date,
    known_at: datetime | None = None,
    *,
    kinds: Iterable[str] = KINDS,
) -> Survey:
    """Judges every published aggregate rating in force at the end of `at` (of every provider on
    the register then, at its locations in force); lists those of `kinds` (`consistent` among them
    if asked), and counts every kind."""
    every, wanted = (*KINDS, CONSISTENT), set(kinds)
    kinds = tuple(k for k in every if k in wanted)
    counts = dict.fromkeys(every, 0)
    found = []
    for provider_id, recorded in histories:
        status, judged = judgements(recorded, provider_id, at, known_at)
        if status.name is None:
            continue
        for j in judged:
            counts[j.kind] += 1
            if j.kind in kinds:
                found.append(Anomaly(provider_id, status.name, j))
    return Survey(sum(counts.values()), MappingProxyType(counts), tuple(found), kinds)
