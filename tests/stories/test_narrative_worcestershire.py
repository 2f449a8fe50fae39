"""Worcestershire Acute Hospitals NHS Trust (RWP), 2015 to 2023, as the public record tells it.

The history in examples/RWP.jsonl is recorded through the CLI, as a user would, and the trust's
status is asked on the days that matter. Each assertion cites the row of
shared/reference/trust-events-RX9-RWP.csv (by its event_date) that states the fact.
"""

from __future__ import annotations

import csv
from typing import Any

import orjson
from conftest import EXAMPLES, SHARED

RWP = EXAMPLES / "RWP.jsonl"
CSV = SHARED / "reference" / "trust-events-RX9-RWP.csv"

INADEQUATE, RI, GOOD = "Inadequate", "Requires improvement", "Good"
UEC = "Urgent and emergency services"
MEDICAL = "Medical care (including older people's care)"


def status(cli, day: str, known_at: str | None = None) -> dict[str, Any]:
    args = ["status", "RWP", "--at", day, "--json", *(["--known-at", known_at] if known_at else [])]
    result = cli(*args)
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout)


def rating(ratings: dict[str, Any], question: str) -> tuple[str, str] | None:
    """(rating, since) of one question, or None when it has no value."""
    value = ratings.get(question)
    return (value["rating"], value["since"]) if value else None


def location(doc: dict[str, Any], location_id: str) -> dict[str, Any]:
    return next(loc for loc in doc["locations"] if loc["location_id"] == location_id)


def service(doc: dict[str, Any], location_id: str, name: str) -> dict[str, Any]:
    return next(s for s in location(doc, location_id)["services"] if s["service"] == name)["ratings"]


def notice(doc: dict[str, Any], notice_id: str) -> dict[str, Any]:
    return next(n for n in doc["warning_notices"] if n["notice_id"] == notice_id)


def regimes(doc: dict[str, Any]) -> list[tuple[str, str]]:
    return [(sm["regime"], sm["since"]) for sm in doc["special_measures"]]


# The rows of the reference CSV (by event_date) that the narrative cites.
CITED = (
    "2015-03-24",
    "2015-04",
    "2015-06-16",
    "2015-12-02",
    "2015-12",
    "2016-11-22",
    "2017-01-27",
    "2017-06-20",
    "2017-07",
    "2018-01-17",
    "2018-06-05",
    "2019-09-20",
    "2020-09-24",
    "2023-04-06",
)


def test_every_row_the_narrative_cites_is_a_row_of_the_reference():
    rows = list(csv.DictReader(CSV.open(newline="")))
    dates = {row["event_date"] for row in rows if row["ods_code"] == "RWP"}
    assert set(CITED) <= dates


