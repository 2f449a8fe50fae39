"""`cqc-ledger chart`: a provider's timeline drawn to a file."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from cqc_ledger.cli.drawing import chart_file, drawn
from cqc_ledger.cli.opening import opened
from cqc_ledger.cli.options import KNOWN_AT
from cqc_ledger.cli.params import PROVIDER, Day, period
from cqc_ledger.ledger.application import utc_now
from cqc_ledger.projections import answers


@click.command()
@click.argument("provider_id", type=PROVIDER)
@click.option(
    "--out", "out", required=True, callback=chart_file, metavar="FILE", help="The file: .svg, .png, .html or .json (the specification)."
)
@click.option("--location", "location_id", metavar="ID", help="That location's and its services' overall ratings (default: the trust's).")
@click.option(
    "--from", "since", type=Day(), help="The first day drawn (default: the provider's registration; with --location, the location's)."
)
@click.option("--to", "until", type=Day(), help="The last day drawn (default: today).")
@KNOWN_AT
@click.pass_context
def chart(
    ctx: click.Context,
    provider_id: str,
    out: Path,
    location_id: str | None,
    since: date | None,
    until: date | None,
    known_at: datetime | None,
) -> None:
    """Draw PROVIDER's timeline to a file: a band per rating (the trust's overall and key
    questions, or with --location that location's and its services' overall), coloured by
    rating, with report days, warning notices and their outcomes, special measures and oversight
    segments. Needs the extra `charts` (pip install 'cqc-ledger[charts]').

    \b
    Example:
      cqc-ledger chart RWP --out RWP.svg --from 2015-01-01
    """
    from cqc_ledger.projections import charts

    if since and until:
        period(since, until)
    with opened(ctx) as ledger:
        found = answers.chart_timeline(
            ledger, provider_id, today=utc_now().date(), since=since, until=until, known_at=known_at, location_id=location_id
        )
    click.echo(f"Wrote {drawn(ctx, charts.timeline_spec(found), out)}")
