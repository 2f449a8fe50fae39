"""CQC's own data for the import tests: the API responses in tests/fixtures/cqc, variants of
them, and "Latest ratings" files built from the documented columns
(shared/reference/cqc-download-file-headers.csv).

The responses follow the field lists of shared/reference/cqc-domain.md section 6: an ambulance
trust whose services sit at trust level (RX9, as fetched in 2018 and in 2020, and its
headquarters RX901) and an acute trust with use of resources, locations and their services
(RWP, RWP01, RWP50). Report link ids are made up; the ratings follow the trusts' public record.
"""

from __future__ import annotations

import copy
import csv
import zipfile
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import orjson
from conftest import SHARED

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "cqc"
HEADERS = SHARED / "reference" / "cqc-download-file-headers.csv"

RX9_2014 = "5c1d7c6e-2014-4409-9d0b-0000000000a0"
RX9_2016 = "5c1d7c6e-2016-4510-9d0b-0000000000a1"
RX9_2017 = "5c1d7c6e-2017-4613-9d0b-0000000000a2"
RX9_2019 = "5c1d7c6e-2019-4717-9d0b-0000000000a3"
RWP_2019 = "7e3b9f20-2019-4c02-8a6d-000000000004"
RWP_UOR_2019 = "7e3b9f20-2019-4c02-8a6d-00000000005e"
RWP01_2023 = "7e3b9f20-2023-4c02-8a6d-000000000009"
API = "https://api.service.cqc.org.uk/public/v1"


def fixture(name: str) -> str:
    """The path of a response in tests/fixtures/cqc, by its name: 'RX9', 'RWP01'."""
    return str(FIXTURES / f"{name}.json")


def response(name: str) -> dict[str, Any]:
    """A fresh copy of a fixture response, to change for a test."""
    return copy.deepcopy(orjson.loads((FIXTURES / f"{name}.json").read_bytes()))


def saved(tmp_path: Path, name: str, body: Any) -> str:
    """Writes a response (or any JSON) to tmp_path/name; its path."""
    path = tmp_path / name
    path.write_bytes(orjson.dumps(body))
    return str(path)


def run_import(cli: Any, fmt: str, *paths: str) -> dict[str, Any]:
    """`import FORMAT PATHS --json`, which must succeed; its JSON."""
    result = cli("import", fmt, *paths, "--json")
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout)


def refused(cli: Any, fmt: str, *paths: str) -> str:
    """`import FORMAT PATHS`, which must be refused; its error message."""
    result = cli("import", fmt, *paths)
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: ")
    return result.output


def status(cli: Any, provider_id: str, day: str) -> dict[str, Any]:
    result = cli("status", provider_id, "--at", day, "--json")
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout)


def entries(cli: Any, provider_id: str) -> list[dict[str, Any]]:
    result = cli("entries", provider_id, "--json")
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout)


def rated(ratings: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """{question: (rating, since)} of a `ratings` object of status JSON."""
    return {q: (v["rating"], v["since"]) for q, v in ratings.items()}


def place(doc: dict[str, Any], location_id: str | None, service: str | None = None) -> dict[str, Any]:
    """The `ratings` of a location, or of a service (at a location, or at trust level)."""
    if location_id is None:
        return next(s["ratings"] for s in doc["services"] if s["service"] == service)
    found = next(loc for loc in doc["locations"] if loc["location_id"] == location_id)
    return found["ratings"] if service is None else next(s["ratings"] for s in found["services"] if s["service"] == service)


# ---- the "Latest ratings" file ------------------------------------------------------------------


def columns(sheet: str) -> list[str]:
    """The documented columns of a sheet of the "Latest ratings" file, in order."""
    with HEADERS.open(newline="") as file:
        return [row["column_name"] for row in csv.DictReader(file) if row["file"] == "latest_ratings" and row["sheet"] == sheet]


def location_row(location_id: str, service: str, domain: str, rating: str, published: str, provider_id: str = "RWP") -> dict[str, str]:
    return {
        "Location ID": location_id,
        "Location ODS Code": location_id,
        "Location Name": f"Hospital {location_id}",
        "Care Home?": "N",
        "Location Type": "NHS Healthcare Organisation",
        "Service / Population Group": service,
        "Domain": domain,
        "Latest Rating": rating,
        "Publication Date": published,
        "Report Type": "Location",
        "Inherited Rating (Y/N)": "N",
        "URL": f"https://www.cqc.org.uk/location/{location_id}",
        "Provider ID": provider_id,
        "Provider Name": f"{provider_id} NHS Trust",
        "Brand ID": "-",
        "Brand Name": "-",
    }


def provider_row(service: str, domain: str, rating: str, published: str, provider_id: str = "RWP") -> dict[str, str]:
    return {
        "Provider ID": provider_id,
        "Provider ODS Code": provider_id,
        "Provider Name": f"{provider_id} NHS Trust",
        "Provider Type": "NHS Healthcare Organisation",
        "Service / Population Group": service,
        "Domain": domain,
        "Latest Rating": rating,
        "Publication Date": published,
        "Report Type": "Provider",
        "Inherited Rating (Y/N)": "N",
        "URL": f"https://www.cqc.org.uk/provider/{provider_id}",
        "Brand ID": "-",
        "Brand Name": "-",
    }


def ratings_csv(tmp_path: Path, name: str, sheet: str, rows: list[dict[str, str]], *, question_header: str = "Domain") -> str:
    """A CSV of one sheet of the file, every documented column present (blank where a row has no
    value), with `question_header` as the name of the Domain column."""
    header = [question_header if c == "Domain" else c for c in columns(sheet)]
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get("Domain" if c == question_header else c, "") for c in header])
    return str(path)


