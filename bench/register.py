"""A synthetic register of NHS trusts at CQC scale, as JSON Lines entries.

The mix follows the real one: acute trusts with several hospitals and eight core services each,
ambulance and mental-health trusts whose services sit at trust level; a comprehensive inspection
every three to four years that re-rates everything, focused inspections between them that
re-rate a service or two, warning notices met or not, special measures entered and left, and
oversight segments. Entries come out in the order a person would record them: each provider's
registrations first, then everything in date order across the register. Seeded, so the same
arguments give the same file.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import orjson

from cqc_ledger.events.services import ACUTE, AMBULANCE, MENTAL_HEALTH
from cqc_ledger.events.vocabulary import KEY_QUESTIONS, MERIT
from cqc_ledger.ledger.meaning import oversight_framework_on

START, END = date(2014, 1, 6), date(2025, 12, 19)
ACUTE_SERVICES = ACUTE[:8]


def register_lines(providers: int, entries_per_provider: int, seed: int = 7) -> Iterator[bytes]:
    """The lines of a register of `providers` trusts, about `entries_per_provider` entries each."""
    rng = random.Random(seed)
    timelines = [_provider(rng, f"R{n:05d}", entries_per_provider) for n in range(providers)]
    for registration, _ in timelines:
        yield from (orjson.dumps(e) for e in registration)
    dated = sorted((e["on"], i, k) for i, (_, rest) in enumerate(timelines) for k, e in enumerate(rest))
    for _, i, k in dated:
        yield orjson.dumps(timelines[i][1][k])


def _provider(rng: random.Random, pid: str, target: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    kind = rng.choices(["acute", "ambulance", "mental-health"], weights=[6, 1, 3])[0]
    locations = [f"{pid}{n:02d}" for n in range(1, rng.randint(2, 5) + 1)] if kind == "acute" else []
    services = {"acute": ACUTE_SERVICES, "ambulance": AMBULANCE[:4], "mental-health": MENTAL_HEALTH[:8]}[kind]
    registration = [{"type": "ProviderRegistered", "provider_id": pid, "name": f"Trust {pid}", "on": "2010-04-01", "provider_type": kind}]
    registration += [
        {"type": "LocationRegistered", "provider_id": pid, "location_id": loc, "name": f"Hospital {loc}", "on": "2010-04-01"}
        for loc in locations
    ]
    rest: list[dict[str, Any]] = []
    day, n, in_sm = START + timedelta(days=rng.randint(0, 400)), 0, False
    while len(rest) < target - len(registration) and day < END:
        n += 1
        comprehensive = n % 4 == 1
        inspection_id, report_id = f"{pid}-I{n}", f"{pid}-R{n}"
        published = day + timedelta(days=rng.randint(60, 150))
        if published > END:
            break
        rest.append(
            {
                "type": "InspectionCarriedOut",
                "provider_id": pid,
                "inspection_id": inspection_id,
                "on": day.isoformat(),
                "until": (day + timedelta(days=rng.randint(0, 4))).isoformat(),
                "kind": "comprehensive" if comprehensive else "focused",
                "framework": "kloe-2014",
                "source": "synthetic",
            }
        )
        cells = _cells(rng, locations, services, comprehensive)
        rest.append(
            {
                "type": "ReportPublished",
                "provider_id": pid,
                "report_id": report_id,
                "on": published.isoformat(),
                "inspection_ids": [inspection_id],
                "ratings": cells,
                "must_do": rng.randint(0, 30),
                "should_do": rng.randint(0, 40),
                "url": f"https://www.cqc.org.uk/provider/{pid}/reports/{report_id}",
                "source": "synthetic",
            }
        )
        overall = next((c["rating"] for c in cells if c["question"] == "overall" and "location_id" not in c and "service" not in c), None)
        if rng.random() < 0.15:
            notice = f"{pid}-WN{n}"
            rest.append(
                {
                    "type": "WarningNoticeIssued",
                    "provider_id": pid,
                    "notice_id": notice,
                    "on": (day + timedelta(days=10)).isoformat(),
                    "section": "29A",
                    "deadline": (day + timedelta(days=50)).isoformat(),
                    "concerns": ["staffing"],
                    "source": "synthetic",
                }
            )
            rest.append(
                {
                    "type": "WarningNoticeAssessed",
                    "provider_id": pid,
                    "notice_id": notice,
                    "on": published.isoformat(),
                    "outcome": rng.choice(["met", "met", "not-met"]),
                    "report_id": report_id,
                    "source": "synthetic",
                }
            )
        if overall == "Inadequate" and not in_sm:
            rest.append(
                {
                    "type": "SpecialMeasuresEntered",
                    "provider_id": pid,
                    "on": (published + timedelta(days=14)).isoformat(),
                    "regime": "quality",
                }
            )
            in_sm = True
        elif overall in ("Good", "Outstanding") and in_sm:
            rest.append(
                {
                    "type": "SpecialMeasuresExited",
                    "provider_id": pid,
                    "on": (published + timedelta(days=30)).isoformat(),
                    "regime": "quality",
                }
            )
            in_sm = False
        framework = oversight_framework_on(published + timedelta(days=20))
        if rng.random() < 0.3 and framework:  # none before the first framework applied
            rest.append(
                {
                    "type": "OversightSegmentChanged",
                    "provider_id": pid,
                    "on": (published + timedelta(days=20)).isoformat(),
                    "framework": framework,
                    "segment": rng.randint(1, 4),
                }
            )
        day = published + timedelta(days=rng.randint(90, 420))
    return registration, rest


def _rating(rng: random.Random) -> str:
    return rng.choices(MERIT, weights=[1, 6, 4, 1])[0]


def _cells(rng: random.Random, locations: list[str], services: tuple[str, ...], comprehensive: bool) -> list[dict[str, Any]]:
    """A comprehensive report re-rates every cell; a focused one a service or two somewhere."""
    places = [(loc, s) for loc in (locations or [None]) for s in services]
    if not comprehensive:
        places = rng.sample(places, k=min(len(places), rng.randint(1, 2)))
    cells = []
    for loc, service in places:
        for q in ("overall", *rng.sample(KEY_QUESTIONS, k=5 if comprehensive else rng.randint(1, 3))):
            cells.append(_cell(loc, service, q, _rating(rng)))
    if comprehensive:
        for loc in locations:
            cells += [_cell(loc, None, q, _rating(rng)) for q in ("overall", *KEY_QUESTIONS)]
        cells += [_cell(None, None, q, _rating(rng)) for q in ("overall", *KEY_QUESTIONS)]
    return cells


def _cell(location_id: str | None, service: str | None, question: str, rating: str) -> dict[str, Any]:
    cell: dict[str, Any] = {"question": question, "rating": rating}
    if location_id:
        cell["location_id"] = location_id
    if service:
        cell["service"] = service
    return cell


def heavy_provider_lines(provider_id: str = "RHEAVY", times: int = 10, entries_per_provider: int = 40, seed: int = 11) -> Iterator[bytes]:
    """One trust with `times` times a trust's history: the histories of `times` synthetic trusts
    told as one (their hospitals its hospitals, their reports and notices its own), with one
    registration and the first one's special measures only (so that no regime is entered twice).
    Its hospitals, reports and notices take ids of their own ("H0..." for "R0..."): CQC gives a
    location one provider, and the register beside it holds those trusts' own."""
    first = None
    for line in register_lines(times, entries_per_provider, seed):
        entry = orjson.loads(line)
        first = first or entry["provider_id"]
        if entry["provider_id"] != first and entry["type"] in ("ProviderRegistered", "SpecialMeasuresEntered", "SpecialMeasuresExited"):
            continue
        entry["provider_id"] = provider_id
        yield orjson.dumps(entry).replace(b'"R0', b'"H0')
