"""The checks an entry makes of itself once its fields are read: its dates in order and none in
the future, a segment its framework has, a report's cells each rated once, an inheritance's cells
its location's own, a mend's ref in form, a service not a misspelling of one of CQC's.

Both doors of the ledger make them (`ledger.parsing`, `ledger.fastparse`), on the entry built;
each raises InvalidField naming the field. What an entry must be given the ledger's history (a
registration before it, a notice issued before it is met) is decided in `ledger.rules`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from cqc_ledger.events.base import Entry, RatingCell, describe_cell
from cqc_ledger.events.continuity import RatingsInherited, ServiceSuperseded
from cqc_ledger.events.corrections import EntryCorrected
from cqc_ledger.events.enforcement import WarningNoticeIssued
from cqc_ledger.events.inspections import ReportPublished
from cqc_ledger.events.oversight import OversightSegmentChanged
from cqc_ledger.events.services import canonical_service, close_service, is_known_service
from cqc_ledger.events.vocabulary import OVERSIGHT_SEGMENTS
from cqc_ledger.ledger.cells import named
from cqc_ledger.ledger.errors import InvalidField
from cqc_ledger.ledger.records import ID_FORM

_REF = re.compile(rf"{ID_FORM}/[1-9][0-9]*")


def check_entry(entry: Entry, today: date) -> None:
    """Checks that span fields (dates in order, nothing in the future, segments in range), and
    the fields both doors read as written but must weigh (a notice's service)."""
    checks = _CHECKS.get(type(entry))
    if checks is None:
        checks = _CHECKS[type(entry)] = _checks(type(entry))
    for check in checks:
        check(entry, today)


# A check of an entry made by `check_entry`: InvalidField when it is broken.
Check = Callable[[Any, date], None]
_CHECKS: dict[type, tuple[Check, ...]] = {}


def _checks(cls: type) -> tuple[Check, ...]:
    """The checks `check_entry` makes of an entry type, in the order it makes them: its dates
    (of those it has: on, until, deadline), then those of its own kind. Worked out once per type:
    asking each entry for each date and each kind cost more than the checks themselves."""
    fields = {f.name for f in dataclasses.fields(cls)}
    checks: list[Check] = []
    if "on" in fields:
        checks.append(_not_future("on"))
        checks.extend(_not_before_on(later) for later in ("until", "deadline") if later in fields)
    if "until" in fields:
        checks.append(_not_future("until"))
    own: dict[type, Check] = {
        ReportPublished: _check_report,
        RatingsInherited: _check_inherited,
        ServiceSuperseded: _check_superseded,
        WarningNoticeIssued: _check_notice_service,
        OversightSegmentChanged: _check_segment,
    }
    checks.extend(check for kind, check in own.items() if issubclass(cls, kind))
    checks.extend(_long_names(field) for field in _NAMED if field in fields)
    if issubclass(cls, EntryCorrected):
        checks.append(_check_correction)
    elif cls.__name__ == "EntryRetracted":
        checks.append(_check_retraction)
    return tuple(checks)


# The longest name an entry may give a provider, a location or a service, in characters. CQC's
# longest are under a hundred (a regulated activity's 85, a location's 76 among its 159 real
# responses; the ratings file's and ODS's alike): three hundred leaves room for any real name,
# and refuses a whole paragraph or a file pasted into a name, which every listing would then show.
NAME_LIMIT = 300
# The fields that hold names: an entry's own name, and services (alone, listed, in cells, in scope).
_NAMED = ("name", "service", "by", "ratings", "cell", "scope")


def _long_names(field: str) -> Check:
    """The check that no name in `field` is longer than NAME_LIMIT, naming where the first is."""

    def check(entry: Any, today: date) -> None:
        value = getattr(entry, field)
        if _longest(field, value) <= NAME_LIMIT:
            return
        for where, name in _names_in(field, value):
            if len(name) > NAME_LIMIT:
                raise InvalidField(
                    f'field "{where}": the name "{name[:40]}..." is {len(name)} characters long; '
                    f"a name may be at most {NAME_LIMIT} characters",
                    field=where,
                )

    return check


def _longest(field: str, value: Any) -> int:
    """The length of the longest name a field holds, 0 for none: the whole check for nearly every
    entry (`_names_in` then finds where). A report's cells are measured by their few services, which
    its other checks find once: a loop naming where each of the register's millions of cells is cost
    `record` a tenth of its time."""
    if value is None:
        return 0
    if isinstance(value, str):
        return len(value)
    if field == "cell":
        return len(value.service or "")
    if field == "ratings" and value and isinstance(value[0], RatingCell):
        return max(map(len, named(value).services), default=0)  # the report's few services, found once
    names = [item if isinstance(item, str) else item.service for item in value]
    return max(map(len, filter(None, names)), default=0)


def _names_in(field: str, value: Any) -> Iterator[tuple[str, str]]:
    """Each name a field holds, with where it is (`ratings[2].service`)."""
    if value is None:
        return
    if isinstance(value, str):
        yield field, value
    elif field == "cell":
        yield from _names_in("cell.service", value.service)
    else:
        for i, item in enumerate(value):
            if isinstance(item, str):
                yield f"{field}[{i}]", item
            elif item.service is not None:
                yield f"{field}[{i}].service", item.service


def _not_future(name: str) -> Check:
    def check(entry: Any, today: date) -> None:
        value = getattr(entry, name)
        if value is not None and value > today:
            raise InvalidField(f'field "{name}": {value} is in the future (today is {today})', field=name)

    return check


def _not_before_on(later: str) -> Check:
    def check(entry: Any, today: date) -> None:
        value, on = getattr(entry, later), entry.on
        if value is not None and on is not None and value < on:
            raise InvalidField(f'field "{later}": {value} is before "on" ({on})', field=later)

    return check


def _check_report(entry: ReportPublished, today: date) -> None:
    _check_cells_distinct(entry.ratings)


def _check_notice_service(entry: WarningNoticeIssued, today: date) -> None:
    if entry.service is not None:
        # A misspelling is refused as everywhere else; any other name is kept as written, as
        # notices always kept it (so recording a file of notices again reads it the same way).
        known_service(entry.service, "service")


def _check_segment(entry: OversightSegmentChanged, today: date) -> None:
    top = OVERSIGHT_SEGMENTS[entry.framework]
    if not 1 <= entry.segment <= top:
        raise InvalidField(f'field "segment": {entry.framework} has segments 1 to {top}, not {entry.segment}', field="segment")


def _check_correction(entry: EntryCorrected, today: date) -> None:
    if not _REF.fullmatch(entry.ref):
        raise InvalidField(f'field "ref": "{entry.ref}" is not a ref like "RWP/9"', field="ref")
    if isinstance(entry.replacement, EntryCorrected) or entry.replacement.type_name == "EntryRetracted":
        raise InvalidField('field "replacement": a replacement cannot itself be a correction or retraction', field="replacement")
    if entry.replacement.provider_id != entry.provider_id:
        raise InvalidField(
            f'field "replacement.provider_id": "{entry.replacement.provider_id}" is not this entry\'s provider "{entry.provider_id}"',
            field="replacement.provider_id",
        )


def _check_retraction(entry: Any, today: date) -> None:
    if not _REF.fullmatch(entry.ref):
        raise InvalidField(f'field "ref": "{entry.ref}" is not a ref like "RWP/9"', field="ref")


def _check_inherited(entry: RatingsInherited, today: date) -> None:
    """Each inherited cell is the location's own, published before the location took it over,
    and the cells naming one report give it one day. A cell's report_id is not looked for among
    the reports recorded: it names the predecessor's report, usually of another provider, which
    the ledger may not hold (see README, "Where the contract is silent")."""
    if not entry.ratings:
        raise InvalidField('field "ratings" is empty: a RatingsInherited entry carries at least one rating', field="ratings")
    if entry.from_location_id == entry.location_id and entry.from_provider_id in (None, entry.provider_id):
        raise InvalidField(
            f'field "from_location_id": "{entry.from_location_id}" is the inheriting location itself: a location cannot '
            "inherit its own ratings (name the location they came from, or leave from_location_id out)",
            field="from_location_id",
        )
    published: dict[str, tuple[int, date]] = {}  # report_id -> its first cell and day
    for i, cell in enumerate(entry.ratings):
        if cell.location_id is not None and cell.location_id != entry.location_id:
            raise InvalidField(
                f'field "ratings[{i}].location_id": "{cell.location_id}" is not this entry\'s location "{entry.location_id}"; '
                "an inherited rating becomes the inheriting location's own (name where it came from in from_location_id)",
                field=f"ratings[{i}].location_id",
            )
        if cell.published_on > entry.on:
            raise InvalidField(
                f'field "ratings[{i}].published_on": {cell.published_on} is after "on" ({entry.on}); '
                "a location inherits only ratings already published",
                field=f"ratings[{i}].published_on",
            )
        if cell.report_id is not None:
            j, day = published.setdefault(cell.report_id, (i, cell.published_on))
            if day != cell.published_on:
                raise InvalidField(
                    f'field "ratings[{i}].published_on": {cell.published_on} is not the day of report "{cell.report_id}", '
                    f'published on {day} by "ratings[{j}]"; a report is published on one day',
                    field=f"ratings[{i}].published_on",
                )
    _check_cells_distinct(entry.ratings)


def _check_superseded(entry: ServiceSuperseded, today: date) -> None:
    if entry.service in entry.by:
        raise InvalidField(f'field "by": "{entry.service}" cannot supersede itself', field="by")


def _check_cells_distinct(cells: tuple[RatingCell, ...]) -> None:
    if named(cells).distinct:
        return
    first: dict[tuple, int] = {}
    for i, cell in enumerate(cells):
        j = first.setdefault(cell.key, i)
        if j != i:
            raise InvalidField(
                f'field "ratings[{i}]" rates the same cell as "ratings[{j}]" ({describe_cell(*cell.key)}); '
                "a report gives each cell one rating",
                field=f"ratings[{i}]",
            )


def known_service(name: str, where: str) -> str:
    """The canonical name of a service; InvalidField for a name so close to a CQC service that it
    is surely a misspelling of it ("Matrenity"). Any other new name is kept as written."""
    canonical = canonical_service(name)
    if not is_known_service(name) and (meant := close_service(name)):
        raise InvalidField(
            f'field "{where}": "{name}" is not a CQC service (did you mean "{meant}"?); a service CQC has not rated before is kept as written',
            field=where,
        )
    return canonical
