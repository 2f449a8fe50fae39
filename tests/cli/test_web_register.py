"""The site's questions across the register through Starlette's test client: `/changes` and
`/counts` (with its chart), `/api/changes` and `/api/counts` against the command line's `--json`
for the same query, the register's search (by `find`) and its filters by type and region,
refusals as 400 pages, and hostile text shown as text."""

from __future__ import annotations

import html
import re
from typing import Any

import orjson
import pytest
from builders import cell, entered, exited, location, registered, renamed, report, segment
from conftest import Cli

pytest.importorskip("starlette", reason="the web extra is not installed: pip install 'cqc-ledger[web]'")
pytest.importorskip("httpx", reason="the site's tests need httpx: pip install 'cqc-ledger[webtest]'")

from starlette.testclient import TestClient

from cqc_ledger.projections.charts import counts_spec, counts_title
from cqc_ledger.projections.trusts import Filters
from cqc_ledger.web.app import create_app

HOSTILE = "<script>alert('x')</script>"

# Given: two acute trusts in the West Midlands (one renamed, then deregistered) and an ambulance
# trust in the East Midlands, with ratings, special measures and oversight segments over the years.
REGISTER = [
    registered("RWP", name="Worcestershire Acute Hospitals NHS Trust", provider_type="acute", region="West Midlands"),
    location("RWP01", provider_id="RWP", name="Kidderminster Treatment Centre"),
    location("RWP02", provider_id="RWP", name="Worcestershire Royal Hospital"),
    registered("RXK", name="Sandwell and West Birmingham Hospitals NHS Trust", provider_type="acute", region="West Midlands"),
    registered("RX9", name="East Midlands Ambulance Service NHS Trust", provider_type="ambulance", region="East Midlands"),
    renamed("2019-06-01", "Sandwell and West Birmingham NHS Trust", provider_id="RXK"),
    report("RWP-2015", "2015-12-02", cell("overall", "Inadequate"), cell("safe", "Inadequate"), provider_id="RWP"),
    entered("2015-12-21", provider_id="RWP"),
    segment("2016-10-01", "SOF-2016", 4, provider_id="RWP"),
    report("RWP-2017", "2017-06-20", cell("overall", "Inadequate"), cell("safe", "Requires improvement", "RWP01"), provider_id="RWP"),
    report("RWP-2019", "2019-09-20", cell("overall", "Requires improvement"), cell("safe", "Good", "RWP01", "Surgery"), provider_id="RWP"),
    exited("2019-10-01", provider_id="RWP"),
    report("RX9-2016", "2016-05-10", cell("overall", "Requires improvement"), cell("safe", "Good"), provider_id="RX9"),
    report("RX9-2019", "2019-07-17", cell("overall", "Good"), cell("safe", "Requires improvement"), provider_id="RX9"),
    report("RXK-2018", "2018-03-01", cell("overall", "Good"), provider_id="RXK"),
    {"type": "ProviderDeregistered", "provider_id": "RXK", "on": "2020-04-01"},
]


@pytest.fixture
def site(cli: Cli, db: str) -> tuple[TestClient, Cli]:
    """The site over a ledger holding the register above (on each store), and the CLI beside it."""
    result = cli("record", input=REGISTER)
    assert result.exit_code == 0, result.output
    return TestClient(create_app(db)), cli


def cli_json(cli: Cli, *args: str) -> Any:
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout)


