"""`cqc-ledger serve`: a read-only web site over the ledger."""

from __future__ import annotations

import socket

import click

from cqc_ledger.ledger.errors import CannotServe, MissingExtra
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
    with listening(host, port) as sock:
        click.echo(f"Serving {ctx.obj['db']} at http://{address(host, sock.getsockname()[1])}/ (read-only; Ctrl-C stops)", err=True)
        uvicorn.Server(uvicorn.Config(create_app(ctx.obj["db"]), log_level="warning")).run(sockets=[sock])


def listening(host: str, port: int) -> socket.socket:
    """A socket listening on `host` and `port`, as uvicorn would bind it, but bound here: a port in
    use or an address not this machine's is refused with the system's reason before anything
    says the site is served (uvicorn logs its own error and exits with status 3)."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)  # uvicorn's backlog: a request made once the site says it serves waits to be answered
    except OSError as refused:
        sock.close()
        reason = refused.strerror or str(refused)
        raise CannotServe(f"cannot serve on {address(host, port)}: {reason[:1].lower()}{reason[1:]}") from None
    sock.set_inheritable(True)
    return sock


def address(host: str, port: int) -> str:
    """`host:port`, an IPv6 address in brackets as a URL writes it."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
