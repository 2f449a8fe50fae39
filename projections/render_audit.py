"""`explain`, `diff` and `anomalies` written for a person: short accounts, with dates and sources."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from cqc_ledger.projections.principles import BASIS_WORDS, words


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


def _who(doc: dict[str, Any]) -> str:
    return f"{doc['name'] or doc['provider_id']} ({doc['provider_id']})"


def explain_text(doc: dict[str, Any]) -> str:
    """The `explain` document as a short account a journalist could quote."""
    lines = [f"{_who(doc)}: {doc['cell']}, on {long_day(doc['at'])}", f"(as the ledger knew it at {doc['known_at']})", ""]
    if doc["rating"] is None:
        lines.append(f"No {doc['cell']} rating was in force on {long_day(doc['at'])}.")
        if doc.get("superseded"):
            gone = doc["superseded"]
            by = f": {', '.join(gone['by'])} took its place" if gone["by"] else ""
            lines.append(f"CQC superseded the service on {long_day(gone['on'])} ({gone['ref']}){by}.")
        if doc["previous"]:
            lines.extend(_previous_lines(doc["previous"], doc["at"]))
    else:
        lines.append(f"Rated {doc['rating']} {long_since(doc)}.")
        lines.extend(_setting_lines(doc))
        lines.extend(_previous_lines(doc["previous"], doc["since"]))
    lines.extend(_mend_lines(doc["mends"]))
    if doc["principles"]:
        lines.append("")
        lines.extend(check_lines(doc["principles"]))
    if doc["judgement"]:
        lines.append("")
        lines.append(f"As published: {doc['judgement']['kind']}. {doc['judgement']['says'][0].upper()}{doc['judgement']['says'][1:]}.")
    lines.extend(_notice_lines(doc["notices"], doc["since"]))
    if doc["note"]:
        lines.extend(["", doc["note"]])
    return "\n".join(lines)


def _setting_lines(doc: dict[str, Any]) -> Iterable[str]:
    entry, report = doc["entry"], doc["report"]
    if doc.get("inspected_without_rating"):
        seen = doc["inspected_without_rating"]
        yield f"Inspected on {long_day(seen['on'])} without a new rating ({seen['ref']}): the rating stands."
    if entry["type"] == "RatingsInherited":
        came = f" from {doc['inherited_from']}" if doc.get("inherited_from") else ""
        yield f"Inherited{came} on {long_day(entry['on'])} (entry {entry['ref']}, recorded {entry['recorded_at']}), as first published on {long_day(doc['since'])}."
        yield "CQC does not aggregate an inherited rating with new ones."
    elif entry["type"] == "RatingRevised":
        yield f"Revised on {long_day(entry['on'])} ({entry['reason']}): entry {entry['ref']}, recorded {entry['recorded_at']}."
        if report:
            yield f"It revises a rating of report {report['report_id']}, published {long_day(report['on'])} ({report['ref']})."
    else:
        yield f"Set by report {report['report_id']}, published {long_day(report['on'])} (entry {entry['ref']}, recorded {entry['recorded_at']})."
    if report:
        if report["summary"]:
            yield f"  {report['summary']}"
        if report["url"]:
            yield f"  Report: {report['url']}"
        yield f"  Must-do actions: {_count(report['must_do'])}; should-do actions: {_count(report['should_do'])}."
    for i in doc["inspections"]:
        yield f"  {_inspection(i)}"
    for missing in doc["inspections_not_recorded"]:
        yield f"  Inspection {missing}: named by the report, not in the ledger."
    if entry["source"]:
        yield f"  Source: {entry['source']}"


def _count(n: int | None) -> str:
    return "not recorded" if n is None else str(n)


def _inspection(i: dict[str, Any]) -> str:
    what = ", ".join(part for part in (i["kind"], i["framework"]) if part)
    when = long_day(i["on"]) + (f" to {long_day(i['until'])}" if i["until"] else "")
    scope = "; ".join(
        " ".join(p for p in (s["location_id"], s["service"]) if p) + (f" ({', '.join(s['questions'])})" if s["questions"] else "")
        for s in i["scope"]
    )
    return (
        f"Inspection {i['inspection_id']} ({what or 'kind not recorded'}): {when}"
        + (f"; scope: {scope}" if scope else "")
        + f" ({i['ref']})."
    )


def _previous_lines(previous: list[dict[str, Any]], since: str) -> Iterable[str]:
    yield ""
    if not previous:
        yield f"That was its first rating in the ledger, on {long_day(since)}."
        return
    yield "Before that:"
    for p in previous:
        how = {"ReportPublished": f"report {p['report_id']}", "RatingsInherited": "inheritance"}.get(p["type"], f"revision ({p['reason']})")
        yield f"  {p['rating']} from {long_day(p['since'])} until {long_day(p['until'])}, set by {how} ({p['ref']})"
        if p["url"]:
            yield f"    {p['url']}"
    yield f"Its first rating in the ledger was {previous[-1]['rating']}, on {long_day(previous[-1]['since'])}."


def _notice_lines(notices: list[dict[str, Any]], since: str | None) -> Iterable[str]:
    """Every notice in force around the rating on the day it was published, applied or not, and why."""
    if not notices:
        return
    yield ""
    yield f"Notices in force on {long_day(since)}, when it was published:"
    for n in notices:
        kind = n["kind"].replace("-", " ")
        yield f"  {kind} {n['id']} on {n['area']} (issued {long_day(n['on'])}, {n['ref']}): {n['why']}."


def _mend_lines(mends: list[dict[str, Any]]) -> Iterable[str]:
    if not mends:
        return
    yield ""
    yield "Corrections and retractions of the entries behind it:"
    for m in mends:
        did = "retracted" if m["type"] == "EntryRetracted" else "corrected"
        change = f": {m['before'] or 'no rating'} -> {m['after'] or 'no rating'}" if m["before"] != m["after"] else ""
        yield f"  {m['target']} {did} by {m['ref']} (recorded {m['recorded_at']}): {m['reason']}{change}"


def check_lines(p: dict[str, Any]) -> Iterable[str]:
    """The principles' check of one aggregate, in a few sentences."""
    yield f"CQC's aggregation principles ({p['principles']}), from the {p['of']} under it:"
    if p["inputs"]:
        yield "  " + ", ".join(f"{_short(i)} {i['rating']} ({i['since']}, {i['ref']})" for i in p["inputs"]) + "."
    if p["missing"]:
        yield "  No rating in the ledger: " + ", ".join(_short(m) for m in p["missing"]) + "."
    if p["rating"] is None:
        yield f"  Nothing to aggregate: the principles cannot check the published {p['published']}."
        return
    yield f"  Found: {p['found']}."
    for step in p["steps"]:
        rule = "Rule" if step["rule"] == p["rule"] else "Also"
        yield f"  {rule}: {step['says']} ({BASIS_WORDS[step['basis']]})."
    if p["agrees"]:
        yield f"  The principles give {p['rating']}, as published."
    else:
        yield f"  The principles give {p['rating']}; CQC published {p['published']}."
    if p["set_after"]:
        yield f"  {words(len(p['set_after'])).capitalize()} of the ratings under it were set after it: CQC had not seen them."


