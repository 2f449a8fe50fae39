"""What kind of question a published aggregate rating raises, judged as CQC published it.

Each aggregate is checked twice: against the ratings under it on the day it was published (what
CQC had before it), and against those under it on the day asked. Of the published ratings the
principles can judge, each is one of:

- `incomplete`: on its day, fewer ratings under it were recorded than it aggregates (a trust
  overall needs all five key questions; a trust key question, the question at every location or
  service in force). The principles decline to judge, and say what is missing.
- `inconsistent`: on its day, with every rating under it recorded, the principles give something
  else by a rule CQC stated (on its own pages or as a third party reports it).
- `assumed`: on its day the principles give something else, but only by a threshold CQC has not
  stated (the one assumed is named).
- `stale`: consistent on its day, but what is under it has been rated again since, and from the
  ratings now under it the principles give something else (the later entries are named).
- `consistent`: none of these.

The same function judges for `anomalies` and for `explain`, so they use the same words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from cqc_ledger.events.base import CellKey
from cqc_ledger.events.vocabulary import merit
from cqc_ledger.ledger.history import effective, in_effect_order, takes_effect
from cqc_ledger.ledger.records import Recorded
from cqc_ledger.projections import aggregates
from cqc_ledger.projections.aggregates import Check, describe
from cqc_ledger.projections.principles import UNSTATED, Step, words
from cqc_ledger.projections.status import CellValue, Status, evolve, in_force

INCONSISTENT, STALE, ASSUMED, INCOMPLETE, CONSISTENT = "inconsistent", "stale", "assumed", "incomplete", "consistent"
KINDS = (INCONSISTENT, STALE, ASSUMED, INCOMPLETE)


@dataclass(frozen=True)
class Judgement:
    """A published aggregate rating, its kind, and the checks that decided it."""

    kind: str
    says: str
    published: Check  # the check on the day it was published
    now: Check | None = None  # the check on the day asked, when it differs (stale)
    later: tuple[tuple[CellKey, CellValue], ...] = ()  # ratings under it set after it was published
    assumption: Step | None = None  # the unstated threshold a disagreement rests on

    @property
    def key(self) -> CellKey:
        return self.published.key


def judge(on_publication: Status, now: Status, key: CellKey) -> Judgement | None:
    """The kind of the published rating of `key`: `on_publication` is the status at the end of the
    day it was published, `now` the status on the day asked. None: not an aggregate, not a rating."""
    first = aggregates.check(on_publication, key)
    if first is None or merit(first.published.rating) is None:
        return None
    published = f"the published {first.published.rating} ({first.published.since})"
    if first.under.missing or first.verdict.rating is None:
        return Judgement(INCOMPLETE, _incomplete(first), first)
    if not first.agrees:
        stated = [s for s in first.verdict.steps if s.gives == first.verdict.rating and s.basis != UNSTATED]
        decided = first.verdict.decided_by
        if stated or decided is None:
            return Judgement(
                INCONSISTENT, f"on its day the principles give {first.verdict.rating}, not {published}: {first.verdict.found}", first
            )
        says = f"on its day the principles give {first.verdict.rating}, not {published}, only by a threshold CQC has not stated: {decided.says}"
        return Judgement(ASSUMED, says, first, assumption=decided)
    later_check = aggregates.check(now, key)
    if later_check is None or later_check.published != first.published or later_check.under.missing or later_check.agrees is not False:
        return Judgement(CONSISTENT, f"on its day the principles give {first.verdict.rating}, as published", first)
    later = tuple((k, v) for k, v in later_check.under.inputs if v.since > first.published.since)
    cells = "; ".join(f"{describe(k)} {v.rating} ({v.since}, {v.ref})" for k, v in later) or "none"
    says = (
        f"consistent when published ({first.verdict.rating}), but rated again under it since: {cells}; "
        f"from the ratings now under it the principles give {later_check.verdict.rating}"
    )
    return Judgement(STALE, says, first, later_check, later)


def _incomplete(c: Check) -> str:
    n, have = len(c.under.missing), len(c.under.inputs)
    one = c.under.noun.removesuffix("s")
    if not n and have:
        words_found = ", ".join(sorted(set(c.verdict.ignored)))
        held = f"the one {one} under it holds" if have == 1 else f"the {words(have)} {c.under.noun} under it hold"
        return f"{held} no rating the principles count ({words_found}): the principles decline to judge"
    if not n:
        return f"no {one} under it is recorded: the principles decline to judge"
    total = have + n
    noun = c.under.noun if total != 1 else c.under.noun.removesuffix("s")
    missing = ", ".join(describe(k) for k in c.under.missing)
    return f"on its day ({c.published.since}), {_recorded_of(have, total, noun)} (missing: {missing}): the principles decline to judge"


def _recorded_of(have: int, total: int, noun: str) -> str:
    """'one of the five key questions it aggregates was recorded', as a sentence counts them."""
    if total == 1:
        return f"the one {noun} it aggregates was not recorded"
    if not have:
        return f"{'neither' if total == 2 else 'none'} of the {words(total)} {noun} it aggregates was recorded"
    return f"{words(have)} of the {words(total)} {noun} it aggregates {'was' if have == 1 else 'were'} recorded"


def judgements(
    recorded: Iterable[Recorded], provider_id: str, at: date, known_at: datetime | None = None
) -> tuple[Status, list[Judgement]]:
    """The status at the end of `at`, and the judgement of each aggregate rating in force then, in
    one pass over the provider's history (the status on each publication day is a step of the fold)."""
    history = in_effect_order([r for r in effective(recorded, known_at) if takes_effect(r.entry) <= at])
    now = statuses_on(history, provider_id, [at])[at]
    in_force_now = in_force(now)  # not the ratings of a provider or a location deregistered by then
    snapshots = statuses_on(history, provider_id, {value.since for value in in_force_now.values()})
    found = []
    for key in sorted(in_force_now, key=aggregates.cell_order):
        if aggregates.under(now, key) is None:
            continue
        judged = judge(snapshots[in_force_now[key].since], now, key)
        if judged is not None:
            found.append(judged)
    return now, found


def statuses_on(history: list[Recorded], provider_id: str, days: Iterable[date]) -> dict[date, Status]:
    """The status at the end of each of `days`, from a history in effect order, in one fold."""
    out: dict[date, Status] = {}
    state, i = Status(provider_id), 0
    for day in sorted(set(days)):
        while i < len(history) and takes_effect(history[i].entry) <= day:
            state = evolve(state, history[i])
            i += 1
        out[day] = state
    return out