def spec_in(page: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="chart-spec">(.*?)</script>', page, re.S)
    assert found, "the page carries no chart"
    return orjson.loads(found.group(1))


PERIOD = "from=2015-01-01&to=2020-12-31"
CLI_PERIOD = ("--from", "2015-01-01", "--to", "2020-12-31")


@pytest.mark.parametrize(
    ("api", "command"),
    [
        (f"/api/changes?{PERIOD}", ("changes", *CLI_PERIOD)),
        (f"/api/changes?{PERIOD}&question=overall&level=trust", ("changes", *CLI_PERIOD, "--question", "overall", "--level", "trust")),
        (f"/api/changes?{PERIOD}&level=Service", ("changes", *CLI_PERIOD, "--level", "service")),
        (
            f"/api/changes?{PERIOD}&rating=good&region=west+midlands",
            ("changes", *CLI_PERIOD, "--rating", "good", "--region", "west midlands"),
        ),
        (f"/api/changes?{PERIOD}&provider_type=ambulance", ("changes", *CLI_PERIOD, "--provider-type", "ambulance")),
        (f"/api/changes?{PERIOD}&type=acute&question=safe", ("changes", *CLI_PERIOD, "--provider-type", "acute", "--question", "safe")),
        (
            "/api/changes?from=2019-01-01&to=2019-12-31&known_at=2000-01-01",
            ("changes", "--from", "2019-01-01", "--to", "2019-12-31", "--known-at", "2000-01-01"),
        ),
        (f"/api/counts?{PERIOD}", ("counts", *CLI_PERIOD)),
        (f"/api/counts?{PERIOD}&every=year&by=special-measures", ("counts", *CLI_PERIOD, "--every", "year", "--by", "special-measures")),
        (
            f"/api/counts?{PERIOD}&every=quarter&by=segment&type=acute",
            ("counts", *CLI_PERIOD, "--every", "quarter", "--by", "segment", "--provider-type", "acute"),
        ),
        (f"/api/counts?{PERIOD}&every=year&question=safe", ("counts", *CLI_PERIOD, "--every", "year", "--question", "safe")),
        (
            f"/api/counts?{PERIOD}&every=year&region=East+Midlands&rating=Good",
            ("counts", *CLI_PERIOD, "--every", "year", "--region", "East Midlands", "--rating", "Good"),
        ),
        (
            "/api/counts?from=2018-01-01&to=2018-06-30&known-at=2000-01-01",
            ("counts", "--from", "2018-01-01", "--to", "2018-06-30", "--known-at", "2000-01-01"),
        ),
        ("/api/trusts?at=2019-01-01&region=west+midlands", ("trusts", "--at", "2019-01-01", "--region", "west midlands")),
        ("/api/trusts?at=2019-01-01&type=ambulance", ("trusts", "--at", "2019-01-01", "--provider-type", "ambulance")),
        ("/api/trusts?at=2019-01-01&name=sandwell", ("trusts", "--at", "2019-01-01", "--name", "sandwell")),
    ],
)
def test_the_api_answers_changes_and_counts_as_the_command_line_does(site: tuple[TestClient, Cli], api: str, command: tuple[str, ...]):
    client, cli = site

    response = client.get(api)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == cli_json(cli, *command)


def test_the_changes_page_lists_each_change_linked_to_the_trust_and_the_explanation(site: tuple[TestClient, Cli]):
    client, _ = site

    page = client.get(f"/changes?{PERIOD}&level=trust&question=overall").text

    assert "<h1>What changed from 2015-01-01 to 2020-12-31</h1>" in page
    assert page.count("<tr>\n  <td>") == 5  # RWP 2015 and 2019, RX9 2016 and 2019, RXK 2018
    assert 'href="/trust/RWP?at=2019-09-20"' in page
    assert 'href="/trust/RWP/explain?question=overall&amp;at=2019-09-20">Requires improvement</a>' in page
    assert 'href="/api/changes?from=2015-01-01&amp;to=2020-12-31&amp;question=overall&amp;level=trust"' in page
    assert "<option selected>trust</option>" in page


def test_the_changes_page_without_days_shows_the_year_to_today(site: tuple[TestClient, Cli]):
    client, _ = site

    page = client.get("/changes").text

    to = re.search(r'name="to" value="(\d{4})-(\d\d-\d\d)"', page)
    start = re.search(r'name="from" value="(\d{4})-(\d\d-\d\d)"', page)
    assert to and start and int(to.group(1)) - int(start.group(1)) == 1


def test_the_counts_page_draws_the_series_it_lists(site: tuple[TestClient, Cli]):
    client, _ = site
    query = f"{PERIOD}&every=year&by=rating&type=acute"

    page = client.get(f"/counts?{query}").text
    rows = client.get(f"/api/counts?{query}").json()

    assert spec_in(page) == counts_spec(
        rows, title=counts_title(rows, by="rating", question="overall", every="year", filters=Filters(provider_type="acute"))
    )
    assert '<script src="/static/vega.js"></script><script src="/static/chart.js"></script>' in page
    assert page.count('<tr><td><a href="/?at=') == 6  # one row per year's end
    assert '<td><a href="/?at=2017-12-31">2017-12-31</a></td><td>2</td>' in page  # RWP and RXK on the register
    assert "<th>Requires improvement</th>" in page


def test_the_counts_page_without_days_shows_five_years_to_today(site: tuple[TestClient, Cli]):
    client, _ = site

    page = client.get("/counts?every=year").text

    to = re.search(r'name="to" value="(\d{4})-\d\d-\d\d"', page)
    assert to and f'name="from" value="{int(to.group(1)) - 5}-01-01"' in page


def test_the_register_search_finds_by_former_name_and_location_and_id(site: tuple[TestClient, Cli]):
    client, _ = site

    former = client.get("/?at=2019-12-31&q=sandwell+hospitals").text
    place = client.get("/?at=2019-12-31&q=kidderminster").text
    by_id = client.get("/?at=2019-12-31&q=rx9").text
    nothing = client.get("/?at=2019-12-31&q=nowhere").text
    own = client.get("/?at=2019-12-31&q=worcestershire").text

    assert "/trust/RXK?" in former and "/trust/RWP?" not in former
    assert "formerly Sandwell and West Birmingham Hospitals NHS Trust" in former
    assert "/trust/RWP?" in place and "location RWP01 Kidderminster Treatment Centre" in place
    assert "/trust/RX9?" in by_id and "/trust/RWP?" not in by_id
    assert "0 providers" in nothing
    assert "/trust/RWP?" in own and 'class="matched"' not in own  # its own name matched, not only RWP02's


def test_the_register_search_marks_a_deregistered_provider_or_location_as_find_does(site: tuple[TestClient, Cli]):
    client, cli = site
    # Given: RXK deregistered on 2020-04-01 (above), and RWP's Worcestershire Royal Hospital on 2021-01-01.
    gone = {"type": "LocationDeregistered", "provider_id": "RWP", "location_id": "RWP02", "on": "2021-01-01"}
    assert cli("record", input=[gone]).exit_code == 0

    after = client.get("/?at=2021-06-01&q=sandwell").text
    before = client.get("/?at=2019-12-31&q=sandwell").text
    by_id = client.get("/?at=2021-06-01&q=rxk").text
    place = client.get("/?at=2021-06-01&q=worcestershire+royal").text
    register = client.get("/?at=2021-06-01").text

    # Then: the search finds what `find` finds, the deregistered too, marked in find's words.
    found = {(f["provider_id"], f["location_id"]): f["deregistered_on"] for f in cli_json(cli, "find", "sandwell")}
    assert found == {("RXK", None): "2020-04-01"}
    assert "(deregistered 2020-04-01)" in cli("find", "sandwell").stdout
    for page in (after, before, by_id):
        assert "/trust/RXK?" in page and "(deregistered 2020-04-01)" in page
        assert "1 provider found" in page
    assert "formerly Sandwell and West Birmingham Hospitals NHS Trust" in after
    located = {(f["provider_id"], f["location_id"]): f["deregistered_on"] for f in cli_json(cli, "find", "worcestershire royal")}
    assert located == {("RWP", "RWP02"): "2021-01-01"}
    assert "location RWP02 Worcestershire Royal Hospital (deregistered 2021-01-01)" in place
    assert "/trust/RWP?" in place and place.count("(deregistered") == 1  # the trust itself is still registered
    # And: without a search the register on the day still leaves the deregistered provider out.
    assert "/trust/RXK?" not in register


def test_the_register_search_marks_a_deregistered_providers_special_measures_and_notices_as_they_stood_then(
    site: tuple[TestClient, Cli],
):
    client, cli = site
    # Given: RXK (deregistered on 2020-04-01, above) in special measures with a warning notice open then.
    before_it = [
        entered("2019-01-01", provider_id="RXK"),
        {"type": "WarningNoticeIssued", "provider_id": "RXK", "notice_id": "WN-RXK", "section": "29A", "on": "2019-02-01"},
    ]
    assert cli("record", input=before_it).exit_code == 0

    after = client.get("/?at=2021-06-01&q=sandwell").text
    on_its_day = client.get("/?at=2020-04-01&q=sandwell").text

    # Then: after its day both are marked as they stood then, as `trusts --deregistered` marks them.
    assert after.count(">(then)</span>") == 2
    assert "quality (then)" in cli("trusts", "--at", "2021-06-01", "--deregistered").stdout
    # And: on its day, still on the register, nothing is marked.
    assert "(then)" not in on_its_day


def test_the_register_filters_by_region_and_type_and_offers_the_regions_it_holds(site: tuple[TestClient, Cli]):
    client, _ = site

    west = client.get("/?at=2019-01-01&region=West+Midlands").text
    ambulances = client.get("/?at=2019-01-01&type=Ambulance").text

    assert "/trust/RWP?" in west and "/trust/RXK?" in west and "/trust/RX9?" not in west
    assert "/trust/RX9?" in ambulances and "/trust/RWP?" not in ambulances
    assert "<option>East Midlands</option><option selected>West Midlands</option>" in west
    assert 'href="/api/trusts?at=2019-01-01&amp;region=West+Midlands"' in west


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("/api/changes?from=2019-01-01", "both days are needed"),
        ("/api/counts", "both days are needed"),
        ("/changes?from=2020-01-01&to=2019-01-01", "from: 2020-01-01 is after to 2019-01-01"),
        ("/api/counts?from=2020-01-01&to=2019-01-01", "from: 2020-01-01 is after to 2019-01-01"),
        ("/changes?from=2019-02-30&to=2019-12-31", 'from: "2019-02-30" is not a day'),
        ("/counts?every=fortnight", 'every: "fortnight" is not one of month, quarter, year'),
        ("/counts?by=colour", 'by: "colour" is not one of rating, special-measures, segment'),
        ("/changes?level=ward", 'level: "ward" is not one of trust, location, service'),
        ("/api/changes?from=2019-01-01&to=2019-12-31&question=kind", 'question: "kind" is not a question'),
        ("/counts?rating=Grand", 'rating: "Grand" is not a CQC rating'),
        ("/changes?type=castle", 'type: "castle" is not a provider type'),
        ("/api/counts?from=2019-01-01&to=2019-12-31&provider_type=castle", 'provider_type: "castle" is not a provider type'),
        ("/counts?known_at=yesterday", 'known_at: "yesterday" is not a time'),
        ("/?special_measures=perhaps", 'special_measures: "perhaps" is not yes or no'),
    ],
)
def test_a_bad_parameter_gets_a_400_saying_what_is_wrong(site: tuple[TestClient, Cli], url: str, says: str):
    client, _ = site

    response = client.get(url)

    assert response.status_code == 400
    text = response.json()["error"] if url.startswith("/api/") else html.unescape(response.text)
    assert says in text
    assert "Traceback" not in response.text


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("/counts?from=1000-01-01&to=9999-12-31", "1000-01-01 to 9999-12-31 is 108,000 months, more than the 240 periods"),
        ("/api/counts?from=1000-01-01&to=9999-12-31", "is 108,000 months, more than the 240 periods the site counts at once"),
        ("/api/counts?from=2005-01-01&to=2025-01-01", "is 241 months, more than the 240 periods the site counts at once"),
        ("/counts?from=1900-01-01&to=2024-12-31&every=quarter", "is 500 quarters, more than the 240 periods"),
        ("/api/counts?from=1000-01-01&to=1999-12-31&every=year", "is 1,000 years, more than the 240 periods"),
    ],
)
def test_counts_over_too_many_periods_are_refused_before_anything_is_counted(site: tuple[TestClient, Cli], url: str, says: str):
    # Before the limit a public page counted every period it was asked: 1000-01-01 to 9999-12-31
    # by month took minutes of the server's processor.
    client, _ = site

    response = client.get(url)

    assert response.status_code == 400
    text = response.json()["error"] if url.startswith("/api/") else html.unescape(response.text)
    assert says in text
    narrower = "ask a shorter range" if "every=year" in url else "count every "
    assert narrower in text and ("or year" in text) == ("every=year" not in url and "every=quarter" not in url)


