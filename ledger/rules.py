"""The rules that decide whether an entry may be recorded: pure functions, no storage, no clock.

`Facts` is what the rules need to know of a provider's history as it counts now (a fold of its
effective entries). `check(facts, entry, position)` raises RuleBroken naming the rule an entry
would break. Special measures are the exception: `check_regimes` checks them once a whole input
is in, so that the order of an input's lines does not matter to them. A correction or retraction
is decided by `check_mending`, which refolds the history it would leave and so refuses any mend
that leaves it inconsistent.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from cqc_ledger.events import continuity, enforcement, inspections, oversight, provider
from cqc_ledger.events.base import Entry
from cqc_ledger.events.corrections import MENDING, EntryCorrected, EntryRetracted
from cqc_ledger.ledger import meaning
from cqc_ledger.ledger.cells import named
from cqc_ledger.ledger.errors import RuleBroken, with_article
from cqc_ledger.ledger.history import effective
from cqc_ledger.ledger.records import Recorded, parse_ref
from cqc_ledger.ledger.store.codec import identity_of

# The id field that names each identified thing, by the entry type that defines it.
IDENTIFIERS = {
    inspections.InspectionCarriedOut: "inspection_id",
    inspections.ReportPublished: "report_id",
    enforcement.WarningNoticeIssued: "notice_id",
    enforcement.EnforcementActionTaken: "action_id",
}


@dataclass
class Facts:
    """What the rules know of a provider's effective history. Only `add` changes it."""

    provider_id: str
    registered: str | None = None
    locations: dict[str, str] = field(default_factory=dict)
    # (id field, id) -> (identity, ref) of the entry that defined it (`codec.identity`: type and content).
    identified: dict[tuple[str, str], tuple[bytes, str]] = field(default_factory=dict)
    issued: dict[str, tuple[date, str]] = field(default_factory=dict)
    assessed: dict[str, str] = field(default_factory=dict)
    # Per regime, (on, position, entered) in effect order.
    regimes: dict[str, list[tuple[date, int, bool]]] = field(default_factory=dict)
    # Identity -> ref, of each entry as it counts now (replacements included).
    current: dict[bytes, str] = field(default_factory=dict)
    # Registration spans and inspection days, for the rules of meaning (ledger.meaning).
    times: meaning.Times = field(default_factory=meaning.Times)

    def add(self, entry: Entry, position: int, content: bytes) -> None:
        """Folds an entry that `check` accepted (with its identity) into the facts."""
        ref = f"{self.provider_id}/{position}"
        self.current.setdefault(content, ref)
        self.times.add(entry, ref)
        if isinstance(entry, provider.ProviderRegistered):
            self.registered = ref
        elif isinstance(entry, provider.LocationRegistered):
            self.locations.setdefault(entry.location_id, ref)
        elif isinstance(entry, enforcement.WarningNoticeIssued):
            self.issued[entry.notice_id] = (entry.on, ref)
        elif isinstance(entry, enforcement.WarningNoticeAssessed):
            self.assessed[entry.notice_id] = ref
        elif isinstance(entry, (oversight.SpecialMeasuresEntered, oversight.SpecialMeasuresExited)):
            entered = isinstance(entry, oversight.SpecialMeasuresEntered)
            bisect.insort(self.regimes.setdefault(entry.regime, []), (entry.on, position, entered))
        id_field = IDENTIFIERS.get(type(entry))
        if id_field:
            self.identified[(id_field, getattr(entry, id_field))] = (content, ref)


def fold(provider_id: str, history: Iterable[Recorded], *, broken: list[str] | None = None) -> Facts:
    """The facts of a history, checking every entry on the way: RuleBroken at the first that
    fails or, given `broken`, each refusal's message added to it and the entry left out."""
    facts = Facts(provider_id)
    for r in history:
        content = identity_of(r.entry)
        try:
            check(facts, r.entry, r.position, content)
        except RuleBroken as refused:
            if broken is None:
                raise
            broken.append(refused.message)
            continue
        facts.add(r.entry, r.position, content)
    try:
        check_regimes(facts)
    except RuleBroken as refused:
        if broken is None:
            raise
        broken.append(refused.message)
    return facts


def facts_of(provider_id: str, history: Iterable[Recorded]) -> Facts:
    """The facts of a history whose entries were each accepted when recorded (not checked again)."""
    facts = Facts(provider_id)
    for r in history:
        facts.add(r.entry, r.position, identity_of(r.entry))
    return facts


def check(facts: Facts, entry: Entry, position: int, content: bytes) -> None:
    """Raises RuleBroken if `entry` (whose identity is `content`), recorded at
    `position`, would break a rule of the ledger."""
    if isinstance(entry, provider.ProviderRegistered):
        if facts.registered:
            raise RuleBroken(
                f"provider {entry.provider_id} is already registered ({facts.registered}); record ProviderRenamed for a new name",
                field="type",
            )
    elif not facts.registered:
        raise RuleBroken(
            f'provider "{entry.provider_id}" is not registered: record its ProviderRegistered '
            "entry first (in the ledger or earlier in the same input)",
            field="provider_id",
        )
    _check_locations(facts, entry)
    _check_registrations(facts, entry)
    _check_identity(facts, entry, content)
    meaning.check_meaning(facts.times, entry)
    if isinstance(entry, enforcement.WarningNoticeAssessed):
        _check_assessment(facts, entry)


