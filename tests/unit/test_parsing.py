"""Reading a user's JSON into entries: strict about what is wrong, loose about how words are written."""

from __future__ import annotations

from datetime import date

import pytest
from builders import (
    cell,
    corrected,
    inherited,
    inspection,
    notice_assessed,
    notice_issued,
    registered,
    report,
    retracted,
    revised,
    segment,
    superseded,
)

from cqc_ledger.events import inspections
from cqc_ledger.events.jsonform import entry_from_json, entry_to_json
from cqc_ledger.ledger.errors import InvalidField
from cqc_ledger.ledger.input import iter_entries, json_value
from cqc_ledger.ledger.parsing import parse_entry

TODAY = date(2026, 1, 1)


def parse(obj: dict):
    return parse_entry(obj, today=TODAY)


def refusal(obj: dict) -> InvalidField:
    with pytest.raises(InvalidField) as caught:
        parse(obj)
    return caught.value


# ---- messages name the field and suggest the fix ------------------------------------------------


def test_a_misspelt_rating_names_the_field_and_suggests_the_rating():
    error = refusal(report("RWP-R1", "2017-06-20", cell("overall", "Good"), cell("safe", "Requires Improvment")))

    assert error.field == "ratings[1].rating"
    assert str(error).startswith('field "ratings[1].rating": "Requires Improvment" is not a rating')
    assert '(did you mean "Requires improvement"?)' in str(error)


def test_a_misspelt_question_suggests_the_question():
    error = refusal(report("RWP-R1", "2017-06-20", cell("wel-led", "Good")))

    assert error.field == "ratings[0].question"
    assert '(did you mean "well-led"?)' in str(error)


def test_a_word_that_is_nothing_like_a_rating_lists_the_ratings():
    error = refusal(report("RWP-R1", "2017-06-20", cell("overall", "Splendid")))

    assert "did you mean" not in str(error)
    assert str(error).endswith(
        'one of "Outstanding", "Good", "Requires improvement", "Inadequate", "Not rated", '
        '"Inspected but not rated", "Insufficient evidence to rate"'
    )


def test_an_unknown_field_suggests_the_field_meant():
    error = refusal({**report("RWP-R1", "2017-06-20"), "reprot_url": "https://www.cqc.org.uk/provider/RWP"})

    assert error.field == "reprot_url"
    assert str(error) == 'unknown field "reprot_url" (did you mean "report_id"?)'


def test_an_unknown_field_inside_a_cell_is_named_by_its_path():
    error = refusal(report("RWP-R1", "2017-06-20", {**cell("overall", "Good"), "locaton_id": "RWP01"}))

    assert error.field == "ratings[0].locaton_id"
    assert '(did you mean "location_id"?)' in str(error)


def test_an_unknown_type_suggests_the_type_meant():
    error = refusal({**registered(), "type": "ProviderRegistred"})

    assert error.field == "type"
    assert '(did you mean "ProviderRegistered"?)' in str(error)


def test_a_missing_field_is_named():
    error = refusal({"type": "WarningNoticeIssued", "provider_id": "RWP", "notice_id": "RWP-WN-2017-01", "on": "2017-01-27"})

    assert (error.field, str(error)) == ("section", 'missing field "section"')


