"""The web site: Starlette routes over the same answers the command line gives.

Every page and every `/api/...` document is built by `projections.answers` (the function the
CLI's `--json` calls), so the site and the command line cannot disagree. Nothing is written to
the ledger. Nothing is fetched from outside: the chart's JavaScript comes from the vl-convert
package installed with the extra, served from here; the pages carry no fonts or CDN links, and a
Content-Security-Policy header keeps it so.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import orjson
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from cqc_ledger.events.vocabulary import MERIT, PROVIDER_TYPES, QUESTIONS, RATINGS
from cqc_ledger.ledger.application import Ledger, utc_now
from cqc_ledger.ledger.errors import LedgerError, StoreBusy, StoreError, UnknownLocation, UnknownProvider
from cqc_ledger.ledger.store.opening import inspect
from cqc_ledger.projections import answers, changes, charts, counts, output
from cqc_ledger.web import params
from cqc_ledger.web.params import BadRequest

HERE = Path(__file__).parent
log = logging.getLogger(__name__)
_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'none'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"
)


def linked(text: Any) -> Markup:
    """The text escaped, with each http(s) address in it made a link (and nothing else a link)."""
    if text is None:
        return Markup("")
    text = str(text)
    out, last = [], 0
    for found in _URL.finditer(text):
        url = found.group(0).rstrip(".,;)")
        out.append(escape(text[last : found.start()]))
        out.append(Markup('<a href="{0}" rel="noopener noreferrer">{0}</a>').format(url))
        last = found.start() + len(url)
    out.append(escape(text[last:]))
    return Markup("").join(out)


def href(url: Any) -> str | None:
    """The address, if it is an http(s) one: only such addresses become links."""
    return url if isinstance(url, str) and _URL.fullmatch(url.strip()) else None


def json_for_script(document: Any) -> Markup:
    """JSON to put inside <script type="application/json">: no `<`, `>` or `&` can end the element."""
    text = orjson.dumps(document, option=orjson.OPT_SORT_KEYS).decode()
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True, default_for_string=True))
    words = output.status  # what the text of `status` says of a rating, a superseded service and a deregistered place
    env.filters.update(
        linked=linked,
        href=href,
        rating_notes=words.rating_notes,
        superseded_words=words.superseded_words,
        deregistered_words=words.deregistered_words,
    )
    env.globals.update(
        PROVIDER_GONE=words.PROVIDER_GONE,
        LEAVING=words.LEAVING,
        RATINGS=RATINGS,
        MERIT=MERIT,
        QUESTIONS=QUESTIONS,
        PROVIDER_TYPES=PROVIDER_TYPES,
    )
    return env


@cache
def vega_bundle() -> bytes:
    """Vega, Vega-Lite and vega-embed as one script, from the vl-convert package (nothing fetched)."""
    try:
        import vl_convert as vlc
    except ImportError:
        return b"console.error('the chart needs the extra charts: pip install cqc-ledger[charts]');"
    return vlc.javascript_bundle(_GLOBALS).encode()


_GLOBALS = "window.vegaEmbed = vegaEmbed; window.vegaLite = vegaLite; window.vega = vega;"


class Site:
    """The site over one ledger (a SQLite path or a PostgreSQL URL)."""

    def __init__(self, target: str, *, clock: Callable[[], datetime] = utc_now):
        self.target = target
        self.clock = clock
        self.env = _environment()

    @contextmanager
    def ledger(self) -> Iterator[Ledger]:
        found = inspect(self.target)  # a reading command's door: never creates, never writes
        ledger = Ledger(self.target, read_only=found.read_only)
        try:
            yield ledger
        finally:
            ledger.close()

    # ---- pages ---------------------------------------------------------------------------

    def page(self, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        return HTMLResponse(self.env.get_template(template).render(**context), status_code=status_code)

    def register_page(self, request: Request) -> Response:
        q = request.query_params
        at = params.day(q, "at") or self.clock().date()
        known_at = params.known_at(q, self.clock())
        chosen, search = params.filters(q), params.text(q, "q")
        kept = replace(chosen, deregistered=True) if search else chosen  # a search finds the deregistered too, as `find` does
        with self.ledger() as ledger:
            listed, regions = answers.trusts_and_regions(ledger, at, known_at, kept)
            rows, behind = listed.value, listed.behind
            found = _found(answers.find(ledger, search, by_id=True).value) if search else None
        if found is not None:
            rows = [{**r, **found[r["provider_id"]]} for r in rows if r["provider_id"] in found]
        rows = [_leaving(r) for r in rows]
        return self.page(
            "register.html",
            rows=rows,
            at=at.isoformat(),
            known_at=q.get("known_at", ""),
            chosen=chosen,
            regions=regions,
            search=search or "",
            api=_query(at=at.isoformat(), known_at=q.get("known_at"), **params.as_query(chosen)),
            behind=behind,
        )

    def trust_page(self, request: Request) -> Response:
        q = request.query_params
        now = self.clock()
        at = params.day(q, "at") or now.date()
        known_at = params.known_at(q, now)
        with self.ledger() as ledger:
            provider_id = provider(ledger, request)
            answer = answers.status(ledger, provider_id, at, known_at, now)
            document = answer.value
            found = answers.chart_timeline(ledger, provider_id, today=at, until=at, known_at=known_at)
            sources = _sources(ledger, provider_id, document)
        spec = _chart_spec(found)
        return self.page(
            "trust.html",
            doc=document,
            spec=json_for_script(spec) if spec else None,
            sources=sources,
            at=at.isoformat(),
            known_at=q.get("known_at", ""),
            query=_query(at=at.isoformat(), known_at=q.get("known_at")),
            behind=answer.behind,
        )

    def history_page(self, request: Request) -> Response:
        q = request.query_params
        since, until, known_at = params.day(q, "from"), params.day(q, "to"), params.known_at(q, self.clock())
        params.ordered(since, until)
        with self.ledger() as ledger:
            provider_id = provider(ledger, request)
            changes = answers.history(ledger, provider_id, since, until, known_at)
            name = answers.status(ledger, provider_id, self.clock().date(), known_at, self.clock()).value["name"]
        return self.page(
            "history.html", provider_id=provider_id, name=name, changes=changes, since=q.get("from", ""), until=q.get("to", "")
        )

    def explain_page(self, request: Request) -> Response:
        document = self.explanation(request)
        return self.page("explain.html", doc=document, text=output.explain.explain_text(document))

    def diff_page(self, request: Request) -> Response:
        document = self.difference(request)
        return self.page("diff.html", doc=document, text=output.diff.diff_text(document))

    # ---- the JSON API: the CLI's --json documents ----------------------------------------

    def api_status(self, request: Request) -> Response:
        q = request.query_params
        now = self.clock()
        with self.ledger() as ledger:
            document = answers.status(ledger, provider(ledger, request), params.day(q, "at") or now.date(), params.known_at(q, now), now)
        return _json(document.value, behind=document.behind)

    def api_trusts(self, request: Request) -> Response:
        q = request.query_params
        at = params.day(q, "at") or self.clock().date()
        with self.ledger() as ledger:
            found = answers.trusts(ledger, at, params.known_at(q, self.clock()), params.filters(q))
        return _json(found.value, behind=found.behind)

    def api_history(self, request: Request) -> Response:
        q = request.query_params
        since, until = params.day(q, "from"), params.day(q, "to")
        params.ordered(since, until)
        with self.ledger() as ledger:
            return _json(answers.history(ledger, provider(ledger, request), since, until, params.known_at(q, self.clock())))

    def api_explain(self, request: Request) -> Response:
        return _json(self.explanation(request))

    def api_diff(self, request: Request) -> Response:
        return _json(self.difference(request))

    def explanation(self, request: Request) -> dict[str, Any]:
        q = request.query_params
        now = self.clock()
        key = (params.text(q, "location"), params.service(q), params.question(q))
        at, known_at = params.day(q, "at") or now.date(), params.known_at(q, now)
        with self.ledger() as ledger:
            return answers.explain(ledger, provider(ledger, request), key, at, known_at, now)

    def difference(self, request: Request) -> dict[str, Any]:
        q = request.query_params
        start, end = params.day(q, "from"), params.day(q, "to")
        if start is None or end is None:
            raise BadRequest("from and to: both days are needed, like ?from=2017-01-01&to=2019-12-31")
        params.ordered(start, end)
        with self.ledger() as ledger:
            return answers.diff(ledger, provider(ledger, request), start, end, params.known_at(q, self.clock()), self.clock())

    # ---- across the register: changes, counts (pages and API) --------------------------------

    def changes_page(self, request: Request) -> Response:
        q = request.query_params
        start, end = self.period(q, lambda end: _years_before(end, 1))
        asked, known_at = params.changes_asked(q), params.known_at(q, self.clock())
        with self.ledger() as ledger:
            answer = answers.changes(ledger, start, end, known_at, asked)
            rows = answer.value
            regions = answers.regions(ledger, end, known_at)
        shown: dict[str, Any] = {"from": start.isoformat(), "to": end.isoformat(), "known_at": q.get("known_at")}
        asked_query = {**shown, "question": asked.question, "level": asked.level, **params.as_query(asked.filters)}
        return self.page(
            "changes.html",
            rows=rows,
            asked=asked,
            regions=regions,
            levels=changes.LEVELS,
            api=_query(**asked_query),
            behind=answer.behind,
            **shown,
        )

    def counts_page(self, request: Request) -> Response:
        q = request.query_params
        start, end = self.period(q, lambda end: date(max(1, end.year - 5), 1, 1))
        every, by, question, chosen = params.counts_asked(q)
        known_at = params.known_at(q, self.clock())
        days = params.period_ends(start, end, every)
        with self.ledger() as ledger:
            answer = answers.counts(ledger, days, known_at, by=by, question=question, filters=chosen)
            rows = answer.value
            regions = answers.regions(ledger, end, known_at)
        spec = _counts_spec(rows, by=by, question=question, every=every, filters=chosen)
        shown: dict[str, Any] = {"from": start.isoformat(), "to": end.isoformat(), "known_at": q.get("known_at")}
        asked_query = {**shown, "every": every, "by": by, "question": question, **params.as_query(chosen)}
        return self.page(
            "counts.html",
            rows=rows,
            columns=output.counts.columns(by),
            spec=json_for_script(spec) if spec else None,
            every=every,
            by=by,
            question=question,
            chosen=chosen,
            regions=regions,
            EVERY=counts.EVERY,
            BY=counts.BY,
            api=_query(**asked_query),
            behind=answer.behind,
            **shown,
        )

    def api_changes(self, request: Request) -> Response:
        q = request.query_params
        start, end = self.period(q)
        with self.ledger() as ledger:
            found = answers.changes(ledger, start, end, params.known_at(q, self.clock()), params.changes_asked(q))
        return _json(found.value, behind=found.behind)

    def api_counts(self, request: Request) -> Response:
        q = request.query_params
        start, end = self.period(q)
        every, by, question, chosen = params.counts_asked(q)
        days = params.period_ends(start, end, every)
        with self.ledger() as ledger:
            found = answers.counts(ledger, days, params.known_at(q, self.clock()), by=by, question=question, filters=chosen)
        return _json(found.value, behind=found.behind)

    def period(self, q: Any, default_start: Callable[[date], date] | None = None) -> tuple[date, date]:
        """`from` and `to`: both needed by the API, as the command line's --from and --to are; a
        page fills what is missing (`to` today, `from` by `default_start`)."""
        start, end = params.day(q, "from"), params.day(q, "to")
        if default_start is not None:
            end = end or self.clock().date()
            start = start or min(default_start(end), end)
        if start is None or end is None:
            raise BadRequest("from and to: both days are needed, like ?from=2018-12-31&to=2019-12-31")
        params.ordered(start, end)
        return start, end

    # ---- errors --------------------------------------------------------------------------

    def refused(self, request: Request, status_code: int, message: str) -> Response:
        if request.url.path.startswith("/api/"):
            return _json({"error": message, "status": status_code}, status_code)
        return self.page("error.html", status_code=status_code, title=_TITLES[status_code], message=message)


def provider(ledger: Ledger, request: Request) -> str:
    """The provider the address names, read as the command line reads its PROVIDER: an id, or a
    name standing for one provider (`answers.provider_id`)."""
    return answers.provider_id(ledger, request.path_params["provider"])


_TITLES = {400: "Bad request", 404: "Not found", 503: "Unavailable"}
# What the site says when the store fails: the store's own message names where the ledger lives
# (a file's path; a PostgreSQL server's host, database and user), which the site shows no one.
# The message goes to the server's log, for whoever runs the site.
UNAVAILABLE = "the ledger cannot be read just now: try again later"


def _leaving(row: dict[str, Any]) -> dict[str, Any]:
    """A register row whose provider is deregistered on the day itself: said after its name as
    `trusts` says it, "(deregistered DAY, successor ID: off the register from the next day)"
    (where a search's `left` said only the day); any other row as it is."""
    if not (row["deregistered_on"] and row["in_force"]):
        return row
    return {**row, "left": output.trusts.deregistration(row)}


def _found(found: list[Any]) -> dict[str, dict[str, Any]]:
    """The providers `find` finds for the search box (by current or former name, or a location's
    name; or the provider id itself), each with what matched if not its current name (a former
    name, or a location's name when none of its own matched) and, as `find` says it, the day it
    or that location left the register (`left`, after the name)."""
    own = {f.provider_id for f in found if f.location_id is None and f.matched}
    kept: dict[str, dict[str, Any]] = {}
    for f in found:
        row = kept.setdefault(f.provider_id, {"matched": [], "left": ""})
        if f.location_id is None:
            row["matched"].extend(f"formerly {name}" for name in f.matched if name != f.name)
            row["left"] = output.find.left(f)
        elif f.provider_id not in own:
            row["matched"].append(f"location {f.location_id} {f.name}{output.find.left(f)}")
    return kept


def _years_before(day: date, years: int) -> date:
    if day.year <= years:
        return date.min
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _counts_spec(rows: list[dict[str, Any]], **title: Any) -> dict[str, Any] | None:
    try:
        return charts.counts_spec(rows, title=charts.counts_title(rows, **title))
    except LedgerError:  # the charts extra is missing: the page says so instead of drawing
        return None


def _chart_spec(found: Any) -> dict[str, Any] | None:
    try:
        return charts.timeline_spec(found)
    except LedgerError:  # the charts extra is missing: the page says so instead of drawing
        return None


def _sources(ledger: Ledger, provider_id: str, document: dict[str, Any]) -> list[dict[str, Any]]:
    """The entries behind what the status shows, each with its source: every ref it names."""
    refs = set(re.findall(r'"ref":"([^"]+)"', orjson.dumps(document).decode()))
    return [
        {
            "ref": r.ref,
            "type": r.entry.type_name,
            "on": getattr(r.entry, "on", None),
            "source": r.entry.source,
            "url": getattr(r.entry, "url", None),
        }
        for r in ledger.entries_of(provider_id)
        if r.ref in refs
    ]


def _query(**values: str | None) -> str:
    from urllib.parse import urlencode

    return urlencode({k: v for k, v in values.items() if v})


def _json(document: Any, status_code: int = 200, *, behind: int = 0) -> Response:
    """The CLI's JSON: orjson with sorted keys. When the views were behind (the answer folded from
    the entries, the same answer), the header `X-Views-Behind` says by how many entries, as the
    command line says on standard error."""
    headers = {"X-Views-Behind": str(behind)} if behind else None
    return Response(
        orjson.dumps(document, option=orjson.OPT_SORT_KEYS), status_code=status_code, media_type="application/json", headers=headers
    )


def create_app(target: str, *, clock: Callable[[], datetime] = utc_now) -> Starlette:
    """The site over the ledger at `target`."""
    site = Site(target, clock=clock)

    def guarded(handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
        def endpoint(request: Request) -> Response:
            try:
                response = handler(request)
            except BadRequest as bad:
                response = site.refused(request, 400, str(bad))
            except UnknownProvider as unknown:
                response = site.refused(request, 404, unknown.unplaced)
            except UnknownLocation as unknown:
                response = site.refused(request, 404, str(unknown))
            except (StoreError, StoreBusy) as failed:
                log.error("%s: %s", request.url.path, failed)
                response = site.refused(request, 503, UNAVAILABLE)
            except LedgerError as refused:
                response = site.refused(request, 400, str(refused))
            response.headers["Content-Security-Policy"] = POLICY
            response.headers["X-Content-Type-Options"] = "nosniff"
            response.headers["Referrer-Policy"] = "no-referrer"
            return response

        return endpoint

    def bundle(request: Request) -> Response:
        return Response(vega_bundle(), media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})

    def not_found(request: Request, exc: Exception) -> Response:
        return site.refused(request, 404, f"there is no page at {request.url.path}")

    routes = [
        Route("/", guarded(site.register_page)),
        Route("/trust/{provider}", guarded(site.trust_page)),
        Route("/trust/{provider}/history", guarded(site.history_page)),
        Route("/trust/{provider}/explain", guarded(site.explain_page)),
        Route("/trust/{provider}/diff", guarded(site.diff_page)),
        Route("/api/status/{provider}", guarded(site.api_status)),
        Route("/api/trusts", guarded(site.api_trusts)),
        Route("/api/history/{provider}", guarded(site.api_history)),
        Route("/api/explain/{provider}", guarded(site.api_explain)),
        Route("/api/diff/{provider}", guarded(site.api_diff)),
        Route("/changes", guarded(site.changes_page)),
        Route("/counts", guarded(site.counts_page)),
        Route("/api/changes", guarded(site.api_changes)),
        Route("/api/counts", guarded(site.api_counts)),
        Route("/static/vega.js", bundle),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    return Starlette(routes=routes, exception_handlers={404: not_found})
