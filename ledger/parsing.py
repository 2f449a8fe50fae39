"""Turning a user's JSON into entries: the strict door of the ledger.

`parse_entry` checks every field and names the one that is wrong, with the fix where there is
one; the checks an entry then makes across its fields are `ledger.entry_checks`. (The canonical
form written back out is `events.jsonform`.) Lines already in canonical form are read by a fast
door (`ledger.fastparse`) that repeats the per-field checks of `_build` and `_value` and calls
the rest from here: a check added to those two belongs there too, and the property test
(tests/unit/test_fast_door.py) holds the doors equal.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import msgspec
import orjson

from cqc_ledger.events import ENTRY_TYPES
from cqc_ledger.events.base import Entry, InheritedRating, RatingCell, ScopeItem
from cqc_ledger.events.continuity import RatingsInherited, ServiceSuperseded
from cqc_ledger.events.schema import FieldSpec, field_specs
from cqc_ledger.events.vocabulary import (
    NOT_RATING_WORDS,
    QUESTIONS,
    RATINGS,
    TRUST_ONLY_QUESTIONS,
    normalise,
    suggestion,
)
from cqc_ledger.ledger.entry_checks import check_entry, known_service
from cqc_ledger.ledger.errors import InvalidField
from cqc_ledger.ledger.records import id_refusal, is_id

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# Fields holding CQC's ids of providers and locations (the entry's own, and those it names: a
# successor, where inherited ratings came from), which must have CQC's forms.
ID_FIELDS = frozenset(("provider_id", "location_id", "successor_id", "from_provider_id", "from_location_id"))
_MENDS = frozenset(("EntryCorrected", "EntryRetracted"))
# Control characters, which have no place in a name, an id or a summary: C0 but for tab and line
# breaks, DEL and C1. NUL above all: PostgreSQL cannot hold it in text, and a terminal shows it raw.
CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# The largest whole number an entry holds: the largest integer its canonical form (orjson) writes.
LARGEST_WHOLE = 2**64 - 1
_QUESTIONS_AS_WRITTEN = frozenset(QUESTIONS)
_RATINGS_AS_WRITTEN = frozenset(RATINGS)


# ---- strict parsing of input --------------------------------------------------------------


# A cell left out of an entry: where it was (`ratings[2]`) and the word it gave, as written.
LeftOut = tuple[str, str]


def parse_entry(obj: Any, *, today: date, left_out: list[LeftOut] | None = None) -> Entry:
    """The entry a JSON object describes, or InvalidField naming what is wrong with it.

    A cell of a report or an inheritance whose rating is a word CQC publishes where there is no
    rating (`NOT_RATINGS`: "No published rating") makes no cell: it is left out of the entry (its
    other fields checked as any cell's), and told in `left_out`."""
    return _parse(obj, today, "", left_out)


def no_cell_notes(left_out: Sequence[tuple[int | None, str, str]]) -> list[str]:
    """One note per word for no rating that made no cell: how many, in how many lines, and the
    first place of it (as an import notes them)."""
    notes = []
    for word in sorted({word for _, _, word in left_out}):
        places = [(line, where) for line, where, w in left_out if w == word]
        lines = len({line for line, _ in places})
        line, where = places[0]
        in_lines = f" in {lines} line{'s' if lines > 1 else ''}" if line is not None else ""
        first = f"line {line}: {where}.rating" if line is not None else f"{where}.rating"
        notes.append(
            f'"{word}" is not a rating: {len(places)} value{"s" if len(places) > 1 else ""}{in_lines} made no cell (the first at {first})'
        )
    return notes


def _parse(obj: Any, today: date, path: str, left_out: list[LeftOut] | None = None) -> Entry:
    """`parse_entry` of an object found at `path` (e.g. a correction's `replacement.`)."""
    if not isinstance(obj, dict):
        raise InvalidField(
            f"expected a JSON object{' at ' + shown(path.rstrip('.')) if path else ''}, found {_json_kind(obj)}",
            field=path.rstrip(".") or None,
        )
    kind = obj.get("type")
    if kind is None:
        raise InvalidField(f'missing field "{path}type"', field=path + "type")
    cls = ENTRY_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        hint = suggestion(str(kind), tuple(ENTRY_TYPES))
        raise InvalidField(f'field "{path}type": "{visible(str(kind))}" is not an entry type{hint}', field=path + "type")
    fields = {k: v for k, v in obj.items() if k != "type"}
    built = _build(cls, fields, path, today, left_out)
    try:
        entry = _normalised(built)
        check_entry(entry, today)
    except InvalidField as wrong:
        if path:  # name the field where it is: replacement.on, not on
            wrong.message = wrong.message.replace('field "', f'field "{path}', 1)
            wrong.field = path + (wrong.field or "")
        raise
    return entry


def _build(cls: type, obj: dict[str, Any], path: str, today: date, left_out: list[LeftOut] | None = None) -> Any:
    specs = field_specs(cls)
    known = {s.name for s in specs}
    for name in obj:
        if name not in known:
            hint = suggestion(name, tuple(sorted(known)))
            raise InvalidField(f'unknown field "{path}{visible(name)}"{hint}', field=path + name)
    values = {}
    for spec in specs:
        value = obj.get(spec.name)
        where = path + spec.name
        if value is None:
            if spec.required:
                raise InvalidField(f'missing field "{where}"', field=where)
            continue
        values[spec.name] = _value(spec, value, where, today, left_out)
        if spec.name in ID_FIELDS and not is_id(values[spec.name]):
            raise InvalidField(f'field "{where}": {id_refusal(values[spec.name])}', field=where)
    return cls(**values)


def _value(spec: FieldSpec, value: Any, where: str, today: date, left_out: list[LeftOut] | None = None) -> Any:
    kind = spec.kind
    if kind == "str":
        return _text(value, where) if spec.name in ID_FIELDS else _free_text(value, where)  # an id's form refuses them, by name
    if kind == "date":
        return _day(value, where)
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidField(f'field "{where}" must be a whole number, 0 or more, not {shown(value)}', field=where)
        if value > LARGEST_WHOLE:
            large = str(value) if value < 10**40 else "a number of over 40 digits"
            raise InvalidField(f'field "{where}": {large} is too large (a whole number is at most {LARGEST_WHOLE})', field=where)
        return value
    if kind == "choice":
        return _word(spec, value, where)
    if kind == "entry":
        if (
            isinstance(value, dict) and isinstance(value.get("type"), str) and value["type"] in _MENDS
        ):  # refused before reading it: it may nest without end
            raise InvalidField(f'field "{where}": a replacement cannot itself be a correction or retraction', field=where)
        return _parse(value, today, where + ".", left_out)
    if kind == "cell":  # one cell (RatingRevised's), an object: before the list kinds below
        if (word := _no_rating(value)) is not None:
            raise InvalidField(
                f'field "{where}.rating": "{word}" is not a rating but CQC\'s word for none, which makes no cell: '
                "a revision gives a rating (to take one back, retract or correct the entry that set it)",
                field=where + ".rating",
            )
        return _cell(value, where, today)
    items = _list(value, where)
    if kind == "strs":
        return tuple(_free_text(v, f"{where}[{i}]") for i, v in enumerate(items))
    if kind == "choices":
        return tuple(_word(spec, v, f"{where}[{i}]") for i, v in enumerate(items))
    if kind == "cells":
        return tuple(_cell(v, f"{where}[{i}]", today) for i, v in enumerate(items) if not _left_out(v, f"{where}[{i}]", today, left_out))
    if kind == "inherited":
        return tuple(
            _inherited(v, f"{where}[{i}]", today)
            for i, v in enumerate(items)
            if not _left_out(v, f"{where}[{i}]", today, left_out, _inherited)
        )
    assert kind == "scope", kind
    return tuple(_scope(v, f"{where}[{i}]", today) for i, v in enumerate(items))


_CELL_FIELDS = frozenset(("location_id", "service", "question", "rating"))


def _cell(value: Any, where: str, today: date) -> RatingCell:
    if type(value) is not dict or not value.keys() <= _CELL_FIELDS:
        return _checked_cell(value, where, today)
    cell = _plain_cell(value.get("location_id"), value.get("service"), value.get("question"), value.get("rating"), where)
    return _checked_cell(value, where, today) if cell is None else cell


def _no_rating(value: Any) -> str | None:
    """The word a cell gives for its rating, as written, when it is one CQC publishes where there
    is no rating ("No published rating"); else None."""
    if type(value) is dict and type(rating := value.get("rating")) is str and rating not in _RATINGS_AS_WRITTEN:
        if normalise(rating) in NOT_RATING_WORDS:
            return rating.strip()
    return None


def _left_out(value: Any, where: str, today: date, left_out: list[LeftOut] | None, check: Callable[..., Any] | None = None) -> bool:
    """Whether a cell makes no cell (its rating is a word for none), once its other fields are
    checked as any cell's (by `check`, for an inherited one); told in `left_out`."""
    word = _no_rating(value)
    if word is None:
        return False
    (check or _checked_cell)({**value, "rating": "Not rated"}, where, today)
    if left_out is not None:
        left_out.append((where, word))
    return True


def _plain_cell(location_id: Any, service: Any, question: Any, rating: Any, where: str) -> RatingCell | None:
    """The quick path of `_cell`: canonical words and plain ids; None for anything else, which
    takes the checking path."""
    if not (
        type(question) is str
        and type(rating) is str
        and (location_id is None or type(location_id) is str)
        and (service is None or type(service) is str)
    ):
        return None
    key = (location_id, service, question, rating)
    cell = _SEEN_CELLS.get(key)
    if cell is not None:
        return cell
    if (
        question in _QUESTIONS_AS_WRITTEN
        and rating in _RATINGS_AS_WRITTEN
        and (location_id is None or plain_id(location_id))
        and (question not in TRUST_ONLY_QUESTIONS or (location_id is None and service is None))
    ):
        cell = RatingCell(
            location_id=location_id,
            service=None if service is None else service_named(service, where),
            question=question,
            rating=rating,
        )
        if len(_SEEN_CELLS) >= _CACHED_AT_MOST:
            _SEEN_CELLS.clear()
        _SEEN_CELLS[key] = cell
        return cell
    return None


# Cells already read on the fast path (cells are immutable, and a register repeats them often):
# reading one again is a lookup. Only cells the fast path accepted are kept; refusals are not.
_SEEN_CELLS: dict[tuple[str | None, str | None, str, str], RatingCell] = {}
_CACHED_AT_MOST = 200_000  # cells, and ids below, kept at most before the cache starts again
# Service names already read, and their canonical names (only names accepted are kept).
_SERVICES: dict[str, str] = {}
# Whether an id has CQC's forms, remembered for the ids a register repeats (its providers and locations).
plain_id = functools.lru_cache(maxsize=_CACHED_AT_MOST)(is_id)


def service_named(name: str, where: str) -> str:
    """The canonical name of a service as written in a cell (InvalidField for a misspelling)."""
    found = _SERVICES.get(name)
    if found is not None:
        return found
    if not name.strip():
        raise InvalidField(f'field "{where}.service" must be a non-empty string, not "{name}"', field=where + ".service")
    _without_controls(name, where + ".service")
    found = _SERVICES[name] = known_service(name, where + ".service")
    return found


def _checked_cell(value: Any, where: str, today: date) -> RatingCell:
    cell = _build(RatingCell, _object(value, where), where + ".", today)
    if cell.service is not None:
        cell = msgspec.structs.replace(cell, service=known_service(cell.service, where + ".service"))
    if cell.question in TRUST_ONLY_QUESTIONS and (cell.location_id or cell.service):
        raise InvalidField(
            f'field "{where}.question": "{cell.question}" is rated only at trust level, so the cell can have no location_id or service',
            field=where + ".question",
        )
    return cell


def _inherited(value: Any, where: str, today: date) -> InheritedRating:
    cell = _build(InheritedRating, _object(value, where), where + ".", today)
    if cell.service is not None:
        cell = msgspec.structs.replace(cell, service=known_service(cell.service, where + ".service"))
    if cell.question in TRUST_ONLY_QUESTIONS:
        raise InvalidField(
            f'field "{where}.question": "{cell.question}" is rated only at trust level, so a location cannot inherit it',
            field=where + ".question",
        )
    if cell.published_on > today:
        raise InvalidField(
            f'field "{where}.published_on": {cell.published_on} is in the future (today is {today})', field=where + ".published_on"
        )
    return cell


def _scope(value: Any, where: str, today: date) -> ScopeItem:
    item = _build(ScopeItem, _object(value, where), where + ".", today)
    if item.service is not None:
        item = dataclasses.replace(item, service=known_service(item.service, where + ".service"))
    if item.location_id or item.service:
        for i, question in enumerate(item.questions):
            if question in TRUST_ONLY_QUESTIONS:
                raise InvalidField(
                    f'field "{where}.questions[{i}]": "{question}" is rated only at trust level, '
                    "so the scope item can have no location_id or service",
                    field=f"{where}.questions[{i}]",
                )
    return item


def _normalised(entry: Entry) -> Entry:
    """Services by their canonical names; an inherited cell placed at its inheriting location."""
    if isinstance(entry, ServiceSuperseded):
        by = tuple(dict.fromkeys(known_service(name, f"by[{i}]") for i, name in enumerate(entry.by)))
        return dataclasses.replace(entry, service=known_service(entry.service, "service"), by=by)
    if isinstance(entry, RatingsInherited):
        placed = tuple(msgspec.structs.replace(c, location_id=c.location_id or entry.location_id) for c in entry.ratings)
        return dataclasses.replace(entry, ratings=placed)
    return entry


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidField(f'field "{where}" must be a non-empty string, not {shown(value)}', field=where)
    return value.strip()


def _free_text(value: Any, where: str) -> str:
    """Non-empty text without a control character, looked for before the text's ends are
    stripped (Python strips some controls, U+001F say, as white space)."""
    text = _text(value, where)
    _without_controls(value, where)
    return text


def _without_controls(text: str, where: str) -> str:
    """The text, or InvalidField naming the first control character in it (see CONTROLS)."""
    found = CONTROLS.search(text)
    if found is None:
        return text
    at = found.start()
    shown = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text[max(0, at - 30) : at + 30])
    cut = ("..." if at > 30 else "", "..." if len(text) > at + 30 else "")
    raise InvalidField(
        f'field "{where}": "{cut[0]}{shown}{cut[1]}" holds the control character U+{ord(found[0]):04X} (character {at + 1}); '
        "text may hold no control characters but tabs and line breaks: remove it",
        field=where,
    )


