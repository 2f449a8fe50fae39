"""The analysts' SQL views of intervals say what the status fold says: on any day, the ratings,
regimes, segment and names in force by `rating_intervals`, `special_measures_intervals`,
`oversight_intervals` and `name_intervals` are those of replay, with supersession, inheritance,
"Inspected but not rated", corrections, retractions and deregistration (of a location, of the
provider) among the generated histories.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cqc_ledger.ledger.application import Ledger
from cqc_ledger.ledger.store.sql import rows
from cqc_ledger.projections.status import Status, status_at
from cqc_ledger.projections.views import open_views
from tests.conftest import STORES
from tests.store.test_views_equal_replay import PROVIDERS, batches, days, fresh_ledger, record_history

# Deregistrations come after every other day the generator draws (the rules refuse anything but
# a mend dated after a deregistration).
LATER = st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 6, 30))
EXAMPLES = {"sqlite": 40, "postgres": 12}


@st.composite
def deregistrations(draw: Any) -> list[list[dict[str, Any]]]:
    """Batches deregistering RWP01 of some providers, and some providers themselves, later."""
    found = []
    for pid in PROVIDERS:
        on = draw(LATER)
        if draw(st.booleans()):
            found.append([{"type": "LocationDeregistered", "provider_id": pid, "location_id": "RWP01", "on": on.isoformat()}])
        if draw(st.booleans()):
            gone = draw(st.dates(min_value=on, max_value=date(2026, 6, 30)))
            found.append([{"type": "ProviderDeregistered", "provider_id": pid, "on": gone.isoformat()}])
    return found


def in_force(ledger: Ledger, sql: str, at: date) -> list[tuple[Any, ...]]:
    """The rows of an interval view standing at the end of `at`."""
    views = open_views(ledger)
    day = at.isoformat()
    with views.datastore.transaction(commit=False) as c:
        schema = f"{views.names['schema']}." if "schema" in views.names else ""
        c.execute(sql.format(schema=schema, p=views.placeholder), (day, day))
        return [tuple(r.values()) if isinstance(r, dict) else tuple(r) for r in rows(c)]


def expected_cells(status: Status) -> dict[tuple[Any, ...], tuple[str, str]]:
    """The cells standing in the fold's status: none after the provider's deregistration, none of
    a deregistered location."""
    if status.deregistered is not None:
        return {}
    gone = {lid for lid, loc in status.locations.items() if loc.deregistered_on is not None}
    return {
        (status.provider_id, *key): (value.rating, value.since.isoformat()) for key, value in status.cells.items() if key[0] not in gone
    }


RATINGS_IN_FORCE = """SELECT provider_id, location_id, service, question, rating, published_on FROM {schema}rating_intervals
    WHERE valid_from <= {p} AND (valid_until IS NULL OR valid_until > {p})"""
REGIMES_IN_FORCE = """SELECT provider_id, regime, in_force FROM {schema}special_measures_intervals
    WHERE valid_from <= {p} AND (valid_until IS NULL OR valid_until > {p})"""
SEGMENTS_IN_FORCE = """SELECT provider_id, segment FROM {schema}oversight_intervals
    WHERE valid_from <= {p} AND (valid_until IS NULL OR valid_until > {p})"""
NAMES_IN_FORCE = """SELECT provider_id, location_id, name FROM {schema}name_intervals
    WHERE valid_from <= {p} AND (valid_until IS NULL OR valid_until > {p})"""


@pytest.mark.parametrize("store", STORES)
def test_the_interval_views_hold_what_the_fold_holds_on_every_day(store: str, tmp_path_factory: Any) -> None:
    @settings(max_examples=EXAMPLES[store], deadline=None, suppress_health_check=list(HealthCheck))
    @given(plan=batches(), gone=deregistrations(), data=st.data())
    def check(plan: list[list[dict[str, Any]]], gone: list[list[dict[str, Any]]], data: Any) -> None:
        with fresh_ledger(store, tmp_path_factory) as db:
            ledger, _ = record_history(db, [*plan, *gone], data)
            try:
                entries = {pid: ledger.entries_of(pid) for pid in PROVIDERS}
                for _ in range(8):
                    at = data.draw(st.one_of(days, LATER), label="at")
                    replayed = {pid: status_at(entries[pid], pid, at) for pid in PROVIDERS}
                    standing = [s for s in replayed.values() if s.deregistered is None]

                    found = in_force(ledger, RATINGS_IN_FORCE, at)
                    cells = {tuple(r[:4]): (r[4], r[5]) for r in found}
                    assert len(cells) == len(found), "a cell has two intervals standing on one day"
                    expected: dict[tuple[Any, ...], tuple[str, str]] = {}
                    for s in replayed.values():
                        expected.update(expected_cells(s))
                    assert cells == expected

                    regimes = {(r[0], r[1]) for r in in_force(ledger, REGIMES_IN_FORCE, at) if r[2] in (True, 1, "1", "true")}
                    assert regimes == {(s.provider_id, regime) for s in standing for regime in s.special_measures}

                    segments = {r[0]: int(r[1]) for r in in_force(ledger, SEGMENTS_IN_FORCE, at)}
                    assert segments == {s.provider_id: s.oversight.value for s in standing if s.oversight}

                    names = {(r[0], r[1]): r[2] for r in in_force(ledger, NAMES_IN_FORCE, at)}
                    assert {k: v for k, v in names.items() if k[1] is None} == {(s.provider_id, None): s.name for s in standing}
                    assert {k for k in names if k[1] is not None} == {
                        (s.provider_id, lid) for s in standing for lid, loc in s.locations.items() if loc.deregistered_on is None
                    }
            finally:
                ledger.close()

    check()


# The analysts' rating_intervals of earlier releases: before deregistration, supersession and
# inheritance ended intervals (no inherited_from column), before a service's ratings were one
# block, and before a deregistration ended them on the day after its own (neither written with
# CURRENT_VIEWS_WORD).
EARLIER_VIEWS = {
    "before-endings": "SELECT provider_id{text} FROM {schema}view_entries",
    "before-service-blocks": "SELECT provider_id, NULL{text} AS inherited_from FROM {schema}view_entries",
    "before-the-day-after": "SELECT provider_id, NULL{text} AS inherited_from, NULL{text} AS rated_anew_on FROM {schema}view_entries",
}


@pytest.mark.parametrize("earlier", EARLIER_VIEWS)
def test_a_ledger_with_the_interval_views_of_an_earlier_release_gets_these_when_next_opened(tmp_path: Any, earlier: str) -> None:
    import sqlite3

    import orjson

    from cqc_ledger.projections.views.schema import CURRENT_VIEWS_WORD
    from tests.builders import registered
    from tests.ledgers import ok

    db = tmp_path / "ledger.db"
    ok(db, "record", input=orjson.dumps(registered("RWP")))
    with sqlite3.connect(db) as c:
        c.execute("DROP VIEW rating_intervals")
        c.execute("CREATE VIEW rating_intervals AS " + EARLIER_VIEWS[earlier].format(text="", schema=""))

    ok(db, "status", "RWP", "--at", "2020-01-01")
    with sqlite3.connect(db) as c:
        assert "inherited_from" in [r[1] for r in c.execute("PRAGMA table_info(rating_intervals)")]
        (written,) = c.execute("SELECT sql FROM sqlite_master WHERE name = 'rating_intervals'").fetchone()
    assert CURRENT_VIEWS_WORD in written


# On PostgreSQL a reading command reads what the catalog shows of the schema, its columns, and no
# view's text: views without the column are replaced by the next command, the rest by the next
# that writes.
@pytest.mark.parametrize(
    ("earlier", "then"), [("before-endings", "status"), ("before-service-blocks", "record"), ("before-the-day-after", "record")]
)
def test_a_postgres_ledger_with_the_interval_views_of_an_earlier_release_gets_these_when_next_opened(earlier: str, then: str) -> None:
    import orjson
    import psycopg

    from cqc_ledger.projections.views.schema import CURRENT_VIEWS_WORD
    from tests.builders import registered
    from tests.conftest import POSTGRES, postgres_schema
    from tests.ledgers import ok

    for db in postgres_schema():
        ok(db, "record", input=orjson.dumps(registered("RWP")))
        schema = db.split("schema=")[1]
        with psycopg.connect(POSTGRES, autocommit=True) as c:
            c.execute(f'DROP VIEW "{schema}".rating_intervals')
            c.execute(f'CREATE VIEW "{schema}".rating_intervals AS ' + EARLIER_VIEWS[earlier].format(text="::text", schema=f'"{schema}".'))

        if then == "status":
            ok(db, "status", "RWP", "--at", "2020-01-01")
        else:
            ok(db, "record", input=orjson.dumps(registered("RWP")))
        with psycopg.connect(POSTGRES, autocommit=True) as c:
            columns = c.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = 'rating_intervals'", (schema,)
            ).fetchall()
            (written,) = c.execute("SELECT pg_get_viewdef(to_regclass(%s))", (f'"{schema}".rating_intervals',)).fetchone()
        assert ("inherited_from",) in columns
        assert CURRENT_VIEWS_WORD in written


@contextmanager
def standing(store: str, tmp_path_factory: Any, history: list[dict[str, Any]], on: tuple[str, ...]) -> Iterator[tuple[Any, dict]]:
    """A new ledger holding `history`, and RWP's cells standing by the fold on each of the days
    `on` (`(service, question)` -> `(rating, since)`), each held equal to rating_intervals'."""
    import orjson

    from tests.ledgers import ok

    with fresh_ledger(store, tmp_path_factory) as db:
        ok(db, "record", input=b"".join(orjson.dumps(line) + b"\n" for line in history))
        ledger = Ledger(str(db))
        found = {}
        try:
            for at in on:
                day = date.fromisoformat(at)
                shown = {(c[2], c[3]): v for c, v in expected_cells(status_at(ledger.entries_of("RWP"), "RWP", day)).items()}
                assert {(r[2], r[3]): (r[4], r[5]) for r in in_force(ledger, RATINGS_IN_FORCE, day)} == shown
                found[at] = shown
        finally:
            ledger.close()
        yield db, found


