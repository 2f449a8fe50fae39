"""`cqc-ledger serve`: a read-only web site over the ledger."""

from __future__ import annotations

import click

from cqc_ledger.ledger.errors import MissingExtra
from cqc_ledger.ledger.store.opening import inspect


@click.command()
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
