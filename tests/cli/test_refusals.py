"""What the ledger refuses (CONTRACT.md section 2, "What is refused"), as a user meets it on the CLI.

Every refusal exits 1 with `Error: line N: ...` naming the line and the field, and leaves the
ledger exactly as it was: an input is checked whole before any of it is written.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
import pytest
from builders import (
    action,
    cell,
    corrected,
    entered,
    exited,
    inherited,
    inspection,
    location,
    notice_assessed,
    notice_issued,
    registered,
    renamed,
    report,
    retracted,
    revised,
    superseded,
)

# A small history of Worcestershire Acute (RWP), with East Midlands Ambulance (RX9) beside it.
HISTORY = [
    registered("RWP"),  # RWP/1
    location("RWP01", name="Worcestershire Royal Hospital"),  # RWP/2
    report("RWP-R1", "2015-12-02", cell("overall", "Inadequate")),  # RWP/3
    entered("2015-12-02"),  # RWP/4
    exited("2020-09-24"),  # RWP/5
    inspection("RWP-I1", "2016-11-22", kind="comprehensive"),  # RWP/6
    notice_issued("RWP-N1", "2017-01-27", deadline="2017-03-10"),  # RWP/7
    notice_assessed("RWP-N1", "2017-06-20", outcome="not-met"),  # RWP/8
    notice_issued("RWP-N2", "2017-07-01"),  # RWP/9
    action("RWP-A1", "2015-04-01", location_id="RWP01"),  # RWP/10
    registered("RX9", name="East Midlands Ambulance Service NHS Trust"),  # RX9/1
]

NEXT_YEAR = (datetime.now(UTC).date() + timedelta(days=366)).isoformat()
FINE = renamed("2016-01-01", "Worcestershire Acute Hospitals NHS Trust")  # a line nothing refuses
GONE = {"type": "ProviderDeregistered", "provider_id": "RWP", "on": "2021-01-01", "successor_id": "RBB"}
SHUT = {"type": "LocationDeregistered", "provider_id": "RWP", "location_id": "RWP01", "on": "2021-01-01"}


def text(*lines: dict | str) -> str:
    """JSON Lines input; a str is written as it is (a line that is not JSON)."""
    return "".join((line if isinstance(line, str) else orjson.dumps(line).decode()) + "\n" for line in lines)


def names_field(message: str, field: str) -> bool:
    """Whether an error message names a field: quoted (`field "on"`), or as `report_id "R1"`."""
    return f'"{field}"' in message or message.startswith(f'{field} "')


@pytest.fixture
def history(cli) -> str:
    """A ledger holding HISTORY; returns its `entries --json` as it stands."""
    assert cli("record", input=HISTORY).exit_code == 0
    return entries(cli)


def entries(cli) -> str:
    result = cli("entries", "--json")
    assert result.exit_code == 0, result.output
    return result.stdout


REFUSED = [
    # Input that is not entries.
    pytest.param([FINE, '{"type": "ProviderRenamed", "provider_id": "RWP",'], 2, None, id="malformed JSON"),
    pytest.param(["[1, 2]"], 1, None, id="a line that is not a JSON object"),
    pytest.param([{"type": "ReportPublishd", "provider_id": "RWP"}], 1, "type", id="unknown type"),
    pytest.param([FINE, {**FINE, "nmae": "x"}], 2, "nmae", id="unknown field"),
    pytest.param([report("RWP-R2", "2016-01-01", cell("overall", "Requires Improvment"))], 1, "ratings[0].rating", id="unknown rating"),
    pytest.param(
        [report("RWP-R2", "2016-01-01", cell("overall", "Good"), cell("saef", "Good"))], 1, "ratings[1].question", id="unknown question"
    ),
    pytest.param([notice_issued("RWP-N3", "2017-08-01", section="28")], 1, "section", id="unknown section"),
    pytest.param([entered("2021-01-01", regime="qualty")], 1, "regime", id="unknown regime"),
    pytest.param([notice_assessed("RWP-N2", "2017-08-01", outcome="mett")], 1, "outcome", id="unknown outcome"),
    pytest.param(
        [{"type": "ReportPublished", "provider_id": "RWP", "report_id": "RWP-R2", "on": "2016-01-01"}], 1, "ratings", id="missing field"
    ),
    pytest.param([{"type": "ProviderRenamed", "provider_id": "RWP", "on": "2016-01-01"}], 1, "name", id="missing name"),
    pytest.param([FINE, renamed("2016-01-01", "Worcestershire\u0000Acute")], 2, "name", id="a NUL in a name"),
    pytest.param([inspection("RWP-I2", "2016-01-01", summary="Safe\u0007 enough")], 1, "summary", id="a control character in a summary"),
    pytest.param([notice_issued("RWP-N3", "2017-08-01", concerns=["staffing", "beds\u0000"])], 1, "concerns[1]", id="a NUL in a concern"),
    pytest.param([notice_issued("RWP-N\u00003", "2017-08-01")], 1, "notice_id", id="a NUL in an id"),
    pytest.param(
        [report("RWP-R2", "2016-01-01", cell("safe", "Good", location_id="RWP01", service="Neonatal\u0000"))],
        1,
        "ratings[0].service",
        id="a NUL in a cell's service",
    ),
    pytest.param([{**FINE, "source": "https://www.cqc.org.uk/\u009b"}], 1, "source", id="a C1 control character in a source"),
    pytest.param(
        [FINE, renamed("2016-01-01", "Worcestershire Acute\u001f")], 2, "name", id="a control character Python strips as white space"
    ),
    pytest.param(
        [notice_issued("RWP-N3", "2017-08-01", concerns=["\u001cstaffing"])], 1, "concerns[0]", id="a control character opening a concern"
    ),
    pytest.param([renamed("2017-02-30", "x")], 1, "on", id="impossible date"),
    pytest.param([renamed("20 June 2017", "x")], 1, "on", id="not a date"),
    pytest.param([FINE, renamed(NEXT_YEAR, "x")], 2, "on", id="future date"),
    pytest.param([inspection("RWP-I2", "2020-01-06", until=NEXT_YEAR)], 1, "until", id="future last visit day"),
    # Who and where.
    pytest.param([renamed("2016-01-01", "x", provider_id="RXX")], 1, "provider_id", id="provider not registered"),
    pytest.param([FINE, registered("RWP", on="2010-04-02")], 2, "type", id="provider registered twice"),
    pytest.param(
        [report("RWP-R2", "2016-01-01", cell("overall", "Good", location_id="RWP99"))],
        1,
        "ratings[0].location_id",
        id="rating for an unregistered location",
    ),
    pytest.param(
        [revised("2016-01-01", cell("safe", "Good", location_id="RWP99"))],
        1,
        "cell.location_id",
        id="revision for an unregistered location",
    ),
    pytest.param(
        [inspection("RWP-I2", "2016-01-01", scope=[{"location_id": "RWP99"}])],
        1,
        "scope[0].location_id",
        id="inspection of an unregistered location",
    ),
    pytest.param([notice_issued("RWP-N3", "2017-08-01", location_id="RWP99")], 1, "location_id", id="notice for an unregistered location"),
    pytest.param(
        [report("RWP-R2", "2016-01-01", cell("use-of-resources", "Good", location_id="RWP01"))],
        1,
        "ratings[0].question",
        id="use-of-resources at a location",
    ),
    pytest.param(
        [report("RWP-R2", "2016-01-01", cell("combined", "Good", service="Surgery"))], 1, "ratings[0].question", id="combined for a service"
    ),
    pytest.param(
        [revised("2016-01-01", cell("use-of-resources", "Good", location_id="RWP01"))],
        1,
        "cell.question",
        id="use-of-resources revised at a location",
    ),
    pytest.param(
        [inspection("RWP-I2", "2019-01-06", scope=[{"location_id": "RWP01", "questions": ["safe", "use-of-resources"]}])],
        1,
        "scope[0].questions[1]",
        id="use-of-resources inspected at a location",
    ),
    pytest.param(
        [inspection("RWP-I2", "2019-01-06", scope=[{"service": "Surgery", "questions": ["combined"]}])],
        1,
        "scope[0].questions[0]",
        id="combined inspected for a service",
    ),
    pytest.param(
        [inherited("RWP01", "2019-01-01", {**cell("safe", "Good"), "published_on": "2018-06-01"}, from_location_id="RWP01")],
        1,
        "from_location_id",
        id="a location inheriting from itself",
    ),
    # Special measures.
    pytest.param([entered("2015-12-02", decided_by="NHS England")], 1, "on", id="entering a regime in force that day"),
    pytest.param([FINE, entered("2017-01-01")], 2, "on", id="an entry recorded between an existing entry and exit"),
    pytest.param([exited("2021-01-01")], 1, "on", id="exiting after the exit"),
    pytest.param([exited("2012-01-01")], 1, "on", id="exiting before the entry"),
    pytest.param([exited("2016-01-01", regime="finance")], 1, "on", id="exiting a regime never entered"),
    pytest.param([FINE, exited("2016-06-01")], 2, "on", id="an exit recorded between an existing entry and exit"),
    pytest.param([entered("2012-01-01"), FINE], 1, "on", id="an entry left open before an existing entry"),
    pytest.param(
        [exited("2013-06-30"), entered("2012-01-02"), entered("2014-01-01"), FINE],
        3,
        "on",
        id="an episode left open among whole ones in one input",
    ),
    # Warning notices.
    # Registration: once each, and a deregistration once.
    pytest.param([GONE, {**GONE, "on": "2021-02-01", "successor_id": "RCC"}], 2, "type", id="deregistering a provider twice"),
    pytest.param([GONE, {**GONE, "reason": "merged"}], 2, "type", id="deregistering a provider twice on one day"),
    pytest.param([{**GONE, "successor_id": "RWP"}], 1, "successor_id", id="a provider as its own successor"),
    pytest.param([FINE, location("RWP01", name="Worcester Royal")], 2, "location_id", id="registering a location again"),
    pytest.param([SHUT, {**SHUT, "on": "2021-02-01"}], 2, "location_id", id="deregistering a location twice"),
    pytest.param([notice_assessed("RWP-N9", "2017-08-01")], 1, "notice_id", id="assessing a notice never issued"),
    pytest.param(
        [notice_issued("RWP-N3", "2017-08-01"), notice_assessed("RWP-N3", "2017-07-31")], 2, "on", id="assessing a notice before its issue"
    ),
    pytest.param([notice_assessed("RWP-N1", "2017-08-01", outcome="met")], 1, "notice_id", id="assessing a notice twice"),
    # Identifiers reused with other content.
    pytest.param([report("RWP-R1", "2015-12-03", cell("overall", "Inadequate"))], 1, "report_id", id="report_id reused"),
    pytest.param([notice_issued("RWP-N2", "2017-07-02")], 1, "notice_id", id="notice_id reused"),
    pytest.param([inspection("RWP-I1", "2016-11-22", kind="focused")], 1, "inspection_id", id="inspection_id reused"),
    pytest.param([action("RWP-A1", "2015-04-01", action="caution")], 1, "action_id", id="action_id reused"),
    # Mending.
    pytest.param([retracted("RWP/99")], 1, "ref", id="retracting an entry that does not exist"),
    pytest.param([corrected("RWP/99", renamed("2016-01-01", "x"))], 1, "ref", id="correcting an entry that does not exist"),
    pytest.param([retracted("RX9/1")], 1, "ref", id="retracting another provider's entry"),
    pytest.param([corrected("RX9/1", registered("RWP"))], 1, "ref", id="correcting another provider's entry"),
    pytest.param([corrected("RWP/3", renamed("2015-12-02", "x"))], 1, "replacement.type", id="a correction that changes the type"),
    pytest.param(
        [corrected("RWP/3", report("RWP-R1", "2015-12-02", provider_id="RX9"))],
        1,
        "replacement.provider_id",
        id="a correction that changes the provider",
    ),
    pytest.param([retracted("RWP/4")], 1, "ref", id="retracting the entry into special measures whose exit stands"),
    pytest.param([retracted("RWP/7")], 1, "ref", id="retracting a notice whose assessment stands"),
    pytest.param(
        [corrected("RWP/7", notice_issued("RWP-N1", "2017-07-01"))], 1, "ref", id="correcting a notice's issue to after its assessment"
    ),
]


@pytest.mark.parametrize(("lines", "line", "field"), REFUSED)
def test_a_refused_input_names_its_line_and_field_and_records_nothing(cli, history, lines, line, field):
    # Given a ledger holding a small history (the `history` fixture)
    # When a user records an input with a bad line
    result = cli("record", "-", input=text(*lines))

    # Then the input is refused, naming the line and the field...
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"Error: line {line}: "), result.stderr
    assert "Traceback" not in result.output
    if field is not None:
        message = result.stderr.removeprefix(f"Error: line {line}: ")
        assert names_field(message, field), result.stderr
    # ...and nothing of it is recorded
    assert entries(cli) == history


WORDED = [
    pytest.param(
        [inspection("RWP-I2", "2019-01-06", scope=[{"location_id": "RWP01", "questions": ["safety"]}])],
        'line 1: field "scope[0].questions[0]": "safety" is not a question (did you mean "safe"?); one of "safe", "effective", '
        '"caring", "responsive", "well-led", "use-of-resources", "combined"',
        id="a scope's question misspelt",
    ),
    pytest.param(
        [inspection("RWP-I2", "2009-01-06")],
        'line 1: field "on": 2009-01-06 is before the provider was registered (2010-04-01, RWP/1): '
        "an InspectionCarriedOut cannot be dated before the provider existed",
        id="an entry type opening with a vowel",
    ),
    pytest.param(
        [corrected("RWP/10", report("RWP-R9", "2015-04-01", cell("overall", "Good")))],
        'line 1: field "replacement.type": the replacement is a ReportPublished but RWP/10 is an EnforcementActionTaken; '
        "a correction keeps the entry's type",
        id="a correction of another type",
    ),
    pytest.param(
        [superseded("Surgery", "2021-06-01", "Maternity", location_id="RWP01"), {**SHUT, "on": "2021-05-01"}],
        'line 2: field "on": location RWP01 cannot be deregistered on 2021-05-01: line 1 of this input, a ServiceSuperseded '
        "of it, is dated 2021-06-01, after that day",
        id="a deregistration before a supersession",
    ),
    pytest.param(
        [superseded("Surgery", "2021-06-01", "Maternity", location_id="RWP01"), corrected("RWP/11", superseded("Surgry", "2021-06-01"))],
        'line 2: field "replacement.service": "Surgry" is not a CQC service (did you mean "Surgery"?)',
        id="a replacement's service misspelt",
    ),
    pytest.param(
        [
            superseded("Surgery", "2021-06-01", "Maternity", location_id="RWP01"),
            corrected("RWP/11", superseded("Surgery", "2021-06-01", "Matrenity", location_id="RWP01")),
        ],
        'line 2: field "replacement.by[0]": "Matrenity" is not a CQC service (did you mean "Maternity"?)',
        id="a replacement's successor service misspelt",
    ),
]


@pytest.mark.parametrize(("lines", "words"), WORDED)
def test_a_refusal_says_what_is_wrong_in_plain_words_naming_the_field_where_it_is(cli, history, lines, words):
    result = cli("record", "-", input=text(*lines))

    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"Error: {words}"), result.stderr
    assert entries(cli) == history


def test_a_refusal_after_a_correction_in_the_same_input_leaves_the_status_as_it_was(cli, history):
    # Given RWP's status as the ledger tells it (a correction is written to the store, and to the
    # views, as soon as it is decided; a later refusal must undo it)
    before = status_now(cli, "2016-01-01")

    # When an input corrects the 2015 report and then exits special measures when not in them
    result = cli(
        "record",
        input=[
            corrected("RWP/3", report("RWP-R1", "2015-12-02", cell("overall", "Requires improvement"))),
            exited("2021-01-01"),
        ],
    )

    # Then it is refused whole: the status and the entries are as they were
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: line 2: ")
    assert status_now(cli, "2016-01-01") == before
    assert before["ratings"]["overall"]["rating"] == "Inadequate"
    assert entries(cli) == history


def status_now(cli, day: str) -> dict:
    result = cli("status", "RWP", "--at", day, "--json")
    assert result.exit_code == 0, result.output
    return {k: v for k, v in orjson.loads(result.stdout).items() if k != "known_at"}


def test_a_misspelt_rating_is_refused_with_the_fix(cli, history):
    result = cli("record", input=[report("RWP-R2", "2016-01-01", cell("overall", "Requires Improvment"))])

    assert result.exit_code == 1
    assert 'did you mean "Requires improvement"?' in result.stderr


# ---- what is accepted where a refusal might be feared ---------------------------------------


def test_an_entry_for_a_provider_registered_earlier_in_the_same_input_is_recorded(cli):
    # Given an empty ledger
    # When one input registers a provider and then records a fact about it
    result = cli(
        "record",
        "--json",
        input=[
            registered("RX9", name="East Midlands Ambulance Service NHS Trust"),
            report("RX9-2016-05-10", "2016-05-10", cell("overall", "Requires improvement"), provider_id="RX9"),
        ],
    )

    # Then both are recorded
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout) == {"recorded": ["RX9/1", "RX9/2"], "skipped": []}


def test_an_exit_whose_entry_comes_later_in_the_input_is_accepted_when_in_force_on_its_day(cli, history):
    # Given a ledger where RWP was in special measures (quality) from 2015-12-02 to 2020-09-24
    # When an earlier episode is found and recorded, its exit on the line before its entry
    result = cli("record", "--json", input=[exited("2013-06-30"), entered("2012-01-02")])

    # Then it is accepted: the regime is in force on the exit's day once the input is whole
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout)["recorded"] == ["RWP/11", "RWP/12"]
    # And each episode takes its place in the past
    assert special_measures(cli, "2012-06-01") == [("quality", "2012-01-02")]
    assert special_measures(cli, "2014-01-01") == []
    assert special_measures(cli, "2016-01-01") == [("quality", "2015-12-02")]


def test_an_exit_recorded_long_after_later_facts_takes_its_place_in_the_past(cli, history):
    # Given a ledger that holds RWP's facts up to 2020, and finance special measures entered in 2016
    assert cli("record", input=[entered("2016-04-01", regime="finance")]).exit_code == 0

    # When the exit from them, in 2017, is recorded now
    result = cli("record", input=[exited("2017-03-31", regime="finance")])

    # Then it is accepted, and the regime ends on that day
    assert result.exit_code == 0, result.output
    assert ("finance", "2016-04-01") in special_measures(cli, "2017-03-30")
    assert special_measures(cli, "2017-03-31") == [("quality", "2015-12-02")]


def special_measures(cli, day: str) -> list[tuple[str, str]]:
    result = cli("status", "RWP", "--at", day, "--json")
    assert result.exit_code == 0, result.output
    return [(sm["regime"], sm["since"]) for sm in orjson.loads(result.stdout)["special_measures"]]


# ---- identical entries ----------------------------------------------------------------------


def test_recording_the_same_input_twice_changes_nothing(cli, history):
    # When the history is recorded a second time
    result = cli("record", "--json", input=HISTORY)

    # Then every line is skipped, and the ledger is as it was
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout) == {"recorded": [], "skipped": list(range(1, len(HISTORY) + 1))}
    assert entries(cli) == history


def test_an_input_mixing_new_and_known_entries_records_only_the_new(cli, history):
    # When an input repeats two known entries around a new one
    result = cli("record", "--json", input=[HISTORY[2], FINE, HISTORY[4]])

    # Then the new one is recorded and the known ones are reported by line
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout) == {"recorded": ["RWP/11"], "skipped": [1, 3]}


def test_without_json_record_says_which_lines_were_already_recorded(cli, history):
    result = cli("record", input=[HISTORY[2], FINE])

    assert result.exit_code == 0, result.output
    assert "Recorded 1 entry: RWP/11." in result.stdout
    assert "line 1 (RWP/3)" in result.stdout


def test_an_entry_of_another_type_with_the_same_fields_is_not_identical(cli, history):
    # When special measures for finance are entered and left on one day: the same fields, two types
    result = cli("record", "--json", input=[entered("2018-01-01", "finance"), exited("2018-01-01", "finance")])

    # Then both are recorded, and on the next day the trust is out of them again
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout) == {"recorded": ["RWP/11", "RWP/12"], "skipped": []}
    assert ("finance", "2018-01-01") not in special_measures(cli, "2018-01-02")


def test_an_entry_of_another_type_is_not_skipped_in_a_later_input_either(cli, history):
    # Given finance special measures entered on a day
    assert cli("record", input=[entered("2018-01-01", "finance")]).exit_code == 0

    # When they are left on the same day, in a later input
    result = cli("record", "--json", input=[exited("2018-01-01", "finance")])

    # Then the exit is recorded, not skipped as the entry
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout) == {"recorded": ["RWP/12"], "skipped": []}
    # And recording both again skips both
    again = cli("record", "--json", input=[entered("2018-01-01", "finance"), exited("2018-01-01", "finance")])
    assert orjson.loads(again.stdout) == {"recorded": [], "skipped": [1, 2]}


def test_a_second_registration_or_deregistration_is_refused_with_the_correction_to_make(cli, history):
    # Given RWP deregistered (RWP/11) and its location RWP01 (RWP/2) deregistered (RWP/12)
    assert cli("record", input=[GONE, SHUT]).exit_code == 0
    # When each is recorded again, otherwise, or the location registered again
    again = {
        "deregistration": {**GONE, "on": "2021-02-01", "successor_id": "RCC"},
        "location": location("RWP01", name="Worcester Royal"),
        "location's end": {**SHUT, "on": "2020-12-01"},
    }
    said = {what: cli("record", input=[line]).stderr for what, line in again.items()}
    # Then each is refused, naming the entry that stands and how to change it
    assert said == {
        "deregistration": 'Error: line 1: field "type": provider RWP is already deregistered (RWP/11, on 2021-01-01); '
        "to change its day, successor or reason, record a correction: cqc-ledger correct RWP/11 FILE --reason TEXT\n",
        "location": 'Error: line 1: field "location_id": location RWP01 is already registered (RWP/2); to change its name '
        "or day, record a correction: cqc-ledger correct RWP/2 FILE --reason TEXT\n",
        "location's end": 'Error: line 1: field "location_id": location RWP01 is already deregistered (RWP/12, on 2021-01-01); '
        "to change its day, record a correction: cqc-ledger correct RWP/12 FILE --reason TEXT\n",
    }
    # ...and a correction changes them
    moved = {**GONE, "on": "2021-03-01", "successor_id": "RCC"}
    assert cli("correct", "RWP/11", "-", "--reason", "CQC gives the day", input=orjson.dumps(moved).decode()).exit_code == 0
    status = orjson.loads(cli("status", "RWP", "--json").stdout)
    assert status["deregistered"]["successor_id"] == "RCC"


def test_a_location_retracted_may_be_registered_again(cli):
    # Given a location registered in error and retracted
    assert cli("record", input=[registered("RWP"), location("RWP01", name="Wrong")]).exit_code == 0
    assert cli("retract", "RWP/2", "--reason", "wrong name").exit_code == 0
    # When it is registered again, then it is recorded: a retracted entry counts for nothing
    result = cli("record", "--json", input=[location("RWP01", name="Worcestershire Royal Hospital")])
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout)["recorded"] == ["RWP/4"]


TWO_PROVIDERS = (
    "CQC gives a location that passes to another provider a new id (RBA11 became RH5A8, taking over its ratings by "
    "RatingsInherited), so one id under two providers is a mistake, in the input or in the ledger; if the ledger is wrong, "
)


def test_a_location_registered_under_another_provider_is_refused_even_once_deregistered_there(cli):
    # Given AAA01 registered under AAA (AAA/2), and later deregistered there (AAA/3)
    given = [registered("AAA"), registered("DDD"), location("AAA01", provider_id="AAA")]
    assert cli("record", input=given).exit_code == 0
    before = cli("entries", "--json").stdout
    # When DDD registers the same id, before and after AAA deregisters it
    held = cli("record", input=[location("RWP01", provider_id="DDD"), location("AAA01", provider_id="DDD", on="2021-01-01")])
    closed = {"type": "LocationDeregistered", "provider_id": "AAA", "location_id": "AAA01", "on": "2020-12-31"}
    gone = cli("record", input=[closed, location("AAA01", provider_id="DDD", on="2021-01-01")])
    # Then each is refused naming the line, the field and the registration held, and nothing is recorded
    assert held.exit_code == 1
    assert held.stderr == (
        'Error: line 2: field "location_id": location AAA01 is placed under DDD, but the ledger has it under AAA (AAA/2): '
        f"{TWO_PROVIDERS}mend AAA/2 first (cqc-ledger correct AAA/2 FILE --reason TEXT, or retract)\n"
    )
    assert gone.exit_code == 1
    assert gone.stderr.startswith('Error: line 2: field "location_id": location AAA01 is placed under DDD, but the ledger has it under AAA')
    assert cli("entries", "--json").stdout == before


def test_a_location_registered_under_two_providers_in_one_input_is_refused_naming_the_earlier_line(cli):
    result = cli(
        "record", input=[registered("AAA"), registered("DDD"), location("AAA01", provider_id="AAA"), location("AAA01", provider_id="DDD")]
    )

    assert result.exit_code == 1
    assert result.stderr.startswith(
        'Error: line 4: field "location_id": location AAA01 is placed under DDD, but the ledger has it under AAA (line 3 of this input): '
    )
    assert cli("entries", "--json").exit_code == 1  # nothing recorded: no provider in the ledger


def test_a_correction_into_a_location_held_by_another_provider_is_refused(cli):
    given = [registered("AAA"), registered("DDD"), location("AAA01", provider_id="AAA"), location("DDD01", provider_id="DDD")]
    assert cli("record", input=given).exit_code == 0

    result = cli("record", input=[corrected("DDD/2", location("AAA01", provider_id="DDD"), provider_id="DDD")])

    assert result.exit_code == 1
    assert result.stderr.startswith(
        'Error: line 1: field "replacement.location_id": location AAA01 is placed under DDD, but the ledger has it under AAA (AAA/2)'
    )


def test_a_location_retracted_under_one_provider_may_be_registered_under_another(cli):
    given = [registered("AAA"), registered("DDD"), location("AAA01", provider_id="AAA")]
    assert cli("record", input=given).exit_code == 0
    assert cli("retract", "AAA/2", "--reason", "AAA01 is DDD's").exit_code == 0

    result = cli("record", "--json", input=[location("AAA01", provider_id="DDD")])

    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout)["recorded"] == ["DDD/2"]


# ---- text ----------------------------------------------------------------------------------


def test_a_control_character_in_text_is_refused_naming_it_on_both_doors_and_stores(cli, history):
    # When a summary holds a NUL, written canonically (the fast door's kind of line) and not
    canonical = (
        '{"inspection_id":"RWP-I2","on":"2016-01-01","provider_id":"RWP","summary":"Alpha\\u0000Trust","type":"InspectionCarriedOut"}'
    )
    loose = '{"type": "InspectionCarriedOut", "provider_id": "RWP", "inspection_id": "RWP-I2", "on": "2016-01-01", "summary": "Alpha\\u0000Trust"}'
    results = [cli("record", "-", input=text(FINE, line)) for line in (canonical, loose)]

    # Then both are refused alike, naming the line, the field and the character, shown escaped
    for result in results:
        assert result.exit_code == 1, result.output
        assert result.stderr == (
            'Error: line 2: field "summary": "Alpha\\u0000Trust" holds the control character U+0000 (character 6); '
            "text may hold no control characters but tabs and line breaks: remove it\n"
        )
    assert entries(cli) == history


def test_tabs_and_line_breaks_are_kept_in_text(cli, history):
    result = cli("record", input=[inspection("RWP-I2", "2016-01-01", summary="Two findings:\n\tstaffing\r\n\tbeds")])

    assert result.exit_code == 0, result.output
    assert orjson.loads(entries(cli))[-1]["summary"] == "Two findings:\n\tstaffing\r\n\tbeds"


# ---- a report's cells are a set ----------------------------------------------------------------

CELLS = [cell("overall", "Good"), cell("safe", "Requires improvement"), cell("caring", "Outstanding", location_id="RWP01")]


def test_a_report_recorded_again_with_its_cells_in_another_order_is_skipped_as_already_recorded(cli, history):
    # Given a report of three cells
    assert cli("record", input=[report("RWP-R2", "2016-01-01", *CELLS)]).exit_code == 0
    stored = entries(cli)

    # When the same report is recorded again with its cells in another order
    result = cli("record", "--json", input=[report("RWP-R2", "2016-01-01", *reversed(CELLS))])

    # Then it is skipped as the report already recorded, and nothing is written
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout) == {"recorded": [], "skipped": [1]}
    assert entries(cli) == stored


def test_a_report_repeated_in_another_order_in_one_input_is_recorded_once(cli, history):
    result = cli("record", "--json", input=[report("RWP-R2", "2016-01-01", *CELLS), FINE, report("RWP-R2", "2016-01-01", *CELLS[::-1])])

    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout) == {"recorded": ["RWP/11", "RWP/12"], "skipped": [3]}


def test_a_report_in_another_order_with_a_cell_changed_is_still_other_content(cli, history):
    assert cli("record", input=[report("RWP-R2", "2016-01-01", *CELLS)]).exit_code == 0

    result = cli("record", input=[report("RWP-R2", "2016-01-01", cell("overall", "Inadequate"), *CELLS[:0:-1])])

    assert result.exit_code == 1
    assert 'report_id "RWP-R2" is already recorded as RWP/11 with other content' in result.stderr


def test_a_corrected_report_recorded_again_in_another_order_is_skipped_as_either_version(cli, history):
    # Given a report (RWP/11) corrected (RWP/12) to rate safe Inadequate
    corrected_cells = [CELLS[0], cell("safe", "Inadequate"), CELLS[2]]
    assert cli("record", input=[report("RWP-R2", "2016-01-01", *CELLS)]).exit_code == 0
    assert cli("record", input=[corrected("RWP/11", report("RWP-R2", "2016-01-01", *corrected_cells))]).exit_code == 0

    # When either version is recorded again with its cells in another order
    result = cli(
        "record", "--json", input=[report("RWP-R2", "2016-01-01", *CELLS[::-1]), report("RWP-R2", "2016-01-01", *corrected_cells[::-1])]
    )

    # Then both are skipped as already recorded
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout) == {"recorded": [], "skipped": [1, 2]}


# ---- names have a length ---------------------------------------------------------------------

LONG = "Worcestershire " * 20 + "Acute Hospitals NHS Trust"  # 325 characters: a paragraph, not a name


@pytest.mark.parametrize(
    ("line", "field"),
    [
        pytest.param(registered("RZZ", name=LONG), "name", id="a provider's name"),
        pytest.param(renamed("2016-01-01", LONG), "name", id="a new name"),
        pytest.param(location("RWP02", name=LONG), "name", id="a location's name"),
        pytest.param(
            report("RWP-R2", "2016-01-01", cell("overall", "Good"), cell("safe", "Good", "RWP01", LONG)),
            "ratings[1].service",
            id="a cell's service",
        ),
        pytest.param(revised("2016-01-01", cell("safe", "Good", "RWP01", LONG)), "cell.service", id="a revised cell's service"),
        pytest.param(inspection("RWP-I2", "2016-01-01", scope=[{"service": LONG}]), "scope[0].service", id="an inspected service"),
        pytest.param(notice_issued("RWP-N3", "2016-01-01", service=LONG), "service", id="a notice's service"),
        pytest.param(superseded("Surgery", "2016-01-01", "Maternity", LONG, location_id="RWP01"), "by[1]", id="a service that took over"),
        pytest.param(corrected("RWP/2", location("RWP01", name=LONG)), "replacement.name", id="a corrected name"),
    ],
)
def test_a_name_longer_than_the_limit_is_refused_naming_the_line_and_field_and_nothing_is_recorded(cli, history, line, field):
    from cqc_ledger.ledger.entry_checks import NAME_LIMIT

    canonical = orjson.dumps(
        {k: v for k, v in line.items() if v is not None}, option=orjson.OPT_SORT_KEYS
    ).decode()  # the fast door's kind of line
    for written in (text(FINE, line), text(FINE, canonical)):
        result = cli("record", "-", input=written)

        assert result.exit_code == 1, result.output
        assert result.stderr == (
            f'Error: line 2: field "{field}": the name "{LONG[:40]}..." is {len(LONG)} characters long; '
            f"a name may be at most {NAME_LIMIT} characters\n"
        )
        assert entries(cli) == history


def test_a_name_of_the_limits_length_is_recorded_as_written(cli, history):
    from cqc_ledger.ledger.entry_checks import NAME_LIMIT

    name = ("Worcestershire " * 30)[: NAME_LIMIT - 3] + "NHS"
    result = cli("record", input=[renamed("2016-01-01", name), location("RWP02", name=name)])

    assert result.exit_code == 0, result.output
    assert [e["name"] for e in orjson.loads(entries(cli))[-2:]] == [name, name]
