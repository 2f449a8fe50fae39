"""A provider's history: every entry in effect order, with the cells it changed, from and to."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from cqc_ledger.events import continuity, corrections, enforcement, inspections, oversight, provider
from cqc_ledger.events.base import Entry
from cqc_ledger.ledger.history import MENDING, effective, in_effect_order, mended_by
from cqc_ledger.ledger.records import Recorded, format_time
from cqc_ledger.projections import what_changed
from cqc_ledger.projections.status import Status, evolve


def history(
    recorded: Iterable[Recorded], *, since: date | None = None, until: date | None = None, known_at: datetime | None = None
) -> list[dict[str, Any]]:
    """Each entry in effect order (`on`, then recording), as `history --json` shows it.

    Each entry's `changes` compare the status just before it with the status just after it (the
    status fold), as structured changes of every kind (projections/what_changed.py): ratings, so
    a report that republishes a rating unchanged shows no change for that cell, and names,
    registrations, locations, special measures, notices, enforcement, oversight, supersessions and
    inheritances. An entry that was
    corrected shows its replacement, with the corrections under `mended_by`; one that was
    retracted stays in its place, marked `retracted`, having changed nothing.
    """
    recorded = list(recorded)
    mends = mended_by(recorded, known_at)
    counted = effective(recorded, known_at)
    counting = {r.position for r in counted}
    withdrawn = [r for r in recorded if r.position in mends and r.position not in counting and not isinstance(r.entry, MENDING)]
    state = Status(recorded[0].entry.provider_id if recorded else "")
    out = []
    for r in in_effect_order([*counted, *withdrawn]):
        retracted = r.position not in counting
        changes: list[dict[str, Any]] = []
        if not retracted:
            before, state = state, evolve(state, r)
            changes = what_changed.changes(before, state)
        on = r.entry.on  # type: ignore[attr-defined]
        if (since is None or on >= since) and (until is None or on <= until):
            item = {
                "ref": r.ref,
                "type": r.entry.type_name,
                "on": on.isoformat(),
                "recorded_at": format_time(r.recorded_at),
                "summary": summary(r.entry),
                "changes": changes,
                "source": r.entry.source,
                "retracted": retracted,
            }
            if r.position in mends:
                item["mended_by"] = [
                    {"ref": m.ref, "type": m.entry.type_name, "reason": m.entry.reason, "recorded_at": format_time(m.recorded_at)}  # type: ignore[attr-defined]
                    for m in mends[r.position]
                ]
            out.append(item)
    return out


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
            return f"report {e.report_id} published with {len(e.ratings)} rating{'s' if len(e.ratings) != 1 else ''}"
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
