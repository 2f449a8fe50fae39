"""A store's failures told as sentences: the disk is full, the file is read-only, the server went
away. The drivers say these things in their own words (eventsourcing wraps sqlite3's and
psycopg's errors); `explained` names the cause and what became of the command's writing. A
file system's refusal of another file (an input being read) is told too, naming that file.
"""

from __future__ import annotations

import errno

from eventsourcing.persistence import PersistenceError

from cqc_ledger.ledger.errors import StoreError
from cqc_ledger.ledger.store.target import connect_timeout, is_ledger_file, is_postgres, shown

# (words in the driver's message, the sentence: {store} is the target as shown, {cause} the words,
# {seconds} how long a connection waits for its server)
_CAUSES = (
    (
        ("database or disk is full", "no space left"),
        "the disk holding {store} is full: nothing of this command was written (free some space and run it again)",
    ),
    (
        ("readonly database", "read-only file system", "read-only transaction"),
        "{store} is read-only: nothing of this command was written (reading commands work on it; writing ones need it writable)",
    ),
    (("unable to open database file",), "{store} cannot be opened: its folder is missing or cannot be written ({cause})"),
    (("file is not a database", "malformed"), "{store} is not a cqc-ledger store, or it is damaged ({cause})"),
    (
        ("couldn't get a connection",),
        "the PostgreSQL server of {store} did not answer within {seconds} seconds: nothing of this command was written ({cause})",
    ),
    (
        ("server closed the connection", "terminating connection", "connection is lost", "connection is closed", "consuming input failed"),
        "the connection to the PostgreSQL server of {store} was lost: nothing more of this command was written; run it again ({cause})",
    ),
    (("does not exist", "no such table"), "the ledger's tables are missing from {store} ({cause}): was the store altered?"),
)


def explained(error: BaseException, target: str) -> StoreError | None:
    """The store's failure (or a file system's refusal of any file, named) as a StoreError naming
    its cause, or None when `error` is neither (a bug is not hidden behind a sentence)."""
    if isinstance(error, OSError) and error.errno is not None:
        return _os_error(error, target)
    if not _from_store(error):
        return None
    cause = " ".join(str(error).split()) or type(error).__name__
    lowered = cause.lower()
    store = shown(target)
    for words, sentence in _CAUSES:
        if any(w in lowered for w in words):
            return StoreError(sentence.format(store=store, cause=cause, seconds=connect_timeout(target)))
    kind = "PostgreSQL database" if is_postgres(target) else "SQLite file"
    return StoreError(f"the {kind} {store} failed: {cause}")


def _os_error(error: OSError, target: str) -> StoreError:
    """The file system's own refusal (no space, a read-only mount, no permission), of a file: the
    file it names (an input, an output) when that is not the ledger's, else the ledger."""
    if error.filename is not None and not is_ledger_file(target, str(error.filename)):
        return StoreError(f"{error.filename}: {error.strerror}")
    if error.errno == errno.ENOSPC:
        return StoreError(_CAUSES[0][1].format(store=shown(target), cause=error.strerror))
    if error.errno == errno.EROFS:
        return StoreError(_CAUSES[1][1].format(store=shown(target), cause=error.strerror))
    return StoreError(f"{error.filename or shown(target)}: {error.strerror}")


def _from_store(error: BaseException) -> bool:
    """eventsourcing's errors, and the drivers' own, known by their modules' names: a command on
    PostgreSQL starts without sqlite3, and one on SQLite without psycopg."""
    if isinstance(error, PersistenceError):
        return True
    return any(cls.__module__.split(".")[0] in ("sqlite3", "psycopg", "psycopg_pool") for cls in type(error).__mro__)
