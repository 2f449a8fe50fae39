"""Reading CQC's files row by row: an ODS's cells as a spreadsheet shows them (repeated cells and
rows, spaces, numbers that are ids, days), a header found below a banner, sheets without one
passed over, and a CSV the same way."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest

from cqc_ledger.ledger.errors import BadImportFile
from cqc_ledger.ledger.imports.tables import read

pytest.importorskip("lxml", reason="reading ODS needs the optional extra: pip install 'cqc-ledger[ods]'")

NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def ods(path: Path, tables: str) -> str:
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        book.writestr(
            "content.xml",
            f"<office:document-content {NS}><office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>",
        )
    return str(path)


def text(value: str) -> str:
    return f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'


def recognise(header: list[str]) -> str | None:
    return "ours" if "Provider ID" in header else None


def test_cells_are_read_as_a_spreadsheet_shows_them(tmp_path):
    header = "<table:table-row>" + text("Provider ID") + text("Name") + text("Day") + text("Beds") + "</table:table-row>"
    row = (
        '<table:table-row table:number-rows-repeated="2">'
        + text("RWP")
        + '<table:table-cell office:value-type="string"><text:p>Worcester<text:s text:c="2"/>Royal <text:span>Hospital</text:span></text:p></table:table-cell>'
        + '<table:table-cell office:value-type="date" office:date-value="2019-09-20T00:00:00"><text:p>20/09/2019</text:p></table:table-cell>'
        + '<table:table-cell office:value-type="float" office:value="42"><text:p>42</text:p></table:table-cell>'
        + '<table:table-cell table:number-columns-repeated="16000"/></table:table-row>'
    )
    gap = '<table:table-row table:number-rows-repeated="3"><table:table-cell table:number-columns-repeated="4"/></table:table-row>'
    last = "<table:table-row>" + text("RX9") + '<table:table-cell table:number-columns-repeated="2"/>' + text("7") + "</table:table-row>"
    blank_tail = (
        '<table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    path = ods(
        tmp_path / "book.ods",
        '<table:table table:name="Notes"><table:table-row>' + text("About") + "</table:table-row></table:table>"
        f'<table:table table:name="Data"><table:table-row>{text("Data as at 1 September 2026")}</table:table-row>{header}{row}{gap}{last}{blank_tail}</table:table>',
    )

    tables = [(t.name, t.kind, t.columns, t.banner, list(t.rows)) for t in read(path, recognise)]

    worcester = ["RWP", "Worcester  Royal Hospital", date(2019, 9, 20), "42"]
    assert tables == [
        (
            f"{path} (sheet Data)",
            "ours",
            ["Provider ID", "Name", "Day", "Beds"],
            [["Data as at 1 September 2026"]],
            [(3, worcester), (4, worcester), (8, ["RX9", "", "", "7"])],
        )
    ]


def test_a_csv_is_read_the_same_way_below_its_banner(tmp_path):
    path = tmp_path / "file.csv"
    path.write_text("CQC data\nThis data was produced on 29 July 2026\nProvider ID,Name\n RWP ,Worcester\n\nRX9,\n")

    tables = [(t.banner, list(t.rows)) for t in read(str(path), recognise)]

    assert tables == [([["CQC data"], ["This data was produced on 29 July 2026"]], [(4, ["RWP", "Worcester"]), (6, ["RX9", ""])])]


def test_a_damaged_spreadsheet_is_refused_in_a_sentence(tmp_path):
    path = tmp_path / "cut.ods"
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("content.xml", f"<office:document-content {NS}><office:body><table:table table:name='A'><table:table-row>")

    with pytest.raises(BadImportFile, match=r"cut\.ods: not a readable ODS spreadsheet"):
        for table in read(str(path), recognise):
            list(table.rows)
