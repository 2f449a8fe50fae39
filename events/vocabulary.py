"""The regulator's words: ratings, key questions, and the closed lists entries draw on.

Each list is the canonical spelling used on output. Input is matched loosely (see `normalise`),
so "requires_improvement", "Well led" and "QUALITY" all find their canonical word.
"""

from __future__ import annotations

import re

# The four ratings in order of merit, then the words CQC publishes where there is no rating.
OUTSTANDING = "Outstanding"
GOOD = "Good"
REQUIRES_IMPROVEMENT = "Requires improvement"
INADEQUATE = "Inadequate"
MERIT = (OUTSTANDING, GOOD, REQUIRES_IMPROVEMENT, INADEQUATE)
RATINGS = (
    *MERIT,
    "Not rated",
    "Inspected but not rated",
    "Insufficient evidence to rate",
)

# Words CQC publishes where no rating was published at all ("No action": real API responses carry
# it for the key questions of a service inspected without rating, RA90J). They are not ratings:
# a cell given one of them makes no cell (recorded or imported alike).
NOT_RATINGS = ("No published rating", "Do not include in report", "Not applicable", "Not yet inspected", "No action")

OVERALL = "overall"
KEY_QUESTIONS = ("safe", "effective", "caring", "responsive", "well-led")
TRUST_ONLY_QUESTIONS = ("use-of-resources", "combined")
TRUST_ONLY = frozenset(TRUST_ONLY_QUESTIONS)  # to ask of a whole set of questions at once
QUESTIONS = (OVERALL, *KEY_QUESTIONS, *TRUST_ONLY_QUESTIONS)

PROVIDER_TYPES = ("acute", "ambulance", "mental-health", "community", "specialist", "other")
INSPECTION_KINDS = ("comprehensive", "focused", "well-led", "unannounced", "follow-up")
INSPECTION_FRAMEWORKS = ("kloe-2014", "saf-2023")
NOTICE_SECTIONS = ("29A", "29")
NOTICE_OUTCOMES = ("met", "not-met", "withdrawn")
ENFORCEMENT_ACTIONS = (
    "requirement-notice",
    "condition-imposed",
    "condition-removed",
    "urgent-suspension",
    "notice-of-proposal",
    "notice-of-decision",
    "fixed-penalty",
    "caution",
    "prosecution",
)
REGIMES = ("quality", "finance")
# Segments each oversight framework defines: NOF 2025/26 added segment 5 (intensive support).
OVERSIGHT_SEGMENTS = {"SOF-2016": 4, "SOF-2021": 4, "NOF-2022": 4, "NOF-2025": 5}
OVERSIGHT_FRAMEWORKS = tuple(OVERSIGHT_SEGMENTS)

_SEPARATORS = re.compile(r"[\s_\-]+")


def normalise(word: str) -> str:
    """The matching key of a word: lower case, with runs of spaces, `-` and `_` as one space."""
    return _SEPARATORS.sub(" ", word.strip().lower())


def matcher(words: tuple[str, ...], **aliases: str) -> dict[str, str]:
    """A lookup from the matching key of each word (and of each alias) to its canonical form."""
    table = {normalise(w): w for w in words}
    table.update({normalise(alias): canonical for alias, canonical in aliases.items()})
    return table


def suggestion(word: str, words: tuple[str, ...]) -> str:
    """' (did you mean "X"?)' for the closest canonical word, or '' when none is close."""
    import difflib  # only a refusal needs it: loaded then, not at every command's start

    close = difflib.get_close_matches(normalise(word), [normalise(w) for w in words], n=1)
    if not close:
        return ""
    canonical = {normalise(w): w for w in words}[close[0]]
    return f' (did you mean "{canonical}"?)'


RATING_WORDS = matcher(RATINGS)
NOT_RATING_WORDS = matcher(NOT_RATINGS)
QUESTION_WORDS = matcher(QUESTIONS, **{"well led": "well-led", "uor": "use-of-resources"})
SECTION_WORDS = matcher(NOTICE_SECTIONS, **{"s29a": "29A", "s29": "29"})


def merit(rating: str) -> int | None:
    """0 for Outstanding down to 3 for Inadequate; None for the words that are not ratings."""
    return MERIT.index(rating) if rating in MERIT else None
