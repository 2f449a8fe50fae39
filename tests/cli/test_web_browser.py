"""The site in a real browser: `serve` started as a user starts it, Debian's Chromium driven by
Playwright, every page opened, the register followed to a trust and on to an explanation, the
chart drawn, changes and counts (with its chart drawn) opened, and nothing fetched from anywhere
but the site. Screenshots are kept in test-artifacts/browser/ (or $CQC_ARTIFACTS)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from browser import CHROMIUM, browsing, serving, shoot
from conftest import ROOT
from ledgers import ok, record_examples

pytest.importorskip("playwright", reason="the browser tests need Playwright: pip install 'cqc-ledger[webtest]'")
pytest.importorskip("starlette", reason="the web extra is not installed: pip install 'cqc-ledger[web]'")
from playwright.sync_api import Error as PlaywrightError

if not Path(CHROMIUM).exists():
    if os.environ.get("CI") == "true":
        pytest.fail(f"the browser tests must run in CI: no Chromium at {CHROMIUM} (apt-get install chromium)", pytrace=False)
    pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium (or set CQC_CHROMIUM)", allow_module_level=True)

ARTIFACTS = Path(os.environ.get("CQC_ARTIFACTS", ROOT / "test-artifacts")) / "browser"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site over a ledger of the two example trusts, served by `cqc-ledger serve`."""
    db = str(tmp_path_factory.mktemp("site") / "ledger.db")
    record_examples(db)
    with serving(db) as base:
        yield base


@pytest.fixture
def page(site: str) -> Iterator[tuple[Any, list[str]]]:
    outside: list[str] = []
    with browsing(site, outside) as page:
        yield page, outside
    assert outside == [], f"the page tried to fetch from outside: {outside}"


def test_register_to_trust_to_explanation_with_the_chart_drawn(site: str, page: tuple[Any, list[str]]):
    tab, outside = page

    # The register on a day, each trust linked.
    tab.goto(f"{site}/?at=2018-01-01")
    assert tab.locator("h1").inner_text() == "The register on 2018-01-01"
    shoot(tab, ARTIFACTS / "register.png")

    # Follow Worcestershire to its page: the status on that day, with its timeline drawn.
    tab.get_by_role("link", name="Worcestershire Acute Hospitals NHS Trust").click()
    tab.wait_for_selector("#chart[data-drawn=yes]", timeout=30_000)
    assert "Worcestershire Acute Hospitals NHS Trust" in tab.locator("h1").inner_text()
    assert tab.locator("#chart svg .mark-rect path").count() >= 10
    assert tab.locator("#chart svg .mark-rule line").count() >= 1
    shoot(tab, ARTIFACTS / "trust.png")
    tab.locator("#chart").screenshot(path=str(ARTIFACTS / "trust-chart.png"))

    # Its overall rating links to how it came about.
    tab.locator("table.ratings tr.trust a.rating").first.click()
    tab.wait_for_load_state()
    assert "/trust/RWP/explain?question=overall&at=2018-01-01" in tab.url
    assert "Inadequate" in tab.locator("p.headline").inner_text()
    assert "RWP-2017-06-20" in tab.locator("main").inner_text()
    shoot(tab, ARTIFACTS / "explain.png")
    assert outside == []


