"""Histories as the projections read them, straight from entry dicts: no store, no rules.

For tests of the read side (explain, diff, the principles' checks), where what matters is the
fold over a given history. Each line becomes a `Recorded` at the next position, one second after
the one before, from `START`; `example("RWP")` reads a real history from examples/ the same way,
so its refs are the refs the ledger gives it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson
from conftest import EXAMPLES

from cqc_ledger.ledger.parsing import parse_entry
from cqc_ledger.ledger.records import Recorded

START = datetime(2026, 1, 1, tzinfo=UTC)


def recorded(*lines: dict[str, Any]) -> list[Recorded]:
    """The lines as a provider's ledger: positions from 1, recorded a second apart from START."""
    today = date.today()
    return [Recorded(parse_entry(line, today=today), n, moment(n)) for n, line in enumerate(lines, 1)]


def moment(position: int) -> datetime:
    """When the entry at `position` was recorded."""
    return START + timedelta(seconds=position)


def example(provider_id: str) -> list[Recorded]:
    """The real history of examples/<provider_id>.jsonl."""
    lines = (EXAMPLES / f"{provider_id}.jsonl").read_bytes().splitlines()
    return recorded(*(orjson.loads(line) for line in lines if line.strip()))
