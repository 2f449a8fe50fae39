"""CQC's monthly files at national size, generated from their documented headers
(shared/reference/cqc-download-file-headers-2026.csv): a "Latest ratings" file (Locations and
Providers sheets), `HSCA_Active_Locations` and `Deactivated_Locations`, as ODS (the way CQC
publishes them) or CSV.

The mix follows the register: about 230 NHS trusts (ODS-code ids, "NHS Healthcare Organisation")
with a dozen active locations each and acute hospitals rated service by service; the rest are
care homes, home care agencies, GP practices, dentists and independent hospitals (ids like
`1-1234567890`), a few of them chains with hundreds of locations. Some rows carry inherited
ratings (a location that took over its predecessor's). Each file opens with a banner naming the
day it was produced, pushing the header down a few rows, as CQC's 2026 editions do.
"""

from __future__ import annotations

import csv
import random
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

HEADERS = Path(__file__).resolve().parent.parent.parent / "shared" / "reference" / "cqc-download-file-headers-2026.csv"
OLD_HEADERS = HEADERS.with_name("cqc-download-file-headers.csv")
AS_AT = date(2026, 9, 1)
USE_OF_RESOURCES_BEGAN = date(2018, 1, 1)  # rated with CQC's trust reports from 2018 (see the README)
NHS = "NHS Healthcare Organisation"
QUESTIONS = ("Overall", "Safe", "Effective", "Caring", "Responsive", "Well-led")
RATINGS = ("Outstanding", "Good", "Good", "Good", "Good", "Requires improvement", "Requires improvement", "Inadequate")
ACUTE_SERVICES = (
    "Urgent and emergency services",
    "Medical care (including older people's care)",
    "Surgery",
    "Critical care",
    "Maternity",
    "Services for children & young people",
    "End of life care",
    "Outpatients",
)
GP_GROUPS = (
    "Older people",
    "People with long term conditions",
    "Families, children and young people",
    "Working age people (including those recently retired and students)",
    "People whose circumstances may make them vulnerable",
    "People experiencing poor mental health (including people with dementia)",
)
# (sector, share of the other providers, locations each, inspection category)
KINDS = (
    ("Social Care Org", 0.55, 2, "Residential social care"),
    ("Primary Medical Services", 0.20, 1, "GP Practices"),
    ("Primary Dental Care", 0.17, 1, "Dentists"),
    ("Independent Healthcare Org", 0.08, 3, "Independent hospital"),
)
REGIONS = ("London", "South East", "South West", "East", "Midlands", "North East", "North West", "Yorkshire and The Humber")


@dataclass
class Place:
    location_id: str
    name: str
    provider: Provider
    start: date
    end: date | None = None
    rows: list[tuple[str, str, str, date, bool]] = field(default_factory=list)  # service, question, rating, day, inherited


@dataclass
class Provider:
    provider_id: str
    name: str
    sector: str
    category: str
    start: date
    region: str
    rows: list[tuple[str, str, str, date]] = field(default_factory=list)


@dataclass
class Register:
    providers: list[Provider]
    active: list[Place]
    deactivated: list[Place]

    def location_rows(self) -> int:
        return sum(len(p.rows) for p in self.active)


def columns(file: str, sheet: str | None = None) -> list[str]:
    """The documented columns of one file (and sheet), in order."""
    with HEADERS.open(newline="") as f:
        found = [
            r["column_name"] for r in csv.DictReader(f) if r["file"].startswith(file) and (sheet is None or r["sheet"].startswith(sheet))
        ]
    if found:
        return found
    with OLD_HEADERS.open(newline="") as f:  # the Providers sheet is documented with the older release
        return [r["column_name"] for r in csv.DictReader(f) if r["file"] == "latest_ratings" and r["sheet"] == sheet]


def _day(rng: random.Random, low: date, high: date) -> date:
    return low + timedelta(days=rng.randrange(max(1, (high - low).days)))