def _locations_named(entry: Entry) -> Iterable[tuple[str, str]]:
    if isinstance(entry, inspections.ReportPublished):
        for i, cell in enumerate(entry.ratings):
            if cell.location_id:
                yield f"ratings[{i}].location_id", cell.location_id
    elif isinstance(entry, inspections.RatingRevised):
        if entry.cell.location_id:
            yield "cell.location_id", entry.cell.location_id
    elif isinstance(entry, inspections.InspectionCarriedOut):
        for i, item in enumerate(entry.scope):
            if item.location_id:
                yield f"scope[{i}].location_id", item.location_id
    elif isinstance(
        entry,
        (
            enforcement.WarningNoticeIssued,
            enforcement.EnforcementActionTaken,
            provider.LocationDeregistered,
            continuity.ServiceSuperseded,
            continuity.RatingsInherited,
        ),
    ):
        if entry.location_id:
            yield "location_id", entry.location_id


def _check_locations(facts: Facts, entry: Entry) -> None:
    # A report has dozens of cells at a few places: asked of the places at once.
    if isinstance(entry, inspections.ReportPublished) and named(entry.ratings).places <= facts.locations.keys():
        return
    for where, location_id in _locations_named(entry):
        if location_id not in facts.locations:
            raise RuleBroken(
                f'location "{location_id}" is not registered for {facts.provider_id}: record its LocationRegistered entry first',
                field=where,
            )


def _check_registrations(facts: Facts, entry: Entry) -> None:
    """A provider is deregistered once, and not as its own successor; a location is registered
    once and deregistered once (a second entry would silently stand in for the first: the way to
    change one is a correction)."""
    if isinstance(entry, provider.ProviderDeregistered):
        if entry.successor_id == entry.provider_id:
            raise RuleBroken(
                f'"{entry.successor_id}" is the provider itself: a provider cannot succeed itself '
                "(name the provider that took over its services, or leave successor_id out)",
                field="successor_id",
            )
        gone = facts.times.provider
        if gone.deregistered_ref:
            raise RuleBroken(
                f"provider {entry.provider_id} is already deregistered ({gone.deregistered_ref}, on {gone.deregistered}); "
                f"to change its day, successor or reason, record a correction: cqc-ledger correct {gone.deregistered_ref} FILE --reason TEXT",
                field="type",
            )
    elif isinstance(entry, provider.LocationRegistered):
        earlier = facts.locations.get(entry.location_id)
        if earlier:
            raise RuleBroken(
                f"location {entry.location_id} is already registered ({earlier}); to change its name or day, "
                f"record a correction: cqc-ledger correct {earlier} FILE --reason TEXT",
                field="location_id",
            )
    elif isinstance(entry, provider.LocationDeregistered):
        span = facts.times.locations.get(entry.location_id)
        if span and span.deregistered_ref:
            raise RuleBroken(
                f"location {entry.location_id} is already deregistered ({span.deregistered_ref}, on {span.deregistered}); "
                f"to change its day, record a correction: cqc-ledger correct {span.deregistered_ref} FILE --reason TEXT",
                field="location_id",
            )


def registers_a_location(entry: Entry) -> tuple[str, str] | None:
    """The field and location id of a location an entry registers (a `LocationRegistered`, or a
    correction into one), or None."""
    if isinstance(entry, provider.LocationRegistered):
        return "location_id", entry.location_id
    if isinstance(entry, EntryCorrected) and isinstance(entry.replacement, provider.LocationRegistered):
        return "replacement.location_id", entry.replacement.location_id
    return None


def check_placed(holder: Facts, entry: Entry) -> None:
    """Raises RuleBroken if `entry` registers a location that `holder`, another provider's facts,
    has registered. CQC gives a location that passes to another provider a new id (RBA11 became
    RH5A8, taking over its ratings by RatingsInherited), and never gives an id to a second
    provider, even once the first has deregistered it."""
    placing = registers_a_location(entry)
    if placing is None or holder.provider_id == entry.provider_id:
        return
    where, location_id = placing
    ref = holder.locations.get(location_id)
    if ref is None:  # retracted, or corrected into another location
        return
    raise RuleBroken(
        f"location {location_id} is placed under {entry.provider_id}, but the ledger has it under {holder.provider_id} ({ref}): "
        "CQC gives a location that passes to another provider a new id (RBA11 became RH5A8, taking over its ratings by "
        "RatingsInherited), so one id under two providers is a mistake, in the input or in the ledger; if the ledger is "
        f"wrong, mend {ref} first (cqc-ledger correct {ref} FILE --reason TEXT, or retract)",
        field=where,
    )


