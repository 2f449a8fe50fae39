"""The rows the views hold for an entry: one row for the entry, and its headline facts.

An entry row says where the entry sits in its provider's effect order (`valid_from`, the entry's
`on`, then its `position`), when the ledger learned it and, once a correction or retraction is
recorded, when it was withdrawn. A correction withdraws the row it mends and adds a row of its
own for the replacement, at the same position (`mend` names the correction holding the
replacement; 0 is the entry as first recorded). Everything else about the entry is read from the
stored entry itself, so the views copy nothing of it.

Headline facts are the few values that questions across the register ask about (see
`projections.views.headlines`), one row each, kept with the same times.

Two ways in, held equal by the property tests: from entries being recorded (`Recorded`), and
from stored entries' bytes during a rebuild, each decoded straight into a structure of its
entry's fields by the codec (`read_for_rows`, which takes what its fast reading takes), its time
taken from the bytes as they are (`stored_rows`). Headline handlers read only fields, so serve both.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import singledispatch
from typing import TYPE_CHECKING, Any, NamedTuple

import orjson

from cqc_ledger import events
from cqc_ledger.events.base import Entry
from cqc_ledger.ledger.records import Recorded, format_time
from cqc_ledger.ledger.store.codec import RECORDED_AT, read_for_rows
from cqc_ledger.projections.handlers import ByName

if TYPE_CHECKING:
    from cqc_ledger.events import enforcement, inspections, oversight, provider

# A row of `view_entries`: (provider_id, valid_from, position, mend, kind, recorded_at).
EntryRow = tuple[str, str, int, int, str, str]
# A row of `view_headlines`: (provider_id, topic, subject, valid_from, position, mend, recorded_at, value).
HeadlineRow = tuple[str, str, str, str, int, int, str, str]


class Headline(NamedTuple):
    """One headline fact of an entry: `topic` and `subject` say what it is about, `value` what."""

    topic: str
    subject: str
    value: str


# Entry types that state no headline fact (the meta-test holds every type to one list or the other).
NO_HEADLINES = frozenset(
    (
        "LocationRegistered",
        "LocationDeregistered",
        "InspectionCarriedOut",
        "EnforcementActionTaken",
        "ServiceSuperseded",
        "RatingsInherited",
        "EntryRetracted",
        "EntryCorrected",
    )
)


def _json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


# Each handler is registered with its type named, not read from its annotations: reading them
# evaluates every handler's annotations as the module loads, some milliseconds of every command's
# start. Named by its name (`ByName`), registered when the first entry's rows are made: a command
# that makes none (`trusts`, `status`) starts without the entry types.
@singledispatch
def headlines(entry: Entry) -> tuple[Headline, ...]:
    """The headline facts an entry states (none for most types)."""
    if _handles.register():
        return headlines(entry)
    if type(entry).__name__ in NO_HEADLINES:  # the entry type's name, or its rows' structure's (codec.read_for_rows)
        return ()
    raise TypeError(f"no headline facts declared for {type(entry).__name__}: add a handler or list it in NO_HEADLINES")


_handles = ByName(headlines)


@_handles("ProviderRegistered")
def _(entry: provider.ProviderRegistered) -> tuple[Headline, ...]:
    registered = {"provider_type": entry.provider_type, "region": getattr(entry, "region", None)}
    return Headline("name", "", entry.name), Headline("registered", "", _json(registered))


@_handles("ProviderRenamed")
def _(entry: provider.ProviderRenamed) -> tuple[Headline, ...]:
    return (Headline("name", "", entry.name),)


@_handles("ProviderDeregistered")
def _(entry: provider.ProviderDeregistered) -> tuple[Headline, ...]:
    return (Headline("deregistered", "", _json({"successor_id": entry.successor_id})),)


@_handles("ReportPublished")
def _(entry: inspections.ReportPublished) -> tuple[Headline, ...]:
    return tuple(
        [
            Headline("overall", "", c.rating)
            for c in entry.ratings
            if c.location_id is None and c.service is None and c.question == "overall"
        ]
    )


@_handles("RatingRevised")
def _(entry: inspections.RatingRevised) -> tuple[Headline, ...]:
    return (Headline("overall", "", entry.cell.rating),) if entry.cell.key == (None, None, "overall") else ()


@_handles("WarningNoticeIssued")
def _(entry: enforcement.WarningNoticeIssued) -> tuple[Headline, ...]:
    value = {"section": entry.section, "deadline": _day(entry.deadline), "location_id": entry.location_id, "service": entry.service}
    return (Headline("notice", entry.notice_id, _json(value)),)


@_handles("WarningNoticeAssessed")
def _(entry: enforcement.WarningNoticeAssessed) -> tuple[Headline, ...]:
    return (Headline("assessment", entry.notice_id, entry.outcome),)


@_handles("SpecialMeasuresEntered")
def _(entry: oversight.SpecialMeasuresEntered) -> tuple[Headline, ...]:
    return (Headline("regime", entry.regime, _json({"entered": True, "decided_by": entry.decided_by})),)


@_handles("SpecialMeasuresExited")
def _(entry: oversight.SpecialMeasuresExited) -> tuple[Headline, ...]:
    return (Headline("regime", entry.regime, _json({"entered": False, "decided_by": entry.decided_by})),)


@_handles("OversightSegmentChanged")
def _(entry: oversight.OversightSegmentChanged) -> tuple[Headline, ...]:
    return (Headline("oversight", "", _json({"framework": entry.framework, "segment": entry.segment})),)


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


# The handler `headlines` gives each entry type, looked up once per type: singledispatch's own
# lookup, through a weakly keyed cache, cost more than most handlers.
_HANDLERS: dict[type, Callable[[Entry], tuple[Headline, ...]]] = {}


def rows_of(entry: Entry, position: int, mend: int, learned: str, entries: list[EntryRow], headline_rows: list[HeadlineRow]) -> None:
    """Adds the rows of one entry (or a correction's replacement) learned at `learned`."""
    pid, on = entry.provider_id, entry.on.isoformat()  # type: ignore[attr-defined]
    kind = type(entry)
    entries.append((pid, on, position, mend, kind.__name__, learned))  # the entry's type_name, without a property's call
    for h in (_HANDLERS.get(kind) or _handler(kind))(entry):
        headline_rows.append((pid, h.topic, h.subject, on, position, mend, learned, h.value))


def _handler(kind: type) -> Callable[[Entry], tuple[Headline, ...]]:
    """The handler `headlines` gives an entry type (or its rows' structure, named as it is), kept
    in `_HANDLERS`; every handler registered first, so that none is passed over for the default."""
    _handles.register()
    found = _HANDLERS[kind] = headlines.dispatch(events.ENTRY_TYPES[kind.__name__])
    return found


def recorded_rows(recorded: Recorded, entries: list[EntryRow], headline_rows: list[HeadlineRow]) -> None:
    """Adds the rows of a recorded entry that is not a mend."""
    rows_of(recorded.entry, recorded.position, 0, format_time(recorded.recorded_at), entries, headline_rows)


# ---- from stored bytes (rebuild) ---------------------------------------------------------------

_MENDS = frozenset(("EntryRetracted", "EntryCorrected"))


def stored_rows(position: int, kind: str, state: Any, entries: list[EntryRow], headline_rows: list[HeadlineRow]) -> bool:
    """Adds the rows of a stored entry read straight from its bytes (the codec's `read_for_rows`:
    its fields, without the entry or the `Recorded` around it); False when it must be read whole: a mend (it names
    another entry), or anything the fast reading will not take. A row altered by hand (its
    ratings a number, a cell rated "Meh", NULL) is among those, and is refused there as every
    reader refuses it: no reader reads rows from what another refuses."""
    if kind in _MENDS or type(state) is not bytes or (entry := read_for_rows(kind, state)) is None:
        return False
    rows_of(entry, position, 0, state[RECORDED_AT].decode(), entries, headline_rows)
    return True
