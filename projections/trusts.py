"""The register at a glance: each provider's headline on a day, filterable.

A `Headline` is what the register shows of a provider: `headline_of` takes it from a provider's
status (the reference fold), and the views fold it from their headline facts directly
(`projections.views.headlines`); a test holds the two equal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from cqc_ledger.projections.status import CellValue, Since, Status, leaving_on

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
        if self.name is not None:
            from cqc_ledger.projections.find import matches  # loaded only when a name is asked for

            if not matches(self.name, name):
                return False
        return (self.provider_type is None or provider_type == self.provider_type) and (
            self.region is None or (region or "").casefold() == self.region.casefold()
        )


EVERY_PROVIDER = Filters()


class Headline(NamedTuple):
    """A provider as the register lists it on a day (a row of `trusts`): its name, type and
    region, the trust's own overall rating, the regimes of special measures in force (sorted),
    how many warning notices are open, its oversight segment, and its deregistration if any:
    `deregistered` from the day after its day, `leaving` on the day itself (on the register
    through it, off it from the next)."""

    provider_id: str
    name: str | None
    provider_type: str | None
    region: str | None
    overall: CellValue | None
    special_measures: tuple[str, ...]
    open_notices: int
    segment: str | int | None
    deregistered: Since | None
    leaving: Since | None = None


def headline_of(status: Status) -> Headline:
    """What the register shows of a provider's status."""
    return Headline(
        status.provider_id,
        status.name,
        status.provider_type,
        status.region,
        status.cells.get(TRUST_OVERALL),
        tuple(sorted(status.special_measures)),
        sum(n.status == "open" for n in status.notices.values()),
        status.oversight.value if status.oversight else None,
        status.deregistered,
        leaving_on(status),
    )


def on_register(provider: Status | Headline) -> bool:
    """Registered by the day and not deregistered before it (a provider is on the register through its deregistration day)."""
    return provider.name is not None and provider.deregistered is None


def register(headlines: Iterable[Headline], filters: Filters = EVERY_PROVIDER) -> list[Headline]:
    """The providers on the register on the day (and, asked for, those deregistered by it),
    filtered, by provider id (their rows of `trusts --json`: `projections.output.trusts`)."""
    kept = [
        h
        for h in headlines
        if (on_register(h) or (filters.deregistered and h.name is not None))
        and filters.keeps_provider(h.name, h.provider_type, h.region)
        and (not filters.rating or overall_rating(h) == filters.rating)
        and (not filters.special_measures or bool(h.special_measures))
    ]
    return sorted(kept, key=lambda h: h.provider_id)


def overall_rating(headline: Headline) -> str | None:
    """The trust's own overall rating, or None."""
    return headline.overall.rating if headline.overall else None
