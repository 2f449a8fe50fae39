"""Turning the regulator's own published data into entries: `cqc-ledger import FORMAT FILE...`.

Each format has a pure module from parsed file content to `Draft`s, entries in the JSON Lines
format of `record` with where each came from: `cqc_api` (provider and location responses of
CQC's API, with `api_ratings` finding the ratings in them) and `cqc_ratings` (the "Latest
ratings" file, read by `tables`). `words` reads CQC's words. `keeping` weighs the drafts against
what the ledger already holds, so that importing again adds only what is new (`restated`: what of
the ratings file's reports CQC's own restate), and `run` ties it
together: read, draft, check each entry with `parse_entry`, keep current, record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

FORMATS = ("cqc-api", "cqc-files", "cqc-ratings")  # what `import FORMAT` takes (see `run.import_files`)


def first_few(named: list[str], shown: int, separator: str = ", ") -> str:
    """The first `shown` of what a note or a reason names, and how many more."""
    return separator.join(named[:shown]) + (f" and {len(named) - shown} more" if len(named) > shown else "")


@dataclass(frozen=True)
class Draft:
    """An entry as the JSON Lines format writes it, and where in the input it came from; for a
    report, also where each of its cells came from (by cell key), so a refusal can point at it."""

    obj: dict[str, Any]
    origin: str
    places: dict[tuple[Any, ...], str] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)  # a field (of the entry or a cell) -> the file's column for it

    def where(self, name: str | None) -> str:
        """Where the value of the entry's field `name` came from: for a report's cell
        (`ratings[2].service`), the row or JSON path of that rating, else the entry's origin; and
        the column, where a file has one for the field."""
        column = self.columns.get((name or "").rpartition(".")[2])
        return f"{self._place(name)}, column {column}" if column else self._place(name)

    def _place(self, name: str | None) -> str:
        cell = _CELL.match(name or "")
        ratings = self.obj.get("ratings")
        if cell is None or not isinstance(ratings, list) or int(cell[1]) >= len(ratings) or not isinstance(ratings[int(cell[1])], dict):
            return self.origin
        found = ratings[int(cell[1])]
        return self.places.get((found.get("location_id"), found.get("service"), found.get("question")), self.origin)


_CELL = re.compile(r"ratings\[(\d+)\](?:\.|$)")
