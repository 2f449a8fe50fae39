"""The parser's fast door (canonical lines read with msgspec) reads every line as the strict door
does, or leaves it to the strict door: it never accepts what the strict door refuses, and never
reads a line otherwise."""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.register import register_lines
from cqc_ledger.events import ENTRY_TYPES
from cqc_ledger.events.schema import field_specs
from cqc_ledger.ledger.errors import InputError
from cqc_ledger.ledger.fastparse import fast_read
from cqc_ledger.ledger.input import iter_entries, json_value
from cqc_ledger.ledger.parsing import CONTROLS, parse_entry
from cqc_ledger.ledger.store.codec import canonical

TODAY = date(2026, 1, 1)
LINES = list(register_lines(12, 30, seed=3))
EXTRA = [
    b'{"type":"RatingRevised","provider_id":"R00001","on":"2016-05-01","cell":{"question":"safe","rating":"Good"},"reason":"rating review"}',
    b'{"type":"WarningNoticeIssued","provider_id":"R00001","notice_id":"N1","on":"2016-05-01","section":"29A","location_id":"R0000101","service":"Maternity"}',
    b'{"type":"EnforcementActionTaken","provider_id":"R00001","action_id":"A1","on":"2016-05-01","action":"requirement-notice"}',
    b'{"type":"ProviderDeregistered","provider_id":"R00001","on":"2016-05-01","successor_id":"R00002","reason":"merged"}',
    b'{"type":"ProviderRenamed","provider_id":"R00001","name":"Trust One","on":"2016-05-01"}',
    b'{"type":"LocationDeregistered","provider_id":"R00001","location_id":"R0000101","on":"2016-05-01"}',
    b'{"type":"InspectionCarriedOut","provider_id":"R00001","inspection_id":"I9","on":"2016-05-01","scope":[]}',
]


def strict(line: bytes) -> Any:
    """The strict door's entry for a line, or the refusal's message."""
    try:
        return parse_entry(json_value(line), today=TODAY)
    except (InputError, ValueError) as refused:
        return f"refused: {refused}"


def fast_entry(line: bytes) -> Any:
    """The fast door's entry for a line (None: left to the strict door), its canonical form
    checked against the recorder's own writing of it."""
    read = fast_read(line, TODAY)
    if read is None:
        return None
    entry, form = read
    assert form is None or form == canonical(entry), line
    return entry


def test_every_line_of_a_generated_register_takes_the_fast_door_and_reads_the_same():
    for line in LINES + EXTRA:
        fast = fast_entry(line)
        assert fast is not None, line
        assert fast == strict(line)


def test_a_notice_naming_a_misspelt_service_is_left_to_the_strict_door_which_refuses_it():
    misspelt = EXTRA[1].replace(b'"Maternity', b'"Matrenity')
    assert fast_entry(misspelt) is None
    assert (
        strict(misspelt)
        == 'refused: field "service": "Matrenity" is not a CQC service (did you mean "Maternity"?); a service CQC has not rated before is kept as written'
    )


# A control character (see parsing.CONTROLS) in each field of text a canonical line has, written as
# the canonical form writes it: the fast door must leave each to the strict door, which refuses it.
_CONTROLLED = [
    (b'"name":"Trust R00000"', b'"name":"Trust\\u0000R00000"', "name"),
    (b'"name":"Hospital R0000001"', b'"name":"Hospital\\u001bR0000001"', "name"),
    (b'"source":"synthetic"', b'"source":"synthetic\xc2\x85."', "source"),
    (b'"concerns":["staffing"]', b'"concerns":["staffing","beds\\u0000"]', "concerns[1]"),
    (b'"notice_id":"R00005-WN1"', b'"notice_id":"R00005-WN1\x7f"', "notice_id"),
    (b'"inspection_ids":["R00001-I1"]', b'"inspection_ids":["R00001\\u0000I1"]', "inspection_ids[0]"),
    (b'"service":"Urgent and emergency services"', b'"service":"Urgent and emergency\\u0000services"', "ratings[0].service"),
]


def test_a_control_character_in_any_text_is_left_to_the_strict_door_which_refuses_it():
    for was, now, field in _CONTROLLED:
        line = next(line for line in LINES + EXTRA if was in line).replace(was, now, 1)
        assert fast_entry(line) is None, line
        assert strict(line).startswith(f'refused: field "{field}": '), strict(line)
        assert "holds the control character U+" in strict(line)


