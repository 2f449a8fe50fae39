"""The arrows between the rooms: events <- ledger <- projections <- cli and web, no cycle, and
the answers are computed without knowing how they are shown (only the composer of answers and
the doors import `projections/output/`)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from conftest import ROOT

PACKAGE = "cqc_ledger"
ROOMS = ("events", "ledger", "projections", "web", "cli")  # each may import only those before it (`serve` starts the site)
SHOWN = f"{PACKAGE}.projections.output"
SHOWS = (f"{PACKAGE}.projections.answers", f"{PACKAGE}.cli", f"{PACKAGE}.web")  # and what is in them: they compose and print answers


def modules() -> dict[str, Path]:
    """Every module of the installed package, by its dotted name."""
    found = {}
    for path in (p for room in ("events", "ledger", "projections", "web", "cli") for p in (ROOT / room).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join([PACKAGE, *parts])] = path
    return found


MODULES = modules()


def imported(name: str, *, top_level_only: bool) -> Iterator[str]:
    """The package's modules that `name` imports (a name imported from a package counts as its
    submodule when it is one)."""
    tree = ast.parse(MODULES[name].read_text())
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    for node in nodes:
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name in MODULES)
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PACKAGE):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                yield sub if sub in MODULES else node.module


def room(name: str) -> int:
    return ROOMS.index(name.split(".")[1])


def test_no_room_imports_a_room_after_it():
    backwards = [(name, target) for name in MODULES for target in imported(name, top_level_only=False) if room(target) > room(name)]

    assert backwards == []


def test_only_the_composer_of_answers_and_the_doors_import_the_output():
    readers = {
        name for name in MODULES if not name.startswith(SHOWN) and any(t.startswith(SHOWN) for t in imported(name, top_level_only=False))
    }

    assert {r for r in readers if not any(r == s or r.startswith(s + ".") for s in SHOWS)} == set()


def test_no_module_imports_itself_through_others():
    edges = {name: {t for t in imported(name, top_level_only=True) if not name.startswith(t + ".")} for name in MODULES}
    cycles = []
    for start in edges:
        stack, seen = [(start, (start,))], set()
        while stack:
            here, path = stack.pop()
            for there in edges.get(here, ()):
                if there == start:
                    cycles.append(path)
                elif there not in seen:
                    seen.add(there)
                    stack.append((there, (*path, there)))

    assert cycles == []


def test_every_command_that_shows_an_answer_has_its_output_module():
    from cqc_ledger.cli import main

    reading = {"status", "entries", "trusts", "history", "explain", "diff", "anomalies", "changes", "counts", "transitions", "find"}
    have = {p.stem for p in (ROOT / "projections" / "output").glob("*.py")}

    assert reading <= set(main.commands)
    assert reading - have == set()
