"""An import from start to end: read the files, draft entries, check each with `parse_entry`
(the same door as `record`), keep current against the ledger, and record what is new in one
transaction. Anything refused refuses the whole import, and the error names the file and the
record it came from.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cqc_ledger.events import provider
from cqc_ledger.events.base import Entry
from cqc_ledger.ledger.application import Follower, Ledger, told_by_line
from cqc_ledger.ledger.errors import BadImportFile, InputError, RuleBroken
from cqc_ledger.ledger.history import effective
from cqc_ledger.ledger.imports import Draft, cqc_api, cqc_files, file_entries, first_few, keeping, tables
from cqc_ledger.ledger.input import TooLong, json_value, not_utf8, read_at_most, reading, without_bom
from cqc_ledger.ledger.parsing import parse_entry
from cqc_ledger.ledger.records import Recorded

_SHOWN = 10
# The most a file of CQC API responses may hold: the longest of the 159 real responses
# (RBA11.json) is 24,213 bytes, so a file may list over 2,000 such, read whole as one JSON text.
RESPONSE_LIMIT = 64 << 20

Advance = Callable[[int], None]
Stage = Callable[[str, int, str], Advance]
"""A stage of an import begins (`Reading` the files, `Checking` the entries drafted from them,
`Recording` them), given its size and unit (`bytes`, `entries`); it answers how to advance it
(what the command draws: a progress bar on a terminal, when the stage is long)."""


def unseen(label: str, size: int, unit: str) -> Advance:
    """The stages of an import that no one watches."""
    return lambda _: None


@dataclass
class ImportOutcome:
    """What an import did: refs recorded, refs that already held the rest, and notes."""

    recorded: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"recorded": self.recorded, "skipped": self.already, "notes": self.notes}

    def text(self) -> str:
        """For a person: counts with refs, then the notes."""
        lines = [f"Recorded {_count(self.recorded, 'entry', 'entries')}{_refs(self.recorded)}."]
        if self.already:
            lines.append(f"Already recorded, skipped: {_count(self.already, 'entry', 'entries')}{_refs(self.already)}.")
        lines.extend(f"Note: {note}" for note in self.notes)
        return "\n".join(lines)


def import_files(
    ledger: Ledger,
    fmt: str,
    paths: Sequence[str],
    *,
    today: date,
    followers: Sequence[Follower] = (),
    all_providers: bool = False,
    stage: Stage = unseen,
) -> ImportOutcome:
    """Imports the files of one format (see `imports.FORMATS`) into the ledger, whole or not at all;
    `followers` (the views) follow what is recorded, as with `Ledger.record`. CQC's monthly
    files are read for NHS trusts only, unless `all_providers`. Each stage is told to `stage`
    as it begins, and advanced as it goes."""
    read = stage("Reading", sum(tables.size(path) for path in paths), "bytes")
    if fmt == "cqc-api":
        responses = [response for path in paths for response in _responses(path, read)]
        return import_responses(ledger, responses, today=today, followers=followers, stage=stage)
    drafted, notes = _file_drafts(ledger, fmt, paths, all_providers, read)
    return _import_drafts(ledger, drafted, notes, today, followers, stage)


def _file_drafts(ledger: Ledger, fmt: str, paths: Sequence[str], all_providers: bool, advance: Advance) -> tuple[list[Draft], list[str]]:
    """The drafts of CQC's monthly files (what was read is let go once drafted). Only what the
    ledger holds of each provider's registration is read now; what keeping current needs is
    read later, provider by provider, once the files' rows are let go."""
    kinds = cqc_files.RATINGS_KINDS if fmt == "cqc-ratings" else cqc_files.KINDS
    read = cqc_files.read_files(paths, all_providers=all_providers, kinds=kinds, advance=advance)
    drafted, notes = file_entries.drafts(read, _holding(ledger, list(read.providers)))
    notes.extend(_passed_over(sorted(read.passed_over)))
    return drafted, notes


def import_responses(
    ledger: Ledger, responses: Sequence[cqc_api.Response], *, today: date, followers: Sequence[Follower] = (), stage: Stage = unseen
) -> ImportOutcome:
    """Imports CQC API responses (provider and location), as `import cqc-api`, in one input."""
    notes: list[str] = []
    drafted = cqc_api.drafts(responses, notes)
    return _import_drafts(ledger, drafted, notes, today, followers, stage, shown_days_correct=True)


