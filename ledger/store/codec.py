"""How entries are stored: the canonical JSON of each entry, written with orjson.

An entry's canonical form is its JSON Lines form (`events.jsonform.entry_to_json`) with sorted
keys, written once by `canonical`. It serves three ends: its digest, with the entry's type,
is the entry's identity (`identity`: an identical entry is skipped; an id reused with another
identity is refused); the stored state
is that same text with `recorded_at` written in front, so the store is readable with any JSON
tool and `export` re-serialises nothing; and the hash chain has one form to hash.
"""

from __future__ import annotations

import dataclasses
import typing
from datetime import date, datetime
from functools import cache, lru_cache
from typing import Any, Literal, NamedTuple

import msgspec
import orjson
from eventsourcing.persistence import Mapper, StoredEvent, Transcoder

from cqc_ledger import events
from cqc_ledger.events.base import Entry
from cqc_ledger.events.jsonform import entry_from_json, entry_to_json
from cqc_ledger.events.schema import FieldSpec, field_specs, word_outside
from cqc_ledger.ledger.errors import LedgerError, StoreError
from cqc_ledger.ledger.records import Recorded, format_time

_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot store a {type(value).__name__}")


class OrjsonTranscoder(Transcoder):
    """orjson as the store's codec: sorted keys, tuples as lists, dates and times as ISO text."""

    def encode(self, obj: Any) -> bytes:
        return orjson.dumps(obj, default=_default, option=_OPTIONS)

    def decode(self, data: bytes) -> Any:
        return orjson.loads(data)


def canonical(entry: Entry) -> bytes:
    """The entry's canonical JSON: its JSON Lines form, keys sorted, less `type` (the topic says it)."""
    state = entry_to_json(entry)
    del state["type"]
    return orjson.dumps(state, option=orjson.OPT_SORT_KEYS)


def digest(content: bytes) -> bytes:
    """16 bytes of BLAKE2b over `content`: the project's one short digest."""
    import hashlib  # here, not above: a reading command takes no digest, and hashlib's start loads OpenSSL's

    return hashlib.blake2b(content, digest_size=16).digest()


def identity(kind: str, canonical_form: bytes) -> bytes:
    """The identity of an entry: the digest of its type and its canonical form. The canonical form
    leaves the type out (the stored topic says it), and two entries of different types with the
    same fields (entering and leaving special measures on one day) are two facts, not one."""
    hashed = _typed_digest(kind).copy()
    hashed.update(canonical_form)
    return hashed.digest()


def identity_of(entry: Entry) -> bytes:
    """`identity` of an entry held, its canonical form written for it."""
    return identity(entry.type_name, canonical(entry))


@cache
def _typed_digest(kind: str) -> Any:
    """BLAKE2b having read the type's name and a line break (copied for each entry of the type)."""
    import hashlib  # as in `digest`

    return hashlib.blake2b(kind.encode() + b"\n", digest_size=16)


class StoredRow(NamedTuple):
    """An entry about to be stored: the fields of eventsourcing's `StoredEvent`, which the store
    and the chain read, as a tuple (the frozen dataclass sets each field through
    object.__setattr__, and cost recording as much as hashing the entry's identity)."""

    originator_id: str
    originator_version: int
    topic: str
    state: bytes


# A stored entry as the store writes it and the chain links it: either of the two.
Stored = StoredEvent | StoredRow


def stored_state(canonical_form: bytes, recorded_at: datetime) -> bytes:
    """What is stored for an entry: `{"recorded_at":"...",` then the rest of its canonical form."""
    return b'{"recorded_at":"' + format_time(recorded_at).encode() + b'",' + canonical_form[1:]


def canonical_of_state(state: bytes) -> bytes:
    """The canonical form inside a stored state (the inverse of `stored_state`)."""
    return b"{" + state[state.index(b",") + 1 :]


# Stored topics are the entry types' names, pinned: code can move without touching a stored byte.
# Version 0.1 wrote module paths instead; they stay readable as aliases, because they are inside
# the hash chain and can never be rewritten.
_ALIASES_0_1 = {
    f"events.{family}:{name}": name
    for family, names in {
        "provider": ("ProviderRegistered", "ProviderRenamed", "ProviderDeregistered", "LocationRegistered", "LocationDeregistered"),
        "inspections": ("InspectionCarriedOut", "ReportPublished", "RatingRevised"),
        "enforcement": ("WarningNoticeIssued", "WarningNoticeAssessed", "EnforcementActionTaken"),
        "oversight": ("SpecialMeasuresEntered", "SpecialMeasuresExited", "OversightSegmentChanged"),
        "corrections": ("EntryRetracted", "EntryCorrected"),
    }.items()
    for name in names
}


def entry_topic(cls: type) -> str:
    """The stored topic of an entry type: its pinned name, e.g. `ReportPublished`."""
    return cls.__name__


def stored_topics(cls: type) -> tuple[str, ...]:
    """Every topic an entry type is stored under: its pinned name, and its 0.1 module path."""
    return (entry_topic(cls), *(alias for alias, kind in _ALIASES_0_1.items() if kind == cls.__name__))


