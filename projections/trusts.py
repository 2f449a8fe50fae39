"""The register at a glance: each provider's headline on a day, filterable."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from cqc_ledger.projections.find import matches
from cqc_ledger.projections.status import Status

TRUST_OVERALL = (None, None, "overall")
COLUMNS = (
    "provider_id",
    "name",
    "provider_type",
    "region",
    "overall",
    "overall_since",
    "overall_unchanged_since",
    "unchanged_since",
    "age_days",
    "in_special_measures",
    "special_measures",
    "open_warning_notices",
    "segment",
    "deregistered_on",
    "successor_id",
)


@dataclass(frozen=True)
class Filters:
    """Which providers a question across the register keeps (None or False: all)."""

    rating: str | None = None
    special_measures: bool = False
    name: str | None = None
    provider_type: str | None = None
    region: str | None = None
    deregistered: bool = False  # keep providers deregistered by the day too (marked)

    def keeps_provider(self, name: str | None, provider_type: str | None, region: str | None) -> bool:
        """Whether a provider of this name, type and region is kept (ratings aside)."""
        return (
            (self.name is None or matches(self.name, name))
            and (self.provider_type is None or provider_type == self.provider_type)
            and (self.region is None or (region or "").casefold() == self.region.casefold())
        )


EVERY_PROVIDER = Filters()


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
        "provider_type": status.provider_type,
        "region": status.region,
        "segment": status.oversight.value if status.oversight else None,
        "deregistered_on": status.deregistered.since.isoformat() if status.deregistered else None,
        "successor_id": status.deregistered.value if status.deregistered else None,
    }


def _aged(row: dict[str, Any], at: date | None) -> dict[str, Any]:
    """The row with `unchanged_since` (the overall's unbroken run began that day) and `age_days`
    (how many days it has held on the day asked)."""
    run = row["overall_unchanged_since"]
    row["unchanged_since"] = run
    row["age_days"] = (at - date.fromisoformat(run)).days if run and at else None
    return row


def on_register(status: Status) -> bool:
    """Registered by the day and not deregistered on or before it."""
    return status.name is not None and status.deregistered is None


def register(statuses: Iterable[Status], at: date | None = None, filters: Filters = EVERY_PROVIDER) -> list[dict[str, Any]]:
    """The headlines of the providers on the register on the day (and, asked for, those
    deregistered by it), filtered."""
    listed = (s for s in statuses if on_register(s) or (filters.deregistered and s.name is not None))
    kept = (s for s in listed if filters.keeps_provider(s.name, s.provider_type, s.region))
    rows = [_aged(headline(s), at) for s in kept]
    if filters.rating:
        rows = [r for r in rows if r["overall"] == filters.rating]
    if filters.special_measures:
        rows = [r for r in rows if r["in_special_measures"]]
    return sorted(rows, key=lambda r: r["provider_id"])
