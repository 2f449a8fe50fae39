"""`cqc-ledger export`: the whole ledger as JSON Lines, in recording order."""

from __future__ import annotations

import sys
from contextlib import AbstractContextManager, nullcontext
from typing import BinaryIO

import click
import orjson

from cqc_ledger.cli.opening import opened
from cqc_ledger.projections import output


@click.command()
@click.option("--out", "out", metavar="FILE", default="-", help="Where to write (default: standard output).")
@click.pass_context
def export(ctx: click.Context, out: str) -> None:
    """Write the whole ledger as JSON Lines, in recording order: each line an entry as recorded,
    with its `ref` and `recorded_at`. `restore` reads it back exactly. A FILE is written whole or
    not at all (a failed export leaves what was there); the ledger's own file is refused.

    \b
    Example:
      cqc-ledger export --out ledger.jsonl
    """
    if not out:
        raise click.BadParameter("name a file, or - for standard output", param_hint="--out")
    with _output(ctx, out) as file, opened(ctx) as ledger:  # the ledger's own file is refused before it is opened
        for recorded in ledger.all_entries():
            file.write(orjson.dumps(output.entries.entry_json(recorded), option=orjson.OPT_SORT_KEYS) + b"\n")


def _output(ctx: click.Context, out: str) -> AbstractContextManager[BinaryIO]:
    """Standard output for `-`, else the file `out` written whole (see `output.files`)."""
    if out == "-":
        output.files.refuse_the_ledger_as_standard_output(ctx.obj["db"])
        return nullcontext(sys.stdout.buffer)
    return output.files.written_whole(out, ctx.obj["db"])
