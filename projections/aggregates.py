"""Which ratings sit under an aggregate rating, and the principles' check of it, from a status.

CQC's levels for NHS trusts (cqc-domain.md 1.2):

- a trust's overall rating <- its five key questions; the combined rating <- those five and
  use of resources;
- a location's or a service's overall rating <- its five key questions;
- a trust key question other than well-led <- that question at each location (acute and
  specialist trusts) or at each service without a location (ambulance, mental health,
  community trusts);
- a location's key question <- that question for each of the location's services.

Trust well-led is not aggregated (CQC assesses it on its own), nor is use of resources, nor a
key question of one service (the lowest level, rated directly). CQC never aggregates a rating
inherited from a predecessor with a new one: a new aggregate is checked against the new ratings
under it only, an inherited one against the inherited ones (the others are set apart).

The ratings under an aggregate are taken as they stand on the day checked; the notices as they
stood on the day it was published, because that is when CQC set it (a notice served after a
rating does not change it until CQC rates the area again).

Enforcement counts where CQC applies it, at the lowest level: a warning or requirement notice
limits the key questions of exactly the area it names (a service at a location, or a location),
and the aggregates above feel it only through the ratings under them. A notice that names no
location is context: `enforcement_on` lists it, says it was not applied, and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cqc_ledger.events.base import CellKey, describe_cell
from cqc_ledger.events.services import POPULATION_GROUPS
from cqc_ledger.events.vocabulary import KEY_QUESTIONS, OVERALL, QUESTIONS, merit
from cqc_ledger.projections import principles
from cqc_ledger.projections.principles import Breach, Verdict
from cqc_ledger.projections.status import CellValue, Status, location_in_force

COMBINED = "combined"
BY_SERVICE = ("ambulance", "mental-health", "community")
BY_LOCATION = ("acute", "specialist")

# The six population groups of primary and urgent care services (`services.POPULATION_GROUPS`)
# are each rated overall only, and the location's key questions are rated directly, not
# aggregated from them.
NOT_AGGREGATED = {
    "well-led": "CQC does not aggregate a trust's well-led rating: it is a separate assessment of the trust's leadership.",
    "use-of-resources": "Use of resources is not aggregated: NHS Improvement assesses it and CQC rates it.",
    "service": "A key question of one service is the lowest level of rating: CQC rates it directly, not by aggregation.",
    "population-group": (
        "A population group of a primary care service is rated as a whole, directly: its rating is not an aggregate of key questions."
    ),
}
TRUST_OVERALL_NOTE = (
    "CQC reviews a trust's overall rating only after a trust-level well-led assessment and a "
    "planned inspection of core services, and balances the principles with professional judgement."
)


@dataclass(frozen=True)
class Under:
    """The ratings under an aggregate: the cells that hold a value, those expected that do not."""

    inputs: tuple[tuple[CellKey, CellValue], ...]
    missing: tuple[CellKey, ...]
    noun: str
    combined: bool = False
    set_apart: tuple[CellKey, ...] = ()  # inherited under a new aggregate, or new under an inherited one


@dataclass(frozen=True)
class Check:
    """A published aggregate rating, the ratings under it, and what the principles give."""

    key: CellKey
    published: CellValue
    under: Under
    breaches: tuple[Breach, ...]
    verdict: Verdict
    enforcement: tuple[Enforcement, ...] = ()

    @property
    def agrees(self) -> bool | None:
        """Whether the principles give the published rating; None when they give nothing to compare."""
        if self.verdict.rating is None or merit(self.published.rating) is None:
            return None
        return self.verdict.rating == self.published.rating

    @property
    def later(self) -> tuple[CellKey, ...]:
        """The ratings under it set after it was published (CQC had not seen them)."""
        return tuple(key for key, value in self.under.inputs if value.since > self.published.since)

    @property
    def principles_name(self) -> str:
        return (principles.COMBINED if self.under.combined else principles.KLOE_2014).name


def not_aggregated(key: CellKey) -> str | None:
    """Why a cell is rated directly rather than aggregated, or None if it is an aggregate."""
    location_id, service, question = key
    if service and question != OVERALL:
        return NOT_AGGREGATED["service"]
    if service in POPULATION_GROUPS:
        return NOT_AGGREGATED["population-group"]
    if location_id is None and service is None and question in ("well-led", "use-of-resources"):
        return NOT_AGGREGATED[question]
    return None


def under(status: Status, key: CellKey) -> Under | None:
    """The ratings under the cell `key` in `status`, or None if it is not an aggregate."""
    if not_aggregated(key):
        return None
    location_id, service, question = key
    published = status.cells.get(key)
    inherited = bool(published and published.inherited)
    if question == COMBINED:
        return _gather(status, [(None, None, q) for q in (*KEY_QUESTIONS, "use-of-resources")], "trust-level ratings", True)
    if question == OVERALL:
        return _gather(status, [(location_id, service, q) for q in KEY_QUESTIONS], "key questions", inherited=inherited)
    if location_id is not None:
        rated = {s for (loc, s, _) in status.cells if loc == location_id and s}
        places = sorted(rated - set(POPULATION_GROUPS))
        if not places and rated:  # a primary care service: its key questions are rated directly
            return None
        return _gather(status, [(location_id, s, question) for s in places], "services", inherited=inherited)
    if _by_location(status):
        return _gather(status, [(loc, None, question) for loc in _locations(status)], "locations")
    places = sorted({s for (loc, s, _) in status.cells if loc is None and s})
    return _gather(status, [(None, s, question) for s in places], "services")


def _gather(status: Status, keys: list[CellKey], noun: str, combined: bool = False, *, inherited: bool = False) -> Under:
    held = [(k, status.cells[k]) for k in keys if k in status.cells]
    inputs = tuple((k, v) for k, v in held if v.inherited == inherited)
    set_apart = tuple(k for k, v in held if v.inherited != inherited)
    missing = tuple(k for k in keys if k not in status.cells)
    return Under(inputs, missing, noun, combined, set_apart)


def _by_location(status: Status) -> bool:
    if status.provider_type in BY_LOCATION:
        return True
    if status.provider_type in BY_SERVICE:
        return False
    return any(loc and not service and q in KEY_QUESTIONS for (loc, service, q) in status.cells)


def _locations(status: Status) -> list[str]:
    """The locations registered on the day (a closed hospital no longer counts towards the trust)."""
    open_ = {loc for loc in status.locations if location_in_force(status, loc)}
    unknown = {loc for (loc, _, _) in status.cells if loc and loc not in status.locations}
    return sorted(open_ | unknown)


@dataclass(frozen=True)
class Enforcement:
    """A notice in force in or around the area of a rating on a day, and whether it counts against it.

    CQC applies enforcement at the lowest level: a notice counts against the key questions of
    exactly the area it names (a service at a location, or a location); the aggregates above them
    feel it only through those ratings. A notice that names no location is context.
    """

    kind: str  # "warning-notice" or "requirement-notice"
    ident: str
    on: date
    ref: str
    location_id: str | None
    service: str | None
    applied: bool
    why: str
    source: str | None = None  # where the notice was published

    @property
    def breach(self) -> Breach:
        return Breach(self.kind, self.ident, self.on, self.ref)

    @property
    def area(self) -> str:
        return area_words(self.location_id, self.service)


LIMITS = {
    "warning-notice": "CQC's principles say the rating of the area of a breach with a warning notice will normally be Inadequate",
    "requirement-notice": "CQC's principles say the rating of the area of a breach with a requirement notice is normally Requires improvement at best",
}


def area_words(location_id: str | None, service: str | None) -> str:
    """An area in words: 'the trust', 'RWP01', 'RWP01 Surgery', 'the service Patient transport services'."""
    if location_id is None:
        return f"the service {service}" if service else "the trust"
    return " ".join(p for p in (location_id, service) if p)


def enforcement_on(status: Status, key: CellKey, day: date) -> tuple[Enforcement, ...]:
    """Every notice in force on `day` whose area meets the area of `key` (the same area, one
    inside it or one around it), each with whether it counts against the rating of `key` and why.

    In force: a warning notice open at the end of the day; a requirement notice issued that day
    (CQC issues them with the report that finds the breach; the ledger records no end for them).
    """
    found = [
        (n.location_id, n.service, "warning-notice", n.notice_id, n.issued_on, n.ref, n.source)
        for n in status.notices.values()
        if n.issued_on <= day and (n.closed_on is None or n.closed_on > day)
    ]
    for r in status.enforcement:
        action = r.entry
        if action.action == "requirement-notice" and action.on == day:  # type: ignore[attr-defined]
            found.append((action.location_id, None, "requirement-notice", action.action_id, action.on, r.ref, action.source))  # type: ignore[attr-defined]
    out = []
    for location_id, service, kind, ident, on, ref, source in found:
        if _meets((location_id, service), key[:2]):
            applied, why = _applies(location_id, service, key)
            if applied:
                why += ": " + LIMITS[kind]
            out.append(Enforcement(kind, ident, on, ref, location_id, service, applied, why, source))
    return tuple(sorted(out, key=lambda e: (e.on, e.ident)))


def _inside(inner: tuple[str | None, str | None], outer: tuple[str | None, str | None]) -> bool:
    """Whether the area `inner` is `outer` or lies inside it (a location's service inside the location)."""
    return all(o is None or i == o for i, o in zip(inner, outer, strict=True))


def _meets(area: tuple[str | None, str | None], place: tuple[str | None, str | None]) -> bool:
    return _inside(area, place) or _inside(place, area)


def _applies(location_id: str | None, service: str | None, key: CellKey) -> tuple[bool, str]:
    """Whether a notice on the area (`location_id`, `service`) counts against the rating of `key`, and why."""
    area, place, where = (location_id, service), key[:2], area_words(location_id, service)
    if location_id is None:
        return False, (
            f"not applied: it names no location ({where}), and CQC applies enforcement at the lowest level "
            "(a key question of a core service, or of a location): a notice without a location is context for this rating"
        )
    if area == place and key[2] in KEY_QUESTIONS:
        return True, f"applied: it names {where}, the area of this rating"
    if area == place:
        return False, f"not applied here: it counts against the key questions of {where}; the {key[2]} rating feels it only through them"
    if _inside(area, place):
        return (
            False,
            f"not applied here: it counts against the key questions of {where}; this rating feels it only through the ratings under it",
        )
    return False, f"not applied: it names {where} as a whole, not {area_words(*place)}"


def breaches_on(status: Status, key: CellKey, day: date) -> tuple[Breach, ...]:
    """The notices that count against the rating of `key` on `day` (see `enforcement_on`)."""
    return tuple(e.breach for e in enforcement_on(status, key, day) if e.applied)


def check(status: Status, key: CellKey) -> Check | None:
    """The principles' check of the published rating of `key`; None if it has none or is not an aggregate."""
    published = status.cells.get(key)
    gathered = under(status, key)
    if published is None or gathered is None:
        return None
    notices = enforcement_on(status, key, published.since)
    breaches = tuple(e.breach for e in notices if e.applied)
    ratings = [value.rating for _, value in gathered.inputs]
    rules = principles.COMBINED if gathered.combined else principles.KLOE_2014
    verdict = principles.check(ratings, breaches, noun=gathered.noun, principles=rules)
    return Check(key, published, gathered, breaches, verdict, notices)


def cell_order(key: CellKey) -> tuple[str, str, int]:
    """The trust's own cells first, then each location's, each place's questions in CQC's order."""
    location_id, service, question = key
    return (location_id or "", service or "", QUESTIONS.index(question))


def describe(key: CellKey) -> str:
    """A cell in words, as the rest of the ledger writes it."""
    return describe_cell(*key)
