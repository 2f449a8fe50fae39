"""The views: the ledger's entries and headline facts, kept in its own store so that questions are
answered without replaying everything. The one front door: the CLI, the benchmark and the tests
all come in here.

- `open_views(ledger)`: the views of a ledger (their tables made, or remade from an earlier
  layout, if need be).
- `written(ledger, write)`: runs a write (`Ledger.record`, `restore`, an import) with the views
  following it inside its transaction, then catches them up with anything they could not follow.
- `caught_up(ledger)`: the views, brought up to date with every entry.
- `rebuilt(ledger)`: drops every row and rebuilds the views from the entries.
- `current(ledger)`: the views for a reader, when they are up to date (see `status`).
- `status(ledger, ...)` and `headlines(ledger, ...)`: what a reader asks. A reader never waits on
  a writer: it catches the views up only if it can do so at once; when they are still behind, it
  answers by replaying the entries (the same fold, so the same answer) and says how far behind
  the views are (`Answer.behind`).

Questions over the whole register read the headline facts (`Views.headline_facts`, and
`Views.headlines` for what `trusts` lists; see `projections.views.headlines`) or, for ratings
below the trust, the stored entries (`projections.register_facts`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Generic, TypeVar

from eventsourcing.persistence import PersistenceError

from cqc_ledger.ledger.application import Follow, Follower, Ledger
from cqc_ledger.ledger.errors import StoreError
from cqc_ledger.ledger.records import Recorded
from cqc_ledger.ledger.store.target import is_postgres
from cqc_ledger.projections.register import statuses_at
from cqc_ledger.projections.status import Status, status_at
from cqc_ledger.projections.trusts import Headline, headline_of
from cqc_ledger.projections.views.headlines import Fact
from cqc_ledger.projections.views.store import TRACKED_AS, Views

__all__ = ["TRACKED_AS", "Answer", "Fact", "Views", "caught_up", "current", "headlines", "open_views", "rebuilt", "status", "written"]

T = TypeVar("T")
Progress = Callable[[int], None]


def open_views(ledger: Ledger) -> Views:
    """The views of a ledger, their tables created if need be (on PostgreSQL, looked for only when
    the ledger's opening did not see them already)."""
    if is_postgres(ledger.target):
        from cqc_ledger.projections.views.postgres import PostgresViews  # needs the optional psycopg

        factory = ledger.factory
        tracking = f"{factory.env.name.lower()}_tracking"
        views = PostgresViews(factory.datastore, events=ledger.recorder.names["events"], tracking_table_name=tracking)  # type: ignore[attr-defined]
        if not views.made(ledger.seen):  # a reading command saw them made as it opened the ledger
            views.create_table()
        return views
    from cqc_ledger.projections.views.sqlite import SQLiteViews  # a command on PostgreSQL starts without sqlite3

    return ledger.factory.tracking_recorder(SQLiteViews)  # type: ignore[return-value]


def written(ledger: Ledger, write: Callable[[Follower], T]) -> T:
    """What `write` returns, given the views' `follow` to apply entries inside its transaction;
    the views are then caught up with anything they could not follow, and the planner's
    statistics refreshed if the write grew the store substantially (`Views.refresh`)."""
    views = open_views(ledger)
    wrote = 0

    def follow(recorded: list[Recorded]) -> Follow:
        nonlocal wrote
        wrote += len(recorded)
        return views.follow(recorded)

    done = write(follow)
    views.catch_up(ledger)
    views.refresh(ledger, wrote)
    return done


def caught_up(ledger: Ledger, progress: Progress | None = None) -> Views:
    """The ledger's views, brought up to date with every entry."""
    views = open_views(ledger)
    views.catch_up(ledger, progress)
    return views


def rebuilt(ledger: Ledger, progress: Progress | None = None) -> int:
    """Rebuilds the views from every entry; returns how many entries were applied."""
    return open_views(ledger).rebuild(ledger, progress)


@dataclass(frozen=True)
class Answer(Generic[T]):
    """An answer, and how many entries the views were behind when it was given (0: from the
    views; more: by replaying the entries, which gives the same answer, only slower)."""

    value: T
    behind: int = 0


def _reading(ledger: Ledger) -> Views | None:
    """The views, caught up if that can be done without waiting; None if they cannot be opened."""
    try:
        views = open_views(ledger)
        views.catch_up(ledger, wait=False)
    except (PersistenceError, StoreError):
        return None
    return views


def _lag(ledger: Ledger, views: Views | None) -> int:
    last = ledger.recorder.max_notification_id() or 0
    try:
        return views.behind() if views else last
    except PersistenceError:
        return last


def current(ledger: Ledger) -> Answer[Views | None]:
    """The views for a reader: caught up if that can be done at once, then given only when they
    hold every entry; otherwise None, with how many entries they are behind (the reader then
    folds the entries themselves). A reader never waits on a writer."""
    views = _reading(ledger)
    behind = _lag(ledger, views)
    return Answer(views if views is not None and not behind else None, behind)


def status(ledger: Ledger, provider_id: str, at: date, known_at: datetime | None = None) -> Answer[Status]:
    """The provider's status at the end of `at` as known at `known_at`, from the views when they
    are up to date, otherwise by replay."""
    views = _reading(ledger)
    found = views.status(provider_id, at, known_at, current=True) if views else None
    if found is not None:
        return Answer(found)
    behind = _lag(ledger, views)
    return Answer(status_at(ledger.entries_of(provider_id), provider_id, at, known_at), max(behind, 1))


def headlines(ledger: Ledger, at: date, known_at: datetime | None = None) -> Answer[list[Headline]]:
    """Every provider's headline at the end of `at` as known at `known_at` (see `status`)."""
    views = _reading(ledger)
    found = views.headlines(at, known_at, current=True) if views else None
    if found is not None:
        return Answer(found)
    behind = _lag(ledger, views)
    return Answer([headline_of(s) for s in statuses_at(ledger, at, known_at)], max(behind, 1))
