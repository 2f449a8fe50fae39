"""What a command's answer leaves by: standard output, as text or in the format asked, and the
note on standard error that an answer was folded from the entries."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import Any

import click

from cqc_ledger.projections import output, views


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


def note_behind(answer: views.Answer[Any]) -> None:
    """Says on standard error when an answer was folded from the entries because the views lag."""
    if answer.behind:
        click.echo(
            f"Note: the views are {answer.behind} entr{'y' if answer.behind == 1 else 'ies'} behind the ledger "
            "(another process is writing, or they need `cqc-ledger rebuild`); this answer was folded from the entries themselves.",
            err=True,
        )
