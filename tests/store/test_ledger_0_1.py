"""A ledger written by version 0.1 still opens: its module-path topics are read as aliases of the
pinned entry-type names, so it verifies against the digest published then, exports the same bytes
and takes new entries (written with the pinned names) on top of its chain.
"""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from conftest import ROOT, runner_for

FIXTURE = ROOT / "tests" / "fixtures" / "ledger-0.1"


@pytest.fixture
def old_ledger(tmp_path: Path) -> Path:
    db = tmp_path / "ledger.db"
    shutil.copyfile(FIXTURE / "ledger.db", db)
    return db


def test_a_ledger_written_by_0_1_verifies_against_the_digest_published_then(old_ledger: Path):
    digest = (FIXTURE / "digest.txt").read_text().strip()

    result = runner_for(str(old_ledger))("verify", "--against", digest)

    assert result.exit_code == 0, result.output


def test_a_ledger_written_by_0_1_exports_the_same_bytes(old_ledger: Path):
    result = runner_for(str(old_ledger))("export")

    assert result.exit_code == 0, result.output
    assert result.output == (FIXTURE / "export.jsonl").read_text()


def test_a_ledger_written_by_0_1_takes_new_entries_under_the_pinned_names(old_ledger: Path):
    cli = runner_for(str(old_ledger))
    renamed = {"type": "ProviderRenamed", "provider_id": "RX9", "name": "EMAS", "on": "2020-01-01"}

    recorded = cli("record", "-", input=[renamed])
    verified = cli("verify")

    assert recorded.exit_code == 0, recorded.output
    assert verified.exit_code == 0, verified.output
    with closing(sqlite3.connect(old_ledger)) as c:
        topics = [t for (t,) in c.execute("SELECT topic FROM stored_events ORDER BY rowid")]
    assert topics[0] == "events.provider:ProviderRegistered"
    assert topics[-1] == "ProviderRenamed"
    assert cli("status", "RX9", "--at", "2020-02-01", "--json").output.count('"EMAS"') == 1


def test_a_stored_topic_outside_the_entry_types_is_refused_not_imported(old_ledger: Path):
    with closing(sqlite3.connect(old_ledger)) as c, c:
        c.execute("UPDATE stored_events SET topic = 'this:x' WHERE originator_id = 'RX9' AND originator_version = 2")

    result = runner_for(str(old_ledger))("export")

    assert result.exit_code == 1
    assert "The Zen of Python" not in result.output
    assert 'the topic "this:x", which is not a cqc-ledger entry type' in result.output


def test_a_location_registered_by_0_1_is_seen_when_an_import_places_it_under_another_provider(old_ledger: Path, tmp_path: Path):
    from cqc_data import response, saved

    cli = runner_for(str(old_ledger))
    assert cli("record", input=b'{"type":"ProviderRegistered","provider_id":"RXX","name":"X","on":"2010-04-01"}\n').exit_code == 0
    body = response("RWP01") | {
        "providerId": "RXX",
        "registrationDate": "2010-04-01",
        "currentRatings": {},
        "historicRatings": [],
        "reports": [],
    }

    result = cli("import", "cqc-api", saved(tmp_path, "RWP01.json", body))

    assert result.exit_code == 1, result.output
    assert "location RWP01 is placed under RXX, but the ledger has it under RWP" in result.output
