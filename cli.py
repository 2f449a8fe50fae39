"""The cqc-ledger command: parse the arguments, call one thing, render the answer."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any, TextIO

import click
import orjson

from ledger import storage
from events.vocabulary import RATINGS
from ledger.application import Ledger, utc_now
from ledger.errors import LedgerError
from ledger.input import read_entries
from ledger.records import parse_time
from projections import render, shapes, trusts as register
from projections.history import history as history_of
from projections.views import Views, open_views

_PROGRESS_FROM = 2000  # lines: shorter inputs finish before a bar would be worth drawing


class Day(click.ParamType):
    """A day, as YYYY-MM-DD."""

    name = "DAY"

    def convert(self, value: Any, param: Any, ctx: Any) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(f'"{value}" is not a day like 2018-01-01', param, ctx)


class Moment(click.ParamType):
    """A time, as ISO 8601 (a bare day means its end), taken as UTC without a zone."""

    name = "TIME"

    def convert(self, value: Any, param: Any, ctx: Any) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            return parse_time(value)
        except ValueError:
            self.fail(f'"{value}" is not a time like 2019-03-01 or 2019-03-01T12:00:00Z', param, ctx)


class LedgerGroup(click.Group):
    """Turns every LedgerError into `Error: ...` on standard error with exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LedgerError as error:
            raise click.ClickException(str(error)) from None


def emit_json(document: Any) -> None:
    """The one way JSON leaves the program: orjson, sorted keys, one document."""
    sys.stdout.buffer.write(orjson.dumps(document, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2))
    sys.stdout.buffer.write(b"\n")


@contextmanager
def opened(ctx: click.Context, *, must_exist: bool = True) -> Iterator[Ledger]:
    target = ctx.obj["db"]
    storage.check_target(target, must_exist=must_exist)
    ledger = Ledger(target)
    try:
        yield ledger
    finally:
        ledger.close()


AT = click.option("--at", "at", type=Day(), help="The day (default: today, UTC).")
KNOWN_AT = click.option("--known-at", type=Moment(), help="Only what the ledger had recorded by this time.")
JSON = click.option("--json", "as_json", is_flag=True, help="One JSON document on standard output.")


@click.group(cls=LedgerGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db", envvar="CQC_LEDGER_DB", default=storage.DEFAULT_TARGET, show_default=True,
    help="The ledger: a SQLite file path (or $CQC_LEDGER_DB).",
)
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


@main.command()
@click.argument("file", type=click.File("rb"), default="-")
@JSON
@click.pass_context
def record(ctx: click.Context, file: TextIO, as_json: bool) -> None:
    """Record the entries of a JSON Lines FILE (`-` or none: standard input).

    The whole input is checked before anything is written; one bad line refuses it all and
    names the line and the field. Entries already recorded are skipped.

    \b
    Example:
      cqc-ledger record examples/RWP.jsonl
    """
    now = utc_now()
    lines = file.readlines()
    with _progress(lines, "Checking") as bar:
        numbered = read_entries(bar, today=now.date())
    with opened(ctx, must_exist=False) as ledger:
        outcome = ledger.record(numbered)
        _caught_up(ledger)
    if as_json:
        emit_json({"recorded": outcome.recorded, "skipped": outcome.skipped})
    else:
        click.echo(render.record_text(outcome.recorded, outcome.duplicates))


@contextmanager
def _progress(items: list[Any], label: str) -> Iterator[Any]:
    if len(items) < _PROGRESS_FROM or not sys.stderr.isatty():
        yield items
        return
    with click.progressbar(items, label=label, file=sys.stderr) as bar:
        yield bar


def _caught_up(ledger: Ledger, *, rebuild: bool = False) -> Views:
    """The ledger's views, brought up to date first (with a progress bar when that is long)."""
    views = open_views(ledger)
    behind = (ledger.recorder.max_notification_id() or 0) - (0 if rebuild else views.max_tracking_id("views") or 0)
    apply = views.rebuild if rebuild else views.catch_up
    if behind < _PROGRESS_FROM or not sys.stderr.isatty():
        apply(ledger)
        return views
    with click.progressbar(length=behind, label="Updating views", file=sys.stderr) as bar:
        apply(ledger, bar.update)
    return views


