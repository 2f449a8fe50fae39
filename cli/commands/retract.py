"""`cqc-ledger retract`: record that an entry was a mistake."""

from __future__ import annotations

from datetime import date

import click

from cqc_ledger.cli.options import JSON
from cqc_ledger.cli.params import Day
from cqc_ledger.cli.writing import record_one
from cqc_ledger.ledger.records import parse_ref


@click.command()
@click.argument("ref", metavar="REF")
@click.option("--reason", required=True, help="Why the entry is retracted (kept with the retraction).")
@click.option("--on", "on", type=Day(), help="The day the retraction took effect in the world, if there is one.")
@JSON
@click.pass_context
def retract(ctx: click.Context, ref: str, reason: str, on: date | None, as_json: bool) -> None:
    """Record that the entry REF was a mistake: from now on it counts for nothing. Both stay in
    the ledger, and `--known-at` before now still sees the entry.

    \b
    Example:
      cqc-ledger retract RWP/19 --reason "report withdrawn by CQC"
    """
    provider_id, _ = parse_ref(ref)
    mend = {"type": "EntryRetracted", "provider_id": provider_id, "ref": ref, "reason": reason, "on": on and on.isoformat()}
    record_one(ctx, lambda: mend, as_json)
