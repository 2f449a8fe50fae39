"""Keeping the ledger current from CQC's live API: `cqc-ledger sync`.

`client` speaks HTTP to the API (rate, retries, the key); `state` remembers the last successful
sync in the ledger; `run` decides which providers to refresh and records each one whole, as
`import cqc-api` would.
"""
