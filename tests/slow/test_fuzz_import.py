"""Fuzzing `import`: CQC's own inputs, mutated anywhere. Whatever the input, the command answers
with exit status 0 or 1 and never a traceback, and a refused import leaves the ledger as it was
(into a new path: no file).

`cqc-api`: a real response (shared/reference/cqc-api-real) or a provider's and its locations'
responses (tests/fixtures/cqc), with one value anywhere in the tree replaced by any JSON value,
a key dropped or added, or the whole text cut short. `cqc-files`: valid monthly files (the
HSCA_Active_Locations file and the "Latest ratings" Locations sheet), with a cell replaced by odd
text, a column dropped or renamed, a row cut short or doubled, bytes that are not UTF-8, a byte
order mark.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import shutil
from pathlib import Path
from typing import Any

import orjson
from conftest import SHARED
from cqc_data import FIXTURES, active_row, location_row, monthly_csv, ratings_csv
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from ledgers import EXAMPLES, ok, run

REAL = sorted((SHARED / "reference" / "cqc-api-real").glob("*.json"))
REAL_BODIES = {p.name: orjson.loads(p.read_bytes()) for p in REAL[::8]}
FIXTURE_BODIES = {name: orjson.loads((FIXTURES / f"{name}.json").read_bytes()) for name in ("RWP", "RWP01", "RWP50")}
ODD_TEXT = st.sampled_from(
    [
        "",
        " ",
        "-",
        "RW/P",
        "RWP\u0000",
        "\ufeff",
        "\u200b",
        "rwp",
        "1-",
        "Good",
        "Requires Improvment",
        "9999-12-31",
        "2019-02-30",
        "31/12/2019",
    ]
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False) | st.text(max_size=12) | ODD_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8) | ODD_TEXT, inner, max_size=3),
    max_leaves=6,
)
# $CQC_FUZZ_EXAMPLES examples per test (80 unless set: more for a longer hunt).
SETTINGS = settings(
    max_examples=int(os.environ.get("CQC_FUZZ_EXAMPLES", "80")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def answered(result: Any) -> int:
    """The exit status, once it is checked to be 0 or 1 with no traceback."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
    event(f"exit status {result.exit_code}")
    return result.exit_code