@pytest.mark.parametrize(
    ("entry", "field", "words"),
    [
        (report("RWP-R1", "2017-06-20") | {"ratings": {"question": "overall"}}, "ratings", "must be a list"),
        (report("RWP-R1", "2017-06-20", must_do=-1), "must_do", "must be a whole number"),
        (report("RWP-R1", "2017-06-20", must_do=True), "must_do", "must be a whole number"),
        (registered(name="   "), "name", "must be a non-empty string"),
        (registered(on="1 April 2010"), "on", "is not a date like 2017-06-20"),
        (registered(on="2010-02-29"), "on", "is not a day of the calendar"),
        (registered(on="2026-01-02"), "on", "is in the future (today is 2026-01-01)"),
        (inspection("RWP-2016-11", "2016-11-22", until="2016-11-21"), "until", 'is before "on"'),
        (notice_issued("RWP-WN-2017-01", "2017-01-27", deadline="2017-01-26"), "deadline", 'is before "on"'),
        (segment("2025-04-01", "SOF-2021", 5), "segment", "SOF-2021 has segments 1 to 4, not 5"),
        (
            report("RWP-R1", "2017-06-20", cell("use-of-resources", "Good", location_id="RWP01")),
            "ratings[0].question",
            "is rated only at trust level",
        ),
        (revised("2017-06-20", cell("combined", "Good", service="Surgery")), "cell.question", "is rated only at trust level"),
        ({**corrected("RWP/9", report("RWP-R1", "2017-06-20")), "ref": "nine"}, "ref", 'is not a ref like "RWP/9"'),
    ],
    ids=[
        "a list that is an object",
        "a negative count",
        "a count that is true",
        "a blank name",
        "a date in words",
        "a day not in the calendar",
        "a day in the future",
        "a last visit before the first",
        "a deadline before the notice",
        "a segment the framework lacks",
        "use-of-resources at a location",
        "combined for a service",
        "a ref that is not a ref",
    ],
)
def test_a_value_a_field_cannot_hold_is_refused_naming_the_field(entry, field, words):
    error = refusal(entry)

    assert error.field == field
    assert f'"{field}"' in str(error) and words in str(error)


def _inherited_cell(**fields: str) -> dict[str, str]:
    return {"question": "safe", "rating": "Good", "published_on": "2019-01-01", **fields}


