"""The fast door of the parser: a line already in canonical form, read with msgspec.

Most input is written by programs (an export, the importers, a register generated once) and is
already canonical: exact words, plain ids, no nulls, no escapes. `fast_read` decodes such a line
straight into typed structures with msgspec, rating cells included (they are the ledger's own
`RatingCell` structures, so a report's dozens of cells cost no Python each), checks what the
strict parser (`ledger.parsing`) would check, a whole entry's cells at once, and builds the
entry. It also hands back the entry's canonical form, written once from what it decoded: the
same bytes `ledger.store.codec.canonical` writes, which the recorder stores and hashes. It gives
up (None) at the first doubt, and the caller reads the line the strict way, which gives every
error message word for word: this door never refuses anything itself. Property tests hold the
two doors, and the two canonical forms, equal.

Mends (corrections, retractions), inherited ratings, superseded services and inspections with a
scope always take the strict door: they are rare, and their normalising lives there.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal, NamedTuple, Union

import msgspec
from msgspec.structs import astuple

from cqc_ledger.events import ENTRY_TYPES
from cqc_ledger.events.base import Entry, RatingCell
from cqc_ledger.events.schema import FieldSpec, field_specs
from cqc_ledger.events.services import KNOWN_NAMES
from cqc_ledger.events.vocabulary import TRUST_ONLY
from cqc_ledger.ledger import parsing
from cqc_ledger.ledger.cells import named
from cqc_ledger.ledger.entry_checks import check_entry
from cqc_ledger.ledger.errors import InvalidField

_STRICT_ONLY = frozenset(("EntryCorrected", "EntryRetracted", "RatingsInherited", "ServiceSuperseded"))
_UNSET = msgspec.UNSET
_new = object.__new__


# The msgspec type of each kind of field on the fast door (choices: their canonical words only;
# text never empty).
_TEXT = Annotated[str, msgspec.Meta(min_length=1)]
_KINDS: dict[str, Any] = {
    "str": _TEXT,
    "date": date,
    "int": Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)],  # larger ones: the strict door
    "strs": tuple[_TEXT, ...],
    "cells": tuple[RatingCell, ...],
    "cell": RatingCell,
    "scope": tuple[()],  # only an empty scope is read here
}


def _field_type(spec: FieldSpec) -> Any | None:
    """The msgspec type of a field; None when its kind always takes the strict door."""
    if spec.kind in ("choice", "choices"):
        words: Any = Literal[tuple(dict.fromkeys(spec.table.values()))]
        return words if spec.kind == "choice" else tuple[words, ...]
    return _KINDS.get(spec.kind)


def _struct(name: str, cls: type) -> type[msgspec.Struct] | None:
    """The msgspec structure of an entry type, tagged by its `type`; None if it has a field of a
    kind that always takes the strict door, or a __post_init__ or a default made for each entry
    (the fast door builds an entry without its __init__: see `_entry`)."""
    if hasattr(cls, "__post_init__") or any(f.default_factory is not dataclasses.MISSING for f in dataclasses.fields(cls)):
        return None  # a default made for each entry could not be shared by every entry the plan builds
    fields: list[tuple[str, Any, Any] | tuple[str, Any]] = []
    for spec in field_specs(cls):
        found = _field_type(spec)
        if found is None:
            return None
        fields.append((spec.name, found) if spec.required else (spec.name, found | msgspec.UnsetType, _UNSET))
    # Required fields first, as a Struct (like a dataclass) wants them.
    fields.sort(key=len)
    return msgspec.defstruct(name, fields, tag_field="type", tag=name, forbid_unknown_fields=True, frozen=True)


_STRUCTS = {name: s for name, cls in ENTRY_TYPES.items() if name not in _STRICT_ONLY and (s := _struct(name, cls)) is not None}
_DECODER = msgspec.json.Decoder(Union[tuple(_STRUCTS.values())])  # noqa: UP007  (a union built at run time)
# Keys sorted, as the canonical form has them (the `type` tag takes its sorted place among them).
_ENCODER = msgspec.json.Encoder(order="sorted")
_TAGS = {struct: b',"type":"' + name.encode() + b'"' for name, struct in _STRUCTS.items()}


class _Plan(NamedTuple):
    """What the fast door does with the values of an entry type's structure (in the order of its
    fields, as `astuple` gives them), worked out once per type: which it checks, and how, and
    where each goes in the entry."""

    cls: type[Entry]
    ids: tuple[int, ...]  # CQC's ids: their form allows no white space and no control characters
    texts: tuple[int, ...]  # other text (never empty: msgspec refuses it): no white space at its ends, no controls
    lists: tuple[int, ...]  # lists of text, each checked as text
    cells: tuple[int, ...]  # lists of cells, and a single cell
    empties: tuple[int, ...]  # lists of any kind, which the canonical form leaves out when empty
    setters: tuple[Callable[[Entry, Any], None], ...]  # each field's slot's own setter
    defaults: tuple[Any, ...]  # each field's default, for a value not given


def _plan(name: str, struct: type[msgspec.Struct]) -> _Plan:
    cls = ENTRY_TYPES[name]
    kinds = {spec.name: spec.kind for spec in field_specs(cls)}
    fields: tuple[str, ...] = struct.__struct_fields__
    defaults = {f.name: f.default for f in dataclasses.fields(cls)}

    def at(*of: str) -> tuple[int, ...]:
        return tuple(i for i, field in enumerate(fields) if kinds[field] in of)

    return _Plan(
        cls=cls,
        ids=tuple(i for i in at("str") if fields[i] in parsing.ID_FIELDS),
        texts=tuple(i for i in at("str") if fields[i] not in parsing.ID_FIELDS),
        lists=at("strs"),
        cells=at("cells", "cell"),
        empties=at("strs", "choices", "cells", "scope"),
        setters=tuple(getattr(cls, field).__set__ for field in fields),
        defaults=tuple(defaults[field] for field in fields),
    )


_PLANS = {struct: _plan(name, struct) for name, struct in _STRUCTS.items()}


def fast_read(line: bytes | str, today: date) -> tuple[Entry, bytes | None] | None:
    """The entry a canonical line describes and its canonical form (None when an empty list was
    given, which the canonical form leaves out), or None when the line must be read the strict way."""
    try:
        struct = _DECODER.decode(line)
    except msgspec.DecodeError:
        return None
    written = _ENCODER.encode(struct)
    # Written out again, a value is never longer than the text it was read from (an escape, a
    # space or "-0" only makes the text longer), and a key given twice makes the text longer
    # still: so a line as long as its value written out holds each key once, and no escapes.
    if len(line.rstrip()) != (len(written) if isinstance(line, bytes) else len(written.decode())):
        return None
    try:
        read = _entry(struct, today)
    except (InvalidField, _Strict):
        return None
    if read is None:
        return None
    entry, empty = read
    # The canonical form is the entry less its type: the tag sits in its sorted place, after
    # "provider_id" and the cells and before at most "until" or "url", so it is sought from the end.
    tag = _TAGS[type(struct)]
    at = written.rfind(tag)
    return entry, None if empty else written[:at] + written[at + len(tag) :]


def _entry(struct: Any, today: date) -> tuple[Entry, bool] | None:
    """The entry, and whether a list was given empty; None when the strict door must read it."""
    plan = _PLANS[type(struct)]
    values = astuple(struct)
    for i in plan.ids:
        value = values[i]
        if value is not _UNSET and not parsing.plain_id(value):
            return None
    for i in plan.texts:
        value = values[i]
        if value is not _UNSET and (value != value.strip() or _controlled(value)):
            return None
    for i in plan.lists:
        value = values[i]
        if value is not _UNSET and (tuple(map(str.strip, value)) != value or any(map(_controlled, value))):
            return None
    for i in plan.cells:
        value = values[i]
        if value is not _UNSET:
            _plain(value if type(value) is tuple else (value,))
    empty = False
    for i in plan.empties:
        if values[i] == ():
            empty = True
    # Built as its __init__ would build it (a frozen dataclass's sets each field through
    # object.__setattr__), by the slots' own setters, without passing the values by name.
    entry = _new(plan.cls)
    for put, value, default in zip(plan.setters, values, plan.defaults, strict=True):
        put(entry, default if value is _UNSET else value)
    check_entry(entry, today)
    return entry, empty


def _controlled(text: str) -> bool:
    """Whether the text holds a control character (parsing.CONTROLS). Every one of them is
    unprintable, and asking str.isprintable of the text, as most is, is quicker than the search."""
    return not text.isprintable() and parsing.CONTROLS.search(text) is not None


def _plain(cells: tuple[RatingCell, ...]) -> None:
    """Raises _Strict unless every cell is as the strict door would read it: ids in CQC's forms,
    services by their canonical names, trust-only questions at the trust (msgspec has checked
    the words). Checked a whole entry's cells at once: each value they name, once."""
    found = named(cells)
    if not TRUST_ONLY.isdisjoint(found.questions) and any(c.question in TRUST_ONLY and (c.location_id or c.service) for c in cells):
        raise _Strict
    for location_id in found.places:
        if not parsing.plain_id(location_id):
            raise _Strict
    for service in found.services - KNOWN_NAMES:  # a known service's own name is its canonical name
        if parsing.service_named(service, "ratings") != service:
            raise _Strict


class _Strict(Exception):
    """A line the strict door must read."""
