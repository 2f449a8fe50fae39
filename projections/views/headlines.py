"""The headline facts: what questions across the whole register ask of every provider on a day.

Each recorded entry states at most a few (see `rows.headlines`); each is a row of
`view_headlines` (provider_id, topic, subject, valid_from, position, mend, recorded_at,
withdrawn_at, value):

| topic | subject | value |
|---|---|---|
| `name` | '' | the provider's name |
| `registered` | '' | JSON `{"provider_type", "region"}` |
| `deregistered` | '' | JSON `{"successor_id"}` |
| `overall` | '' | the trust's own overall rating, as published |
| `regime` | `quality` / `finance` | JSON `{"entered": true/false, "decided_by"}` |
| `notice` | the notice id | JSON `{"section", "deadline", "location_id", "service"}` |
| `assessment` | the notice id | `met`, `not-met` or `withdrawn` |
| `oversight` | '' | JSON `{"framework", "segment"}` |

The query API (on the views, `projections.views.open_views(ledger)`):

- `views.headline_facts(at, known_at=None, topics=None) -> list[Fact]`: for every provider, the
  fact in force on the day `at` as known at `known_at` (None: now) per topic and subject,
  i.e. the latest (by `on`, then position) of the facts with `on` <= `at`, recorded by
  `known_at` and not withdrawn by then; for the topics in `RUNS` (`overall`), every such fact,
  in effect order, since a rating's value is folded from its history (`unchanged_since`, see
  `projections.status.held_after`). One indexed query: the table is clustered by provider,
  topic and subject. "The trust overall, special measures and deregistration of every provider
  on D as known at T" is `views.headline_facts(D, T, topics=("overall", "regime", "deregistered"))`.
- `views.headlines(at, known_at=None) -> list[Headline]`: the same facts as each provider's
  `projections.trusts.Headline` (name, type and region, trust overall, regimes in force, open
  notices, oversight segment, deregistration, or the deregistration dated `at` itself as
  `leaving`), for the providers registered by `at`: what `trusts` shows, equal to `headline_of`
  the provider's status.

A provider's whole status is not read from here: `views.status` folds its entries (see `store`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from itertools import groupby
from operator import itemgetter
from typing import Any, NamedTuple

import orjson

from cqc_ledger.events.vocabulary import merit
from cqc_ledger.projections.status import INSPECTED_NOT_RATED, CellValue, Since
from cqc_ledger.projections.trusts import Headline

# Topics whose every fact in force is returned, not only the latest: their value is a fold.
RUNS = ("overall",)


class Fact(NamedTuple):
    """A headline fact in force: what `headline_facts` returns."""

    provider_id: str
    topic: str
    subject: str
    on: date
    position: int
    value: str

    @property
    def ref(self) -> str:
        return f"{self.provider_id}/{self.position}"


# A visible fact as the views hold it: provider_id, topic, subject, `on` (ISO), position, value.
Row = tuple[str, str, str, str, int, str]


def headlines_from(found: Iterable[Row], at: date | None = None) -> list[Headline]:
    """Each provider's headline from its visible facts, given in the tables' order (by provider,
    topic and subject, then `on` and position: each subject's latest fact comes last), by
    provider id; providers with no name in force (not registered by the day) are left out. A
    deregistration dated `at` itself is the headline's `leaving`, not yet `deregistered`.

    One pass over the rows, picking what is in force as it goes, without a `Fact` made for each
    row: this is what `trusts` spends its time on, some 25,000 rows over 5,000 providers. The
    days and the JSON values read are kept for the providers after (most share a few of each)."""
    days: dict[str, date] = {}
    values: dict[str, Any] = {}
    found_headlines = []
    for provider_id, rows in groupby(found, _PROVIDER):
        found_headline = headline(provider_id, rows, days, values, at)
        if found_headline is not None:
            found_headlines.append(found_headline)
    return found_headlines


_PROVIDER = itemgetter(0)
_UNREGISTERED: dict[str, Any] = {}


def headline(
    provider_id: str, rows: Iterable[Row], days: dict[str, date], values: dict[str, Any], at: date | None = None
) -> Headline | None:
    """The `Headline` that one provider's visible facts describe (None when it has no name in
    force; a deregistration dated `at` is `leaving`); `days` and `values` hold the days and the
    JSON values read so far, which most facts share (they are only read, never changed).

    Each row is told by its topic alone, the commonest first, and what few providers have
    (regimes, notices, assessments) is only made for those that have it: the fold is done for
    every provider on the register, and most have a name, a registration and an overall."""
    name = registered = gone = segment = None  # of each topic about the provider itself (subject ''), its latest fact
    runs: list[Row] = []
    regimes: dict[str, str] | None = None
    issued: set[str] | None = None
    assessed: set[str] | None = None
    for row in rows:
        topic = row[1]
        if topic == "overall":  # a run (see RUNS): every fact
            runs.append(row)
        elif topic == "name":  # a later fact of the same subject replaces the one before
            name = row
        elif topic == "registered":
            registered = row
        elif topic == "oversight":
            segment = row
        elif topic == "regime":
            regimes = regimes or {}
            regimes[row[2]] = row[5]
        elif topic == "notice":
            issued = issued or set()
            issued.add(row[2])
        elif topic == "assessment":
            assessed = assessed or set()
            assessed.add(row[2])
        elif topic == "deregistered":
            gone = row
    if name is None:
        return None
    # The helpers' lookups written out where every provider comes (a call costs as much as the lookup)
    registration = (values.get(registered[5]) or _value(registered[5], values)) if registered else _UNREGISTERED
    left = Since(_day(gone[3], days), f"{provider_id}/{gone[4]}", _value(gone[5], values)["successor_id"]) if gone else None
    on_its_day = left is not None and left.since == at
    return Headline(
        provider_id,
        name[5],
        registration.get("provider_type"),
        registration.get("region"),
        _overall(provider_id, runs, days) if runs else None,
        tuple(sorted(subject for subject, regime in regimes.items() if _value(regime, values)["entered"])) if regimes else (),
        len(issued - assessed if assessed else issued) if issued else 0,  # a notice is open until it is assessed
        (values.get(segment[5]) or _value(segment[5], values))["segment"] if segment else None,
        None if on_its_day else left,
        left if on_its_day else None,
    )


def _value(text: str, values: dict[str, Any]) -> Any:
    """The JSON value `text` holds, read once for all the facts that share it."""
    found = values.get(text)
    if found is None:
        found = values[text] = orjson.loads(text)
    return found


def _day(on: str, days: dict[str, date]) -> date:
    """The day `on` names, read once for all the facts that share it."""
    return days.get(on) or days.setdefault(on, date.fromisoformat(on))


def _overall(provider_id: str, runs: list[Row], days: dict[str, date]) -> CellValue | None:
    """The trust's overall rating that its `overall` facts (in effect order) fold to, by the rule
    of `held_after`, followed on the rows themselves so that one `CellValue` is made rather than
    one or two a fact (a sixth of the fold): "Inspected but not rated" over a rating leaves it
    standing, marked inspected that day; the same word carries its run on, from the later fact;
    any other word starts a run. The views' headlines are held equal to replay's on generated
    histories (tests/store/test_views_equal_replay.py)."""
    held: Row | None = None  # the fact that last set the value
    run = ""  # the day its run began
    inspected: Row | None = None
    for row in runs:
        rating = row[5]
        if held is not None and rating == INSPECTED_NOT_RATED and merit(held[5]) is not None:
            inspected = row
        elif held is not None and rating == held[5]:
            held, inspected = row, None
        else:
            held, run, inspected = row, row[3], None
    if held is None:
        return None
    return CellValue(
        held[5],
        days.get(held[3]) or _day(held[3], days),
        f"{provider_id}/{held[4]}",
        days.get(run) or _day(run, days),
        inspected_on=_day(inspected[3], days) if inspected else None,
        inspected_ref=f"{provider_id}/{inspected[4]}" if inspected else None,
    )