@main.command()
@click.argument("provider_id", metavar="PROVIDER")
@AT
@KNOWN_AT
@JSON
@click.pass_context
def status(ctx: click.Context, provider_id: str, at: date | None, known_at: datetime | None, as_json: bool) -> None:
    """The status of PROVIDER at the end of a day: its ratings at every level, special
    measures, warning notices, last inspection and report.

    \b
    Example:
      cqc-ledger status RWP --at 2018-01-01 --known-at 2019-03-01
    """
    now = utc_now()
    at = at or now.date()
    with opened(ctx) as ledger:
        ledger.entries_of(provider_id, limit=1)  # UnknownProvider if there is none
        folded = _caught_up(ledger).status(provider_id, at, known_at)
    document = shapes.status_json(folded, at, known_at or now)
    emit_json(document) if as_json else click.echo(render.status_text(document))


@main.command()
@click.argument("provider_id", metavar="[PROVIDER]", required=False)
@JSON
@click.pass_context
def entries(ctx: click.Context, provider_id: str | None, as_json: bool) -> None:
    """The raw entries, in recording order, with their refs and both times (all providers, or one).

    \b
    Example:
      cqc-ledger entries RWP --json
    """
    with opened(ctx) as ledger:
        found = ledger.entries_of(provider_id) if provider_id else ledger.all_entries()
        documents = [shapes.recorded_json(r) for r in found]
    emit_json(documents) if as_json else click.echo(render.entries_text(documents))



@main.command()
@AT
@KNOWN_AT
@click.option("--rating", type=click.Choice(RATINGS, case_sensitive=False), help="Only providers rated so overall.")
@click.option("--special-measures", is_flag=True, help="Only providers in special measures (any regime).")
@JSON
@click.pass_context
def trusts(ctx: click.Context, at: date | None, known_at: datetime | None, rating: str | None, special_measures: bool, as_json: bool) -> None:
    """Every provider's headline on a day: overall rating, special measures, open warning notices.

    \b
    Example:
      cqc-ledger trusts --at 2017-01-01 --special-measures
    """
    at = at or utc_now().date()
    rating = next((r for r in RATINGS if rating and r.lower() == rating.lower()), None)
    with opened(ctx) as ledger:
        statuses = _caught_up(ledger).statuses(at, known_at)
    rows = register.register(statuses, rating=rating, special_measures=special_measures)
    emit_json(rows) if as_json else click.echo(render.trusts_text(rows, at))


@main.command()
@click.argument("provider_id", metavar="PROVIDER")
@click.option("--from", "since", type=Day(), help="The first day shown (changes before it still count).")
@click.option("--to", "until", type=Day(), help="The last day shown.")
@KNOWN_AT
@JSON
@click.pass_context
def history(ctx: click.Context, provider_id: str, since: date | None, until: date | None, known_at: datetime | None, as_json: bool) -> None:
    """Every change to PROVIDER in the order it took effect, each with its ref and the cells it
    changed, from and to.

    \b
    Example:
      cqc-ledger history RWP --from 2017-01-01 --to 2019-12-31
    """
    with opened(ctx) as ledger:
        changes = history_of(ledger.entries_of(provider_id), since=since, until=until, known_at=known_at)
    emit_json(changes) if as_json else click.echo(render.history_text(changes))


@main.command()
@click.pass_context
def rebuild(ctx: click.Context) -> None:
    """Drop every view and rebuild it from the entries (a progress bar shows the way).

    \b
    Example:
      cqc-ledger rebuild
    """
    with opened(ctx) as ledger:
        _caught_up(ledger, rebuild=True)
        total = ledger.recorder.max_notification_id() or 0
    click.echo(f"Rebuilt the views from {total} entr{'y' if total == 1 else 'ies'}.")


if __name__ == "__main__":
    main()
