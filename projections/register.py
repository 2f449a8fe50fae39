"""Every provider's entries, and every provider's status on a day, by replaying the ledger: what
the questions across the register fall back on when the views are behind, and the reference the
views are held equal to.

`statuses_at` is each provider's whole status by the reference fold (`status_at`);
`views.headlines` gives each provider's headline from the views instead. `histories` groups every
entry by provider for the folds that replay (changes, counts, find, anomalies).
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
