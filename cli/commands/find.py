"""`cqc-ledger find`: providers and locations by name."""

from __future__ import annotations

import click

from cqc_ledger.cli.emit import emit, note_behind
from cqc_ledger.cli.opening import opened
from cqc_ledger.cli.options import output_formats
from cqc_ledger.projections import answers, output


@click.command()
@click.argument("text")
@output_formats
@click.pass_context
def find(ctx: click.Context, text: str, fmt: str | None) -> None:
    """Providers and locations whose current or former names match TEXT: every word of TEXT
    begins a word of the name, with case, accents and punctuation ignored. Where a command takes
    a PROVIDER id, such a name also does, when it stands for one provider only.

    \b
    Example:
      cqc-ledger find "worcestershire acute"
      cqc-ledger find "kings college" --csv
    """
    with opened(ctx) as ledger:
        answer = answers.find(ledger, text)
    note_behind(answer)
    found = answer.value
    rows = [output.find.found_json(f) for f in found]
    emit(fmt, rows, lambda: output.find.find_text(found, text), columns=output.find.COLUMNS)
