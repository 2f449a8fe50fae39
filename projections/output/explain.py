"""`explain`: how one rating came about, as the JSON document of the contract and as a short
account; and the aggregation principles' check of a rating, which `anomalies` shows too."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from cqc_ledger.ledger.records import Recorded, format_time
from cqc_ledger.projections.aggregates import Check, Enforcement
from cqc_ledger.projections.explain import Explanation, Setting
from cqc_ledger.projections.judgement import Judgement
from cqc_ledger.projections.output.common import day, long_day, long_since, place, short_cell, who
from cqc_ledger.projections.output.status import value_json
from cqc_ledger.projections.principles import BASIS_WORDS, Step, words
from cqc_ledger.projections.status import CellValue


def held_json(value: CellValue | None) -> dict[str, Any] | None:
    return value_json(value) if value else None


def explain_json(found: Explanation, known_at: datetime) -> dict[str, Any]:
    """`{"rating", "since", "ref", "entry", "report", "inspections", "previous", "mends", "principles", ...}`."""
    current = found.current
    held = found.status.cells.get(found.key) if current else None
    return {
        "provider_id": found.status.provider_id,
        "name": found.status.name,
        "at": day(found.at),
        "known_at": format_time(known_at),
        **place(found.key),
        "rating": current.rating if current else None,
        "since": day(current.since) if current else None,
        "unchanged_since": day(held.unchanged_since) if held else None,
        "ref": current.recorded.ref if current else None,
        "entry": _set_by_json(current.recorded) if current else None,
        "report": report_json(current.report) if current else None,
        "inspections": [inspection_json(r) for r in found.inspections],
        "inspections_not_recorded": list(found.unrecorded_inspections),
        "previous": [setting_json(s) for s in found.previous],
        "mends": [
            {
                "ref": m.recorded.ref,
                "type": m.recorded.entry.type_name,
                "target": m.target,
                "reason": m.recorded.entry.reason,  # type: ignore[attr-defined]
                "on": day(getattr(m.recorded.entry, "on", None)),
                "recorded_at": format_time(m.recorded.recorded_at),
                "before": m.before,
                "after": m.after,
                "source": m.recorded.entry.source,
            }
            for m in found.mends
        ],
        "principles": check_json(found.check) if found.check else None,
        "kind": found.judgement.kind if found.judgement else None,
        "judgement": judgement_json(found.judgement),
        "notices": [notice_json(e) for e in found.notices],
        "note": found.note,
        **continuity_json(found),
    }


def continuity_json(found: Explanation) -> dict[str, Any]:
    """Where the rating came from when inherited, the day the area was since inspected without
    a new rating, and, for a rating no longer in force, what ended it: a supersession (where the
    service went) or a deregistration."""
    value = found.current.value if found.current else None
    gone = found.superseded
    return {
        "inherited": bool(value and value.inherited),
        "inherited_from": value.inherited_from if value else None,
        "inspected_without_rating": (
            {"on": day(value.inspected_on), "ref": value.inspected_ref, "source": _source_of(found.inspected)}
            if value and value.inspected_on
            else None
        ),
        "superseded": {"on": day(gone.on), "by": list(gone.by), "ref": gone.ref, "source": _source_of(found.supersession)}
        if gone
        else None,
        "deregistered": deregistered_json(found.deregistered),
    }


def _source_of(recorded: Recorded | None) -> str | None:
    return recorded.entry.source if recorded else None


def deregistered_json(recorded: Recorded | None) -> dict[str, Any] | None:
    """The deregistration that ended a rating: of its location (`location_id`) or of the provider
    (`location_id` null, with its successor)."""
    if recorded is None:
        return None
    entry: Any = recorded.entry
    return {
        "on": day(entry.on),
        "ref": recorded.ref,
        "location_id": getattr(entry, "location_id", None),
        "successor_id": getattr(entry, "successor_id", None),
        "source": entry.source,
    }


def _set_by_json(recorded: Recorded) -> dict[str, Any]:
    entry = recorded.entry
    return {
        "ref": recorded.ref,
        "type": entry.type_name,
        "on": day(entry.on),  # type: ignore[attr-defined]
        "recorded_at": format_time(recorded.recorded_at),
        "source": entry.source,
        "reason": getattr(entry, "reason", None),
    }


def report_json(recorded: Recorded | None) -> dict[str, Any] | None:
    if recorded is None:
        return None
    r: Any = recorded.entry
    return {
        "report_id": r.report_id,
        "on": day(r.on),
        "url": r.url,
        "must_do": r.must_do,
        "should_do": r.should_do,
        "summary": r.summary,
        "source": r.source,
        "ref": recorded.ref,
    }


def inspection_json(recorded: Recorded) -> dict[str, Any]:
    i: Any = recorded.entry
    return {
        "inspection_id": i.inspection_id,
        "on": day(i.on),
        "until": day(i.until),
        "kind": i.kind,
        "framework": i.framework,
        "summary": i.summary,
        "source": i.source,
        "ref": recorded.ref,
        "scope": [{"location_id": s.location_id, "service": s.service, "questions": list(s.questions)} for s in i.scope],
    }


def setting_json(s: Setting) -> dict[str, Any]:
    report = s.report.entry if s.report else None
    return {
        "rating": s.rating,
        "since": day(s.since),
        "until": day(s.until),
        "ref": s.recorded.ref,
        "type": s.recorded.entry.type_name,
        "report_id": getattr(report, "report_id", None),
        "url": getattr(report, "url", None),
        "source": s.recorded.entry.source,
        "reason": getattr(s.recorded.entry, "reason", None),
        "ended_by": s.ended_by.ref if s.ended_by else None,
    }


def check_json(c: Check) -> dict[str, Any]:
    """What the principles give for one aggregate, how, and from which ratings."""
    v = c.verdict
    decided = v.decided_by
    return {
        "principles": c.principles_name,
        "published": c.published.rating,
        "rating": v.rating,
        "agrees": c.agrees,
        "rule": v.rule,
        "says": decided.says if decided else None,
        "basis": decided.basis if decided and v.rating else None,
        "steps": [step_json(s) for s in v.steps],
        "of": c.under.noun,
        "considered": v.considered,
        "counts": {rating: n for rating, n in v.counts.items()},
        "found": v.found,
        "ignored": list(v.ignored),
        "inputs": [{**place(k), **held_json(value)} for k, value in c.under.inputs],  # type: ignore[dict-item]
        "missing": [place(k) for k in c.under.missing],
        "set_apart_as_inherited": [place(k) for k in c.under.set_apart],
        "set_after": [place(k) for k in c.later],
        "notices": [notice_json(e) for e in c.enforcement],
    }


def notice_json(e: Enforcement) -> dict[str, Any]:
    """A notice in force around a rating when it was published: where, whether it counts, and why."""
    return {
        "kind": e.kind,
        "id": e.ident,
        "on": day(e.on),
        "ref": e.ref,
        "location_id": e.location_id,
        "service": e.service,
        "area": e.area,
        "applied": e.applied,
        "why": e.why,
        "source": e.source,
    }


def judgement_json(j: Judgement | None) -> dict[str, Any] | None:
    """A published aggregate's kind (inconsistent, stale, assumed, incomplete, consistent) and why."""
    if j is None:
        return None
    return {
        "kind": j.kind,
        "says": j.says,
        "on_publication": check_json(j.published),
        "now": check_json(j.now) if j.now else None,
        "later": [{**place(k), **held_json(v)} for k, v in j.later],  # type: ignore[dict-item]
        "missing": [place(k) for k in j.published.under.missing],
        "assumption": step_json(j.assumption) if j.assumption else None,
    }


