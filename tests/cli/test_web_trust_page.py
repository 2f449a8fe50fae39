"""The trust page says what `status` says: each rating with the days it has stood and was last
published, inherited from where, inspected without a new rating; the services superseded at each
place; and a deregistered place's ratings as no longer in force. Held row by row against
`status --json` for every provider of CQC's real responses on three days (before and after
Musgrove Park moved from RBA to RH5, the capture day), and for the examples."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import builders
import orjson
import pytest
from ledgers import ok, record_examples
from real_responses import CAPTURED, FILES, PROVIDERS, imported, new_ledger

pytest.importorskip("starlette", reason="the web extra is not installed: pip install 'cqc-ledger[web]'")
pytest.importorskip("httpx", reason="the site's tests need httpx: pip install 'cqc-ledger[webtest]'")

from click.testing import CliRunner
from starlette.testclient import TestClient

from cqc_ledger.cli import main
from cqc_ledger.web.app import create_app

QUESTIONS = ("overall", "safe", "effective", "caring", "responsive", "well-led", "use-of-resources", "combined")
Row = tuple[str, list[str]]  # what a row of the ratings table says: its heading, then each cell


class RatingsTable(HTMLParser):
    """The rows of the page's ratings table as text, each cell's pieces joined by a space, and
    the cells that link to an explanation (by row and column)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Row] = []
        self.links: set[tuple[int, int]] = set()
        self._in_table = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and ("class", "ratings") in attrs:
            self._in_table = True
        elif not self._in_table:
            return
        elif tag == "tr":
            self.rows.append(("", []))
        elif tag in ("th", "td") and self.rows and not self._in_head():
            self._cell = []
        elif tag == "a" and self._cell is not None:
            self.links.add((len(self.rows) - 1, len(self.rows[-1][1])))

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._in_table = False
        elif tag in ("th", "td") and self._cell is not None:
            text = " ".join(piece for piece in self._cell if piece)
            heading, cells = self.rows[-1]
            self.rows[-1] = (text, cells) if tag == "th" and not cells and not heading else (heading, [*cells, text])
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(" ".join(data.split()))

    def _in_head(self) -> bool:
        return len(self.rows) == 1  # the first row: the questions' headings


def table(page: str) -> RatingsTable:
    parsed = RatingsTable()
    parsed.feed(page)
    parsed.rows = parsed.rows[1:]
    parsed.links = {(row - 1, column) for row, column in parsed.links}
    return parsed


def said(value: dict[str, Any] | None) -> str:
    """What status's JSON says of a rating, in the words its text uses."""
    if not value:
        return ""
    run, last = value["unchanged_since"], value["since"]
    notes = [f"since {run}" if run == last else f"since {run}, last published {last}"]
    if value.get("inherited"):
        notes.append(f"inherited from {value['inherited_from']}" if value["inherited_from"] else "inherited")
    if value.get("inspected_without_rating"):
        notes.append(f"inspected {value['inspected_without_rating']['on']} without a new rating")
    return f"{value['rating']} {'; '.join(notes)}"


def rows_of(ratings: dict[str, Any]) -> list[str]:
    return [said(ratings.get(q)) for q in QUESTIONS]


def superseded(place: dict[str, Any]) -> list[Row]:
    return [
        (gone["service"], [f"superseded on {gone['on']}{' by ' + ', '.join(gone['by']) if gone['by'] else ''} ({gone['ref']})"])
        for gone in place["superseded_services"]
    ]


