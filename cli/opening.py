"""The ledger a command reads or writes, at --db."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from cqc_ledger.ledger.application import Ledger
from cqc_ledger.ledger.store.opening import inspect, removed_if_refused


@contextmanager
def opened(ctx: click.Context, *, writing: bool = False, creating: bool = False) -> Iterator[Ledger]:
    """The ledger at --db, for a reading command, a `writing` one, or one `creating` a ledger if
    there is none (see `ledger.store.opening`); a new file is removed again if the command fails.

    A reading command's ledger is opened once, for its arguments (a provider named) and its
    answer alike, and closed when the command ends. On PostgreSQL it reads through the one
    connection its schema was inspected on: each opening cost a connection and a look at the
    schema, and eventsourcing's pool opened two or three connections more."""
    target = ctx.obj["db"]
    if not writing and not creating:
        yield _for_reading(ctx.find_root(), target)
        return
    found = inspect(target, writing=writing, creating=creating)
    with removed_if_refused(target, creating=creating, empty=not found.ledger):
        ledger = Ledger(target, read_only=found.read_only)
        try:
            yield ledger
        finally:
            ledger.close()


def _for_reading(root: click.Context, target: str) -> Ledger:
    """The command's one reading ledger at `target`, opened at its first use."""
    kept: dict[str, Ledger] = root.meta.setdefault("cqc_ledger.reading", {})
    if target not in kept:
        found = inspect(target, writing=False, creating=False, keep=True)
        kept[target] = Ledger(target, read_only=found.read_only, found=found)
        root.call_on_close(kept[target].close)
    return kept[target]