@pytest.mark.parametrize(
    ("entry", "field", "message"),
    [
        (registered(on="2026-01-02"), "on", 'field "on": 2026-01-02 is in the future (today is 2026-01-01)'),
        (
            inspection("RWP-I1", "2025-12-30", until="2026-01-02"),
            "until",
            'field "until": 2026-01-02 is in the future (today is 2026-01-01)',
        ),
        (inspection("RWP-I1", "2016-11-22", until="2016-11-21"), "until", 'field "until": 2016-11-21 is before "on" (2016-11-22)'),
        (
            notice_issued("RWP-WN1", "2017-01-27", deadline="2017-01-26"),
            "deadline",
            'field "deadline": 2017-01-26 is before "on" (2017-01-27)',
        ),
        (
            report("RWP-R1", "2017-06-20", cell("safe", "Good", "RWP01"), cell("overall", "Good"), cell("safe", "Inadequate", "RWP01")),
            "ratings[2]",
            'field "ratings[2]" rates the same cell as "ratings[0]" (RWP01 safe); a report gives each cell one rating',
        ),
        (
            inherited("RWP02", "2020-01-01"),
            "ratings",
            'field "ratings" is empty: a RatingsInherited entry carries at least one rating',
        ),
        (
            inherited("RWP02", "2020-01-01", _inherited_cell(location_id="RWP03")),
            "ratings[0].location_id",
            'field "ratings[0].location_id": "RWP03" is not this entry\'s location "RWP02"; '
            "an inherited rating becomes the inheriting location's own (name where it came from in from_location_id)",
        ),
        (
            inherited("RWP02", "2020-01-01", _inherited_cell(published_on="2020-01-02")),
            "ratings[0].published_on",
            'field "ratings[0].published_on": 2020-01-02 is after "on" (2020-01-01); a location inherits only ratings already published',
        ),
        (
            inherited("RWP02", "2020-01-01", _inherited_cell(), _inherited_cell(rating="Inadequate")),
            "ratings[1]",
            'field "ratings[1]" rates the same cell as "ratings[0]" (RWP02 safe); a report gives each cell one rating',
        ),
        (
            inherited(
                "RWP02",
                "2020-01-01",
                _inherited_cell(report_id="R-1"),
                _inherited_cell(question="caring", report_id="R-2", published_on="2018-01-01"),
                _inherited_cell(question="overall", report_id="R-1", published_on="2019-01-02"),
            ),
            "ratings[2].published_on",
            'field "ratings[2].published_on": 2019-01-02 is not the day of report "R-1", published on 2019-01-01 by '
            '"ratings[0]"; a report is published on one day',
        ),
        (superseded("Surgery", "2020-01-01", "Surgery"), "by", 'field "by": "Surgery" cannot supersede itself'),
        (segment("2025-04-01", "SOF-2021", 0), "segment", 'field "segment": SOF-2021 has segments 1 to 4, not 0'),
        (retracted("nine"), "ref", 'field "ref": "nine" is not a ref like "RWP/9"'),
        (retracted("RWP/9", on="2026-01-02"), "on", 'field "on": 2026-01-02 is in the future (today is 2026-01-01)'),
        (corrected("RWP/0", registered()), "ref", 'field "ref": "RWP/0" is not a ref like "RWP/9"'),
        (
            corrected("RWP/9", registered(provider_id="RXX")),
            "replacement.provider_id",
            'field "replacement.provider_id": "RXX" is not this entry\'s provider "RWP"',
        ),
        (
            corrected("RWP/9", registered(on="2026-01-02")),
            "replacement.on",
            'field "replacement.on": 2026-01-02 is in the future (today is 2026-01-01)',
        ),
        (corrected("RWP/9", registered(), on="2026-01-02"), "on", 'field "on": 2026-01-02 is in the future (today is 2026-01-01)'),
        (
            inherited("RWP02", "2020-01-01", _inherited_cell(), from_location_id="RWP02"),
            "from_location_id",
            'field "from_location_id": "RWP02" is the inheriting location itself: a location cannot inherit its own ratings '
            "(name the location they came from, or leave from_location_id out)",
        ),
        (
            inspection("RWP-I1", "2019-01-01", scope=[{"location_id": "RWP01", "questions": ["safe", "use-of-resources"]}]),
            "scope[0].questions[1]",
            'field "scope[0].questions[1]": "use-of-resources" is rated only at trust level, so the scope item can have no '
            "location_id or service",
        ),
    ],
    ids=[
        "a day in the future",
        "a last visit in the future",
        "a last visit before the first",
        "a deadline before the notice",
        "a cell rated twice",
        "nothing inherited",
        "an inherited cell of another location",
        "an inherited cell published after",
        "an inherited cell twice",
        "an inherited report on two days",
        "a service superseding itself",
        "a segment below the first",
        "a retraction of what is not a ref",
        "a retraction in the future",
        "a correction of what is not a ref",
        "a replacement of another provider",
        "a replacement in the future",
        "a correction in the future",
        "an inheritance from the location itself",
        "a trust-only question in a location's scope",
    ],
)
def test_each_check_across_fields_refuses_in_its_own_words(entry, field, message):
    # Each check of an entry as a whole, of each type that has it (check_entry works them out
    # per type), word for word.
    error = refusal(entry)

    assert (error.field, str(error)) == (field, message)


def test_a_misspelt_service_of_a_notice_suggests_the_service_there_and_in_a_replacement():
    notice = notice_issued("RWP-WN-2017-01", "2017-01-27", service="Matrenity")

    error = refusal(notice)
    in_replacement = refusal(corrected("RWP/9", notice))

    assert (error.field, str(error)) == (
        "service",
        'field "service": "Matrenity" is not a CQC service (did you mean "Maternity"?); a service CQC has not rated before is kept as written',
    )
    assert in_replacement.field == "replacement.service"
    assert str(in_replacement).startswith('field "replacement.service": "Matrenity" is not a CQC service (did you mean "Maternity"?)')


def test_segment_5_exists_only_in_the_2025_framework():
    assert parse(segment("2025-04-01", "NOF-2025", 5)).segment == 5


def test_a_correction_checks_its_replacement_as_strictly_as_an_entry():
    error = refusal(corrected("RWP/9", report("RWP-R1", "2017-06-20", cell("overall", "Inadequat"))))

    assert '(did you mean "Inadequate"?)' in str(error)


# ---- words are matched loosely, and written as the contract writes them --------------------------


