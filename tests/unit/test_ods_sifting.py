"""Reading an ODS sifted (only the rows a reader wants read whole, the others as far as their
deciding cells): the same rows, numbers and deciding values as lxml's reading of every row,
whatever the file holds; what the scanner does not read (a comment, CDATA, another prefix, a
table in a cell) handed to lxml from the same row; refusals as they would be."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from cqc_ledger.ledger.errors import BadImportFile
from cqc_ledger.ledger.imports.ods import ROW_BYTES
from cqc_ledger.ledger.imports.tables import read

pytest.importorskip("lxml", reason="reading ODS needs the optional extra: pip install 'cqc-ledger[ods]'")

NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"'
)
COLUMNS = ["Location ID", "Location Type", "Notes", "Provider ID", "Provider Name"]
DECIDING = (3, 1)  # the provider id, then the location's type


def ods(path: Path, rows: str, prolog: str = '<?xml version="1.0" encoding="UTF-8"?>', ns: str = NS) -> str:
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        book.writestr(
            "content.xml",
            f'{prolog}<office:document-content {ns}><office:body><office:spreadsheet><table:table table:name="Data">'
            f"{rows}</table:table></office:spreadsheet></office:body></office:document-content>",
        )
    return str(path)


def text(value: str, repeat: int = 1) -> str:
    more = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-cell office:value-type="string" calcext:value-type="string"{more}><text:p>{value}</text:p></table:table-cell>'


def empty(repeat: int = 1) -> str:
    return f'<table:table-cell table:number-columns-repeated="{repeat}"/>' if repeat > 1 else "<table:table-cell/>"


def row(*cells: str, repeat: int = 1) -> str:
    more = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{more}>{''.join(cells)}</table:table-row>"


HEADER = row(*(text(c) for c in COLUMNS))
ROWS = (
    HEADER
    + row(text("RWP01"), text("NHS Healthcare Organisation"), empty(), text("RWP"), text("Worcestershire"))
    + row(text("1-201"), text("Social Care Org"), empty(), text("1-101"), text("Homes &amp; Care Ltd"))
    + row(text("1-202"), empty(2), text("1-102"), text("Care"), empty(2000))
    + row(empty(3), text("1-103"), repeat=2)
    + row(empty(4), repeat=5)
    + row(text("1-204"), text("  nhs healthcare organisation "), text("x", 2), text("1-104"))
    + row(text("1-205"), text("Dentist"), text('says number-columns-repeated="9"'), text("1-105"), text("a&lt;b"))
    + row(
        text("1-206"),
        '<table:table-cell office:value-type="float" office:value="3"><text:p>3</text:p></table:table-cell>',
        empty(),
        text("RX9"),
    )
    + row(text("1-207"), text("Dentist"), empty(), text(" 1-107 "))
)


def nhs(values: list) -> bool:
    provider_id, kind = values
    return not provider_id or len(provider_id) == 3 or kind.lower() == "nhs healthcare organisation"


def sifted(path: str, sifting: bool = True, keep=nhs) -> list[tuple[int, object]]:
    """Each row's number, and its whole values when wanted, else its deciding values."""
    found = []
    for table in read(path, lambda header: "ours" if "Provider ID" in header else None, sifting=sifting):
        table.sift(DECIDING, keep)
        for number, values in table.rows:
            deciding = [values[c] if c < len(values) else "" for c in DECIDING]
            found.append((number, values if keep(deciding) else deciding))
    return found


def test_sifted_rows_are_those_of_reading_every_row_whole(tmp_path):
    path = ods(tmp_path / "book.ods", ROWS)

    assert sifted(path) == sifted(path, sifting=False)
    numbers = [n for n, _ in sifted(path)]
    assert numbers == [2, 3, 4, 5, 6, 12, 13, 14, 15]