def generate(scale: float = 1.0, seed: int = 11) -> Register:
    """The register, at `scale` times national size (1.0: about 324,000 rated rows, 57,000
    active and 65,000 deactivated locations)."""
    rng = random.Random(seed)
    providers: list[Provider] = []
    active: list[Place] = []
    deactivated: list[Place] = []
    codes = [f"{a}{b}{c}" for a in "RT" for b in "ABCDEFGHJKLMNPQRVWXY0123456789" for c in "ABCDEFGHJKLMNPQRVWXY0123456789"]
    rng.shuffle(codes)
    for i in range(max(2, round(230 * scale))):
        start = _day(rng, date(2010, 4, 1), date(2021, 4, 1)) if i % 10 == 0 else date(2010, 4, 1)
        kind = ("Acute hospital - NHS non-specialist", "Ambulance service", "Mental health - community & hospital")[i % 3]
        trust = Provider(codes[i], f"{codes[i]} NHS Foundation Trust", NHS, kind, start, REGIONS[i % 8])
        providers.append(trust)
        for n in range(12):
            place = Place(
                f"{trust.provider_id}{n:02d}", f"{trust.name} site {n}", trust, _day(rng, start, date(2024, 1, 1)) if n else start
            )
            active.append(place)
            if n < 5 and kind.startswith("Acute"):
                _rate(rng, place, ACUTE_SERVICES)
            elif n < 2:
                _rate(rng, place, ())
        for n in range(15):
            gone = Place(f"{trust.provider_id}X{n:02d}", f"{trust.name} former site {n}", trust, start)
            gone.end = _day(rng, gone.start + timedelta(days=30), AS_AT)
            deactivated.append(gone)
        _rate_trust(rng, trust)
    serial = iter(range(10**9))
    others_active = round(56_770 * scale)
    while len(active) < others_active + 230 * scale:
        sector, _, each, category = rng.choices(KINDS, weights=[k[1] for k in KINDS])[0]
        many = each if rng.random() > 0.002 else rng.randrange(100, 400)
        who = Provider(
            f"1-{100000000 + next(serial) * 7}",
            f"Care Company {len(providers)} Ltd",
            sector,
            category,
            date(2010, 10, 1),
            REGIONS[rng.randrange(8)],
        )
        who.start = _day(rng, date(2010, 10, 1), date(2025, 6, 1))
        providers.append(who)
        for _ in range(rng.randint(1, many)):
            place = Place(f"1-{200000000 + next(serial) * 7}", f"{who.name} home {len(active)}", who, _day(rng, who.start, AS_AT))
            active.append(place)
            if rng.random() < 0.86:
                _rate(rng, place, GP_GROUPS if sector == "Primary Medical Services" else ())
            if rng.random() < 0.05 and who.start < AS_AT - timedelta(days=60):
                who.rows.append(
                    ("Overall", "Overall", rng.choice(RATINGS), _day(rng, max(who.start, date(2015, 1, 1)), AS_AT - timedelta(days=30)))
                )
    while len(deactivated) < round(65_000 * scale):
        owner = rng.choice(providers[round(230 * scale) :])
        gone = Place(f"1-{300000000 + next(serial) * 7}", f"{owner.name} closed home", owner, _day(rng, owner.start, date(2025, 1, 1)))
        gone.end = _day(rng, gone.start + timedelta(days=10), AS_AT)
        deactivated.append(gone)
    return Register(providers, active, deactivated)


def _rate(rng: random.Random, place: Place, services: Iterable[str]) -> None:
    inherited = rng.random() < 0.03 and place.start > date(2016, 1, 1)
    first = date(2014, 10, 1) if inherited else max(place.start, date(2014, 10, 1))
    if first >= AS_AT - timedelta(days=30):
        return
    day = _day(rng, first, place.start if inherited else AS_AT - timedelta(days=20))
    later = _day(rng, day, AS_AT - timedelta(days=10)) if not inherited and rng.random() < 0.3 else day
    for question in QUESTIONS:
        place.rows.append(("Overall", question, rng.choice(RATINGS), later if question == "Overall" else day, inherited))
    for service in services:
        for question in QUESTIONS if service in ACUTE_SERVICES else ("Overall",):
            place.rows.append((service, question, rng.choice(RATINGS), day, inherited))


def _rate_trust(rng: random.Random, trust: Provider) -> None:
    day = _day(rng, max(trust.start, date(2015, 1, 1)), AS_AT - timedelta(days=30))
    for question in (*QUESTIONS, "Use of resources", "Combined quality and use of resources"):
        if question in QUESTIONS or (trust.category.startswith("Acute") and day >= USE_OF_RESOURCES_BEGAN):
            trust.rows.append(("Overall", question, rng.choice(RATINGS), day))


# ---- the rows of each file --------------------------------------------------------------------


def _banner(title: str) -> list[list[object]]:
    return [
        ["Care Quality Commission"],
        [title],
        [f"Data as at {AS_AT.day} {AS_AT:%B %Y}"],
        ["Contains CQC information licensed under the Open Government Licence v3.0"],
        [],
        ["Notes: see the Notes sheet"],
        [],
    ]


