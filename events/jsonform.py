"""The canonical JSON form of entries: what is written for output and stored.

`entry_to_json` writes the JSON Lines format with canonical words and no empty optional fields;
`entry_from_json` reads that form back without re-checking it, because only entries the parser
(`ledger.parsing`) accepted are ever written.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from cqc_ledger import events
from cqc_ledger.events.base import Entry, InheritedRating, RatingCell, ScopeItem
from cqc_ledger.events.schema import field_specs


def entry_to_json(entry: Entry) -> dict[str, Any]:
    """The entry in the JSON Lines format: its type, then every field that has a value."""
    return {"type": entry.type_name, **_plain(entry)}


_AS_IS = frozenset(("str", "int", "choice"))


_WRITERS: dict[type, tuple[tuple[str, str, bool], ...]] = {}


def _writers(cls: type) -> tuple[tuple[str, str, bool], ...]:
    """Each field's name, kind and whether it is required, worked out once per type."""
    found = _WRITERS.get(cls)
    if found is None:
        found = _WRITERS[cls] = tuple((spec.name, spec.kind, spec.required) for spec in field_specs(cls))
    return found


def _plain(obj: Any) -> dict[str, Any]:
    """Every field of an entry (or value) that has a value, as plain JSON; empty lists are left out
    unless required."""
    out = {}
    for name, kind, required in _writers(type(obj)):
        value = getattr(obj, name)
        if value is None or (value == () and not required):
            continue
        out[name] = value if kind in _AS_IS else _plain_value(kind, value)
    return out


def _cell_json(cell: RatingCell) -> dict[str, Any]:
    out = {"question": cell.question, "rating": cell.rating}
    if cell.location_id is not None:
        out["location_id"] = cell.location_id
    if cell.service is not None:
        out["service"] = cell.service
    return out


def _inherited_json(cell: InheritedRating) -> dict[str, Any]:
    out = {**_cell_json(cell), "published_on": cell.published_on.isoformat()}
    if cell.report_id is not None:
        out["report_id"] = cell.report_id
    return out


def _plain_value(kind: str, value: Any) -> Any:
    if kind == "date":
        return value.isoformat()
    if kind == "cells":
        return [_cell_json(v) for v in value]
    if kind == "inherited":
        return [_inherited_json(v) for v in value]
    if kind == "scope":
        return [_plain(v) for v in value]
    if kind == "cell":
        return _cell_json(value)
    if kind == "entry":
        return entry_to_json(value)
    if kind in ("strs", "choices"):
        return list(value)
    return value


def entry_from_json(obj: dict[str, Any]) -> Entry:
    """The entry that `entry_to_json` wrote; trusted, so nothing is re-checked."""
    cls = events.ENTRY_TYPES[obj["type"]]
    return cls(**{spec.name: _typed(spec.kind, obj[spec.name]) for spec in field_specs(cls) if spec.name in obj})


def _typed(kind: str, value: Any) -> Any:
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "cells":
        return tuple([RatingCell(**v) for v in value])
    if kind == "inherited":
        return tuple(InheritedRating(**{**v, "published_on": date.fromisoformat(v["published_on"])}) for v in value)
    if kind == "scope":
        return tuple(ScopeItem(**{**v, "questions": tuple(v.get("questions", ()))}) for v in value)
    if kind == "cell":
        return RatingCell(**value)
    if kind == "entry":
        return entry_from_json(value)
    if kind in ("strs", "choices"):
        return tuple(value)
    return value