def _import_drafts(
    ledger: Ledger,
    drafted: list[Draft],
    notes: list[str],
    today: date,
    followers: Sequence[Follower],
    stage: Stage,
    *,
    shown_days_correct: bool = False,
) -> ImportOutcome:
    """Each draft checked (`parse_entry`) and weighed against what is known of its provider, one
    at a time and then let go, so that only what is to be recorded is held; then the providers
    checked as registered, and what is new recorded in one transaction. `shown_days_correct`:
    the drafts give CQC's days (its API), which may correct a provider's inferred registration
    (`keeping.plan`); CQC's files decide their providers' days themselves (`file_entries`)."""
    empty = not ledger.recorder.max_notification_id()
    knowing: dict[str, keeping.Known] = {}

    def known(provider_id: str) -> keeping.Known:
        if provider_id not in knowing:
            knowing[provider_id] = keeping.Known() if empty else keeping.known(_history(ledger, provider_id))
        return knowing[provider_id]

    named: dict[str, str] = {}  # each provider an entry names, and where its first entry came from
    registered: set[str] = set()

    checked = stage("Checking", len(drafted), "entries")

    def parsed() -> Iterator[tuple[Entry, Draft]]:
        drafted.reverse()
        while drafted:  # each draft let go once weighed
            draft = drafted.pop()
            entry = _parsed(draft, today)
            named.setdefault(entry.provider_id, draft.origin)
            if isinstance(entry, provider.ProviderRegistered):
                registered.add(entry.provider_id)
            yield entry, draft
            checked(1)

    @functools.lru_cache(maxsize=8)  # a provider's entries that differ come together; its history is read once for them
    def recall(provider_id: str) -> Mapping[tuple[Any, ...], tuple[Entry, str]]:
        return keeping.index_of(_history(ledger, provider_id))

    kept = keeping.plan(parsed(), known, recall, shown_days_correct=shown_days_correct)
    _check_providers(named, registered, known)
    recorded, skipped = _record(ledger, kept.record, followers, stage("Recording", len(kept.record), "entries"))
    return ImportOutcome(recorded, kept.already + skipped, notes + kept.notes)


def _holding(ledger: Ledger, provider_ids: Sequence[str]) -> dict[str, file_entries.Held]:
    """What each provider's effective history holds of registration, the history read and let go
    one provider at a time (in a new ledger, nothing, without asking)."""
    if not provider_ids or not ledger.recorder.max_notification_id():
        return {}
    return {provider_id: file_entries.held(_history(ledger, provider_id)) for provider_id in dict.fromkeys(provider_ids)}


def _history(ledger: Ledger, provider_id: str) -> list[Recorded]:
    """The provider's effective history (corrections applied, retractions gone)."""
    return effective(ledger.provider(provider_id).history())


def _passed_over(provider_ids: Sequence[str]) -> list[str]:
    if not provider_ids:
        return []
    shown = first_few(list(provider_ids), _SHOWN)
    return [
        f"passed over the rows of {len(provider_ids)} provider{'s' if len(provider_ids) > 1 else ''} that are not NHS trusts "
        f"({shown}); import with --all-providers for the whole register"
    ]


def _responses(path: str, advance: Advance) -> list[cqc_api.Response]:
    """The responses in a file: one JSON object, or a JSON list of them."""
    try:
        with reading(path), open(path, "rb") as file:
            text = read_at_most(file, RESPONSE_LIMIT)
            advance(len(text))
            body = json_value(without_bom(text))
    except TooLong as long:
        raise BadImportFile(
            f"{path}: {long}, the most a file of CQC API responses may hold (one is tens of KB: split a list of them into several files)"
        ) from None
    except ValueError as bad:
        raise BadImportFile(f"{path}: {not_utf8(text, 'file') or f'not valid JSON ({bad})'}") from None
    if isinstance(body, list):
        return [cqc_api.Response(f"{path}[{i}]", item) for i, item in enumerate(body)]
    return [cqc_api.Response(path, body)]