def entry_kind(topic: str) -> str:
    """The entry type a stored topic names, from the closed table of entry types only (never an
    import of whatever a store says)."""
    if topic in events.ENTRY_TYPES:
        return topic
    kind = _ALIASES_0_1.get(topic)
    if kind is None:
        raise StoreError(
            f'A stored entry has the topic "{topic}", which is not a cqc-ledger entry type: the store has been altered or is not a cqc-ledger store. Run `cqc-ledger verify`.'
        )
    return kind


class EntryMapper(Mapper):
    """Maps `Recorded` entries to eventsourcing's stored events and back."""

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        recorded: Recorded = domain_event
        return StoredEvent(
            originator_id=recorded.entry.provider_id,
            originator_version=recorded.position,
            topic=entry_topic(type(recorded.entry)),
            state=stored_state(canonical(recorded.entry), recorded.recorded_at),
        )

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        return recorded_of(stored_event)


def recorded_of(stored_event: StoredEvent) -> Recorded:
    """The `Recorded` entry of a stored event (what the mapper gives, typed as such)."""
    kind = entry_kind(stored_event.topic)
    return recorded_from_state(kind, stored_event.originator_version, stored_event.state, provider_id=str(stored_event.originator_id))


def recorded_from_state(kind: str, position: int, state: Any, *, provider_id: str | None = None) -> Recorded:
    """The `Recorded` entry whose stored state `stored_state` wrote. Every read of a stored entry
    comes here, and this is the one rule for a row that holds something else (not JSON of the
    entry's type, NULL, a number, a word the ledger does not use: an altered or damaged store):
    a StoreError naming the entry. A store gives a state back as bytes, a memoryview or (edited
    in by hand) text; all are read."""
    if not isinstance(state, bytes):
        state = state.encode() if isinstance(state, str) else bytes(state) if isinstance(state, (bytearray, memoryview)) else state
    try:
        if isinstance(state, bytes) and (entry := read_fast(kind, state)) is not None:
            return Recorded(entry, position, _moment(state[RECORDED_AT]))
        # Anything the fast reading will not take is read the general way, which names what is wrong.
        if not isinstance(state, bytes):
            raise TypeError(holds_no_json(state))
        obj = orjson.loads(state)
        recorded_at = _time_of(obj.pop("recorded_at"))
        obj["type"] = kind
        entry = entry_from_json(obj)
        if (outside := word_outside(entry)) is not None:
            from cqc_ledger.ledger.parsing import shown  # only a refusal needs it

            raise ValueError(f"{outside[0]} is {shown(outside[1])}, not one of the ledger's words")
        return Recorded(entry, position, recorded_at)
    except (ValueError, TypeError, KeyError, AttributeError, LedgerError) as bad:
        raise damaged(f"{provider_id}/{position}" if provider_id else f"at position {position} of its provider", bad) from None


def read_fast(kind: str, state: bytes) -> Entry | None:
    """The entry in a stored state as the ledger writes it, decoded straight into its type by
    msgspec (rating cells and all, their words checked as they are read), its other words then
    checked; None for anything else (`recorded_from_state` reads it the general way, or refuses
    it)."""
    decoder = _decoder(kind)
    if decoder is None or not _as_written(state):
        return None
    try:
        entry = decoder.decode(state)
    except (msgspec.DecodeError, ValueError):
        return None
    unchecked = _unchecked(kind)  # none for most entries: a report's words are all its cells'
    return entry if not unchecked or word_outside(entry, unchecked) is None else None


def read_for_rows(kind: str, state: bytes) -> Any | None:
    """A stored entry as `read_fast` takes it, every word checked as msgspec reads it, decoded
    into a structure of its type's fields (`_row_reading`) rather than the entry: a view's rows
    are made from its fields alone. None for anything `read_fast` would not take. A rebuild asks
    it of every entry: msgspec fills a dataclass's fields left out of the stored form by asking
    the new entry for each (an AttributeError raised and formatted every time), a structure's
    from its defaults."""
    reading = _row_reading(kind)
    if reading is None or not _as_written(state):
        return None
    decoder, deeper = reading
    try:
        fields = decoder.decode(state)
    except (msgspec.DecodeError, ValueError):
        return None
    return fields if not deeper or word_outside(fields, deeper) is None else None


def _as_written(state: bytes) -> bool:
    """Whether a stored state begins as the ledger writes one (`stored_state`): its time first,
    a time in the form `format_time` writes. An input's entries share one time, so the opening
    of the last state taken is kept, and almost every state is taken by comparing its opening
    with it (a rebuild asks this of every entry). One value for the whole process is safe for the
    web site's threads and for two ledgers in one process alike: each opening it is set to is one
    this check took, a fact of the bytes alone, so whichever thread or ledger set it last, the
    answer is the same (a race costs at most a check made again). Checking every opening afresh,
    its time through `_moment`'s cache, cost a rebuild of 33,474 entries 2.1% more instructions."""
    global _last_opening
    opening = state[:45]
    if opening == _last_opening:
        return True
    if opening[:16] != b'{"recorded_at":"' or opening[43:45] != b'",':
        return False
    try:
        _moment(opening[RECORDED_AT])
    except ValueError:
        return False
    _last_opening = opening
    return True


