"""cqc-ledger: the regulatory record of England's NHS trusts, as an event-sourced ledger.

The repository keeps the folders the project was designed with; the distribution installs them
under this one package: `events/` is `cqc_ledger.events`, `ledger/` is `cqc_ledger.ledger`,
`projections/` is `cqc_ledger.projections` and `cli/` is `cqc_ledger.cli`.
"""

from __future__ import annotations


def __getattr__(name: str) -> str:
    """`__version__`, read from the installed distribution when first asked for: reading it
    imports `importlib.metadata`, some 25 ms of processor time that no command but `--version`
    needs (and that one reads it through click)."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cqc-ledger")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"
