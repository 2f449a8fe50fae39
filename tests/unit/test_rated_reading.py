"""How `changes` reads a stored entry that sets ratings (`register_facts.read_rated`): its cells by
place and question, whatever words a cell uses, and only the cells asked for when some are."""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson

from cqc_ledger.projections.register_facts import Rated, read_rated

TRUST_OVERALL = (None, None, "overall")
SURGERY_SAFE = ("RWP01", "Surgery", "safe")


def stored(body: dict[str, Any], topic: str = "ReportPublished", position: int = 3) -> tuple[Any, ...]:
    """A row as the views read it: provider, position, mend, topic, state (its time of recording
    in front), the mend's state."""
    return ("RWP", position, 0, topic, orjson.dumps({"recorded_at": "2019-03-02T09:00:00.000000Z"} | body), None)


def report(*cells: dict[str, Any]) -> dict[str, Any]:
    return {"provider_id": "RWP", "report_id": "R1", "on": "2019-03-01", "inspection_ids": ["I1"], "ratings": list(cells)}


OVERALL_GOOD = {"question": "overall", "rating": "Good"}
SURGERY_NOT_RATED = {"location_id": "RWP01", "service": "Surgery", "question": "safe", "rating": "Inspected but not rated"}


def test_a_report_is_read_as_its_cells_by_place_and_question():
    # Given a report rating the trust and a service at a location
    row = stored(report(OVERALL_GOOD, SURGERY_NOT_RATED))
    # When it is read
    found = read_rated(row)
    # Then each cell is keyed by location, service and question
    assert found == Rated(date(2019, 3, 1), 3, "ReportPublished", {TRUST_OVERALL: "Good", SURGERY_SAFE: "Inspected but not rated"})


def test_a_service_cqc_does_not_list_is_read_as_written():
    # Given a report rating a service by a name that is none of CQC's (the ledger keeps it as written)
    own_name = {"location_id": "RWP01", "service": "Hyperbaric medicine", "question": "safe", "rating": "Good"}
    # When it is read
    found = read_rated(stored(report(OVERALL_GOOD, own_name)))
    # Then its cells are those of any other report
    assert found.cells == {TRUST_OVERALL: "Good", ("RWP01", "Hyperbaric medicine", "safe"): "Good"}


def test_a_revision_is_read_as_its_one_cell():
    revision = {"provider_id": "RWP", "on": "2019-05-01", "reason": "rating review", "cell": SURGERY_NOT_RATED | {"rating": "Good"}}
    assert read_rated(stored(revision, topic="RatingRevised")).cells == {SURGERY_SAFE: "Good"}


def test_an_entry_read_for_some_of_its_cells_keeps_only_those():
    # Given a report of two cells, one of them a service CQC does not list
    own_name = {"location_id": "RWP01", "service": "Hyperbaric medicine", "question": "safe", "rating": "Good"}
    for cells in ((OVERALL_GOOD, SURGERY_NOT_RATED), (OVERALL_GOOD, own_name)):
        # When it is read for the trust's overall rating only
        found = read_rated(stored(report(*cells)), {TRUST_OVERALL})
        # Then that cell alone is kept
        assert found.cells == {TRUST_OVERALL: "Good"}
    # And read for none, it keeps none (its day and position stand)
    assert read_rated(stored(report(OVERALL_GOOD)), set()) == Rated(date(2019, 3, 1), 3, "ReportPublished", {})
