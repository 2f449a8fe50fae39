"""The regulator's vocabulary: the entry types a ledger records and the values they carry.

Entry types are used qualified, by family: `inspections.ReportPublished`, `oversight.SpecialMeasuresEntered`.
"""

from __future__ import annotations

from cqc_ledger.events import continuity, corrections, enforcement, inspections, oversight, provider
from cqc_ledger.events.base import Entry

ENTRY_TYPES: dict[str, type[Entry]] = {
    cls.__name__: cls
    for cls in (
        provider.ProviderRegistered,
        provider.ProviderRenamed,
        provider.ProviderDeregistered,
        provider.LocationRegistered,
        provider.LocationDeregistered,
        inspections.InspectionCarriedOut,
        inspections.ReportPublished,
        inspections.RatingRevised,
        enforcement.WarningNoticeIssued,
        enforcement.WarningNoticeAssessed,
        enforcement.EnforcementActionTaken,
        oversight.SpecialMeasuresEntered,
        oversight.SpecialMeasuresExited,
        oversight.OversightSegmentChanged,
        continuity.ServiceSuperseded,
        continuity.RatingsInherited,
        corrections.EntryRetracted,
        corrections.EntryCorrected,
    )
}
