"""`cqc-ledger explain`: how one rating of a provider came about."""

from __future__ import annotations

from datetime import date, datetime

import click

from cqc_ledger.cli.emit import emit_json
from cqc_ledger.cli.opening import opened
from cqc_ledger.cli.options import AT, JSON, KNOWN_AT
from cqc_ledger.cli.params import PROVIDER, question
from cqc_ledger.ledger.application import utc_now
from cqc_ledger.projections import answers, output


def _service(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from cqc_ledger.events.services import service_named

    return service_named(value) if value else None


@click.command()
@click.argument("provider_id", type=PROVIDER)
@click.option("--location", "location_id", metavar="ID", help="A location's rating (default: the trust's own).")
@click.option("--service", callback=_service, metavar="NAME", help="A service's rating (CQC's names, a variant or CQC's code: urgent).")
@click.option(
    "--question",
    default="overall",
    show_default=True,
    callback=question,
    metavar="Q",
    help="overall, safe, effective, caring, responsive, well-led, use-of-resources or combined.",
)
@AT
@KNOWN_AT
@JSON
@click.pass_context
def explain(
    ctx: click.Context,
    provider_id: str,
    location_id: str | None,
    service: str | None,
    question: str,
    at: date | None,
    known_at: datetime | None,
    as_json: bool,
) -> None:
    """How one rating of PROVIDER came about: the entry, report and inspections that set it,
    every earlier value back to the first, the corrections and retractions that touched them,
    and, for an aggregate rating, what CQC's aggregation principles give from the ratings under it.

    \b
    Example:
      cqc-ledger explain RWP --at 2018-03-01
      cqc-ledger explain RX9 --service "Emergency and urgent care" --question safe --json
    """
    now = utc_now()
    with opened(ctx) as ledger:
        document = answers.explain(ledger, provider_id, (location_id, service, question), at or now.date(), known_at, now)
    emit_json(document) if as_json else click.echo(output.explain.explain_text(document))
