"""`history`: every change to a provider in effect order, as text.

Its JSON rows are built with the fold that finds them (`projections.history.history`): each
entry's `ref`, `type`, `on`, `recorded_at`, `summary`, `changes`, `source`, `retracted` and,
when mended, `mended_by`."""

from __future__ import annotations

from typing import Any

COLUMNS = ("ref", "type", "on", "recorded_at", "summary", "changes")


def history_text(changes: list[dict[str, Any]]) -> str:
    """Each entry in effect order, with the cells it changed indented beneath it."""
    lines = []
    for c in changes:
        lines.append(f"{c['on']}  {c['ref']:<8} {c['summary']}{' [retracted]' if c.get('retracted') else ''}")
        for mend in c.get("mended_by", []):
            done = "retracted" if mend["type"] == "EntryRetracted" else "corrected"
            lines.append(f"{'':<22}{done} by {mend['ref']} at {mend['recorded_at']}: {mend['reason']}")
        for change in c["changes"]:
            if change.get("kind", "rating") in ("rating", "inheritance"):
                where = " ".join(p for p in (change["location_id"], change["service"]) if p) or "trust"
                inherited = " (inherited)" if change.get("kind") == "inheritance" else ""
                was, now = change["from"] or "no rating", change["to"] or "no rating"
                lines.append(f"{'':<22}{where} {change['question']}: {was} -> {now}{inherited}")
    return "\n".join(lines) if lines else "No changes in that period."
