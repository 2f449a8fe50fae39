"""CQC's aggregation principles for NHS trusts, as pure functions that check a published rating.

Two sets (cqc-domain.md section 2):

- The 2014-2023 "Ratings principles: NHS trusts": ratings are weighted equally, and an aggregate
  follows from how many of the ratings under it are Outstanding, Requires improvement or
  Inadequate, with thresholds that depend on how many ratings there are (1-3, 4-8, 9+). The
  combined trust rating (five quality key questions plus use of resources) raises the limit to
  Requires improvement to three. Enforcement limits the rating of the area of a breach.
- The Single Assessment Framework (from late 2023): a percentage score gives a rating by band.

CQC says the principles "will normally apply but will be balanced by inspection teams using their
discretion and professional judgement", and it reviews a trust's overall rating only after a
well-led inspection. So the principles only ever check a published rating: they never replace
it, and a disagreement is something to look at, not an error.

Every threshold carries its basis: STATED (on CQC's own pages), REPORTED (CQC's rule as a third
party reports it) or UNSTATED (the sources found do not state it; the value here is an
assumption, marked [I] in the domain notes). Each explanation says which.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from cqc_ledger.events.vocabulary import GOOD, INADEQUATE, MERIT, OUTSTANDING, REQUIRES_IMPROVEMENT, merit

STATED, REPORTED, UNSTATED = "stated", "reported", "unstated"

CQC_PRINCIPLES = "CQC, Ratings principles: NHS trusts (https://cqc.org.uk/guidance-providers/nhs-trusts/ratings-principles-nhs-trusts)"
CQC_RATINGS = "CQC, Ratings (https://cqc.org.uk/what-we-do/how-we-do-our-job/ratings)"
CAPSTICKS = "Capsticks on CQC's March 2018 guidance (https://capsticks.com/insights/new-cqc-guidance-on-combining-ratings-for-quality-and-use-of-resources)"
HSJ = (
    "HSJ (https://www.hsj.co.uk/quality-and-performance/efficiency-rating-could-make-it-easier-for-trusts-to-be-inadequate/7020999.article)"
)
THORNBURY = "Thornbury Nursing (https://thornbury-nursing.com/clients/blog/cqc-ratings-new-scoring-system/)"

BANDS = ("1-3", "4-8", "9+")


@dataclass(frozen=True)
class Threshold:
    """How many ratings it takes, and on what authority."""

    count: int
    basis: str
    source: str | None = None


@dataclass(frozen=True)
class CountRule:
    """A rule that counts ratings of some kinds among those under an aggregate."""

    name: str
    gives: str
    counted: tuple[str, ...]
    thresholds: tuple[Threshold, Threshold, Threshold]  # for 1-3, 4-8 and 9+ ratings


@dataclass(frozen=True)
class Principles:
    """One set of count rules, applied in order: Inadequate, the limit to Requires improvement, Outstanding."""

    name: str
    inadequate: CountRule
    requires_improvement: CountRule
    outstanding: CountRule


@dataclass(frozen=True)
class Step:
    """One rule as applied: what it gives, the rule in words, and its basis."""

    rule: str
    gives: str
    says: str
    basis: str
    source: str | None = None


@dataclass(frozen=True)
class Breach:
    """Enforcement on the area of a rating: an open warning notice or a requirement notice."""

    kind: str  # "warning-notice" or "requirement-notice"
    ident: str
    on: date
    ref: str


@dataclass(frozen=True)
class Verdict:
    """What the principles give from some ratings: the rating, the rule that decided it, and how."""

    rating: str | None  # None: there was nothing to aggregate
    rule: str
    steps: tuple[Step, ...]
    counts: Mapping[str, int]
    considered: int
    ignored: tuple[str, ...] = ()

    @property
    def decided_by(self) -> Step | None:
        """The first step that gave the verdict's rating."""
        return next((s for s in self.steps if s.rule == self.rule), None)

    @property
    def found(self) -> str:
        """The ratings counted, in words: 'three Inadequate, one Requires improvement, one Good'."""
        return ", ".join(f"{words(self.counts[r])} {r}" for r in reversed(MERIT) if self.counts[r]) or "no ratings"


