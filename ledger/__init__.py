"""The write side: the ledger application, the rules that decide what may be recorded, storage."""