def test_a_cell_given_a_word_for_no_rating_is_left_to_the_strict_door_which_leaves_it_out():
    line = EXTRA[0].replace(b'"cell":{"question":"safe","rating":"Good"}', b'"cell":{"question":"safe","rating":"No action"}')
    report = next(line for line in LINES if b"ReportPublished" in line)
    without = orjson.loads(report)
    without["ratings"] = without["ratings"][1:]
    with_word = orjson.dumps(
        {**orjson.loads(report), "ratings": [{**without["ratings"][0], "rating": "No published rating"}, *without["ratings"]]}
    )

    assert fast_entry(with_word) is None
    assert strict(with_word) == strict(orjson.dumps(without))
    assert fast_entry(line) is None
    assert strict(line).startswith('refused: field "cell.rating": "No action" is not a rating')


def test_the_fast_door_writes_the_canonical_form_of_every_line_but_one_with_an_empty_list():
    forms = {line: fast_read(line, TODAY) for line in LINES + EXTRA}
    assert [line for line, read in forms.items() if read and read[1] is None] == [EXTRA[-1]]  # its "scope":[]
    assert all(read[1] == canonical(read[0]) for read in forms.values() if read and read[1])


# Ways a canonical line can stop being one: each either keeps its meaning (the strict door reads
# it, normalised) or is refused there with a message the fast door must not pre-empt.
_EDITS = [
    lambda t: t.replace(b'"Good"', b'"good"', 1),
    lambda t: t.replace(b'"Good"', b'"Goood"', 1),
    lambda t: t.replace(b'"rating":"Good"', b'"rating":"No published rating"', 1),
    lambda t: t.replace(b'"rating":"Inadequate"', b'"rating":"Not applicable"', 1),
    lambda t: t.replace(b'"overall"', b'"Overall"', 1),
    lambda t: t.replace(b'"question":"safe"', b'"question":"use-of-resources"', 1),
    lambda t: t.replace(b'"on":"', b'"on":" ', 1),
    lambda t: t.replace(b'"on":"20', b'"on":"30', 1),
    lambda t: t.replace(b'"on":"2', b'"on":null,"x":"2', 1),
    lambda t: t.replace(b"-0", b"-1", 1),
    lambda t: t.replace(b'"must_do":', b'"must_do":-', 1),
    lambda t: t.replace(b'"must_do":', b'"must_do":true,"must_do":', 1),
    lambda t: t.replace(b'"provider_id":"', b'"provider_id":"r', 1),
    lambda t: t.replace(b'"provider_id":"', b'"provider_id":" ', 1),
    lambda t: t.replace(b'"location_id":"', b'"location_id":"x', 1),
    lambda t: t.replace(b'"successor_id":"', b'"successor_id":"R/', 1),
    lambda t: t.replace(b'"successor_id":"', b'"successor_id":"r', 1),
    lambda t: t.replace(b'"Maternity', b'"Matrenity', 1),
    lambda t: t.replace(b'"Surgery"', b'"surgery"', 1),
    lambda t: t.replace(b'"Surgery"', b'"Ophthalmology"', 1),
    lambda t: t.replace(b'"rating":', b'"extra":1,"rating":', 1),
    lambda t: t.replace(b'"source":', b'"sauce":', 1),
    lambda t: t.replace(b'"type":"', b'"type":"X', 1),
    lambda t: t.replace(b'"section":"29A"', b'"section":"s29a"', 1),
    lambda t: t.replace(b'"outcome":"met"', b'"outcome":"Met"', 1),
    lambda t: t.replace(b'"segment":', b'"segment":9', 1),
    lambda t: t.replace(b'"kind":"focused"', b'"kind":"FOCUSED"', 1),
    lambda t: t.replace(b'"ratings":[', b'"ratings":[{"question":"safe","rating":"Good"},', 1),
    lambda t: t.replace(b'"inspection_ids":["', b'"inspection_ids":["","', 1),
    lambda t: t.replace(b'"until":"', b'"until":"1', 1),
    lambda t: t.replace(b'"deadline":"', b'"deadline":"1', 1),
    lambda t: t.replace(b"synthetic", b"synth\\u0065tic", 1),
    lambda t: t.replace(b"synthetic", b"synth\\u0000tic", 1),
    lambda t: t.replace(b'"staffing"', b'"staff\\u001fing"', 1),
    lambda t: t.replace(b'"name":"', b'"name":"\x7f', 1),
    lambda t: t.replace(b'"name":"', b'"name":"","x":"', 1),
    lambda t: t.replace(b'"source":"synthetic"', b'"source":""', 1),
    lambda t: t.replace(b'"concerns":["staffing"', b'"concerns":["staffing",""', 1),
    lambda t: t.replace(b'"staffing"', b'"staffing\xc2\xa0"', 1),
    lambda t: t.replace(b'"inspection_ids":["', b'"inspection_ids":[" ', 1),
    lambda t: t.replace(b'"Urgent and emergency services"', b'"Urgent and emergency\\u0000services"', 1),
    lambda t: t.replace(b'"summary', b'"summary":"a:b","x', 1),
    lambda t: t.replace(b":", b": ", 3),
    lambda t: t[:-1],
    lambda t: b"\xef\xbb\xbf" + t,
    lambda t: b"[" + t + b"]",
]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(LINES + EXTRA), st.lists(st.sampled_from(range(len(_EDITS))), min_size=1, max_size=3))
def test_the_fast_door_reads_an_edited_line_as_the_strict_door_does_or_leaves_it(line, edits):
    for n in edits:
        line = _EDITS[n](line)
    fast = fast_entry(line)
    if fast is not None:
        assert fast == strict(line)