_OUTSTANDING = CountRule(
    "outstanding-by-count",
    OUTSTANDING,
    (OUTSTANDING,),
    (Threshold(1, STATED, CQC_PRINCIPLES), Threshold(2, STATED, CQC_PRINCIPLES), Threshold(3, STATED, CQC_PRINCIPLES)),
)
# Only the 4-8 rows of the two limiters are reported (the "rule of two"); the 1-3 and 9+ rows
# are recollection, not found in CQC's sources: the same step of one per band is assumed.
_INADEQUATE = CountRule(
    "inadequate-by-count",
    INADEQUATE,
    (INADEQUATE,),
    (Threshold(1, UNSTATED), Threshold(2, REPORTED, HSJ), Threshold(3, UNSTATED)),
)
_REQUIRES_IMPROVEMENT = CountRule(
    "requires-improvement-by-count",
    REQUIRES_IMPROVEMENT,
    (REQUIRES_IMPROVEMENT, INADEQUATE),
    (Threshold(1, UNSTATED), Threshold(2, REPORTED, CAPSTICKS), Threshold(3, UNSTATED)),
)
# The combined rating of six: the limit to Requires improvement raised to three (March 2018).
_COMBINED_REQUIRES_IMPROVEMENT = CountRule(
    "combined-requires-improvement-by-count",
    REQUIRES_IMPROVEMENT,
    (REQUIRES_IMPROVEMENT, INADEQUATE),
    (Threshold(1, UNSTATED), Threshold(3, REPORTED, CAPSTICKS), Threshold(3, UNSTATED)),
)

KLOE_2014 = Principles("2014-2023 ratings principles for NHS trusts", _INADEQUATE, _REQUIRES_IMPROVEMENT, _OUTSTANDING)
COMBINED = Principles(
    "2014-2023 ratings principles for NHS trusts, combined rating (from March 2018)",
    _INADEQUATE,
    _COMBINED_REQUIRES_IMPROVEMENT,
    _OUTSTANDING,
)

GOOD_OTHERWISE = "good-otherwise"
REQUIREMENT_NOTICE = "requirement-notice-limit"
WARNING_NOTICE = "warning-notice-inadequate"
NOTHING = "nothing-to-aggregate"


def band(n: int) -> int:
    """The band of a number of ratings: 0 for 1-3, 1 for 4-8, 2 for 9 or more."""
    if n < 1:
        raise ValueError("a band needs at least one rating")
    return 0 if n <= 3 else 1 if n <= 8 else 2


def aggregate(ratings: Sequence[str], *, noun: str = "ratings", principles: Principles = KLOE_2014) -> Verdict:
    """What the count rules give from the ratings under an aggregate.

    Words that are not ratings ("Not rated", "Inspected but not rated"...) are not counted: CQC
    aggregates only what it rated. The rules are tried in order (Inadequate, the limit to
    Requires improvement, Outstanding) and the first that holds decides; otherwise Good.
    """
    rated = [r for r in ratings if merit(r) is not None]
    ignored = tuple(r for r in ratings if merit(r) is None)
    counts = MappingProxyType({rating: rated.count(rating) for rating in MERIT})
    n = len(rated)
    if not n:
        step = Step(NOTHING, "", f"no {noun} rated: nothing to aggregate", UNSTATED)
        return Verdict(None, NOTHING, (step,), counts, 0, ignored)
    step = _count_step(principles, counts, n, noun)
    return Verdict(step.gives, step.rule, (step,), counts, n, ignored)


def check(
    ratings: Sequence[str],
    breaches: Iterable[Breach] = (),
    *,
    noun: str = "ratings",
    principles: Principles = KLOE_2014,
) -> Verdict:
    """The count rules, then the limits that enforcement on the area puts on the result.

    A requirement notice limits the rating to Requires improvement at best; a warning notice
    normally makes it Inadequate. The verdict is the worst that any step gives.
    """
    counted = aggregate(ratings, noun=noun, principles=principles)
    if counted.rating is None:
        return counted
    steps = (*counted.steps, *(notice_step(b) for b in breaches))
    worst = max(steps, key=lambda s: merit(s.gives) or 0)  # max keeps the first of equals
    return Verdict(worst.gives, worst.rule, steps, counted.counts, counted.considered, counted.ignored)


def notice_step(breach: Breach) -> Step:
    """The limit one notice puts on the rating of its area (CQC's stated enforcement principles)."""
    if breach.kind == "requirement-notice":
        says = f"requirement notice {breach.ident} ({breach.on}): limited to Requires improvement at best"
        return Step(REQUIREMENT_NOTICE, REQUIRES_IMPROVEMENT, says, STATED, CQC_PRINCIPLES)
    says = f"warning notice {breach.ident} open ({breach.on}): normally Inadequate"
    return Step(WARNING_NOTICE, INADEQUATE, says, STATED, CQC_PRINCIPLES)


