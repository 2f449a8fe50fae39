"""Fuzzing every writing command: whatever the input, the command answers with exit status 0 or
1 and never a traceback, and a refused input leaves the ledger as it was (a new path: no file).

Inputs are the examples' own entries with one field replaced by any JSON value (odd text, lists,
objects, numbers, null), whole lines of arbitrary text or bytes, keys given twice and byte order
marks: the shapes an adversarial run found crashes with.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ledgers import EXAMPLES, ok, run

EXAMPLE_LINES = [orjson.loads(line) for line in (EXAMPLES / "RWP.jsonl").read_bytes().splitlines() if line.strip()]
ODD_TEXT = st.sampled_from(["", " ", "RW/P", "RWP\u0000", "\ufeff", "\u200b", "rwp", "1-", "Good", "Requires Improvment", "9999-12-31"])
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | ODD_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8) | ODD_TEXT, inner, max_size=3),
    max_leaves=8,
)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@st.composite
def mutated_line(draw: Any) -> bytes:
    """An example entry with one field (or one field of a rating cell) replaced, or dropped."""
    entry = json.loads(json.dumps(draw(st.sampled_from(EXAMPLE_LINES))))
    target = entry
    if entry.get("ratings") and draw(st.booleans()):
        target = draw(st.sampled_from(entry["ratings"]))
    key = draw(st.sampled_from([*sorted(target), "type", "extra"]))
    if draw(st.integers(0, 5)) == 0:
        target.pop(key, None)
    else:
        target[key] = draw(JSON_VALUES)
    return json.dumps(entry).encode()


@st.composite
def odd_line(draw: Any) -> bytes:
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return draw(st.binary(max_size=40)).replace(b"\n", b" ")
    if kind == 1:
        return draw(st.text(max_size=40)).replace("\n", " ").encode()
    if kind == 2:  # a key given twice
        text = json.dumps(draw(st.sampled_from(EXAMPLE_LINES)))
        return text.replace('"provider_id":', '"provider_id": "ZZZ9", "provider_id":', 1).encode()
    return json.dumps(draw(JSON_VALUES)).encode()


INPUT = st.lists(
    st.one_of(mutated_line(), odd_line(), st.sampled_from([json.dumps(e).encode() for e in EXAMPLE_LINES])), min_size=1, max_size=6
).map(lambda lines: b"\n".join(lines) + b"\n")


def answered(result: Any) -> int:
    """The exit status, once it is checked to be 0 or 1 with no traceback."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code


def existing(tmp_path_factory: Any) -> tuple[Path, bytes]:
    folder = tmp_path_factory.mktemp("fuzz")
    target = folder / "ledger.db"
    ok(target, "record", str(EXAMPLES / "RX9.jsonl"))
    return target, ok(target, "export").stdout_bytes


@SETTINGS
@given(data=INPUT, bom=st.booleans())
def test_record_answers_any_input_and_a_refusal_changes_nothing(tmp_path_factory, data, bom):
    target, before = existing(tmp_path_factory)
    new = target.parent / "new.db"
    data = (b"\xef\xbb\xbf" if bom else b"") + data

    if answered(run(target, "record", "-", input=data)) == 1:
        assert ok(target, "export").stdout_bytes == before
    if answered(run(new, "record", "-", input=data)) == 1:
        assert not new.exists()


@SETTINGS
@given(data=INPUT)
def test_restore_answers_any_input_and_a_refusal_leaves_no_file(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("restore")
    new = folder / "new.db"

    if answered(run(new, "restore", "-", input=data)) == 1:
        assert not new.exists()


@SETTINGS
@given(
    body=JSON_VALUES | st.sampled_from([orjson.loads((EXAMPLES.parent / "tests" / "fixtures" / "cqc" / "RWP.json").read_bytes())]),
    key=st.text(max_size=10) | ODD_TEXT,
    value=JSON_VALUES,
)
def test_import_cqc_api_answers_any_response_and_a_refusal_changes_nothing(tmp_path_factory, body, key, value):
    target, before = existing(tmp_path_factory)
    if isinstance(body, dict):
        body = {**body, key: value}
    response = target.parent / "response.json"
    response.write_bytes(json.dumps(body).encode())
    new = target.parent / "new.db"

    if answered(run(target, "import", "cqc-api", str(response))) == 1:
        assert ok(target, "export").stdout_bytes == before
    if answered(run(new, "import", "cqc-api", str(response))) == 1:
        assert not new.exists()


@SETTINGS
@given(cells=st.lists(st.lists(st.text(max_size=12) | ODD_TEXT, min_size=1, max_size=8), max_size=4))
def test_import_cqc_ratings_answers_any_file_and_a_refusal_changes_nothing(tmp_path_factory, cells):
    target, before = existing(tmp_path_factory)
    header = "Location ID,Provider ID,Service / Population Group,Domain,Latest Rating,Publication Date"
    path = target.parent / "ratings.csv"
    path.write_text(header + "\n" + "\n".join(",".join(json.dumps(c) for c in row) for row in cells) + "\n")

    if answered(run(target, "import", "cqc-ratings", str(path))) == 1:
        assert ok(target, "export").stdout_bytes == before


@SETTINGS
@given(
    replacement=JSON_VALUES | mutated_line().map(orjson.loads),
    ref=ODD_TEXT | st.sampled_from(["RX9/1", "RX9/2", "RX9/999", "RWP/1"]),
    reason=st.text(max_size=10),
)
def test_correct_and_retract_answer_anything_and_a_refusal_changes_nothing(tmp_path_factory, replacement, ref, reason):
    target, before = existing(tmp_path_factory)
    fix = target.parent / "fix.json"
    fix.write_bytes(json.dumps(replacement).encode())
    copy = target.parent / "copy.db"
    shutil.copy(target, copy)

    if answered(run(target, "correct", ref, str(fix), "--reason", reason)) == 1:
        assert ok(target, "export").stdout_bytes == before
    if answered(run(copy, "retract", ref, "--reason", reason)) == 1:
        assert ok(copy, "export").stdout_bytes == before