def _check_identity(facts: Facts, entry: Entry, content: bytes) -> None:
    id_field = IDENTIFIERS.get(type(entry))
    if not id_field:
        return
    value = getattr(entry, id_field)
    earlier = facts.identified.get((id_field, value))
    if earlier and earlier[0] != content:
        raise RuleBroken(
            f'{id_field} "{value}" is already recorded as {earlier[1]} with other content; '
            f"to change that entry, record a correction: cqc-ledger correct {earlier[1]} FILE --reason TEXT",
            field=id_field,
        )


def check_regimes(facts: Facts, first_new: int = 1) -> None:
    """Raises RuleBroken unless each regime of special measures is entered and exited in turn, in
    effect order (`on`, then recording), starting with an entry.

    It is checked once a whole input is in, not line by line: entries may be recorded in any
    order, so an input may hold an exit before the entry it closes, or an earlier episode after
    a later one. The error's `position` is the entry of the input (those from `first_new` on)
    that breaks the turn: the one found in the wrong state, or else the latest before it.
    """
    for regime, timeline in sorted(facts.regimes.items()):
        in_force = False
        latest_new = None
        for moment in timeline:
            _on, at, enters = moment
            if at >= first_new:
                latest_new = moment
            if enters == in_force:
                culprit = latest_new or moment
                raise RuleBroken(_regime_message(facts, regime, moment, culprit), field="on", position=culprit[1])
            in_force = enters


def _regime_message(facts: Facts, regime: str, broken: tuple[date, int, bool], culprit: tuple[date, int, bool]) -> str:
    on, at, enters = broken
    state = "already in force" if enters else "not in force"
    doing = "entered" if enters else "exited"
    if at == culprit[1]:
        return f"special measures ({regime}) are {state} on {on}, so they cannot be {doing} then"
    kind = "SpecialMeasuresEntered" if culprit[2] else "SpecialMeasuresExited"
    return (
        f"recording this {kind} on {culprit[0]} would leave special measures ({regime}) "
        f"{state} on {on}, when {facts.provider_id}/{at} {doing} them"
    )


def _check_assessment(facts: Facts, entry: enforcement.WarningNoticeAssessed) -> None:
    issued = facts.issued.get(entry.notice_id)
    if issued is None:
        raise RuleBroken(
            f'notice "{entry.notice_id}" was never issued: record its WarningNoticeIssued entry first',
            field="notice_id",
        )
    issued_on, issued_ref = issued
    if entry.on < issued_on:
        raise RuleBroken(
            f'notice "{entry.notice_id}" was issued on {issued_on} ({issued_ref}), after this assessment on {entry.on}',
            field="on",
        )
    if entry.notice_id in facts.assessed:
        raise RuleBroken(
            f'notice "{entry.notice_id}" is already assessed ({facts.assessed[entry.notice_id]}); '
            "to change that assessment, record a correction of it",
            field="notice_id",
        )


def check_mending(recorded: Sequence[Recorded], mend: EntryRetracted | EntryCorrected, position: int) -> None:
    """Raises RuleBroken unless `mend` targets an entry of this provider that can be mended so."""
    provider_id, target = parse_ref(mend.ref)
    if provider_id != mend.provider_id:
        raise RuleBroken(f'ref "{mend.ref}" belongs to provider {provider_id}, not {mend.provider_id}', field="ref")
    if target >= position:
        if position == 1:
            raise RuleBroken(f'provider "{mend.provider_id}" is not in the ledger, so "{mend.ref}" does not exist', field="ref")
        raise RuleBroken(f'ref "{mend.ref}" does not exist ({mend.provider_id} has {position - 1} entries)', field="ref")
    original = recorded[target - 1].entry
    if isinstance(original, MENDING):
        raise RuleBroken(
            f"{mend.ref} is itself {with_article(original.type_name)}; mend the entry it targets instead",
            field="ref",
        )
    if isinstance(mend, EntryCorrected) and type(mend.replacement) is not type(original):
        raise RuleBroken(
            f"the replacement is {with_article(mend.replacement.type_name)} but {mend.ref} is {with_article(original.type_name)}; "
            "a correction keeps the entry's type",
            field="replacement.type",
        )
    if isinstance(mend, EntryRetracted) and all(r.position != target for r in effective(recorded)):
        raise RuleBroken(f"{mend.ref} is already retracted", field="ref")
    candidate = Recorded(mend, position, recorded[-1].recorded_at)
    after = breaks(mend.provider_id, effective([*recorded, candidate]))
    if not after:
        return
    # Stored entries were accepted under the rules of their day: a rule added since must not stop
    # them being mended, so a mend is refused for a rule it breaks, not one the history broke already.
    new = list((Counter(after) - Counter(breaks(mend.provider_id, effective(recorded)))).elements())
    if new:
        doing = "retracting" if isinstance(mend, EntryRetracted) else "correcting"
        raise RuleBroken(f"{doing} {mend.ref} would leave the history of {mend.provider_id} inconsistent: {new[0]}", field="ref")


def breaks(provider_id: str, history: Iterable[Recorded]) -> list[str]:
    """Every rule a history breaks, as refusals would say it (`fold` going on past each)."""
    found: list[str] = []
    fold(provider_id, history, broken=found)
    return found
