"""The store: where the ledger lives (`target`), how entries are written into it (`codec`), the
ledger's own tables beside eventsourcing's (`tables`), and the recorders for SQLite (`sqlite`)
and PostgreSQL (`postgres`, needing the `[postgres]` extra), with small SQL helpers (`sql`)."""
