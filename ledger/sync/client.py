"""CQC's public API over HTTP (httpx): one GET at a time, kept within a rate, tried again when
CQC asks to wait or fails for a moment.

- Every request carries the subscription key (`Ocp-Apim-Subscription-Key`), a User-Agent naming
  cqc-ledger and its version, and timeouts (10 s to connect, 60 s to read).
- Requests start at most `rate` a minute (600 by default: CQC's published limit is higher, and a
  ledger is not in a hurry).
- 429 (too many requests), 5xx and connection errors are tried again, up to `TRIES` times, after
  the `Retry-After` the answer gives (seconds or an HTTP date), else after a backoff doubling from
  `BACKOFF` seconds. CQC's gateway sometimes throttles with HTTP 200 and a body `{"statusCode":
  429, ...}`: that is a 429 too.
- 401/403 (the key), 404/410 (not there) and what is still failing after the tries raise
  `ApiError` with the status, for the caller to say what to do.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

import orjson

from cqc_ledger.ledger.errors import SyncFailed

API = "https://api.service.cqc.org.uk/public/v1"
RATE = 600
TRIES = 6
BACKOFF = 1.0
MAX_WAIT = 120.0  # seconds: a Retry-After beyond this is waited for this long, then asked again
_RETRIED = {429, 500, 502, 503, 504}


class ApiError(Exception):
    """An answer that is not the data asked for: `status` (None: the API was not reached)."""

    def __init__(self, status: int | None, url: str, detail: str):
        super().__init__(f"{url}: {detail}")
        self.status, self.url, self.detail = status, url, detail


def user_agent() -> str:
    # Imported here, not above: the command line imports this module for `sync`'s defaults, and
    # `importlib.metadata` (as `email.utils` below) would cost every other command its time.
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("cqc-ledger")
    except PackageNotFoundError:
        release = "unknown"
    return f"cqc-ledger/{release} (+https://github.com/cqc-ledger; an event-sourced ledger of CQC's register)"


class Client:
    """GETs JSON from CQC's API (see module doc). `sleep` and `clock` are passed in for tests."""

    def __init__(
        self,
        base: str = API,
        key: str = "",
        *,
        rate: float = RATE,
        tries: int = TRIES,
        backoff: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        try:
            import httpx
        except ImportError:
            raise SyncFailed("sync needs the HTTP client httpx: pip install 'cqc-ledger[sync]'") from None
        self._httpx = httpx
        self.base = base.rstrip("/")
        self.interval = 60.0 / rate if rate > 0 else 0.0
        self.tries, self.sleep, self.clock = tries, sleep, clock
        self.backoff = BACKOFF if backoff is None else backoff
        self.requests = 0
        self._next_start = 0.0
        self._http = httpx.Client(
            headers={"Ocp-Apim-Subscription-Key": key, "User-Agent": user_agent(), "Accept": "application/json"},
            timeout=httpx.Timeout(60.0, connect=10.0),
            follow_redirects=True,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """The JSON body of GET base/path; ApiError when it cannot be had (see module doc)."""
        url = f"{self.base}/{path.lstrip('/')}"
        wait = self.backoff
        for attempt in range(1, self.tries + 1):
            status, body, retry_after, detail = self._once(url, params)
            if status == 200:
                return body
            if status is not None and status not in _RETRIED:
                raise ApiError(status, url, detail)
            if attempt == self.tries:
                raise ApiError(status, url, detail)
            self.sleep(min(MAX_WAIT, retry_after if retry_after is not None else wait))
            wait *= 2
        raise AssertionError("unreachable")

    def _once(self, url: str, params: dict[str, Any] | None) -> tuple[int | None, Any, float | None, str]:
        """(status, body, Retry-After in seconds, what went wrong) of one request."""
        self._pace()
        self.requests += 1
        try:
            answer = self._http.get(url, params=params)
        except self._httpx.HTTPError as gone:  # connection refused or reset, timeouts
            return None, None, None, f"{type(gone).__name__}: {gone}"
        retry_after = _retry_after(answer.headers.get("Retry-After"))
        if answer.status_code != 200:
            return answer.status_code, None, retry_after, f"HTTP {answer.status_code} {answer.reason_phrase}"
        try:
            body = orjson.loads(answer.content)
        except orjson.JSONDecodeError:
            return 502, None, retry_after, "HTTP 200 with a body that is not JSON"
        if isinstance(body, dict) and body.get("statusCode") not in (None, 200):
            code = body.get("statusCode")
            status = code if isinstance(code, int) else 502
            return status, None, retry_after or _retry_in_message(body), f"HTTP 200 with statusCode {code} ({body.get('message', '')})"
        return 200, body, None, ""

    def _pace(self) -> None:
        now = self.clock()
        if now < self._next_start:
            self.sleep(self._next_start - now)
            now = self._next_start
        self._next_start = now + self.interval


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait, from a Retry-After of seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    import email.utils  # here, as `importlib.metadata` in `user_agent`

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _retry_in_message(body: dict[str, Any]) -> float | None:
    """The gateway's "Try again in 7 seconds." in a throttling body, as seconds (a wait in the
    past, "-5", is none: time.sleep refuses it)."""
    words = str(body.get("message", "")).split()
    for before, word in pairwise(words):
        if before == "in":
            try:
                return max(0.0, float(word))
            except ValueError:
                continue
    return None
