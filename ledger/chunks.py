"""An input's entries on their way to the store, a chunk at a time.

The entries are decided in the command's thread, and written on a thread of their own while the
next chunk is decided (`ledger.store.beside`). All of a chunk's Python is done here, in the
deciding thread: its stored rows, its links of the hash chain (from the head kept here for the
transaction) and its followers' rows (the views'). What is handed over is only the store's
statements, a few a chunk, for each of which the driver lets go of the interpreter's lock while
the store works: the writes' thread then seldom waits for the lock the deciding thread holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cqc_ledger.ledger.chain import Head, links
from cqc_ledger.ledger.store.codec import StoredRow, entry_topic, stored_state

if TYPE_CHECKING:
    from cqc_ledger.ledger.application import Follower
    from cqc_ledger.ledger.records import Recorded
    from cqc_ledger.ledger.store.beside import Beside, Write
    from cqc_ledger.ledger.store.tables import LedgerTables

# The entries written at a time. On PostgreSQL each chunk is a dozen round trips to the server
# (its lock, ids, COPYs, chain head, views' tracking); over the benchmark's register, chunks of
# 2,000 rather than 1,000 took record from 13.9 to 15.4 s to 12.6 to 13.4 s there (alternating
# runs; the same on SQLite), for some 12 to 25 MiB more at its peak.
CHUNK = 2000
# A chunk is handed over sooner once its entries' canonical forms reach this many bytes: SQLite
# takes the chunk's states as one blob, which may be at most a billion bytes, and an entry may
# be up to 16 MiB (`ledger.input`); so memory holds a few chunks of large entries, not thousands.
CHUNK_BYTES = 64 << 20


class Chunks:
    """The entries decided and not yet handed to `writes`, and the head of the chain after the
    last one handed over."""

    def __init__(self, store: LedgerTables, writes: Beside, head: Head, followers: Sequence[Follower]):
        self.store, self.writes, self.head, self.followers = store, writes, head, followers
        self._pending: list[tuple[Recorded, bytes]] = []
        self._pending_bytes = 0

    def add(self, recorded: Recorded, form: bytes) -> None:
        """An entry decided, with its canonical form; a full chunk is handed over."""
        self._pending.append((recorded, form))
        self._pending_bytes += len(form)
        if len(self._pending) >= CHUNK or self._pending_bytes >= CHUNK_BYTES:
            self.hand()

    def hand(self) -> None:
        """Hands the pending entries over, to be written with their links and their followers'
        rows in the recording transaction."""
        if not self._pending:
            return
        pending, self._pending, self._pending_bytes = self._pending, [], 0
        stored = [
            StoredRow(r.entry.provider_id, r.position, entry_topic(type(r.entry)), stored_state(form, r.recorded_at)) for r, form in pending
        ]
        new = list(links(self.head.hash, stored))
        insert = self.store.chunk_writer(stored, self.head, new)
        self.head = Head(self.head.position + len(new), new[-1])
        recorded = [r for r, _ in pending]
        follows = [follow for follow in (follower(recorded) for follower in self.followers) if follow is not None]

        def write(c: Any) -> None:
            ids = insert(c)
            for follow in follows:
                follow(c, ids)

        self.writes.hand(write)

    def then(self, write: Write) -> None:
        """Hands over a write to run after the entries handed over before it."""
        self.hand()
        self.writes.hand(write)

    def drain(self) -> None:
        """Returns once everything handed over is written (the transaction's cursor is then the
        caller's until the next hand-over); the pending entries are not handed over."""
        self.writes.drain()
