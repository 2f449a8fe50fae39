"""The status of every provider in the ledger on a day: the one place that iterates the register.

For now each status is the reference fold (`status_at`) over the provider's entries. The fast
materialised views will take this function's place; whatever answers must give, for every
provider registered by the day, the whole status (every cell, notice and enforcement action),
equal to `status_at`'s.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

from cqc_ledger.ledger.application import Ledger
from cqc_ledger.ledger.records import Recorded
from cqc_ledger.projections.status import Status, status_at


def statuses_at(ledger: Ledger, at: date, known_at: datetime | None = None) -> Iterator[Status]:
    """Each provider's whole status at the end of `at`, as known at `known_at`, by provider id.

    Providers not registered by `at` (as known then) are left out.
    """
    for provider_id, recorded in histories(ledger):
        status = status_at(recorded, provider_id, at, known_at)
        if status.name is not None:
            yield status


def histories(ledger: Ledger) -> Iterator[tuple[str, list[Recorded]]]:
    """Each provider's entries, in recording order, by provider id."""
    by_provider: dict[str, list[Recorded]] = {}
    for recorded in ledger.all_entries():
        by_provider.setdefault(recorded.entry.provider_id, []).append(recorded)
    for provider_id in sorted(by_provider):
        yield provider_id, by_provider[provider_id]