def paths(tree: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON tree (the root too), as keys and indexes from the root."""
    found = [here]
    if isinstance(tree, dict):
        for key, value in tree.items():
            found += paths(value, (*here, key))
    elif isinstance(tree, list):
        for i, value in enumerate(tree):
            found += paths(value, (*here, i))
    return found


@st.composite
def mutated(draw: Any, body: Any) -> bytes:
    """A response with one change somewhere in its tree, or its text cut short."""
    body = copy.deepcopy(body)
    places = paths(body)
    place = draw(st.sampled_from(places))
    how = draw(st.sampled_from(["replace", "replace", "drop", "add", "cut"]))
    if how == "cut":
        text = json.dumps(body).encode()
        return text[: draw(st.integers(0, len(text) - 1))]
    if not place:
        return json.dumps(draw(JSON_VALUES)).encode()
    parent = body
    for step in place[:-1]:
        parent = parent[step]
    last = place[-1]
    if how == "drop":
        del parent[last]
    elif how == "add" and isinstance(parent, dict):
        parent[draw(st.text(max_size=8) | ODD_TEXT)] = draw(JSON_VALUES)
    else:
        parent[last] = draw(JSON_VALUES)
    return json.dumps(body).encode()


def ledger_with(folder: Path, *lines: dict[str, Any]) -> tuple[Path, bytes]:
    """A ledger holding the RX9 example and `lines`, and its export."""
    target = folder / "ledger.db"
    ok(target, "record", str(EXAMPLES / "RX9.jsonl"))
    if lines:
        ok(target, "record", "-", input=b"".join(orjson.dumps(line) + b"\n" for line in lines))
    return target, ok(target, "export").stdout_bytes


@SETTINGS
@given(data=st.data(), name=st.sampled_from(sorted(REAL_BODIES)))
def test_import_cqc_api_answers_any_mutation_of_a_real_response_and_a_refusal_changes_nothing(tmp_path_factory, data, name):
    body = REAL_BODIES[name]
    folder = tmp_path_factory.mktemp("api")
    registered = {"type": "ProviderRegistered", "provider_id": body["providerId"], "name": "A trust", "on": "2009-04-01"}
    target, before = ledger_with(folder, registered)
    response = folder / name
    response.write_bytes(data.draw(mutated(body)))

    if answered(run(target, "import", "cqc-api", str(response))) == 1:
        assert ok(target, "export").stdout_bytes == before


@SETTINGS
@given(data=st.data(), which=st.sampled_from(sorted(FIXTURE_BODIES)))
def test_import_cqc_api_answers_any_mutation_of_a_trusts_responses_and_a_refusal_changes_nothing(tmp_path_factory, data, which):
    folder = tmp_path_factory.mktemp("trust")
    target, before = ledger_with(folder)
    files = []
    for name, body in FIXTURE_BODIES.items():
        path = folder / f"{name}.json"
        path.write_bytes(data.draw(mutated(body)) if name == which else orjson.dumps(body))
        files.append(str(path))
    new = folder / "new.db"

    if answered(run(target, "import", "cqc-api", *files)) == 1:
        assert ok(target, "export").stdout_bytes == before
    if answered(run(new, "import", "cqc-api", *files)) == 1:
        assert not new.exists()


# ---- CQC's monthly files ----------------------------------------------------------------------------


def monthly(folder: Path) -> list[Path]:
    """Valid monthly files of two trusts: their active locations, and their locations' ratings."""
    active = [active_row(f"{p}{k:02d}", "2012-04-01", provider_id=p) for p in ("RWP", "RXK") for k in (1, 2)]
    rated = [
        location_row(f"{p}{k:02d}", "Overall", q, r, "2019-09-20", provider_id=p)
        for p in ("RWP", "RXK")
        for k in (1, 2)
        for q, r in (("Overall", "Good"), ("Safe", "Requires improvement"))
    ]
    return [
        Path(monthly_csv(folder, "active.csv", "HSCA_Active_Locations", active)),
        Path(ratings_csv(folder, "ratings.csv", "Locations", rated)),
    ]


@st.composite
def mutated_csv(draw: Any, text: str) -> bytes:
    """A CSV file with one change: a cell, a header's name, a column gone, a row cut short or
    doubled, bytes that are not UTF-8, a byte order mark, or the text cut anywhere."""
    rows = list(csv.reader(io.StringIO(text)))
    how = draw(st.sampled_from(["cell", "cell", "header", "drop column", "short row", "double row", "bytes", "bom", "cut"]))
    r = draw(st.integers(1, len(rows) - 1))
    c = draw(st.integers(0, len(rows[0]) - 1))
    if how == "cut":
        return text.encode()[: draw(st.integers(0, len(text.encode()) - 1))]
    if how == "bytes":
        raw = text.encode()
        at = draw(st.integers(0, len(raw)))
        return raw[:at] + draw(st.binary(min_size=1, max_size=6)) + raw[at:]
    if how == "bom":
        return b"\xef\xbb\xbf" + text.encode()
    if how in ("cell", "header"):
        rows[r if how == "cell" else 0][c] = draw(st.text(max_size=20) | ODD_TEXT)
    elif how == "drop column":
        rows = [row[:c] + row[c + 1 :] for row in rows]
    elif how == "short row":
        rows[r] = rows[r][:c]
    else:
        rows.insert(r, list(rows[r]))
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


@SETTINGS
@given(data=st.data(), which=st.sampled_from([0, 1]))
def test_import_cqc_files_answers_any_mutation_of_the_monthly_files_and_a_refusal_changes_nothing(tmp_path_factory, data, which):
    folder = tmp_path_factory.mktemp("files")
    target, before = ledger_with(folder)
    files = monthly(folder)
    files[which].write_bytes(data.draw(mutated_csv(files[which].read_text(encoding="utf-8"))))
    new, copy = folder / "new.db", folder / "copy.db"
    shutil.copy(target, copy)

    if answered(run(target, "import", "cqc-files", *map(str, files))) == 1:
        assert ok(target, "export").stdout_bytes == before
    if answered(run(new, "import", "cqc-files", *map(str, files))) == 1:
        assert not new.exists()
    if answered(run(copy, "import", "cqc-ratings", str(files[1]))) == 1:
        assert ok(copy, "export").stdout_bytes == before
