"""The 159 real CQC API responses imported in parts that Hypothesis draws (two to five, each file
in one, the parts in any order), then some of them again: nothing more is recorded, and the
ledger tells what importing them all at once tells (tests/stories/test_real_cqc_api_in_parts.py
holds the parts that matter by name). Each example imports 159 files twice, so there are
$CQC_FUZZ_EXAMPLES of them (6 unless set), and no shrinking."""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from real_responses import FILES, NAMES, answers, files, imported, in_parts, new_ledger


@pytest.fixture(scope="module")
def at_once(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return answers(in_parts(new_ledger(tmp_path_factory.mktemp("once") / "ledger.db"), [NAMES]))


@st.composite
def partitions(draw: Any) -> tuple[list[list[str]], list[str]]:
    """The responses (by name) in two to five parts, the parts in any order, and some of them to
    import again."""
    count = draw(st.integers(2, 5))
    assignment = draw(st.lists(st.integers(0, count - 1), min_size=len(NAMES), max_size=len(NAMES)))
    parts = [[name for name, part in zip(NAMES, assignment, strict=True) if part == p] for p in draw(st.permutations(range(count)))]
    again = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=20, unique=True))
    return [part for part in parts if part], sorted(again)


@settings(
    max_examples=int(os.environ.get("CQC_FUZZ_EXAMPLES", "6")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(parted=partitions())
def test_the_real_responses_imported_in_any_parts_tell_what_they_tell_imported_at_once(
    tmp_path_factory: pytest.TempPathFactory, at_once: dict[str, Any], parted: tuple[list[list[str]], list[str]]
) -> None:
    parts, again = parted
    db = in_parts(new_ledger(tmp_path_factory.mktemp("parts") / "ledger.db"), parts)

    assert imported(db, files(again)) == []
    assert imported(db, FILES) == []
    assert answers(db) == at_once
