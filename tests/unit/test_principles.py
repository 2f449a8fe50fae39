"""CQC's aggregation principles (cqc-domain.md section 2), rule by rule, on each boundary.

The thresholds by number of ratings under an aggregate:

    rule                              1-3   4-8   9+
    Outstanding (the rest Good)        1     2     3    stated by CQC
    limited to Requires improvement    1     2     3    4-8 reported (Capsticks); others unstated
    Inadequate                         1     2     3    4-8 reported (HSJ); others unstated
    combined rating of six: the limit to Requires improvement is three (reported, Capsticks)

Each is tested one below, at and one above its threshold, at both ends of each band.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cqc_ledger.events.vocabulary import GOOD, INADEQUATE, MERIT, OUTSTANDING, REQUIRES_IMPROVEMENT, merit
from cqc_ledger.projections import principles
from cqc_ledger.projections.principles import (
    COMBINED,
    REPORTED,
    STATED,
    UNSTATED,
    Breach,
    aggregate,
    check,
    saf_percentage,
    score_band,
)

RI = REQUIRES_IMPROVEMENT
THRESHOLD = {1: 1, 3: 1, 4: 2, 8: 2, 9: 3, 12: 3}  # both ends of each band (12 stands for 9+)


def ratings(n: int, **counts: int) -> list[str]:
    """n ratings: so many of each named kind, the rest Good."""
    named = {"outstanding": OUTSTANDING, "ri": RI, "inadequate": INADEQUATE}
    out = [named[kind] for kind, k in counts.items() for _ in range(k)]
    return out + [GOOD] * (n - len(out))


def around(n: int) -> list[tuple[int, int]]:
    """(n, k) for k one below, at and one above the threshold of n ratings, where k fits in n."""
    x = THRESHOLD[n]
    return [(n, k) for k in (x - 1, x, x + 1) if k <= n]


CASES = [case for n in THRESHOLD for case in around(n)]


@pytest.mark.parametrize(("n", "k"), CASES)
def test_outstanding_needs_enough_outstanding_and_the_rest_good(n: int, k: int) -> None:
    verdict = aggregate(ratings(n, outstanding=k))
    assert verdict.rating == (OUTSTANDING if k >= THRESHOLD[n] else GOOD)
    assert verdict.rule == ("outstanding-by-count" if k >= THRESHOLD[n] else "good-otherwise")


@pytest.mark.parametrize(("n", "k"), CASES)
def test_requires_improvement_limits_from_its_count(n: int, k: int) -> None:
    verdict = aggregate(ratings(n, ri=k))
    assert verdict.rating == (RI if k >= THRESHOLD[n] else GOOD)


@pytest.mark.parametrize(("n", "k"), CASES)
def test_inadequate_from_its_count(n: int, k: int) -> None:
    verdict = aggregate(ratings(n, inadequate=k))
    # One below, the Inadequate ratings count towards the limit to Requires improvement ("or
    # worse"), but its threshold is the same, so it is not reached either.
    assert verdict.rating == (INADEQUATE if k >= THRESHOLD[n] else GOOD)


def test_outstanding_is_not_given_when_any_other_rating_is_below_good() -> None:
    # One Requires improvement of five is under the rule of two: no limit, but no Outstanding.
    assert aggregate([OUTSTANDING, OUTSTANDING, OUTSTANDING, RI, GOOD]).rating == GOOD
    assert aggregate([OUTSTANDING, OUTSTANDING, GOOD, GOOD, GOOD]).rating == OUTSTANDING


def test_inadequate_counts_towards_the_limit_to_requires_improvement() -> None:
    verdict = aggregate([INADEQUATE, RI, GOOD, GOOD, GOOD], noun="key questions")
    assert verdict.rating == RI
    assert verdict.decided_by.says == ("two or more of five key questions Requires improvement or worse: limited to Requires improvement")


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ([GOOD], "the one key question Good: Good"),
        ([OUTSTANDING], "the one key question Outstanding: Outstanding"),
        ([RI], "the one key question Requires improvement or worse: limited to Requires improvement"),
        ([INADEQUATE], "the one key question Inadequate: Inadequate"),
        ([GOOD, GOOD], "of two key questions, no limit reached and none Outstanding: Good"),
        ([OUTSTANDING, GOOD, GOOD, GOOD, GOOD], "of five key questions, no limit reached and fewer than two Outstanding: Good"),
        (
            [OUTSTANDING, OUTSTANDING, RI, GOOD, GOOD],
            "of five key questions, no limit reached and two Outstanding but not the rest Good: Good",
        ),
        ([OUTSTANDING, OUTSTANDING, GOOD, GOOD, GOOD], "two or more of five key questions Outstanding and the rest Good: Outstanding"),
    ],
    ids=[
        "one Good",
        "one Outstanding",
        "one Requires improvement",
        "one Inadequate",
        "two Good",
        "too few Outstanding",
        "enough Outstanding but not the rest Good",
        "enough Outstanding and the rest Good",
    ],
)
def test_the_count_rules_say_what_they_counted_in_a_sentence_that_agrees_with_its_count(given: list[str], says: str) -> None:
    # One rating is "the one key question", never "one or more of one"; Good otherwise says why
    # Outstanding was not given.
    assert aggregate(given, noun="key questions").decided_by.says == says


def test_the_explanation_names_the_rule_that_decided() -> None:
    verdict = aggregate([INADEQUATE, RI, GOOD, INADEQUATE, INADEQUATE], noun="key questions")
    assert verdict.rule == "inadequate-by-count"
    assert verdict.decided_by.says == "two or more of five key questions Inadequate: Inadequate"
    assert verdict.found == "three Inadequate, one Requires improvement, one Good"


@pytest.mark.parametrize(
    ("given", "basis"),
    [
        ([OUTSTANDING, GOOD], STATED),  # 1-3: Outstanding from one, CQC's table
        ([RI, GOOD, GOOD], UNSTATED),  # 1-3: the limit from one RI is not in CQC's sources
        ([RI, RI, GOOD, GOOD, GOOD], REPORTED),  # 4-8: the "rule of two" (Capsticks)
        ([INADEQUATE, INADEQUATE, GOOD, GOOD], REPORTED),  # 4-8: two Inadequate (HSJ)
        (ratings(9, inadequate=3), UNSTATED),  # 9+: not in CQC's sources
        ([GOOD] * 5, UNSTATED),  # "otherwise Good" is implied, not stated
    ],
)
def test_each_threshold_says_whether_cqc_states_it(given: list[str], basis: str) -> None:
    assert aggregate(given).decided_by.basis == basis


def test_words_that_are_not_ratings_are_not_counted() -> None:
    verdict = aggregate(["Not rated", OUTSTANDING, "Inspected but not rated"])
    assert (verdict.rating, verdict.considered, verdict.ignored) == (OUTSTANDING, 1, ("Not rated", "Inspected but not rated"))


def test_with_nothing_rated_the_principles_give_nothing() -> None:
    assert aggregate(["Not rated"]).rating is None
    assert check([], [Breach("warning-notice", "WN-1", date(2017, 1, 27), "RWP/15")]).rating is None


# ---- the combined rating of six: the limit to Requires improvement raised to three -----------


@pytest.mark.parametrize(("k", "expected"), [(2, GOOD), (3, RI), (4, RI)])
def test_the_combined_rating_allows_two_requires_improvement(k: int, expected: str) -> None:
    six = ratings(6, ri=k)
    assert aggregate(six, principles=COMBINED).rating == expected
    assert aggregate(six).rating == RI  # the usual rule of two would limit all of them


def test_the_combined_limit_says_so() -> None:
    verdict = aggregate(ratings(6, ri=3), noun="trust-level ratings", principles=COMBINED)
    assert verdict.rule == "combined-requires-improvement-by-count"
    assert verdict.decided_by.says == (
        "three or more of six trust-level ratings Requires improvement or worse: limited to Requires improvement"
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (ratings(6, inadequate=1), GOOD),
        (ratings(6, inadequate=2), INADEQUATE),  # unchanged: two of six Inadequate
        (ratings(6, outstanding=1), GOOD),
        (ratings(6, outstanding=2), OUTSTANDING),  # unchanged: two of six Outstanding, the rest Good
        (ratings(6, inadequate=1, ri=2), RI),
    ],
)
def test_the_combined_rating_keeps_the_other_rules(given: list[str], expected: str) -> None:
    assert aggregate(given, principles=COMBINED).rating == expected


# ---- enforcement on the area: requirement notices and warning notices -------------------------

REQUIREMENT = Breach("requirement-notice", "RN-1", date(2019, 9, 20), "RWP/30")
WARNING = Breach("warning-notice", "WN-1", date(2017, 1, 27), "RWP/15")


def test_a_requirement_notice_limits_the_area_to_requires_improvement() -> None:
    verdict = check([OUTSTANDING, OUTSTANDING, GOOD, GOOD, GOOD], [REQUIREMENT])
    assert (verdict.rating, verdict.rule) == (RI, "requirement-notice-limit")
    assert verdict.decided_by.says == "requirement notice RN-1 (2019-09-20): limited to Requires improvement at best"
    assert verdict.decided_by.basis == STATED


def test_a_warning_notice_normally_makes_the_area_inadequate() -> None:
    verdict = check([GOOD] * 5, [WARNING])
    assert (verdict.rating, verdict.rule) == (INADEQUATE, "warning-notice-inadequate")
    assert verdict.decided_by.says == "warning notice WN-1 open (2017-01-27): normally Inadequate"


def test_a_notice_never_raises_a_rating_and_the_count_keeps_the_credit_when_it_is_as_bad() -> None:
    verdict = check(ratings(5, inadequate=2), [REQUIREMENT])
    assert (verdict.rating, verdict.rule) == (INADEQUATE, "inadequate-by-count")
    assert check(ratings(5, ri=2), [REQUIREMENT]).rule == "requires-improvement-by-count"


RATING = st.sampled_from(MERIT)
BREACHES = st.lists(st.sampled_from([REQUIREMENT, WARNING]), max_size=3)


@given(st.lists(RATING, min_size=1, max_size=14), BREACHES)
def test_the_principles_never_rate_better_than_the_worst_limit_allows(given: list[str], breaches: list[Breach]) -> None:
    verdict = check(given, breaches)
    limits = [principles.notice_step(b).gives for b in breaches]
    assert all(merit(verdict.rating) >= merit(limit) for limit in limits)


@given(st.lists(RATING, min_size=1, max_size=14), st.data())
def test_a_worse_rating_under_an_aggregate_never_makes_it_better(given: list[str], data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(given) - 1))
    worse = data.draw(st.sampled_from(MERIT[MERIT.index(given[i]) :]))
    changed = [*given[:i], worse, *given[i + 1 :]]
    for rules in (principles.KLOE_2014, COMBINED):
        assert merit(aggregate(changed, principles=rules).rating) >= merit(aggregate(given, principles=rules).rating)


@given(st.lists(RATING, min_size=1, max_size=14))
def test_outstanding_only_when_nothing_is_below_good_and_all_alike_stays_alike(given: list[str]) -> None:
    verdict = aggregate(given)
    if verdict.rating == OUTSTANDING:
        assert set(given) <= {OUTSTANDING, GOOD}
    if len(set(given)) == 1:
        assert verdict.rating == given[0]


# ---- the Single Assessment Framework's score bands ---------------------------------------------


@pytest.mark.parametrize(
    ("percent", "rating"),
    [
        (100, OUTSTANDING),
        (88, OUTSTANDING),
        (87, GOOD),
        (63, GOOD),
        (62, RI),
        (39, RI),
        (38, INADEQUATE),
        (25, INADEQUATE),
    ],
)
def test_a_score_gives_its_band(percent: int, rating: str) -> None:
    step = score_band(percent)
    assert (step.gives, step.basis) == (rating, STATED)


def test_a_fraction_between_bands_goes_to_the_lower_one_and_says_it_is_an_assumption() -> None:
    step = score_band(87.5)
    assert (step.gives, step.basis) == (GOOD, UNSTATED)
    assert "between CQC's bands" in step.says


@pytest.mark.parametrize("percent", [24, 100.5, -1])
def test_a_score_outside_25_to_100_is_refused(percent: float) -> None:
    with pytest.raises(ValueError):
        score_band(percent)


def test_a_key_question_percentage_is_its_scores_over_the_most_they_could_be() -> None:
    assert saf_percentage([4, 4, 3, 3]) == 87.5
    assert score_band(saf_percentage([3, 3, 3, 3])).gives == GOOD
    with pytest.raises(ValueError):
        saf_percentage([5])
