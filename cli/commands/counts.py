"""`cqc-ledger counts`: how many providers on the register at the end of each period."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from cqc_ledger.cli.drawing import chart_file, drawn
from cqc_ledger.cli.emit import emit, note_behind
from cqc_ledger.cli.opening import opened
from cqc_ledger.cli.options import KNOWN_AT, PROVIDER_TYPE, RATING, REGION, output_formats, question_option
from cqc_ledger.cli.params import Day, period
from cqc_ledger.projections import answers, output
from cqc_ledger.projections import counts as tallied
from cqc_ledger.projections import trusts as register


@click.command()
@click.option("--from", "start", type=Day(), required=True, help="The first day of the series.")
@click.option("--to", "end", type=Day(), required=True, help="The last day of the series.")
@click.option("--every", type=click.Choice(tallied.EVERY), default="month", show_default=True, help="The length of each period.")
@click.option("--by", type=click.Choice(tallied.BY), default="rating", show_default=True, help="What is counted.")
@question_option("overall")
@PROVIDER_TYPE
@REGION
@RATING
@KNOWN_AT
@click.option(
    "--chart", "chart_file", callback=chart_file, metavar="FILE", help="Also draw the series, stacked: .svg, .png, .html or .json."
)
@output_formats
@click.pass_context
def counts(
    ctx: click.Context,
    start: date,
    end: date,
    every: str,
    by: str,
    question: str,
    provider_type: str | None,
    region: str | None,
    rating: str | None,
    known_at: datetime | None,
    chart_file: Path | None,
    fmt: str | None,
) -> None:
    """How many providers on the register at the end of each period (deregistered ones left
    out), by trust-level rating of a question, special-measures regime or oversight segment.
    Each number is what `trusts --at` says on that day. With --chart, the series is also drawn
    to FILE, each period's providers stacked by value (needs the extra `charts`:
    pip install 'cqc-ledger[charts]').

    \b
    Example:
      cqc-ledger counts --from 2015-01-01 --to 2024-12-31 --every quarter --by special-measures
      cqc-ledger counts --from 2014-01-01 --to 2024-12-31 --every year --chart ratings.svg
    """
    period(start, end)
    days = tallied.period_ends(start, end, every)
    chosen = register.Filters(rating=rating, provider_type=provider_type, region=region)
    with opened(ctx) as ledger:
        answer = answers.counts(ledger, days, known_at, by=by, question=question, filters=chosen)
    note_behind(answer)
    rows = answer.value
    if chart_file is not None:
        from cqc_ledger.projections import charts

        spec = charts.counts_spec(rows, title=charts.counts_title(rows, by=by, question=question, every=every, filters=chosen))
        click.echo(f"Wrote {drawn(ctx, spec, chart_file)}", err=True)
    emit(fmt, rows, lambda: output.counts.counts_text(rows, by, question), columns=output.counts.columns(by))