@pytest.mark.parametrize(
    "written",
    ["Requires improvement", "requires_improvement", "REQUIRES-IMPROVEMENT", "Requires  Improvement", " requires improvement "],
)
def test_a_rating_is_matched_without_regard_to_case_dashes_or_underscores(written):
    entry = parse(report("RWP-R1", "2017-06-20", cell("overall", written)))

    assert entry.ratings[0].rating == "Requires improvement"


@pytest.mark.parametrize(
    ("written", "question"),
    [
        ("Well led", "well-led"),
        ("well_led", "well-led"),
        ("WELL-LED", "well-led"),
        ("Safe", "safe"),
        ("Use of resources", "use-of-resources"),
        ("use_of_resources", "use-of-resources"),
        ("Overall", "overall"),
    ],
)
def test_a_question_is_matched_loosely(written, question):
    entry = parse(report("RWP-R1", "2017-06-20", cell(written, "Good")))

    assert entry.ratings[0].question == question


@pytest.mark.parametrize(
    ("entry", "field", "canonical"),
    [
        ({"type": "SpecialMeasuresEntered", "provider_id": "RWP", "on": "2015-12-02", "regime": "QUALITY"}, "regime", "quality"),
        (notice_assessed("RWP-WN-2017-01", "2017-06-20", outcome="Not met"), "outcome", "not-met"),
        (notice_issued("RWP-WN-2017-01", "2017-01-27", section="s29A"), "section", "29A"),
        (inspection("RWP-2017-04", "2017-04-11", kind="Follow up"), "kind", "follow-up"),
        (inspection("RWP-2017-04", "2017-04-11", framework="KLOE_2014"), "framework", "kloe-2014"),
        (registered(provider_type="Mental health"), "provider_type", "mental-health"),
        (
            {"type": "EnforcementActionTaken", "provider_id": "RWP", "action_id": "A1", "on": "2015-04-01", "action": "Condition imposed"},
            "action",
            "condition-imposed",
        ),
        (segment("2021-07-01", "sof_2021", 4), "framework", "SOF-2021"),
    ],
    ids=[
        "regime",
        "outcome",
        "section",
        "inspection kind",
        "inspection framework",
        "provider type",
        "enforcement action",
        "oversight framework",
    ],
)
def test_every_closed_list_is_matched_loosely_and_written_canonically(entry, field, canonical):
    parsed = parse(entry)

    assert getattr(parsed, field) == canonical
    assert entry_to_json(parsed)[field] == canonical


def test_scope_questions_are_matched_loosely():
    entry = parse(inspection("RWP-2017-04", "2017-04-11", scope=[{"location_id": "RWP01", "questions": ["Safe", "Well led"]}]))

    assert entry.scope[0].questions == ("safe", "well-led")


# ---- services have one canonical name --------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "service"),
    [
        ("Urgent and emergency care", "Urgent and emergency services"),
        ("Urgent & emergency services", "Urgent and emergency services"),
        ("urgent and emergency services", "Urgent and emergency services"),
        ("A&E", "Urgent and emergency services"),
        ("Medical care", "Medical care (including older people's care)"),
        ("Medical care including older people's care", "Medical care (including older people's care)"),
        ("Children and young people", "Services for children and young people"),
        ("EUC", "Emergency and urgent care"),
        ("Emergency operations centre (EOC)", "Emergency operations centre"),
        ("NHS111", "NHS 111"),
    ],
)
def test_a_core_service_has_one_name_however_it_is_written(written, service):
    rated = parse(report("RWP-R1", "2017-06-20", cell("safe", "Good", location_id="RWP01", service=written)))
    revision = parse(revised("2017-06-20", cell("safe", "Good", location_id="RWP01", service=written)))
    inspected = parse(inspection("RWP-2017-04", "2017-04-11", scope=[{"location_id": "RWP01", "service": written}]))

    assert rated.ratings[0].service == revision.cell.service == inspected.scope[0].service == service


def test_a_service_outside_the_core_list_is_kept_as_written():
    entry = parse(report("RWP-R1", "2017-06-20", cell("overall", "Good", location_id="RWP01", service="  Gynaecological   oncology ")))

    assert entry.ratings[0].service == "Gynaecological oncology"


