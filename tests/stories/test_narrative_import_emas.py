"""East Midlands Ambulance Service NHS Trust (RX9), as CQC's API tells it, imported and replayed.

A user imports the trust's provider response and its headquarters' location response, then asks
the trust's status on the days its historic ratings were published: each day must show exactly
the ratings that snapshot published, and the days between keep them. The dates and ratings are
drawn from the response itself, so the test reads the same story the regulator published.
"""

from __future__ import annotations

import orjson
from cqc_data import FIXTURES, fixture, place, rated, run_import, status

RI, GOOD, INADEQUATE = "Requires improvement", "Good", "Inadequate"
EUC = "Emergency and urgent care"
QUESTIONS = {"Safe": "safe", "Effective": "effective", "Caring": "caring", "Responsive": "responsive", "Well-led": "well-led"}
RX9 = orjson.loads((FIXTURES / "RX9.json").read_bytes())


def published_in(snapshot: dict) -> dict[str, str]:
    """The trust's ratings a historic snapshot published, by question (no-rating words left out)."""
    words = {"overall": snapshot["overall"]["rating"]}
    words.update({QUESTIONS[kq["name"]]: kq["rating"] for kq in snapshot["overall"]["keyQuestionRatings"]})
    return {q: r for q, r in words.items() if r in (GOOD, RI, INADEQUATE, "Outstanding")}


def test_emas_history_replays_from_its_api_responses(cli):
    # Step 1: the user imports what CQC's API says of the trust and of its headquarters.
    outcome = run_import(cli, "cqc-api", fixture("RX9"), fixture("RX901"))
    assert outcome["recorded"][:2] == ["RX9/1", "RX9/2"]  # the trust, then its headquarters

    # Step 2: before its first rated report (the 2014 compliance report had no rating), no ratings.
    early = status(cli, "RX9", "2015-12-31")
    assert (early["name"], early["ratings"]) == ("East Midlands Ambulance Service NHS Trust", {})
    assert early["last_report"]["on"] == "2014-04-09"

    # Step 3: on each day a historic snapshot was published, the trust shows what it published.
    rated_snapshots = [s for s in RX9["historicRatings"] if published_in(s)]
    assert [s["reportDate"] for s in rated_snapshots] == ["2017-06-13", "2016-05-10"]
    for snapshot in rated_snapshots:
        shown = rated(status(cli, "RX9", snapshot["reportDate"])["ratings"])
        assert {q: r for q, (r, _) in shown.items()} == published_in(snapshot), snapshot["reportDate"]
        assert {since for _, since in shown.values()} == {snapshot["reportDate"]}

    # Step 4: the days between reports keep the last published ratings.
    assert rated(status(cli, "RX9", "2017-06-12")["ratings"])["overall"] == (RI, "2016-05-10")

    # Step 5: its services sit at trust level; emergency and urgent care's safety went from
    # Inadequate (May 2016) to requires improvement (June 2017) to good (July 2019).
    assert [rated(place(status(cli, "RX9", day), None, EUC))["safe"] for day in ("2016-05-10", "2017-06-13", "2019-07-17")] == [
        (INADEQUATE, "2016-05-10"),
        (RI, "2017-06-13"),
        (GOOD, "2019-07-17"),
    ]

    # Step 6: today, the July 2019 report holds: good overall, caring outstanding.
    now = status(cli, "RX9", "2026-01-01")
    assert rated(now["ratings"])["overall"] == (GOOD, "2019-07-17")
    assert rated(now["ratings"])["caring"] == ("Outstanding", "2019-07-17")
    assert (now["last_inspection"]["on"], now["last_report"]["on"]) == ("2019-04-02", "2019-07-17")

    # Step 7: the headquarters is registered, and rated nothing of its own.
    assert [(loc["location_id"], loc["ratings"]) for loc in now["locations"]] == [("RX901", {})]
