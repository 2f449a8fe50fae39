"""`cqc-ledger anomalies`: published aggregate ratings judged against CQC's principles."""

from __future__ import annotations

from datetime import date, datetime

import click

from cqc_ledger.cli.emit import emit
from cqc_ledger.cli.opening import opened
from cqc_ledger.cli.options import AT, KNOWN_AT, output_formats
from cqc_ledger.cli.params import PROVIDER
from cqc_ledger.events.vocabulary import normalise
from cqc_ledger.ledger.application import utc_now
from cqc_ledger.projections import output


def _kinds(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    """The kinds asked for, matched loosely: any kind the summary counts, `consistent` too; `all`
    is every kind of anomaly (every kind but consistent); none: inconsistent."""
    from cqc_ledger.projections.judgement import CONSISTENT
    from cqc_ledger.projections.judgement import KINDS as ANOMALY_KINDS

    counted = (*ANOMALY_KINDS, CONSISTENT)
    chosen = []
    for value in values or ("inconsistent",):
        word = normalise(value)
        if word == "all":
            return ANOMALY_KINDS
        found = next((k for k in counted if normalise(k) == word), None)
        if found is None:
            raise click.BadParameter(f'"{value}" is not a kind of anomaly: use one of {", ".join(counted)} or all')
        chosen.append(found)
    return tuple(chosen)


@click.command()
@AT
@KNOWN_AT
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    callback=_kinds,
    metavar="KIND",
    help="inconsistent (the default), stale, assumed, incomplete, all (these four), or consistent; may be given more than once.",
)
@click.option("--provider", "provider_id", type=PROVIDER, help="Only this provider's ratings (its id or its name).")
@output_formats
@click.pass_context
def anomalies(
    ctx: click.Context, at: date | None, known_at: datetime | None, kinds: tuple[str, ...], provider_id: str | None, fmt: str | None
) -> None:
    """Published aggregate ratings on a day (of every provider, or one) judged against CQC's
    aggregation principles, by kind: `inconsistent` (on its day, with every rating under it
    recorded, CQC's stated rules give something else), `stale` (consistent then, but what is
    under it was rated again since), `assumed` (the disagreement rests on a threshold CQC has
    not stated), `incomplete` (fewer ratings under it recorded than it aggregates). A summary
    line counts each kind. CQC balances the principles with judgement: each is a question to ask.

    \b
    Example:
      cqc-ledger anomalies --at 2020-01-01
      cqc-ledger anomalies --kind all --provider RWP --json
    """
    from cqc_ledger.projections.anomalies import survey
    from cqc_ledger.projections.register import histories

    now = utc_now()
    at = at or now.date()
    with opened(ctx) as ledger:
        found = survey([(provider_id, ledger.entries_of(provider_id))] if provider_id else histories(ledger), at, known_at, kinds=kinds)
    document = output.anomalies.anomalies_json(found, at, known_at or now)
    emit(fmt, document, lambda: output.anomalies.anomalies_text(document), rows=document["anomalies"])
