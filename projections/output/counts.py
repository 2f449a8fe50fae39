"""`counts`: how many providers, at each period's end, as a table.

Its JSON rows are the counts themselves (`projections.counts.series`): `at`, `providers` and one
key per value counted, the CSV's columns."""

from __future__ import annotations

from typing import Any

from cqc_ledger.projections.counts import KEYS


def columns(by: str) -> tuple[str, ...]:
    return ("at", "providers", *KEYS[by])


def counts_text(rows: list[dict[str, Any]], by: str, question: str) -> str:
    """A table: one line per period end, one column per value."""
    if not rows:
        return "No period in that range."
    keys = KEYS[by]
    widths = [max(len(k), 5) for k in keys]
    what = f"trust-level {question} rating" if by == "rating" else by.replace("-", " ")
    lines = [f"Providers on the register at each period's end, by {what}", ""]
    lines.append(f"{'at':<11} {'providers':>9}  " + "  ".join(f"{k:>{w}}" for k, w in zip(keys, widths, strict=True)))
    for row in rows:
        lines.append(f"{row['at']:<11} {row['providers']:>9}  " + "  ".join(f"{row[k]:>{w}}" for k, w in zip(keys, widths, strict=True)))
    return "\n".join(lines)
