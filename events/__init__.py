"""The regulator's vocabulary: the entry types a ledger records and the values they carry.

Entry types are used qualified, by family: `inspections.ReportPublished`, `oversight.SpecialMeasuresEntered`.

`ENTRY_TYPES` (every entry type by its name) is made when first asked for, importing every
family: a module of this package (`vocabulary`, say) is imported without them, so a command
that decodes no entry (`trusts`, `status`, answering from the views) starts without making
each family's classes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cqc_ledger.events.base import Entry

    ENTRY_TYPES: dict[str, type[Entry]]


def __getattr__(name: str) -> dict[str, type[Entry]]:
    """`ENTRY_TYPES`, made (and kept as the module's own) the first time it is asked for."""
    if name != "ENTRY_TYPES":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from cqc_ledger.events import continuity, corrections, enforcement, inspections, oversight, provider

    found = globals()["ENTRY_TYPES"] = {
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
    return found