def ratings_locations(register: Register) -> Iterator[list[object]]:
    cols = columns("Latest_ratings", "Locations")
    yield from _banner("Latest ratings: locations")
    yield cols
    for place in register.active:
        p = place.provider
        for service, question, rating, day, inherited in place.rows:
            row = {
                "Location ID": place.location_id,
                "Location ODS Code": place.location_id if p.sector == NHS else "",
                "Location Name": place.name,
                "Care Home?": "Y" if p.sector == "Social Care Org" else "N",
                "Location Type": p.sector,
                "Location Primary Inspection Category": p.category,
                "Location Region": p.region,
                "Service / Population Group": service,
                "Domain": question,
                "Latest Rating": rating,
                "Publication Date": day,
                "Report Type": "Location",
                "Inherited Rating (Y/N)": "Y" if inherited else "N",
                "URL": f"https://www.cqc.org.uk/location/{place.location_id}",
                "Provider ID": p.provider_id,
                "Provider Name": p.name,
                "Brand ID": "-",
                "Brand Name": "-",
            }
            yield [row.get(c, "") for c in cols]


def ratings_providers(register: Register) -> Iterator[list[object]]:
    cols = columns("Latest_ratings", "Providers")
    yield from _banner("Latest ratings: providers")
    yield cols
    for p in register.providers:
        for service, question, rating, day in p.rows:
            row = {
                "Provider ID": p.provider_id,
                "Provider ODS Code": p.provider_id if p.sector == NHS else "",
                "Provider Name": p.name,
                "Provider Type": p.sector,
                "Provider Primary Inspection Category": p.category,
                "Provider Region": p.region,
                "Service / Population Group": service,
                "Domain": question,
                "Latest Rating": rating,
                "Publication Date": day,
                "Report Type": "Provider",
                "Inherited Rating (Y/N)": "N",
                "URL": f"https://www.cqc.org.uk/provider/{p.provider_id}",
            }
            yield [row.get(c, "") for c in cols]


def active_locations(register: Register) -> Iterator[list[object]]:
    cols = columns("HSCA_Active_Locations")
    yield from _banner("HSCA Active Locations")
    yield cols
    for place in register.active:
        p = place.provider
        row: dict[str, object] = {
            "Location ID": place.location_id,
            "Location HSCA start date": place.start,
            "Dormant (Y/N)": "N",
            "Care home?": "Y" if p.sector == "Social Care Org" else "N",
            "Location Name": place.name,
            "Location ODS Code": place.location_id if p.sector == NHS else "",
            "Location Type/Sector": p.sector,
            "Location Primary Inspection Category": p.category,
            "Location Region": p.region,
            "Location Telephone Number": "01392 411611",
            "Registered manager": "Jane Smith",
            "Location Web Address": "www.example.nhs.uk",
            "Location Inspection Directorate": "Hospitals" if p.sector == NHS else "Adult social care",
            "Location NHS Region": "South West",
            "Location Local Authority": "Devon",
            "Location ONSPD CCG Code": "E38000230",
            "Location ONSPD CCG": "NHS Devon ICB - 15N",
            "Location Commissioning CCG Code": "15N",
            "Location Commissioning CCG": "NHS Devon ICB",
            "Location Street Address": f"{len(place.name)} Barrack Road",
            "Location City": "Exeter",
            "Location County": "Devon",
            "Location Postal Code": "EX2 5DW",
            "Location PAF ID": "12345678",
            "Location UPRN ID": "100040212345",
            "Location Latitude": "50.716",
            "Location Longitude": "-3.506",
            "Location Parliamentary Constituency": "Exeter",
            "Brand ID": "-",
            "Brand Name": "-",
            "Provider Inspection Directorate": "Hospitals" if p.sector == NHS else "Adult social care",
            "Provider Ownership Type": "NHS Body" if p.sector == NHS else "Organisation",
            "Provider Telephone Number": "01392 411611",
            "Provider Web Address": "www.example.nhs.uk",
            "Provider Street Address": "Barrack Road",
            "Provider City": "Exeter",
            "Provider County": "Devon",
            "Provider Postal Code": "EX2 5DW",
            "Provider Local Authority": "Devon",
            "Provider NHS Region": "South West",
            "Provider Latitude": "50.716",
            "Provider Longitude": "-3.506",
            "Provider Parliamentary Constituency": "Exeter",
            "Provider Nominated Individual Name": "John Brown",
            "Location Dual Registered": "N",
            "Provider ID": p.provider_id,
            "Provider Name": p.name,
            "Provider HSCA start date": p.start,
            "Provider Type/Sector": p.sector,
            "Provider Primary Inspection Category": p.category,
            "Provider Region": p.region,
        }
        yield [
            row.get(
                c,
                "Y"
                if c.startswith(("Service type", "Regulated activity", "Service user band")) and (len(c) + len(place.location_id)) % 4 == 0
                else "",
            )
            for c in cols
        ]


