"""`cqc-ledger diff`: what differs in a provider's status between two days."""

from __future__ import annotations

from datetime import date, datetime

import click

from cqc_ledger.cli.emit import emit_json
from cqc_ledger.cli.opening import opened
from cqc_ledger.cli.options import JSON, KNOWN_AT
from cqc_ledger.cli.params import PROVIDER, Day, period
from cqc_ledger.ledger.application import utc_now
from cqc_ledger.projections import answers, output


@click.command()
@click.argument("provider_id", type=PROVIDER)
@click.option("--from", "start", type=Day(), required=True, help="The first day (its status at its end).")
@click.option("--to", "end", type=Day(), required=True, help="The second day (its status at its end).")
@KNOWN_AT
@JSON
@click.pass_context
def diff(ctx: click.Context, provider_id: str, start: date, end: date, known_at: datetime | None, as_json: bool) -> None:
    """What differs in PROVIDER's status between two days: each rating, special-measures
    regime, warning notice and oversight segment, from and to, with the entries that changed it.

    \b
    Example:
      cqc-ledger diff RWP --from 2017-01-01 --to 2019-12-31
    """
    period(start, end)
    with opened(ctx) as ledger:
        document = answers.diff(ledger, provider_id, start, end, known_at, utc_now())
    emit_json(document) if as_json else click.echo(output.diff.diff_text(document))