def test_changes_and_counts_with_the_counts_chart_drawn(site: str, page: tuple[Any, list[str]]):
    tab, outside = page

    # What changed across the register, each new rating linked to how it came about.
    tab.goto(f"{site}/changes?from=2014-01-01&to=2020-12-31&level=trust&question=overall")
    assert tab.locator("h1").inner_text() == "What changed from 2014-01-01 to 2020-12-31"
    assert tab.locator("table.changes tbody tr").count() >= 3
    shoot(tab, ARTIFACTS / "changes.png")
    tab.locator("table.changes tbody tr a.rating").first.click()
    tab.wait_for_load_state()
    assert "/explain?question=overall&at=" in tab.url

    # From the header to the counts: the series drawn in the browser, a bar per year and value.
    tab.get_by_role("link", name="Counts", exact=True).click()
    tab.wait_for_load_state()
    tab.goto(f"{site}/counts?from=2014-01-01&to=2024-12-31&every=year")
    tab.wait_for_selector("#chart[data-drawn=yes]", timeout=30_000)
    assert tab.locator("h1").inner_text() == "How many providers, 2014-01-01 to 2024-12-31"
    assert tab.locator("#chart svg .mark-rect path").count() >= 11  # eleven years' ends, at least one value each
    assert tab.locator("table.counts tbody tr").count() == 11
    shoot(tab, ARTIFACTS / "counts.png")
    tab.locator("#chart").screenshot(path=str(ARTIFACTS / "counts-chart.png"))
    assert outside == []


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/", "The register on"),
        ("/?special_measures=1&at=2017-01-01", "The register on 2017-01-01"),
        ("/trust/RX9?at=2020-01-01", "East Midlands Ambulance Service NHS Trust"),
        ("/trust/RWP/history", "History of Worcestershire Acute Hospitals NHS Trust"),
        ("/trust/RWP/diff?from=2017-01-01&to=2019-12-31", "What changed at Worcestershire Acute Hospitals NHS Trust"),
        ("/trust/RX9/explain?service=Emergency+and+urgent+care&question=safe&at=2020-01-01", "East Midlands Ambulance Service NHS Trust"),
        ("/changes", "What changed from"),
        ("/counts?every=quarter", "How many providers"),
        ("/?q=worcestershire+royal&type=acute", "The register on"),
    ],
)
def test_each_page_opens_with_nothing_from_outside(site: str, page: tuple[Any, list[str]], path: str, heading: str):
    tab, outside = page

    response = tab.goto(f"{site}{path}")

    assert response.status == 200
    assert heading in tab.locator("h1").inner_text()
    if path.startswith(("/trust/RX9?", "/counts")):
        tab.wait_for_selector("#chart[data-drawn=yes]", timeout=30_000)
        assert tab.locator("#chart svg .mark-rect path").count() >= 6
    shoot(tab, ARTIFACTS / f"page-{path.strip('/').split('?')[0].replace('/', '-') or 'register'}.png")
    assert outside == []


def test_an_unknown_trust_is_a_404_page_and_a_bad_day_a_400_page(site: str, page: tuple[Any, list[str]]):
    tab, _ = page

    unknown = tab.goto(f"{site}/trust/NOPE")
    assert unknown.status == 404 and tab.locator("h1").inner_text() == "Not found"
    bad = tab.goto(f"{site}/?at=someday")
    assert bad.status == 400 and "is not a day" in tab.locator("p.error").inner_text()
    shoot(tab, ARTIFACTS / "bad-request.png")


def test_a_request_to_outside_is_caught(site: str):
    outside: list[str] = []

    with browsing(site, outside) as tab:
        tab.goto(f"{site}/")
        # The pages' Content-Security-Policy already stops a script's fetch; a navigation shows the guard itself works.
        blocked = tab.evaluate("fetch('http://example.org/x').then(() => false, () => true)")
        with pytest.raises(PlaywrightError):
            tab.goto("http://example.org/x")

    assert blocked is True
    assert outside == ["http://example.org/x"]


def test_a_search_for_a_deregistered_location_shows_its_day_as_find_does(tmp_path: Path):
    # Given: the examples, with RWP's Kidderminster Hospital deregistered on 2024-06-30.
    db = str(tmp_path / "ledger.db")
    record_examples(db)
    gone = {"type": "LocationDeregistered", "provider_id": "RWP", "location_id": "RWP51", "on": "2024-06-30"}
    ok(db, "record", "-", input=orjson.dumps(gone) + b"\n")
    outside: list[str] = []

    with serving(db) as base, browsing(base, outside) as tab:
        # When: a person searches the register for it.
        tab.goto(f"{base}/?at=2025-01-01")
        tab.get_by_role("searchbox", name="Search").fill("kidderminster")
        tab.get_by_role("button", name="Show").click()
        tab.wait_for_load_state()
        shoot(tab, ARTIFACTS / "register-search-deregistered.png")

        # Then: its trust is listed, the location marked with its day as `find` says it.
        said = tab.locator("table.register tbody").inner_text()
        assert "Worcestershire Acute Hospitals NHS Trust" in said
        assert "location RWP51 Kidderminster Hospital and Treatment Centre (deregistered 2024-06-30)" in said
        assert "(deregistered 2024-06-30)" in ok(db, "find", "kidderminster").stdout
    assert outside == []
