"""`cqc-ledger rebuild`: drop every view and rebuild it from the entries."""

from __future__ import annotations

import sys

import click

from cqc_ledger.cli.opening import opened
from cqc_ledger.cli.progress import PROGRESS_FROM
from cqc_ledger.ledger.application import Ledger
from cqc_ledger.projections import views


@click.command()
@click.pass_context
def rebuild(ctx: click.Context) -> None:
    """Drop every view and rebuild it from the entries (a progress bar shows the way).

    \b
    Example:
      cqc-ledger rebuild
    """
    with opened(ctx, writing=True) as ledger:
        _rebuilt(ledger)
        total = ledger.recorder.max_notification_id() or 0
    click.echo(f"Rebuilt the views from {total} entr{'y' if total == 1 else 'ies'}.")


def _rebuilt(ledger: Ledger) -> int:
    """Rebuilds the views (with a progress bar when that is long); returns the entries applied."""
    total = ledger.recorder.max_notification_id() or 0
    if total < PROGRESS_FROM or not sys.stderr.isatty():
        return views.rebuilt(ledger)
    with click.progressbar(length=total, label="Rebuilding views", file=sys.stderr) as bar:
        return views.rebuilt(ledger, bar.update)
