"""Odd input at the door: ids that are not CQC's, values of the wrong JSON kind, corrections
nested without end, times at the ends of the calendar, keys given twice, a byte order mark.
Each is refused with a sentence naming the line and field (or accepted, for the mark), never a
traceback, and a refused input writes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import click
import orjson
import pytest
from builders import registered
from conftest import EXAMPLES
from ledgers import ok, run

BOM = "\ufeff"


def refused(result, *words: str) -> str:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.stderr.startswith("Error: "), result.stderr
    for word in words:
        assert word in result.stderr, result.stderr
    return result.stderr


@pytest.fixture
def ledger(tmp_path):
    target = tmp_path / "ledger.db"
    ok(target, "record", str(EXAMPLES / "RWP.jsonl"))
    return target


# ---- ids follow CQC's forms ----------------------------------------------------------------


@pytest.mark.parametrize("bad", ["RW/P", "RW P", "RWP\u0000", "\ufeff", "\u200b", "\u200bRWP", "R", "rwp", "1-", "1-12a"])
def test_a_provider_id_not_of_cqcs_forms_is_refused_at_the_door(tmp_path, bad):
    target = tmp_path / "ledger.db"

    refused(
        run(
            target, "record", "-", input=f'{{"type": "ProviderRegistered", "provider_id": {_json(bad)}, "name": "X", "on": "2010-04-01"}}\n'
        ),
        "line 1",
        '"provider_id"',
        "is not a CQC id",
    )

    assert not target.exists()


@pytest.mark.parametrize("good", ["RWP", "5QL", "R1G", "RWP01", "R1G56", "1-101641521"])
def test_ods_codes_and_cqc_numbers_are_ids(tmp_path, good):
    ok(
        tmp_path / "ledger.db",
        "record",
        "-",
        input=f'{{"type": "ProviderRegistered", "provider_id": "{good}", "name": "X", "on": "2010-04-01"}}\n',
    )


def test_a_lower_case_id_is_refused_with_the_id_it_may_mean(tmp_path):
    refused(
        run(
            tmp_path / "l.db",
            "record",
            "-",
            input='{"type": "ProviderRegistered", "provider_id": "rwp", "name": "X", "on": "2010-04-01"}\n',
        ),
        'did you mean "RWP"?',
    )


def test_a_location_id_in_a_rating_cell_must_be_an_id_too(ledger):
    line = '{"type": "RatingRevised", "provider_id": "RWP", "on": "2020-01-01", "reason": "x", "cell": {"location_id": "RWP 01", "question": "safe", "rating": "Good"}}\n'

    refused(run(ledger, "record", "-", input=line), "line 1", "location_id", "is not a CQC id")


INHERITED = [{"question": "overall", "rating": "Good", "published_on": "2017-12-05"}]
ENTRIES_NAMING_OTHERS = {
    "successor_id": {"type": "ProviderDeregistered", "provider_id": "RWP", "on": "2024-01-01"},
    "from_provider_id": {
        "type": "RatingsInherited",
        "provider_id": "RWP",
        "location_id": "RWP01",
        "on": "2020-04-01",
        "ratings": INHERITED,
    },
    "from_location_id": {
        "type": "RatingsInherited",
        "provider_id": "RWP",
        "location_id": "RWP01",
        "on": "2020-04-01",
        "ratings": INHERITED,
    },
}


@pytest.mark.parametrize("field", sorted(ENTRIES_NAMING_OTHERS))
@pytest.mark.parametrize("bad", ["RW/X", "RWX 1", "\u200b", "rwx", ""])
def test_an_id_naming_another_provider_or_location_must_be_an_id_too(ledger, field, bad):
    # Given a ledger holding RWP, and its export
    before = ok(ledger, "export").stdout_bytes
    line = orjson.dumps({**ENTRIES_NAMING_OTHERS[field], field: bad}).decode() + "\n"

    # When an entry naming a successor or a predecessor by something not of CQC's forms is recorded
    result = run(ledger, "record", "-", input=line)

    # Then it is refused at the door, naming the line and the field, and nothing is written
    refused(result, "line 1", f'"{field}"', "is not a CQC id" if bad else "non-empty")
    assert ok(ledger, "export").stdout_bytes == before


@pytest.mark.parametrize("field", sorted(ENTRIES_NAMING_OTHERS))
def test_an_id_naming_another_provider_or_location_in_cqcs_forms_is_recorded(ledger, field):
    line = orjson.dumps({**ENTRIES_NAMING_OTHERS[field], field: "1-101641521" if field == "from_provider_id" else "RWX01"}).decode()

    ok(ledger, "record", "-", input=line + "\n")


def _json(text: str) -> str:
    import json

    return json.dumps(text)


# ---- values of the wrong kind --------------------------------------------------------------


@pytest.mark.parametrize("value", ["[]", '["Good"]', "{}", '{"a": 1}'])
@pytest.mark.parametrize("key", ["rating", "question"])
def test_a_rating_or_question_given_as_a_list_or_object_is_refused_naming_the_field(ledger, key, value):
    cell = {"question": '"safe"', "rating": '"Good"'} | {key: value}
    line = f'{{"type": "ReportPublished", "provider_id": "RWP", "report_id": "R-odd", "on": "2020-01-01", "ratings": [{{"question": {cell["question"]}, "rating": {cell["rating"]}}}]}}\n'

    refused(run(ledger, "record", "-", input=line), "line 1", f"ratings[0].{key}")


@pytest.mark.parametrize(
    ("value", "shown"),
    [("true", "true"), ("false", "false"), ("-1", "-1"), ("2.5", "2.5"), ('"3"', '"3"'), ("[3]", "a list"), ('{"n": 3}', "an object")],
)
def test_a_value_of_the_wrong_kind_is_named_as_json_writes_it(ledger, value, shown):
    line = f'{{"type": "ReportPublished", "provider_id": "RWP", "report_id": "R-odd", "on": "2020-01-01", "ratings": [], "must_do": {value}}}\n'

    said = refused(run(ledger, "record", "-", input=line))

    assert said == f'Error: line 1: field "must_do" must be a whole number, 0 or more, not {shown}\n'


def test_corrections_nested_hundreds_deep_are_refused_not_a_crash(ledger):
    entry = '{"type": "ProviderRenamed", "provider_id": "RWP", "name": "X", "on": "2020-01-01"}'
    for _ in range(330):
        entry = f'{{"type": "EntryCorrected", "provider_id": "RWP", "ref": "RWP/1", "reason": "r", "replacement": {entry}}}'

    refused(run(ledger, "record", "-", input=entry + "\n"), "line 1", "replacement", "cannot itself be a correction")


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
@pytest.mark.parametrize(
    "command",
    [("status", "RWP"), ("trusts",), ("explain", "RWP"), ("history", "RWP"), ("diff", "RWP", "--from", "2015-01-01", "--to", "2020-01-01")],
)
def test_a_known_at_outside_the_calendar_in_utc_is_a_usage_error_not_a_crash(ledger, command, moment):
    result = run(ledger, *command, "--known-at", moment)

    assert result.exit_code == 2, result.output
    assert "is not a time" in result.output


def test_the_first_moment_of_the_calendar_is_a_time_the_ledger_knew_nothing_at(ledger):
    result = run(ledger, "trusts", "--known-at", "0001-01-01T00:00:00Z", "--json")

    assert result.exit_code == 0, result.output


# ---- keys given twice ----------------------------------------------------------------------


def test_a_line_naming_a_key_twice_is_refused_naming_the_key(ledger):
    line = '{"type": "ProviderRenamed", "provider_id": "ZZZ9", "provider_id": "RWP", "name": "Renamed", "on": "2020-01-01"}\n'
    before = ok(ledger, "export").stdout_bytes

    refused(run(ledger, "record", "-", input=line), "line 1", 'the key "provider_id" is given twice')

    assert ok(ledger, "export").stdout_bytes == before


def test_a_key_twice_inside_a_rating_cell_or_with_escapes_is_refused_too(ledger):
    nested = '{"type": "RatingRevised", "provider_id": "RWP", "on": "2020-01-01", "reason": "x", "cell": {"question": "safe", "rating": "Good", "rating": "Inadequate"}}\n'
    escaped = '{"type": "ProviderRenamed", "provider_id": "RWP", "name": "A\\u003a", "n\\u0061me": "B", "on": "2020-01-01"}\n'

    refused(run(ledger, "record", "-", input=nested), 'the key "rating" is given twice')
    refused(run(ledger, "record", "-", input=escaped), 'the key "name" is given twice')


def test_colons_in_values_are_not_mistaken_for_keys(ledger):
    line = '{"type": "ProviderRenamed", "provider_id": "RWP", "name": "A: B :: \\"C\\":", "on": "2020-01-01"}\n'

    ok(ledger, "record", "-", input=line)


def test_a_correction_file_naming_a_key_twice_is_refused(ledger, tmp_path):
    replacement = tmp_path / "fix.json"
    replacement.write_text('{"type": "ProviderRegistered", "provider_id": "RWP", "name": "A", "name": "B", "on": "2010-04-01"}')

    refused(run(ledger, "correct", "RWP/1", str(replacement), "--reason", "x"), 'the key "name" is given twice')


def test_an_api_response_naming_a_key_twice_is_refused(tmp_path):
    response = tmp_path / "RWP.json"
    response.write_text('{"providerId": "RWP", "providerId": "RX9", "name": "X"}')

    refused(run(tmp_path / "l.db", "import", "cqc-api", str(response)), "RWP.json", 'the key "providerId" is given twice')


# ---- a byte order mark -----------------------------------------------------------------------


def test_record_and_restore_accept_a_byte_order_mark(tmp_path):
    text = (EXAMPLES / "RWP.jsonl").read_text()
    ok(tmp_path / "a.db", "record", "-", input=BOM + text)
    exported = ok(tmp_path / "a.db", "export").stdout

    ok(tmp_path / "b.db", "restore", "-", input=BOM + exported)

    assert ok(tmp_path / "b.db", "export").stdout == exported


def test_correct_and_import_accept_a_byte_order_mark(ledger, tmp_path):
    import orjson

    replacement = tmp_path / "fix.json"
    replacement.write_bytes(BOM.encode() + orjson.dumps(registered("RWP", name="Worcestershire Acute Hospitals NHS Trust")))
    ok(ledger, "correct", "RWP/1", str(replacement), "--reason", "name")
    api = tmp_path / "RWP.json"
    api.write_bytes(BOM.encode() + (EXAMPLES.parent / "tests" / "fixtures" / "cqc" / "RWP.json").read_bytes())

    ok(tmp_path / "new.db", "import", "cqc-api", str(api))


# ---- text that is not UTF-8 ------------------------------------------------------------------

LINE = '{"type": "ProviderRenamed", "provider_id": "RWP", "name": "Worcestershire Acute Hospitals NHS Trust Café", "on": "2020-01-01"}\n'
AT = LINE.index("é") + 1  # the byte, counting from 1, of é in a one-byte encoding


@pytest.mark.parametrize(
    ("encoded", "says"),
    [
        (LINE.encode("latin-1"), f"line 1: not UTF-8 text: byte {AT} of the line is 0xe9, which UTF-8 does not use there"),
        (LINE.encode("cp1252"), f"line 1: not UTF-8 text: byte {AT} of the line is 0xe9"),
        (LINE.encode("utf-16"), "line 1: not UTF-8 text: it opens with UTF-16's byte order mark"),
        (LINE.encode("utf-16-le"), "line 1: not UTF-8 text: the line holds NUL bytes, as UTF-16 text does"),
        (LINE.encode() + LINE.encode("latin-1"), f"line 2: not UTF-8 text: byte {AT} of the line is 0xe9"),
    ],
    ids=["latin-1", "windows-1252", "utf-16", "utf-16 without its mark", "on line 2"],
)
def test_input_that_is_not_utf8_text_is_refused_naming_the_line_and_saying_so(ledger, tmp_path, encoded, says):
    path = tmp_path / "renamed.jsonl"
    path.write_bytes(encoded)
    stored = ok(ledger, "export").stdout

    for said in (refused(run(ledger, "record", str(path))), refused(run(ledger, "record", "-", input=encoded))):
        assert said.startswith(f"Error: {says}") and said.endswith("; save the file as UTF-8\n"), said
        assert "surrogates" not in said
    assert ok(ledger, "export").stdout == stored


TWO_LINES = LINE.replace(', "name"', ',\n  "name"')  # a replacement written over two lines


@pytest.mark.parametrize(
    ("encoded", "says"),
    [
        (LINE.encode("latin-1"), f"line 1: not UTF-8 text: byte {AT} of the line is 0xe9, which UTF-8 does not use there"),
        (LINE.encode("utf-16"), "line 1: not UTF-8 text: it opens with UTF-16's byte order mark"),
        (LINE.encode("utf-16-le"), "line 1: not UTF-8 text: the line holds NUL bytes, as UTF-16 text does"),
        (TWO_LINES.encode("latin-1"), f"line 2: not UTF-8 text: byte {TWO_LINES.splitlines()[1].index('é') + 1} of the line is 0xe9"),
    ],
    ids=["latin-1", "utf-16", "utf-16 without its mark", "on line 2"],
)
def test_a_replacement_that_is_not_utf8_text_is_refused_as_record_refuses_it(db, tmp_path, encoded, says):
    # Given a ledger on either store, and a replacement saved in another encoding (over one line or two)
    ok(db, "record", str(EXAMPLES / "RWP.jsonl"))
    stored = ok(db, "export").stdout
    fix = tmp_path / "fix.json"
    fix.write_bytes(encoded)

    # When it is given to correct, as a file or on standard input
    for result in (
        run(db, "correct", "RWP/1", str(fix), "--reason", "x"),
        run(db, "correct", "RWP/1", "-", "--reason", "x", input=fix.read_bytes()),
    ):
        # Then it is refused as record refuses it, naming the line and the byte, and nothing is recorded
        said = refused(result)
        assert said.startswith(f"Error: {says}") and said.endswith("; save the file as UTF-8\n"), said
    assert ok(db, "export").stdout == stored


# ---- whole numbers too large -----------------------------------------------------------------

LARGEST = 2**64 - 1  # the largest integer the canonical form (orjson) writes
TOO_LARGE = f"is too large (a whole number is at most {LARGEST})"


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        (str(2**64), str(2**64)),
        ("1" + "0" * 23, "1" + "0" * 23),
        ("1" + "0" * 400, "a number of over 40 digits"),
        ("1" + "0" * 5000, "a number of over 40 digits"),
    ],
    ids=["2**64", "10**23", "10**400", "10**5000"],
)
@pytest.mark.parametrize(
    ("line", "field"),
    [
        (
            '{"type": "ReportPublished", "provider_id": "RWP", "report_id": "RWP-RX", "on": "2020-01-01", "ratings": [], "must_do": %s}',
            "must_do",
        ),
        ('{"must_do":%s,"on":"2020-01-01","provider_id":"RWP","ratings":[],"report_id":"RWP-RX","type":"ReportPublished"}', "must_do"),
        (
            '{"type": "ReportPublished", "provider_id": "RWP", "report_id": "RWP-RX", "on": "2020-01-01", "ratings": [], "should_do": %s}',
            "should_do",
        ),
        ('{"framework":"NOF-2022","on":"2023-01-01","provider_id":"RWP","segment":%s,"type":"OversightSegmentChanged"}', "segment"),
    ],
    ids=["must_do", "must_do, canonical", "should_do", "segment"],
)
def test_a_whole_number_too_large_is_refused_as_too_large_wherever_it_is(ledger, line, field, number, shown):
    stored = ok(ledger, "export").stdout

    said = refused(run(ledger, "record", "-", input=line % number + "\n"))

    assert said == f'Error: line 1: field "{field}": {shown} {TOO_LARGE}\n'
    assert ok(ledger, "export").stdout == stored


def test_the_largest_whole_number_is_recorded_and_a_fraction_is_not_a_whole_number(ledger):
    line = '{"type": "ReportPublished", "provider_id": "RWP", "report_id": "RWP-RX", "on": "2020-01-01", "ratings": [], "must_do": %s}\n'

    ok(ledger, "record", "-", input=line % LARGEST)
    said = refused(run(ledger, "record", "-", input=line.replace("RWP-RX", "RWP-RY") % "1.9e19"))

    assert said == 'Error: line 1: field "must_do" must be a whole number, 0 or more, not 1.9e+19\n'


def test_a_number_too_large_for_text_is_shown_as_written(ledger):
    said = refused(
        run(
            ledger,
            "record",
            "-",
            input='{"type": "ProviderRenamed", "provider_id": "RWP", "name": 18446744073709551616, "on": "2020-01-01"}\n',
        )
    )

    assert said == 'Error: line 1: field "name" must be a non-empty string, not 18446744073709551616\n'


def test_a_correction_or_an_export_with_a_whole_number_too_large_is_refused_as_too_large(ledger, tmp_path):
    report = orjson.loads(ok(ledger, "entries", "RWP", "--json").stdout)[-1]
    fix = tmp_path / "fix.json"
    fix.write_text(
        orjson.dumps({k: v for k, v in report.items() if k not in ("ref", "recorded_at")}).decode().replace("{", f'{{"must_do":{2**64},', 1)
    )
    exported = ok(ledger, "export").stdout.replace('"type":"ReportPublished"', f'"type":"ReportPublished","should_do":{10**30}', 1)

    corrected = refused(run(ledger, "correct", report["ref"], str(fix), "--reason", "x"))
    restored = refused(run(tmp_path / "new.db", "restore", "-", input=exported))

    assert corrected == f'Error: field "replacement.must_do": {2**64} {TOO_LARGE}\n'
    assert f'field "should_do": {10**30} {TOO_LARGE}\n' in restored


# ---- a --known-at after now ------------------------------------------------------------------

PERIOD = ("--from", "2015-01-01", "--to", "2020-01-01")
TAKING_KNOWN_AT = {
    "status": ("RWP",),
    "trusts": (),
    "explain": ("RWP",),
    "history": ("RWP",),
    "diff": ("RWP", *PERIOD),
    "changes": PERIOD,
    "counts": PERIOD,
    "transitions": PERIOD,
    "chart": ("RWP", "--out", "chart.svg"),
    "anomalies": (),
}


def test_every_command_taking_known_at_is_checked_below():
    from cqc_ledger.cli import main

    ctx = click.Context(main)
    taking = {name for name in main.list_commands(ctx) if any(p.name == "known_at" for p in main.get_command(ctx, name).params)}

    assert taking == set(TAKING_KNOWN_AT)


@pytest.mark.parametrize("later", ["2999-01-01", "an hour from now", "tomorrow"])
@pytest.mark.parametrize("command", sorted(TAKING_KNOWN_AT))
def test_a_known_at_after_now_is_a_usage_error_naming_the_option_and_the_value(ledger, command, later):
    now = datetime.now(UTC)
    given = {"an hour from now": f"{now + timedelta(hours=1):%Y-%m-%dT%H:%M:%SZ}", "tomorrow": f"{now.date() + timedelta(days=1)}"}.get(
        later, later
    )
    before = ok(ledger, "export").stdout_bytes

    args = (str(ledger.parent / a) if a == "chart.svg" else a for a in TAKING_KNOWN_AT[command])
    result = run(ledger, command, *args, "--known-at", given)

    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"Invalid value for '--known-at': \"{given}\" is after now (" in result.stderr, result.stderr
    assert "is not known yet" in result.stderr
    assert ok(ledger, "export").stdout_bytes == before


def test_a_known_at_of_today_or_a_moment_ago_is_what_is_known_now(ledger):
    now = datetime.now(UTC)
    known_now = orjson.loads(ok(ledger, "status", "RWP", "--at", "2020-01-01", "--json").stdout)

    for given in (f"{now.date()}", f"{now:%Y-%m-%dT%H:%M:%S.%fZ}"):
        answer = orjson.loads(ok(ledger, "status", "RWP", "--at", "2020-01-01", "--known-at", given, "--json").stdout)
        assert {**answer, "known_at": None} == {**known_now, "known_at": None}