def _count_step(principles: Principles, counts: Mapping[str, int], n: int, noun: str) -> Step:
    b = band(n)
    for rule, kinds in (
        (principles.inadequate, "Inadequate"),
        (principles.requires_improvement, "Requires improvement or worse"),
    ):
        threshold = rule.thresholds[b]
        if sum(counts[r] for r in rule.counted) >= threshold.count:
            limited = "" if rule.gives == INADEQUATE else "limited to "
            says = f"{_at_least(threshold.count, n, noun)} {kinds}: {limited}{rule.gives}"
            return Step(rule.name, rule.gives, says, threshold.basis, threshold.source)
    rule = principles.outstanding
    threshold = rule.thresholds[b]
    if counts[OUTSTANDING] >= threshold.count and counts[OUTSTANDING] + counts[GOOD] == n:
        says = f"{_at_least(threshold.count, n, noun)} Outstanding{' and the rest Good' if n > 1 else ''}: Outstanding"
        return Step(rule.name, OUTSTANDING, says, threshold.basis, threshold.source)
    if n == 1:  # neither a limit nor Outstanding: the one rating is Good
        return Step(GOOD_OTHERWISE, GOOD, f"the one {noun.removesuffix('s')} Good: Good", UNSTATED)
    if counts[OUTSTANDING] >= threshold.count:
        outstanding = f"{words(counts[OUTSTANDING])} Outstanding but not the rest Good"
    else:
        outstanding = f"{'none' if threshold.count == 1 else f'fewer than {words(threshold.count)}'} Outstanding"
    return Step(GOOD_OTHERWISE, GOOD, f"of {words(n)} {noun}, no limit reached and {outstanding}: Good", UNSTATED)


def _at_least(count: int, n: int, noun: str) -> str:
    """'two or more of five key questions'; of a single rating, 'the one service' (its every
    threshold is one)."""
    return f"the one {noun.removesuffix('s')}" if n == 1 else f"{words(count)} or more of {words(n)} {noun}"


# ---- the Single Assessment Framework -----------------------------------------------------------

# CQC's bands are whole percentages: "88 to 100% - Outstanding; 63 to 87% - Good; 39 to 62% -
# Requires improvement; 38% or lower - Inadequate". The floor of 25% (every score at least 1 of
# 4) is reported, not stated; where a fractional percentage between two bands goes is not stated.
SCORE_BANDS = ((88, OUTSTANDING), (63, GOOD), (39, REQUIRES_IMPROVEMENT), (25, INADEQUATE))


def score_band(percent: float) -> Step:
    """The rating a Single Assessment Framework score gives, as a step with its basis.

    A fraction between two whole-number bands (87.5%) is placed in the lower band: CQC's
    sources do not say, so that step is marked UNSTATED.
    """
    if not 25 <= percent <= 100:
        raise ValueError(f"{percent}% is not a score: scores run from 25% to 100%")
    for low, rating in SCORE_BANDS:  # noqa: B007 (the band found is used after the loop)
        if percent >= low:
            break
    upper = {88: 100, 63: 87, 39: 62, 25: 38}[low]
    if percent > upper:
        says = f"{percent:g}% lies between CQC's bands; placed in {low} to {upper}%: {rating}"
        return Step("saf-score-band", rating, says, UNSTATED)
    return Step("saf-score-band", rating, f"{low} to {upper}%: {rating}", STATED, CQC_RATINGS)


def saf_percentage(scores: Sequence[int]) -> float:
    """A key question's percentage from its quality statements' scores (1 to 4 each).

    The sum over the most it could be (4 for each statement scored). CQC describes building
    scores up from quality statements; this exact formula is an assumption ([I]).
    """
    if not scores or any(s not in (1, 2, 3, 4) for s in scores):
        raise ValueError("quality statement scores run from 1 to 4, and at least one is needed")
    return 100 * sum(scores) / (4 * len(scores))


BASIS_WORDS = {
    STATED: "CQC's stated rule",
    REPORTED: "CQC's rule as reported by a third party",
    UNSTATED: "threshold not stated in CQC's sources: an assumption",
}


def words(n: int) -> str:
    """Small numbers in words, as a sentence reads them."""
    names = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")
    return names[n] if 0 <= n < len(names) else str(n)