def test_rows_passed_over_hold_their_deciding_values(tmp_path):
    path = ods(tmp_path / "book.ods", ROWS)
    passed = []
    for table in read(path, lambda header: "ours", sifting=True):
        table.sift(DECIDING, nhs)
        passed = [values for _, values in table.rows if not nhs([values[3], values[1]])]

    assert passed[0] == ["", "Social Care Org", "", "1-101"]  # the other cells are not read
    assert [v[3] for v in passed] == ["1-101", "1-102", "1-103", "1-103", "1-105", "1-107"]


@pytest.mark.parametrize(
    "odd",
    [
        "<!-- a comment -->",
        "<![CDATA[ text ]]>",
        '<?processing instruction="yes"?>',
        '<table:table-row xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><table:table-cell/></table:table-row>',
        row(
            text("1-300"),
            "<table:table-cell><table:table><table:table-row>" + text("RWP") + "</table:table-row></table:table></table:table-cell>",
            empty(),
            text("1-301"),
        ),
        row(text("1-300"), "<table:covered-table-cell/>", empty(), text("1-302")),
    ],
    ids=["comment", "cdata", "instruction", "prefix-bound-again", "table-in-a-cell", "covered-cell"],
)
def test_what_the_scanner_does_not_read_is_read_by_lxml_from_the_same_row(tmp_path, odd):
    path = ods(tmp_path / "book.ods", ROWS + odd + row(text("1-209"), text("Dentist"), empty(), text("1-109")))

    assert sifted(path) == sifted(path, sifting=False)


@pytest.mark.parametrize(
    ("prolog", "ns"),
    [
        ('<?xml version="1.0" encoding="ISO-8859-1"?>', NS),
        ('<?xml version="1.0"?><!DOCTYPE office:document-content>', NS),
        ("", NS.replace("xmlns:table=", "xmlns:t=").replace('xmlns:office="', 'xmlns:table="urn:x" xmlns:office="')),
    ],
    ids=["latin-1", "doctype", "other-prefixes"],
)
def test_a_document_the_scanner_does_not_read_is_read_by_lxml(tmp_path, prolog, ns):
    path = ods(tmp_path / "book.ods", ROWS, prolog=prolog, ns=ns)

    if "xmlns:t=" in ns:  # the cells are not in the table namespace: no sheet at all, either way
        assert sifted(path) == sifted(path, sifting=False) == []
    else:
        assert sifted(path) == sifted(path, sifting=False)


def test_a_row_wider_than_its_header_is_refused_even_when_passed_over(tmp_path):
    path = ods(tmp_path / "book.ods", HEADER + row(text("1-201"), text("Dentist"), empty(), text("1-101"), text("x"), text("too wide")))

    with pytest.raises(BadImportFile, match="row 2 has 6 cells, but the header row has 5 columns"):
        sifted(path)