def test_worcestershire_acute_from_its_first_inspection_to_2023(cli):
    # The trust's history, from the public sources, is recorded as one file.
    result = cli("record", str(RWP))
    assert result.exit_code == 0, result.output
    assert "Recorded 28 entries: RWP/1-28." in result.stdout

    # June 2015. CQC inspected the emergency departments unannounced (2015-03-24) and
    # published the report without ratings (2015-06-16). In April it served three warning notices,
    # on staffing, equipment and premises (2015-04). The trust has no rating yet.
    june_2015 = status(cli, "2015-06-30")
    assert june_2015["name"] == "Worcestershire Acute Hospitals NHS Trust"
    assert june_2015["ratings"] == {}
    assert all(loc["ratings"] == {} and loc["services"] == [] for loc in june_2015["locations"])
    assert june_2015["special_measures"] == []
    assert [(n["issued_on"], n["status"]) for n in june_2015["warning_notices"]] == [("2015-04-01", "open")] * 3
    assert june_2015["last_report"]["report_id"] == "RWP-2015-06-16"
    assert june_2015["last_inspection"]["inspection_id"] == "RWP-2015-03"

    # 2016. The comprehensive inspection of July 2015 rated the trust Inadequate overall
    # (2015-12-02), and it was placed in special measures for quality (2015-12).
    in_2016 = status(cli, "2016-06-01")
    assert rating(in_2016["ratings"], "overall") == (INADEQUATE, "2015-12-02")
    assert regimes(in_2016) == [("quality", "2015-12-02")]

    # February 2017. After the inspection of 22-25 November 2016 (2016-11-22), CQC served a
    # section 29A warning notice with a deadline of 10 March 2017 (2017-01-27): it is open.
    february_2017 = status(cli, "2017-02-15")
    wn = notice(february_2017, "RWP-WN-2017-01")
    assert (wn["section"], wn["issued_on"], wn["deadline"], wn["status"], wn["closed_on"]) == (
        "29A",
        "2017-01-27",
        "2017-03-10",
        "open",
        None,
    )
    assert february_2017["last_inspection"]["on"] == "2016-11-22"
    assert rating(february_2017["ratings"], "overall") == (INADEQUATE, "2015-12-02")

    # September 2017. The report of that inspection (2017-06-20): overall Inadequate; safe,
    # responsive and well-led Inadequate; effective Requires improvement; caring Good; the three
    # hospitals each Inadequate. Special measures go on (2017-06-20, extended); in July a second
    # warning notice followed the April focused inspection (2017-07).
    september_2017 = status(cli, "2017-09-01")
    ratings = september_2017["ratings"]
    assert rating(ratings, "overall") == (INADEQUATE, "2017-06-20")
    for question in ("safe", "responsive", "well-led"):
        assert rating(ratings, question) == (INADEQUATE, "2017-06-20")
    assert rating(ratings, "effective") == (RI, "2017-06-20")
    assert rating(ratings, "caring") == (GOOD, "2017-06-20")
    for hospital in ("RWP01", "RWP50", "RWP51"):
        assert rating(location(september_2017, hospital)["ratings"], "overall") == (INADEQUATE, "2017-06-20")
    assert regimes(september_2017) == [("quality", "2015-12-02")]
    assert notice(september_2017, "RWP-WN-2017-02")["status"] == "open"

    # February 2018. The focused inspection of November 2017 (2018-01-17) found urgent and
    # emergency care safe improved to Requires improvement at both hospitals, Alexandra medical
    # care safe likewise, Worcestershire Royal UEC effective Good; the trust overall unchanged.
    february_2018 = status(cli, "2018-02-01")
    assert rating(service(february_2018, "RWP01", UEC), "safe") == (RI, "2018-01-17")
    assert rating(service(february_2018, "RWP50", UEC), "safe") == (RI, "2018-01-17")
    assert rating(service(february_2018, "RWP50", MEDICAL), "safe") == (RI, "2018-01-17")
    assert rating(service(february_2018, "RWP01", UEC), "effective") == (GOOD, "2018-01-17")
    assert rating(february_2018["ratings"], "overall") == (INADEQUATE, "2017-06-20")

    # July 2018. The inspection of January to March 2018 (2018-06-05): well-led improved from
    # Inadequate to Requires improvement; safe and responsive Inadequate; caring Good; effective
    # Requires improvement; overall Inadequate; still in special measures.
    july_2018 = status(cli, "2018-07-01")
    ratings = july_2018["ratings"]
    assert rating(ratings, "well-led") == (RI, "2018-06-05")
    assert rating(ratings, "safe") == rating(ratings, "responsive") == (INADEQUATE, "2018-06-05")
    assert rating(ratings, "caring") == (GOOD, "2018-06-05")
    assert rating(ratings, "effective") == (RI, "2018-06-05")
    assert rating(ratings, "overall") == (INADEQUATE, "2018-06-05")
    assert regimes(july_2018) == [("quality", "2015-12-02")]

    # October 2019. The inspection of May-June 2019 (2019-09-20): overall Requires improvement,
    # from Inadequate; safe Requires improvement; effective Good; use of resources Inadequate;
    # combined Requires improvement. CQC recommended exit from special measures, but the
    # decision was not yet taken: the trust is still in them.
    october_2019 = status(cli, "2019-10-01")
    ratings = october_2019["ratings"]
    assert rating(ratings, "overall") == (RI, "2019-09-20")
    assert rating(ratings, "safe") == (RI, "2019-09-20")
    assert rating(ratings, "effective") == (GOOD, "2019-09-20")
    assert rating(ratings, "use-of-resources") == (INADEQUATE, "2019-09-20")
    assert rating(ratings, "combined") == (RI, "2019-09-20")
    assert regimes(october_2019) == [("quality", "2015-12-02")]

    # September 2020. NHS England and NHS Improvement removed the trust from special measures
    # after almost five years (2020-09-24): in them the day before, out of them that day.
    assert regimes(status(cli, "2020-09-23")) == [("quality", "2015-12-02")]
    assert regimes(status(cli, "2020-09-24")) == []

    # 2021. Out of special measures, still Requires improvement overall (2019-09-20).
    in_2021 = status(cli, "2021-06-01")
    assert in_2021["special_measures"] == []
    assert rating(in_2021["ratings"], "overall") == (RI, "2019-09-20")

    # May 2023. The inspection of November 2022 (2023-04-06): urgent and emergency care at both
    # hospitals improved from Inadequate to Requires improvement, medical care Requires
    # improvement; the trust overall remains Requires improvement.
    may_2023 = status(cli, "2023-05-01")
    for hospital in ("RWP01", "RWP50"):
        assert rating(service(may_2023, hospital, UEC), "overall") == (RI, "2023-04-06")
        assert rating(service(may_2023, hospital, MEDICAL), "overall") == (RI, "2023-04-06")
    assert rating(may_2023["ratings"], "overall") == (RI, "2019-09-20")
    assert may_2023["last_report"]["report_id"] == "RWP-2023-04-06"


def test_what_the_ledger_said_before_it_learned_of_the_2019_report(cli, tmp_path):
    # Given a ledger that, at first, held the trust's history only up to the end of 2018
    lines = RWP.read_text().splitlines()
    up_to_2018 = [line for line in lines if orjson.loads(line)["on"] <= "2018-12-31"]
    first = tmp_path / "RWP-to-2018.jsonl"
    first.write_text("\n".join(up_to_2018) + "\n")
    assert cli("record", str(first)).exit_code == 0
    then = orjson.loads(cli("entries", "RWP", "--json").stdout)[-1]["recorded_at"]

    # When the whole file is recorded later (what was already there is skipped)
    result = cli("record", str(RWP), "--json")
    assert result.exit_code == 0, result.output
    outcome = orjson.loads(result.stdout)
    assert outcome["recorded"] == [f"RWP/{n}" for n in range(len(up_to_2018) + 1, len(lines) + 1)]
    assert len(outcome["skipped"]) == len(up_to_2018)

    # Then, as known now, October 2019 shows the 2019 report (2019-09-20): Requires improvement
    assert rating(status(cli, "2019-10-01")["ratings"], "overall") == (RI, "2019-09-20")
    # But as known then, the ledger said what the June 2018 report (2018-06-05) had left
    earlier = status(cli, "2019-10-01", known_at=then)
    assert earlier["known_at"] == then
    assert rating(earlier["ratings"], "overall") == (INADEQUATE, "2018-06-05")
    assert "use-of-resources" not in earlier["ratings"]
    # And, as known then, the trust was never let out of special measures (2020-09-24)
    assert regimes(status(cli, "2021-06-01", known_at=then)) == [("quality", "2015-12-02")]
    assert regimes(status(cli, "2021-06-01")) == []
