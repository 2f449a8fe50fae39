"""The tables the ledger keeps beside eventsourcing's `stored_events`, in either store.

`ledger_head` is one row holding the latest `recorded_at` and the head of the hash chain. A
recording transaction takes the store's write lock first (SQLite: a write to that row;
PostgreSQL: eventsourcing's exclusive lock on `stored_events`), then reads the time to stamp
from it, so later entries never get an earlier time whatever the clocks of several writers say.
`ledger_chain` holds each entry's link of the hash chain (see `ledger.chain`), written with it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from eventsourcing.persistence import StoredEvent

from cqc_ledger.ledger.records import format_time
from cqc_ledger.ledger.store.sql import as_bytes, one, rows

# The hash chain (and hashlib, whose start loads OpenSSL's digests) is imported where entries are
# written or the chain verified: a reading command does neither.
if TYPE_CHECKING:
    from cqc_ledger.ledger import chain
    from cqc_ledger.ledger.store.codec import Stored

_TICK = timedelta(microseconds=1)


class LedgerTables:
    """The ledger's own statements over its tables, shared by the SQLite and PostgreSQL recorders.

    Statements are written with `?` placeholders and `{events}`, `{head}`, `{chain}` and `{nid}`
    (the notification id column) for the names; `q` turns them into the store's own SQL.
    """

    names: dict[str, str]
    placeholder = "?"

    def q(self, statement: str) -> str:
        return statement.format(**self.names).replace("?", self.placeholder)

    def lock(self, c: Any) -> None:
        """Takes the store's write lock for the rest of the transaction."""
        raise NotImplementedError

    def chunk_writer(self, stored: Sequence[Stored], after: chain.Head, links: list[bytes]) -> Callable[[Any], list[int]]:
        """The write of a chunk of entries and their links of the hash chain, which follow the head
        `after`: made where the chunk is decided, run on the recording transaction's cursor on the
        writes' thread (`ledger.chunks`); it returns the entries' notification ids and leaves the head
        at the chunk's last link."""
        raise NotImplementedError

    def take_clock(self, c: Any, now: datetime) -> datetime:
        """Takes the write lock and the time to stamp: `now`, or just after the latest stamp."""
        self.lock(c)
        c.execute(self.q("SELECT recorded_at FROM {head} WHERE id = 1"))
        latest = one(c)
        if latest:
            now = max(now, datetime.fromisoformat(latest.replace("Z", "+00:00")) + _TICK)
        self.set_clock(c, now)
        return now

    def set_clock(self, c: Any, moment: datetime) -> None:
        """Sets the latest stamp (a restore leaves it at the last restored entry's time)."""
        c.execute(self.q("UPDATE {head} SET recorded_at = ? WHERE id = 1"), (format_time(moment),))

    def holds_entries(self, c: Any) -> bool:
        c.execute(self.q("SELECT 1 FROM {events} LIMIT 1"))
        return one(c) is not None

    def stream(self, c: Any, provider_id: str) -> list[StoredEvent]:
        """The provider's stored events, read inside the caller's transaction."""
        c.execute(
            self.q(
                "SELECT originator_id, originator_version, topic, state FROM {events} WHERE originator_id = ? ORDER BY originator_version"
            ),
            (provider_id,),
        )
        return [StoredEvent(r[0], r[1], r[2], as_bytes(r[3])) for r in rows(c)]

    def of_topics(self, c: Any, topics: Sequence[str]) -> list[StoredEvent]:
        """Every stored event of the topics, read inside the caller's transaction."""
        marks = ", ".join("?" * len(topics))
        c.execute(
            self.q(f"SELECT originator_id, originator_version, topic, state FROM {{events}} WHERE topic IN ({marks})"),
            tuple(topics),
        )
        return [StoredEvent(r[0], r[1], r[2], as_bytes(r[3])) for r in rows(c)]

    def set_head(self, c: Any, position: int, hash_: bytes) -> None:
        """Sets the head of the chain: its last position and link."""
        c.execute(self.q("UPDATE {head} SET chain_position = ?, chain_hash = ? WHERE id = 1"), (position, hash_))

    def head(self, c: Any) -> chain.Head:
        """The head of the chain as stored, read inside the caller's transaction."""
        from cqc_ledger.ledger import chain

        c.execute(self.q("SELECT chain_position, chain_hash FROM {head} WHERE id = 1"))
        position, hash_ = rows(c)[0]
        return chain.Head(position, as_bytes(hash_))

    def verify(self) -> tuple[chain.Break | None, list[bytes]]:
        """Recomputes the chain over every stored entry; the first break (or None), and the links."""
        from cqc_ledger.ledger import chain

        with self.datastore.transaction(commit=False) as c:  # type: ignore[attr-defined]
            c.execute(self.q("SELECT position, notification_id, hash FROM {chain}"))
            kept = {r[0]: (r[1], as_bytes(r[2])) for r in rows(c)}
            head = self.head(c)
            c.execute(self.q("SELECT {nid}, originator_id, originator_version, topic, state FROM {events} ORDER BY {nid}"))
            stored = ((r[0], StoredEvent(r[1], r[2], r[3], as_bytes(r[4]))) for r in rows(c))
            return chain.first_break(stored, kept, head)