# ---- the canonical form --------------------------------------------------------------------------


def test_the_canonical_form_reads_back_as_the_same_entry():
    entry = parse(
        report(
            "RWP-2018-01-17",
            "2018-01-17",
            cell("safe", "requires_improvement", location_id="RWP01", service="Urgent and emergency care"),
            inspection_ids=["RWP-2017-11"],
            must_do=0,
            summary="Focused inspection.",
        )
    )

    written = entry_to_json(entry)

    assert written == {
        "type": "ReportPublished",
        "provider_id": "RWP",
        "report_id": "RWP-2018-01-17",
        "on": "2018-01-17",
        "ratings": [
            {"location_id": "RWP01", "service": "Urgent and emergency services", "question": "safe", "rating": "Requires improvement"}
        ],
        "inspection_ids": ["RWP-2017-11"],
        "must_do": 0,
        "summary": "Focused inspection.",
    }
    assert entry_from_json(written) == entry
    assert isinstance(entry, inspections.ReportPublished)


def test_a_report_with_no_ratings_keeps_its_empty_list():
    assert entry_to_json(parse(report("RWP-2015-06-16", "2015-06-16")))["ratings"] == []


# ---- integers read exactly ----------------------------------------------------------------------

HUGE = "1" + "0" * 400  # beyond a double's range: orjson refuses it as "infinity"


def test_an_integer_beyond_a_double_is_read_exactly_and_large_ones_exactly_on_asking():
    assert json_value(f'{{"must_do": {HUGE}}}') == {"must_do": 10**400}
    assert json_value(f'{{"must_do": {2**64}}}') == {"must_do": float(2**64)}  # orjson's quick reading
    assert json_value(f'{{"must_do": {2**64}}}', exact=True) == {"must_do": 2**64}
    assert json_value('{"must_do": 1.5e3, "x": "12345678901234567890"}', exact=True) == {"must_do": 1500.0, "x": "12345678901234567890"}


@pytest.mark.parametrize(
    "text",
    [f"[{HUGE}, NaN]", f"[{HUGE}, Infinity]", f"[{HUGE}, 1e400]", f'[{HUGE}, "\\ud800"]', f'{{"a": {HUGE}, "a": 1}}', f"[{HUGE}, ]"],
    ids=["NaN", "Infinity", "a float beyond a double", "a lone surrogate", "a key given twice", "a trailing comma"],
)
def test_reading_an_integer_exactly_refuses_what_orjson_refuses(text):
    with pytest.raises(ValueError, match="number is infinity when parsed as double"):
        json_value(text)


def test_a_whole_number_too_large_is_refused_as_too_large_on_both_doors():
    lines = [
        b'{"must_do":18446744073709551616,"on":"2020-01-01","provider_id":"RWP","ratings":[],"report_id":"R1","type":"ReportPublished"}',
        b'{"type": "ReportPublished", "provider_id": "RWP", "report_id": "R1", "on": "2020-01-01", "ratings": [], "must_do": 18446744073709551616}',
    ]
    for line in lines:
        with pytest.raises(InvalidField) as refused:
            list(iter_entries([line], today=TODAY))
        assert str(refused.value) == f'line 1: field "must_do": 18446744073709551616 is too large (a whole number is at most {2**64 - 1})'


def test_a_message_never_prints_a_control_character_raw():
    refusals = [
        refusal({"type": "Report\u0000Published", "provider_id": "RWP"}),
        refusal({**registered(), "na\u0000me": "X"}),
        refusal(report("RWP-R1", "2017-06-20", cell("overall", "Good\u0000"))),
    ]

    assert [str(r).split(" is not")[0].split(" (did")[0] for r in refusals] == [
        'field "type": "Report\\u0000Published"',
        'unknown field "na\\u0000me"',
        'field "ratings[0].rating": "Good\\u0000"',
    ]
    assert all("\u0000" not in str(r) for r in refusals)