_last_opening = b""


@cache
def _row_reading(kind: str) -> tuple[msgspec.json.Decoder[Any], tuple[FieldSpec, ...]] | None:
    """The decoder of `read_for_rows` for a kind, and the fields it leaves `word_outside` to
    check (a scope's items, dataclasses whose words are text to msgspec); None where `read_fast`
    has no decoder. The structure is named as the entry type, holds its fields with their types,
    defaults and the `recorded_at` in front, and types each choice as a `Literal` of its words,
    so msgspec checks them as the rating cells' are checked."""
    if _decoder(kind) is None:
        return None
    cls = events.ENTRY_TYPES[kind]
    hints = typing.get_type_hints(cls)
    words = {spec.name: spec for spec in field_specs(cls) if spec.kind in ("choice", "choices")}
    fields: list[Any] = [("recorded_at", str)]
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        if (spec := words.get(f.name)) is not None:
            one: Any = Literal.__getitem__(spec.words)
            hint = (
                tuple.__class_getitem__((one, ...))
                if spec.kind == "choices"
                else one
                if spec.required
                else typing.Optional.__getitem__(one)
            )
        if f.default is not dataclasses.MISSING:
            fields.append((f.name, hint, f.default))
        elif f.default_factory is not dataclasses.MISSING:
            fields.append((f.name, hint, msgspec.field(default_factory=f.default_factory)))
        else:
            fields.append((f.name, hint))
    row_type = msgspec.defstruct(kind, fields, kw_only=True, forbid_unknown_fields=True, gc=False)
    return msgspec.json.Decoder(row_type), tuple(spec for spec in field_specs(cls) if spec.kind == "scope")


def holds_no_json(state: Any) -> str:
    """Why a stored state that is not text or bytes (NULL, a number) holds no entry."""
    return f"it holds {'NULL' if state is None else f'a {type(state).__name__}'}, not the entry's JSON"


def damaged(entry: str, why: BaseException) -> StoreError:
    """The one refusal of a stored row that holds no cqc-ledger entry, wherever it is read."""
    return StoreError(
        f"the stored entry {entry} is not a cqc-ledger entry ({type(why).__name__}: {why}): the store has been altered "
        "or damaged; run `cqc-ledger verify` to find where"
    )


@cache
def _decoder(kind: str) -> msgspec.json.Decoder[Any] | None:
    """msgspec's decoder of a stored entry of a kind, into its entry type (the `recorded_at` in
    front is not a field, and is passed over); None for a kind that holds a whole entry (a
    correction's replacement), which only the general reading types."""
    cls = events.ENTRY_TYPES[kind]
    if any(spec.kind == "entry" for spec in field_specs(cls)):
        return None
    return msgspec.json.Decoder(cls)


@cache
def _unchecked(kind: str) -> tuple[FieldSpec, ...]:
    """The fields of a kind whose words msgspec's decoder does not check: to it a choice of the
    entry (or of a scope item) is text; a rating cell's words are its type's own."""
    return tuple(spec for spec in field_specs(events.ENTRY_TYPES[kind]) if spec.kind in ("choice", "choices", "scope"))


# Where a stored state holds its recorded time (`stored_state`), and the one form the ledger
# writes it in (`format_time`): fixed width, UTC, microseconds, `Z`.
RECORDED_AT = slice(16, 43)
_WRITTEN = b"0000-00-00T00:00:00.000000Z"  # with every digit written 0
_DIGITS = bytes.maketrans(b"123456789", b"000000000")
_EXAMPLE = "2026-11-22T15:33:46.123456Z"


@lru_cache(maxsize=256)  # an input's entries share one time
def _moment(stamp: bytes) -> datetime:
    """The UTC time stored as `2026-11-22T15:33:46.123456Z`; a ValueError, naming it, for anything
    else: text of another form, or of this one that is no time (month 13, 24 o'clock, year 0)."""
    if stamp.translate(_DIGITS) != _WRITTEN:
        raise ValueError(_not_a_time(stamp.decode(errors="replace"), f"not a time as the ledger writes one ({_EXAMPLE})"))
    try:
        return datetime.fromisoformat(stamp[:-1].decode() + "+00:00")
    except ValueError as why:
        raise ValueError(_not_a_time(stamp.decode(), f"not a time ({why})")) from None


def _time_of(value: Any) -> datetime:
    """The recorded time of a stored state read the general way, as strict as `_moment`."""
    if not isinstance(value, str):
        raise TypeError(_not_a_time(value, f"not a time as the ledger writes one ({_EXAMPLE})"))
    return _moment(value.encode())


def _not_a_time(value: Any, why: str) -> str:
    from cqc_ledger.ledger.parsing import shown  # only a refusal needs it

    return f"recorded_at is {shown(value)}, {why}"