def test_input_read_through_both_doors_is_read_as_the_strict_door_reads_it():
    lines = [*LINES[:40], b"", b'{"type":"ProviderRenamed","provider_id":"R00001","name":" Trust One ","on":"2016-05-01"}']
    read = list(iter_entries(lines, today=TODAY))
    expected = [(n, parse_entry(orjson.loads(line), today=TODAY)) for n, line in enumerate(lines, 1) if line]
    assert [(n, entry) for n, entry, _ in read] == expected
    assert all(form is None or form == canonical(entry) for _, entry, form in read)


_TEXT = st.text(st.characters(codec="utf-8"), min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(
    summary=_TEXT,
    source=_TEXT,
    must_do=st.integers(min_value=-2, max_value=2**70),
    ids=st.lists(_TEXT, max_size=2),
    order=st.randoms(use_true_random=False),
)
def test_what_the_fast_door_reads_it_writes_as_the_recorder_would(summary, source, must_do, ids, order):
    # Any text, numbers at and past the ends of what is stored, keys in any order: whatever the
    # fast door reads, its canonical form is the recorder's, and its entry the strict door's.
    obj = orjson.loads(next(line for line in LINES if b"ReportPublished" in line))
    obj.update(summary=summary, source=source, must_do=must_do, inspection_ids=ids)
    keys = list(obj)
    order.shuffle(keys)
    line = (
        orjson.dumps({k: obj[k] for k in keys})
        if must_do < 2**63
        else orjson.dumps({**obj, "must_do": 0}).replace(b'"must_do":0', b'"must_do":%d' % must_do)
    )
    fast = fast_entry(line)
    if fast is not None:
        assert fast == strict(line)


def test_every_control_character_is_unprintable_so_printable_text_need_not_be_searched_for_one():
    # The fast door searches text for a control character only when str.isprintable says no.
    controls = [chr(c) for c in range(0x110000) if CONTROLS.match(chr(c))]
    assert len(controls) == 62
    assert not any(c.isprintable() for c in controls)


# Text with what a check of text looks for: white space at an end (U+0085 and U+00A0 among it,
# written raw), control characters (DEL and C1 written raw, C0 escaped), escapes, other letters.
_EDGES = st.sampled_from(
    [" ", "\t", "\n", "\x00", "\x1f", "\x7f", "\x85", "\x9f", "\xa0", "\u2028", "\u3000", "\\", '"', "R", "0", "a", "é"]
)
_ENDS = st.sampled_from(["", "", "", " ", "\t", "\xa0", "\x85", "\u3000", "\x1f"])
_ANY_TEXT = st.builds(lambda *parts: "".join(parts), _ENDS, st.text(st.one_of(_EDGES, st.characters(codec="utf-8")), max_size=6), _ENDS)


# Each field of text of each type a line here has, and those lines.
_TEXT_FIELDS = sorted(
    {
        (name, spec.name, spec.kind)
        for name in {orjson.loads(line)["type"] for line in LINES + EXTRA}
        for spec in field_specs(ENTRY_TYPES[name])
        if spec.kind in ("str", "strs")
    }
)
_LINES_OF = {name: [line for line in LINES + EXTRA if orjson.loads(line)["type"] == name] for name, _, _ in _TEXT_FIELDS}


@settings(max_examples=500, deadline=None)
@given(kind=st.sampled_from(["str", "strs"]), data=st.data())
def test_any_text_in_any_field_of_text_of_any_type_is_read_as_the_strict_door_reads_it_or_left(kind, data):
    # The fast door checks each field by its kind, worked out once per type: a field checked as
    # the wrong kind, or not at all, reads here what the strict door refuses, or reads otherwise.
    # (Lists of text, in two fields only, are drawn as often as all other text.)
    name, field_name, _ = data.draw(st.sampled_from([field for field in _TEXT_FIELDS if field[2] == kind]))
    obj = orjson.loads(data.draw(st.sampled_from(_LINES_OF[name])))
    obj[field_name] = data.draw(_ANY_TEXT if kind == "str" else st.lists(_ANY_TEXT, min_size=1, max_size=3))
    line = orjson.dumps(obj)
    fast = fast_entry(line)
    if fast is not None:
        assert fast == strict(line)
