"""`cqc-ledger entries`: the raw entries, in recording order."""

from __future__ import annotations

import click

from cqc_ledger.cli.emit import emit
from cqc_ledger.cli.opening import opened
from cqc_ledger.cli.options import output_formats
from cqc_ledger.projections import output


@click.command()
@click.argument("provider_id", metavar="[PROVIDER]", required=False)
@output_formats
@click.pass_context
def entries(ctx: click.Context, provider_id: str | None, fmt: str | None) -> None:
    """The raw entries, in recording order, with their refs and both times (all providers, or one).

    \b
    Example:
      cqc-ledger entries RWP --json
    """
    with opened(ctx) as ledger:
        found = ledger.entries_of(provider_id) if provider_id else ledger.all_entries()
        documents = [output.entries.entry_json(r) for r in found]
    emit(fmt, documents, lambda: output.entries.entries_text(documents), columns=("ref", "recorded_at", "type", "provider_id"))
