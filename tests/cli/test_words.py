"""Words a reader can trust: "no rating" is never CQC's "Not rated", closed lists take the loose
forms the README promises, and `explain` refuses what the ledger cannot answer."""

from __future__ import annotations

import orjson
import pytest
from builders import cell, location, registered, report
from conftest import EXAMPLES

RI = "Requires improvement"


@pytest.mark.parametrize("word", ["requires-improvement", "Requires_Improvement", "REQUIRES IMPROVEMENT", "requires improvement"])
def test_trusts_rating_takes_the_loose_forms_of_a_rating(cli, word):
    assert cli("record", str(EXAMPLES / "RWP.jsonl")).exit_code == 0
    result = cli("trusts", "--at", "2020-01-01", "--rating", word, "--json")
    assert result.exit_code == 0, result.output
    assert [(r["provider_id"], r["overall"]) for r in orjson.loads(result.stdout)] == [("RWP", RI)]


def test_trusts_rating_refuses_a_word_that_is_not_a_rating_and_suggests_one(cli):
    result = cli("trusts", "--rating", "requires-improvment")
    assert result.exit_code == 2
    assert '"requires-improvment" is not one of' in result.output
    assert 'did you mean "Requires improvement"?' in result.output


def history() -> list[dict]:
    return [
        registered("RWP", provider_type="acute"),
        location("RWP01"),
        location("RWP50"),
        report("R", "2019-01-01", cell("overall", "Not rated"), cell("safe", RI, "RWP01", "Surgery")),
    ]


def test_no_rating_recorded_never_looks_like_cqcs_not_rated(cli):
    assert cli("record", input=history()).exit_code == 0
    # CQC's own "Not rated" is shown as CQC wrote it
    doc = orjson.loads(cli("status", "RWP", "--at", "2020-01-01", "--json").stdout)
    assert doc["ratings"]["overall"]["rating"] == "Not rated"
    text = cli("status", "RWP", "--at", "2020-01-01").stdout
    assert "Not rated since 2019-01-01" in text
    # A location with nothing recorded says "no rating" in text, and has no ratings in JSON
    rwp50 = next(place for place in doc["locations"] if place["location_id"] == "RWP50")
    assert rwp50["ratings"] == {}
    assert "RWP50 Hospital RWP50\n  no rating" in text
    # Before anything was rated, the trust's overall says "no rating", in status and in trusts
    assert "Overall           no rating" in cli("status", "RWP", "--at", "2018-01-01").stdout
    rows = orjson.loads(cli("trusts", "--at", "2018-01-01", "--json").stdout)
    assert rows[0]["overall"] is None
    assert "RWP       no rating " in cli("trusts", "--at", "2018-01-01").stdout


def test_explain_refuses_an_unknown_service_as_it_refuses_an_unknown_location(cli):
    assert cli("record", input=history()).exit_code == 0
    result = cli("explain", "RWP", "--location", "RWP01", "--service", "Maternity")
    assert result.exit_code == 1
    assert result.stderr.startswith('Error: service "Maternity" has no rating at RWP01 of RWP by ')
    assert result.stderr.rstrip().endswith("(its services rated there: Surgery)")
    known = cli("explain", "RWP", "--location", "RWP01", "--service", "surgery", "--question", "safe", "--json")
    assert known.exit_code == 0, known.output
    assert orjson.loads(known.stdout)["rating"] == RI
    assert cli("explain", "RWP", "--location", "RWP99").exit_code == 1


@pytest.mark.parametrize("question", ["combined", "use-of-resources"])
def test_explain_refuses_a_question_the_level_cannot_have(cli, question):
    assert cli("record", input=history()).exit_code == 0
    result = cli("explain", "RWP", "--location", "RWP01", "--question", question)
    assert result.exit_code == 1
    assert f'Error: question "{question}" is rated only at trust level, not for RWP01' in result.stderr