@pytest.mark.parametrize("store", STORES)
def test_a_services_word_that_is_not_a_rating_stands_only_with_the_services_rating(store: str, tmp_path_factory: Any) -> None:
    from tests.builders import cell, location, registered, report
    from tests.ledgers import json_of

    surgery = {"location_id": "RWP01", "service": "Surgery"}
    words = "Insufficient evidence to rate"
    # Given Surgery rated with effective a word that is not a rating (A), inspected without a new
    # rating, its words setting nothing (B: as RH801's report of 2018-03-05), then rated anew
    # without effective (C: as RK950's Diagnostic imaging on 2019-12-18)
    history = [
        registered("RWP"),
        location("RWP01"),
        report("A", "2016-02-09", cell("overall", "Good", **surgery), cell("safe", "Good", **surgery), cell("effective", words, **surgery)),
        report(
            "B",
            "2018-03-05",
            cell("overall", "Inspected but not rated", **surgery),
            cell("safe", words, **surgery),
            cell("caring", words, **surgery),
        ),
        report("C", "2019-12-18", cell("overall", "Requires improvement", **surgery), cell("safe", "Requires improvement", **surgery)),
    ]
    with standing(store, tmp_path_factory, history, ("2018-03-05", "2019-12-18")) as (db, shown):
        assert shown == {
            "2018-03-05": {
                ("Surgery", "overall"): ("Good", "2016-02-09"),
                ("Surgery", "safe"): ("Good", "2016-02-09"),
                ("Surgery", "effective"): (words, "2016-02-09"),
            },
            "2019-12-18": {
                ("Surgery", "overall"): ("Requires improvement", "2019-12-18"),
                ("Surgery", "safe"): ("Requires improvement", "2019-12-18"),
            },
        }
        # the register's changes: effective goes with C (no row: a cell that goes is no change to a value), caring never came
        moved = json_of(db, "changes", "--from", "2016-02-09", "--to", "2019-12-18", "--json")
        assert [(c["on"], c["question"], c["from"], c["to"]) for c in moved] == [  # type: ignore[union-attr]
            ("2019-12-18", "overall", "Good", "Requires improvement"),
            ("2019-12-18", "safe", "Good", "Requires improvement"),
        ]


