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
  on D as known at T" is `views.headline_facts(D, T, topics=("overall", "regime", "deregistered"))`,
  and `overall_of(facts)` folds a provider's `overall` facts into its `CellValue`.
- `views.statuses(at, known_at=None) -> list[Status]`: the same facts as each provider's headline
  `Status` (name, type, registration, deregistration, trust overall, regimes in force, notices,
  oversight), for the providers registered by `at`; what `trusts` shows.

A provider's whole status is not read from here: `views.status` folds its entries (see `store`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from types import MappingProxyType
from typing import NamedTuple

import orjson

from cqc_ledger.projections.status import CellValue, Notice, Since, Status, held_after

TRUST_OVERALL = (None, None, "overall")
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


def statuses_from(facts: Iterable[Fact]) -> list[Status]:
    """Each provider's headline status from its facts in force, by provider id; providers with no
    name in force (not registered by the day) are left out."""
    by_provider: dict[str, list[Fact]] = {}
    for f in facts:
        by_provider.setdefault(f.provider_id, []).append(f)
    found = (headline_status(p, fs) for p, fs in sorted(by_provider.items()))
    return [s for s in found if s.name is not None]


def headline_status(provider_id: str, facts: Iterable[Fact]) -> Status:
    """The headline `Status` that one provider's facts in force describe."""
    one: dict[str, Fact] = {}
    overall: list[Fact] = []
    regimes: dict[str, Since] = {}
    notices: dict[str, Fact] = {}
    assessed: dict[str, Fact] = {}
    for f in facts:
        if f.topic == "regime":
            value = orjson.loads(f.value)
            if value["entered"]:
                regimes[f.subject] = Since(f.on, f.ref, value["decided_by"])
        elif f.topic == "notice":
            notices[f.subject] = f
        elif f.topic == "assessment":
            assessed[f.subject] = f
        elif f.topic == "overall":
            overall.append(f)
        else:
            one[f.topic] = f
    name, registered, gone, segment = (one.get(t) for t in ("name", "registered", "deregistered", "oversight"))
    rated = overall_of(overall)
    registration = orjson.loads(registered.value) if registered else {}
    oversight = orjson.loads(segment.value) if segment else None
    return Status(
        provider_id,
        name=name.value if name else None,
        provider_type=registration.get("provider_type"),
        region=registration.get("region"),
        registered_on=registered.on if registered else None,
        deregistered=Since(gone.on, gone.ref, orjson.loads(gone.value)["successor_id"]) if gone else None,
        cells=MappingProxyType({TRUST_OVERALL: rated} if rated else {}),
        special_measures=MappingProxyType(regimes),
        oversight=Since(segment.on, segment.ref, oversight["segment"], oversight["framework"]) if segment and oversight else None,
        notices=MappingProxyType({n: _notice(f, assessed.get(n)) for n, f in notices.items()}),
    )


def overall_of(facts: Iterable[Fact]) -> CellValue | None:
    """The trust's overall rating that a provider's `overall` facts in force fold to, as the
    status fold folds a cell."""
    held: CellValue | None = None
    for f in sorted(facts, key=lambda f: (f.on, f.position)):
        held = held_after(held, CellValue(f.value, f.on, f.ref))
    return held


def _notice(issued: Fact, assessment: Fact | None) -> Notice:
    v = orjson.loads(issued.value)
    deadline = date.fromisoformat(v["deadline"]) if v["deadline"] else None
    if assessment is None:
        return Notice(issued.subject, v["section"], issued.on, deadline, issued.ref, v["location_id"], v["service"])
    return Notice(
        issued.subject,
        v["section"],
        issued.on,
        deadline,
        issued.ref,
        v["location_id"],
        v["service"],
        assessment.value,
        assessment.on,
        assessment.ref,
    )
