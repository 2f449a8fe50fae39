"""Verifying a stored ledger against its hash chain, and against a head published elsewhere."""

from __future__ import annotations

from typing import Any

from cqc_ledger.ledger import chain
from cqc_ledger.ledger.errors import VerificationFailed


def verified(ledger: Any, published: chain.Head | None = None) -> chain.Head:
    """The head of the ledger's chain, once every stored entry has been checked against it
    (and the ledger up to `published` against that); VerificationFailed at the first break."""
    found, links = ledger.recorder.verify()
    if found is not None:
        raise VerificationFailed(f"position {found.position}: {found.reason}")
    if published is not None:
        if published.position > len(links):
            raise VerificationFailed(
                f"the digest is of position {published.position} but the ledger holds only {len(links)} entries (tail cut?)"
            )
        if published.position == 0 and published.hash != chain.GENESIS:
            raise VerificationFailed(
                f"the digest is of position 0, the empty ledger, whose only digest is {chain.Head(0, chain.GENESIS)}: "
                "this one was taken of no ledger (a digest to check against is printed by `cqc-ledger verify --digest`)"
            )
        if published.position and links[published.position - 1] != published.hash:
            raise VerificationFailed(
                f"position {published.position}: the ledger up to here is not the one the digest was taken of "
                "(an entry at or before it was changed, removed, inserted or moved)"
            )
    return chain.Head(len(links), links[-1] if links else chain.GENESIS)


def verified_json(head: chain.Head, published: chain.Head | None) -> dict[str, Any]:
    """`verify --json` when the ledger is intact (a failed check is `Error: ...`, exit 1, as
    without it): the entries checked, the head as `--digest` prints it, and the published head
    it was also checked against (or null)."""
    return {"intact": True, "entries": head.position, "head": str(head), "against": str(published) if published else None}


def verified_text(head: chain.Head, published: chain.Head | None) -> str:
    """What `verify` tells a person when the ledger is intact."""
    lines = [f"The ledger is intact: {head.position} entr{'y' if head.position == 1 else 'ies'}, each matching its link of the chain."]
    if published is not None:
        lines.append(f"Unchanged up to the published head {published.position}.")
    lines.append(f"Head (publish it to check later with --against): {head}")
    return "\n".join(lines)
