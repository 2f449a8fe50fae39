"""What a reading command loads: `status` and `trusts` answer from the views, so they start
without what only other commands use (reading input, importing, syncing, the charts, the web
site, the other questions' folds and their output), and on each store without the other's (its
driver, eventsourcing's recorders for it, the ledger's own). Every module loaded for nothing is
paid for at each run's start; the figures are measured by bench/, never here. On PostgreSQL, what
it opens: one connection, where each more is a new server process to start and warm."""

from __future__ import annotations

import functools
import subprocess
import sys
from importlib.metadata import version

import pytest
from conftest import postgres_schema
from ledgers import ROOT, record_examples

import cqc_ledger
from cqc_ledger.ledger.store.target import is_postgres

UNUSED = (
    "httpx",  # sync
    "altair",  # charts
    "starlette",  # the web site
    "importlib.metadata",  # --version
    "difflib",  # a refusal's suggestion
    "csv",  # --csv
    "hashlib",  # digests: an entry's identity, the hash chain (writing, verify)
    "cqc_ledger.ledger.chain",
    "shutil",  # (and its compressors) a SQLite ledger's free space is read by os.statvfs
    "cqc_ledger.events.services",  # CQC's services by name: writing, explain --service
    "cqc_ledger.ledger.provider",  # writing: the rules each entry is weighed by
    "cqc_ledger.ledger.rules",
    "cqc_ledger.ledger.meaning",
    "cqc_ledger.ledger.input",  # reading input: record's parser
    "cqc_ledger.ledger.fastparse",
    "cqc_ledger.ledger.imports.run",
    "cqc_ledger.ledger.sync.run",
    "cqc_ledger.projections.anomalies",
    "cqc_ledger.projections.changes",
    "cqc_ledger.projections.charts",
    "cqc_ledger.projections.diff",
    "cqc_ledger.projections.explain",
    "cqc_ledger.projections.find",  # names: find, a PROVIDER given by name, trusts --name
    "cqc_ledger.projections.history",
    "cqc_ledger.projections.register_facts",
    "cqc_ledger.projections.timeline",
    "cqc_ledger.projections.output.anomalies",
    "cqc_ledger.projections.output.diff",
    "cqc_ledger.projections.output.explain",
)
# What a command on one store loads of the other's: nothing (by `is_postgres` of its ledger).
OTHER_STORE = {
    False: (
        "psycopg",
        "psycopg_pool",
        "eventsourcing.postgres",
        "cqc_ledger.ledger.store.postgres",
        "cqc_ledger.projections.views.postgres",
    ),
    True: ("sqlite3", "_sqlite3", "eventsourcing.sqlite", "cqc_ledger.ledger.store.sqlite", "cqc_ledger.projections.views.sqlite"),
}
# What a store's driver and eventsourcing's recorders for it load by themselves (psycopg loads
# importlib.metadata, csv and shutil): theirs, not the command's.
_DRIVER = {False: "sqlite3, eventsourcing.sqlite", True: "psycopg, psycopg_pool, eventsourcing.postgres"}
# What `trusts` answers from the views' rows alone, without an entry: the entry types, each
# family's classes made for nothing.
UNUSED_BY_TRUSTS = (
    "cqc_ledger.events.corrections",
    "cqc_ledger.events.provider",
    "cqc_ledger.events.inspections",
    "cqc_ledger.events.enforcement",
    "cqc_ledger.events.oversight",
    "cqc_ledger.events.continuity",
)
# The command in a process of its own, then the names of every module it loaded, on standard error.
_LOADED = "import sys; from cqc_ledger.cli import main; main(standalone_mode=False); sys.stderr.write(' '.join(sys.modules))"


def loaded_by(db: str, *args: str) -> set[str]:
    """The modules a real run of `cqc-ledger --db DB ARGS...` loaded (failing unless it answered)."""
    done = subprocess.run([sys.executable, "-c", _LOADED, "--db", db, *args], cwd=ROOT, capture_output=True, timeout=120)
    assert done.returncode == 0 and done.stdout, done.stderr.decode()
    return set(done.stderr.decode().split())


@functools.cache
def loaded_by_the_driver(postgres: bool) -> frozenset[str]:
    """The modules importing the store's driver (`_DRIVER`) loads, in a process of its own."""
    done = subprocess.run(
        [sys.executable, "-c", f"import sys, {_DRIVER[postgres]}; sys.stderr.write(' '.join(sys.modules))"],
        capture_output=True,
        timeout=120,
        check=True,
    )
    return frozenset(done.stderr.decode().split())


def loaded_for_nothing(db: str, loaded: set[str], unused: tuple[str, ...]) -> list[str]:
    """Of `unused` and the other store's modules, those the command loaded (not its store's driver)."""
    postgres = is_postgres(db)
    mine = loaded - loaded_by_the_driver(postgres)
    return [name for name in (*unused, *OTHER_STORE[postgres]) if name in mine]


