"""How entry types look from JSON: each field's kind, whether it is required, and its words.

Both directions read this: the strict parser of input (`ledger.parsing`) and the canonical form
written for output and storage (`events.jsonform`). It is derived from the types
themselves, so a field added to an entry type is parsed and written without more code.
"""

from __future__ import annotations

import dataclasses
import typing
from datetime import date

import msgspec

from cqc_ledger.events.base import Entry, InheritedRating, RatingCell, ScopeItem
from cqc_ledger.events.vocabulary import QUESTION_WORDS, RATING_WORDS, SECTION_WORDS, matcher

# Fields matched against their own tables; other choice fields match their words loosely.
_SPECIAL_TABLES = {"question": QUESTION_WORDS, "rating": RATING_WORDS, "section": SECTION_WORDS}


@dataclasses.dataclass(frozen=True)
class FieldSpec:
    """How one field of an entry (or of a cell or scope item) is read and written."""

    name: str
    kind: str  # str, date, int, strs, cells, inherited, cell, scope, entry, choice, choices
    required: bool
    words: tuple[str, ...] = ()
    table: dict[str, str] = dataclasses.field(default_factory=dict, compare=False, hash=False)


def _table(name: str, words: tuple[str, ...]) -> dict[str, str]:
    """Matching keys of a choice field, with each canonical word as its own key (the fast path)."""
    table = dict(_SPECIAL_TABLES.get(name) or matcher(words))
    table.update({word: word for word in table.values()})
    return table


_SPECS: dict[type, tuple[FieldSpec, ...]] = {}


def field_specs(cls: type) -> tuple[FieldSpec, ...]:
    """The fields of an entry type (or value type) as the parser sees them, worked out once."""
    found = _SPECS.get(cls)
    if found is None:
        found = _SPECS[cls] = _specs_of(cls)
    return found


def _fields(cls: type) -> list[tuple[str, bool, tuple[str, ...]]]:
    """Each field's name, whether it is required, and its words (if it is a choice): of a
    dataclass (entries, scope items) or a msgspec structure (rating cells)."""
    if issubclass(cls, msgspec.Struct):
        return [(f.name, f.required, _words(f.type)) for f in msgspec.structs.fields(cls)]
    return [
        (f.name, f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING, tuple(f.metadata.get("choices", ())))
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
    ]


def _words(hint: object) -> tuple[str, ...]:
    """The words of a structure's field typed as a `Literal` of them (none for other types)."""
    return typing.get_args(hint) if typing.get_origin(hint) is typing.Literal else ()


def _specs_of(cls: type) -> tuple[FieldSpec, ...]:
    hints = typing.get_type_hints(cls)
    specs = []
    for name, required, words in _fields(cls):
        hint = hints[name]
        args = [a for a in typing.get_args(hint) if a is not type(None) and a is not Ellipsis]
        base = args[0] if typing.get_origin(hint) is not tuple and args else hint
        inner = args[0] if typing.get_origin(hint) is tuple else None
        if words:
            kind = "choices" if inner is not None else "choice"
        elif inner is not None:
            kind = {str: "strs", RatingCell: "cells", InheritedRating: "inherited", ScopeItem: "scope"}[inner]
        else:
            kind = {str: "str", date: "date", int: "int", RatingCell: "cell", Entry: "entry"}[base]
        table = _table(name, words) if words else {}
        specs.append(FieldSpec(name, kind, required, words, table))
    return tuple(specs)


def word_outside(obj: object, specs: tuple[FieldSpec, ...] | None = None) -> tuple[str, object] | None:
    """The first value an entry (or a cell, a scope item) holds that is not one of its field's
    words, with the field's path (`ratings[3].rating`); None when every word is one of them.
    Only the fields `specs` name, when given. What the parser accepts is written canonical, so
    a stored entry holding anything else was never recorded by the ledger."""
    for spec in field_specs(type(obj)) if specs is None else specs:
        value = getattr(obj, spec.name)
        if spec.kind == "choice":
            if (value is not None or spec.required) and value not in spec.words:
                return spec.name, value
        elif spec.kind == "choices":
            for i, word in enumerate(value):
                if word not in spec.words:
                    return f"{spec.name}[{i}]", word
        elif spec.kind in _ONE:
            if (found := word_outside(value)) is not None:
                return f"{spec.name}.{found[0]}", found[1]
        elif spec.kind in _MANY:
            for i, item in enumerate(value):
                if (found := word_outside(item)) is not None:
                    return f"{spec.name}[{i}].{found[0]}", found[1]
    return None


# Kinds of field whose values (one, or a list of them) hold fields of their own.
_ONE = frozenset(("cell", "entry"))
_MANY = frozenset(("cells", "inherited", "scope"))
