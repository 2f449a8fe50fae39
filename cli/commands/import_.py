"""`cqc-ledger import`: the regulator's own data, recorded as `record` records entries."""

from __future__ import annotations

import click

from cqc_ledger.cli.emit import emit_json
from cqc_ledger.cli.options import JSON
from cqc_ledger.cli.progress import stages
from cqc_ledger.cli.writing import recording
from cqc_ledger.ledger.application import utc_now
from cqc_ledger.ledger.imports import FORMATS


@click.command("import")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(FORMATS))
@click.argument("files", metavar="FILE...", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--all-providers", is_flag=True, help="CQC's monthly files: the whole register, not only NHS trusts.")
@JSON
@click.pass_context
def import_(ctx: click.Context, fmt: str, files: tuple[str, ...], all_providers: bool, as_json: bool) -> None:
    """Import the regulator's own data and record it like `record`: `cqc-api` takes provider
    and location responses of CQC's API (JSON); `cqc-files` CQC's monthly files, in any
    combination (Latest_ratings, HSCA_Active_Locations, Deactivated_Locations; ODS or CSV),
    registering every NHS trust and location they name (`--all-providers`: everyone);
    `cqc-ratings` the "Latest ratings" file alone. Importing again adds only what is new; a file
    that is not CQC data, or that contradicts what is recorded, is refused whole.

    \b
    Example:
      cqc-ledger import cqc-api RWP.json RWP01.json RWP50.json
      cqc-ledger import cqc-files 01_September_2026_Latest_ratings.ods 01_September_2026_HSCA_Active_Locations.ods
    """
    from cqc_ledger.ledger.imports.run import import_files

    with recording(ctx, creating=True) as writing:
        with stages() as stage:
            outcome = writing.whole(
                lambda ledger, follow: import_files(
                    ledger, fmt, files, today=utc_now().date(), followers=[follow], all_providers=all_providers, stage=stage
                )
            )
        emit_json(outcome.as_json()) if as_json else click.echo(outcome.text())
