"""Small builders of entries in the JSON Lines format, so a test's history reads as a list of facts.

Each returns the dict a user would write on one line; keyword arguments add or override fields.
The provider defaults to RWP, whose real history the examples hold.
"""

from __future__ import annotations

from typing import Any

Line = dict[str, Any]


def _entry(type_: str, provider_id: str, **fields: Any) -> Line:
    # `type_`, not `kind`: InspectionCarriedOut has a field named `kind`.
    return {"type": type_, "provider_id": provider_id, **{k: v for k, v in fields.items() if v is not None}}


def registered(provider_id: str = "RWP", on: str = "2010-04-01", name: str | None = None, **more: Any) -> Line:
    return _entry("ProviderRegistered", provider_id, name=name or f"{provider_id} NHS Trust", on=on, **more)


def location(location_id: str, on: str = "2010-04-01", provider_id: str = "RWP", name: str | None = None, **more: Any) -> Line:
    return _entry("LocationRegistered", provider_id, location_id=location_id, name=name or f"Hospital {location_id}", on=on, **more)


def cell(question: str, rating: str, location_id: str | None = None, service: str | None = None) -> Line:
    return {k: v for k, v in {"location_id": location_id, "service": service, "question": question, "rating": rating}.items() if v}


def report(report_id: str, on: str, *cells: Line, provider_id: str = "RWP", **more: Any) -> Line:
    return _entry("ReportPublished", provider_id, report_id=report_id, on=on, ratings=list(cells), **more)


def revised(on: str, cell: Line, reason: str = "rating review", provider_id: str = "RWP", **more: Any) -> Line:
    return _entry("RatingRevised", provider_id, on=on, cell=cell, reason=reason, **more)


def inspection(inspection_id: str, on: str, provider_id: str = "RWP", **more: Any) -> Line:
    return _entry("InspectionCarriedOut", provider_id, inspection_id=inspection_id, on=on, **more)


def notice_issued(notice_id: str, on: str, section: str = "29A", provider_id: str = "RWP", **more: Any) -> Line:
    return _entry("WarningNoticeIssued", provider_id, notice_id=notice_id, on=on, section=section, **more)


def notice_assessed(notice_id: str, on: str, outcome: str = "met", provider_id: str = "RWP", **more: Any) -> Line:
    return _entry("WarningNoticeAssessed", provider_id, notice_id=notice_id, on=on, outcome=outcome, **more)


def action(action_id: str, on: str, action: str = "condition-imposed", provider_id: str = "RWP", **more: Any) -> Line:
    return _entry("EnforcementActionTaken", provider_id, action_id=action_id, on=on, action=action, **more)


def entered(on: str, regime: str = "quality", provider_id: str = "RWP", **more: Any) -> Line:
    return _entry("SpecialMeasuresEntered", provider_id, on=on, regime=regime, **more)


def exited(on: str, regime: str = "quality", provider_id: str = "RWP", **more: Any) -> Line:
    return _entry("SpecialMeasuresExited", provider_id, on=on, regime=regime, **more)


def segment(on: str, framework: str, number: int, provider_id: str = "RWP") -> Line:
    return _entry("OversightSegmentChanged", provider_id, on=on, framework=framework, segment=number)


def renamed(on: str, name: str, provider_id: str = "RWP") -> Line:
    return _entry("ProviderRenamed", provider_id, name=name, on=on)


def retracted(ref: str, reason: str = "recorded in error", provider_id: str = "RWP", **more: Any) -> Line:
    return _entry("EntryRetracted", provider_id, ref=ref, reason=reason, **more)


def corrected(ref: str, replacement: Line, reason: str = "misread the source", provider_id: str = "RWP", **more: Any) -> Line:
    return _entry("EntryCorrected", provider_id, ref=ref, replacement=replacement, reason=reason, **more)


def superseded(service: str, on: str, *by: str, location_id: str | None = None, provider_id: str = "RWP", **more: Any) -> Line:
    return _entry("ServiceSuperseded", provider_id, location_id=location_id, service=service, on=on, by=list(by), **more)


def inherited(location_id: str, on: str, *cells: Line, provider_id: str = "RWP", **more: Any) -> Line:
    """`cells` are `cell(...)` lines with `published_on` (and `report_id`) added."""
    return _entry("RatingsInherited", provider_id, location_id=location_id, on=on, ratings=list(cells), **more)
