"""`cqc-ledger status`: a provider's status at the end of a day."""

from __future__ import annotations

from datetime import date, datetime

import click

from cqc_ledger.cli.emit import emit_json, note_behind
from cqc_ledger.cli.opening import opened
from cqc_ledger.cli.options import AT, JSON, KNOWN_AT
from cqc_ledger.cli.params import PROVIDER
from cqc_ledger.ledger.application import utc_now
from cqc_ledger.projections import answers, output


@click.command()
@click.argument("provider_id", type=PROVIDER)
@AT
@KNOWN_AT
@JSON
@click.pass_context
def status(ctx: click.Context, provider_id: str, at: date | None, known_at: datetime | None, as_json: bool) -> None:
    """The status of PROVIDER at the end of a day: its ratings at every level, special
    measures, warning notices, last inspection and report. With --known-at TIME, as the ledger
    stood at TIME: only what it had recorded by then (a TIME before it recorded anything of
    PROVIDER is refused, saying when it first did).

    \b
    Examples:
      cqc-ledger status RWP --at 2018-01-01
      cqc-ledger status RWP --at 2018-01-01 --known-at TIME   # TIME: a day, or a moment like 2019-03-01T12:00:00Z
    """
    now = utc_now()
    at = at or now.date()
    with opened(ctx) as ledger:
        answer = answers.status(ledger, provider_id, at, known_at, now)
    note_behind(answer)
    document = answer.value
    emit_json(document) if as_json else click.echo(output.status.status_text(document))
