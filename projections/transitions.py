"""How ratings moved: `transitions`, the trust-level ratings of one day against another's, over
the providers on the register on both days."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from cqc_ledger.events.vocabulary import RATINGS
from cqc_ledger.projections.counts import NO_RATING
from cqc_ledger.projections.register_days import Headline

VALUES = (*RATINGS, NO_RATING)
COLUMNS = ("from", "to", "question", "from_rating", "to_rating", "providers")


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


def rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The matrix as one row per pair of values (a tidy table for CSV and JSON lines)."""
    fixed = {k: document[k] for k in ("from", "to", "question")}
    return [{**fixed, "from_rating": a, "to_rating": b, "providers": n} for a, row in document["matrix"].items() for b, n in row.items()]


def transitions_text(document: dict[str, Any]) -> str:
    """The matrix as a table: a row per rating on the first day, a column per rating on the second."""
    used = [v for v in VALUES if any(document["matrix"][v].values()) or any(r[v] for r in document["matrix"].values())]
    if not used:
        return f"No provider was on the register on both {document['from']} and {document['to']}."
    width = max(len(v) for v in used) + 2
    lines = [
        f"Trust-level {document['question']} rating on {document['from']} (rows) and {document['to']} (columns), "
        f"{document['providers']} providers on the register on both days",
        "",
        " " * width + "".join(f"{v:>{width}}" for v in used),
    ]
    for a in used:
        lines.append(f"{a:<{width}}" + "".join(f"{document['matrix'][a][b]:>{width}}" for b in used))
    return "\n".join(lines)