def test_a_damaged_file_is_refused_in_a_sentence_when_sifted(tmp_path):
    for n, content in enumerate([ROWS[: len(ROWS) // 2], ROWS.replace("</table:table-row>", "</table:table-rox>", 3)]):
        path = ods(tmp_path / f"cut{n}.ods", content)
        with pytest.raises(BadImportFile, match=r"cut\d\.ods: not a readable ODS spreadsheet"):
            sifted(path)


@pytest.mark.parametrize("sifting", [True, False], ids=["scanned", "parsed"])
def test_a_row_that_never_ends_is_refused_read_no_further_than_the_most_a_row_may_hold(tmp_path, sifting):
    # Given a sheet whose second row goes on for 64 MiB of XML (about 100 KB deflated)
    path = tmp_path / "book.ods"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book, book.open("content.xml", "w", force_zip64=True) as content:
        content.write(
            f'<office:document-content {NS}><office:body><office:spreadsheet><table:table table:name="Data">{HEADER}<table:table-row>'.encode()
        )
        for _ in range(64):
            content.write(text("RWP01").encode() * ((1 << 20) // len(text("RWP01"))))
    inflated = []

    # When it is read, then it is refused naming the row, read no further than a piece past the most
    with pytest.raises(BadImportFile, match=r"book\.ods \(sheet Data\): row 2: longer than 4194304 bytes \(4 MiB\) of XML"):
        for table in read(str(path), lambda header: "ours", sifting=sifting, advance=inflated.append):
            table.sift(DECIDING, nhs)
            list(table.rows)
    assert ROW_BYTES < sum(inflated) <= ROW_BYTES + (2 << 20)


OUTSIDE = {  # 64 MiB of XML outside a sheet (about 100 KB deflated), where it is, and the refusal of it
    "before the first sheet": (
        "",
        r"book\.ods: before its first sheet: longer than 4194304 bytes \(4 MiB\) of XML, the most the styles and settings before a sheet may hold",
    ),
    "after a sheet": (
        f'<table:table table:name="Data">{HEADER}</table:table>',
        r"book\.ods \(sheet Data\): after row 1: 4194304 bytes \(4 MiB\) of XML without a row, more than a row may hold",
    ),
}


@pytest.mark.parametrize("sifting", [True, False], ids=["scanned", "parsed"])
@pytest.mark.parametrize("where", list(OUTSIDE))
def test_xml_outside_a_sheet_is_refused_read_no_further_than_the_most_a_row_may_hold(tmp_path, sifting, where):
    # Given 64 MiB of XML (styles, say) before the first sheet, or after one
    before, says = OUTSIDE[where]
    piece = '<calcext:style calcext:name="ce1"/>'
    path = tmp_path / "book.ods"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book, book.open("content.xml", "w", force_zip64=True) as content:
        content.write(f"<office:document-content {NS}><office:body><office:spreadsheet>{before}".encode())
        for _ in range(64):
            content.write(piece.encode() * ((1 << 20) // len(piece)))
        content.write(
            f'<table:table table:name="Data">{HEADER}</table:table></office:spreadsheet></office:body></office:document-content>'.encode()
        )
    inflated = []

    # When it is read, then it is refused saying where, read no further than a piece past the most
    with pytest.raises(BadImportFile, match=says):
        for table in read(str(path), lambda header: "ours", sifting=sifting, advance=inflated.append):
            table.sift(DECIDING, nhs)
            list(table.rows)
    assert ROW_BYTES < sum(inflated) <= ROW_BYTES + (2 << 20)


DEALT = (text("1-201"), text("Dentist"), empty(), text("1-101"))  # a row the sieve passes over
WIDER_THAN_A_SHEET = {
    "empty cells": row(*DEALT, *[empty()] * 16_381),
    "runs of empty cells": row(*DEALT, *[empty(1000)] * 17),
    "runs written otherwise": row(*DEALT, *['<table:table-cell table:number-columns-repeated = "1000"/>'] * 17),
    "no value": row(*[empty()] * 16_385),
}


@pytest.mark.parametrize("wide", list(WIDER_THAN_A_SHEET))
def test_a_row_of_more_cells_than_a_sheet_holds_is_refused_even_when_passed_over(tmp_path, wide):
    # Given a row the sieve passes over (or one with no value) holding more than 16,384 cells
    path = ods(tmp_path / "book.ods", HEADER + WIDER_THAN_A_SHEET[wide] + row(text("RWP01"), empty(), empty(), text("RWP")))

    # When it is read, sifted or whole, then it is refused in the same words
    for sifting in (True, False):
        with pytest.raises(
            BadImportFile, match=r"book\.ods \(sheet Data\): row 2: more than 16,384 cells, the most a row of a sheet holds"
        ):
            sifted(path, sifting=sifting)


def test_a_row_of_as_many_cells_as_a_sheet_holds_is_read_sifted_as_whole(tmp_path):
    path = ods(tmp_path / "book.ods", HEADER + row(*DEALT, *[empty()] * 16_380) + row(text("RWP01"), empty(), empty(), text("RWP")))

    assert sifted(path) == sifted(path, sifting=False) == [(2, ["1-101", "Dentist"]), (3, ["RWP01", "", "", "RWP"])]
