"""`cqc-ledger transitions`: the matrix of trust-level ratings on one day against another."""

from __future__ import annotations

from datetime import date, datetime

import click

from cqc_ledger.cli.emit import emit, note_behind
from cqc_ledger.cli.opening import opened
from cqc_ledger.cli.options import KNOWN_AT, PROVIDER_TYPE, REGION, output_formats, question_option
from cqc_ledger.cli.params import Day, period
from cqc_ledger.projections import answers, counts, output
from cqc_ledger.projections import trusts as register


@click.command()
@click.option("--from", "start", type=Day(), required=True, help="The first day.")
@click.option("--to", "end", type=Day(), required=True, help="The second day.")
@question_option("overall")
@PROVIDER_TYPE
@REGION
@KNOWN_AT
@output_formats
@click.pass_context
def transitions(
    ctx: click.Context,
    start: date,
    end: date,
    question: str,
    provider_type: str | None,
    region: str | None,
    known_at: datetime | None,
    fmt: str | None,
) -> None:
    """The matrix of trust-level ratings on --from (rows) against --to (columns), over the
    providers on the register on both days.

    \b
    Example:
      cqc-ledger transitions --from 2016-12-31 --to 2019-12-31
    """
    from cqc_ledger.projections.transitions import transitions as matrix

    period(start, end)
    chosen = register.Filters(provider_type=provider_type, region=region)
    with opened(ctx) as ledger:
        answer = answers.register_on(ledger, sorted({start, end}), known_at, question)
    note_behind(answer)
    on_days = answer.value
    first, second = (counts.kept(on_days.get(day, []), chosen) for day in (start, end))
    document = matrix(start, end, question, first, second)
    emit(
        fmt,
        document,
        lambda: output.transitions.transitions_text(document),
        rows=output.transitions.rows(document),
        columns=output.transitions.COLUMNS,
    )
