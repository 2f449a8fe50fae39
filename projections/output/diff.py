"""`diff`: what differs in a provider's status between two days, as JSON and as text."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cqc_ledger.ledger.records import format_time
from cqc_ledger.projections.diff import Change, Diff
from cqc_ledger.projections.output.common import day, long_day, long_since, place, who
from cqc_ledger.projections.status import CellValue, Notice, Since


def diff_json(d: Diff, known_at: datetime) -> dict[str, Any]:
    """`{"changes", "reaffirmed", "inspected_without_rating", "special_measures", "warning_notices",
    "oversight", "register", ...}`."""
    return {
        "provider_id": d.after.provider_id,
        "name": d.after.name or d.before.name,
        "from": day(d.start),
        "to": day(d.end),
        "known_at": format_time(known_at),
        "changes": [_cell_change_json(c) for c in d.changes],
        "reaffirmed": [_cell_change_json(c) for c in d.reaffirmed],
        "inspected_without_rating": [_inspected_json(c) for c in d.inspected],
        "special_measures": [
            {
                "regime": c.subject[1],  # type: ignore[index]
                "from": _since(c.before),
                "to": _since(c.after),
                "refs": list(c.refs),
                "steps": [{"did": did, "on": day(on), "ref": ref} for did, on, ref in c.steps],
            }
            for c in d.special_measures
        ],
        "warning_notices": [_notice_change_json(c) for c in d.warning_notices],
        "oversight": (
            {"from": _segment(d.oversight.before), "to": _segment(d.oversight.after), "refs": list(d.oversight.refs)}
            if d.oversight
            else None
        ),
        "register": [
            {
                "did": r.did,
                "on": day(r.on),
                "ref": r.ref,
                "location_id": r.location_id,
                "name": r.name,
                "successor_id": r.successor_id,
            }
            for r in d.register
        ],
    }


def _cell_change_json(c: Change) -> dict[str, Any]:
    before, after = c.before, c.after
    return {
        **place(c.subject[1]),  # type: ignore[index]
        "from": before.rating if before else None,  # type: ignore[union-attr]
        "to": after.rating if after else None,  # type: ignore[union-attr]
        "from_since": day(before.since) if before else None,  # type: ignore[union-attr]
        "to_since": day(after.since) if after else None,  # type: ignore[union-attr]
        "from_unchanged_since": day(before.unchanged_since) if before else None,  # type: ignore[union-attr]
        "to_unchanged_since": day(after.unchanged_since) if after else None,  # type: ignore[union-attr]
        "refs": list(c.refs),
    }


def _inspected_json(c: Change) -> dict[str, Any]:
    """A rating that stands, its area inspected between the days without a new rating: the day and
    the entry of that inspection, as status marks it."""
    after = c.after
    assert isinstance(after, CellValue)
    return {**_cell_change_json(c), "inspected_on": day(after.inspected_on), "inspected_ref": after.inspected_ref}


def _since(held: object) -> dict[str, Any] | None:
    return {"since": day(held.since), "ref": held.ref} if isinstance(held, Since) else None


def _segment(held: object) -> dict[str, Any] | None:
    if not isinstance(held, Since):
        return None
    return {"framework": held.framework, "segment": held.value, "since": day(held.since), "ref": held.ref}


def _notice_change_json(c: Change) -> dict[str, Any]:
    before, after = c.before, c.after
    notice = after if isinstance(after, Notice) else before
    assert isinstance(notice, Notice)
    return {
        "notice_id": notice.notice_id,
        "section": notice.section,
        "issued_on": day(notice.issued_on),
        "location_id": notice.location_id,
        "service": notice.service,
        "from": before.status if isinstance(before, Notice) else None,
        "to": after.status if isinstance(after, Notice) else None,
        "closed_on": day(after.closed_on) if isinstance(after, Notice) else None,
        "refs": list(c.refs),
    }


def diff_text(doc: dict[str, Any]) -> str:
    """The `diff` document: what differs between two days, with the entries that changed it."""
    lines = [
        f"{who(doc)}: what changed from {long_day(doc['from'])} to {long_day(doc['to'])}",
        f"(as the ledger knew it at {doc['known_at']})",
    ]
    sections = [
        ("Ratings", [_rating_change(c) for c in doc["changes"]]),
        ("Rated again, unchanged", [f"{c['cell']}: {c['to']} ({_day_span(c)}; {', '.join(c['refs'])})" for c in doc["reaffirmed"]]),
        ("Inspected without a new rating", [_inspected(c) for c in doc.get("inspected_without_rating", [])]),
        ("Special measures", [_regime_change(c) for c in doc["special_measures"]]),
        ("Warning notices", [_notice_change(c) for c in doc["warning_notices"]]),
        ("Oversight", [_segment_change(doc["oversight"])] if doc["oversight"] else []),
        ("Register", [_registration(r) for r in doc.get("register", [])]),
    ]
    for title, rows in sections:
        if rows:
            lines.extend(["", title, *(f"  {row}" for row in rows)])
    if not any(rows for _, rows in sections):
        lines.extend(["", "Nothing changed."])
    return "\n".join(lines)


def _registration(r: dict[str, Any]) -> str:
    """`location RWP01 (Worcestershire Royal Hospital) registered on 1 April 2010 (RWP/2)`."""
    where = f"location {r['location_id']}" if r["location_id"] else "the provider"
    named = f" ({r['name']})" if r["name"] and r["location_id"] else ""
    did = r["did"].removeprefix("location ")
    if r["did"] == "renamed":
        did = f"renamed {r['name']}"
    successor = f", successor {r['successor_id']}" if r["successor_id"] else ""
    return f"{where}{named} {did} on {long_day(r['on'])} ({r['ref']}){successor}"


def _refs(refs: list[str]) -> str:
    return ", ".join(refs) if refs else "no entry between the days"


def _rating_change(c: dict[str, Any]) -> str:
    to = f"{c['to']} since {long_day(c['to_since'])}" if c["to"] else "no rating"
    return f"{c['cell']}: {c['from'] or 'no rating'} -> {to} ({_refs(c['refs'])})"


def _inspected(c: dict[str, Any]) -> str:
    """`trust overall: Good stands (since 1 January 2015); inspected 1 January 2017 without a new rating (RDD/4)`."""
    return (
        f"{c['cell']}: {c['to']} stands ({long_since({'since': c['to_since'], 'unchanged_since': c['to_unchanged_since']})}); "
        f"inspected {long_day(c['inspected_on'])} without a new rating ({c['inspected_ref']})"
    )


def _day_span(c: dict[str, Any]) -> str:
    run = c.get("to_unchanged_since") or c["from_since"]
    return f"since {long_day(run)}, published again {long_day(c['to_since'])}"


def _regime_change(c: dict[str, Any]) -> str:
    def state(held: dict[str, Any] | None) -> str:
        return f"in since {long_day(held['since'])}" if held else "out"

    steps = "; ".join(f"{s['did']} {long_day(s['on'])} ({s['ref']})" for s in c.get("steps", []))
    return f"{c['regime']}: {state(c['from'])} -> {state(c['to'])}" + (f": {steps}" if steps else f" ({_refs(c['refs'])})")


def _notice_change(c: dict[str, Any]) -> str:
    to = c["to"] + (f" on {long_day(c['closed_on'])}" if c["closed_on"] else "")
    return (
        f"{c['notice_id']} (s{c['section']}, issued {long_day(c['issued_on'])}): {c['from'] or 'not issued'} -> {to} ({_refs(c['refs'])})"
    )


def _segment_change(o: dict[str, Any]) -> str:
    def state(held: dict[str, Any] | None) -> str:
        return f"{held['framework']} segment {held['segment']} since {long_day(held['since'])}" if held else "none"

    return f"{state(o['from'])} -> {state(o['to'])} ({_refs(o['refs'])})"
