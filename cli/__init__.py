"""The cqc-ledger command: parse the arguments, call one thing, render the answer."""

from __future__ import annotations

import functools
import io
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import click
import orjson

from cqc_ledger.events.vocabulary import PROVIDER_TYPES, QUESTION_WORDS, QUESTIONS, RATINGS, matcher, normalise, suggestion
from cqc_ledger.ledger.application import Follower, Ledger, Outcome, told_by_line, utc_now
from cqc_ledger.ledger.errors import BadTarget, InputError, LedgerError, MalformedLine, MissingExtra, SyncFailed
from cqc_ledger.ledger.imports import FORMATS as IMPORT_FORMATS
from cqc_ledger.ledger.records import id_refusal, is_id, parse_ref, parse_time
from cqc_ledger.ledger.store.failures import explained
from cqc_ledger.ledger.store.opening import inspect, removed_if_refused
from cqc_ledger.ledger.store.target import DEFAULT_TARGET, checked, masked
from cqc_ledger.ledger.sync import client as sync_client
from cqc_ledger.projections import answers, counts, output, views
from cqc_ledger.projections import trusts as register

# What only some commands use (reading input, importing, syncing, the hash chain, the changes,
# transitions and anomalies across the register, the charts) is imported inside those commands,
# so that `status` or `trusts` starts without loading it (tests/cli/test_what_a_command_loads.py).

T = TypeVar("T")
_PROGRESS_FROM = 20_000  # entries: fewer are applied before a bar would be worth drawing
_PROGRESS_BYTES = 4_000_000  # an input this large takes long enough to show a bar
_READ_BYTES = 1 << 20


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


class Loose(click.ParamType):
    """One word of a closed list, matched as the README promises: without regard to case, `-`,
    `_` or spaces (`requires-improvement` is "Requires improvement"); the value is the list's own word."""

    def __init__(self, words: tuple[str, ...], name: str = "WORD"):
        self.words = words
        self.table = matcher(words)
        self.name = name

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        found = self.table.get(normalise(str(value)))
        if found is None:
            self.fail(f'"{value}" is not one of: {", ".join(self.words)}{suggestion(str(value), self.words)}', param, ctx)
        return found


class ProviderName(click.ParamType):
    """A provider id, or a name (current or former, of the provider or of one of its locations)
    that stands for exactly one provider; an ambiguous name is refused, listing the candidates."""

    name = "PROVIDER"

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        with opened(ctx) as ledger:
            return answers.provider_id(ledger, value)


PROVIDER = ProviderName()


class CqcId(click.ParamType):
    """A provider id in CQC's form (an ODS code or a CQC number), refused before it is used (in
    an address of CQC's API, say); a lower-case id with the id it may mean."""

    name = "ID"

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        if not is_id(str(value)):
            self.fail(id_refusal(str(value)), param, ctx)
        return str(value)


class LedgerGroup(click.Group):
    """Turns every LedgerError, and every failure of the store (told by its cause), into
    `Error: ...` on standard error with exit status 1, with any password masked (a closed
    standard output ends the command quietly); and takes `--db` after the command's name as
    well as before it."""

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


