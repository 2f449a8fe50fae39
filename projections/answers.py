"""The answers of the reading commands, as the JSON documents of the contract.

One place composes each answer (which entries, which fold, which shape), so that the command
line's `--json` and the web site's `/api/...` are the same document for the same question: both
call these functions, neither copies them.

A command asks one question, so each answer imports the folds it needs itself: loading every
fold and its output (explanations and their principles, differences, timelines, changes, the
anomalies) would cost every command some 40 ms of processor time at its start. Only what
`status` and `trusts` share is imported above.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from cqc_ledger.ledger.application import Ledger
from cqc_ledger.ledger.errors import NotYetRegistered, UnknownProvider
from cqc_ledger.projections import output, views
from cqc_ledger.projections import trusts as register
from cqc_ledger.projections.status import not_registered_by, unknown_by

if TYPE_CHECKING:
    from cqc_ledger.events.base import CellKey
    from cqc_ledger.ledger.records import Recorded
    from cqc_ledger.projections import changes as changed
    from cqc_ledger.projections import find as finding
    from cqc_ledger.projections.register_days import Headline, Move
    from cqc_ledger.projections.timeline import Timeline


def status(ledger: Ledger, provider_id: str, at: date, known_at: datetime | None, now: datetime) -> views.Answer[dict[str, Any]]:
    """`status --json`: the provider's status at the end of `at` (UnknownProvider if none), and
    how far behind the views were."""
    ledger.entries_of(provider_id, limit=1)  # UnknownProvider if there is none
    answer = views.status(ledger, provider_id, at, known_at)
    if answer.value.registered_on is None:
        raise NotYetRegistered(not_registered_by(ledger.entries_of(provider_id), provider_id, at, known_at))
    return views.Answer(output.status.status_json(answer.value, at, known_at or now), answer.behind)


def trusts(
    ledger: Ledger, at: date, known_at: datetime | None, filters: register.Filters = register.EVERY_PROVIDER
) -> views.Answer[list[dict[str, Any]]]:
    """`trusts --json`: every provider on the register on `at` that `filters` keeps, and how far
    behind the views were."""
    answer = views.headlines(ledger, at, known_at)
    return views.Answer(_trust_rows(answer.value, at, filters), answer.behind)


def regions(ledger: Ledger, at: date, known_at: datetime | None) -> list[str]:
    """The regions of the providers on the register on `at` (the web site's region control),
    without shaping a row for each."""
    return _regions(views.headlines(ledger, at, known_at).value)


def trusts_and_regions(
    ledger: Ledger, at: date, known_at: datetime | None, filters: register.Filters
) -> tuple[views.Answer[list[dict[str, Any]]], list[str]]:
    """The web site's register page: `trusts` and `regions` from one reading of the headlines."""
    answer = views.headlines(ledger, at, known_at)
    return views.Answer(_trust_rows(answer.value, at, filters), answer.behind), _regions(answer.value)


def _trust_rows(headlines: list[register.Headline], at: date, filters: register.Filters) -> list[dict[str, Any]]:
    return output.trusts.trusts_json(register.register(headlines, filters), at)


def _regions(headlines: list[register.Headline]) -> list[str]:
    return sorted({s.region for s in register.register(headlines) if s.region})


def history(ledger: Ledger, provider_id: str, since: date | None, until: date | None, known_at: datetime | None) -> list[dict[str, Any]]:
    """`history --json`: every change to the provider in effect order; NotYetRegistered, as
    `status` says it, when nothing of the provider had been recorded by `known_at`."""
    from cqc_ledger.projections.history import history as history_of

    recorded = _known_by(ledger, provider_id, known_at)
    return output.history.history_json(history_of(recorded, since=since, until=until, known_at=known_at))


def _known_by(ledger: Ledger, provider_id: str, known_at: datetime | None) -> list[Recorded]:
    """The provider's entries (UnknownProvider if none); NotYetRegistered, in the words of
    `status`, when nothing of them had been recorded by `known_at`."""
    recorded = ledger.entries_of(provider_id)
    if why := unknown_by(recorded, provider_id, known_at):
        raise NotYetRegistered(why)
    return recorded


def explain(ledger: Ledger, provider_id: str, key: CellKey, at: date, known_at: datetime | None, now: datetime) -> dict[str, Any]:
    """`explain --json`: how the rating of one cell came about."""
    from cqc_ledger.projections.explain import explain as explanation_of

    found = explanation_of(ledger.entries_of(provider_id), provider_id, key, at, known_at)
    return output.explain.explain_json(found, known_at or now)


def diff(ledger: Ledger, provider_id: str, start: date, end: date, known_at: datetime | None, now: datetime) -> dict[str, Any]:
    """`diff --json`: what differs in the provider's status between two days; NotYetRegistered,
    as `status` of the second day says it, when there was no provider then as known at `known_at`
    (nothing of it recorded by then, or its registration later than the day)."""
    from cqc_ledger.projections.diff import diff as difference_of

    recorded = ledger.entries_of(provider_id)
    found = difference_of(recorded, provider_id, start, end, known_at)
    if found.after.registered_on is None:
        raise NotYetRegistered(not_registered_by(recorded, provider_id, end, known_at))
    return output.diff.diff_json(found, known_at or now)


def chart_timeline(
    ledger: Ledger,
    provider_id: str,
    *,
    today: date,
    since: date | None = None,
    until: date | None = None,
    known_at: datetime | None = None,
    location_id: str | None = None,
) -> Timeline:
    """What `chart` draws: the provider's timeline (NotYetRegistered, as for `history`, when
    nothing of the provider had been recorded by `known_at`)."""
    from cqc_ledger.projections.timeline import timeline

    recorded = _known_by(ledger, provider_id, known_at)
    return timeline(recorded, provider_id, today=today, since=since, until=until, known_at=known_at, location_id=location_id)


def find(ledger: Ledger, text: str, *, by_id: bool = False) -> views.Answer[list[finding.Found]]:
    """`find`: the providers and locations with a current or former name matching `text` (from
    the entries themselves when the views are behind, which is the same answer); with `by_id`
    (the web site's search box), the provider whose id `text` is too."""
    from cqc_ledger.projections import find as finding
    from cqc_ledger.projections import register_facts
    from cqc_ledger.projections.register import histories

    ready = views.current(ledger)
    if ready.value:
        with ready.value.one_snapshot():  # the names and the deregistrations of one state
            names, gone = register_facts.names(ready.value), register_facts.deregistrations(ready.value)
    else:
        held = list(histories(ledger))
        names, gone = finding.names_in(held), finding.deregistrations_in(held)
    return views.Answer(finding.find(text, names, gone, by_id=by_id), ready.behind)


def changes(ledger: Ledger, start: date, end: date, known_at: datetime | None, asked: changed.Asked) -> views.Answer[list[dict[str, Any]]]:
    """`changes --json`: every rating cell across the register whose value changed after `start`,
    up to `end` (by folding every provider's entries when the views are behind: the same answer)."""
    from cqc_ledger.projections import changes as changed
    from cqc_ledger.projections.register import histories

    ready = views.current(ledger)
    if ready.value is not None:
        return views.Answer(changed.across(ready.value, start, end, known_at, asked))
    found = (row for pid, recorded in histories(ledger) for row in changed.changes(recorded, pid, start, end, known_at, asked))
    return views.Answer(changed.in_order(found), ready.behind)


def counts(
    ledger: Ledger,
    days: list[date],
    known_at: datetime | None,
    *,
    by: str,
    question: str,
    filters: register.Filters = register.EVERY_PROVIDER,
) -> views.Answer[list[dict[str, Any]]]:
    """`counts --json`: for each of the ascending `days`, the providers on the register `by`
    rating of `question`, regime or segment."""
    from cqc_ledger.projections import counts as counted

    found = register_moves(ledger, days[-1], known_at, question)
    return views.Answer(counted.series(found.value, days, by, filters), found.behind)


def register_on(ledger: Ledger, days: list[date], known_at: datetime | None, question: str) -> views.Answer[dict[date, list[Headline]]]:
    """The providers on the register on each of the ascending days, with the trust-level rating of
    `question`."""
    from cqc_ledger.projections.register_days import at_days

    found = register_moves(ledger, days[-1], known_at, question)
    return views.Answer(at_days(found.value, days), found.behind)


def register_moves(ledger: Ledger, until: date, known_at: datetime | None, question: str) -> views.Answer[list[Move]]:
    """Each provider's headline after each day it changed, up to `until`, with the trust-level
    rating of `question`: from the views' headline facts for overall, else (or when the views
    are behind) by folding the entries."""
    from cqc_ledger.projections import register_facts
    from cqc_ledger.projections.register import histories
    from cqc_ledger.projections.register_days import moves, replayed_moves

    ready = views.current(ledger) if question == "overall" else views.Answer(None)
    if ready.value is not None:
        return views.Answer(list(moves(register_facts.headline_facts(ready.value, until, known_at))))
    return views.Answer([m for m in replayed_moves(histories(ledger), known_at, question) if m[0] <= until], ready.behind)


def provider_id(ledger: Ledger, text: str) -> str:
    """The provider a PROVIDER argument stands for, as every command and page reads it: the id
    itself when the ledger holds it, else the one provider a name stands for (`provider_named`)."""
    try:
        ledger.entries_of(text, limit=1)
        return text
    except UnknownProvider:  # not an id of the ledger: perhaps a name
        return provider_named(ledger, text)


def provider_named(ledger: Ledger, name: str) -> str:
    """The one provider a name (current or former, of the provider or one of its locations)
    stands for; AmbiguousName or UnknownProvider otherwise."""
    from cqc_ledger.projections import find as finding
    from cqc_ledger.projections import register_facts
    from cqc_ledger.projections.register import histories

    ready = views.current(ledger)
    if ready.value is not None:
        with ready.value.one_snapshot():  # the providers and the names of one state
            return finding.resolved(name, register_facts.provider_ids(ready.value), register_facts.names(ready.value))
    names = finding.names_in(histories(ledger))
    return finding.resolved(name, {n.provider_id for n in names if n.location_id is None}, names)
