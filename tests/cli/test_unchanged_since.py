"""`unchanged_since` wherever a rating is shown with `since`: status, trusts and explain, in JSON
and in text, from the views and by replay alike, across re-publications, corrections and --known-at."""

from __future__ import annotations

import orjson
from builders import cell, corrected, location, registered, report
from conftest import EXAMPLES

INADEQUATE, RI = "Inadequate", "Requires improvement"


def test_rwp_on_1_september_2017_has_been_inadequate_since_december_2015(cli):
    # Given RWP's real history: Inadequate on 2015-12-02, published Inadequate again on 2017-06-20
    assert cli("record", str(EXAMPLES / "RWP.jsonl")).exit_code == 0
    # When a journalist asks for its status on 2017-09-01
    doc = orjson.loads(cli("status", "RWP", "--at", "2017-09-01", "--json").stdout)
    # Then the overall says both days: how long it has stood, and when it was last published
    overall = doc["ratings"]["overall"]
    assert (overall["rating"], overall["unchanged_since"], overall["since"]) == (INADEQUATE, "2015-12-02", "2017-06-20")
    # And the text says both
    text = cli("status", "RWP", "--at", "2017-09-01").stdout
    assert "Inadequate since 2015-12-02, last published 2017-06-20" in text


def test_trusts_and_explain_say_the_same_day_as_status(cli):
    assert cli("record", str(EXAMPLES / "RWP.jsonl")).exit_code == 0
    rows = orjson.loads(cli("trusts", "--at", "2017-09-01", "--json").stdout)
    row = next(r for r in rows if r["provider_id"] == "RWP")
    assert (row["overall"], row["overall_unchanged_since"], row["overall_since"]) == (INADEQUATE, "2015-12-02", "2017-06-20")
    explained = orjson.loads(cli("explain", "RWP", "--at", "2017-09-01", "--json").stdout)
    assert (explained["unchanged_since"], explained["since"]) == ("2015-12-02", "2017-06-20")
    text = cli("explain", "RWP", "--at", "2017-09-01").stdout
    assert "Rated Inadequate since 2 December 2015, last published 20 June 2017." in text


def history() -> list[dict]:
    return [
        registered("RWP", provider_type="acute"),  # RWP/1
        location("RWP01"),  # RWP/2
        report("R1", "2015-12-02", cell("overall", INADEQUATE), cell("safe", INADEQUATE, "RWP01")),  # RWP/3
        report("R2", "2017-06-20", cell("overall", INADEQUATE), cell("safe", INADEQUATE, "RWP01")),  # RWP/4
    ]


def test_a_location_rating_republished_keeps_its_run_in_the_json(cli):
    assert cli("record", input=history()).exit_code == 0
    doc = orjson.loads(cli("status", "RWP", "--at", "2018-01-01", "--json").stdout)
    safe = doc["locations"][0]["ratings"]["safe"]
    assert safe == {"rating": INADEQUATE, "since": "2017-06-20", "unchanged_since": "2015-12-02", "ref": "RWP/4"}


def test_a_correction_breaks_the_run_from_when_it_was_recorded_and_known_at_sees_before_it(cli):
    # Given the two Inadequate reports, and a moment after them
    assert cli("record", input=history()).exit_code == 0
    before = orjson.loads(cli("status", "RWP", "--at", "2018-01-01", "--json").stdout)["known_at"]
    # When the first report is corrected: it was Requires improvement overall
    fixed = report("R1", "2015-12-02", cell("overall", RI), cell("safe", INADEQUATE, "RWP01"))
    assert cli("record", input=[corrected("RWP/3", fixed)]).exit_code == 0
    # Then the overall has been Inadequate only since 2017
    now = orjson.loads(cli("status", "RWP", "--at", "2018-01-01", "--json").stdout)["ratings"]["overall"]
    assert (now["unchanged_since"], now["since"]) == ("2017-06-20", "2017-06-20")
    # And as known before the correction, since 2015
    then = orjson.loads(cli("status", "RWP", "--at", "2018-01-01", "--known-at", before, "--json").stdout)["ratings"]["overall"]
    assert (then["unchanged_since"], then["since"]) == ("2015-12-02", "2017-06-20")
    # And the register agrees with status on both
    rows = orjson.loads(cli("trusts", "--at", "2018-01-01", "--known-at", before, "--json").stdout)
    assert rows[0]["overall_unchanged_since"] == "2015-12-02"


def test_diff_says_how_long_a_rating_published_again_has_stood(cli):
    assert cli("record", str(EXAMPLES / "RWP.jsonl")).exit_code == 0
    doc = orjson.loads(cli("diff", "RWP", "--from", "2017-09-01", "--to", "2018-12-31", "--json").stdout)
    overall = next(c for c in doc["reaffirmed"] if c["cell"] == "trust overall")
    assert (overall["to_unchanged_since"], overall["to_since"], overall["from_since"]) == ("2015-12-02", "2018-06-05", "2017-06-20")
    text = cli("diff", "RWP", "--from", "2017-09-01", "--to", "2018-12-31").stdout
    assert "trust overall: Inadequate (since 2 December 2015, published again 5 June 2018; RWP/23)" in text
