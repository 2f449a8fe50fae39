"""Tamper evidence: a hash chain over every stored entry, in recording order.

Link n is SHA-256 of link n-1 (32 zero bytes before the first) followed by entry n's stored form:
its stream, position and topic as a JSON array, a newline, and its stored state byte for byte.
Links are written in the same transaction as their entries, and the head (the last position and
link) is kept beside them. Recomputing the chain finds any stored entry changed, removed,
inserted or moved, and a cut tail; a head published elsewhere (`verify --digest`) also proves
that nothing up to it was rewritten, even by someone who recomputed every link in the store.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import orjson
from eventsourcing.persistence import StoredEvent

if TYPE_CHECKING:
    from cqc_ledger.ledger.store.codec import Stored

GENESIS = bytes(32)


def link(previous: bytes, stored: Stored) -> bytes:
    """The chain link of one stored entry, following `previous`."""
    header = orjson.dumps([stored.originator_id, stored.originator_version, stored.topic])
    return hashlib.sha256(previous + header + b"\n" + stored.state).digest()


@dataclass(frozen=True)
class Head:
    """The head of the chain: the number of entries it covers and the link of the last one."""

    position: int
    hash: bytes

    def __str__(self) -> str:
        return f"{self.position}:{self.hash.hex()}"

    @classmethod
    def parse(cls, text: str) -> Head:
        """`POSITION:HASH` as `verify --digest` prints it."""
        position, _, hex_hash = text.strip().partition(":")
        if not (position.isascii() and position.isdigit()) or len(hex_hash) != 64 or hex_hash.strip("0123456789abcdefABCDEF"):
            raise ValueError(f'"{text}" is not a digest like 1234:<64 hex digits>')
        return cls(int(position), bytes.fromhex(hex_hash))


@dataclass(frozen=True)
class Break:
    """Where the stored ledger stops matching its chain, and what was found there."""

    position: int
    reason: str


def links(previous: bytes, stored: Iterable[Stored]) -> Iterator[bytes]:
    """The successive links of entries following `previous`."""
    for s in stored:
        previous = link(previous, s)
        yield previous


def first_break(
    entries: Iterable[tuple[int, StoredEvent]], chain: dict[int, tuple[int, bytes]], head: Head
) -> tuple[Break | None, list[bytes]]:
    """Walks the stored entries (notification id, stored event) in recording order against the
    stored chain (position -> (notification id, link)) and head; returns the first break (or
    None) and the recomputed links."""
    computed: list[bytes] = []
    previous = GENESIS
    for position, (notification_id, stored) in enumerate(entries, 1):
        previous = link(previous, stored)
        computed.append(previous)
        kept = chain.get(position)
        ref = f"{stored.originator_id}/{stored.originator_version}"
        if kept is None:
            return Break(position, f"entry {ref} has no link in the chain (inserted?)"), computed
        if kept[0] != notification_id:
            return Break(position, f"entry {ref} is not the entry the chain recorded here (removed or moved?)"), computed
        if kept[1] != previous:
            return Break(position, f"entry {ref} does not match its link (changed or moved?)"), computed
    count = len(computed)
    if len(chain) > count or head.position > count:
        return Break(
            count + 1, f"the chain records {max(len(chain), head.position)} entries but only {count} are stored (tail cut?)"
        ), computed
    if head.position != count or (count and head.hash != computed[-1]):
        return Break(count, f"the head of the chain ({head}) does not match the last entry (tail cut and links rewritten?)"), computed
    return None, computed
