"""`cqc-ledger trusts`: every provider on the register on a day."""

from __future__ import annotations

from datetime import date, datetime

import click

from cqc_ledger.cli.emit import emit, note_behind
from cqc_ledger.cli.opening import opened
from cqc_ledger.cli.options import AT, KNOWN_AT, output_formats
from cqc_ledger.cli.params import Loose
from cqc_ledger.events.vocabulary import PROVIDER_TYPES, RATINGS
from cqc_ledger.ledger.application import utc_now
from cqc_ledger.projections import answers, output
from cqc_ledger.projections import trusts as register


@click.command()
@AT
@KNOWN_AT
@click.option("--rating", type=Loose(RATINGS, "RATING"), help="Only providers rated so overall (any case; - or _ for spaces).")
@click.option("--special-measures", is_flag=True, help="Only providers in special measures (any regime).")
@click.option("--name", "name", metavar="TEXT", help="Only providers whose name has every word of TEXT.")
@click.option("--provider-type", type=Loose(PROVIDER_TYPES, "TYPE"), help="Only providers of this type (any case; - or _ for spaces).")
@click.option("--region", metavar="REGION", help="Only providers in this CQC region (case ignored).")
@click.option("--deregistered", is_flag=True, help="Also list providers deregistered by the day, marked with the day and successor.")
@output_formats
@click.pass_context
def trusts(
    ctx: click.Context,
    at: date | None,
    known_at: datetime | None,
    rating: str | None,
    special_measures: bool,
    name: str | None,
    provider_type: str | None,
    region: str | None,
    deregistered: bool,
    fmt: str | None,
) -> None:
    """Every provider on the register on a day: overall rating, the day it came to be so and its
    age in days, special measures, open warning notices; filterable.

    \b
    Example:
      cqc-ledger trusts --at 2017-01-01 --special-measures
      cqc-ledger trusts --region "South West" --provider-type acute --csv
      cqc-ledger trusts --at 2020-01-01 --deregistered
    """
    at = at or utc_now().date()
    chosen = register.Filters(
        rating=rating, special_measures=special_measures, name=name, provider_type=provider_type, region=region, deregistered=deregistered
    )
    with opened(ctx) as ledger:
        answer = answers.trusts(ledger, at, known_at, chosen)
    note_behind(answer)
    rows = answer.value
    emit(fmt, rows, lambda: output.trusts.trusts_text(rows, at), columns=output.trusts.COLUMNS)
