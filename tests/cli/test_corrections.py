"""Corrections and retractions, as a user meets them: `correct REF FILE --reason` and `retract REF
--reason` record a mend as a new entry; nothing recorded is changed.

A corrected entry counts as its replacement, and a retracted one for nothing, from the moment the
mend is recorded; `--known-at` before that moment sees the ledger as it was. `status` (from the
views), `trusts`, `history` and `explain` all honour them, and `entries` keeps both the entry and
its mend. A mend the rules refuse exits 1 and leaves the ledger exactly as it was.

(Refusals of mends recorded as lines of a `record` input are in test_refusals.py; the views held
equal to replay over generated corrections in test_views_equal_replay.py.)
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import orjson
import pytest
from builders import cell, corrected, report, revised
from conftest import EXAMPLES

from cqc_ledger.ledger.records import format_time, parse_time

RWP_LINES = [orjson.loads(line) for line in (EXAMPLES / "RWP.jsonl").read_bytes().splitlines()]
REPORT_2017 = RWP_LINES[16]  # RWP/17: the 2017-06-20 report, trust safe Inadequate
REPORT_2018 = RWP_LINES[22]  # RWP/23: the 2018-06-05 report, trust safe Inadequate, well-led Requires improvement


def ok(cli, *args: str, input: Any = None) -> Any:
    result = cli(*args, input=input)
    assert result.exit_code == 0, result.output
    return result


def doc(cli, *args: str) -> Any:
    return orjson.loads(ok(cli, *args, "--json").stdout)


def rating(status: dict, question: str) -> tuple[str, str, str] | None:
    """A trust-level rating of a status document as (rating, since, ref)."""
    found = status["ratings"].get(question)
    return (found["rating"], found["since"], found["ref"]) if found else None


def just_before(moment: str) -> str:
    return format_time(parse_time(moment) - timedelta(microseconds=1))


def test_a_correction_and_a_retraction_of_worcestershires_record(cli, tmp_path):
    # Given Worcestershire Acute Hospitals (RWP) and East Midlands Ambulance (RX9) as published
    ok(cli, "record", str(EXAMPLES / "RWP.jsonl"))
    ok(cli, "record", str(EXAMPLES / "RX9.jsonl"))
    recorded = doc(cli, "entries", "RWP")[-1]["recorded_at"]
    # On 1 December 2017 the trust's safe rating is the 2017 report's Inadequate; on 1 July 2018
    # the 2018 report's Inadequate, with well-led Requires improvement
    assert rating(doc(cli, "status", "RWP", "--at", "2017-12-01"), "safe") == ("Inadequate", "2017-06-20", "RWP/17")
    mid_2018 = doc(cli, "status", "RWP", "--at", "2018-07-01")
    assert rating(mid_2018, "safe") == ("Inadequate", "2018-06-05", "RWP/23")
    assert rating(mid_2018, "well-led") == ("Requires improvement", "2018-06-05", "RWP/23")

    # When an analyst finds the 2017 report misread (safe was Requires improvement) and corrects it
    fixed = {
        **REPORT_2017,
        "ratings": [
            {**c, "rating": "Requires improvement"} if c["question"] == "safe" and "location_id" not in c else c
            for c in REPORT_2017["ratings"]
        ],
    }
    (tmp_path / "fixed.json").write_bytes(orjson.dumps(fixed))
    result = ok(cli, "correct", "RWP/17", str(tmp_path / "fixed.json"), "--reason", "safe was Requires improvement", "--json")
    assert orjson.loads(result.stdout) == {"recorded": ["RWP/29"], "skipped": []}
    corrected_at = doc(cli, "entries", "RWP")[-1]["recorded_at"]

    # Then the 2017 report counts as corrected from now on...
    assert rating(doc(cli, "status", "RWP", "--at", "2017-12-01"), "safe") == ("Requires improvement", "2017-06-20", "RWP/17")
    # ...while the ledger as known before the correction still says Inadequate
    for known_at in (recorded, just_before(corrected_at)):
        before = doc(cli, "status", "RWP", "--at", "2017-12-01", "--known-at", known_at)
        assert rating(before, "safe") == ("Inadequate", "2017-06-20", "RWP/17")
    # And the later 2018 report still sets mid-2018
    assert rating(doc(cli, "status", "RWP", "--at", "2018-07-01"), "safe") == ("Inadequate", "2018-06-05", "RWP/23")

    # When the 2018 report is found to have been withdrawn, and is retracted
    result = ok(cli, "retract", "RWP/23", "--reason", "report withdrawn by CQC", "--json")
    assert orjson.loads(result.stdout) == {"recorded": ["RWP/30"], "skipped": []}
    retracted_at = doc(cli, "entries", "RWP")[-1]["recorded_at"]

    # Then mid-2018 falls back on the corrected 2017 report, for every question it set
    now = doc(cli, "status", "RWP", "--at", "2018-07-01")
    assert rating(now, "safe") == ("Requires improvement", "2017-06-20", "RWP/17")
    assert rating(now, "well-led") == ("Inadequate", "2017-06-20", "RWP/17")
    assert now["last_report"]["ref"] == "RWP/21"
    # As known between the two mends: corrected, not yet retracted
    between = doc(cli, "status", "RWP", "--at", "2018-07-01", "--known-at", just_before(retracted_at))
    assert rating(between, "safe") == ("Inadequate", "2018-06-05", "RWP/23")
    assert between["last_report"]["ref"] == "RWP/23"
    # As known before both: the ledger as it was recorded
    assert {k: v for k, v in doc(cli, "status", "RWP", "--at", "2018-07-01", "--known-at", recorded).items() if k != "known_at"} == {
        k: v for k, v in mid_2018.items() if k != "known_at"
    }

    # And history tells the story as it now counts: the retracted report stays in its place,
    # marked, having changed nothing; the corrected one shows its corrected cells...
    history = doc(cli, "history", "RWP")
    retracted = next(h for h in history if h["ref"] == "RWP/23")
    assert retracted["retracted"] is True and retracted["changes"] == []
    changed_2017 = next(h for h in history if h["ref"] == "RWP/17")["changes"]
    assert {
        "kind": "rating",
        "location_id": None,
        "service": None,
        "question": "safe",
        "from": None,
        "to": "Requires improvement",
    } in changed_2017
    # ...and as known before the retraction, the 2018 report is there with what it changed
    earlier = doc(cli, "history", "RWP", "--known-at", just_before(retracted_at))
    changed_2018 = next(h for h in earlier if h["ref"] == "RWP/23")["changes"]
    assert {
        "kind": "rating",
        "location_id": None,
        "service": None,
        "question": "safe",
        "from": "Requires improvement",
        "to": "Inadequate",
    } in changed_2018

    # And explain shows the rating, the entry behind it, and both mends with what each did to it
    explained = doc(cli, "explain", "RWP", "--question", "safe", "--at", "2018-07-01")
    assert (explained["rating"], explained["since"], explained["ref"]) == ("Requires improvement", "2017-06-20", "RWP/17")
    assert [(m["ref"], m["type"], m["target"], m["reason"], m["before"], m["after"]) for m in explained["mends"]] == [
        ("RWP/29", "EntryCorrected", "RWP/17", "safe was Requires improvement", "Inadequate", "Requires improvement"),
        ("RWP/30", "EntryRetracted", "RWP/23", "report withdrawn by CQC", "Inadequate", None),
    ]
    text = ok(cli, "explain", "RWP", "--question", "safe", "--at", "2018-07-01").stdout
    assert "RWP/17 corrected by RWP/29" in text and "RWP/23 retracted by RWP/30" in text
    # As known before the mends, explain tells the story as it stood then, with no mends
    then = doc(cli, "explain", "RWP", "--question", "safe", "--at", "2018-07-01", "--known-at", recorded)
    assert (then["rating"], then["ref"], then["mends"]) == ("Inadequate", "RWP/23", [])
    assert [(p["rating"], p["ref"]) for p in then["previous"]] == [("Inadequate", "RWP/17")]

    # And entries keep everything: the entries as first recorded, and the mends after them
    entries = doc(cli, "entries", "RWP")
    assert [e["ref"] for e in entries] == [f"RWP/{n}" for n in range(1, 31)]
    assert {k: v for k, v in entries[16].items() if k not in ("ref", "recorded_at")} == REPORT_2017
    assert {k: v for k, v in entries[22].items() if k not in ("ref", "recorded_at")} == REPORT_2018
    assert entries[28]["type"] == "EntryCorrected" and entries[28]["target_ref"] == "RWP/17"
    assert entries[28]["replacement"] == fixed and entries[28]["reason"] == "safe was Requires improvement"
    assert entries[29]["type"] == "EntryRetracted" and entries[29]["target_ref"] == "RWP/23"
    assert recorded < corrected_at < retracted_at

    # When the 2020 exit from special measures turns out to be recorded in error, and is retracted
    ok(cli, "retract", "RWP/26", "--reason", "exit not yet decided")

    # Then the register (from the views) has RWP in special measures today, but not as known before
    in_measures = [row["provider_id"] for row in doc(cli, "trusts", "--special-measures")]
    assert in_measures == ["RWP"]
    assert doc(cli, "trusts", "--special-measures", "--known-at", retracted_at) == []
    assert [sm["ref"] for sm in doc(cli, "status", "RWP")["special_measures"]] == ["RWP/13"]
    # And RX9, which nobody mended, is as it was
    assert doc(cli, "entries", "RX9")[-1]["ref"] == "RX9/12"


# ---- what retract and correct refuse ----------------------------------------------------------


@pytest.fixture
def mended(cli) -> bytes:
    """RWP and RX9 recorded, and RWP's first (unrated) report retracted as RWP/29; returns the
    export, to hold the ledger to."""
    ok(cli, "record", str(EXAMPLES / "RWP.jsonl"))
    ok(cli, "record", str(EXAMPLES / "RX9.jsonl"))
    ok(cli, "retract", "RWP/10", "--reason", "recorded twice")
    return ok(cli, "export").stdout_bytes


def _file(tmp_path, obj: Any) -> str:
    path = tmp_path / "replacement.json"
    path.write_bytes(obj if isinstance(obj, bytes) else orjson.dumps(obj))
    return str(path)


REFUSED_MENDS = [
    pytest.param(
        ["retract", "RWP/99"], None, 'ref "RWP/99" does not exist (RWP has 29 entries)', id="retracting an entry that does not exist"
    ),
    pytest.param(
        ["retract", "RZZ/1"],
        None,
        'provider "RZZ" is not in the ledger, so "RZZ/1" does not exist',
        id="retracting an entry of a provider not in the ledger",
    ),
    pytest.param(["retract", "RWP-17"], None, '"RWP-17" is not a ref like "RWP/9"', id="retracting something that is not a ref"),
    pytest.param(["retract", "RWP/29"], None, "RWP/29 is itself an EntryRetracted", id="retracting a retraction"),
    pytest.param(["retract", "RWP/10"], None, "RWP/10 is already retracted", id="retracting an entry twice"),
    pytest.param(
        ["retract", "RWP/13"],
        None,
        "retracting RWP/13 would leave the history of RWP inconsistent",
        id="retracting the entry into special measures whose exit stands",
    ),
    pytest.param(
        ["correct", "RWP/99"], report("RWP-R", "2016-01-01"), 'ref "RWP/99" does not exist', id="correcting an entry that does not exist"
    ),
    pytest.param(
        ["correct", "RWP/17"],
        {**REPORT_2017, "provider_id": "RX9"},
        'field "replacement.provider_id": "RX9" is not this entry\'s provider "RWP"',
        id="a replacement for another provider",
    ),
    pytest.param(
        ["correct", "RX9/3"],
        {**REPORT_2017},
        'field "replacement.provider_id": "RWP" is not this entry\'s provider "RX9"',
        id="correcting another provider's entry with one's own",
    ),
    pytest.param(
        ["correct", "RWP/17"],
        revised("2017-06-20", cell("safe", "Requires improvement")),
        "the replacement is a RatingRevised but RWP/17 is a ReportPublished",
        id="a replacement of another type",
    ),
    pytest.param(
        ["correct", "RWP/26"],
        {**RWP_LINES[25], "on": "2014-01-01"},
        "correcting RWP/26 would leave the history of RWP inconsistent",
        id="moving the exit from special measures before the entry",
    ),
    pytest.param(
        ["correct", "RWP/17"], {**REPORT_2017, "ratngs": []}, 'ratngs" (did you mean "ratings"?)', id="a replacement with an unknown field"
    ),
    pytest.param(
        ["correct", "RWP/17"],
        corrected("RWP/12", report("RWP-R", "2016-01-01")),
        "replacement",
        id="a replacement that is itself a correction",
    ),
    pytest.param(
        ["correct", "RWP/17"], b'{"type": "ReportPublished", ', "replacement.json is not valid JSON", id="a replacement that is not JSON"
    ),
]


@pytest.mark.parametrize(("args", "replacement", "says"), REFUSED_MENDS)
def test_a_refused_mend_exits_1_and_leaves_the_ledger_as_it_was(cli, mended, tmp_path, args, replacement, says):
    # Given the ledger (the `mended` fixture) and RWP's status from the views
    status_before = doc(cli, "status", "RWP", "--at", "2018-07-01")

    # When a user records a mend the ledger refuses
    command = [*args, _file(tmp_path, replacement)] if replacement is not None else args
    result = cli(*command, "--reason", "a mistake")

    # Then it exits 1 with a clear error (a command's own mend has no line to name)...
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: ") and not result.stderr.startswith("Error: line"), result.stderr
    assert "Traceback" not in result.output
    if says:
        assert says in result.stderr, result.stderr
    # ...and the ledger and its views are exactly as they were
    assert ok(cli, "export").stdout_bytes == mended
    assert {k: v for k, v in doc(cli, "status", "RWP", "--at", "2018-07-01").items() if k != "known_at"} == {
        k: v for k, v in status_before.items() if k != "known_at"
    }


def test_history_keeps_a_retracted_entry_in_its_place_and_names_every_mend(cli):
    # Given the Worcestershire history, with one report retracted and another corrected
    assert cli("record", str(EXAMPLES / "RWP.jsonl")).exit_code == 0
    assert cli("retract", "RWP/17", "--reason", "withdrawn").exit_code == 0
    fixed = {
        "type": "ReportPublished",
        "provider_id": "RWP",
        "report_id": "RWP-2019-09-20",
        "on": "2019-09-20",
        "ratings": [{"question": "overall", "rating": "Good"}],
    }
    assert cli("correct", "RWP/25", "-", "--reason", "overall was Good", input=orjson.dumps(fixed).decode()).exit_code == 0

    # When its history is asked for
    items = {item["ref"]: item for item in orjson.loads(cli("history", "RWP", "--json").stdout)}

    # Then the retracted report is there, marked, having changed nothing, with its retraction
    assert items["RWP/17"]["retracted"] is True and items["RWP/17"]["changes"] == []
    assert [m["ref"] for m in items["RWP/17"]["mended_by"]] == ["RWP/29"]
    # ...and the corrected one shows its replacement's change, with its correction
    assert items["RWP/25"]["retracted"] is False
    assert [(c["question"], c["to"]) for c in items["RWP/25"]["changes"]] == [("overall", "Good")]
    assert [(m["ref"], m["reason"]) for m in items["RWP/25"]["mended_by"]] == [("RWP/30", "overall was Good")]


# ---- what follows a mend: whatever was accepted never makes later valid input refused --------

ALPHA = [
    {"type": "ProviderRegistered", "provider_id": "AAA", "name": "Alpha Trust", "on": "2012-04-01", "provider_type": "acute"},
    {"type": "LocationRegistered", "provider_id": "AAA", "location_id": "AAA01", "name": "Alpha General", "on": "2012-04-01"},
    {"type": "InspectionCarriedOut", "provider_id": "AAA", "inspection_id": "I1", "on": "2016-01-10", "until": "2016-01-12"},
    report("R1", "2016-05-01", cell("overall", "Requires improvement"), provider_id="AAA", inspection_ids=["I1"]),
    {"type": "SpecialMeasuresEntered", "provider_id": "AAA", "on": "2016-06-01", "regime": "quality", "decided_by": "NHSI"},
    {"type": "WarningNoticeIssued", "provider_id": "AAA", "notice_id": "W1", "on": "2016-02-01", "section": "29A"},
    {"type": "OversightSegmentChanged", "provider_id": "AAA", "on": "2017-01-01", "framework": "SOF-2016", "segment": 4},
]


def _regime(kind: str, on: str, regime: str = "quality", provider_id: str = "AAA") -> dict:
    return {"type": f"SpecialMeasures{kind}", "provider_id": provider_id, "on": on, "regime": regime}


AFTER_A_MEND = [
    pytest.param("AAA/7", [[_regime("Exited", "2018-01-01")]], id="an exit"),
    pytest.param("AAA/7", [[_regime("Entered", "2020-01-01", "finance")]], id="a forward-dated entry"),
    pytest.param(
        "AAA/7", [[_regime("Entered", "2014-01-01", "finance"), _regime("Exited", "2014-06-01", "finance")]], id="a back-dated pair"
    ),
    pytest.param(
        "AAA/7", [[_regime("Entered", "2014-01-01", "finance")], [_regime("Exited", "2014-06-01", "finance")]], id="a pair, one by one"
    ),
    pytest.param("AAA/3", [[_regime("Exited", "2018-01-01")], [_regime("Entered", "2019-01-01")]], id="after a retracted inspection"),
]


@pytest.mark.parametrize(("mended", "inputs"), AFTER_A_MEND)
def test_special_measures_recorded_after_a_mend_leave_the_provider_open_to_what_follows(cli, mended, inputs):
    # Given a trust whose history holds a mend (an inspection retracted goes with its report)
    ok(cli, "record", input=[line for line in ALPHA if mended != "AAA/3" or line["type"] != "ReportPublished"])
    ok(cli, "retract", mended, "--reason", "not published")
    # When special measures are recorded after it (each input accepted)
    refs = [ref for lines in inputs for ref in orjson.loads(ok(cli, "record", "--json", input=lines).stdout)["recorded"]]
    # Then what follows is decided on its own merits: an unrelated entry is recorded...
    renamed = ok(cli, "record", "--json", input=[{"type": "ProviderRenamed", "provider_id": "AAA", "name": "Zed", "on": "2018-06-01"}])
    assert orjson.loads(renamed.stdout)["recorded"] == [f"AAA/{int(refs[-1].split('/')[1]) + 1}"]
    # ...and so is a retraction of the special-measures entry last recorded, where it leaves
    # each regime entered and exited in turn
    if inputs[-1][-1]["type"] == "SpecialMeasuresExited" or inputs[-1][-1]["on"] >= "2019":
        ok(cli, "retract", refs[-1], "--reason", "recorded in error")


def test_a_finance_regime_entered_after_worcestershires_record_is_mended_leaves_it_open(cli):
    # Given Worcestershire's record with one entry retracted, then special measures for finance entered
    ok(cli, "record", str(EXAMPLES / "RWP.jsonl"))
    ok(cli, "retract", "RWP/9", "--reason", "not published")
    ok(cli, "record", input=[_regime("Entered", "2021-01-01", "finance", "RWP")])
    # When anything more is recorded, it is recorded
    result = ok(cli, "record", "--json", input=[{"type": "ProviderRenamed", "provider_id": "RWP", "name": "Worcs", "on": "2021-06-01"}])
    assert orjson.loads(result.stdout)["recorded"] == ["RWP/31"]
    # ...and an exit of the regime is decided against the one entry of it
    ok(cli, "record", input=[_regime("Exited", "2022-01-01", "finance", "RWP")])
    refused = cli("record", input=[_regime("Exited", "2022-02-01", "finance", "RWP")])
    assert refused.exit_code == 1
    assert refused.stderr.startswith('Error: line 1: field "on": special measures (finance) are not in force on 2022-02-01'), refused.stderr


def test_a_retracted_notices_id_may_be_issued_again_and_what_follows_is_recorded(cli):
    # Given a notice retracted, corrected back into force, and retracted again (each accepted)
    ok(cli, "record", input=ALPHA)
    ok(cli, "retract", "AAA/6", "--reason", "a")
    reissued = {"type": "WarningNoticeIssued", "provider_id": "AAA", "notice_id": "W1", "on": "2016-02-01", "section": "29"}
    ok(cli, "correct", "AAA/6", "-", "--reason", "b", input=orjson.dumps(reissued).decode())
    ok(cli, "retract", "AAA/6", "--reason", "c")
    # When its id is used again for another notice: a retracted entry counts for nothing
    ok(cli, "record", input=[{**reissued, "on": "2016-03-01"}])
    # Then later input for the provider is recorded
    result = ok(cli, "record", "--json", input=[{"type": "ProviderRenamed", "provider_id": "AAA", "name": "X", "on": "2017-01-01"}])
    assert orjson.loads(result.stdout)["recorded"] == ["AAA/12"]
    ok(
        cli,
        "record",
        input=[{"type": "WarningNoticeAssessed", "provider_id": "AAA", "notice_id": "W1", "on": "2016-04-01", "outcome": "met"}],
    )
    # ...bringing the first notice back by a correction is refused, naming the id now in use
    refused = cli("correct", "AAA/6", "-", "--reason", "d", input=orjson.dumps(reissued).decode())
    assert refused.exit_code == 1
    assert 'correcting AAA/6 would leave the history of AAA inconsistent: notice_id "W1" is already recorded' in refused.stderr, (
        refused.stderr
    )
    # ...and the history shows every mend of the notice, the second retraction too
    items = {item["ref"]: item for item in doc(cli, "history", "AAA")}
    assert [(m["ref"], m["type"]) for m in items["AAA/6"]["mended_by"]] == [
        ("AAA/8", "EntryRetracted"),
        ("AAA/9", "EntryCorrected"),
        ("AAA/10", "EntryRetracted"),
    ]
    assert items["AAA/6"]["retracted"] is True and items["AAA/11"]["retracted"] is False
