"""Meta-tests that guard the shape of the code: every entry type is known everywhere it must be."""

from __future__ import annotations

import dataclasses
import re

from conftest import ROOT, SHARED

from cqc_ledger.events import ENTRY_TYPES
from cqc_ledger.events.schema import field_specs
from cqc_ledger.projections.status import _apply, _handles

CONTRACT = SHARED / "CONTRACT.md"
_ROW = re.compile(r"^\| `(?P<type>[A-Z]\w+)` \| (?P<fields>.*) \|$")


def contract_types() -> dict[str, dict[str, bool]]:
    """Each entry type of the contract's table, with each field and whether it is required."""
    found = {}
    for line in CONTRACT.read_text().splitlines():
        row = _ROW.match(line)
        if row:
            described = re.sub(r"\([^)]*\)", "", row["fields"])  # values and notes are in brackets
            names = re.findall(r"`([a-z_]+)(\*?)`", described)
            found[row["type"]] = {name: star == "*" for name, star in names}
    return found


def test_every_entry_type_has_a_handler_in_the_status_fold():
    _handles.register()  # as the fold does on meeting its first entry
    missing = [name for name, cls in ENTRY_TYPES.items() if cls not in _apply.registry]

    assert missing == []


def test_every_entry_type_is_named_as_its_class():
    assert all(name == cls.__name__ for name, cls in ENTRY_TYPES.items())


def test_the_entry_types_are_exactly_the_contracts():
    assert set(ENTRY_TYPES) == set(contract_types())


def test_every_entry_type_has_the_contracts_fields_and_requires_the_required_ones():
    for name, fields in contract_types().items():
        specs = {spec.name: spec.required for spec in field_specs(ENTRY_TYPES[name])}
        # `source` may be carried by every entry (contract section 1, below the table).
        assert specs == {**fields, "source": False}, name


def test_entries_are_frozen_so_a_recorded_fact_cannot_change():
    assert all(cls.__dataclass_params__.frozen for cls in ENTRY_TYPES.values())  # type: ignore[attr-defined]
    assert all(dataclasses.is_dataclass(cls) for cls in ENTRY_TYPES.values())


def test_every_command_is_shown_in_the_readme():
    from cqc_ledger.cli import main

    readme = (ROOT / "README.md").read_text()
    missing = [name for name in main.commands if f"cqc-ledger {name}" not in readme and f"`{name}`" not in readme]
    assert missing == []


def test_every_command_has_a_module_of_its_own_named_in_the_table_the_group_loads_it_by():
    from cqc_ledger.cli import main
    from cqc_ledger.cli.commands import MODULES

    held = {path.stem for path in (ROOT / "cli" / "commands").glob("*.py")} - {"__init__"}

    assert sorted(MODULES.values()) == sorted(held)
    assert [main.commands[name].name for name in MODULES] == list(MODULES)


def test_every_entry_type_either_states_headline_facts_or_is_declared_to_state_none():
    from cqc_ledger.projections.views.rows import NO_HEADLINES, _handles, headlines

    _handles.register()  # as the rows of the first entry are made
    handled = {cls.__name__ for cls in headlines.registry if cls is not object}
    assert sorted(name for name in ENTRY_TYPES if name not in handled and name not in NO_HEADLINES) == []
    assert handled & NO_HEADLINES == set()


def test_every_entry_type_but_registrations_and_mends_must_fall_within_the_providers_registration():
    from cqc_ledger.ledger.meaning import _RECORD

    # the list as it was written out by hand before it was derived from ENTRY_TYPES
    assert sorted(cls.__name__ for cls in _RECORD) == sorted(
        [
            "ProviderRenamed",
            "ProviderDeregistered",
            "InspectionCarriedOut",
            "ReportPublished",
            "RatingRevised",
            "WarningNoticeIssued",
            "WarningNoticeAssessed",
            "EnforcementActionTaken",
            "SpecialMeasuresEntered",
            "SpecialMeasuresExited",
            "OversightSegmentChanged",
            "ServiceSuperseded",
            "RatingsInherited",
        ]
    )
