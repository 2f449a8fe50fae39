"""`changes`: the rating changes across the register in a period, as a line each.

Its JSON rows are built as the changes are found (`projections.changes`): `provider_id`, `name`,
`location_id`, `service`, `question`, `from`, `to`, `on` and `ref`, the CSV's columns."""

from __future__ import annotations

from datetime import date
from typing import Any

COLUMNS = ("provider_id", "name", "location_id", "service", "question", "from", "to", "on", "ref")


def changes_text(rows: list[dict[str, Any]], start: date, end: date) -> str:
    """One line per change: day, ref, provider, place and question, from and to."""
    if not rows:
        return f"No rating changed after {start} up to {end}."
    lines = []
    for r in rows:
        where = " ".join(p for p in (r["location_id"], r["service"]) if p) or "trust"
        lines.append(
            f"{r['on']}  {r['ref']:<10} {r['provider_id']:<8} {where} {r['question']}: {r['from'] or '-'} -> {r['to']}   ({r['name']})"
        )
    lines.append(f"{len(rows)} change{'s' if len(rows) != 1 else ''} after {start} up to {end}.")
    return "\n".join(lines)
