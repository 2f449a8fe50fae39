"""Every error the ledger raises for a user's mistake or a failed check.

    LedgerError                  anything the CLI shows as `Error: ...` with exit status 1
    ├── InputError               a line of input is refused; nothing of that input is recorded
    │   ├── MalformedLine        the line is not a JSON object
    │   ├── InvalidField         a field is unknown, missing, or holds a value it cannot hold
    │   ├── RuleBroken           the entry is well formed but the ledger's rules refuse it
    │   └── BadImportFile        a file given to `import` is not CQC data of that format, is
    │                            malformed, or holds a value CQC does not use
    ├── UnknownProvider          no provider with that id is in the ledger
    ├── AmbiguousName            a name given for a provider matches more than one provider
    ├── NotYetRegistered         a status asked of a day (or a time known) before the provider existed
    ├── UnknownLocation          the provider has no location with that id
    ├── UnknownService           the provider has no rating for that service at that place
    ├── QuestionNotAtLevel       a question asked of a level that cannot have it
    ├── UnknownRef               no entry has that ref
    ├── StoreError               the store cannot be opened or is not a cqc-ledger store
    │   └── BadTarget            --db names no store the ledger can use: a URL of another
    │                            scheme, or a PostgreSQL URL it cannot read whole (no host,
    │                            database or user; a query option it does not take, given
    │                            twice, or without a value it can hold)
    ├── StoreBusy                another writer held the store longer than the wait allowed
    ├── VerificationFailed       the stored ledger does not match its hash chain, or a digest
    ├── MissingExtra             an optional part (charts, the web site) is not installed
    ├── CannotServe              the web site cannot listen where it was asked: the port is
    │                            in use, or the address is not this machine's
    ├── Interrupted              Ctrl-C stopped a writing command; the message says what stands
    ├── SyncFailed               CQC's API cannot be used: no key, a key refused, an unknown
    │                            provider, the API unreachable or refusing for too long, a
    │                            changes feed in a shape CQC does not give
    └── OutputFailed             an answer cannot be written to the file asked: it is the
                                 ledger's own, or the file system refused it

Messages are whole sentences that name the value and, where there is one, the fix.
"""

from __future__ import annotations


def with_article(word: str) -> str:
    """A word (an entry type) with its article, for a sentence: "an InspectionCarriedOut"."""
    return f"{'an' if word[:1] in 'AEIOUaeiou' else 'a'} {word}"


class LedgerError(Exception):
    """A refusal or failed check, told to the user as `Error: <message>`."""


class InputError(LedgerError):
    """A line of input is refused. `line` is its 1-based number in the input, when known."""

    def __init__(self, message: str, *, line: int | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.field = field
        # The refs the refused input's entries were given as they were decided, each with its
        # line: none of them was written (an input is refused whole), so a message naming one
        # names an entry the ledger does not hold; whoever reads the input can say which it was.
        self.unwritten: dict[str, int] = {}

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
    """The entry is well formed, but recording it would break a rule of the ledger.

    `position`, when set, is the ledger position of the entry that breaks it: a rule checked on a
    whole input (special measures) names the entry, and the application turns it into the line.
    """

    def __init__(self, message: str, *, line: int | None = None, field: str | None = None, position: int | None = None):
        super().__init__(message, line=line, field=field)
        self.position = position

    def __str__(self) -> str:
        # A rule's message says what is wrong in the regulator's words; the field is named in
        # front unless the message already names it, so every refusal names its line and field.
        field, message = self.field, self.message
        if field and f'"{field}"' not in message and not message.startswith(f'{field} "'):
            message = f'field "{field}": {message}'
        return f"line {self.line}: {message}" if self.line is not None else message


class BadImportFile(InputError):
    """A file given to `import` is refused whole: it is not CQC data of the format named, it is not
    valid JSON or CSV, or it holds a value CQC does not use (a misspelled rating, say). The message
    names the file and, where it can, the record: a JSON path or a row and column."""


class AmbiguousName(LedgerError):
    """A name given where a provider id goes matches more than one provider: the message lists them."""


class NotYetRegistered(LedgerError):
    """The provider was not registered on the day asked, or nothing of it was recorded by the
    time asked: there is no status to give."""


class UnknownProvider(LedgerError):
    """No provider with this id has been recorded in the ledger at `where` (as `shown` shows a
    target). `unplaced` says the same without where: the web site tells anyone who asks, and
    must not show where the ledger lives."""

    def __init__(self, provider_id: str, where: str):
        super().__init__(f'provider "{provider_id}" is not in the ledger at {where}')
        self.unplaced = f'provider "{provider_id}" is not in the ledger'


class UnknownLocation(LedgerError):
    """The provider has no location with this id."""


class UnknownService(LedgerError):
    """The provider has no rating for this service at this place (a location, or the trust)."""


class QuestionNotAtLevel(LedgerError):
    """A question asked of a level that cannot have it (use of resources below trust level)."""


class UnknownRef(LedgerError):
    """No entry has this ref."""


class StoreError(LedgerError):
    """The store cannot be opened, or holds something that is not a cqc-ledger."""


class BadTarget(StoreError):
    """The target names no store the ledger can use, whatever is there: a URL of a scheme other
    than postgresql://, or a PostgreSQL URL that cannot be read whole (the CLI says so as a
    usage error of --db)."""


class StoreBusy(LedgerError):
    """Another process held the store's write lock for longer than this one would wait."""


class VerificationFailed(LedgerError):
    """The stored ledger does not match its hash chain, or not the digest it was checked against."""


class MissingExtra(LedgerError):
    """A command needs an optional extra that is not installed; the message names the extra."""


class CannotServe(LedgerError):
    """`serve` cannot listen on the address and port asked; the message gives the system's reason."""


class Interrupted(LedgerError):
    """A writing command was stopped by Ctrl-C; the message says what of its input stands."""


class SyncFailed(LedgerError):
    """`sync` cannot get what it needs from CQC's API; the message says what to do."""


class OutputFailed(LedgerError):
    """An answer cannot be written to the file asked for: it is the ledger's own file, or the file
    system refused it (the message names the file, and whether what was there is left)."""