def expected(doc: dict[str, Any]) -> list[tuple[Row, bool]]:
    """The page's ratings table as status's JSON has it: the trust, its services and those
    superseded; then each location (a deregistered one saying its ratings are no longer in
    force), its services and those superseded. Each row with whether its ratings link to their
    explanations: those in force do; none at a deregistered place (explain says no rating is in
    force there), nor a superseded service's words."""
    live = doc["in_force"]  # a deregistered provider's ratings are no longer in force (from the day after its deregistration)
    rows = [(("The trust", rows_of(doc["ratings"])), live)]
    rows += [((s["service"], rows_of(s["ratings"])), live) for s in doc["services"]]
    rows += [(gone, False) for gone in superseded(doc)]
    for loc in doc["locations"]:
        heading = f"{loc['name'] or loc['location_id']} {loc['location_id']}"
        if loc["deregistered_on"]:
            heading += f" deregistered {loc['deregistered_on']}"
            if loc["in_force"]:  # its deregistration day: still on the register
                heading += ": on the register through this day, off it from the next"
            elif loc["ratings"] or loc["services"]:
                heading += f": its ratings when it was deregistered on {loc['deregistered_on']}, no longer in force"
        rows.append(((heading, rows_of(loc["ratings"])), live and loc["in_force"]))
        rows += [((s["service"], rows_of(s["ratings"])), live and loc["in_force"]) for s in loc["services"]]
        rows += [(gone, False) for gone in superseded(loc)]
    return rows


def expected_rows(doc: dict[str, Any]) -> list[Row]:
    return [row for row, _ in expected(doc)]


def linked_cells(doc: dict[str, Any]) -> set[tuple[int, int]]:
    return {(i, j) for i, ((_, cells), linked) in enumerate(expected(doc)) if linked for j, cell in enumerate(cells) if cell}


def status_json(db: str, provider_id: str, at: str) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["--db", db, "status", provider_id, "--at", at, "--json"])
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, TestClient]:
    """The README's loop over CQC's real responses: the 17 providers registered, all imported."""
    db = new_ledger(tmp_path_factory.mktemp("real") / "ledger.db")
    imported(db, FILES)
    return str(db), TestClient(create_app(str(db)))


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, TestClient]:
    db = tmp_path_factory.mktemp("examples") / "ledger.db"
    record_examples(db)
    return str(db), TestClient(create_app(str(db)))


def page_and_status(site: tuple[str, TestClient], provider_id: str, at: str) -> tuple[RatingsTable, dict[str, Any]]:
    db, client = site
    response = client.get(f"/trust/{provider_id}?at={at}")
    assert response.status_code == 200, response.text
    return table(response.text), status_json(db, provider_id, at)


# RBA11 rated and in force; deregistered, RH5A8 inheriting; RBA11's deregistration day, in force through it
@pytest.mark.parametrize("at", ["2016-06-30", "2020-03-31", CAPTURED, "2020-04-02"])
@pytest.mark.parametrize("provider_id", PROVIDERS)
def test_the_trust_page_says_of_every_rating_what_status_says_on_the_real_data(real: tuple[str, TestClient], provider_id: str, at: str):
    page, doc = page_and_status(real, provider_id, at)

    assert page.rows == expected_rows(doc)
    assert page.links == linked_cells(doc)


def cell(page: RatingsTable, heading: str, question: str) -> str:
    """The cell of the first row whose heading starts with `heading`."""
    cells = next(cells for h, cells in page.rows if h.startswith(heading))
    return cells[QUESTIONS.index(question)]


def test_the_marks_the_auditor_found_missing_are_on_the_page(real: tuple[str, TestClient]):
    inherited, _ = page_and_status(real, "RH5", "2021-04-08")
    inspected, _ = page_and_status(real, "RH8", "2021-04-08")
    musgrove, _ = page_and_status(real, "RBA", "2021-04-08")
    guys, _ = page_and_status(real, "RK9", "2021-04-08")

    assert cell(inherited, "Musgrove Park Hospital RH5A8", "overall") == "Good since 2020-03-24; inherited from RBA11"
    assert "inspected 2018-03-05 without a new rating" in cell(inspected, "Surgery", "overall")
    assert any(
        heading == "Maternity and gynaecology" and cells[0].startswith("superseded on 2020-03-24 by Maternity (RBA/")
        for heading, cells in musgrove.rows
    )
    assert any(cells[0].startswith("superseded on ") for _, cells in guys.rows)