def _short(cell: dict[str, Any]) -> str:
    return " ".join(part for part in (cell["location_id"], cell["service"], cell["question"]) if part)


def diff_text(doc: dict[str, Any]) -> str:
    """The `diff` document: what differs between two days, with the entries that changed it."""
    lines = [
        f"{_who(doc)}: what changed from {long_day(doc['from'])} to {long_day(doc['to'])}",
        f"(as the ledger knew it at {doc['known_at']})",
    ]
    sections = [
        ("Ratings", [_rating_change(c) for c in doc["changes"]]),
        ("Rated again, unchanged", [f"{c['cell']}: {c['to']} ({_day_span(c)}; {', '.join(c['refs'])})" for c in doc["reaffirmed"]]),
        ("Special measures", [_regime_change(c) for c in doc["special_measures"]]),
        ("Warning notices", [_notice_change(c) for c in doc["warning_notices"]]),
        ("Oversight", [_segment_change(doc["oversight"])] if doc["oversight"] else []),
    ]
    for title, rows in sections:
        if rows:
            lines.extend(["", title, *(f"  {row}" for row in rows)])
    if not any(rows for _, rows in sections):
        lines.extend(["", "Nothing changed."])
    return "\n".join(lines)


def _refs(refs: list[str]) -> str:
    return ", ".join(refs) if refs else "no entry between the days"


def _rating_change(c: dict[str, Any]) -> str:
    to = f"{c['to']} since {long_day(c['to_since'])}" if c["to"] else "no rating"
    return f"{c['cell']}: {c['from'] or 'no rating'} -> {to} ({_refs(c['refs'])})"


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


KIND_WORDS = {
    "inconsistent": "Inconsistent: on the day it was published, with every rating under it recorded, CQC's stated rules give something else",
    "stale": "Stale: consistent when published, but what is under it has been rated again since",
    "assumed": "Assumed: the disagreement rests on a threshold CQC has not stated",
    "incomplete": "Incomplete: fewer ratings under it are recorded than it aggregates, so the principles decline to judge",
    "consistent": "Consistent: the principles give it, as published",
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
            yield "  Recorded: " + ", ".join(f"{_short(i)} {i['rating']}" for i in p["inputs"]) + "."
        return
    if p["rating"] is not None and p["basis"]:
        yield f"  On its day the principles give {p['rating']}: {p['says']} ({BASIS_WORDS[p['basis']]})."
    counted = p["steps"][0]
    if counted["rule"] != p["rule"]:
        yield f"  By count alone: {counted['says']} ({BASIS_WORDS[counted['basis']]})."
    yield "  From: " + ", ".join(f"{_short(i)} {i['rating']}" for i in p["inputs"]) + "."
    if a.get("now"):
        now = a["now"]
        yield "  Rated again since: " + ", ".join(f"{_short(i)} {i['rating']} ({i['since']}, {i['ref']})" for i in a["later"]) + "."
        yield f"  Now the principles give {now['rating']}: {now['says']} ({BASIS_WORDS[now['basis']]})."
    for n in p["notices"]:
        if n["applied"]:
            yield f"  Notice {n['id']} ({n['kind']}, {n['area']}): {n['why']}."
