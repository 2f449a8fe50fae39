"""The benchmark's registers are ones the ledger records: the register, then the trust with ten
times a trust's history beside it (the benchmark records both into one store)."""

from __future__ import annotations

from conftest import Cli

from bench.register import heavy_provider_lines, register_lines


def test_the_heavy_trust_records_beside_the_register(cli: Cli) -> None:
    register = b"\n".join(register_lines(12, 40, 7)).decode()
    heavy = b"\n".join(heavy_provider_lines()).decode()
    first = cli("record", "-", input=register + "\n")
    assert first.exit_code == 0, first.output
    second = cli("record", "-", input=heavy + "\n")
    assert second.exit_code == 0, second.output
    assert "Recorded 317 entries: RHEAVY/1-317." in second.output
