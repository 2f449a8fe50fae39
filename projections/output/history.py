"""`history`: every change to a provider in effect order, as JSON and as text.

Each entry's `ref`, `type`, `on`, `recorded_at`, `summary`, `changes`, `source`, `retracted`
and, when mended, `mended_by`; the steps come from the fold that finds them
(`projections.history.history`)."""

from __future__ import annotations

from typing import Any

from cqc_ledger.events import continuity, corrections, enforcement, inspections, oversight, provider
from cqc_ledger.events.base import Entry
from cqc_ledger.ledger.records import format_time
from cqc_ledger.projections.history import Step
from cqc_ledger.projections.status import INSPECTED_NOT_RATED

COLUMNS = ("ref", "type", "on", "recorded_at", "summary", "changes")


def history_json(steps: list[Step]) -> list[dict[str, Any]]:
    """`history --json`: one object per entry, in effect order."""
    return [_step_json(step) for step in steps]


def _step_json(step: Step) -> dict[str, Any]:
    r = step.recorded
    item: dict[str, Any] = {
        "ref": r.ref,
        "type": r.entry.type_name,
        "on": r.entry.on.isoformat(),  # type: ignore[attr-defined]
        "recorded_at": format_time(r.recorded_at),
        "summary": summary(r.entry),
        "changes": step.changes,
        "source": r.entry.source,
        "retracted": step.retracted,
    }
    if step.mended_by:
        item["mended_by"] = [
            {"ref": m.ref, "type": m.entry.type_name, "reason": m.entry.reason, "recorded_at": format_time(m.recorded_at)}  # type: ignore[attr-defined]
            for m in step.mended_by
        ]
    return item


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


def summary(entry: Entry) -> str:
    """One line saying what the entry records."""
    e: Any = entry
    match entry:
        case provider.ProviderRegistered():
            return f"registered as {e.name}"
        case provider.ProviderRenamed():
            return f"renamed {e.name}"
        case provider.ProviderDeregistered():
            return "deregistered" + (f", succeeded by {e.successor_id}" if e.successor_id else "")
        case provider.LocationRegistered():
            return f"location {e.location_id} registered: {e.name}"
        case provider.LocationDeregistered():
            return f"location {e.location_id} deregistered"
        case inspections.InspectionCarriedOut():
            days = f"{e.on} to {e.until}" if e.until else f"{e.on}"
            return f"{e.kind or 'inspection'} {e.inspection_id} visited {days}"
        case inspections.ReportPublished():
            return f"report {e.report_id} published{_cells_published(e.ratings)}"
        case inspections.RatingRevised():
            return f"rating revised ({e.reason})"
        case enforcement.WarningNoticeIssued():
            deadline = f", deadline {e.deadline}" if e.deadline else ""
            return f"section {e.section} warning notice {e.notice_id} issued{deadline}"
        case enforcement.WarningNoticeAssessed():
            return f"warning notice {e.notice_id} assessed: {e.outcome}"
        case enforcement.EnforcementActionTaken():
            return f"{e.action} ({e.action_id})"
        case oversight.SpecialMeasuresEntered():
            return f"entered special measures ({e.regime})" + (f", decided by {e.decided_by}" if e.decided_by else "")
        case oversight.SpecialMeasuresExited():
            return f"left special measures ({e.regime})" + (f", decided by {e.decided_by}" if e.decided_by else "")
        case oversight.OversightSegmentChanged():
            return f"oversight segment {e.segment} ({e.framework})"
        case continuity.ServiceSuperseded():
            where = f" at {e.location_id}" if e.location_id else ""
            by = f" by {', '.join(e.by)}" if e.by else ""
            return f"{e.service}{where} superseded{by}"
        case continuity.RatingsInherited():
            came = e.from_location_id or e.from_provider_id
            source = f" from {came}" if came else ""
            return f"location {e.location_id} inherited {len(e.ratings)} rating{'s' if len(e.ratings) != 1 else ''}{source}"
        case corrections.EntryRetracted() | corrections.EntryCorrected():
            return f"mends {e.ref}: {e.reason}"
    raise TypeError(f"no summary for {entry.type_name}")


def _cells_published(cells: Any) -> str:
    """' with 3 ratings', ' with 3 ratings and 2 cells inspected but not rated', ': 2 cells
    inspected but not rated': "Inspected but not rated" is no rating given (over a rating it
    leaves it standing), so a report of only those publishes none."""
    inspected = sum(1 for cell in cells if cell.rating == INSPECTED_NOT_RATED)
    rated = len(cells) - inspected
    marked = f"{inspected} cell{'s' if inspected != 1 else ''} inspected but not rated"
    ratings = f"{rated} rating{'s' if rated != 1 else ''}"
    if not inspected:
        return f" with {ratings}"
    return f": {marked}" if not rated else f" with {ratings} and {marked}"