def test_a_deregistered_locations_ratings_are_said_to_be_no_longer_in_force_and_link_nowhere(real: tuple[str, TestClient]):
    page, _ = page_and_status(real, "RBA", "2021-04-08")

    row = next(i for i, (heading, _) in enumerate(page.rows) if "RBA11" in heading)
    heading, cells = page.rows[row]

    assert heading.endswith("deregistered 2020-04-02: its ratings when it was deregistered on 2020-04-02, no longer in force")
    assert cells[0] == "Good since 2016-05-25, last published 2020-03-24"
    assert not {link for link in page.links if link[0] == row}


def test_a_deregistered_providers_ratings_are_said_to_be_in_force_through_its_day_then_no_longer_and_link_nowhere(db: str):
    lines = [
        builders.registered("RXX", provider_type="acute"),
        builders.location("RXX01", provider_id="RXX"),
        builders.report(
            "RXX-2016", "2016-06-01", builders.cell("overall", "Good"), builders.cell("overall", "Good", "RXX01"), provider_id="RXX"
        ),
        {"type": "ProviderDeregistered", "provider_id": "RXX", "on": "2020-03-31", "successor_id": "RYY"},
    ]
    ok(db, "record", "-", input="".join(orjson.dumps(line).decode() + "\n" for line in lines))
    client = TestClient(create_app(db))

    gone = "its ratings, special measures, oversight and notices below are as they stood then, no longer in force"
    leaving = "on the register through this day, off it from the next"
    for at, live, said in (("2020-03-30", True, None), ("2020-03-31", True, leaving), ("2020-04-01", False, gone)):
        response = client.get(f"/trust/RXX?at={at}")
        assert response.status_code == 200, response.text
        page, doc = table(response.text), status_json(db, "RXX", at)
        assert page.rows == expected_rows(doc)
        assert page.links == linked_cells(doc)
        assert bool(page.links) is live  # in force through its deregistration day; linked to no explanation after
        assert (gone in response.text) is not live
        assert ("Deregistered on 2020-03-31" in response.text) is (said is not None)
        if said:
            assert "Deregistered on 2020-03-31; successor" in response.text and f": {said}." in response.text
    assert f"deregistered on 2020-03-31, succeeded by RYY: {gone}" in ok(db, "status", "RXX", "--at", "2020-04-01").stdout


def test_a_rating_published_again_says_since_when_it_has_stood_and_when_it_was_last_published(examples: tuple[str, TestClient]):
    page, doc = page_and_status(examples, "RWP", "2019-10-01")

    assert cell(page, "The trust", "caring") == "Good since 2017-06-20, last published 2018-06-05"
    assert page.rows == expected_rows(doc)


def test_the_status_text_says_the_same_of_a_deregistered_location(real: tuple[str, TestClient]):
    db, _ = real

    text = CliRunner().invoke(main, ["--db", db, "status", "RBA", "--at", "2021-04-08"]).stdout

    assert (
        "RBA11 Musgrove Park Hospital, deregistered 2020-04-02\n"
        "  its ratings when it was deregistered on 2020-04-02, no longer in force:\n"
        "  overall Good (since 2016-05-25, last published 2020-03-24)"
    ) in text


def test_on_its_deregistration_day_a_real_location_is_in_force_and_said_to_leave_the_register_after_it(real: tuple[str, TestClient]):
    db, client = real

    text = CliRunner().invoke(main, ["--db", db, "status", "RBA", "--at", "2020-04-02"]).stdout
    doc = status_json(db, "RBA", "2020-04-02")
    page = client.get("/trust/RBA?at=2020-04-02").text

    assert (
        "RBA11 Musgrove Park Hospital, deregistered 2020-04-02: on the register through this day, off it from the next\n"
        "  overall Good (since 2016-05-25, last published 2020-03-24)"
    ) in text
    assert text.index("RBA11 Musgrove") < text.index("Deregistered locations")  # listed with the locations in force
    musgrove = next(loc for loc in doc["locations"] if loc["location_id"] == "RBA11")
    assert (musgrove["deregistered_on"], musgrove["in_force"]) == ("2020-04-02", True)
    assert "deregistered 2020-04-02: on the register through this day, off it from the next" in page
