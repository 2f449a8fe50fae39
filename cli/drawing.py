"""A chart drawn to a file (`chart`, `counts --chart`): the file's name checked before any work,
the drawing written whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cqc_ledger.projections import output


def chart_file(ctx: click.Context, param: click.Parameter, value: str | None) -> Path | None:
    """The file a chart is drawn to, named for a format charts draw (a callback of the option)."""
    if value is None:
        return None
    from cqc_ledger.projections.charts import FORMATS

    if Path(value).suffix.lower() not in FORMATS:
        raise click.BadParameter(f'"{value}" does not end in one of {", ".join(FORMATS)}: name the file for the format wanted')
    return Path(value)


def drawn(ctx: click.Context, spec: dict[str, Any], out: Path) -> Path:
    """Draws the chart to `out` as its suffix says, the file written whole (see `output.files`)."""
    from cqc_ledger.projections import charts

    output.files.refuse_the_ledger(str(out), ctx.obj["db"])  # before the drawing's work
    drawing = charts.drawn(spec, out.suffix.lower())
    with output.files.written_whole(str(out), ctx.obj["db"]) as file:
        file.write(drawing)
    return out
