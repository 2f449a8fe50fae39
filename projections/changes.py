"""What changed across the register: `changes`, every rating cell whose value changed in a
period, with the day, the entry that changed it, and the value before and after.

Each provider's status is folded (the reference fold, `projections.status`) up to the first day,
then on through the period day by day: a cell changed on a day when its rating at the end of the
day differs from its rating at the end of the day before. A first rating is a change from
nothing; a report that republishes a rating unchanged is not a change, nor is "Inspected but not
rated" over a rating, nor a correction that leaves the value as it was. A change is credited to
the last entry of its day after which the cell's rating differed from the one before
(`status.rerated`): the entry `history` shows changing it, not a later one of the day that
republished it unchanged.

From the views (`across`), only the providers with ratings set in the period are read, from
their stored entries (`register_facts.Rated`), with the same answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby
from operator import itemgetter
from typing import Any

from cqc_ledger.events.base import CellKey
from cqc_ledger.events.vocabulary import KEY_QUESTIONS, MERIT, OVERALL, RATINGS, merit
from cqc_ledger.ledger.application import collector_paused
from cqc_ledger.ledger.history import effective, in_effect_order, takes_effect
from cqc_ledger.ledger.records import Recorded
from cqc_ledger.projections import register_facts
from cqc_ledger.projections.register_facts import Rated
from cqc_ledger.projections.status import INSPECTED_NOT_RATED, CellValue, Status, evolve, inspected_without_rating, rerated
from cqc_ledger.projections.trusts import LEVELS as LEVELS  # where the command line reads them without this module
from cqc_ledger.projections.trusts import Filters
from cqc_ledger.projections.views import Views


@dataclass(frozen=True)
class Asked:
    """What `changes` keeps: the filters of the register, a question and a level."""

    filters: Filters = field(default_factory=Filters)
    question: str | None = None
    level: str | None = None


def level_of(key: CellKey) -> str:
    location_id, service, _ = key
    return "service" if service else "location" if location_id else "trust"


Move = tuple[date, CellKey, "CellValue | None", CellValue, str]  # the day, the cell, from, to, the entry credited


@dataclass(frozen=True)
class Who:
    """What the filters ask of a provider: its name, type and region (on the last day)."""

    name: str | None
    provider_type: str | None
    region: str | None


def changes(
    recorded: Iterable[Recorded], provider_id: str, start: date, end: date, known_at: datetime | None, asked: Asked
) -> list[dict[str, Any]]:
    """The provider's rating changes on the days after `start` up to `end`, as `changes --json`
    lists them: the reference, folding every entry of the provider."""
    history = [r for r in in_effect_order(effective(recorded, known_at)) if takes_effect(r.entry) <= end]
    state, moved = moves(history, provider_id, start)
    return rows_of(provider_id, Who(state.name, state.provider_type, state.region), moved, asked)


def moves(history: list[Recorded], provider_id: str, start: date) -> tuple[Status, list[Move]]:
    """The status at the end of the history (in effect order) and each cell's change of rating
    on a day after `start`: the cells at the end of each day against the end of the day before,
    each credited to the last entry of the day after which its rating differed from the one
    before (`status.rerated`, as `history` shows each entry's changes)."""
    state = Status(provider_id)
    moved: list[Move] = []
    for day, same_day in groupby(history, key=lambda r: takes_effect(r.entry)):
        before = state.cells
        if day <= start:
            for r in same_day:
                state = evolve(state, r)
            continue
        by: dict[CellKey, str] = {}
        for r in same_day:
            was, state = state.cells, evolve(state, r)
            if state.cells is not was:
                by.update((key, r.ref) for key, value in state.cells.items() if value is not was.get(key) and rerated(was.get(key), value))
        moved.extend((day, key, before.get(key), value, by[key]) for key, value in state.cells.items() if rerated(before.get(key), value))
    return state, moved


def rows_of(provider_id: str, who: Who, moved: list[Move], asked: Asked) -> list[dict[str, Any]]:
    """The changes `asked` keeps, as rows."""
    if not asked.filters.keeps_provider(who.name, who.provider_type, who.region):
        return []
    return [_row(provider_id, who.name, day, key, was, now, ref) for day, key, was, now, ref in moved if _asked(key, now.rating, asked)]


# ---- from part of a history, read from the views ------------------------------------------


def touched(window: list[Rated]) -> set[CellKey] | None:
    """The cells a period's entries set, with the overall of each service among them (what a
    service's key question holds depends on it); None when one of them retires a service (then
    every cell of that place may change, and the whole history is read)."""
    if any(r.kind == "ServiceSuperseded" for r in window):
        return None
    keys = {key for r in window for key in r.cells}
    return keys | _overalls(keys)


def _overalls(keys: Iterable[CellKey]) -> set[CellKey]:
    return {(key[0], key[1], OVERALL) for key in keys if key[1] is not None}


_WORDS = frozenset(RATINGS) - frozenset(MERIT)  # "Not rated", "Inspected but not rated", "Insufficient evidence to rate"


class Held:
    """Each cell's rating (`ratings`, as the status fold holds it) and the position of the entry
    that set it (`by`): a service's key question's word that is not a rating goes with its rating."""

    __slots__ = ("by", "ratings")

    def __init__(self) -> None:
        self.ratings: dict[CellKey, str] = {}
        self.by: dict[CellKey, int] = {}

    def update(self, r: Rated) -> None:
        """Sets every cell of `r` (an entry with no "Inspected but not rated"), in C's loops."""
        self.ratings.update(r.cells)
        self.by.update(dict.fromkeys(r.cells, r.position))


def rated_rows(rated: list[Rated], provider_id: str, who: Who, start: date, asked: Asked) -> list[dict[str, Any]]:
    """As `moves` then `rows_of`, over entries read as `Rated` (in effect order), with plain
    values: each entry sets its cells as the status fold does ("Inspected but not rated" over a
    rating leaves it), a retired service's cells leave its place, and a cell changed on a day
    after `start` when its rating at the end of the day differs from the day before's. The rows
    are by day, then place and question (as `in_order` has them for one provider).

    Most days are one entry that sets ratings only: its changes are the cells whose rating it
    does not hold already, each found by one look-up in what is held."""
    held = Held()
    out: list[dict[str, Any]] = []
    for day, same_day in groupby(rated, key=lambda r: r.on):
        entries = list(same_day)
        if day <= start:
            for r in entries:
                _apply(held, r)
            continue
        only = entries[0]
        if len(entries) == 1 and only.place is None and INSPECTED_NOT_RATED not in only.cells.values():
            ratings = held.ratings
            moved = [(key, was, rating, only.position) for key, rating in only.cells.items() if (was := ratings.get(key)) != rating]
            held.update(only)
            _rated_anew(held, only, {})
        else:
            moved = _day_moves(held, entries)
        if asked.question or asked.level or asked.filters.rating:
            moved = [m for m in moved if _asked(m[0], m[2], asked)]
        moved.sort(key=_place_order)
        on, name = day.isoformat(), who.name
        out.extend(
            {
                "provider_id": provider_id,
                "name": name,
                "location_id": key[0],
                "service": key[1],
                "question": key[2],
                "from": was,
                "to": now,
                "on": on,
                "ref": f"{provider_id}/{position}",
            }
            for key, was, now, position in moved
        )
    return out


def _place_order(moved: tuple[CellKey, str | None, str, int]) -> tuple[str, str, str]:
    location_id, service, question = moved[0]
    return location_id or "", service or "", question


def _apply(held: Held, r: Rated) -> None:
    """Sets the cells of an entry (or retires its service's) in `held`, as the status fold does."""
    if r.place is None and INSPECTED_NOT_RATED not in r.cells.values():
        held.update(r)
        _rated_anew(held, r, {})
    else:
        _set(held, r, {})


def _set(held: Held, r: Rated, was: dict[CellKey, str | None]) -> list[CellKey]:
    """Applies an entry to `held` as the status fold does (`projections.status.settled`): a
    retired service's cells leave its place; "Inspected but not rated" over a rating leaves it;
    a word that is not a rating sets no key question of a service the entry inspected without a
    new rating; a service rated anew keeps no such word another entry set. `was` keeps each
    touched cell's rating before the first entry that touched it; the cells whose rating the entry
    changed are returned (`status.rerated`: one it sets to the rating it holds changes nothing)."""
    ratings, by = held.ratings, held.by
    if r.place is not None:
        for key in [k for k in ratings if k[:2] == r.place]:
            was.setdefault(key, ratings.pop(key))
            del by[key]
        return []
    unrated = inspected_without_rating(ratings.get, r.cells.items())
    changed = []
    for key, rating in r.cells.items():
        old = ratings.get(key)
        was.setdefault(key, old)
        if not _replaces(old, rating):
            continue
        if key[1] is not None and key[2] != OVERALL and (key[0], key[1]) in unrated and merit(rating) is None:
            continue
        ratings[key], by[key] = rating, r.position
        if old != rating:
            changed.append(key)
    _rated_anew(held, r, was)
    return changed


def _rated_anew(held: Held, r: Rated, was: dict[CellKey, str | None]) -> None:
    """The words that are not ratings another entry set leave the key questions of each service
    whose overall `r` set (left in `held` by it), each noted in `was` as it was; a revision of
    one rating rates nothing anew (`projections.status.settled`)."""
    if r.kind == "RatingRevised":
        return
    ratings, by, position = held.ratings, held.by, r.position
    for location_id, service, question in r.cells:
        if question != OVERALL or service is None or by.get((location_id, service, question)) != position:
            continue
        for question in KEY_QUESTIONS:
            other = (location_id, service, question)
            kept = ratings.get(other)
            if kept is not None and by[other] != position and kept in _WORDS:
                was.setdefault(other, kept)
                del ratings[other], by[other]


def _replaces(old: str | None, rating: str) -> bool:
    """Whether a cell's new value replaces its old: "Inspected but not rated" over a rating does not."""
    return rating != INSPECTED_NOT_RATED or old is None or merit(old) is None


def _day_moves(held: Held, entries: list[Rated]) -> list[tuple[CellKey, str | None, str, int]]:
    """The day's entries applied to `held` one by one: each cell they touched whose rating at the
    end of the day differs from the day before's, with the position of the last entry that
    changed its rating (as `moves` credits it: not one that set it again unchanged after)."""
    was: dict[CellKey, str | None] = {}
    changed_by: dict[CellKey, int] = {}
    for r in entries:
        for key in _set(held, r, was):
            changed_by[key] = r.position
    ratings = held.ratings
    return [(key, old, ratings[key], changed_by[key]) for key, old in was.items() if key in ratings and ratings[key] != old]


def _asked(key: CellKey, rating: str, asked: Asked) -> bool:
    return (
        (asked.question is None or key[2] == asked.question)
        and (asked.level is None or level_of(key) == asked.level)
        and (asked.filters.rating is None or rating == asked.filters.rating)
    )


def _row(provider_id: str, name: str | None, day: date, key: CellKey, was: CellValue | None, now: CellValue, ref: str) -> dict[str, Any]:
    location_id, service, question = key
    return {
        "provider_id": provider_id,
        "name": name,
        "location_id": location_id,
        "service": service,
        "question": question,
        "from": was.rating if was else None,
        "to": now.rating,
        "on": day.isoformat(),
        "ref": ref,
    }


def in_order(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Changes by day, then provider, then place and question."""
    return sorted(rows, key=lambda r: (r["on"], r["provider_id"], r["location_id"] or "", r["service"] or "", r["question"]))


# ---- across the register, from the views ------------------------------------------------------

# Of each provider's entries before the period, counting back from the latest, the ones fetched
# in each round, for the providers that the rounds before left unsettled (None: all the rest).
ROUNDS = ((0, 1), (1, 2), (2, 4), (4, None))
NAMED = 10_000  # providers still unsettled named in a statement (more: every provider's entries are fetched)


def across(views: Views, start: date, end: date, known_at: datetime | None, asked: Asked) -> list[dict[str, Any]]:
    """Every provider's rating changes after `start` up to `end`, as known at `known_at`.

    Only the providers whose ratings were set in the period are folded, each from the fewest of
    its latest entries before the period that settle every cell the period sets (often one
    report that set them all). A year costs the year's reports and the few before each
    provider's first, not all history.
    """
    # A year's cells are hundreds of thousands of small objects, none in a cycle: the collector
    # rests while they are read, and they are gone (but the rows) before it resumes. The reads
    # see one state of the ledger, whatever is recorded meanwhile.
    with collector_paused(), views.one_snapshot():
        return _across(views, start, end, known_at, asked)


def _across(views: Views, start: date, end: date, known_at: datetime | None, asked: Asked) -> list[dict[str, Any]]:
    window = register_facts.rated_in(views, start, end, known_at)
    names = register_facts.who(views, end, known_at)
    wanted: dict[str, tuple[Who, set[CellKey] | None]] = {}
    for provider_id, during in window.items():
        about = Who(*names.get(provider_id, (None, None, None)))
        if asked.filters.keeps_provider(about.name, about.provider_type, about.region):
            wanted[provider_id] = (about, touched(during))
    earlier = _earlier(views, start, known_at, {p: keys for p, (_, keys) in wanted.items()})
    rows: list[dict[str, Any]] = []
    for provider_id in sorted(wanted):
        rows.extend(rated_rows(earlier[provider_id] + window[provider_id], provider_id, wanted[provider_id][0], start, asked))
    rows.sort(key=itemgetter("on"))  # stable: each day's rows stay by provider, then place and question (as `in_order`)
    return rows


def _earlier(views: Views, start: date, known_at: datetime | None, touching: dict[str, set[CellKey] | None]) -> dict[str, list[Rated]]:
    """For each provider, the latest of its entries before the period that settle the cells
    `touching` says the period sets (None: all its entries), in effect order; the sets of
    `touching` are emptied.

    The latest entry of each is fetched first, then the one before, then two more, then all the
    rest, each round only for the providers the rounds before left unsettled; an entry is read
    (parsed) only while some cell is still to settle, and keeps only the cells still to settle
    (one that an entry after it settled takes that entry's value, whatever came before)."""
    earlier: dict[str, list[Rated]] = {p: [] for p in touching}
    open_keys = dict(touching)  # each provider's cells still to settle, emptied as they are
    # the overall of each service among them, read with them while they are open (whether an
    # entry inspected the service without a new rating)
    overalls = {p: _overalls(keys) for p, keys in touching.items() if keys}
    for after, upto in ROUNDS:
        if not open_keys:
            break
        counted: dict[str, int] = {}
        named = open_keys if len(open_keys) <= NAMED else None
        for row in register_facts.rated_back(views, start, known_at, after=after, upto=upto, providers=named):
            provider_id = row[0]
            counted[provider_id] = counted.get(provider_id, 0) + 1
            keys = open_keys.get(provider_id, ())
            if keys is None or keys:  # some cell still to settle (None: every entry is wanted, whole)
                # of its cells, only those still to settle matter (with their services' overalls)
                r = register_facts.read_rated(row, keys if keys is None else keys | overalls[provider_id])
                earlier[provider_id].insert(0, r)
                if keys is not None:
                    _settle(keys, r.cells)
        # Still unsettled: those with cells open and as many entries as asked (so perhaps more).
        open_keys = {p: keys for p, keys in open_keys.items() if (keys is None or keys) and upto and counted.get(p, 0) == upto - after}
    return earlier


def _settle(keys: set[CellKey], cells: dict[CellKey, str]) -> None:
    """Removes from `keys` the cells an entry settles: those it sets, but "Inspected but not
    rated" (a rating may stand beneath it) and a service's key question given a word that is not
    a rating (which may set nothing, its service inspected without a new rating)."""
    if _WORDS.isdisjoint(cells.values()):
        keys.difference_update(cells)
        return
    keys.difference_update(
        key
        for key, rating in cells.items()
        if rating != INSPECTED_NOT_RATED and (rating not in _WORDS or key[1] is None or key[2] == OVERALL)
    )
