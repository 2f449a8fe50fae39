"""`anomalies`: published aggregate ratings judged against CQC's aggregation principles, by
kind, as JSON and as text."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from cqc_ledger.ledger.records import format_time
from cqc_ledger.projections.anomalies import Survey
from cqc_ledger.projections.output.common import day, long_day, long_since, place, short_cell
from cqc_ledger.projections.output.explain import check_json, held_json, judgement_json
from cqc_ledger.projections.principles import BASIS_WORDS


def anomalies_json(found: Survey, at: Any, known_at: datetime) -> dict[str, Any]:
    """`{"at", "known_at", "checked", "agreed", "counts", "kinds", "anomalies": [{"provider_id", "name",
    cell..., "kind", "says", "published", "principles", ...}]}`."""
    return {
        "at": day(at),
        "known_at": format_time(known_at),
        "checked": found.checked,
        "agreed": found.agreed,
        "counts": dict(found.counts),
        "kinds": list(found.kinds),
        "anomalies": [
            {
                "provider_id": a.provider_id,
                "name": a.name,
                **place(a.judgement.key),
                "kind": a.kind,
                "says": a.judgement.says,
                "published": held_json(a.judgement.published.published),
                "principles": check_json(a.judgement.published),
                **{k: v for k, v in (judgement_json(a.judgement) or {}).items() if k not in ("kind", "says", "on_publication")},
            }
            for a in found.anomalies
        ],
    }


def summary_line(doc: dict[str, Any]) -> str:
    """'Of 12 checked: 1 inconsistent, 0 stale, 2 assumed, 3 incomplete, 6 consistent.'"""
    counts = doc["counts"]
    parts = ", ".join(f"{counts[k]} {k}" for k in ("inconsistent", "stale", "assumed", "incomplete", "consistent"))
    return f"Of {doc['checked']} published aggregate rating{'s' if doc['checked'] != 1 else ''} checked: {parts}."


def anomalies_text(doc: dict[str, Any]) -> str:
    """The `anomalies` document: a count of each kind, then each published aggregate of the kinds asked for."""
    shown = ", ".join(doc["kinds"])
    lines = [
        f"Aggregate ratings on {long_day(doc['at'])} judged against CQC's aggregation principles",
        f"(as the ledger knew it at {doc['known_at']}).",
        summary_line(doc),
        f"Shown: {shown}.",
    ]
    for a in doc["anomalies"]:
        lines.append("")
        lines.extend(anomaly_lines(a))
    if not doc["anomalies"]:
        lines.extend(["", f"None {shown}."])
    return "\n".join(lines)


def anomaly_lines(a: dict[str, Any]) -> Iterable[str]:
    p, pub = a["principles"], a["published"]
    yield f"{a['provider_id']} {a['name'] or ''}, {a['cell']}: published {pub['rating']} {long_since(pub)} ({pub['ref']})"
    yield f"  {a['kind'].capitalize()}: {a['says']}."
    if a["kind"] == "incomplete":
        if p["inputs"]:
            yield "  Recorded: " + ", ".join(f"{short_cell(i)} {i['rating']}" for i in p["inputs"]) + "."
        return
    if p["rating"] is not None and p["basis"]:
        yield f"  On its day the principles give {p['rating']}: {p['says']} ({BASIS_WORDS[p['basis']]})."
    counted = p["steps"][0]
    if counted["rule"] != p["rule"]:
        yield f"  By count alone: {counted['says']} ({BASIS_WORDS[counted['basis']]})."
    yield "  From: " + ", ".join(f"{short_cell(i)} {i['rating']}" for i in p["inputs"]) + "."
    if a.get("now"):
        now = a["now"]
        yield "  Rated again since: " + ", ".join(f"{short_cell(i)} {i['rating']} ({i['since']}, {i['ref']})" for i in a["later"]) + "."
        yield f"  Now the principles give {now['rating']}: {now['says']} ({BASIS_WORDS[now['basis']]})."
    for n in p["notices"]:
        if n["applied"]:
            yield f"  Notice {n['id']} ({n['kind']}, {n['area']}): {n['why']}."