def deactivated_locations(register: Register) -> Iterator[list[object]]:
    # The documented list stops at "Provider Charity Number"; the provider's columns follow it.
    cols = [*columns("Deactivated_Locations"), "Provider ID", "Provider Name", "Provider Type/Sector", "Provider HSCA start date"]
    yield from _banner("Deactivated Locations")
    yield cols
    for place in register.deactivated:
        p = place.provider
        row: dict[str, object] = {
            "Location ID": place.location_id,
            "Location Name": place.name,
            "Location Status": "Deactivated",
            "Location HSCA start date": place.start,
            "Location HSCA End Date": place.end,
            "Care home?": "N",
            "Location Type/Sector": p.sector,
            "Location Region": p.region,
            "Provider ID": p.provider_id,
            "Provider Name": p.name,
            "Provider Type/Sector": p.sector,
            "Provider HSCA start date": p.start,
        }
        yield [row.get(c, "") for c in cols]


# ---- writing ----------------------------------------------------------------------------------

_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" office:version="1.2"'
)


def _cell(value: object) -> str:
    if isinstance(value, date):
        return (
            f'<table:table-cell table:style-name="ce2" office:value-type="date" office:date-value="{value.isoformat()}" '
            f'calcext:value-type="date"><text:p>{value:%d/%m/%Y}</text:p></table:table-cell>'
        )
    if value == "" or value is None:
        return '<table:table-cell table:style-name="ce1"/>'
    return f'<table:table-cell table:style-name="ce1" office:value-type="string" calcext:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'


def write_ods(path: Path, sheets: dict[str, Iterable[list[object]]]) -> Path:
    """An OpenDocument spreadsheet, written as it streams (runs of empty cells repeated)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as book:
        book.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        book.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>',
        )
        with book.open("content.xml", "w", force_zip64=True) as raw:
            out = _Buffered(raw)
            out.write(f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_NAMESPACES}><office:body><office:spreadsheet>')
            for name, rows in sheets.items():
                out.write(f'<table:table table:name="{escape(name)}">')
                for row in rows:
                    out.write('<table:table-row table:style-name="ro1">' + _cells(row) + "</table:table-row>")
                out.write("</table:table>")
            out.write("</office:spreadsheet></office:body></office:document-content>")
            out.flush()
    return path


def _cells(row: list[object]) -> str:
    parts, empty = [], 0
    for value in row:
        if value == "" or value is None:
            empty += 1
            continue
        if empty:
            parts.append(f'<table:table-cell table:style-name="ce1" table:number-columns-repeated="{empty}"/>' if empty > 1 else _cell(""))
            empty = 0
        parts.append(_cell(value))
    return "".join(parts)


class _Buffered:
    def __init__(self, raw) -> None:  # type: ignore[no-untyped-def]
        self.raw, self.parts, self.size = raw, [], 0

    def write(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)
        if self.size > 1 << 20:
            self.flush()

    def flush(self) -> None:
        self.raw.write("".join(self.parts).encode())
        self.parts, self.size = [], 0


def write_csv(path: Path, rows: Iterable[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        for row in rows:
            writer.writerow([f"{v:%d/%m/%Y}" if isinstance(v, date) else v for v in row])
    return path


def write_files(register: Register, folder: Path, *, ods: bool = True) -> list[Path]:
    """The month's three files in `folder`, named as CQC names them."""
    stem = f"{AS_AT.day:02d}_{AS_AT:%B_%Y}"
    if ods:
        return [
            write_ods(
                folder / f"{stem}_Latest_ratings.ods", {"Locations": ratings_locations(register), "Providers": ratings_providers(register)}
            ),
            write_ods(folder / f"{stem}_HSCA_Active_Locations.ods", {"HSCA_Active_Locations": active_locations(register)}),
            write_ods(folder / f"{stem}_Deactivated_Locations.ods", {"Deactivated_Locations": deactivated_locations(register)}),
        ]
    return [
        write_csv(folder / f"{stem}_Latest_ratings_Locations.csv", ratings_locations(register)),
        write_csv(folder / f"{stem}_Latest_ratings_Providers.csv", ratings_providers(register)),
        write_csv(folder / f"{stem}_HSCA_Active_Locations.csv", active_locations(register)),
        write_csv(folder / f"{stem}_Deactivated_Locations.csv", deactivated_locations(register)),
    ]
