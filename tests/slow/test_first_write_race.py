"""Two first writes into a new ledger at once, one refused: the refused one removes what it
created only when no other command has the ledger open and nothing was recorded, so the other
command's ledger is never taken from under it (a new SQLite file, an empty PostgreSQL schema).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import STORES
from ledgers import EXAMPLES, Targets, json_of, run, start_process, write_register

ROUNDS = 4


@pytest.fixture(params=STORES)
def targets(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Targets]:
    made = Targets(request.param, tmp_path)
    try:
        yield made
    finally:
        made.close()


def test_a_refused_first_write_beside_a_good_one_leaves_the_good_ones_ledger(targets: Targets, tmp_path: Path) -> None:
    # Inputs: a register refused at its last line (it runs a while, its tables made), and RX9
    late = tmp_path / "late.jsonl"
    write_register(late, providers=30, entries_per_provider=40)
    late.write_bytes(late.read_bytes() + b'{"type": "NoSuchEntry"}\n')
    good = EXAMPLES / "RX9.jsonl"
    for n in range(ROUNDS):
        # Given a new ledger
        target = targets.new()

        # When the refused input and the good one are recorded into it at once (in either order)
        first, second = (late, good) if n % 2 else (good, late)
        processes = {path: start_process(target, "record", str(path)) for path in (first, second)}
        outcomes = {path: (p.communicate(timeout=300), p.returncode) for path, p in processes.items()}

        # Then the refused one says why, and the good one is recorded
        assert outcomes[late][1] == 1 and b"NoSuchEntry" in outcomes[late][0][1]
        assert outcomes[good][1] == 0, outcomes[good][0][1].decode()
        # And the ledger holds RX9's entries, its chain intact
        assert len(json_of(target, "entries")) == 12  # type: ignore[arg-type]
        assert run(target, "verify").exit_code == 0
