"""`sync`: bring providers up to date from CQC's live API, one provider at a time.

For each provider: `GET /providers/{id}`, then `GET /locations/{id}` for each of its
`locationIds`, then all of it imported as `import cqc-api` would, in one input: a provider is
recorded whole or not at all, and every provider finished stays recorded whatever happens to the
next (Ctrl-C, a lost network, a kill).

Which providers: those asked for (`--provider`), else every provider in the ledger. Without
`--provider` and `--full`, only those CQC lists as changed since the last successful sync
(`GET /changes/provider` and `/changes/location`, paged), with an overlap (`OVERLAP`) because
the feed's times are when CQC received the data, not when it was published. With no sync
remembered, or when the feed answers 404 or 410, every provider is refreshed. A sync in which
every provider was recorded is remembered (its start time) in the ledger.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cqc_ledger.events import provider as registration
from cqc_ledger.ledger.application import Follower, Ledger, utc_now
from cqc_ledger.ledger.errors import InputError, InvalidField, SyncFailed
from cqc_ledger.ledger.imports.cqc_api import Response
from cqc_ledger.ledger.imports.run import import_responses
from cqc_ledger.ledger.sync import answers
from cqc_ledger.ledger.sync.client import ApiError, Client
from cqc_ledger.ledger.sync.state import last_sync, remember_sync

OVERLAP = timedelta(days=2)
PER_PAGE = 1000
MAX_PAGES = 1000  # of PER_PAGE ids, a million: several times all CQC registers; a feed is never paged forever
_STAMP = "%Y-%m-%dT%H:%M:%SZ"


@dataclass
class Synced:
    """What a sync did."""

    providers: list[str] = field(default_factory=list)  # recorded something
    unchanged: list[str] = field(default_factory=list)  # fetched, nothing new
    failed: dict[str, str] = field(default_factory=dict)  # provider -> why
    locations: int = 0
    recorded: list[str] = field(default_factory=list)
    requests: int = 0
    full: bool = True
    since: datetime | None = None
    asked: list[str] = field(default_factory=list)  # the providers to refresh
    notes: list[str] = field(default_factory=list)  # the imports' notes, as `import cqc-api` gives them

    def as_json(self) -> dict[str, Any]:
        return {
            "providers": self.providers,
            "unchanged": self.unchanged,
            "failed": [{"provider_id": p, "error": e} for p, e in self.failed.items()],
            "locations": self.locations,
            "recorded": self.recorded,
            "requests": self.requests,
            "full": self.full,
            "since": self.since.strftime(_STAMP) if self.since else None,
            "notes": self.notes,
        }

    def text(self) -> str:
        changed = f", changed since {self.since.strftime(_STAMP)} less {OVERLAP.days} days" if self.since and not self.full else ""
        lines = [
            f"Synced {len(self.providers) + len(self.unchanged)} of {len(self.asked)} provider{'s' if len(self.asked) != 1 else ''} "
            f"({self.locations} location{'s' if self.locations != 1 else ''}, {self.requests} request{'s' if self.requests != 1 else ''}"
            f"{changed}): "
            f"recorded {len(self.recorded)} entr{'ies' if len(self.recorded) != 1 else 'y'}, {len(self.unchanged)} unchanged."
        ]
        lines.extend(f"Failed: {provider_id}: {why}" for provider_id, why in self.failed.items())
        lines.extend(f"Note: {note}" for note in self.notes)
        return "\n".join(lines)


def sync(
    ledger: Ledger,
    client: Client,
    *,
    providers: Sequence[str] = (),
    full: bool = False,
    followers: Sequence[Follower] = (),
    progress: Callable[[str], None] = lambda _: None,
    planned: Callable[[int], None] = lambda _: None,
) -> Synced:
    """Refreshes providers from the API (see module doc); SyncFailed when the key is missing or
    refused, or the API cannot be reached: what was finished before stays recorded."""
    started = utc_now()
    done = Synced()
    if providers:
        done.asked = list(dict.fromkeys(providers))
    else:
        done.asked, done.full, done.since = _to_refresh(ledger, client, full)
    planned(len(done.asked))
    for provider_id in done.asked:
        try:
            responses = _fetch(client, provider_id)
            done.locations += len(responses) - 1
            outcome = import_responses(ledger, responses, today=utc_now().date(), followers=followers)
        except ApiError as failed:
            if failed.status == 404 or failed.status == 410:
                done.failed[provider_id] = _said(failed, provider_id)
                progress(provider_id)
                continue
            done.requests = client.requests
            raise SyncFailed(_said(failed, provider_id) + _finished(done)) from None
        except InputError as refused:
            done.failed[provider_id] = f"refused: {refused}"
            progress(provider_id)
            continue
        done.recorded.extend(outcome.recorded)
        done.notes.extend(outcome.notes)
        (done.providers if outcome.recorded else done.unchanged).append(provider_id)
        progress(provider_id)
    done.requests = client.requests
    if not providers and not done.failed:
        remember_sync(ledger, started)
    return done


def _fetch(client: Client, provider_id: str) -> list[Response]:
    """The provider's response and its locations', as `import cqc-api` takes them: each the
    answer about the id asked for, each location the provider's (InvalidField otherwise). A
    location `locationIds` names twice is asked for once, where first named: the import takes
    one response of each location."""
    url = f"{client.base}/providers/{provider_id}"
    body = client.get(f"providers/{provider_id}")
    answers.the_id(url, body, "providerId", provider_id, "the provider asked for")
    found = [Response(url, body)]
    for location_id in dict.fromkeys(answers.ids(url, body, "locationIds")):
        location_url = f"{client.base}/locations/{location_id}"
        location = client.get(f"locations/{location_id}")
        answers.the_id(location_url, location, "locationId", location_id, "the location asked for")
        answers.the_id(location_url, location, "providerId", provider_id, "the provider that lists it")
        found.append(Response(location_url, location))
    return found


def _to_refresh(ledger: Ledger, client: Client, full: bool) -> tuple[list[str], bool, datetime | None]:
    """The ledger's providers to refresh, whether that is all of them, and since when."""
    known, located = _ledger_providers(ledger)
    since = None if full else last_sync(ledger)
    if since is None:
        return known, True, None
    start = since - OVERLAP
    try:
        changed = set(_changes(client, "provider", start))
        changed_locations = _changes(client, "location", start)
    except ApiError as failed:
        if failed.status in (404, 410):
            return known, True, since
        raise SyncFailed(_said(failed, None)) from None
    except InvalidField as refused:
        raise SyncFailed(
            f"CQC's changes feed cannot be read: {refused}; nothing was recorded (sync --full reads every provider without it)"
        ) from None
    changed |= {located[location_id] for location_id in changed_locations if location_id in located}
    return [provider_id for provider_id in known if provider_id in changed], False, since