# ---- CQC's monthly files of registrations (the 2026 headers) ---------------------------------

HEADERS_2026 = SHARED / "reference" / "cqc-download-file-headers-2026.csv"
# The documented Deactivated_Locations list stops at "Provider Charity Number"; its provider's
# columns follow it in the file.
DEACTIVATED_PROVIDER_COLUMNS = ["Provider ID", "Provider Name", "Provider Type/Sector", "Provider HSCA start date"]


def columns_2026(file: str) -> list[str]:
    """The documented columns of one of the 2026 files (by the start of its name), in order."""
    with HEADERS_2026.open(newline="") as f:
        found = [row["column_name"] for row in csv.DictReader(f) if row["file"].startswith(file)]
    return found + (DEACTIVATED_PROVIDER_COLUMNS if file == "Deactivated_Locations" else [])


def active_row(location_id: str, start: str, provider_id: str = "RWP", provider_start: str = "2010-04-01", **more: str) -> dict[str, str]:
    """A row of HSCA_Active_Locations: an NHS trust's location unless `more` says otherwise."""
    return {
        "Location ID": location_id,
        "Location HSCA start date": start,
        "Location Name": f"Hospital {location_id}",
        "Location Type/Sector": "NHS Healthcare Organisation",
        "Provider ID": provider_id,
        "Provider Name": f"{provider_id} NHS Trust",
        "Provider HSCA start date": provider_start,
        "Provider Type/Sector": "NHS Healthcare Organisation",
        "Provider Primary Inspection Category": "Acute hospital - NHS non-specialist",
        "Provider Region": "Midlands",
        **more,
    }


def deactivated_row(location_id: str, start: str, end: str, provider_id: str = "RWP", **more: str) -> dict[str, str]:
    return {
        "Location ID": location_id,
        "Location Name": f"Former hospital {location_id}",
        "Location Status": "Deactivated",
        "Location HSCA start date": start,
        "Location HSCA End Date": end,
        "Location Type/Sector": "NHS Healthcare Organisation",
        "Provider ID": provider_id,
        "Provider Name": f"{provider_id} NHS Trust",
        "Provider Type/Sector": "NHS Healthcare Organisation",
        **more,
    }


def monthly_csv(tmp_path: Path, name: str, file: str, rows: list[dict[str, str]], banner: list[str] = ()) -> str:  # type: ignore[assignment]
    """A CSV of one of the 2026 files, every documented column, under `banner` lines."""
    header = columns_2026(file)
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        for line in banner:
            writer.writerow([line])
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(c, "") for c in header])
    return str(path)


def _ods_cell(value: object) -> str:
    if isinstance(value, date):
        return f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}"><text:p>{value:%d/%m/%Y}</text:p></table:table-cell>'
    return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'


def _ods_rows(rows: list[list[object]]) -> str:
    return "".join("<table:table-row>" + "".join(_ods_cell(v) for v in row) + "</table:table-row>" for row in rows)


_ODS_OPENING = (
    '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    "<office:body><office:spreadsheet>"
)
_ODS_CLOSING = "</office:spreadsheet></office:body></office:document-content>"


def ods(path: Path, sheets: dict[str, list[list[object]]]) -> str:
    """A minimal OpenDocument spreadsheet: each sheet a table of text and date cells."""
    tables = "".join(f'<table:table table:name="{escape(name)}">' + _ods_rows(rows) + "</table:table>" for name, rows in sheets.items())
    content = _ODS_OPENING + tables + _ODS_CLOSING
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        book.writestr("META-INF/manifest.xml", manifest)
        book.writestr("content.xml", content)
    return str(path)


def ods_without_end(path: Path, sheet: str, rows: list[list[object]], opening: str, piece: str, inflated: int) -> str:
    """An ODS whose sheet holds `rows`, then `opening` followed by `piece` again and again, to
    `inflated` bytes of XML, before it closes: deflated, a few hundred KB on disk."""
    return _deflated_ods(
        path, f'{_ODS_OPENING}<table:table table:name="{escape(sheet)}">{_ods_rows(rows)}{opening}', piece, inflated, "</table:table>"
    )


def ods_with_opening_without_end(path: Path, sheet: str, rows: list[list[object]], piece: str, inflated: int) -> str:
    """An ODS whose one sheet, holding `rows`, comes after `piece` again and again, to `inflated`
    bytes of XML (styles on and on): deflated, a few hundred KB on disk."""
    return _deflated_ods(path, _ODS_OPENING, piece, inflated, f'<table:table table:name="{escape(sheet)}">{_ods_rows(rows)}</table:table>')


def _deflated_ods(path: Path, head: str, piece: str, inflated: int, tail: str) -> str:
    """An ODS whose content is `head`, `piece` again and again to `inflated` bytes, `tail`, closed."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        book.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        with book.open("content.xml", "w", force_zip64=True) as content:
            content.write(head.encode())
            many = piece.encode() * max(1, (1 << 20) // len(piece))
            for _ in range(inflated // len(many) + 1):
                content.write(many)
            content.write(f"{tail}{_ODS_CLOSING}".encode())
    return str(path)
