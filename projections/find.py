"""Finding providers by name: `find TEXT`, `trusts --name`, and a name given where a provider id goes.

A name matches TEXT when every word of TEXT begins a word of the name, with case, accents and
punctuation ignored ("kings college" finds "King's College Hospital NHS Foundation Trust"). A
provider is found by its current name, any former name, or the name of one of its locations.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cqc_ledger.events import provider
from cqc_ledger.ledger.errors import AmbiguousName
from cqc_ledger.ledger.history import effective
from cqc_ledger.ledger.records import Recorded

_APOSTROPHES = re.compile(r"['\u2019`]")
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def words(text: str) -> tuple[str, ...]:
    """The words of a name as matching sees them: lower case, no accents, apostrophes dropped,
    any other punctuation a space."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return tuple(w for w in _NOT_WORD.split(_APOSTROPHES.sub("", plain)) if w)


def matches(text: str, name: str | None) -> bool:
    """Every word of `text` begins a word of `name` (and `text` has a word)."""
    if not name:
        return False
    asked, held = words(text), words(name)
    return bool(asked) and all(any(w.startswith(a) for w in held) for a in asked)


@dataclass(frozen=True)
class Name:
    """A name a provider or one of its locations has held, from the day `on` (ISO), set by the
    entry at `position`."""

    provider_id: str
    location_id: str | None
    name: str
    on: str
    position: int


@dataclass(frozen=True)
class Found:
    """A provider or location whose names match: its current name and the names that matched."""

    provider_id: str
    location_id: str | None
    name: str
    matched: tuple[str, ...]
    deregistered_on: str | None = None  # the day (ISO) it left the register, if it has


def names_in(histories: Iterable[tuple[str, list[Recorded]]]) -> list[Name]:
    """Every name a provider or one of its locations has held, as the ledger knows it now, from
    each provider's entries themselves (what the views hold, for when they are behind)."""
    found = []
    for provider_id, recorded in histories:
        for r in effective(recorded):
            e = r.entry
            if isinstance(e, (provider.ProviderRegistered, provider.ProviderRenamed)):
                found.append(Name(provider_id, None, e.name, e.on.isoformat(), r.position))
            elif isinstance(e, provider.LocationRegistered):
                found.append(Name(provider_id, e.location_id, e.name, e.on.isoformat(), r.position))
    return found


def deregistrations_in(histories: Iterable[tuple[str, list[Recorded]]]) -> dict[tuple[str, str | None], str]:
    """The day (ISO) each deregistered provider (location None) or location left the register,
    as the ledger knows it now, from each provider's entries themselves."""
    gone: dict[tuple[str, str | None], str] = {}
    for provider_id, recorded in histories:
        for r in effective(recorded):
            e = r.entry
            if isinstance(e, provider.ProviderDeregistered):
                gone[(provider_id, None)] = e.on.isoformat()
            elif isinstance(e, provider.LocationDeregistered):
                gone[(provider_id, e.location_id)] = e.on.isoformat()
    return gone


def find(text: str, names: Iterable[Name], gone: Mapping[tuple[str, str | None], str] | None = None, *, by_id: bool = False) -> list[Found]:
    """The providers and locations with a current or former name matching `text`, by id, each
    with the day it left the register (from `gone`, by provider and location: `_left_on`). With
    `by_id` (the web site's search box, which lists providers), a provider whose id `text` is, in
    any case, is found too, and each provider found by a location's name is listed itself as well
    (matching by none of its own names)."""
    held: dict[tuple[str, str | None], list[Name]] = {}
    for n in names:
        held.setdefault((n.provider_id, n.location_id), []).append(n)
    current = {key: sorted(named, key=lambda n: (n.on, n.position)) for key, named in held.items()}
    matched = {key: tuple(dict.fromkeys(n.name for n in in_order if matches(text, n.name))) for key, in_order in current.items()}
    if by_id:
        wanted = {provider_id for (provider_id, _), m in matched.items() if m} | {text.strip().upper()}
        listed = {key for key, m in matched.items() if m or (key[1] is None and key[0] in wanted)}
    else:
        listed = {key for key, m in matched.items() if m}
    return [
        Found(key[0], key[1], current[key][-1].name, matched[key], _left_on(gone or {}, key[0], key[1]))
        for key in sorted(listed, key=lambda key: (key[0], key[1] or ""))
    ]


def _left_on(gone: Mapping[tuple[str, str | None], str], provider_id: str, location_id: str | None) -> str | None:
    """The day a provider or location left the register: a location's own deregistration, else
    its provider's (a location leaves with its provider)."""
    own = gone.get((provider_id, location_id))
    return own if own or location_id is None else gone.get((provider_id, None))


def resolved(text: str, provider_ids: Iterable[str], names: Iterable[Name]) -> str:
    """The provider id `text` stands for: itself when it is an id, else the one provider whose
    names (or whose locations' names) match it. Raises AmbiguousName naming the candidates; returns
    `text` unchanged when nothing matches, so that the command says the provider is unknown."""
    if text in set(provider_ids):
        return text
    found = find(text, names)
    own = {f.provider_id: f for f in found if f.location_id is None}
    candidates = own or {f.provider_id: f for f in found}
    if len(candidates) == 1:
        return next(iter(candidates))
    if not candidates:
        return text
    listed = "; ".join(
        f"{pid} ({f.name if f.location_id is None else f'{f.location_id} {f.name}'})" for pid, f in sorted(candidates.items())
    )
    raise AmbiguousName(f'"{text}" matches {len(candidates)} providers: {listed}; give one of their ids, or more of the name')
