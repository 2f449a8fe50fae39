"""Where an answer written to a file goes (`export --out`, `chart --out`, `counts --chart`): the
file whole or not at all, and never over the ledger's own file.

A regular file (or a new one) is written beside itself under a temporary name and put in its
place by a rename only once whole, so a failed write (a full disk, an interrupted command) leaves
what was there before; a device or a pipe (a FIFO, `/dev/null`) is written as it is, since it
cannot be renamed over, and so is a name of a descriptor already open (`/dev/stdout`,
`/dev/stderr`, `/dev/fd/N`), appended to: what it leads to may be a file the shell opened
(`>> log`), which is neither emptied nor replaced. A file that is the ledger's (compared by identity, so a link or another
spelling of its name is caught, and its -wal, -shm and -journal beside it) is refused before
anything is opened: writing over it would destroy what the ledger promises never to delete.
"""

from __future__ import annotations

import io
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import BinaryIO

from cqc_ledger.ledger.errors import OutputFailed
from cqc_ledger.ledger.store.target import is_ledger_file, shown


class _Named:
    """The file being written, whose failures name the file asked for, not the ledger."""

    def __init__(self, file: BinaryIO, name: str, kept: str):
        self.file, self.name, self.kept = file, name, kept

    def write(self, data: bytes) -> int:
        try:
            return self.file.write(data)
        except OSError as failed:
            raise _failed(failed, self.name, self.kept) from None


def refuse_the_ledger(path: str, target: str) -> None:
    """OutputFailed if `path` is one of the files the ledger at `target` lives in."""
    if is_ledger_file(target, path):
        raise _ledger_refused(path, target)


def refuse_the_ledger_as_standard_output(target: str) -> None:
    """OutputFailed if standard output is one of the ledger's files (`export >> ledger.db`: the
    shell opened it before the command ran, so only its identity tells)."""
    try:
        written = os.fstat(sys.stdout.fileno())
    except (AttributeError, ValueError, OSError, io.UnsupportedOperation):
        return  # no file behind it (a test's capture)
    if stat.S_ISREG(written.st_mode) and is_ledger_file(target, f"/dev/fd/{sys.stdout.fileno()}"):
        raise _ledger_refused("standard output", target)


def _ledger_refused(what: str, target: str) -> OutputFailed:
    return OutputFailed(
        f"{what} is a file of the ledger {shown(target)}: writing it would destroy what is recorded, "
        "and nothing recorded is ever updated or deleted; write to another file"
    )


@contextmanager
def written_whole(path: str, target: str) -> Iterator[BinaryIO]:
    """A file to write the whole of `path`'s new content into: it takes the place of `path`
    when the block ends without an error, and is removed if it does not (see the module)."""
    refuse_the_ledger(path, target)
    if path.startswith(_OPEN_DESCRIPTORS):
        with _named(lambda: open(path, "ab"), path, "") as file:
            yield file
        return
    destination = os.path.realpath(path)  # a link is followed, not replaced by a file
    if _in_place(destination):
        with _named(lambda: open(destination, "wb"), path, "") as file:
            yield file
        return
    kept = f" ({path} is left as it was)" if os.path.exists(destination) else ""
    folder, name = os.path.split(destination)
    made: list[str] = []

    def temporary() -> BinaryIO:
        descriptor, made_path = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".part")
        made.append(made_path)
        return os.fdopen(descriptor, "wb")

    try:
        with _named(temporary, path, kept, synced=True) as file:
            yield file
        try:
            os.chmod(made[0], _mode(destination))
            os.replace(made[0], destination)
            made.clear()
        except OSError as failed:
            raise _failed(failed, path, kept) from None
    finally:
        for left in made:
            with suppress(OSError):
                os.unlink(left)  # the temporary file: it did not take the file's place


@contextmanager
def _named(opening: Callable[[], BinaryIO], path: str, kept: str, *, synced: bool = False) -> Iterator[BinaryIO]:
    """The file `opening` opens, flushed (and `synced` to the disk) once written, closed in any
    case; each failure of the file system said of `path`."""
    try:
        file = opening()
    except OSError as failed:
        raise _failed(failed, path, kept) from None
    try:
        yield _Named(file, path, kept)  # type: ignore[misc]
        try:
            file.flush()
            if synced:
                os.fsync(file.fileno())
        except OSError as failed:
            raise _failed(failed, path, kept) from None
    finally:
        with suppress(OSError):
            file.close()  # after a failure, what is left in its buffer cannot be written either


# Names of a descriptor the command already has open, whatever it leads to.
_OPEN_DESCRIPTORS = ("/dev/stdout", "/dev/stderr", "/dev/stdin", "/dev/fd/", "/proc/self/fd/")


def _in_place(destination: str) -> bool:
    """Whether `destination` is something to write as it is: a device, a pipe, a socket."""
    try:
        return not stat.S_ISREG(os.stat(destination).st_mode)
    except OSError:
        return False  # not there yet: made whole beside itself


def _mode(destination: str) -> int:
    """The permissions the file had, or those a new file gets (the temporary one's are private)."""
    try:
        return stat.S_IMODE(os.stat(destination).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _failed(failed: OSError, path: str, kept: str) -> OutputFailed:
    return OutputFailed(f"cannot write {path}: {failed.strerror or failed}{kept}")
