"""The register at a glance: each provider's headline on a day."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cqc_ledger.projections.status import Status

TRUST_OVERALL = (None, None, "overall")


def headline(status: Status) -> dict[str, Any]:
    """`{"provider_id", "name", "overall", "in_special_measures", "open_warning_notices"}`, plus
    the regimes in force, the day the overall was last set and the first day of its unbroken run."""
    overall = status.cells.get(TRUST_OVERALL)
    return {
        "provider_id": status.provider_id,
        "name": status.name,
        "overall": overall.rating if overall else None,
        "overall_since": overall.since.isoformat() if overall else None,
        "overall_unchanged_since": overall.unchanged_since.isoformat() if overall else None,
        "in_special_measures": bool(status.special_measures),
        "special_measures": sorted(status.special_measures),
        "open_warning_notices": sum(1 for n in status.notices.values() if n.status == "open"),
    }


def register(statuses: Iterable[Status], *, rating: str | None = None, special_measures: bool = False) -> list[dict[str, Any]]:
    """The headlines of the providers registered by then, filtered by overall rating and special measures."""
    rows = [headline(s) for s in statuses if s.name is not None]
    if rating:
        rows = [r for r in rows if r["overall"] == rating]
    if special_measures:
        rows = [r for r in rows if r["in_special_measures"]]
    return sorted(rows, key=lambda r: r["provider_id"])
