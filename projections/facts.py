"""Entries as facts: the rows the materialised views hold, and the status folded back from them.

A fact says one thing about one subject from a day on: the rating of one cell, the state of one
regime of special measures, the provider's name, one notice's issue. Each is kept with the ref of
the entry that said it, when the ledger learned it, and when a correction or retraction withdrew
it. The status on day D as known at T is then the latest fact per subject (by `on`, then
position) among the facts with `on` <= D, learned by T and not withdrawn by T: no replay.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache, singledispatch
from types import MappingProxyType
from typing import Any, NamedTuple

import orjson

from cqc_ledger.events import corrections, enforcement, inspections, oversight, provider
from cqc_ledger.events.base import CellKey, Entry
from cqc_ledger.events.jsonform import entry_from_json, entry_to_json
from cqc_ledger.ledger.records import Recorded
from cqc_ledger.projections.status import CellValue, Location, Notice, Since, Status, held_after

# Topics whose every fact is kept, not only the latest per subject: enforcement actions are
# listed; a cell's earlier values give the first day of its current run (`unchanged_since`).
LISTED = ("action",)
RUNS = ("cell",)


class Fact(NamedTuple):
    """One thing an entry says: `topic` and `subject` name what it is about, `value` what it says.
    (A named tuple: a report states one per rating cell, and these are made by the million.)"""

    topic: str
    subject: str
    on: date
    value: dict[str, Any]


@lru_cache(maxsize=65536)
def cell_subject(key: CellKey) -> str:
    """The subject of a rating cell: its key as JSON, e.g. `[null,null,"overall"]`."""
    return orjson.dumps(key).decode()


TRUST_OVERALL = cell_subject((None, None, "overall"))


def facts_of(recorded: Recorded) -> list[Fact]:
    """The facts an entry states (none for corrections and retractions: they withdraw facts)."""
    return list(_facts(recorded.entry, recorded))


@singledispatch
def _facts(entry: Entry, recorded: Recorded) -> Iterator[Fact]:
    raise TypeError(f"no facts for {entry.type_name}")


@_facts.register
def _(entry: provider.ProviderRegistered, recorded: Recorded) -> Iterator[Fact]:
    yield Fact("name", "", entry.on, {"name": entry.name})
    yield Fact("registered", "", entry.on, {"provider_type": entry.provider_type})


@_facts.register
def _(entry: provider.ProviderRenamed, recorded: Recorded) -> Iterator[Fact]:
    yield Fact("name", "", entry.on, {"name": entry.name})


@_facts.register
def _(entry: provider.ProviderDeregistered, recorded: Recorded) -> Iterator[Fact]:
    yield Fact("deregistered", "", entry.on, {"successor_id": entry.successor_id})


@_facts.register
def _(entry: provider.LocationRegistered, recorded: Recorded) -> Iterator[Fact]:
    yield Fact("location", entry.location_id, entry.on, {"name": entry.name})


@_facts.register
def _(entry: provider.LocationDeregistered, recorded: Recorded) -> Iterator[Fact]:
    yield Fact("location_end", entry.location_id, entry.on, {})


@_facts.register
def _(entry: inspections.InspectionCarriedOut, recorded: Recorded) -> Iterator[Fact]:
    yield Fact("inspection", "", entry.on, _whole(recorded))


@_facts.register
def _(entry: inspections.ReportPublished, recorded: Recorded) -> Iterator[Fact]:
    yield Fact("report", "", entry.on, _whole(recorded))
    for cell in entry.ratings:
        yield Fact("cell", cell_subject(cell.key), entry.on, {"rating": cell.rating})


@_facts.register
def _(entry: inspections.RatingRevised, recorded: Recorded) -> Iterator[Fact]:
    yield Fact("cell", cell_subject(entry.cell.key), entry.on, {"rating": entry.cell.rating})


@_facts.register
def _(entry: enforcement.WarningNoticeIssued, recorded: Recorded) -> Iterator[Fact]:
    value = {"section": entry.section, "deadline": entry.deadline, "location_id": entry.location_id, "service": entry.service}
    yield Fact("notice", entry.notice_id, entry.on, value)


@_facts.register
def _(entry: enforcement.WarningNoticeAssessed, recorded: Recorded) -> Iterator[Fact]:
    yield Fact("assessment", entry.notice_id, entry.on, {"outcome": entry.outcome})


@_facts.register
def _(entry: enforcement.EnforcementActionTaken, recorded: Recorded) -> Iterator[Fact]:
    yield Fact("action", entry.action_id, entry.on, _whole(recorded))


@_facts.register
def _(entry: oversight.SpecialMeasuresEntered, recorded: Recorded) -> Iterator[Fact]:
    yield Fact("regime", entry.regime, entry.on, {"entered": True, "decided_by": entry.decided_by})


@_facts.register
def _(entry: oversight.SpecialMeasuresExited, recorded: Recorded) -> Iterator[Fact]:
    yield Fact("regime", entry.regime, entry.on, {"entered": False, "decided_by": entry.decided_by})


@_facts.register
def _(entry: oversight.OversightSegmentChanged, recorded: Recorded) -> Iterator[Fact]:
    yield Fact("oversight", "", entry.on, {"framework": entry.framework, "segment": entry.segment})


@_facts.register(corrections.EntryRetracted)
@_facts.register(corrections.EntryCorrected)
def _(entry: Entry, recorded: Recorded) -> Iterator[Fact]:
    return iter(())  # mends withdraw facts (see views); they state none of their own


def _whole(recorded: Recorded) -> dict[str, Any]:
    """The whole entry, for facts shown as entries (last report, last inspection, actions)."""
    return {"entry": entry_to_json(recorded.entry), "recorded_at": recorded.recorded_at}


# ---- the status folded back from the latest facts --------------------------------------------


@dataclass(frozen=True, slots=True)
class Held:
    """A fact as the views return it: the latest on its subject at the day asked."""

    topic: str
    subject: str
    on: date
    position: int
    value: dict[str, Any]


def status_from_facts(provider_id: str, held: Iterable[Held]) -> Status:
    """The status that the latest facts per subject describe (equal to `status_at`'s fold)."""
    by_topic: dict[str, dict[str, Held]] = {}
    actions: list[Held] = []
    runs: dict[str, list[Held]] = {}
    for h in held:
        if h.topic in LISTED:
            actions.append(h)
        elif h.topic in RUNS:
            runs.setdefault(h.subject, []).append(h)
        else:
            by_topic.setdefault(h.topic, {})[h.subject] = h
    one = {topic: subjects.get("") for topic, subjects in by_topic.items()}

    def ref(h: Held) -> str:
        return f"{provider_id}/{h.position}"

    name, registered, gone, segment = one.get("name"), one.get("registered"), one.get("deregistered"), one.get("oversight")
    return Status(
        provider_id,
        name=name.value["name"] if name else None,
        provider_type=registered.value["provider_type"] if registered else None,
        registered_on=registered.on if registered else None,
        deregistered=Since(gone.on, ref(gone), gone.value["successor_id"]) if gone else None,
        locations=MappingProxyType(_locations(by_topic.get("location", {}), by_topic.get("location_end", {}))),
        cells=MappingProxyType({tuple(orjson.loads(subject)): _run(hs, ref) for subject, hs in runs.items()}),  # type: ignore[misc]
        special_measures=MappingProxyType(
            {regime: Since(h.on, ref(h), h.value["decided_by"]) for regime, h in by_topic.get("regime", {}).items() if h.value["entered"]}
        ),
        oversight=Since(segment.on, ref(segment), segment.value["segment"], segment.value["framework"]) if segment else None,
        notices=MappingProxyType(_notices(by_topic.get("notice", {}), by_topic.get("assessment", {}), provider_id)),
        enforcement=tuple(_recorded(h) for h in sorted(actions, key=lambda h: (h.on, h.position))),
        last_inspection=_recorded(one["inspection"]) if one.get("inspection") else None,
        last_report=_recorded(one["report"]) if one.get("report") else None,
    )


def _run(values: list[Held], ref: Callable[[Held], str]) -> CellValue:
    """A cell's value now, from all its values so far folded in effect order as the status fold does."""
    held: CellValue | None = None
    for h in sorted(values, key=lambda h: (h.on, h.position)):
        held = held_after(held, CellValue(h.value["rating"], h.on, ref(h)))
    assert held is not None
    return held


def _locations(registered: dict[str, Held], ended: dict[str, Held]) -> dict[str, Location]:
    out = {}
    for location_id in registered.keys() | ended.keys():
        start, end = registered.get(location_id), ended.get(location_id)
        if start is None:  # deregistered with no registration in force: as the fold does
            out[location_id] = Location(location_id, end.on, end.on)  # type: ignore[union-attr]
        elif end is not None and (end.on, end.position) > (start.on, start.position):
            out[location_id] = Location(start.value["name"], start.on, end.on)
        else:
            out[location_id] = Location(start.value["name"], start.on)
    return out


def _notices(issued: dict[str, Held], assessed: dict[str, Held], provider_id: str) -> dict[str, Notice]:
    out = {}
    for notice_id, h in issued.items():
        v = h.value
        notice = Notice(notice_id, v["section"], h.on, _day(v["deadline"]), f"{provider_id}/{h.position}", v["location_id"], v["service"])
        a = assessed.get(notice_id)
        if a is not None:
            notice = Notice(
                notice.notice_id,
                notice.section,
                notice.issued_on,
                notice.deadline,
                notice.ref,
                notice.location_id,
                notice.service,
                a.value["outcome"],
                a.on,
                f"{provider_id}/{a.position}",
            )
        out[notice_id] = notice
    return out


def _recorded(h: Held) -> Recorded:
    moment = h.value["recorded_at"]
    when = moment if isinstance(moment, datetime) else datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return Recorded(entry_from_json(h.value["entry"]), h.position, when)


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value
