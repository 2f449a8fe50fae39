"""The `cqc-ledger` group: its commands by name, each imported from its own module only when it is
run or listed by `--help`; every failure told as `Error: ...`; `--db` after a command's name."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any

import click

from cqc_ledger.ledger.errors import BadTarget, LedgerError
from cqc_ledger.ledger.store.failures import explained
from cqc_ledger.ledger.store.target import checked, masked

COMMANDS = "cqc_ledger.cli.commands"  # the package holding one module per command


class Commands(MutableMapping[str, click.Command]):
    """A group's commands by name, each imported from its module (in `COMMANDS`, holding the
    command under the module's name) the first time it is asked for. The names are known without
    importing any module, so a command starts with what it uses alone, and "Did you mean" reads
    the names; `--help` asks for every command, and so imports them all, for their short help."""

    def __init__(self, modules: Mapping[str, str]) -> None:
        self.found: dict[str, str | click.Command] = dict(modules)  # a command's name -> its module, until imported

    def __getitem__(self, name: str) -> click.Command:
        found = self.found[name]
        if isinstance(found, str):
            found = self.found[name] = getattr(importlib.import_module(f"{COMMANDS}.{found}"), found)
        return found

    def __setitem__(self, name: str, command: click.Command) -> None:
        self.found[name] = command

    def __delitem__(self, name: str) -> None:
        del self.found[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.found)

    def __len__(self) -> int:
        return len(self.found)


class LedgerGroup(click.Group):
    """The commands named in `modules` (a command's name -> its module in `COMMANDS`), imported
    when used (see `Commands`). Turns every LedgerError, and every failure of the store (told by
    its cause), into `Error: ...` on standard error with exit status 1, with any password masked
    (a closed standard output ends the command quietly); and takes `--db` after the command's
    name as well as before it."""

    def __init__(self, name: str | None = None, *, modules: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(name, commands=Commands(modules), **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as error:
            if isinstance(error, BrokenPipeError) and error.filename is None:
                # Whoever read standard output stopped (`| head`): click ends quietly with status 1,
                # as a Unix tool would end; an output file's failures name their file.
                raise
            target = (ctx.obj or {}).get("db") or ""
            told = error if isinstance(error, LedgerError) else explained(error, target)
            if told is None:
                raise
            raise click.ClickException(masked(str(told), target)) from None

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None and not any(p.name == "db" for p in command.params):
            command.params.append(_DB_AFTER)
        return command


def db_checked(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--db as given, when it names a store the ledger can use (a usage error otherwise: a URL of
    another scheme, or a PostgreSQL URL it cannot read whole, with its password masked)."""
    try:
        return value if value is None else checked(value)
    except BadTarget as bad:
        raise click.BadParameter(str(bad), ctx, param) from None


def _db_after(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if db_checked(ctx, param, value) is not None:
        ctx.find_root().obj["db"] = value


_DB_AFTER = click.Option(["--db"], expose_value=False, callback=_db_after, help="The ledger (as before the command's name).")
