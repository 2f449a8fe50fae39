"""cqc-ledger: the regulatory record of England's NHS trusts, as an event-sourced ledger.

The repository keeps the folders the project was designed with; the distribution installs them
under this one package: `events/` is `cqc_ledger.events`, `ledger/` is `cqc_ledger.ledger`,
`projections/` is `cqc_ledger.projections` and `cli.py` is `cqc_ledger.cli`.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cqc-ledger")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
