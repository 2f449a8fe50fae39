"""`cqc-ledger sync`: bring the ledger up to date from CQC's live API."""

from __future__ import annotations

import click

from cqc_ledger.cli.emit import emit_json
from cqc_ledger.cli.opening import opened
from cqc_ledger.cli.options import JSON
from cqc_ledger.cli.params import CqcId
from cqc_ledger.cli.progress import planned_bar
from cqc_ledger.cli.writing import told_if_interrupted
from cqc_ledger.ledger.errors import SyncFailed
from cqc_ledger.ledger.sync import client as sync_client
from cqc_ledger.projections import views


@click.command()
@click.option(
    "--provider",
    "providers",
    type=CqcId(),
    multiple=True,
    help="Only this provider (again for more); without it, every provider in the ledger.",
)
@click.option("--api", envvar="CQC_API_URL", default=sync_client.API, show_default=True, help="CQC's API (or $CQC_API_URL).")
@click.option("--key", envvar="CQC_API_KEY", default="", help="Your subscription key to CQC's API (or $CQC_API_KEY).")
@click.option("--full", is_flag=True, help="Refresh every provider, not only those CQC lists as changed.")
@click.option("--rate", type=click.FloatRange(min=1), default=sync_client.RATE, show_default=True, help="Requests a minute, at most.")
@JSON
@click.pass_context
def sync(ctx: click.Context, providers: tuple[str, ...], api: str, key: str, full: bool, rate: float, as_json: bool) -> None:
    """Bring the ledger up to date from CQC's live API: each provider and its locations are
    fetched and recorded as `import cqc-api` would, one provider at a time, whole or not at all.
    Without --provider, every provider in the ledger that CQC lists as changed since the last
    successful sync (all of them the first time, or with --full).

    \b
    Example:
      cqc-ledger sync --provider RWP --key $CQC_API_KEY
      cqc-ledger sync
    """
    from cqc_ledger.ledger.sync.run import sync as run_sync

    if not key.strip():
        raise SyncFailed(
            "no key for CQC's API: register (free) at https://api-portal.service.cqc.org.uk, subscribe to the public API, "
            "then give your key with --key KEY or $CQC_API_KEY"
        )
    # the whole command, its summary too: what stands is the same after the run as during it
    with (
        told_if_interrupted("every provider finished before stays recorded, none half; run sync again to carry on"),
        opened(ctx, writing=True, creating=bool(providers)) as ledger,  # a new ledger that recorded nothing is removed
    ):
        with sync_client.Client(api, key.strip(), rate=rate) as client, planned_bar("Syncing") as bar:
            done = views.written(ledger, lambda follow: run_sync(ledger, client, providers=providers, full=full, followers=[follow], **bar))
        emit_json(done.as_json()) if as_json else click.echo(done.text())
        if done.failed:
            raise SyncFailed(
                f"{len(done.failed)} provider{'s' if len(done.failed) > 1 else ''} could not be synced: {', '.join(done.failed)} (see above)"
            )
