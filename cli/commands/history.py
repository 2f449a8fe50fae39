"""`cqc-ledger history`: every change to a provider in the order it took effect."""

from __future__ import annotations

from datetime import date, datetime

import click

from cqc_ledger.cli.emit import emit
from cqc_ledger.cli.opening import opened
from cqc_ledger.cli.options import KNOWN_AT, output_formats
from cqc_ledger.cli.params import PROVIDER, Day, period
from cqc_ledger.projections import answers, output


@click.command()
@click.argument("provider_id", type=PROVIDER)
@click.option("--from", "since", type=Day(), help="The first day shown (changes before it still count).")
@click.option("--to", "until", type=Day(), help="The last day shown.")
@KNOWN_AT
@output_formats
@click.pass_context
def history(
    ctx: click.Context, provider_id: str, since: date | None, until: date | None, known_at: datetime | None, fmt: str | None
) -> None:
    """Every change to PROVIDER in the order it took effect, each with its ref and the cells it
    changed, from and to.

    \b
    Example:
      cqc-ledger history RWP --from 2017-01-01 --to 2019-12-31
    """
    if since and until:
        period(since, until)
    with opened(ctx) as ledger:
        changes = answers.history(ledger, provider_id, since, until, known_at)
    emit(fmt, changes, lambda: output.history.history_text(changes), columns=output.history.COLUMNS)
