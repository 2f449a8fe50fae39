"""The reports of CQC's "Latest ratings" file that CQC's own reports restate. Pure: what the
ledger holds is passed in.

The file names no report: its rows of a provider and publication day are recorded as one report
of their own, `cqc-ratings:RWP:2019-09-20` (`cqc_ratings.report_id`), standing in for the
reports CQC published that day. Imported after CQC's API, the file records only the ratings no
report of that day published (`file_entries`). Imported before it, the file's report stands
until CQC's own come: each rating an imported report restates (the same place, service,
question and rating, on the report's own day) moves out of the file's report of its provider and
day, so that the ledger tells what it tells in the other order. The file's report keeps what no
report restates (a rating CQC's gives another value or none): one left with nothing is
retracted, else corrected to what it keeps. The mends are recorded after the import's reports,
so every rating is held throughout.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, cast

from cqc_ledger.events import inspections
from cqc_ledger.events.base import Entry
from cqc_ledger.events.corrections import EntryCorrected, EntryRetracted
from cqc_ledger.ledger.imports import Draft, cqc_ratings, first_few

_SHOWN = 3


@dataclass
class _Standing:
    """A file's report as it stands after the restating reports of this import weighed so far."""

    ref: str
    recorded: inspections.ReportPublished
    report: inspections.ReportPublished
    by: list[str] = field(default_factory=list)  # the reports restating it, by id
    source: str | None = None  # the first one's
    draft: Draft | None = None


@dataclass
class Restated:
    """The file's reports that the imported reports restate ratings of, by ref (`weigh` each
    imported entry, then `mends`)."""

    standing: dict[str, _Standing] = field(default_factory=dict)

    def weigh(
        self,
        entry: Entry,
        draft: Draft,
        index: Mapping[tuple[Any, ...], tuple[Any, str]],
        recall: Callable[[str], Mapping[tuple[Any, ...], tuple[Entry, str]]],
    ) -> None:
        """Takes out of the file's report of the entry's provider and day (held in the provider's
        `index`, read whole from `recall`) the ratings the entry, a report of CQC's own, restates."""
        if not isinstance(entry, inspections.ReportPublished) or not entry.ratings:
            return
        own = ("ReportPublished", cqc_ratings.report_id(entry.provider_id, entry.on))
        if entry.report_id == own[1] or own not in index:
            return
        ref = index[own][1]
        if ref not in self.standing:
            recorded = cast(inspections.ReportPublished, recall(entry.provider_id)[own][0])
            self.standing[ref] = _Standing(ref, recorded, recorded)
        standing = self.standing[ref]
        said = {(cell.key, cell.rating) for cell in entry.ratings}
        kept = tuple(cell for cell in standing.report.ratings if (cell.key, cell.rating) not in said)
        if len(kept) < len(standing.report.ratings):
            standing.report = replace(standing.report, ratings=kept)
            if entry.report_id not in standing.by:
                standing.by.append(entry.report_id)
            standing.source = standing.source or entry.source
            standing.draft = standing.draft or draft

    def mends(self) -> list[tuple[Entry, Draft]]:
        """For each file's report restated: its retraction, when CQC's reports restate every rating
        of it, else its correction to the ratings they do not; with the draft of the first
        restating report."""
        found: list[tuple[Entry, Draft]] = []
        for s in self.standing.values():
            if s.draft is None:
                continue
            provider_id, day, ids = s.report.provider_id, s.report.on, [f'"{i}"' for i in s.by]
            named = first_few(ids, _SHOWN)
            stood = f"the ratings file's report of {provider_id} on {day} stood in for CQC's own, "
            stood += f"report {named}, which publishes" if len(ids) == 1 else f"reports {named}, which between them publish"
            mend: Entry
            if not s.report.ratings:
                reason = f"{stood} every rating of it"
                mend = EntryRetracted(provider_id=provider_id, ref=s.ref, reason=reason, source=s.source)
            else:
                moved, kept = len(s.recorded.ratings) - len(s.report.ratings), len(s.report.ratings)
                reason = f"{stood} {moved} of its ratings; it keeps the {kept} rating{'s' if kept > 1 else ''} not among them"
                mend = EntryCorrected(provider_id=provider_id, ref=s.ref, replacement=s.report, reason=reason, source=s.source)
            found.append((mend, s.draft))
        return found

    def note(self) -> list[str]:
        """The file's reports `mends` retracts or corrects, in one note: how many, and the first
        few, each with what becomes of it (an import tells what it mends as well as records it)."""
        mended = [s for s in self.standing.values() if s.draft is not None]
        if not mended:
            return []
        told = [f"{s.ref} ({s.report.provider_id} on {s.report.on}) {_fate(len(s.report.ratings))}" for s in mended]
        many = len(mended) > 1
        return [
            f"CQC's reports in this import restate {len(mended)} report{'s' if many else ''} the ratings file recorded in their "
            f"stead: {first_few(told, _SHOWN, '; ')}"
        ]


def _fate(kept: int) -> str:
    """What becomes of a file's report that keeps `kept` ratings no report of CQC's restates."""
    return f"corrected to keep {kept} rating{'s' if kept > 1 else ''}" if kept else "retracted"