def _db_checked(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--db as given, when it names a store the ledger can use (a usage error otherwise: a URL of
    another scheme, or a PostgreSQL URL it cannot read whole, with its password masked)."""
    try:
        return value if value is None else checked(value)
    except BadTarget as bad:
        raise click.BadParameter(str(bad), ctx, param) from None


def _db_after(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if _db_checked(ctx, param, value) is not None:
        ctx.find_root().obj["db"] = value


_DB_AFTER = click.Option(["--db"], expose_value=False, callback=_db_after, help="The ledger (as before the command's name).")


def emit_json(document: Any) -> None:
    """The one way JSON leaves the program: orjson, sorted keys, one document."""
    sys.stdout.buffer.write(output.formats.json_bytes(document))


def emit(
    fmt: str | None, document: Any, text: Callable[[], str], rows: list[dict[str, Any]] | None = None, columns: Iterable[str] = ()
) -> None:
    """A listing's answer: `text()` for a person, or the document (its rows) in the format asked."""
    if fmt is None:
        click.echo(text())
    else:
        sys.stdout.buffer.write(output.formats.formatted(fmt, document, rows, tuple(columns)))


def output_formats(command: Callable[..., Any]) -> Callable[..., Any]:
    """The one option of every listing command: --json, --csv or --nl (text when none), as `fmt`."""

    @functools.wraps(command)
    def chosen(*args: Any, as_json: bool, as_csv: bool, as_nl: bool, **kwargs: Any) -> Any:
        asked = [fmt for fmt, on in zip(output.formats.FORMATS, (as_json, as_csv, as_nl), strict=True) if on]
        if len(asked) > 1:
            raise click.UsageError(f"choose one output format, not {' and '.join('--' + f for f in asked)}")
        return command(*args, fmt=asked[0] if asked else None, **kwargs)

    for flag, dest, words in reversed(_FORMAT_OPTIONS):
        chosen = click.option(f"--{flag}", dest, is_flag=True, help=words)(chosen)
    return chosen


_FORMAT_OPTIONS = (
    ("json", "as_json", "One JSON document on standard output."),
    ("csv", "as_csv", "CSV: a header of the JSON's keys, then one row per item."),
    ("nl", "as_nl", "Newline-delimited JSON: one object per line."),
)


@contextmanager
def opened(ctx: click.Context, *, writing: bool = False, creating: bool = False) -> Iterator[Ledger]:
    """The ledger at --db, for a reading command, a `writing` one, or one `creating` a ledger if
    there is none (see `ledger.store.opening`); a new file is removed again if the command fails.

    A reading command's ledger is opened once, for its arguments (a provider named) and its
    answer alike, and closed when the command ends. On PostgreSQL it reads through the one
    connection its schema was inspected on: each opening cost a connection and a look at the
    schema, and eventsourcing's pool opened two or three connections more."""
    target = ctx.obj["db"]
    if not writing and not creating:
        yield _for_reading(ctx.find_root(), target)
        return
    found = inspect(target, writing=writing, creating=creating)
    with removed_if_refused(target, creating=creating, empty=not found.ledger):
        ledger = Ledger(target, read_only=found.read_only)
        try:
            yield ledger
        finally:
            ledger.close()


def _for_reading(root: click.Context, target: str) -> Ledger:
    """The command's one reading ledger at `target`, opened at its first use."""
    kept: dict[str, Ledger] = root.meta.setdefault("cqc_ledger.reading", {})
    if target not in kept:
        found = inspect(target, writing=False, creating=False, keep=True)
        kept[target] = Ledger(target, read_only=found.read_only, found=found)
        root.call_on_close(kept[target].close)
    return kept[target]


AT = click.option("--at", "at", type=Day(), help="The day (default: today, UTC).")
KNOWN_AT = click.option("--known-at", type=Moment(), help="Only what the ledger had recorded by this time.")
JSON = click.option("--json", "as_json", is_flag=True, help="One JSON document on standard output.")


@click.group(cls=LedgerGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    envvar="CQC_LEDGER_DB",
    default=DEFAULT_TARGET,
    show_default=True,
    callback=_db_checked,
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


@main.command()
@click.argument("file", type=click.File("rb"), default="-")
@JSON
@click.pass_context
def record(ctx: click.Context, file: BinaryIO, as_json: bool) -> None:
    """Record the entries of a JSON Lines FILE (`-` or none: standard input).

    The whole input is checked before anything is written; one bad line refuses it all and
    names the line and the field. Entries already recorded are skipped.

    \b
    Example:
      cqc-ledger record examples/RWP.jsonl
    """
    from cqc_ledger.ledger.input import iter_entries
    from cqc_ledger.ledger.parsing import no_cell_notes

    if _is_terminal(file):  # say so, rather than wait in silence for what a person may not know to type
        click.echo("Reading JSON Lines from standard input (end with Ctrl-D; or name a FILE: cqc-ledger record FILE) ...", err=True)
    left_out: list[tuple[int, str, str]] = []  # cells whose rating was a word for none
    with opened(ctx, creating=True) as ledger, _reading(file) as lines:
        read = iter_entries(lines, today=utc_now().date(), left_out=left_out)
        try:
            outcome = _written(ledger, lambda follow: ledger.record(read, followers=[follow]))
        except InputError as refused:
            raise told_by_line(refused) from None
    outcome.notes.extend(no_cell_notes(left_out))
    _show(outcome, as_json)


def _is_terminal(file: BinaryIO) -> bool:
    try:
        return file.isatty()
    except (AttributeError, ValueError, OSError):
        return False


@contextmanager
def _reading(file: BinaryIO) -> Iterator[Iterable[bytes]]:
    """The lines of an input, with a progress bar on a terminal when the input is large: sized
    by a file's bytes; for an input of unknown size (a pipe), one with no total, counting the
    lines read once as many bytes have come as make a file large. A failure to read them names
    the input (one typed at the terminal gets no bar: it would be drawn over the typing)."""
    from cqc_ledger.ledger.input import read_lines

    size = _size(file)
    with _in_large_pieces(file) as read:
        lines = read_lines(read, _name(file))
        if (size is not None and size < _PROGRESS_BYTES) or not sys.stderr.isatty() or _is_terminal(file):
            yield lines
        elif size is None:
            with _open_ended("Recording") as update:
                yield _counted(lines, update)
        else:
            with click.progressbar(length=size, label="Recording", file=sys.stderr) as bar:
                yield _counted(lines, bar.update)


@contextmanager
def _open_ended(label: str) -> Iterator[Callable[[int], None]]:
    """`update(n)` for each line of n bytes read: from the point the bytes read make the input
    large, a progress bar with no total, counting the lines read (redrawn every thousand)."""
    import itertools

    drawn: list[Any] = []
    read = [0, 0]  # bytes, lines

    def update(n: int) -> None:
        read[0] += n
        read[1] += 1
        if drawn:
            drawn[0].update(1)
        elif read[0] >= _PROGRESS_BYTES:
            unsized = itertools.count()  # an iterable of no known length: a bar with no total
            bar = click.progressbar(unsized, label=label, file=sys.stderr, show_pos=True, update_min_steps=1000, item_show_func=_lines_read)
            bar.make_step(read[1])  # the lines read so far, drawn as it appears
            drawn.append(bar.__enter__())

    try:
        yield update
    finally:
        for bar in drawn:
            bar.__exit__(None, None, None)


def _lines_read(_: Any) -> str:
    return "lines read"


@contextmanager
def _in_large_pieces(file: BinaryIO) -> Iterator[BinaryIO]:
    """The input read from its file descriptor 1 MiB at a time (in lines of a few KiB, the
    default pieces of 8 KiB made reading them take twice the processor time); the input as
    given when it has no descriptor (a test's bytes)."""
    try:
        read = open(file.fileno(), "rb", buffering=_READ_BYTES, closefd=False)  # noqa: SIM115 (closed below)
    except (OSError, ValueError, io.UnsupportedOperation):
        yield file
        return
    with read:
        yield read


def _name(file: BinaryIO) -> str:
    """The input's name as given (`-` for standard input, which a test's bytes stand for)."""
    return str(getattr(file, "name", "-"))


def _size(file: BinaryIO) -> int | None:
    """The input's size when it is a file; None when it cannot be known (a pipe, a test's bytes)."""
    import stat

    try:
        found = os.fstat(file.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        return None
    return found.st_size if stat.S_ISREG(found.st_mode) else None


def _counted(lines: Iterable[bytes], update: Callable[[int], None]) -> Iterator[bytes]:
    for line in lines:
        update(len(line))
        yield line


def _written(ledger: Ledger, write: Callable[[Follower], T]) -> T:
    """What `write` returns, with the views following it (see `projections.views.written`)."""
    return views.written(ledger, write)


def _show(outcome: Outcome, as_json: bool, *, done: str = "Recorded") -> None:
    """What a write did: the refs recorded and the lines skipped."""
    if as_json:
        emit_json(output.record.record_json(outcome))
    else:
        click.echo(output.record.record_text(outcome.recorded, outcome.duplicates, done=done))
        for note in outcome.notes:
            click.echo(f"Note: {note}")


def _rebuilt(ledger: Ledger) -> int:
    """Rebuilds the views (with a progress bar when that is long); returns the entries applied."""
    total = ledger.recorder.max_notification_id() or 0
    if total < _PROGRESS_FROM or not sys.stderr.isatty():
        return views.rebuilt(ledger)
    with click.progressbar(length=total, label="Rebuilding views", file=sys.stderr) as bar:
        return views.rebuilt(ledger, bar.update)


def _note_behind(answer: views.Answer[Any]) -> None:
    """Says on standard error when an answer was folded from the entries because the views lag."""
    if answer.behind:
        click.echo(
            f"Note: the views are {answer.behind} entr{'y' if answer.behind == 1 else 'ies'} behind the ledger "
            "(another process is writing, or they need `cqc-ledger rebuild`); this answer was folded from the entries themselves.",
            err=True,
        )


@main.command()
@click.argument("provider_id", type=PROVIDER)
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
        answer = answers.status(ledger, provider_id, at, known_at, now)
    _note_behind(answer)
    document = answer.value
    emit_json(document) if as_json else click.echo(output.status.status_text(document))


@main.command()
@click.argument("provider_id", metavar="[PROVIDER]", required=False)
@output_formats
@click.pass_context
def entries(ctx: click.Context, provider_id: str | None, fmt: str | None) -> None:
    """The raw entries, in recording order, with their refs and both times (all providers, or one).

    \b
    Example:
      cqc-ledger entries RWP --json
    """
    with opened(ctx) as ledger:
        found = ledger.entries_of(provider_id) if provider_id else ledger.all_entries()
        documents = [output.entries.entry_json(r) for r in found]
    emit(fmt, documents, lambda: output.entries.entries_text(documents), columns=("ref", "recorded_at", "type", "provider_id"))


@main.command()
@AT
@KNOWN_AT
@click.option("--rating", type=Loose(RATINGS, "RATING"), help="Only providers rated so overall (any case; - or _ for spaces).")
@click.option("--special-measures", is_flag=True, help="Only providers in special measures (any regime).")
@click.option("--name", "name", metavar="TEXT", help="Only providers whose name has every word of TEXT.")
@click.option("--provider-type", type=Loose(PROVIDER_TYPES, "TYPE"), help="Only providers of this type (any case; - or _ for spaces).")
@click.option("--region", metavar="REGION", help="Only providers in this CQC region (case ignored).")
@click.option("--deregistered", is_flag=True, help="Also list providers deregistered by the day, marked with the day and successor.")
@output_formats
@click.pass_context
def trusts(
    ctx: click.Context,
    at: date | None,
    known_at: datetime | None,
    rating: str | None,
    special_measures: bool,
    name: str | None,
    provider_type: str | None,
    region: str | None,
    deregistered: bool,
    fmt: str | None,
) -> None:
    """Every provider on the register on a day: overall rating, the day it came to be so and its
    age in days, special measures, open warning notices; filterable.

    \b
    Example:
      cqc-ledger trusts --at 2017-01-01 --special-measures
      cqc-ledger trusts --region "South West" --provider-type acute --csv
      cqc-ledger trusts --at 2020-01-01 --deregistered
    """
    at = at or utc_now().date()
    chosen = register.Filters(
        rating=rating, special_measures=special_measures, name=name, provider_type=provider_type, region=region, deregistered=deregistered
    )
    with opened(ctx) as ledger:
        answer = answers.trusts(ledger, at, known_at, chosen)
    _note_behind(answer)
    rows = answer.value
    emit(fmt, rows, lambda: output.trusts.trusts_text(rows, at), columns=output.trusts.COLUMNS)


@main.command()
@click.argument("provider_id", type=PROVIDER)
@click.option("--from", "since", type=Day(), help="The first day shown (changes before it still count).")
@click.option("--to", "until", type=Day(), help="The last day shown.")
@KNOWN_AT
@output_formats
@click.pass_context
def history(
    ctx: click.Context, provider_id: str, since: date | None, until: date | None, known_at: datetime | None, fmt: str | None
) -> None:
    """Every change to PROVIDER in the order it took effect, each with its ref and the cells it
    changed, from and to.

    \b
    Example:
      cqc-ledger history RWP --from 2017-01-01 --to 2019-12-31
    """
    if since and until:
        _period(since, until)
    with opened(ctx) as ledger:
        changes = answers.history(ledger, provider_id, since, until, known_at)
    emit(fmt, changes, lambda: output.history.history_text(changes), columns=output.history.COLUMNS)


@main.command()
@click.pass_context
def rebuild(ctx: click.Context) -> None:
    """Drop every view and rebuild it from the entries (a progress bar shows the way).

    \b
    Example:
      cqc-ledger rebuild
    """
    with opened(ctx, writing=True) as ledger:
        _rebuilt(ledger)
        total = ledger.recorder.max_notification_id() or 0
    click.echo(f"Rebuilt the views from {total} entr{'y' if total == 1 else 'ies'}.")


# ---- across the register: find, changes, counts, transitions ---------------------------

PROVIDER_TYPE = click.option(
    "--provider-type", type=Loose(PROVIDER_TYPES, "TYPE"), help="Only providers of this type (any case; - or _ for spaces)."
)
REGION = click.option("--region", metavar="REGION", help='Only providers in this CQC region, e.g. "South West" (case ignored).')
RATING = click.option("--rating", type=Loose(RATINGS, "RATING"), help="Only this rating (the new value, for changes; any case).")


def _period(start: date, end: date) -> None:
    if start > end:
        raise click.BadParameter(f"{start} is after --to {end}", param_hint="--from")


@main.command("find")
@click.argument("text")
@output_formats
@click.pass_context
def find_(ctx: click.Context, text: str, fmt: str | None) -> None:
    """Providers and locations whose current or former names match TEXT: every word of TEXT
    begins a word of the name, with case, accents and punctuation ignored. Where a command takes
    a PROVIDER id, such a name also does, when it stands for one provider only.

    \b
    Example:
      cqc-ledger find "worcestershire acute"
      cqc-ledger find "kings college" --csv
    """
    with opened(ctx) as ledger:
        answer = answers.find(ledger, text)
    _note_behind(answer)
    found = answer.value
    rows = [output.find.found_json(f) for f in found]
    emit(fmt, rows, lambda: output.find.find_text(found, text), columns=output.find.COLUMNS)


def _question_option(default: str | None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "--question",
        default=default,
        show_default=default is not None,
        callback=lambda ctx, param, value: value and _question(ctx, param, value),
        metavar="Q",
        help="overall, safe, effective, caring, responsive, well-led, use-of-resources or combined.",
    )


@main.command("changes")
@click.option("--from", "start", type=Day(), required=True, help="The first day: changes after its end count.")
@click.option("--to", "end", type=Day(), required=True, help="The last day (changes on it count).")
@_question_option(None)
@click.option("--level", type=Loose(register.LEVELS, "LEVEL"), help="Only trust-level, location-level or service-level cells (any case).")
@PROVIDER_TYPE
@REGION
@RATING
@KNOWN_AT
@output_formats
@click.pass_context
def changes_(
    ctx: click.Context,
    start: date,
    end: date,
    question: str | None,
    level: str | None,
    provider_type: str | None,
    region: str | None,
    rating: str | None,
    known_at: datetime | None,
    fmt: str | None,
) -> None:
    """Every rating cell across the register whose value changed after --from, up to --to:
    provider, location, service, question, from and to, the day and the ref of the entry.

    \b
    Example:
      cqc-ledger changes --from 2018-12-31 --to 2019-12-31 --level trust --question overall
      cqc-ledger changes --from 2018-12-31 --to 2019-12-31 --rating inadequate --csv
    """
    from cqc_ledger.projections import changes

    _period(start, end)
    asked = changes.Asked(register.Filters(rating=rating, provider_type=provider_type, region=region), question, level)
    with opened(ctx) as ledger:
        answer = answers.changes(ledger, start, end, known_at, asked)
    _note_behind(answer)
    rows = answer.value
    emit(fmt, rows, lambda: output.changes.changes_text(rows, start, end), columns=output.changes.COLUMNS)


def _chart_file(ctx: click.Context, param: click.Parameter, value: str | None) -> Path | None:
    from cqc_ledger.projections.charts import FORMATS as CHART_FORMATS

    if value is not None and Path(value).suffix.lower() not in CHART_FORMATS:
        raise click.BadParameter(f'"{value}" does not end in one of {", ".join(CHART_FORMATS)}: name the file for the format wanted')
    return Path(value) if value is not None else None


def _chart(ctx: click.Context, spec: dict[str, Any], out: Path) -> Path:
    """Draws the chart to `out` as its suffix says, the file written whole (see `output.files`)."""
    from cqc_ledger.projections import charts

    output.files.refuse_the_ledger(str(out), ctx.obj["db"])  # before the drawing's work
    drawing = charts.drawn(spec, out.suffix.lower())
    with output.files.written_whole(str(out), ctx.obj["db"]) as file:
        file.write(drawing)
    return out


@main.command("counts")
@click.option("--from", "start", type=Day(), required=True, help="The first day of the series.")
@click.option("--to", "end", type=Day(), required=True, help="The last day of the series.")
@click.option("--every", type=click.Choice(counts.EVERY), default="month", show_default=True, help="The length of each period.")
@click.option("--by", type=click.Choice(counts.BY), default="rating", show_default=True, help="What is counted.")
@_question_option("overall")
@PROVIDER_TYPE
@REGION
@RATING
@KNOWN_AT
@click.option(
    "--chart", "chart_file", callback=_chart_file, metavar="FILE", help="Also draw the series, stacked: .svg, .png, .html or .json."
)
@output_formats
@click.pass_context
def counts_(
    ctx: click.Context,
    start: date,
    end: date,
    every: str,
    by: str,
    question: str,
    provider_type: str | None,
    region: str | None,
    rating: str | None,
    known_at: datetime | None,
    chart_file: Path | None,
    fmt: str | None,
) -> None:
    """How many providers on the register at the end of each period (deregistered ones left
    out), by trust-level rating of a question, special-measures regime or oversight segment.
    Each number is what `trusts --at` says on that day. With --chart, the series is also drawn
    to FILE, each period's providers stacked by value (needs the extra `charts`:
    pip install 'cqc-ledger[charts]').

    \b
    Example:
      cqc-ledger counts --from 2015-01-01 --to 2024-12-31 --every quarter --by special-measures
      cqc-ledger counts --from 2014-01-01 --to 2024-12-31 --every year --chart ratings.svg
    """
    from cqc_ledger.projections import charts

    _period(start, end)
    days = counts.period_ends(start, end, every)
    chosen = register.Filters(rating=rating, provider_type=provider_type, region=region)
    with opened(ctx) as ledger:
        answer = answers.counts(ledger, days, known_at, by=by, question=question, filters=chosen)
    _note_behind(answer)
    rows = answer.value
    if chart_file is not None:
        spec = charts.counts_spec(rows, title=charts.counts_title(rows, by=by, question=question, every=every, filters=chosen))
        click.echo(f"Wrote {_chart(ctx, spec, chart_file)}", err=True)
    emit(fmt, rows, lambda: output.counts.counts_text(rows, by, question), columns=output.counts.columns(by))


@main.command("transitions")
@click.option("--from", "start", type=Day(), required=True, help="The first day.")
@click.option("--to", "end", type=Day(), required=True, help="The second day.")
@_question_option("overall")
@PROVIDER_TYPE
@REGION
@KNOWN_AT
@output_formats
@click.pass_context
def transitions_(
    ctx: click.Context,
    start: date,
    end: date,
    question: str,
    provider_type: str | None,
    region: str | None,
    known_at: datetime | None,
    fmt: str | None,
) -> None:
    """The matrix of trust-level ratings on --from (rows) against --to (columns), over the
    providers on the register on both days.

    \b
    Example:
      cqc-ledger transitions --from 2016-12-31 --to 2019-12-31
    """
    from cqc_ledger.projections import transitions

    _period(start, end)
    chosen = register.Filters(provider_type=provider_type, region=region)
    with opened(ctx) as ledger:
        answer = answers.register_on(ledger, sorted({start, end}), known_at, question)
    _note_behind(answer)
    on_days = answer.value
    first, second = (counts.kept(on_days.get(day, []), chosen) for day in (start, end))
    document = transitions.transitions(start, end, question, first, second)
    emit(
        fmt,
        document,
        lambda: output.transitions.transitions_text(document),
        rows=output.transitions.rows(document),
        columns=output.transitions.COLUMNS,
    )


# ---- audit: explain, diff, anomalies ---------------------------------------------------


def _question(ctx: click.Context, param: click.Parameter, value: str) -> str:
    found = QUESTION_WORDS.get(normalise(value))
    if found is None:
        raise click.BadParameter(f'"{value}" is not a question: use one of {", ".join(QUESTIONS)}')
    return found


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


def _service(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from cqc_ledger.events.services import canonical_service

    return canonical_service(value) if value else None


@main.command()
@click.argument("provider_id", type=PROVIDER)
@click.option("--location", "location_id", metavar="ID", help="A location's rating (default: the trust's own).")
@click.option("--service", callback=_service, metavar="NAME", help="A service's rating (CQC's names or a variant).")
@click.option(
    "--question",
    default="overall",
    show_default=True,
    callback=_question,
    metavar="Q",
    help="overall, safe, effective, caring, responsive, well-led, use-of-resources or combined.",
)
@AT
@KNOWN_AT
@JSON
@click.pass_context
def explain(
    ctx: click.Context,
    provider_id: str,
    location_id: str | None,
    service: str | None,
    question: str,
    at: date | None,
    known_at: datetime | None,
    as_json: bool,
) -> None:
    """How one rating of PROVIDER came about: the entry, report and inspections that set it,
    every earlier value back to the first, the corrections and retractions that touched them,
    and, for an aggregate rating, what CQC's aggregation principles give from the ratings under it.

    \b
    Example:
      cqc-ledger explain RWP --at 2018-03-01
      cqc-ledger explain RX9 --service "Emergency and urgent care" --question safe --json
    """
    now = utc_now()
    with opened(ctx) as ledger:
        document = answers.explain(ledger, provider_id, (location_id, service, question), at or now.date(), known_at, now)
    emit_json(document) if as_json else click.echo(output.explain.explain_text(document))


@main.command()
@click.argument("provider_id", type=PROVIDER)
@click.option("--from", "start", type=Day(), required=True, help="The first day (its status at its end).")
@click.option("--to", "end", type=Day(), required=True, help="The second day (its status at its end).")
@KNOWN_AT
@JSON
@click.pass_context
def diff(ctx: click.Context, provider_id: str, start: date, end: date, known_at: datetime | None, as_json: bool) -> None:
    """What differs in PROVIDER's status between two days: each rating, special-measures
    regime, warning notice and oversight segment, from and to, with the entries that changed it.

    \b
    Example:
      cqc-ledger diff RWP --from 2017-01-01 --to 2019-12-31
    """
    if start > end:
        raise click.BadParameter(f"{start} is after --to {end}", param_hint="--from")
    with opened(ctx) as ledger:
        document = answers.diff(ledger, provider_id, start, end, known_at, utc_now())
    emit_json(document) if as_json else click.echo(output.diff.diff_text(document))


@main.command()
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


@main.command("import")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(IMPORT_FORMATS))
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

    with opened(ctx, creating=True) as ledger, _stages() as stage:
        outcome = _written(
            ledger,
            lambda follow: import_files(
                ledger, fmt, files, today=utc_now().date(), followers=[follow], all_providers=all_providers, stage=stage
            ),
        )
    emit_json(outcome.as_json()) if as_json else click.echo(outcome.text())


@contextmanager
def _stages() -> Iterator[Callable[[str, int, str], Callable[[int], None]]]:
    """An import's stages (see `imports.run.Stage`), each with a progress bar as record draws one:
    on a terminal, when the stage is long (as many bytes as a large input, or as many entries as
    a long rebuild); each bar ends before the next stage begins."""
    drawn: list[Any] = []

    def ended() -> None:
        while drawn:
            drawn.pop().__exit__(None, None, None)

    def stage(label: str, size: int, unit: str) -> Callable[[int], None]:
        ended()
        if size < (_PROGRESS_BYTES if unit == "bytes" else _PROGRESS_FROM) or not sys.stderr.isatty():
            return lambda _: None
        drawn.append(click.progressbar(length=size, label=label, file=sys.stderr).__enter__())
        return drawn[0].update

    try:
        yield stage
    finally:
        ended()


@main.command()
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
    with opened(ctx, writing=True, creating=bool(providers)) as ledger:  # a new ledger that recorded nothing is removed
        with sync_client.Client(api, key.strip(), rate=rate) as client, _bar("Syncing") as bar:
            try:
                done = _written(ledger, lambda follow: run_sync(ledger, client, providers=providers, full=full, followers=[follow], **bar))
            except KeyboardInterrupt:
                raise SyncFailed(
                    "interrupted: every provider finished before stays recorded, none half; run sync again to carry on"
                ) from None
        emit_json(done.as_json()) if as_json else click.echo(done.text())
        if done.failed:
            raise SyncFailed(
                f"{len(done.failed)} provider{'s' if len(done.failed) > 1 else ''} could not be synced: {', '.join(done.failed)} (see above)"
            )


@contextmanager
def _bar(label: str) -> Iterator[dict[str, Callable[[Any], None]]]:
    """`planned` and `progress` callbacks drawing a progress bar on a terminal (else nothing)."""
    if not sys.stderr.isatty():
        yield {}
        return
    bars: list[Any] = []

    def planned(length: int) -> None:
        bars.append(click.progressbar(length=length, label=label, file=sys.stderr).__enter__())

    def progress(_: Any) -> None:
        if bars:
            bars[0].update(1)

    try:
        yield {"planned": planned, "progress": progress}
    finally:
        for bar in bars:
            bar.__exit__(None, None, None)


@main.command()
@click.option("--out", "out", metavar="FILE", default="-", help="Where to write (default: standard output).")
@click.pass_context
def export(ctx: click.Context, out: str) -> None:
    """Write the whole ledger as JSON Lines, in recording order: each line an entry as recorded,
    with its `ref` and `recorded_at`. `restore` reads it back exactly. A FILE is written whole or
    not at all (a failed export leaves what was there); the ledger's own file is refused.

    \b
    Example:
      cqc-ledger export --out ledger.jsonl
    """
    if not out:
        raise click.BadParameter("name a file, or - for standard output", param_hint="--out")
    with _output(ctx, out) as file, opened(ctx) as ledger:  # the ledger's own file is refused before it is opened
        for recorded in ledger.all_entries():
            file.write(orjson.dumps(output.entries.entry_json(recorded), option=orjson.OPT_SORT_KEYS) + b"\n")


def _output(ctx: click.Context, out: str) -> AbstractContextManager[BinaryIO]:
    """Standard output for `-`, else the file `out` written whole (see `output.files`)."""
    if out == "-":
        output.files.refuse_the_ledger_as_standard_output(ctx.obj["db"])
        return nullcontext(sys.stdout.buffer)
    return output.files.written_whole(out, ctx.obj["db"])


@main.command()
@click.argument("file", type=click.File("rb"))
@JSON
@click.pass_context
def restore(ctx: click.Context, file: BinaryIO, as_json: bool) -> None:
    """Record an export (FILE, or - for standard input) into a new, empty ledger (name it with
    --db before the command), every entry at its own ref and time, checked by the same rules as
    `record`. This is also how a ledger moves from one store to another.

    \b
    Example:
      cqc-ledger restore ledger.jsonl
    """
    from cqc_ledger.ledger.input import iter_exported

    with opened(ctx, creating=True) as ledger, _reading(file) as lines:
        outcome = _written(ledger, lambda follow: ledger.restore(iter_exported(lines, today=utc_now().date()), followers=[follow]))
    _show(outcome, as_json, done="Restored")


@main.command()
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
      cqc-ledger verify --digest
      cqc-ledger verify --against 40:e7c55cc7133df90d4afe1f20343f56b65c9fc15ef6c98ae5ffa37b2d4bb5261c
      cqc-ledger verify --json
    """
    from cqc_ledger.ledger import chain, integrity

    if digest and as_json:
        raise click.UsageError('--digest prints the head alone, and --json holds it already (as "head"): give one of them')
    try:
        published = chain.Head.parse(against) if against else None
    except ValueError as bad:
        raise click.BadParameter(str(bad), param_hint="--against") from None
    with opened(ctx) as ledger:
        head = integrity.verified(ledger, published)
    if as_json:
        emit_json(integrity.verified_json(head, published))
    else:
        click.echo(str(head) if digest else integrity.verified_text(head, published))


@main.command()
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
    _record_one(ctx, mend, as_json)


@main.command()
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
      cqc-ledger correct RWP/17 fixed-report.json --reason "safe was Requires improvement"
    """
    from cqc_ledger.ledger.input import json_value, reading, without_bom

    with reading(_name(file)):
        text = file.read()
    try:
        replacement = json_value(without_bom(text), exact=True)
    except ValueError as bad:
        # Refused input (exit 1), as a line of `record` that is not JSON is: not a usage error.
        raise MalformedLine(f"the replacement in {file.name} is not valid JSON ({bad})") from None
    provider_id, _ = parse_ref(ref)
    mend = {
        "type": "EntryCorrected",
        "provider_id": provider_id,
        "ref": ref,
        "replacement": replacement,
        "reason": reason,
        "on": on and on.isoformat(),
    }
    _record_one(ctx, mend, as_json)


def _record_one(ctx: click.Context, obj: dict[str, Any], as_json: bool) -> None:
    """Records one entry built by a command, exactly as `record` would record it."""
    from cqc_ledger.ledger.parsing import LeftOut, no_cell_notes, parse_entry

    found: list[LeftOut] = []  # cells whose rating was a word for none
    with opened(ctx, writing=True) as ledger:
        try:
            entry = parse_entry({k: v for k, v in obj.items() if v is not None}, today=utc_now().date(), left_out=found)
            outcome = _written(ledger, lambda follow: ledger.record([(1, entry, None)], followers=[follow]))
        except InputError as refused:
            refused.line = None  # the command built this entry: there is no line to name
            raise
    outcome.notes.extend(no_cell_notes([(None, where, word) for where, word in found]))
    _show(outcome, as_json)


# ---- pictures and the web site: chart, serve ----------------------------------------------


@main.command()
@click.argument("provider_id", type=PROVIDER)
@click.option(
    "--out", "out", required=True, callback=_chart_file, metavar="FILE", help="The file: .svg, .png, .html or .json (the specification)."
)
@click.option("--location", "location_id", metavar="ID", help="That location's and its services' overall ratings (default: the trust's).")
@click.option(
    "--from", "since", type=Day(), help="The first day drawn (default: the provider's registration; with --location, the location's)."
)
@click.option("--to", "until", type=Day(), help="The last day drawn (default: today).")
@KNOWN_AT
@click.pass_context
def chart(
    ctx: click.Context,
    provider_id: str,
    out: Path,
    location_id: str | None,
    since: date | None,
    until: date | None,
    known_at: datetime | None,
) -> None:
    """Draw PROVIDER's timeline to a file: a band per rating (the trust's overall and key
    questions, or with --location that location's and its services' overall), coloured by
    rating, with report days, warning notices and their outcomes, special measures and oversight
    segments. Needs the extra `charts` (pip install 'cqc-ledger[charts]').

    \b
    Example:
      cqc-ledger chart RWP --out RWP.svg --from 2015-01-01
    """
    from cqc_ledger.projections import charts

    if since and until and since > until:
        raise click.BadParameter(f"{since} is after --to {until}", param_hint="--from")
    with opened(ctx) as ledger:
        found = answers.chart_timeline(
            ledger, provider_id, today=utc_now().date(), since=since, until=until, known_at=known_at, location_id=location_id
        )
    click.echo(f"Wrote {_chart(ctx, charts.timeline_spec(found), out)}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on (only this machine by default).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="The port to listen on.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Serve a read-only web site over the ledger: the register on a day, each trust's status
    with its timeline, history, explanations and differences, the changes and counts across the
    register (with their chart), and /api/... answering the same JSON as --json. Needs the
    extra `web` (pip install 'cqc-ledger[web]'). Ctrl-C stops it.

    \b
    Example:
      cqc-ledger serve --port 8000     # then open http://127.0.0.1:8000/
    """
    inspect(ctx.obj["db"])  # the ledger must be there and readable before the site starts
    try:
        import uvicorn

        from cqc_ledger.web.app import create_app
    except ImportError:
        raise MissingExtra("the web site needs the optional extra `web`: pip install 'cqc-ledger[web]'") from None
    click.echo(f"Serving {ctx.obj['db']} at http://{host}:{port}/ (read-only; Ctrl-C stops)", err=True)
    uvicorn.run(create_app(ctx.obj["db"]), host=host, port=port, log_level="warning")
