"""What a report's cells name, worked out once for the checks of an entry: the same values, and the
same answer on whether its cells are distinct, as asking the cells one by one."""

from __future__ import annotations

from datetime import date

from builders import cell, report
from hypothesis import given
from hypothesis import strategies as st

from cqc_ledger.events.base import RatingCell
from cqc_ledger.ledger.cells import named
from cqc_ledger.ledger.meaning import new_services
from cqc_ledger.ledger.parsing import parse_entry

_CELLS = st.builds(
    RatingCell,
    location_id=st.sampled_from((None, "RWP01", "RWP02")),
    service=st.sampled_from((None, "Surgery", "Maternity")),
    question=st.sampled_from(("overall", "safe", "use-of-resources")),
    rating=st.sampled_from(("Good", "Inadequate")),
)


@given(st.lists(_CELLS, max_size=12).map(tuple), st.lists(_CELLS, max_size=12).map(tuple))
def test_the_values_cells_name_are_those_of_each_cell_whichever_cells_were_asked_before(earlier, cells):
    named(earlier)

    found = named(cells)

    assert found.places == {c.location_id for c in cells} - {None}
    assert found.services == {c.service for c in cells} - {None}
    assert found.questions == {c.question for c in cells}
    assert found.distinct == (len({c.key for c in cells}) == len(cells))
    assert named(cells) is found  # asked again of the same cells: remembered


def test_the_new_services_of_a_report_are_noted_in_the_order_its_cells_name_them():
    names = ("Neonatal intensive care", "Surgery", "Cardiac theatres", "Hand clinic")
    cells = [cell("overall", "Good", location_id="RWP01", service=name) for name in names]
    cells.append(cell("safe", "Good", location_id="RWP01", service="Neonatal intensive care"))
    entry = parse_entry(report("R1", "2016-01-01", *cells), today=date(2026, 1, 1))

    assert new_services(entry) == ["Neonatal intensive care", "Cardiac theatres", "Hand clinic"]
