"""`cqc-ledger verify`: the hash chain over every entry, recomputed."""

from __future__ import annotations

import click

from cqc_ledger.cli.emit import emit_json
from cqc_ledger.cli.opening import opened
from cqc_ledger.cli.options import JSON


@click.command()
@click.option("--digest", is_flag=True, help="Print the head of the chain (POSITION:HASH) to publish.")
@click.option("--against", metavar="POSITION:HASH", help="Also prove the ledger up to a published head unchanged.")
@JSON
@click.pass_context
def verify(ctx: click.Context, digest: bool, against: str | None, as_json: bool) -> None:
    """Check that the stored ledger is intact: recompute the hash chain over every entry in
    recording order, and fail (exit 1) at the first entry changed, removed, inserted or moved,
    or a cut tail.

    \b
    Example:
      cqc-ledger verify
      cqc-ledger verify --digest > head.txt            # the head to publish: POSITION:HASH
      cqc-ledger verify --against "$(cat head.txt)"    # later: the ledger up to that head unchanged
      cqc-ledger verify --json
    """
    from cqc_ledger.ledger import chain, integrity

    if digest and as_json:
        raise click.UsageError('--digest prints the head alone, and --json holds it already (as "head"): give one of them')
    try:
        published = chain.Head.parse(against) if against is not None else None
    except ValueError as bad:
        raise click.BadParameter(str(bad), param_hint="--against") from None
    with opened(ctx) as ledger:
        head = integrity.verified(ledger, published)
    if as_json:
        emit_json(integrity.verified_json(head, published))
    else:
        click.echo(str(head) if digest else integrity.verified_text(head, published))
