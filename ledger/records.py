"""An entry as the ledger holds it: its place in the provider's ledger and when it was learned."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from cqc_ledger.events.base import Entry
from cqc_ledger.ledger.errors import InvalidField

# CQC's ids of providers and locations: an ODS code (a trust RWP, RX9 or 5QL; a site RWP01 or
# R1G56) or a CQC number (1-101641521). Anything else could not be named in a ref, or read back.
ID_FORM = r"(?:[A-Z0-9]{3,10}|1-[0-9]{1,15})"
_ID = re.compile(ID_FORM)
_REF = re.compile(rf"(?P<provider>{ID_FORM})/(?P<position>[1-9][0-9]*)")
# A ref inside a sentence: "... RWP/9 entered them".
REF_IN_TEXT = re.compile(rf"(?<![A-Za-z0-9/-]){ID_FORM}/[1-9][0-9]*(?![0-9])")


@dataclass(frozen=True, slots=True)
class Recorded:
    """One recorded entry. `position` counts from 1 in its provider's ledger; the ref is `RWP/9`.

    It is also the stored event of the provider's aggregate: eventsourcing's mapper and event
    store read its `originator_id`, `originator_version` and `timestamp`.
    """

    entry: Entry
    position: int
    recorded_at: datetime

    @property
    def ref(self) -> str:
        return f"{self.entry.provider_id}/{self.position}"

    @property
    def originator_id(self) -> str:
        return self.entry.provider_id

    @property
    def originator_version(self) -> int:
        return self.position

    @property
    def timestamp(self) -> datetime:
        return self.recorded_at


@dataclass(frozen=True, slots=True)
class Stamp:
    """Where and when an exported entry was recorded: its ref and its `recorded_at`."""

    ref: str
    recorded_at: datetime


def is_id(text: str) -> bool:
    """True when `text` has the form of a CQC id of a provider or location (see ID_FORM)."""
    return _ID.fullmatch(text) is not None


def id_refusal(text: str) -> str:
    """Why `text` is not a CQC id, as the end of a sentence, with the fix where there is one."""
    shown = json.dumps(text)  # invisible characters and NUL shown as escapes
    hint = f' (did you mean "{text.strip().upper()}"?)' if is_id(text.strip().upper()) else ""
    return f'{shown} is not a CQC id: ids are ODS codes (capital letters and digits, like "RWP" or "RWP01") or CQC numbers (like "1-101641521"){hint}'


def parse_ref(ref: str) -> tuple[str, int]:
    """('RWP', 9) from 'RWP/9'."""
    match = _REF.fullmatch(ref.strip())
    if not match:
        raise InvalidField(f'"{ref}" is not a ref like "RWP/9"', field="ref")
    return match["provider"], int(match["position"])


@lru_cache(maxsize=256)  # an input's entries share one time, formatted once
def format_time(moment: datetime) -> str:
    """UTC, ISO 8601 with microseconds: 2026-11-22T15:33:46.123456Z; the year in four digits
    always (0999-01-01T...: strftime's %Y writes 999 on Linux, and these strings are compared as
    text, so an unpadded year would sort after 2026)."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


END_OF_TIME = "9999-12-31T23:59:59.999999Z"  # later than any time the ledger writes


def seen_by(known_at: datetime | None) -> str:
    """The latest recording time visible to a reader as known at `known_at`, written as the ledger
    writes times (so compared as text): everything recorded, without one."""
    return format_time(known_at) if known_at else END_OF_TIME


def parse_time(text: str) -> datetime:
    """A moment from ISO 8601; a time without a zone is taken as UTC, a bare day as its end."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if _a_day(text):  # a day: everything recorded during it
        moment = moment.replace(hour=23, minute=59, second=59, microsecond=999999)
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    try:  # in UTC, a time near the ends of the calendar may fall outside it: refused as a time
        moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{text} is outside the calendar in UTC") from None
    return moment


def _a_day(text: str) -> bool:
    return len(text.strip()) == 10


def after_now(text: str, moment: datetime, now: datetime) -> str | None:
    """Why a `--known-at` time (`text`, read as `moment`) cannot be asked at `now`, or None: a
    time after now asks what the ledger will have recorded by then, which is not known yet (an
    answer given now would change as more is recorded). A bare day is its end, so today is
    taken (what has been recorded so far today); a day after it is refused."""
    late = moment.date() > now.astimezone(UTC).date() if _a_day(text) else moment > now
    if not late:
        return None
    return f'"{text.strip()}" is after now ({format_time(now)[:19]}Z): what the ledger will have recorded by then is not known yet; leave it out for what is known now'
