"""The read-only web site over the ledger (`cqc-ledger serve`): pages for people, `/api/...` for programs."""
