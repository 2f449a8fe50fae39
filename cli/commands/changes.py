"""`cqc-ledger changes`: every rating cell across the register that changed in a period."""

from __future__ import annotations

from datetime import date, datetime

import click

from cqc_ledger.cli.emit import emit, note_behind
from cqc_ledger.cli.opening import opened
from cqc_ledger.cli.options import KNOWN_AT, PROVIDER_TYPE, RATING, REGION, output_formats, question_option
from cqc_ledger.cli.params import Day, Loose, period
from cqc_ledger.projections import answers, output
from cqc_ledger.projections import trusts as register


@click.command()
@click.option("--from", "start", type=Day(), required=True, help="The first day: changes after its end count.")
@click.option("--to", "end", type=Day(), required=True, help="The last day (changes on it count).")
@question_option(None)
@click.option("--level", type=Loose(register.LEVELS, "LEVEL"), help="Only trust-level, location-level or service-level cells (any case).")
@PROVIDER_TYPE
@REGION
@RATING
@KNOWN_AT
@output_formats
@click.pass_context
def changes(
    ctx: click.Context,
    start: date,
    end: date,
    question: str | None,
    level: str | None,
    provider_type: str | None,
    region: str | None,
    rating: str | None,
    known_at: datetime | None,
    fmt: str | None,
) -> None:
    """Every rating cell across the register whose value changed after --from, up to --to:
    provider, location, service, question, from and to, the day and the ref of the entry.

    \b
    Example:
      cqc-ledger changes --from 2018-12-31 --to 2019-12-31 --level trust --question overall
      cqc-ledger changes --from 2018-12-31 --to 2019-12-31 --rating inadequate --csv
    """
    from cqc_ledger.projections.changes import Asked

    period(start, end)
    asked = Asked(register.Filters(rating=rating, provider_type=provider_type, region=region), question, level)
    with opened(ctx) as ledger:
        answer = answers.changes(ledger, start, end, known_at, asked)
    note_behind(answer)
    rows = answer.value
    emit(fmt, rows, lambda: output.changes.changes_text(rows, start, end), columns=output.changes.COLUMNS)