def _day(value: Any, where: str) -> date:
    if not isinstance(value, str) or not _ISO_DAY.fullmatch(value):
        raise InvalidField(f'field "{where}": {shown(value)} is not a date like 2017-06-20', field=where)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidField(f'field "{where}": "{value}" is not a day of the calendar', field=where) from None


def _word(spec: FieldSpec, value: Any, where: str) -> str:
    if isinstance(value, str) and (canonical := spec.table.get(value) or spec.table.get(normalise(value))):
        return canonical
    words = tuple(w for w in dict.fromkeys(spec.table.values()))
    hint = suggestion(str(value), words) if isinstance(value, str) else ""
    what = spec.name.replace("_", " ")
    if spec.kind == "choices":  # a word of a list: "is not a question", of field "questions"
        what = what.removesuffix("s")
    listed = ", ".join(f'"{w}"' for w in words)
    return _raise(
        InvalidField(
            f'field "{where}": {shown(value)} is not {"an" if what[0] in "aeiou" else "a"} {what}{hint}; one of {listed}', field=where
        )
    )


def _raise(error: Exception) -> Any:
    raise error


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise InvalidField(f'field "{where}" must be a list, not {shown(value)}', field=where)
    return value


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidField(f'field "{where}" must be a JSON object, not {shown(value)}', field=where)
    return value


def visible(text: str) -> str:
    """The text with each control character (CONTROLS) shown as an escape, `\\u0000`, so that a
    message never prints one raw."""
    return CONTROLS.sub(lambda c: f"\\u{ord(c[0]):04x}", text)


def shown(value: Any) -> str:
    """A value read from JSON (or a table's cell), named in a message as JSON writes it: text in
    quotes (its control characters escaped: `visible`), `true`, `null`, `12`; a list or an object
    by its kind, as it may be long. Never Python's spelling (True, None, {'a': 1})."""
    if isinstance(value, str):
        return f'"{visible(value)}"'
    if isinstance(value, (list, tuple, dict)):
        return _json_kind(value)
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # an integer beyond 64 bits, which orjson does not write
        return str(value)


def _json_kind(value: Any) -> str:
    return {dict: "an object", list: "a list", tuple: "a list", str: "a string", bool: "true or false"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else "null"
    )
