"""CQC's words as its data files write them, read into the ledger's words.

CQC publishes its four ratings, three words for a published state that is not a rating ("Not
rated", "Inspected but not rated", "Insufficient evidence to rate": kept, as the contract allows),
and words that mean no rating was published at all ("No published rating", "Do not include in
report", "Not applicable", "Not yet inspected", and "No action", which real API responses carry
for the key questions of a service CQC inspected without rating: RA90J; the one list is
`events.vocabulary.NOT_RATINGS`, which `record` reads alike): those are not ratings, so no cell is
made of them. Any other word is refused: it is a typo or not CQC's data.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from cqc_ledger.events.services import canonical_service
from cqc_ledger.events.vocabulary import KEY_QUESTIONS, NOT_RATING_WORDS, OVERALL, RATING_WORDS, RATINGS, normalise, suggestion
from cqc_ledger.ledger.parsing import shown

# Key questions by the names CQC writes (API `name`, the ratings file's `Domain`), matched loosely.
QUESTION_NAMES = {normalise(q): q for q in (OVERALL, *KEY_QUESTIONS)} | {"well led": "well-led"}
TRUST_QUESTION_NAMES = {
    "use of resources": "use-of-resources",
    "combined": "combined",
    "combined quality and use of resources": "combined",
    "combined rating": "combined",
}

_UK_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?")


class WordError(ValueError):
    """A value CQC does not use, told as the end of a sentence: '"X" is not a CQC rating'."""


def rating(value: object) -> str | None:
    """The contract's rating for a CQC rating word; None for a word that means no rating."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise WordError(f"{shown(value)} is not a CQC rating")
    key = normalise(value)
    if key in NOT_RATING_WORDS:
        return None
    if key in RATING_WORDS:
        return RATING_WORDS[key]
    raise WordError(f'"{value}" is not a CQC rating{suggestion(value, RATINGS)}')


def question(value: object, *, trust_level: bool = False) -> str:
    """The contract's question for a key question name ("Well-led", "Overall"); with
    `trust_level`, also "Use of resources" and "Combined"."""
    names = QUESTION_NAMES | (TRUST_QUESTION_NAMES if trust_level else {})
    if isinstance(value, str) and normalise(value) in names:
        return names[normalise(value)]
    known = ("Safe", "Effective", "Caring", "Responsive", "Well-led")
    raise WordError(f"{shown(value)} is not a CQC key question{suggestion(str(value), known) if isinstance(value, str) else ''}")


def service(value: object) -> str | None:
    """The canonical core service for a service name; None for "Overall" (the place itself)."""
    if not isinstance(value, str) or not value.strip():
        raise WordError(f"{shown(value)} is not a service name")
    return None if normalise(value) == OVERALL else canonical_service(value)


def day(value: object) -> date:
    """A day from CQC's data: ISO (`2019-09-20`, with or without a time) or UK (`20/09/2019`)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = value.strip() if isinstance(value, str) else ""
    iso, uk = _ISO_DAY.fullmatch(text), _UK_DAY.fullmatch(text)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if uk:
            return date(int(uk[3]), int(uk[2]), int(uk[1]))
    except ValueError:
        raise WordError(f'"{text}" is not a day of the calendar') from None
    raise WordError(f"{shown(value)} is not a date like 2019-09-20 or 20/09/2019")
