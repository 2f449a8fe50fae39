"""What the answers share: a day written short and long, a cell and a provider named."""

from __future__ import annotations

from datetime import date
from typing import Any

from cqc_ledger.events.base import CellKey, describe_cell


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def long_day(iso: str | None) -> str:
    """'20 June 2017' from '2017-06-20'."""
    if not iso:
        return "an unknown day"
    d = date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%B')} {d.year}"


def long_since(value: dict[str, Any]) -> str:
    """'since 2 December 2015, last published 20 June 2017' (one day when the two are the same)."""
    run, last = value.get("unchanged_since") or value["since"], value["since"]
    return f"since {long_day(run)}" if run == last else f"since {long_day(run)}, last published {long_day(last)}"


def who(doc: dict[str, Any]) -> str:
    return f"{doc['name'] or doc['provider_id']} ({doc['provider_id']})"


def short_cell(cell: dict[str, Any]) -> str:
    return " ".join(part for part in (cell["location_id"], cell["service"], cell["question"]) if part)


def place(key: CellKey) -> dict[str, Any]:
    """The three keys that name a cell, and the cell in words."""
    location_id, service, question = key
    return {"location_id": location_id, "service": service, "question": question, "cell": describe_cell(*key)}
