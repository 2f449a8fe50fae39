"""A stand-in for CQC's API on 127.0.0.1, for the `sync` tests: it serves the real location
responses of shared/reference/cqc-api-real (captured 2021-04-08), provider responses built from
them (each provider listing the locations of the capture that name it), and the changes feed;
and it fails the ways the real one does, when a test asks it to.

- A request without the right `Ocp-Apim-Subscription-Key` gets 401, as CQC's gateway answers.
- `fail(path_prefix, *faults)` queues faults for the next requests whose path starts with the
  prefix: `429` (HTTP 429, Retry-After 0), `200-429` (HTTP 200 with the gateway's throttling body
  `{"statusCode": 429, ...}`; `200-429 in N`: its message saying "Try again in N seconds."),
  `503` (with Retry-After 0), `503-no-retry-after`, `drop` (the connection closed without an
  answer).
- `changes` holds the ids the feed lists per kind; `changes_status` can make the feed answer
  404 or 410; `changes_page`, when set, is the feed's answer to each page (given its number),
  whatever its shape. Every request is logged (path, query and headers) in `log`.
- `publish_report(location_id, ...)` is the second state: a location with a new report, listed
  by the changes feed.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
from conftest import SHARED

REAL = SHARED / "reference" / "cqc-api-real"
KEY = "test-key"
PREFIX = "/public/v1"


def real_locations() -> dict[str, dict[str, Any]]:
    """The captured location responses, by location id."""
    return {path.stem: orjson.loads(path.read_bytes()) for path in sorted(REAL.glob("*.json"))}


def provider_response(provider_id: str, locations: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A provider response as the API gives one, listing its locations of the capture."""
    return {
        "providerId": provider_id,
        "organisationType": "Provider",
        "name": f"{provider_id} NHS Trust",
        "registrationStatus": "Registered",
        "registrationDate": "2010-04-01",
        "type": "NHS Healthcare Organisation",
        "inspectionCategories": [{"code": "P1", "primary": "true", "name": "Acute hospital - NHS non-specialist"}],
        "locationIds": sorted(lid for lid, body in locations.items() if body["providerId"] == provider_id),
        "currentRatings": {},
        "reports": [],
    }


class Api:
    """The stand-in's state, shared with the handler threads."""

    def __init__(self) -> None:
        self.locations = real_locations()
        self.providers = {pid: provider_response(pid, self.locations) for pid in {b["providerId"] for b in self.locations.values()}}
        self.changes: dict[str, list[str]] = {"provider": [], "location": []}
        self.changes_status = 200
        self.changes_page: Callable[[int], Any] | None = None
        self.faults: list[tuple[str, str]] = []
        self.log: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.url = ""

    def fail(self, prefix: str, *faults: str) -> None:
        with self.lock:
            self.faults.extend((prefix, fault) for fault in faults)

    def requests_to(self, prefix: str) -> list[dict[str, Any]]:
        return [r for r in self.log if r["path"].startswith(prefix)]

    def publish_report(self, location_id: str, link: str, day: str, rating: str) -> None:
        """The second state: the location's overall rating republished by a new report, which
        the changes feed lists."""
        body = self.locations[location_id]
        body["reports"] = [
            {"linkId": link, "reportDate": day, "reportUri": f"/reports/{link}", "reportType": "Location"},
            *body.get("reports", []),
        ]
        current = copy.deepcopy(body.get("currentRatings") or {})
        current["overall"] = {"rating": rating, "reportDate": day, "reportLinkId": link, "keyQuestionRatings": []}
        body["currentRatings"] = current
        self.changes["location"].append(location_id)

    def take_fault(self, path: str) -> str | None:
        with self.lock:
            for i, (prefix, fault) in enumerate(self.faults):
                if path.startswith(prefix):
                    del self.faults[i]
                    return fault
        return None


def _handler(api: Api) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: Any) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            path = parts.path.removeprefix(PREFIX)
            api.log.append({"path": path, "query": parse_qs(parts.query), "headers": dict(self.headers)})
            if self.headers.get("Ocp-Apim-Subscription-Key") != KEY:
                return self.answer(401, {"statusCode": 401, "message": "Access denied due to invalid subscription key."})
            fault = api.take_fault(path)
            if fault == "drop":
                self.close_connection = True
                return None
            if fault == "429":
                return self.answer(429, {"statusCode": 429, "message": "Rate limit is exceeded."}, retry_after="0")
            if fault is not None and fault.startswith("200-429"):
                seconds = fault.removeprefix("200-429").removeprefix(" in ") or "0"
                return self.answer(200, {"statusCode": 429, "message": f"Rate limit is exceeded. Try again in {seconds} seconds."})
            if fault == "503":
                return self.answer(503, {"message": "Service Unavailable"}, retry_after="0")
            if fault == "503-no-retry-after":
                return self.answer(503, {"message": "Service Unavailable"})
            return self.serve(path, parse_qs(parts.query))

        def serve(self, path: str, query: dict[str, list[str]]) -> None:
            kind, _, ident = path.strip("/").partition("/")
            if kind == "providers" and ident in api.providers:
                return self.answer(200, api.providers[ident])
            if kind == "locations" and ident in api.locations:
                return self.answer(200, api.locations[ident])
            if kind == "changes" and ident in api.changes:
                if api.changes_status != 200:
                    return self.answer(api.changes_status, {"statusCode": api.changes_status, "message": "Resource not found"})
                page, per_page = int(query.get("page", ["1"])[0]), int(query.get("perPage", ["1000"])[0])
                if api.changes_page is not None:
                    return self.answer(200, api.changes_page(page))
                ids = api.changes[ident]
                pages = max(1, -(-len(ids) // per_page))
                return self.answer(
                    200,
                    {
                        "changes": ids[(page - 1) * per_page : page * per_page],
                        "page": page,
                        "perPage": per_page,
                        "totalPages": pages,
                        "total": len(ids),
                    },
                )
            return self.answer(404, {"statusCode": 404, "message": "Resource not found"})

        def answer(self, status: int, body: Any, retry_after: str | None = None) -> None:
            content = orjson.dumps(body)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(content)))
            if retry_after is not None:
                self.send_header("Retry-After", retry_after)
            self.end_headers()
            self.wfile.write(content)

    return Handler


def serving() -> Iterator[Api]:
    """The stand-in, listening on a free port of 127.0.0.1 until the test ends."""
    api = Api()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    server.daemon_threads = True
    api.url = f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
