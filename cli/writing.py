"""What a writing command shares: recording one entry the command built (`retract`, `correct`),
and saying what was recorded."""

from __future__ import annotations

from typing import Any

import click

from cqc_ledger.cli.emit import emit_json
from cqc_ledger.cli.opening import opened
from cqc_ledger.ledger.application import Outcome, utc_now
from cqc_ledger.ledger.errors import InputError
from cqc_ledger.projections import output, views


def show(outcome: Outcome, as_json: bool, *, done: str = "Recorded") -> None:
    """What a write did: the refs recorded and the lines skipped."""
    if as_json:
        emit_json(output.record.record_json(outcome))
    else:
        click.echo(output.record.record_text(outcome.recorded, outcome.duplicates, done=done))
        for note in outcome.notes:
            click.echo(f"Note: {note}")


def record_one(ctx: click.Context, obj: dict[str, Any], as_json: bool) -> None:
    """Records one entry built by a command, exactly as `record` would record it."""
    from cqc_ledger.ledger.parsing import LeftOut, no_cell_notes, parse_entry

    found: list[LeftOut] = []  # cells whose rating was a word for none
    with opened(ctx, writing=True) as ledger:
        try:
            entry = parse_entry({k: v for k, v in obj.items() if v is not None}, today=utc_now().date(), left_out=found)
            outcome = views.written(ledger, lambda follow: ledger.record([(1, entry, None)], followers=[follow]))
        except InputError as refused:
            refused.line = None  # the command built this entry: there is no line to name
            raise
    outcome.notes.extend(no_cell_notes([(None, where, word) for where, word in found]))
    show(outcome, as_json)
