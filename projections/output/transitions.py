"""`transitions`: the matrix of ratings on one day against another's, as one JSON document, as
tidy rows (CSV and JSON lines), and as a table.

The document is the count itself (`projections.transitions.transitions`)."""

from __future__ import annotations

from typing import Any

from cqc_ledger.projections.transitions import VALUES

COLUMNS = ("from", "to", "question", "from_rating", "to_rating", "providers")


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
