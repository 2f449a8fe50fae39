"""`entries` (and `export`): each entry as in the input format, with its `ref` and both times,
as JSON and as one line of text per entry."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cqc_ledger.events.jsonform import entry_to_json
from cqc_ledger.ledger.records import Recorded, format_time


def recorded_json(recorded: Recorded | None) -> dict[str, Any] | None:
    """`entry_json` of an entry, or None for none."""
    return None if recorded is None else entry_json(recorded)


def entry_json(recorded: Recorded) -> dict[str, Any]:
    """An entry as `entries --json` and `export` write it: its JSON form, `ref` and `recorded_at`.

    `ref` is always the entry's own; the entry a correction or retraction mends (its `ref` field
    in the input format) is written as `target_ref`."""
    out = entry_to_json(recorded.entry)
    if "ref" in out:  # a correction or retraction: its own field names the entry it mends
        out["target_ref"] = out.pop("ref")
    out["ref"] = recorded.ref
    out["recorded_at"] = format_time(recorded.recorded_at)
    return out


def entries_text(docs: Iterable[dict[str, Any]]) -> str:
    """One line per entry: ref, recording time, type, day, and its main facts."""
    lines = []
    for doc in docs:
        facts = {k: v for k, v in doc.items() if k not in ("ref", "recorded_at", "type", "provider_id", "on", "source")}
        on = doc.get("on", "")
        lines.append(f"{doc['ref']:<10} {doc['recorded_at']}  {on:<10}  {doc['type']}  {_brief(facts)}".rstrip())
    return "\n".join(lines)


def _brief(facts: dict[str, Any]) -> str:
    parts = []
    for key, value in facts.items():
        if key == "ratings":
            parts.append(f"{len(value)} rating{'s' if len(value) != 1 else ''}")
        elif isinstance(value, (list, dict)):
            continue
        else:
            parts.append(f"{key}={value}")
    return " ".join(parts)
