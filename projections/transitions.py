"""How ratings moved: `transitions`, the trust-level ratings of one day against another's, over
the providers on the register on both days."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from cqc_ledger.projections.counts import KEYS, NO_RATING
from cqc_ledger.projections.register_days import Headline

VALUES = KEYS["rating"]


def transitions(start: date, end: date, question: str, first: Sequence[Headline], second: Sequence[Headline]) -> dict[str, Any]:
    """`{"from", "to", "question", "providers", "matrix": {FROM: {TO: N}}}`: every value on both
    axes (the seven rating words and "no rating"), so an empty cell is a 0, never missing."""
    then = {h.provider_id: h.rating or NO_RATING for h in first}
    matrix = {a: dict.fromkeys(VALUES, 0) for a in VALUES}
    both = 0
    for h in second:
        if h.provider_id in then:
            matrix[then[h.provider_id]][h.rating or NO_RATING] += 1
            both += 1
    return {"from": start.isoformat(), "to": end.isoformat(), "question": question, "providers": both, "matrix": matrix}