def step_json(s: Step) -> dict[str, Any]:
    return {"rule": s.rule, "gives": s.gives, "says": s.says, "basis": s.basis, "basis_words": BASIS_WORDS[s.basis], "source": s.source}


def explain_text(doc: dict[str, Any]) -> str:
    """The `explain` document as a short account a journalist could quote."""
    lines = [f"{who(doc)}: {doc['cell']}, on {long_day(doc['at'])}", f"(as the ledger knew it at {doc['known_at']})", ""]
    if doc["rating"] is None:
        lines.append(f"No {doc['cell']} rating was in force on {long_day(doc['at'])}.")
        if doc.get("superseded"):
            gone = doc["superseded"]
            by = f": {', '.join(gone['by'])} took its place" if gone["by"] else ""
            lines.append(f"CQC superseded the service on {long_day(gone['on'])} ({gone['ref']}){by}.")
            lines.extend(source_lines(gone, "  "))
        if doc.get("deregistered"):
            lines.append(_deregistered_line(doc))
            lines.extend(source_lines(doc["deregistered"], "  "))
        if doc["previous"]:
            lines.extend(_previous_lines(doc["previous"], doc["at"]))
    else:
        lines.append(f"Rated {doc['rating']} {long_since(doc)}.")
        lines.extend(_setting_lines(doc))
        lines.extend(_previous_lines(doc["previous"], doc["since"]))
    lines.extend(_mend_lines(doc["mends"]))
    if doc["principles"]:
        lines.append("")
        lines.extend(check_lines(doc["principles"], doc["at"], inherited=doc["inherited"]))
    if doc["judgement"]:
        lines.append("")
        lines.append(f"As published: {doc['judgement']['kind']}. {doc['judgement']['says'][0].upper()}{doc['judgement']['says'][1:]}.")
    lines.extend(_notice_lines(doc["notices"], doc["since"]))
    if doc["note"]:
        lines.extend(["", doc["note"]])
    return "\n".join(lines)


