"""The register at a glance: each provider's headline on a day, filterable."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cqc_ledger.projections.find import matches
from cqc_ledger.projections.status import Status

TRUST_OVERALL = (None, None, "overall")
LEVELS = ("trust", "location", "service")  # of a rating cell: what `changes --level` keeps


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


def on_register(status: Status) -> bool:
    """Registered by the day and not deregistered on or before it."""
    return status.name is not None and status.deregistered is None


def register(statuses: Iterable[Status], filters: Filters = EVERY_PROVIDER) -> list[Status]:
    """The providers on the register on the day (and, asked for, those deregistered by it),
    filtered, by provider id (their rows of `trusts --json`: `projections.output.trusts`)."""
    kept = [
        s
        for s in statuses
        if (on_register(s) or (filters.deregistered and s.name is not None))
        and filters.keeps_provider(s.name, s.provider_type, s.region)
        and (not filters.rating or overall_rating(s) == filters.rating)
        and (not filters.special_measures or bool(s.special_measures))
    ]
    return sorted(kept, key=lambda s: s.provider_id)


def overall_rating(status: Status) -> str | None:
    """The trust's own overall rating, or None."""
    overall = status.cells.get(TRUST_OVERALL)
    return overall.rating if overall else None