@pytest.mark.parametrize("store", STORES)
def test_a_revision_of_a_services_rating_rates_nothing_anew_and_the_reports_words_stand(store: str, tmp_path_factory: Any) -> None:
    from tests.builders import cell, location, registered, report, revised
    from tests.ledgers import json_of

    imaging = {"location_id": "RWP01", "service": "Diagnostic imaging"}
    words = "Insufficient evidence to rate"
    # Given a report rating Diagnostic imaging with effective a word that is not a rating, then a
    # review revising that report's overall: the block is still the report's
    history = [
        registered("RWP"),
        location("RWP01"),
        report(
            "R1",
            "2018-08-15",
            cell("overall", "Requires improvement", **imaging),
            cell("safe", "Requires improvement", **imaging),
            cell("effective", words, **imaging),
        ),
        revised("2018-10-01", cell("overall", "Good", **imaging), report_id="R1"),
    ]
    with standing(store, tmp_path_factory, history, ("2018-10-01",)) as (db, shown):
        assert shown["2018-10-01"] == {
            ("Diagnostic imaging", "overall"): ("Good", "2018-10-01"),
            ("Diagnostic imaging", "safe"): ("Requires improvement", "2018-08-15"),
            ("Diagnostic imaging", "effective"): (words, "2018-08-15"),
        }
        moved = json_of(db, "changes", "--from", "2018-09-01", "--to", "2018-10-01", "--json")
        assert [(c["question"], c["from"], c["to"]) for c in moved] == [("overall", "Requires improvement", "Good")]  # type: ignore[union-attr]
