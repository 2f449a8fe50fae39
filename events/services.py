"""CQC's core services for NHS trusts, and the variant names that mean the same service.

Names other than these (an additional service CQC chose to rate, say "Gynaecology") are kept as
written: CQC rates such services too, so an unknown name is not an error.
"""

from __future__ import annotations

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


_CANONICAL = {_key(name): name for name in CORE_SERVICES}
_CANONICAL.update({_key(alias): name for alias, name in ALIASES.items()})


@lru_cache(maxsize=4096)
def canonical_service(name: str) -> str:
    """The canonical name of a service: a core service's own name, or the name as written."""
    return _CANONICAL.get(_key(name), " ".join(name.split()))