def _changes(client: Client, kind: str, start: datetime) -> list[str]:
    """Every id the changes feed lists since `start`, page after page until the count it gives
    (at most `MAX_PAGES`), a page with no ids, or a page that repeats the one before (refused: the
    feed is not paging, and what the later pages list would be missed)."""
    end = utc_now().strftime(_STAMP)
    url = f"{client.base}/changes/{kind}"
    found: list[str] = []
    before: list[str] | None = None
    page, pages = 1, 1
    while page <= pages:
        body = client.get(
            f"changes/{kind}", {"startTimestamp": start.strftime(_STAMP), "endTimestamp": end, "page": page, "perPage": PER_PAGE}
        )
        listed = answers.ids(url, body, "changes")
        counted = answers.whole_number(url, body, "totalPages", at_most=MAX_PAGES)
        if not listed:
            break
        if listed == before:
            raise answers.refused(url, "changes", f"page {page} lists the ids of page {page - 1}: the feed is not paging")
        found.extend(listed)
        pages, before, page = (1 if counted is None else counted), listed, page + 1
    return found


def _ledger_providers(ledger: Ledger) -> tuple[list[str], dict[str, str]]:
    """Every provider registered in the ledger, and the provider of each location."""
    providers: dict[str, None] = {}
    located: dict[str, str] = {}
    for recorded in ledger.all_entries():
        entry = recorded.entry
        if isinstance(entry, registration.ProviderRegistered):
            providers[entry.provider_id] = None
        elif isinstance(entry, registration.LocationRegistered):
            located[entry.location_id] = entry.provider_id
    return sorted(providers), located


def _said(failed: ApiError, provider_id: str | None) -> str:
    """What went wrong, and what to do, in a sentence."""
    if failed.status in (401, 403):
        return f"CQC's API refused the subscription key ({failed.detail} from {failed.url}): check --key or $CQC_API_KEY"
    if failed.status in (404, 410):
        what = f"provider {provider_id}" if provider_id else "this"
        return f"CQC's API does not know {what} ({failed.detail} from {failed.url}): check the provider id"
    if failed.status == 429:
        return f"CQC's API kept asking to slow down ({failed.detail} from {failed.url}): try again later, or with a lower --rate"
    if failed.status is None:
        return f"CQC's API could not be reached at {failed.url} ({failed.detail}): check the network, or --api / $CQC_API_URL"
    return f"CQC's API kept failing ({failed.detail} from {failed.url}): try again later"


def _finished(done: Synced) -> str:
    finished = len(done.providers) + len(done.unchanged)
    if not finished:
        return "; nothing was recorded"
    return f"; the {finished} provider{'s' if finished > 1 else ''} finished before it stay recorded ({len(done.recorded)} entries)"
