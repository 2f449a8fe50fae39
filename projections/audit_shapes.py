"""The JSON documents of `explain`, `diff` and `anomalies` (CONTRACT.md section 3), built from their folds."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cqc_ledger.events.base import CellKey, describe_cell
from cqc_ledger.ledger.records import Recorded, format_time
from cqc_ledger.projections import shapes
from cqc_ledger.projections.aggregates import Check, Enforcement
from cqc_ledger.projections.anomalies import Survey
from cqc_ledger.projections.diff import Change, Diff
from cqc_ledger.projections.explain import Explanation, Setting
from cqc_ledger.projections.judgement import Judgement
from cqc_ledger.projections.principles import BASIS_WORDS, Step
from cqc_ledger.projections.shapes import day
from cqc_ledger.projections.status import CellValue, Notice, Since


def place(key: CellKey) -> dict[str, Any]:
    """The three keys that name a cell, and the cell in words."""
    location_id, service, question = key
    return {"location_id": location_id, "service": service, "question": question, "cell": describe_cell(*key)}


def value_json(value: CellValue | None) -> dict[str, Any] | None:
    return shapes.value_json(value) if value else None


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
        "entry": entry_json(current.recorded) if current else None,
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
    a new rating, and, for a superseded service, where it went."""
    value = found.current.value if found.current else None
    gone = found.superseded
    return {
        "inherited": bool(value and value.inherited),
        "inherited_from": value.inherited_from if value else None,
        "inspected_without_rating": {"on": day(value.inspected_on), "ref": value.inspected_ref} if value and value.inspected_on else None,
        "superseded": {"on": day(gone.on), "by": list(gone.by), "ref": gone.ref} if gone else None,
    }


def entry_json(recorded: Recorded) -> dict[str, Any]:
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
        "inputs": [{**place(k), **value_json(value)} for k, value in c.under.inputs],  # type: ignore[dict-item]
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
        "later": [{**place(k), **value_json(v)} for k, v in j.later],  # type: ignore[dict-item]
        "missing": [place(k) for k in j.published.under.missing],
        "assumption": step_json(j.assumption) if j.assumption else None,
    }


def step_json(s: Step) -> dict[str, Any]:
    return {"rule": s.rule, "gives": s.gives, "says": s.says, "basis": s.basis, "basis_words": BASIS_WORDS[s.basis], "source": s.source}


def diff_json(d: Diff, known_at: datetime) -> dict[str, Any]:
    """`{"changes", "reaffirmed", "special_measures", "warning_notices", "oversight", ...}`."""
    return {
        "provider_id": d.after.provider_id,
        "name": d.after.name or d.before.name,
        "from": day(d.start),
        "to": day(d.end),
        "known_at": format_time(known_at),
        "changes": [_cell_change(c) for c in d.changes],
        "reaffirmed": [_cell_change(c) for c in d.reaffirmed],
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
        "warning_notices": [_notice_change(c) for c in d.warning_notices],
        "oversight": (
            {"from": _segment(d.oversight.before), "to": _segment(d.oversight.after), "refs": list(d.oversight.refs)}
            if d.oversight
            else None
        ),
    }


def _cell_change(c: Change) -> dict[str, Any]:
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


def _since(held: object) -> dict[str, Any] | None:
    return {"since": day(held.since), "ref": held.ref} if isinstance(held, Since) else None


def _segment(held: object) -> dict[str, Any] | None:
    if not isinstance(held, Since):
        return None
    return {"framework": held.framework, "segment": held.value, "since": day(held.since), "ref": held.ref}


def _notice_change(c: Change) -> dict[str, Any]:
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
                "published": value_json(a.judgement.published.published),
                "principles": check_json(a.judgement.published),
                **{k: v for k, v in (judgement_json(a.judgement) or {}).items() if k not in ("kind", "says", "on_publication")},
            }
            for a in found.anomalies
        ],
    }
