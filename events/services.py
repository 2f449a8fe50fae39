"""CQC's core services for NHS trusts, the variant names that mean the same service, the other
areas CQC rates at NHS locations, and the codes its API names them by.

A name that is none of these is kept as written (CQC may rate a service it has not rated before),
unless it is so close to a known name that it is surely a misspelling of it ("Matrenity"): then
`close_service` finds the name meant, and the ledger refuses it with "did you mean".
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

ACUTE = (
    "Urgent and emergency services",
    "Medical care (including older people's care)",
    "Surgery",
    "Critical care",
    "Maternity",
    "Maternity and gynaecology",
    "Services for children and young people",
    "End of life care",
    "Outpatients",
    "Diagnostic imaging",
    "Outpatients and diagnostic imaging",
    "Gynaecology",
)
AMBULANCE = (
    "Emergency operations centre",
    "Emergency and urgent care",
    "Patient transport services",
    "NHS 111",
    "Resilience",
)
MENTAL_HEALTH = (
    "Acute wards for adults of working age and psychiatric intensive care units",
    "Long stay or rehabilitation mental health wards for working age adults",
    "Forensic inpatient or secure wards",
    "Child and adolescent mental health wards",
    "Wards for older people with mental health problems",
    "Wards for people with a learning disability or autism",
    "Community-based mental health services for adults of working age",
    "Mental health crisis services and health-based places of safety",
    "Specialist community mental health services for children and young people",
    "Community-based mental health services for older people",
    "Community mental health services for people with a learning disability or autism",
)
COMMUNITY = (
    "Community health services for adults",
    "Community health services for children and young people",
    "Community health inpatient services",
    "Community end of life care",
    "Community urgent care service",
    "Community dental services",
    "Sexual health services",
)
CORE_SERVICES = ACUTE + AMBULANCE + MENTAL_HEALTH + COMMUNITY

# Other areas CQC inspects and rates at NHS locations, as its API names them: additional services
# of hospitals, and the six population groups of primary and urgent care services (CQC, "Key
# lines of enquiry for healthcare services", population groups; seen in the real responses of
# shared/reference/cqc-api-real, e.g. RA90J, RH868).
POPULATION_GROUPS = (
    "Older people",
    "People with long term conditions",
    "Families, children and young people",
    "Working age people (including those recently retired and students)",
    "People whose circumstances may make them vulnerable",
    "People experiencing poor mental health (including people with dementia)",
)
OTHER_SERVICES = (
    "Urgent care centre",
    "Maternity (inpatient services)",
    "Rehabilitation services",
    "Renal",
    *POPULATION_GROUPS,
)

# CQC's inspection-area codes (API `serviceRatings[].name`) with the names CQC gives them
# (`inspectionAreas[].inspectionAreaName`), for responses that do not name their own areas.
# Source: the `inspectionAreas` of the 159 real location responses served by CQC's API on
# 2021-04-08 (shared/reference/cqc-api-real); `GET /inspection-areas` lists the same taxonomy.
INSPECTION_AREAS = {
    "accident": "Urgent care centre",
    "care": "Medical care (including older people's care)",
    "childrens": "Services for children & young people",
    "conditions": "People with long term conditions",
    "critical": "Critical care",
    "diagnostic": "Diagnostic imaging",
    "life": "End of life care",
    "maternity": "Maternity and gynaecology",
    "maternityinpatient": "Maternity (inpatient services)",
    "medical": "Medical care",
    "mothers": "Families, children and young people",
    "npimaternity": "Maternity",
    "npioutpatients": "Outpatients",
    "old": "Older people",
    "outpatients": "Outpatients and diagnostic imaging",
    "population": "Working age people (including those recently retired and students)",
    "problems": "People experiencing poor mental health (including people with dementia)",
    "rehabilitation": "Rehabilitation services",
    "renal": "Renal",
    "surgery": "Surgery",
    "transport": "Patient transport services",
    "urgent": "Urgent and emergency services",
    "vulnerable": "People whose circumstances may make them vulnerable",
}

# Variants seen in CQC reports, its API and its data files, each with the service it names.
ALIASES = {
    "Urgent and emergency care": "Urgent and emergency services",
    "Urgent & emergency services": "Urgent and emergency services",
    "Accident and emergency": "Urgent and emergency services",
    "A&E": "Urgent and emergency services",
    "UEC": "Urgent and emergency services",
    "Medical care": "Medical care (including older people's care)",
    "Medical care including older people's care": "Medical care (including older people's care)",
    "Medicine": "Medical care (including older people's care)",
    "Medical services": "Medical care (including older people's care)",
    "Surgical services": "Surgery",
    "Maternity services": "Maternity",
    "Children and young people": "Services for children and young people",
    "Services for children & young people": "Services for children and young people",
    "Children and young people's services": "Services for children and young people",
    "Children's services": "Services for children and young people",
    "End of life": "End of life care",
    "Outpatients & diagnostic imaging": "Outpatients and diagnostic imaging",
    "Emergency operations centre (EOC)": "Emergency operations centre",
    "Emergency operations centres": "Emergency operations centre",
    "EOC": "Emergency operations centre",
    "Emergency and urgent care (EUC)": "Emergency and urgent care",
    "EUC": "Emergency and urgent care",
    "Patient transport services (PTS)": "Patient transport services",
    "Patient transport service": "Patient transport services",
    "PTS": "Patient transport services",
    "NHS111": "NHS 111",
    "111": "NHS 111",
    "Resilience and hazardous area response team": "Resilience",
    "Hazardous area response team": "Resilience",
    "HART": "Resilience",
}

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def _key(name: str) -> str:
    return _NOT_WORD.sub(" ", name.lower().replace("&", " and ")).strip()


_CANONICAL = {_key(name): name for name in CORE_SERVICES + OTHER_SERVICES}
_CANONICAL.update({_key(alias): name for alias, name in ALIASES.items()})
# The known services' own names, to ask of a report's services at once (each name is known).
KNOWN_NAMES = frozenset(_CANONICAL.values())
# How close a name must be to a known one to be taken for a misspelling of it (difflib's ratio:
# "Matrenity" is 0.89 from "Maternity"; "Neonatal services" is 0.36 from "Renal").
_CLOSE = 0.85


@lru_cache(maxsize=4096)
def canonical_service(name: str) -> str:
    """The canonical name of a service: a core service's own name, or the name as written."""
    return _CANONICAL.get(_key(name), " ".join(name.split()))


@lru_cache(maxsize=4096)
def is_known_service(name: str) -> bool:
    """Whether a name is a service CQC rates (a core service, a variant of one, or another area)."""
    return _key(name) in _CANONICAL


@lru_cache(maxsize=4096)
def close_service(name: str) -> str | None:
    """The known service a name that is not one is surely a misspelling of, or None."""
    if is_known_service(name):
        return None
    found = difflib.get_close_matches(_key(name), list(_CANONICAL), n=1, cutoff=_CLOSE)
    return _CANONICAL[found[0]] if found else None


@lru_cache(maxsize=4096)
def service_named(text: str) -> str:
    """The service a person names (on the command line, in a web query): a known service's name
    or variant, else one of CQC's inspection-area codes (`critical`, `urgent`, `npimaternity`,
    `care`: the `INSPECTION_AREAS` the importer reads CQC's API by), else the name as written. A
    name comes first: "Maternity" is the core service, not the code `maternity` (CQC's
    Maternity and gynaecology), which the API's own field holds and the importer reads as a code."""
    if is_known_service(text):
        return canonical_service(text)
    area = INSPECTION_AREAS.get(text.strip().lower())
    return canonical_service(area if area else text)
