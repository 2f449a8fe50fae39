"""The cqc-ledger command: parse the arguments, call one thing, render the answer.

`main` is the group; each command lives in a module of its own in `commands/`, imported only
when it runs (or `--help` lists it), so that a command starts with what it uses and nothing
another command needs (tests/cli/test_what_a_command_loads.py). What several commands share is
in modules named for it: `params` (the types of arguments: a day, a time, a word of a list, a
provider), `options` (the options several commands take: --at, --known-at, the output formats),
`opening` (the ledger a command reads or writes), `emit` (answers on standard output),
`writing` (recording and saying what was recorded), `reading` (a command's input file),
`progress` (progress bars), `drawing` (a chart to a file) and `group` (loading the commands,
telling their failures).
"""

from __future__ import annotations

import click

from cqc_ledger.cli.commands import MODULES
from cqc_ledger.cli.group import LedgerGroup, db_checked
from cqc_ledger.ledger.store.target import DEFAULT_TARGET


@click.group(cls=LedgerGroup, modules=MODULES, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    envvar="CQC_LEDGER_DB",
    default=DEFAULT_TARGET,
    show_default=True,
    callback=db_checked,
    help="The ledger: a SQLite file path, or a PostgreSQL URL such as postgresql://user@localhost:5432/cqc, whose query may "
    "name a schema and libpq's options (?schema=ledger&sslmode=verify-full) (or $CQC_LEDGER_DB).",
)
@click.version_option(package_name="cqc-ledger", message="cqc-ledger %(version)s")
@click.pass_context
def main(ctx: click.Context, db: str) -> None:
    """The regulatory record of England's NHS trusts: every CQC inspection, report, rating,
    warning notice and special-measures change as an immutable entry, and each trust's status
    on any day, as known at any time.

    \b
    Example:
      cqc-ledger record examples/RWP.jsonl
      cqc-ledger status RWP --at 2018-01-01
    """
    ctx.obj = {"db": db}
