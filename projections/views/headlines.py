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
  notices, oversight segment, deregistration), for the providers registered by `at`: what
  `trusts` shows, equal to `headline_of` the provider's status.

A provider's whole status is not read from here: `views.status` folds its entries (see `store`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple

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


def headlines_from(found: Iterable[Row]) -> list[Headline]:
    """Each provider's headline from its visible facts, given in the tables' order (by provider,
    topic and subject, then `on` and position: each subject's latest fact comes last), by
    provider id; providers with no name in force (not registered by the day) are left out.

    One pass over the rows, picking what is in force as it goes, without a `Fact` made for each
    row: this is what `trusts` spends its time on, some 30,000 rows over 5,000 providers."""
    days: dict[str, date] = {}
    found_headlines = (headline(provider_id, rows, days) for provider_id, rows in groupby(found, itemgetter(0)))
    return [h for h in found_headlines if h is not None]


def headline(provider_id: str, rows: Iterable[Row], days: dict[str, date]) -> Headline | None:
    """The `Headline` that one provider's visible facts describe (None when it has no name in
    force); `days` holds the days read so far, which most facts share."""
    latest: dict[tuple[str, str], Row] = {}
    runs: list[Row] = []
    for row in rows:
        if row[1] in RUNS:
            runs.append(row)
        else:
            latest[row[1], row[2]] = row  # a later fact of the same subject replaces the one before
    name = latest.pop(("name", ""), None)
    if name is None:
        return None

    def day(on: str) -> date:
        return days.get(on) or days.setdefault(on, date.fromisoformat(on))

    registered, gone, segment = (latest.pop((topic, ""), None) for topic in ("registered", "deregistered", "oversight"))
    registration = orjson.loads(registered[5]) if registered else {}
    regimes = []
    issued = set()
    assessed = set()
    for (topic, subject), row in latest.items():  # what is left: regimes, notices and their assessments
        if topic == "regime":
            if orjson.loads(row[5])["entered"]:
                regimes.append(subject)
        elif topic == "notice":
            issued.add(subject)
        elif topic == "assessment":
            assessed.add(subject)
    return Headline(
        provider_id,
        name[5],
        registration.get("provider_type"),
        registration.get("region"),
        _overall(provider_id, runs, day),
        tuple(sorted(regimes)),
        len(issued - assessed),  # a notice is open until it is assessed (met, not met or withdrawn)
        orjson.loads(segment[5])["segment"] if segment else None,
        Since(day(gone[3]), f"{provider_id}/{gone[4]}", orjson.loads(gone[5])["successor_id"]) if gone else None,
    )


def _overall(provider_id: str, runs: list[Row], day: Callable[[str], date]) -> CellValue | None:
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
        day(held[3]),
        f"{provider_id}/{held[4]}",
        day(run),
        inspected_on=day(inspected[3]) if inspected else None,
        inspected_ref=f"{provider_id}/{inspected[4]}" if inspected else None,
    )
