"""One provider's ledger: the aggregate whose event stream is the provider's entries."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from datetime import datetime

from cqc_ledger.events.base import Entry
from cqc_ledger.events.corrections import MENDING, EntryCorrected, EntryRetracted
from cqc_ledger.events.inspections import ReportPublished
from cqc_ledger.ledger import rules
from cqc_ledger.ledger.history import effective
from cqc_ledger.ledger.records import Recorded

History = Callable[[], list[Recorded]]


def same_but_for_order(recorded: ReportPublished, report: ReportPublished) -> bool:
    """Whether two reports are the same but for the order of their cells (each rates a cell once)."""
    return (
        len(recorded.ratings) == len(report.ratings)
        and dataclasses.replace(report, ratings=recorded.ratings) == recorded
        and set(recorded.ratings) == set(report.ratings)
    )


class ProviderLedger:
    """What the ledger knows of one provider to decide its next entries.

    It holds the identity (type and content digest) of every entry recorded (to skip identical ones) and the rules' facts,
    not the entries themselves: deciding a correction or retraction, which needs the whole
    history, reads it through `history`. The recording transaction builds it from the provider's
    stream with `load`, inside the transaction that will append to it, and `append` folds in each
    entry it records.
    """

    def __init__(self, provider_id: str, history: History | None = None):
        self.id = provider_id
        self.version = 0
        self.known: dict[bytes, str] = {}
        self.facts = rules.Facts(provider_id)
        self._history = history
        self._recorded: list[Recorded] | None = [] if history is None else None

    def load(self, stored: Iterable[tuple[Recorded, bytes]]) -> ProviderLedger:
        """Folds in the provider's stored entries (each with its identity), in recording order.

        They were accepted when recorded, so they are not checked again (a rule added since must
        not make a stored history unreadable); when mends are among them, the facts are those of
        the history they leave, folded once at the end.
        """
        read: list[Recorded] = []
        mended = False
        for recorded, content in stored:
            self.version = recorded.position
            self.known.setdefault(content, recorded.ref)
            read.append(recorded)
            if isinstance(recorded.entry, MENDING):
                mended = True
            elif not mended:
                self.facts.add(recorded.entry, recorded.position, content)
        if mended:
            self.facts = rules.facts_of(self.id, effective(read))
        if self._recorded is not None:
            self._recorded.extend(read)
        return self

    def apply(self, recorded: Recorded, content: bytes) -> None:
        """Folds one entry just recorded (and its identity, `codec.identity`) into the ledger."""
        self.version = recorded.position
        self.known.setdefault(content, recorded.ref)
        if self._recorded is not None:
            self._recorded.append(recorded)
        if isinstance(recorded.entry, MENDING):
            # `decide` checked the history this mend leaves; these are its facts. Only what came
            # before the mend is taken from the history read (the mend itself may not be stored yet).
            before = [r for r in self.history() if r.position < recorded.position]
            self.facts = rules.facts_of(self.id, effective([*before, recorded]))
        else:
            self.facts.add(recorded.entry, recorded.position, content)

    def history(self) -> list[Recorded]:
        """Every entry recorded for the provider, in recording order."""
        if self._recorded is None:
            assert self._history is not None
            return self._history()
        return self._recorded

    def decide(self, entry: Entry, content: bytes) -> str | None:
        """The ref of an identical entry already recorded (so `entry` is skipped), or None when
        `entry` may be recorded; raises RuleBroken when it may not."""
        duplicate = self.known.get(content) or self.facts.current.get(content) or self._reordered(entry, content)
        if duplicate:
            return duplicate
        position = self.version + 1
        if isinstance(entry, (EntryRetracted, EntryCorrected)):
            rules.check_mending(self.history(), entry, position)
        else:
            rules.check(self.facts, entry, position, content)
        return None

    def reuses_an_id(self, entry: Entry, content: bytes) -> bool:
        """Whether `entry` is a report whose report_id counts now for a report of other content
        (refused, unless it is the same report with its cells in another order: `_reordered`,
        which reads the whole history)."""
        if type(entry) is not ReportPublished:
            return False
        earlier = self.facts.identified.get(("report_id", entry.report_id))
        return earlier is not None and earlier[0] != content

    def _reordered(self, entry: Entry, content: bytes) -> str | None:
        """The ref of a report recorded with the same content as `entry` but its cells in another
        order (a report's cells are a set: their order means nothing), or None. Read only for a
        report reusing a report_id, which is otherwise refused."""
        if not self.reuses_an_id(entry, content):
            return None
        assert isinstance(entry, ReportPublished)
        held = self.history()
        for recorded in (*effective(held), *held):  # as it counts now, then as first recorded
            if isinstance(recorded.entry, ReportPublished) and same_but_for_order(recorded.entry, entry):
                return recorded.ref
        return None

    def settle(self, first_new: int) -> None:
        """Checks the rules decided on a whole input (special measures) once every entry of the
        input, from position `first_new`, is appended; raises RuleBroken naming the entry."""
        rules.check_regimes(self.facts, first_new)

    def append(self, entry: Entry, content: bytes, recorded_at: datetime) -> Recorded:
        """Records an entry that `decide` accepted, as the next position of the ledger."""
        recorded = Recorded(entry, self.version + 1, recorded_at)
        self.apply(recorded, content)
        return recorded
