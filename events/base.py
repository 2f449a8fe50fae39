"""What every entry has, and the values entries are built from: rating cells and scopes."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

import msgspec

from cqc_ledger.events.vocabulary import OVERALL, QUESTIONS, RATINGS


def choice(words: tuple[str, ...], *, required: bool = False) -> Any:
    """A field whose value is one of `words` (matched loosely on input, canonical on output)."""
    metadata = {"choices": words}
    if required:
        return dataclasses.field(metadata=metadata)
    return dataclasses.field(default=None, metadata=metadata)


def choices(words: tuple[str, ...]) -> Any:
    """A field holding a list of values drawn from `words`."""
    return dataclasses.field(default=(), metadata={"choices": words})


@dataclass(frozen=True, kw_only=True, slots=True)
class Entry:
    """One fact in a provider's ledger. Subclasses are named for what happened, in the past tense."""

    provider_id: str
    source: str | None = None

    @property
    def type_name(self) -> str:
        """The entry's type as written in the JSON Lines format."""
        return type(self).__name__


CellKey = tuple[str | None, str | None, str]


if TYPE_CHECKING:  # to the type checker, a cell's question and rating are strings
    Question = str
    Rating = str
else:  # to msgspec and the parser, only the canonical words: a line decoded into cells is checked in C
    Question = Literal[QUESTIONS]
    Rating = Literal[RATINGS]


class RatingCell(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, forbid_unknown_fields=True, gc=False):
    """One published rating: of a key question (or overall) for the trust, a location or a service.

    Cells are the ledger's most numerous values (a report lists dozens), so they are msgspec
    structures rather than dataclasses: a canonical input line is decoded straight into them, and
    they are written back out (keys sorted, empty places left out) without a dictionary between.
    """

    location_id: str | None = None
    service: str | None = None
    question: Question
    rating: Rating

    @property
    def key(self) -> CellKey:
        """Where the rating sits: (location, service, question); None means the trust's own."""
        return (self.location_id, self.service, self.question)


class InheritedRating(RatingCell, frozen=True, kw_only=True):  # empty places left out, unknown fields refused, as a RatingCell
    """A rating taken over from a predecessor: published for it on `published_on` (by `report_id`)."""

    published_on: date
    report_id: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class ScopeItem:
    """Part of what an inspection looked at: a location and/or service, and which questions."""

    location_id: str | None = None
    service: str | None = None
    questions: tuple[str, ...] = choices(QUESTIONS[1:])


def describe_cell(location_id: str | None, service: str | None, question: str) -> str:
    """A cell in words: 'trust overall', 'RWP01 safe', 'RWP01 Surgery overall'."""
    where = " ".join(part for part in (location_id, service) if part) or "trust"
    return f"{where} {question}" if question != OVERALL or where != "trust" else "trust overall"
