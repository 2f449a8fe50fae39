"""The options several commands take, declared once: --at, --known-at, --json, the filters of the
register (--provider-type, --region, --rating), --question, and the output formats of a listing."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

from cqc_ledger.cli.params import Day, Loose, Moment, question
from cqc_ledger.events.vocabulary import PROVIDER_TYPES, RATINGS
from cqc_ledger.projections import output

AT = click.option("--at", "at", type=Day(), help="The day (default: today, UTC).")
KNOWN_AT = click.option(
    "--known-at", type=Moment(), help="Only what the ledger had recorded by this time (not after now; a bare day is its end)."
)
JSON = click.option("--json", "as_json", is_flag=True, help="One JSON document on standard output.")

PROVIDER_TYPE = click.option(
    "--provider-type", type=Loose(PROVIDER_TYPES, "TYPE"), help="Only providers of this type (any case; - or _ for spaces)."
)
REGION = click.option("--region", metavar="REGION", help='Only providers in this CQC region, e.g. "South West" (case ignored).')
RATING = click.option("--rating", type=Loose(RATINGS, "RATING"), help="Only this rating (the new value, for changes; any case).")


def question_option(default: str | None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--question of a question across the register (none: every question, for changes)."""
    return click.option(
        "--question",
        default=default,
        show_default=default is not None,
        callback=lambda ctx, param, value: value and question(ctx, param, value),
        metavar="Q",
        help="overall, safe, effective, caring, responsive, well-led, use-of-resources or combined.",
    )


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
