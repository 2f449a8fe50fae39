"""What a report's rating cells name: its places, services and questions, each once.

A report lists dozens of cells over a few places, services and questions, and several checks ask
about those few values (the fast door, the parser's one rating a cell, the rules on locations,
the rules of meaning, the note of a new service). `named` works them out in one walk of the
cells and remembers them for the last cells asked, so that the checks of one entry, which follow
each other, walk its cells once between them. A check that fails goes back to the cells, in
their order, to name the first that breaks it.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import NamedTuple

from cqc_ledger.events.base import RatingCell


class Named(NamedTuple):
    """The distinct locations, services and questions a tuple of cells names (a cell of the trust
    or of no service names none), and whether no two cells rate the same place, service and
    question."""

    places: AbstractSet[str]
    services: AbstractSet[str]
    questions: AbstractSet[str]
    distinct: bool


def named(cells: tuple[RatingCell, ...]) -> Named:
    """The values `cells` name (remembered for the cells last asked: cells are immutable, and
    the tuple is held, so it is the same tuple while it is remembered). The sets are shared: read
    them, never change them."""
    global _last
    last = _last  # one read: another thread may remember other cells meanwhile
    if last[0] is cells:
        return last[1]
    # A comprehension each: quicker in CPython than one loop adding to four sets, or than
    # taking the columns of the keys apart.
    distinct = len({(c.location_id, c.service, c.question) for c in cells}) == len(cells)
    places = {c.location_id for c in cells}
    places.discard(None)
    services = {c.service for c in cells}
    services.discard(None)
    found = Named(places, services, {c.question for c in cells}, distinct)  # type: ignore[arg-type]
    _last = (cells, found)
    return found


_last: tuple[tuple[RatingCell, ...] | None, Named] = (None, Named(set(), set(), set(), True))
