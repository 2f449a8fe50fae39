"""`cqc-ledger correct`: record that an entry is replaced by another."""

from __future__ import annotations

from datetime import date
from typing import BinaryIO

import click

from cqc_ledger.cli.options import JSON
from cqc_ledger.cli.params import Day
from cqc_ledger.cli.reading import name
from cqc_ledger.cli.writing import record_one
from cqc_ledger.ledger.errors import MalformedLine
from cqc_ledger.ledger.records import parse_ref


@click.command()
@click.argument("ref", metavar="REF")
@click.argument("file", type=click.File("rb"))
@click.option("--reason", required=True, help="Why the entry is corrected (kept with the correction).")
@click.option("--on", "on", type=Day(), help="The day the correction took effect in the world, if there is one.")
@JSON
@click.pass_context
def correct(ctx: click.Context, ref: str, file: BinaryIO, reason: str, on: date | None, as_json: bool) -> None:
    """Record that the entry REF is replaced, from now on, by the entry in FILE (one JSON
    object of the same type and provider; - for standard input). Both stay in the ledger.

    \b
    Example:
      cqc-ledger correct RWP/17 fixed-report.json --reason "safe was Requires improvement"   # your corrected entry
    """

    def mend() -> dict[str, object]:  # built once the ledger is open: one it cannot use is refused first
        replacement = _replacement(file)
        provider_id, _ = parse_ref(ref)
        return {
            "type": "EntryCorrected",
            "provider_id": provider_id,
            "ref": ref,
            "replacement": replacement,
            "reason": reason,
            "on": on and on.isoformat(),
        }

    record_one(ctx, mend, as_json)


def _replacement(file: BinaryIO) -> object:
    """The JSON value of the replacement FILE, refused as a line of `record` is."""
    from cqc_ledger.ledger.input import LINE_LIMIT, TooLong, json_value, not_utf8_line, read_at_most, reading, without_bom

    try:
        with reading(name(file)):
            text = without_bom(read_at_most(file, LINE_LIMIT))
    except TooLong as long:  # as a line of `record` is: one entry
        raise MalformedLine(f"the replacement in {file.name} is {long}, the most an entry may hold") from None
    try:
        return json_value(text, exact=True)
    except ValueError as bad:
        # Refused input (exit 1), as a line of `record` that is not JSON is: not a usage error.
        if (found := not_utf8_line(text)) is not None:
            raise MalformedLine(found[1], line=found[0]) from None
        raise MalformedLine(f"the replacement in {file.name} is not valid JSON ({bad})") from None