@pytest.mark.parametrize("every", ["month", "quarter", "year"])
def test_counts_of_the_most_periods_the_site_counts_are_answered(site: tuple[TestClient, Cli], every: str):
    client, _ = site
    start = {"month": "2005-01-01", "quarter": "1965-01-01", "year": "1785-01-01"}[every]

    rows = client.get(f"/api/counts?from={start}&to=2024-12-31&every={every}").json()
    page = client.get(f"/counts?from={start}&to=2024-12-31&every={every}")

    assert len(rows) == 240
    assert page.status_code == 200 and page.text.count('<tr><td><a href="/?at=') == 240


def test_hostile_names_and_parameters_are_shown_as_text(cli: Cli, db: str):
    hostile = [
        registered("EVL", name=f"Evil {HOSTILE} Trust", provider_type="acute", region=f"North {HOSTILE}"),
        location("EVL01", provider_id="EVL", name=f"Ward {HOSTILE}"),
        report("R-EVL", "2019-01-01", cell("overall", "Good"), provider_id="EVL"),
    ]
    assert cli("record", input=hostile).exit_code == 0
    client = TestClient(create_app(db))

    pages = [
        client.get("/changes?from=2018-01-01&to=2019-12-31").text,
        client.get(f"/changes?from=2018-01-01&to=2019-12-31&region={HOSTILE}").text,
        client.get("/counts?from=2018-01-01&to=2019-12-31&every=year").text,
        client.get(f"/counts?from=2018-01-01&to=2019-12-31&region=North+{HOSTILE}").text,
        client.get(f"/?at=2019-06-01&q=ward+{HOSTILE}").text,
        client.get(f"/?at=2019-06-01&region=North+{HOSTILE}").text,
        client.get(f"/changes?from=2019-01-01&to=2019-12-31&question={HOSTILE}").text,
    ]

    for page in pages:
        assert HOSTILE not in page
        assert "<script>alert" not in page
    assert "Evil &lt;script&gt;alert(" in pages[0]
    assert "North &lt;script&gt;alert(" in pages[3]
    assert "/trust/EVL?" in pages[4] and "/trust/EVL?" in pages[5]  # found by its location's name; its region filtered


@pytest.mark.parametrize("url", ["/changes?to=0001-03-01", "/counts?to=0003-01-01&every=year", "/changes?to=2024-02-29"])
def test_a_page_fills_the_days_missing_even_near_the_calendars_edges(site: tuple[TestClient, Cli], url: str):
    client, _ = site

    response = client.get(url)

    assert response.status_code == 200, response.text


def test_the_register_says_on_a_providers_deregistration_day_that_it_leaves_the_register_after_it(site: tuple[TestClient, Cli]):
    client, cli = site

    on_its_day = html.unescape(client.get("/?at=2020-04-01").text)
    searched = html.unescape(client.get("/?at=2020-04-01&q=sandwell").text)
    day_before = html.unescape(client.get("/?at=2020-03-31&q=sandwell").text)

    # Then: on its day, searched for or not, RXK is listed as `trusts` lists it, leaving after the day
    leaving = "(deregistered 2020-04-01: off the register from the next day)"
    assert leaving in cli("trusts", "--at", "2020-04-01").stdout
    assert leaving in on_its_day and leaving in searched
    assert searched.count("(deregistered") == 1
    # And: the day before, the search says the day as `find` says it (as known now)
    assert "(deregistered 2020-04-01)" in day_before