def _parsed(draft: Draft, today: date) -> Entry:
    try:
        return parse_entry(draft.obj, today=today)
    except InputError as refused:
        raise _placed(refused, draft.where(refused.field)) from None


def _check_providers(named: dict[str, str], registered: set[str], known: Callable[[str], keeping.Known]) -> None:
    """Every provider named must be registered, in the ledger or by this import."""
    missing = {
        provider_id: origin
        for provider_id, origin in named.items()
        if provider_id not in registered and ("ProviderRegistered",) not in known(provider_id).index
    }
    if len(missing) == 1:
        provider_id, origin = next(iter(missing.items()))
        raise RuleBroken(
            f"{origin}: provider {provider_id} is neither in the ledger nor in this import: import its "
            f"provider response first, or with this file (cqc-ledger import cqc-api {provider_id}.json {origin.split(':')[0]}), "
            f'or record its registration first (a line {{"type": "ProviderRegistered", "provider_id": "{provider_id}", "name": ..., "on": ...}})'
        )
    if missing:
        first = next(iter(missing.values()))
        raise RuleBroken(
            f"{first}: providers {', '.join(missing)} are neither in the ledger nor in this import: import their "
            "provider responses with these files, or record their ProviderRegistered entries first (cqc-ledger record FILE)"
        )


def _record(
    ledger: Ledger, entries: Sequence[tuple[Entry, Draft]], followers: Sequence[Follower], advance: Advance
) -> tuple[list[str], list[str]]:
    """Records the entries in one transaction, advancing as each chunk is handed over to be
    written; InputErrors name where the entry (or the refused cell of it) came from."""

    def written(recorded: list[Recorded]) -> None:
        advance(len(recorded))

    try:
        outcome = ledger.record([(n, entry, None) for n, (entry, _) in enumerate(entries, 1)], followers=[*followers, written])
    except InputError as refused:
        told = _unwritten_refs(refused, entries)
        raise _placed(told, entries[refused.line - 1][1].where(refused.field) if refused.line else "this import") from None
    advance(len(outcome.duplicates))  # the entries found recorded already are done with too
    return outcome.recorded, list(outcome.duplicates.values())


def _unwritten_refs(refused: InputError, entries: Sequence[tuple[Entry, Draft]]) -> InputError:
    """The refusal with each ref it names that only this import's entries were given (the rules
    weigh an entry against the ones before it in the input, by the refs they are given as they
    are decided, then nothing is written) told as the entry and where it came from."""

    def named(line: int) -> str:
        entry, draft = entries[line - 1]
        return f"this import's {keeping.about(entry)} ({draft.origin})"

    return told_by_line(refused, named)


def _placed(refused: InputError, origin: str) -> InputError:
    """The same refusal, said of the file and record an entry came from instead of a line."""
    refused.line = None
    return type(refused)(f"{origin}: {refused}", field=refused.field)


def _count(refs: list[str], one: str, many: str) -> str:
    return f"{len(refs)} {one if len(refs) == 1 else many}"


def _refs(refs: list[str]) -> str:
    """': RWP/1-28, RX9/4, RX9/7' for refs: each provider's together (in the order each first
    comes), in the order of their positions, consecutive positions as one span. (An import skips
    entries in the order of its files' rows, and records every provider's registration first.)"""
    positions: dict[str, set[int]] = {}
    for ref in refs:
        provider_id, _, position = ref.rpartition("/")
        positions.setdefault(provider_id, set()).add(int(position))
    spans: list[list[Any]] = []
    for provider_id, held in positions.items():
        for at in sorted(held):
            if spans and spans[-1][0] == provider_id and spans[-1][2] == at - 1:
                spans[-1][2] = at
            else:
                spans.append([provider_id, at, at])
    parts = [f"{p}/{low}" if low == high else f"{p}/{low}-{high}" for p, low, high in spans]
    more = sum(high - low + 1 for _, low, high in spans[_SHOWN:])  # the entries not shown, not their spans
    shown = ", ".join(parts[:_SHOWN]) + (f" and {more} more entr{'y' if more == 1 else 'ies'}" if more else "")
    return f": {shown}" if parts else ""