def _deregistered_line(doc: dict[str, Any]) -> str:
    """'RAA01 was deregistered on 31 March 2020 (RAA/4): its ratings are no longer in force.'"""
    gone = doc["deregistered"]
    where = f"{gone['location_id']} was" if gone["location_id"] else f"{who(doc)} was"
    successor = f", succeeded by {gone['successor_id']}" if gone["successor_id"] else ""
    return f"{where} deregistered on {long_day(gone['on'])} ({gone['ref']}){successor}: its ratings are no longer in force."


def _setting_lines(doc: dict[str, Any]) -> Iterable[str]:
    entry, report = doc["entry"], doc["report"]
    if doc.get("inspected_without_rating"):
        seen = doc["inspected_without_rating"]
        yield f"Inspected on {long_day(seen['on'])} without a new rating ({seen['ref']}): the rating stands."
        yield from source_lines(seen, "  ")
    if entry["type"] == "RatingsInherited":
        came = f" from {doc['inherited_from']}" if doc.get("inherited_from") else ""
        yield f"Inherited{came} on {long_day(entry['on'])} (entry {entry['ref']}, recorded {entry['recorded_at']}), as first published on {long_day(doc['since'])}."
        yield "CQC does not aggregate an inherited rating with new ones."
    elif entry["type"] == "RatingRevised":
        yield f"Revised on {long_day(entry['on'])} ({entry['reason']}): entry {entry['ref']}, recorded {entry['recorded_at']}."
        yield from source_lines(entry, "  ")
        if report:
            yield f"It revises a rating of report {report['report_id']}, published {long_day(report['on'])} ({report['ref']})."
            yield from source_lines(report, "  ")
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
        yield from source_lines(i, "    ")
    for missing in doc["inspections_not_recorded"]:
        yield f"  Inspection {missing}: named by the report, not in the ledger."
    if entry["type"] != "RatingRevised":  # a revision's source follows its own line, apart from its report's
        yield from source_lines(entry, "  ")


def source_lines(shown: dict[str, Any], indent: str) -> Iterable[str]:
    """'  Source: https://...': where the entry shown just above was published, if recorded."""
    if shown.get("source"):
        yield f"{indent}Source: {shown['source']}"


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
        # A setting replaced on its own day (two reports published the same day) held for no day.
        held = (
            f"on {long_day(p['since'])}, replaced the same day"
            if p["since"] == p["until"]
            else f"from {long_day(p['since'])} until {long_day(p['until'])}"
        )
        # A value gone with no new one (a word that went with its service's block rated anew, a
        # service superseded, a place deregistered) names the entry that ended it.
        ended = f"; ended by {p['ended_by']}" if p.get("ended_by") else ""
        yield f"  {p['rating']} {held}, set by {how} ({p['ref']}){ended}"
        if p["url"]:
            yield f"    {p['url']}"
        yield from source_lines(p, "    ")
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
        yield from source_lines(n, "    ")


def _mend_lines(mends: list[dict[str, Any]]) -> Iterable[str]:
    if not mends:
        return
    yield ""
    yield "Corrections and retractions of the entries behind it:"
    for m in mends:
        did = "retracted" if m["type"] == "EntryRetracted" else "corrected"
        change = f": {m['before'] or 'no rating'} -> {m['after'] or 'no rating'}" if m["before"] != m["after"] else ""
        yield f"  {m['target']} {did} by {m['ref']} (recorded {m['recorded_at']}): {m['reason']}{change}"
        yield from source_lines(m, "    ")


def check_lines(p: dict[str, Any], at: str, inherited: bool = False) -> Iterable[str]:
    """The principles' check of one aggregate on the day `at`, in a few sentences; `inherited`:
    the aggregate is inherited, so the new ratings under it are those set apart."""
    places = len(p["inputs"]) + len(p["missing"]) + len(p["set_apart_as_inherited"])
    yield f"CQC's aggregation principles ({p['principles']}), from the {p['of'] if places != 1 else p['of'].removesuffix('s')} under it:"
    if p["inputs"]:
        yield "  " + ", ".join(f"{short_cell(i)} {i['rating']} ({i['since']}, {i['ref']})" for i in p["inputs"]) + "."
    if p["missing"]:
        yield f"  No rating in the ledger on {long_day(at)}: " + ", ".join(short_cell(m) for m in p["missing"]) + "."
    if p["set_apart_as_inherited"]:
        apart = ", ".join(short_cell(m) for m in p["set_apart_as_inherited"])
        yield f"  Set apart as {'new' if inherited else 'inherited'} (CQC does not aggregate an inherited rating with new ones): {apart}."
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
        n = len(p["set_after"])
        yield f"  {words(n).capitalize()} of the ratings under it {'was' if n == 1 else 'were'} set after it: CQC had not seen {'it' if n == 1 else 'them'}."
