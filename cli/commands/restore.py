"""`cqc-ledger restore`: an export recorded into a new, empty ledger."""

from __future__ import annotations

from typing import BinaryIO

import click

from cqc_ledger.cli.options import JSON
from cqc_ledger.cli.reading import reading
from cqc_ledger.cli.writing import recording, show
from cqc_ledger.ledger.application import utc_now


@click.command()
@click.argument("file", type=click.File("rb"))
@JSON
@click.pass_context
def restore(ctx: click.Context, file: BinaryIO, as_json: bool) -> None:
    """Record an export (FILE, or - for standard input) into a new, empty ledger (name it with
    --db before the command), every entry at its own ref and time, checked by the same rules as
    `record`. This is also how a ledger moves from one store to another.

    \b
    Example:
      cqc-ledger --db new.db restore ledger.jsonl      # ledger.jsonl as export wrote it; new.db a new ledger
    """
    from cqc_ledger.ledger.input import iter_exported

    with recording(ctx, creating=True) as writing:
        with reading(file) as lines:
            read = iter_exported(lines, today=utc_now().date())
            outcome = writing.whole(lambda ledger, follow: ledger.restore(read, followers=[follow]))
        show(outcome, as_json, done="Restored")
