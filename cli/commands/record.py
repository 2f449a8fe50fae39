"""`cqc-ledger record`: record the entries of a JSON Lines file."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, BinaryIO

import click

from cqc_ledger.cli.options import JSON
from cqc_ledger.cli.reading import is_terminal, reading
from cqc_ledger.cli.writing import recording, show
from cqc_ledger.ledger.application import told_by_line, utc_now
from cqc_ledger.ledger.errors import InputError

if TYPE_CHECKING:
    from cqc_ledger.ledger.input import Read


@click.command()
@click.argument("file", type=click.File("rb"), default="-")
@JSON
@click.pass_context
def record(ctx: click.Context, file: BinaryIO, as_json: bool) -> None:
    """Record the entries of a JSON Lines FILE (`-` or none: standard input).

    The whole input is checked before anything is written; one bad line refuses it all and
    names the line and the field. Entries already recorded are skipped.

    \b
    Example:
      cqc-ledger record examples/RWP.jsonl
    """
    from cqc_ledger.ledger.input import iter_entries
    from cqc_ledger.ledger.parsing import no_cell_notes

    left_out: list[tuple[int, str, str]] = []  # cells whose rating was a word for none
    typed = is_terminal(file)
    with recording(ctx, creating=True) as writing:
        if typed:  # say so, rather than wait in silence for what a person may not know to type
            click.echo("Reading JSON Lines from standard input (end with Ctrl-D; or name a FILE: cqc-ledger record FILE) ...", err=True)
        with reading(file) as lines:
            read: Iterable[Read] = iter_entries(lines, today=utc_now().date(), left_out=left_out)
            try:
                if typed:  # read whole before the write begins: a person typing holds no lock
                    read = list(read)
                outcome = writing.whole(lambda ledger, follow: ledger.record(read, followers=[follow]))
            except InputError as refused:
                raise told_by_line(refused) from None
        outcome.notes.extend(no_cell_notes(left_out))
        show(outcome, as_json)