@pytest.mark.parametrize(
    "args",
    [("trusts", "--at", "2019-06-30", "--json"), ("trusts", "--at", "2019-06-30"), ("status", "RWP", "--at", "2019-06-30", "--json")],
    ids=["trusts --json", "trusts", "status --json"],
)
def test_a_reading_command_loads_only_what_it_uses(db: str, args: tuple[str, ...]):
    # Given a ledger with two trusts
    record_examples(db)
    # When a reading command answers in a process of its own
    loaded = loaded_by(db, *args)
    # Then it loaded its own output, and none of what only other commands use, nor the other store's
    assert f"cqc_ledger.projections.output.{args[0]}" in loaded
    assert loaded_for_nothing(db, loaded, UNUSED) == []


@pytest.mark.parametrize("args", [("trusts", "--at", "2019-06-30", "--json"), ("trusts", "--at", "2019-06-30")], ids=["--json", "text"])
def test_trusts_answers_without_the_entry_types(db: str, args: tuple[str, ...]):
    # Given a ledger with two trusts
    record_examples(db)
    # When trusts answers in a process of its own
    loaded = loaded_by(db, *args)
    # Then it made none of the entry types it reads no entry of
    assert "cqc_ledger.projections.output.trusts" in loaded
    assert loaded_for_nothing(db, loaded, UNUSED_BY_TRUSTS) == []


@pytest.mark.parametrize("args", [("trusts", "--at", "2019-06-30"), ("status", "RWP", "--at", "2019-06-30")], ids=["trusts", "status"])
def test_a_command_loads_its_own_module_and_no_other_commands(sqlite_db: str, args: tuple[str, ...]):
    # Given a ledger with two trusts
    record_examples(sqlite_db)
    # When a reading command answers in a process of its own
    loaded = loaded_by(sqlite_db, *args)
    # Then of the commands' modules it loaded its own alone, and none of what only writing commands share
    assert sorted(name for name in loaded if name.startswith("cqc_ledger.cli.commands.")) == [f"cqc_ledger.cli.commands.{args[0]}"]
    assert [name for name in ("cqc_ledger.cli.reading", "cqc_ledger.cli.writing", "cqc_ledger.cli.progress") if name in loaded] == []


# The command in a process of its own, then how many connections to the server it opened (both
# the driver's own door and the one eventsourcing's pool uses are counted), on standard error.
_CONNECTIONS = """import sys, psycopg
made = []
def counted(connect):
    return classmethod(lambda cls, *args, **kwargs: made.append(1) or connect(*args, **kwargs))
psycopg.Connection.connect = counted(psycopg.Connection.connect)
psycopg.connect = psycopg.Connection.connect
from cqc_ledger.cli import main
main(standalone_mode=False)
sys.stderr.write(str(len(made)))"""


@pytest.mark.parametrize(
    "args", [("trusts", "--at", "2019-06-30", "--json"), ("status", "RWP", "--at", "2019-06-30", "--json")], ids=["trusts", "status"]
)
def test_a_reading_command_on_postgresql_opens_one_connection(args: tuple[str, ...]):
    for db in postgres_schema():
        # Given a ledger with two trusts on PostgreSQL
        record_examples(db)
        # When a reading command answers in a process of its own
        done = subprocess.run([sys.executable, "-c", _CONNECTIONS, "--db", db, *args], cwd=ROOT, capture_output=True, timeout=120)
        # Then it answered through the one connection it looked at the schema on
        assert done.returncode == 0 and done.stdout, done.stderr.decode()
        assert done.stderr.decode().split()[-1] == "1"


# The command in a process of its own, then the composite types it looked up in the catalog, on
# standard error (eventsourcing inserts entries as one; a reading command inserts none).
_LOOKED_UP = """import sys
from psycopg.types.composite import CompositeInfo
fetch = CompositeInfo.fetch.__func__
asked = []
CompositeInfo.fetch = classmethod(lambda cls, conn, name: asked.append(name) or fetch(cls, conn, name))
from cqc_ledger.cli import main
main(standalone_mode=False)
sys.stderr.write(" ".join(["looked-up:", *asked]))"""


def test_a_reading_command_on_postgresql_looks_up_no_type_for_writing():
    for db in postgres_schema():
        # Given a ledger with two trusts on PostgreSQL
        record_examples(db)
        # When a reading command answers in a process of its own
        args = ("trusts", "--at", "2019-06-30", "--json")
        done = subprocess.run([sys.executable, "-c", _LOOKED_UP, "--db", db, *args], cwd=ROOT, capture_output=True, timeout=120)
        # Then it answered without asking the catalog for the type entries are inserted as
        assert done.returncode == 0 and done.stdout, done.stderr.decode()
        assert done.stderr.decode().rsplit("looked-up:", 1)[1].split() == []


def test_the_version_is_still_read_from_the_installed_distribution_when_asked():
    assert cqc_ledger.__version__ == version("cqc-ledger")
    with pytest.raises(AttributeError):
        cqc_ledger.__no_such_thing__  # noqa: B018 (the attribute is what is tested)
