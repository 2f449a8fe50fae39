"""Every error the ledger raises for a user's mistake or a failed check.

    LedgerError                  anything the CLI shows as `Error: ...` with exit status 1
    ├── InputError               a line of input is refused; nothing of that input is recorded
    │   ├── MalformedLine        the line is not a JSON object
    │   ├── InvalidField         a field is unknown, missing, or holds a value it cannot hold
    │   └── RuleBroken           the entry is well formed but the ledger's rules refuse it
    ├── UnknownProvider          no provider with that id is in the ledger
    ├── UnknownRef               no entry has that ref
    ├── StoreError               the store cannot be opened or is not a cqc-ledger store
    └── WriteConflict            another writer kept winning the race to append

Messages are whole sentences that name the value and, where there is one, the fix.
"""

from __future__ import annotations


class LedgerError(Exception):
    """A refusal or failed check, told to the user as `Error: <message>`."""


class InputError(LedgerError):
    """A line of input is refused. `line` is its 1-based number in the input, when known."""

    def __init__(self, message: str, *, line: int | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.field = field

    def at_line(self, line: int) -> InputError:
        """The same error, placed at a line of the input."""
        self.line = line
        return self

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line is not None else self.message


class MalformedLine(InputError):
    """The line is not a JSON object."""


class InvalidField(InputError):
    """A field is unknown, missing, or holds a value it cannot hold."""


class RuleBroken(InputError):
    """The entry is well formed, but recording it would break a rule of the ledger."""


class UnknownProvider(LedgerError):
    """No provider with this id has been recorded."""


class UnknownRef(LedgerError):
    """No entry has this ref."""


class StoreError(LedgerError):
    """The store cannot be opened, or holds something that is not a cqc-ledger."""


class WriteConflict(LedgerError):
    """Another writer appended to the same provider each time this one tried."""
