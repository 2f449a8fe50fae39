"""The 159 real CQC API responses (shared/reference/cqc-api-real) imported in parts: whichever
files come together, in whatever order, the ledger ends up telling what importing them all at
once tells, and importing any of them again records nothing (CONTRACT.md: "recording the same
file twice changes nothing"). A `sync` of one provider sends its locations' responses alone; an
operator may import a folder file by file. (tests/slow holds the same for parts Hypothesis draws.)

What an import drafts from a response does not depend on the other responses with it: RH5A8's
inherited ratings name RBA11, where they came from, and not RBA11's provider, which only RBA11's
own response gives (an import that had it drafted another entry than one that had not, and
recorded it again)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from real_responses import FILES, NAMES, answers, files, imported, in_parts, named, new_ledger


@pytest.fixture(scope="module")
def at_once(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What the ledger tells after every response was imported in one command."""
    return answers(in_parts(new_ledger(tmp_path_factory.mktemp("once") / "ledger.db"), [NAMES]))


@pytest.fixture(scope="module")
def all_then(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ledger of every response imported in one command, copied for each test that adds to it."""
    return in_parts(new_ledger(tmp_path_factory.mktemp("all") / "ledger.db"), [NAMES])


@pytest.mark.parametrize(
    "again",
    [named("RH5A8"), named("RH5*"), named("RBA*"), named("RBA11", "RH5A8")],
    ids=["RH5A8 alone", "RH5's locations (a sync of RH5)", "RBA's locations", "RBA11 and RH5A8"],
)
def test_after_importing_everything_importing_some_of_it_again_records_nothing(all_then: Path, again: list[str]) -> None:
    assert imported(all_then, files(again)) == []


@pytest.mark.parametrize(
    "parts",
    [
        [named("RH5*"), named("RBA*"), [n for n in NAMES if n[:3] not in ("RH5", "RBA")]],
        [named("RH5A8"), NAMES],
        [named("RBA11"), named("RH5A8"), NAMES],
    ],
    ids=["each trust apart", "the successor before everything", "the predecessor, then its successor"],
)
def test_the_real_responses_imported_in_parts_tell_what_they_tell_imported_at_once(
    tmp_path: Path, at_once: dict[str, Any], parts: list[list[str]]
) -> None:
    db = in_parts(new_ledger(tmp_path / "ledger.db"), parts)

    assert imported(db, FILES) == []
    assert answers(db) == at_once


def test_the_real_responses_imported_one_at_a_time_tell_what_they_tell_at_once_and_again_record_nothing(
    tmp_path: Path, at_once: dict[str, Any]
) -> None:
    # In reverse order of name: RH5A8 before RBA11, the successor before the hospital it took over
    db = in_parts(new_ledger(tmp_path / "ledger.db"), [[name] for name in reversed(NAMES)])

    assert imported(db, FILES) == []
    assert imported(db, files(named("RH5*"))) == []
    assert answers(db) == at_once
