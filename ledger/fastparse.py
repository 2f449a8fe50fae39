"""The fast door of the parser: a line already in canonical form, read with msgspec.

Most input is written by programs (an export, the importers, a register generated once) and is
already canonical: exact words, plain ids, no nulls, no escapes. `fast_entry` reads such a line
straight into typed structures with msgspec, then builds the entry with the same cell cache and
the same cross-field checks as the strict parser (`ledger.parsing`). It gives up (None) at the
first doubt, and the caller reads the line the strict way, which gives every error message word
for word: this door never refuses anything itself. A property test holds the two equal.

Mends (corrections, retractions), inherited ratings, superseded services and inspections with a
scope always take the strict door: they are rare, and their normalising lives there.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, Union

import msgspec

from cqc_ledger.events import ENTRY_TYPES
from cqc_ledger.events.base import Entry, RatingCell
from cqc_ledger.events.schema import FieldSpec, field_specs
from cqc_ledger.ledger import parsing
from cqc_ledger.ledger.errors import InvalidField
from cqc_ledger.ledger.records import is_id

_STRICT_ONLY = frozenset(("EntryCorrected", "EntryRetracted", "RatingsInherited", "ServiceSuperseded"))
_UNSET = msgspec.UNSET


class _Cell(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    question: str
    rating: str
    location_id: str | msgspec.UnsetType = _UNSET
    service: str | msgspec.UnsetType = _UNSET


# The msgspec type of each kind of field on the fast door (choices: their canonical words only).
_KINDS: dict[str, Any] = {
    "str": str,
    "date": date,
    "int": Annotated[int, msgspec.Meta(ge=0)],
    "strs": tuple[str, ...],
    "cells": tuple[_Cell, ...],
    "cell": _Cell,
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
    kind that always takes the strict door."""
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
_ENCODER = msgspec.json.Encoder()
_SPECS = {name: tuple((s.name, s.kind) for s in field_specs(ENTRY_TYPES[name])) for name in _STRUCTS}


def fast_entry(line: bytes | str, today: date) -> Entry | None:
    """The entry a canonical line describes, or None when the line must be read the strict way."""
    if "\\u" in line if isinstance(line, str) else b"\\u" in line:
        return None
    try:
        struct = _DECODER.decode(line)
    except msgspec.DecodeError:
        return None
    # One colon more in the text than in its value written out is a key given twice.
    raw_colons = line.count(":") if isinstance(line, str) else line.count(b":")
    if raw_colons != _ENCODER.encode(struct).count(b":"):
        return None
    try:
        return _entry(struct, today)
    except (InvalidField, _Strict):
        return None


def _entry(struct: Any, today: date) -> Entry | None:
    name = type(struct).__name__
    values: dict[str, Any] = {}
    for field, kind in _SPECS[name]:
        value = getattr(struct, field)
        if value is _UNSET:
            continue
        if kind == "str":
            if not value or value != value.strip() or (field in parsing.ID_FIELDS and not is_id(value)):
                return None
        elif kind == "strs":
            if not all(v and v == v.strip() for v in value):
                return None
        elif kind == "cells":
            value = tuple([_cell(cell) for cell in value])
        elif kind == "cell":
            value = _cell(value)
        elif kind == "scope":
            continue  # only an empty scope is read here: the default
        values[field] = value
    entry = ENTRY_TYPES[name](**values)
    parsing.check_entry(entry, today)
    return entry


def _cell(cell: _Cell) -> RatingCell:
    found = parsing.plain_cell(
        None if cell.location_id is _UNSET else cell.location_id,
        None if cell.service is _UNSET else cell.service,
        cell.question,
        cell.rating,
        "ratings",
    )
    if found is None:
        raise _Strict
    return found


class _Strict(Exception):
    """A line the strict door must read."""
