"""`find`: the providers and locations whose names match, as JSON rows and as a line each."""

from __future__ import annotations

from typing import Any

from cqc_ledger.projections.find import Found

COLUMNS = ("kind", "provider_id", "location_id", "name", "former_names", "deregistered_on")


def found_json(found: Found) -> dict[str, Any]:
    """One match of `find --json`: whether a provider or a location, its ids, its current name,
    the former names that matched, and the day it was deregistered (null while registered)."""
    kind = "location" if found.location_id else "provider"
    former = [n for n in found.matched if n != found.name]
    return {
        "kind": kind,
        "provider_id": found.provider_id,
        "location_id": found.location_id,
        "name": found.name,
        "former_names": former,
        "deregistered_on": found.deregistered_on,
    }


def find_text(found: list[Found], text: str) -> str:
    """One line per match: kind, id, current name, the former names that matched, and the day
    it was deregistered, if it was."""
    if not found:
        return f'No provider or location has a name matching "{text}".'
    lines = []
    for f in found:
        former = [n for n in f.matched if n != f.name]
        was = f" (formerly {'; '.join(former)})" if former else ""
        where = f"{f.location_id:<10} location of {f.provider_id}" if f.location_id else f"{f.provider_id:<10} provider"
        lines.append(f"{where:<28} {f.name}{was}{left(f)}")
    return "\n".join(lines)


def left(found: Found) -> str:
    """What follows the name of a provider or location that has left the register: its day
    (` (deregistered 2019-03-31)`), as `find` and the web site's search say it; else nothing."""
    return f" (deregistered {found.deregistered_on})" if found.deregistered_on else ""
