"""`python -m cqc_ledger.cli`: the `cqc-ledger` command."""

from cqc_ledger.cli import main

main()
