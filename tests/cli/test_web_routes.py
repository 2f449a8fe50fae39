"""The web site's routes through Starlette's test client: the pages, the JSON API against the
command line's `--json`, refusals as 400 and 404 pages, and hostile text shown as text."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson
import pytest
from builders import location, registered, report
from charted import lines
from conftest import Cli, jsonl

pytest.importorskip("starlette", reason="the web extra is not installed: pip install 'cqc-ledger[web]'")
pytest.importorskip("httpx", reason="the site's tests need httpx: pip install 'cqc-ledger[webtest]'")

from starlette.testclient import TestClient

from cqc_ledger.web.app import create_app

KNOWN_AT = "KNOWN"  # a time after the fixture recorded, not after now (`known_now`), with microseconds
KNOWN_TO_THE_SECOND = "KNOWN_S"  # the same time, written without them
HOSTILE = "<script>alert('x')</script>"


@pytest.fixture
def site(cli: Cli, db: str) -> tuple[TestClient, Cli]:
    """The site over a ledger holding the charted history and a second trust (on each store)."""
    result = cli(
        "record", input=jsonl(*lines(), registered("RX9", name="East Midlands Ambulance Service NHS Trust", provider_type="ambulance"))
    )
    assert result.exit_code == 0, result.output
    return TestClient(create_app(db)), cli


def known_now() -> Callable[[str], str]:
    """What makes KNOWN and KNOWN_S in a text a time after all that was recorded and not after
    now: the next whole second, waited for (a `--known-at` after now is refused)."""
    now = datetime.now(UTC)
    time.sleep(1 - now.microsecond / 1_000_000)
    moment = now.replace(microsecond=0) + timedelta(seconds=1)
    return lambda text: text.replace(KNOWN_TO_THE_SECOND, f"{moment:%Y-%m-%dT%H:%M:%SZ}").replace(
        KNOWN_AT, f"{moment:%Y-%m-%dT%H:%M:%S.%fZ}"
    )


def cli_json(cli: Cli, *args: str) -> Any:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout)


@pytest.mark.parametrize(
    ("api", "command"),
    [
        ("/api/status/RWP?at=2017-12-31&known_at=" + KNOWN_AT, ("status", "RWP", "--at", "2017-12-31", "--known-at", KNOWN_AT)),
        (
            "/api/status/RWP?at=2017-12-31&known_at=" + KNOWN_TO_THE_SECOND,
            ("status", "RWP", "--at", "2017-12-31", "--known-at", KNOWN_TO_THE_SECOND),
        ),
        ("/api/trusts?at=2017-01-01", ("trusts", "--at", "2017-01-01")),
        ("/api/trusts?at=2017-01-01&special_measures=1", ("trusts", "--at", "2017-01-01", "--special-measures")),
        ("/api/trusts?at=2017-01-01&special-measures=yes", ("trusts", "--at", "2017-01-01", "--special-measures")),
        ("/api/trusts?at=2019-01-01&rating=inadequate", ("trusts", "--at", "2019-01-01", "--rating", "Inadequate")),
        ("/api/history/RWP?from=2017-01-01&to=2018-12-31", ("history", "RWP", "--from", "2017-01-01", "--to", "2018-12-31")),
        (
            "/api/explain/RWP?question=overall&at=2018-01-01&known_at=" + KNOWN_AT,
            ("explain", "RWP", "--question", "overall", "--at", "2018-01-01", "--known-at", KNOWN_AT),
        ),
        (
            "/api/explain/RWP?location=RWP01&service=Maternity&at=2020-01-01&known_at=" + KNOWN_AT,
            ("explain", "RWP", "--location", "RWP01", "--service", "Maternity", "--at", "2020-01-01", "--known-at", KNOWN_AT),
        ),
        (
            "/api/diff/RWP?from=2016-01-01&to=2018-12-31&known_at=" + KNOWN_AT,
            ("diff", "RWP", "--from", "2016-01-01", "--to", "2018-12-31", "--known-at", KNOWN_AT),
        ),
    ],
)
def test_the_api_answers_the_same_json_as_the_command_line(site: tuple[TestClient, Cli], api: str, command: tuple[str, ...]):
    client, cli = site
    known = known_now()
    api, command = known(api), tuple(known(a) for a in command)

    response = client.get(api)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == cli_json(cli, *command)


def test_the_register_lists_each_trust_linked_to_its_page_and_filters_it(site: tuple[TestClient, Cli]):
    client, _ = site

    everyone = client.get("/?at=2017-01-01").text
    in_special_measures = client.get("/?at=2017-01-01&special_measures=1").text
    ambulances = client.get("/?at=2017-01-01&type=ambulance").text
    found = client.get("/?at=2017-01-01&q=worcestershire").text

    assert 'href="/trust/RWP?at=2017-01-01"' in everyone and 'href="/trust/RX9?at=2017-01-01"' in everyone
    assert "/trust/RWP?" in in_special_measures and "/trust/RX9?" not in in_special_measures
    assert "/trust/RX9?" in ambulances and "/trust/RWP?" not in ambulances
    assert "/trust/RWP?" in found and "/trust/RX9?" not in found
    assert 'type="date" name="at" value="2017-01-01"' in everyone


def test_the_trust_page_links_every_rating_to_its_explanation_and_carries_its_timeline(site: tuple[TestClient, Cli]):
    client, _ = site

    page = client.get("/trust/RWP?at=2019-12-31").text

    assert 'href="/trust/RWP/explain?question=overall&amp;at=2019-12-31"' in page
    assert 'href="/trust/RWP/explain?location=RWP01&amp;service=Maternity&amp;question=overall&amp;at=2019-12-31"' in page
    spec = orjson.loads(re.search(r'<script type="application/json" id="chart-spec">(.*?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
    assert spec["layer"][0]["encoding"]["y"]["scale"]["domain"][0] == "Overall"
    assert '<script src="/static/vega.js"></script>' in page


def test_every_source_is_a_link_when_it_is_an_http_address(site: tuple[TestClient, Cli]):
    client, _ = site

    page = client.get("/trust/RWP?at=2019-12-31").text

    assert '<a href="https://www.cqc.org.uk/provider/RWP/reports" rel="noopener noreferrer">' in page


def test_pages_fetch_nothing_from_outside(site: tuple[TestClient, Cli]):
    client, _ = site

    for url in ("/", "/trust/RWP", "/trust/RWP/history", "/trust/RWP/explain", "/trust/RWP/diff?from=2016-01-01&to=2019-01-01"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not re.search(
            r'(src|href)="(https?:)?//', re.sub(r'<a href="https?://[^"]*" rel="noopener noreferrer">', "", response.text)
        ), url
        assert "default-src 'self'" in response.headers["content-security-policy"]


def test_the_charts_javascript_is_served_from_the_package(site: tuple[TestClient, Cli]):
    client, _ = site

    response = client.get("/static/vega.js")

    assert response.status_code == 200
    assert "vegaEmbed" in response.text


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("/?at=2017-13-01", 'at: "2017-13-01" is not a day'),
        ("/trust/RWP?known_at=yesterday", 'known_at: "yesterday" is not a time'),
        ("/api/trusts?rating=Grand", 'rating: "Grand" is not a CQC rating'),
        ("/trust/RWP/explain?question=kind", 'question: "kind" is not a question'),
        ("/trust/RWP/diff?from=2019-01-01", "both days are needed"),
        ("/api/history/RWP?from=2019-01-01&to=2018-01-01", "from: 2019-01-01 is after to 2018-01-01"),
        ("/?type=castle", 'type: "castle" is not a provider type'),
    ],
)
def test_a_bad_parameter_gets_a_400_saying_what_is_wrong(site: tuple[TestClient, Cli], url: str, says: str):
    client, _ = site

    response = client.get(url)

    assert response.status_code == 400
    text = response.json()["error"] if url.startswith("/api/") else response.text.replace("&#34;", '"')
    assert says in text


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/trust/RWP",
        "/trust/RWP/history",
        "/trust/RWP/explain",
        "/trust/RWP/diff?from=2017-01-01&to=2019-01-01",
        "/changes",
        "/counts",
        "/api/status/RWP",
        "/api/trusts",
        "/api/history/RWP",
        "/api/explain/RWP",
        "/api/diff/RWP?from=2017-01-01&to=2019-01-01",
        "/api/changes?from=2017-01-01&to=2019-01-01",
        "/api/counts?from=2017-01-01&to=2019-01-01",
    ],
)
def test_a_known_at_after_now_is_refused_by_every_page_and_the_api_as_the_command_line_refuses_it(site: tuple[TestClient, Cli], url: str):
    client, cli = site
    later = f"{datetime.now(UTC) + timedelta(hours=1):%Y-%m-%dT%H:%M:%SZ}"

    response = client.get(f"{url}{'&' if '?' in url else '?'}known_at={later}")

    assert response.status_code == 400
    text = response.json()["error"] if url.startswith("/api/") else html.unescape(response.text)
    said = cli("trusts", "--known-at", later).stderr
    refusal = said[said.index(f'"{later}" is after now') :].strip().rstrip(".")
    assert f"known_at: {refusal[: refusal.index('(')]}" in text and refusal[refusal.index(")") :] in text


@pytest.mark.parametrize(
    "url",
    [
        "/trust/RWP?known_at=2000-01-01",
        "/trust/RWP/history?known_at=2000-01-01",
        "/trust/RWP/explain?known_at=2000-01-01",
        "/trust/RWP/diff?from=2017-01-01&to=2019-01-01&known_at=2000-01-01",
        "/api/status/RWP?known_at=2000-01-01",
        "/api/history/RWP?known_at=2000-01-01",
        "/api/explain/RWP?known_at=2000-01-01",
        "/api/diff/RWP?from=2017-01-01&to=2019-01-01&known_at=2000-01-01",
    ],
)
def test_a_known_at_before_anything_of_the_trust_was_recorded_is_refused_by_every_page_and_the_api_as_status_is(
    site: tuple[TestClient, Cli], url: str
):
    client, _ = site

    response = client.get(url)

    assert response.status_code == 400
    text = response.json()["error"] if url.startswith("/api/") else response.text
    assert "nothing of RWP had been recorded by 2000-01-01T23:59:59.999999Z" in text


@pytest.mark.parametrize(
    "url", ["/trust/XXX", "/trust/XXX/history", "/api/status/XXX", "/api/explain/XXX", "/trust/RWP/explain?location=RWP99", "/no/such/page"]
)
def test_an_unknown_trust_or_place_is_a_404(site: tuple[TestClient, Cli], url: str):
    client, _ = site

    response = client.get(url)

    assert response.status_code == 404
    assert "Traceback" not in response.text


@pytest.mark.parametrize(("given", "read_as"), [("RK9", "RK9"), ("rk9", "RK9"), ("worcestershire", "RWP"), ("East%20Midlands", "RX9")])
def test_the_site_reads_a_provider_as_the_command_line_does(site: tuple[TestClient, Cli], given: str, read_as: str):
    # Given a provider named by its id, as the README's loop over CQC's real responses names them
    client, cli = site
    assert cli("record", input=jsonl(registered("RK9", name="RK9"))).exit_code == 0
    words = given.replace("%20", " ")

    # When the site and the command line are given the same PROVIDER
    known = known_now()(KNOWN_AT)
    api = client.get(f"/api/status/{given}?at=2019-12-31&known_at={known}")
    page = client.get(f"/trust/{given}?at=2019-12-31")
    history = client.get(f"/api/history/{given}")

    # Then both read it as the same provider, and answer the same
    assert api.status_code == page.status_code == history.status_code == 200
    assert api.json() == cli_json(cli, "status", words, "--at", "2019-12-31", "--known-at", known)
    assert api.json()["provider_id"] == read_as
    assert f'<span class="id">{read_as}</span>' in page.text
    assert history.json() == cli_json(cli, "history", words)


def test_a_provider_the_command_line_does_not_know_the_site_does_not_know_either(site: tuple[TestClient, Cli], db: str):
    client, cli = site

    refused = cli("status", "rwp")
    api = client.get("/api/status/rwp")

    assert refused.exit_code == 1 and refused.stderr == f'Error: provider "rwp" is not in the ledger at {db}\n'
    assert api.status_code == 404 and api.json()["error"] == 'provider "rwp" is not in the ledger'


def where_the_ledger_lives(db: str) -> list[str]:
    """What would tell a reader where the ledger is: a file's path and name; a server's URL, host,
    user, database and schema."""
    if not db.startswith("postgresql://"):
        return [db, db.rsplit("/", 1)[-1]]
    parts = urlsplit(db)
    schema = parts.query.partition("schema=")[2]
    told = [db, db.split("?")[0], str(parts.hostname), f"{parts.username}@", f"user {parts.username}", f"database {parts.path[1:]}"]
    return [*told, schema] if schema else told


@pytest.mark.parametrize(
    "url", ["/trust/rk9", "/trust/XXX/history", "/trust/XXX/explain", "/api/status/rk9", "/api/diff/XXX?from=2019-01-01&to=2020-01-01"]
)
def test_no_refusal_says_where_the_ledger_lives(site: tuple[TestClient, Cli], db: str, url: str):
    client, _ = site

    response = client.get(url)

    assert response.status_code == 404
    assert "is not in the ledger" in response.text
    for told in where_the_ledger_lives(db):
        assert told not in response.text


@pytest.mark.parametrize("target", ["{folder}/gone.db", "postgresql://someone@127.0.0.1:1/elsewhere"])
def test_a_ledger_that_cannot_be_read_is_a_503_that_does_not_say_where_it_lives(tmp_path: Path, target: str):
    target = target.format(folder=tmp_path)
    client = TestClient(create_app(target))

    page, api = client.get("/trust/RWP"), client.get("/api/status/RWP")

    assert page.status_code == api.status_code == 503
    assert api.json() == {"error": "the ledger cannot be read just now: try again later", "status": 503}
    for told in where_the_ledger_lives(target):
        assert told not in page.text and told not in api.text


def test_text_from_the_entries_is_shown_as_text_and_only_http_addresses_become_links(cli: Cli, db: str):
    hostile = [
        registered("EVL", name=f"Evil {HOSTILE} Trust", source=f"javascript:alert(1) {HOSTILE}"),
        location("EVL01", provider_id="EVL", name=f"Ward {HOSTILE}"),
        report(
            "R-EVL",
            "2019-01-01",
            {"question": "overall", "rating": "Good"},
            provider_id="EVL",
            summary=f"{HOSTILE} <img src=x onerror=alert(1)>",
            url="javascript:alert(1)",
            source='https://example.org/a"onmouseover="alert(1) and data:text/html,<b>x</b>',
        ),
    ]
    assert cli("record", input=jsonl(*hostile)).exit_code == 0
    client = TestClient(create_app(db))

    pages = [
        client.get(u).text
        for u in ("/", "/trust/EVL", "/trust/EVL/history", "/trust/EVL/explain", "/trust/EVL/diff?from=2018-01-01&to=2020-01-01")
    ]

    for page in pages:
        assert HOSTILE not in page
        assert "<img src=x" not in page
        assert 'href="javascript:' not in page and 'href="data:' not in page
        assert "onmouseover=" not in page.replace("onmouseover=&#34;", "")
    assert "&lt;script&gt;alert(" in pages[1]
    assert '<a href="https://example.org/a" rel="noopener noreferrer">' in pages[1]
