"""`rebuild` while others record takes its turn (issue 17, item 10).

Before, a PostgreSQL rebuild run while other processes recorded failed about one time in two
with a `UniqueViolation` on the views' primary key: writers following the old views wrote rows
the rebuild then wrote again. A rebuild now takes the ledger's write lock first, so writers wait
for it (and it for them), on both stores.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from ledgers import start_process, write_jsonl, write_register

from cqc_ledger.ledger.application import Ledger
from cqc_ledger.projections.output.status import status_json
from cqc_ledger.projections.status import status_at
from cqc_ledger.projections.views import TRACKED_AS, open_views
from tests.conftest import STORES, postgres_schema


@pytest.fixture(params=STORES)
def target(request: pytest.FixtureRequest, tmp_path: Path):
    if request.param == "sqlite":
        yield str(tmp_path / "ledger.db")
    else:
        yield from postgres_schema()


def test_rebuilds_while_others_record_all_succeed_and_leave_views_equal_to_replay(target: str, tmp_path: Path) -> None:
    # Given a ledger of 120 trusts, and the entries of 30 more in parts of two trusts
    entries = write_register(tmp_path / "register.jsonl", providers=150, entries_per_provider=40, seed=5)
    base = write_jsonl(tmp_path / "base.jsonl", [e for e in entries if int(e["provider_id"][1:]) < 120])
    parts = [
        write_jsonl(tmp_path / f"part{n}.jsonl", [e for e in entries if int(e["provider_id"][1:]) in (120 + 2 * n, 121 + 2 * n)])
        for n in range(15)
    ]
    first = start_process(target, "record", str(base))
    _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err.decode()

    # When, three times over, a rebuild starts and five processes record parts while it runs
    processes = []
    for round_ in range(3):
        processes.append(start_process(target, "rebuild"))
        processes += [start_process(target, "record", str(part)) for part in parts[round_ * 5 : round_ * 5 + 5]]
        for p in processes[-6:]:
            p.wait(timeout=300)

    # Then every writer and every rebuild succeeded
    for p in processes:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode()

    # And the views are tracked at the last entry and answer as replay does
    ledger = Ledger(target)
    try:
        views = open_views(ledger)
        views.catch_up(ledger)
        assert views.max_tracking_id(TRACKED_AS) == ledger.recorder.max_notification_id()
        for provider_id in ("R00000", "R00121", "R00149"):
            recorded = ledger.entries_of(provider_id)
            for at in (date(2016, 6, 30), date(2025, 12, 31)):
                shown = recorded[-1].recorded_at
                assert status_json(views.status(provider_id, at), at, shown) == status_json(status_at(recorded, provider_id, at), at, shown)
    finally:
        ledger.close()
