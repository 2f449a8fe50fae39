"""`record` (and `restore`, `retract`, `correct`): what a write did, as JSON and as text."""

from __future__ import annotations

from typing import Any

from cqc_ledger.ledger.application import Outcome


def record_json(outcome: Outcome) -> dict[str, Any]:
    """`record --json` (and `restore`, `retract`, `correct`): the refs recorded and the line
    numbers skipped, with `notes` when there are any."""
    notes = {"notes": outcome.notes} if outcome.notes else {}  # a new service name: rare, so only when there is one
    return {"recorded": outcome.recorded, "skipped": outcome.skipped, **notes}


def record_text(recorded: list[str], duplicates: dict[int, str], *, done: str = "Recorded") -> str:
    """What `record` (or `restore`: `done`) did: the refs it recorded and the lines it found
    already recorded."""
    lines = [f"{done} {len(recorded)} entr{'y' if len(recorded) == 1 else 'ies'}{_ref_ranges(recorded)}."]
    if duplicates:
        shown = ", ".join(f"line {n} ({ref})" for n, ref in list(duplicates.items())[:10])
        more = f" and {len(duplicates) - 10} more lines" if len(duplicates) > 10 else ""
        lines.append(f"Already recorded, skipped: {len(duplicates)}: {shown}{more}.")
    return "\n".join(lines)


def _ref_ranges(refs: list[str]) -> str:
    """': RWP/1-28, RX9/1-12' for the refs recorded, grouped by provider."""
    if not refs:
        return ""
    # Each provider's refs of one input are its next positions in order: its first and last
    # refs are its range.
    first: dict[str, str] = {}
    last: dict[str, str] = {}
    for ref in refs:
        provider_id = ref[: ref.rindex("/")]
        first.setdefault(provider_id, ref)
        last[provider_id] = ref
    parts = [ref if last[p] == ref else f"{ref}-{last[p].rsplit('/', 1)[1]}" for p, ref in list(first.items())[:_SHOWN]]
    more = len(first) - _SHOWN
    return ": " + ", ".join(parts) + (f" and {more} more provider{'s' if more != 1 else ''}" if more > 0 else "")


_SHOWN = 8
