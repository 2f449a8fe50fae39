"""What an operator meets around the ledger: a wrong --db, a full disk, a read-only mount, another
program's database, a PostgreSQL server that is down or does not answer. Each is one sentence
after `Error:`, exit status 1, naming the cause; never a traceback, never a password; reading
commands work on a ledger that can only be read; only writing commands make a ledger, only in a
new file or an empty store, and a refused one leaves nothing behind.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from conftest import EXAMPLES, POSTGRES, postgres_schema, runner_for
from ledgers import command, ok, on_a_terminal, run, write_register

from cqc_ledger.cli.progress import PROGRESS_BYTES

RWP = str(EXAMPLES / "RWP.jsonl")
RX9 = str(EXAMPLES / "RX9.jsonl")


def refused(result, *words: str) -> str:
    """The one-line error of a refused command, checked to name each of `words`."""
    assert result.exit_code == 1, result.output
    assert ("Traceback" not in result.output and result.exception is None) or isinstance(result.exception, SystemExit)
    message = result.stderr
    assert message.startswith("Error: ") and message.count("\n") == 1, message
    for word in words:
        assert word in message, message
    return message


def tables_of(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as c:
        return {name for (name,) in c.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def other_programs_database(path: Path) -> Path:
    with closing(sqlite3.connect(path)) as c:
        c.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        c.execute("INSERT INTO customers VALUES (1, 'Ada')")
        c.commit()
    return path


@pytest.fixture
def mount(tmp_path: Path) -> Iterator[Path]:
    """A small file system of its own (a tmpfs of 2 MiB), unmounted afterwards."""
    where = tmp_path / "mount"
    where.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(where)], capture_output=True).returncode:
        pytest.skip("mounting a file system needs privileges this test run does not have")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=True)


# ---- a wrong --db --------------------------------------------------------------------------


def test_a_ledger_in_a_folder_that_does_not_exist_is_refused_naming_the_folder(tmp_path):
    target = tmp_path / "missing" / "ledger.db"

    refused(run(target, "record", RWP), f"the folder {tmp_path / 'missing'} does not exist")

    assert not (tmp_path / "missing").exists()


def test_a_folder_given_as_the_ledger_is_refused(tmp_path):
    refused(run(tmp_path, "record", RWP), f"{tmp_path} is a folder, not a ledger file")
    refused(run(tmp_path, "verify"), "is a folder")


def test_db_is_accepted_after_the_command_name_too(tmp_path):
    target = tmp_path / "after.db"

    ok(tmp_path / "elsewhere.db", "record", RWP, "--db", str(target))

    assert ok(target, "verify").stdout.startswith("The ledger is intact: 28 entries")
    assert not (tmp_path / "elsewhere.db").exists()


def unusable_ledgers(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """--db targets a writing command cannot use, each with the whole of its refusal."""
    not_a_ledger = tmp_path / "notes.db"
    not_a_ledger.write_text("not a ledger\n" * 100)
    missing = tmp_path / "missing" / "ledger.db"
    return {
        "not a ledger": (not_a_ledger, f"Error: {not_a_ledger} is not a cqc-ledger store (not a SQLite database)"),
        "missing folder": (
            missing,
            f"Error: the folder {missing.parent} does not exist: create it first, or name a ledger file in a folder that exists with --db",
        ),
    }


@pytest.mark.parametrize("wrong", ["not a ledger", "missing folder"])
@pytest.mark.parametrize("writing", ["record", "restore"])
def test_a_ledger_a_writing_command_cannot_use_is_refused_before_anything_of_its_input_is_read(tmp_path, writing, wrong):
    target, says = unusable_ledgers(tmp_path)[wrong]
    # Given an input large enough to get a bar on a terminal, every line of which would be refused
    large = tmp_path / "large.jsonl"
    large.write_bytes(b'{"type": "NoSuchEntry"}\n' * (PROGRESS_BYTES // 24 + 1))

    # When it is given, on a terminal, to a command whose --db names a ledger it cannot use
    code, written = on_a_terminal(command(target, writing, str(large)))

    # Then the refusal of the ledger is all the person sees: no bar of the input, no line of it refused
    assert code == 1 and written.decode() == f"{says}\r\n", written.decode()

    # And an input waiting in a pipe that stays open is left unread, the refusal coming at once
    assert refused_leaving_a_pipe_unread(command(target, writing, "-")) == f"{says}\n"


@pytest.mark.parametrize("wrong", ["not a ledger", "no ledger yet"])
def test_correct_refuses_a_ledger_it_cannot_use_before_reading_the_replacement(tmp_path, wrong):
    new = tmp_path / "new.db"  # correct makes no ledger
    target, says = {
        **unusable_ledgers(tmp_path),
        "no ledger yet": (new, f"Error: there is no ledger at {new} (record entries first, or pass --db)"),
    }[wrong]
    not_json = tmp_path / "replacement.json"
    not_json.write_text("not JSON\n")

    # A replacement that would be refused itself: the ledger's refusal is the one told
    done = subprocess.run(command(target, "correct", "RWP/1", str(not_json), "--reason", "x"), capture_output=True, timeout=60)
    assert done.returncode == 1 and done.stderr.decode() == f"{says}\n" and not done.stdout

    # A replacement waiting in a pipe that stays open: refused at once, the pipe left unread
    assert refused_leaving_a_pipe_unread(command(target, "correct", "RWP/1", "-", "--reason", "x")) == f"{says}\n"


def refused_leaving_a_pipe_unread(argv: list[str]) -> str:
    """What the command, given an entry waiting in a pipe that stays open as its standard input,
    says as it ends, refused (exit status 1, nothing on standard output), checked to have ended
    without waiting for the pipe's end and to have read nothing of it."""
    waiting = b'{"type": "NoSuchEntry"}\n'
    given, feeding = os.pipe()
    os.write(feeding, waiting)
    try:
        done = subprocess.run(argv, stdin=given, capture_output=True, timeout=60)
        os.set_blocking(given, False)
        assert os.read(given, 100) == waiting
    finally:
        os.close(given)
        os.close(feeding)
    assert done.returncode == 1 and not done.stdout, done.stderr.decode()
    return done.stderr.decode()


def test_record_at_a_terminal_refuses_a_ledger_it_cannot_use_before_asking_for_input(tmp_path):
    target, says = unusable_ledgers(tmp_path)["not a ledger"]

    # When `record` is started with a terminal as its standard input and a --db it cannot use
    code, written = on_a_terminal(command(target, "record"))

    # Then it says why at once, never that it is reading standard input
    assert code == 1 and written.decode() == f"{says}\r\n", written.decode()


# ---- other people's databases ----------------------------------------------------------------


@pytest.mark.parametrize("args", [("status", "RWP"), ("verify",), ("export",), ("trusts",), ("entries",)])
def test_a_reading_command_on_another_programs_database_refuses_and_creates_no_table(tmp_path, args):
    theirs = other_programs_database(tmp_path / "customers.db")

    refused(run(theirs, *args), "not a cqc-ledger store", "customers")

    assert tables_of(theirs) == {"customers"}


@pytest.mark.parametrize("command", ["record", "restore", "import"])
def test_a_writing_command_does_not_adopt_another_programs_database(tmp_path, command):
    theirs = other_programs_database(tmp_path / "customers.db")
    args = {"record": ("record", RWP), "restore": ("restore", RWP), "import": ("import", "cqc-api", str(EXAMPLES / "RWP.jsonl"))}

    refused(run(theirs, *args[command]), "not a cqc-ledger store", "customers")

    assert tables_of(theirs) == {"customers"}


def test_a_database_whose_tables_have_the_ledgers_names_but_not_its_columns_is_refused(tmp_path):
    theirs = tmp_path / "events.db"
    with closing(sqlite3.connect(theirs)) as c:
        for name in ("stored_events", "ledger_head", "ledger_chain"):
            c.execute(f"CREATE TABLE {name} (id INTEGER, payload TEXT)")
        c.commit()

    refused(run(theirs, "verify"), "not a cqc-ledger store", "stored_events", "id, payload")
    refused(run(theirs, "record", RWP), "not a cqc-ledger store")


def test_a_reading_command_on_a_new_or_empty_file_creates_nothing(tmp_path):
    empty = tmp_path / "empty.db"
    empty.touch()

    refused(run(tmp_path / "new.db", "trusts"), "there is no ledger at")
    refused(run(empty, "verify"), "there is no ledger at")

    assert not (tmp_path / "new.db").exists()
    assert empty.stat().st_size == 0


def test_a_writing_command_makes_a_ledger_in_an_empty_file(tmp_path):
    empty = tmp_path / "empty.db"
    empty.touch()

    ok(empty, "record", RWP)

    assert ok(empty, "verify").stdout.startswith("The ledger is intact: 28 entries")


# ---- litter ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("record", "-"),
        ("restore", "-"),
        ("import", "cqc-api", "__bad__"),
    ],
    ids=["record", "restore", "import"],
)
def test_a_refused_write_into_a_new_path_leaves_no_file(tmp_path, args):
    bad = tmp_path / "bad.json"
    bad.write_text('{"type": "NoSuchEntry"}\n')
    target = tmp_path / "new.db"

    refused(run(target, *[str(bad) if a == "__bad__" else a for a in args], input=bad.read_text()))

    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json"]


def test_a_refused_write_into_an_existing_ledger_leaves_it_as_it_was(tmp_path):
    target = tmp_path / "ledger.db"
    ok(target, "record", RWP)
    before = ok(target, "export").stdout_bytes

    refused(run(target, "record", "-", input='{"type": "NoSuchEntry"}\n'))

    assert target.exists() and ok(target, "export").stdout_bytes == before


# ---- a full disk, a read-only mount, a damaged entry ------------------------------------------


def test_a_full_disk_is_named_and_the_ledger_is_left_as_it_was(mount):
    target = mount / "ledger.db"
    ok(target, "record", RX9)
    before = ok(target, "export").stdout_bytes
    filler = mount / "filler"
    with open(filler, "wb") as f, pytest.raises(OSError):
        while True:
            f.write(b"\0" * 65536)
            f.flush()

    message = refused(run(target, "record", RWP), "disk holding", "is full", "nothing was written")

    assert "Traceback" not in message
    filler.unlink()
    assert ok(target, "export").stdout_bytes == before
    ok(target, "verify")


def fill(mount: Path, *, leave: int) -> None:
    """Fills the file system but for `leave` bytes."""
    free = shutil.disk_usage(mount).free
    (mount / "filler").write_bytes(b"\0" * max(0, free - leave))


def test_a_disk_filling_up_while_recording_is_named_and_nothing_of_the_input_is_written(mount, tmp_path):
    target = mount / "ledger.db"
    ok(target, "record", RX9)
    before = ok(target, "export").stdout_bytes
    register = tmp_path / "register.jsonl"
    write_register(register, providers=30, entries_per_provider=40)
    fill(mount, leave=400_000)

    refused(run(target, "record", str(register)), "disk holding", "is full", "nothing of this command was written")

    (mount / "filler").unlink()
    assert ok(target, "export").stdout_bytes == before
    ok(target, "verify")


def test_a_full_disk_refusing_a_new_ledger_leaves_no_file(mount):
    filler = mount / "filler"
    with open(filler, "wb") as f, pytest.raises(OSError):
        while True:
            f.write(b"\0" * 65536)
            f.flush()

    refused(run(mount / "ledger.db", "record", RWP), "full")

    assert sorted(p.name for p in mount.iterdir()) == ["filler"]


def test_every_reading_command_works_on_a_ledger_on_a_read_only_mount_and_writing_ones_say_why_not(mount):
    target = mount / "ledger.db"
    ok(target, "record", RWP)
    digest = ok(target, "verify", "--digest").stdout.strip()
    exported = ok(target, "export").stdout_bytes
    stale = sqlite3.connect(target)  # the analysts' views of an earlier release, which a writer would replace
    stale.execute("DROP VIEW rating_intervals")
    stale.execute("CREATE VIEW rating_intervals AS SELECT provider_id FROM view_entries")
    stale.commit()
    stale.close()
    subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)

    assert ok(target, "verify", "--against", digest).stdout.startswith("The ledger is intact: 28 entries")
    assert ok(target, "export").stdout_bytes == exported
    for args in (("status", "RWP"), ("trusts",), ("entries", "RWP"), ("history", "RWP"), ("explain", "RWP"), ("anomalies",)):
        ok(target, *args)
    for args in (("record", RX9), ("retract", "RWP/1", "--reason", "x"), ("rebuild",), ("restore", RWP)):
        refused(run(target, *args), f"{target} is read-only")


def test_a_stored_entry_that_is_not_json_is_named_and_verify_finds_it(tmp_path):
    target = tmp_path / "ledger.db"
    ok(target, "record", RWP)
    with closing(sqlite3.connect(target)) as c:
        c.execute("UPDATE stored_events SET state = X'00FF7B' WHERE originator_version = 3")
        c.commit()

    refused(run(target, "export"), "RWP/3", "cqc-ledger verify")
    refused(run(target, "entries", "RWP"), "RWP/3")
    refused(run(target, "verify"), "position 3")


# ---- PostgreSQL ----------------------------------------------------------------------------


def _closed_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_postgresql_server_that_is_down_is_named_at_once_with_its_cause_and_no_password():
    url = f"postgresql://postgres:s3cret-Pw@127.0.0.1:{_closed_port()}/test"
    started = time.monotonic()

    message = refused(runner_for(url)("status", "RWP"), "cannot connect to the PostgreSQL server at 127.0.0.1", "refused")

    assert time.monotonic() - started < 3
    assert "s3cret" not in message


def test_a_postgresql_server_that_does_not_answer_is_refused_within_a_few_seconds():
    # Given a server that takes the connection and then says nothing
    with closing(socket.socket()) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"postgresql://postgres:hunter2@127.0.0.1:{silent.getsockname()[1]}/test"
        started = time.monotonic()

        message = refused(runner_for(url)("record", RWP), "cannot connect to the PostgreSQL server", "timeout")

    assert time.monotonic() - started < 8
    assert "hunter2" not in message


def test_a_postgresql_url_that_is_not_one_is_a_usage_error_without_its_password():
    result = runner_for("postgresql://postgres:topsecret@/")("verify")

    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "is not a PostgreSQL URL" in result.stderr
    assert "topsecret" not in result.output and "postgresql://postgres:***@/" in result.stderr


@pytest.fixture
def schema() -> Iterator[str]:
    """An empty schema of the test server, as a URL."""
    yield from postgres_schema()


def _pg_tables(url: str) -> set[str]:
    import psycopg

    name = url.rpartition("schema=")[2]
    with psycopg.connect(POSTGRES) as c:
        return {r[0] for r in c.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", (name,))}


def test_a_missing_postgresql_schema_is_named(schema):
    url = schema.replace("schema=", "schema=no_such_")

    refused(runner_for(url)("record", RWP), 'the schema "no_such_', "does not exist", "CREATE SCHEMA")
    refused(runner_for(url)("verify"), "does not exist")


def test_reading_commands_create_no_table_in_an_empty_postgresql_schema(schema):
    for args in (("status", "RWP"), ("verify",), ("trusts",), ("export",)):
        refused(runner_for(schema)(*args), "there is no ledger at")

    assert _pg_tables(schema) == set()


def test_a_postgresql_schema_holding_other_tables_is_not_adopted(schema):
    import psycopg

    with psycopg.connect(schema.partition("?")[0], autocommit=True) as c:
        c.execute(f'CREATE TABLE "{schema.rpartition("schema=")[2]}".customers (id integer)')

    refused(runner_for(schema)("record", RWP), "not a cqc-ledger store", "customers")
    refused(runner_for(schema)("verify"), "not a cqc-ledger store", "customers")

    assert _pg_tables(schema) == {"customers"}


def _pg_objects(url: str) -> set[tuple[str, str]]:
    """Every relation, type and routine in the URL's schema, by kind and name."""
    import psycopg

    name = url.rpartition("schema=")[2]
    with psycopg.connect(POSTGRES) as c:
        return {
            *c.execute(
                "SELECT 'relation ' || relkind::text, relname FROM pg_class WHERE relnamespace = %s::regnamespace", (name,)
            ).fetchall(),
            *c.execute("SELECT 'type', typname FROM pg_type WHERE typnamespace = %s::regnamespace", (name,)).fetchall(),
            *c.execute("SELECT 'routine', proname FROM pg_proc WHERE pronamespace = %s::regnamespace", (name,)).fetchall(),
        }


@pytest.mark.parametrize(
    "args",
    [("record", "-"), ("restore", "-"), ("import", "cqc-api", "__bad__"), ("record", "__late__")],
    ids=["record", "restore", "import", "record-refused-at-its-last-line"],
)
def test_a_refused_first_write_into_an_empty_postgresql_schema_leaves_it_as_it_was(schema, tmp_path, args):
    import psycopg

    # Given an empty schema (no tables; a function of someone else's in it)
    with psycopg.connect(POSTGRES, autocommit=True) as c:
        c.execute(f'CREATE FUNCTION "{schema.rpartition("schema=")[2]}".theirs() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$')
    before = _pg_objects(schema)
    bad = tmp_path / "bad.json"
    bad.write_text('{"type": "NoSuchEntry"}\n')
    late = tmp_path / "late.jsonl"  # thousands of good lines written in chunks, then a bad one
    write_register(late, providers=40, entries_per_provider=50)
    late.write_bytes(late.read_bytes() + b'{"type": "NoSuchEntry"}\n')
    named = {"__bad__": str(bad), "__late__": str(late)}

    # When a writing command is refused
    refused(runner_for(schema)(*[named.get(a, a) for a in args], input=bad.read_text()))

    # Then the schema holds what it held, and nothing of the ledger
    assert _pg_objects(schema) == before
    # And a later write makes the ledger there as usual
    ok(schema, "record", RX9)
    assert "ledger_head" in _pg_tables(schema)


# ---- record on a terminal ----------------------------------------------------------------------


@contextmanager
def typing_at_record(target: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """`record` on the ledger at `target` with a terminal as its standard input (no file named),
    and the terminal's other end, where the test types; closed after the block."""
    import pty
    import sys

    primary, secondary = pty.openpty()
    script = "import sys; from cqc_ledger.cli import main; sys.argv = ['cqc-ledger', '--db', sys.argv[1], 'record']; main()"
    process = subprocess.Popen([sys.executable, "-c", script, str(target)], stdin=secondary, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    os.close(secondary)
    try:
        yield process, primary
    finally:
        os.close(primary)


def test_record_with_no_file_on_a_terminal_says_it_is_reading_standard_input(tmp_path):
    # Given `record` started with a terminal as its standard input
    with typing_at_record(tmp_path / "ledger.db") as (process, terminal):
        # When the person types an entry and ends the input
        os.write(terminal, b'{"type": "ProviderRegistered", "provider_id": "RWP", "name": "X", "on": "2010-04-01"}\n')
        time.sleep(0.5)
        os.write(terminal, b"\x04")
        out, err = process.communicate(timeout=60)

    # Then it said where it was reading from, and recorded what was typed
    assert "Reading JSON Lines from standard input (end with Ctrl-D" in err.decode(), err.decode()
    assert process.returncode == 0 and out.decode() == "Recorded 1 entry: RWP/1.\n"


def test_a_person_typing_at_record_holds_no_lock_another_writer_records_meanwhile(tmp_path):
    # Given a ledger, and `record` started on it with a terminal as its standard input
    target = tmp_path / "ledger.db"
    ok(target, "record", RX9)
    with typing_at_record(target) as (typing, terminal):
        # When the person has typed an entry and not yet ended the input
        os.write(terminal, b'{"type": "ProviderRegistered", "provider_id": "ZZZ", "name": "Typed", "on": "2010-04-01"}\n')
        time.sleep(1.5)
        # Then another writer records at once, without waiting for the typing to end
        started = time.monotonic()
        other = subprocess.run(command(target, "record", RWP), capture_output=True, timeout=30)
        assert other.returncode == 0, other.stderr.decode()
        assert time.monotonic() - started < 10
        # And what was typed is recorded once the input ends
        os.write(terminal, b"\x04")
        out, err = typing.communicate(timeout=60)
    assert typing.returncode == 0, err.decode()
    assert out.decode() == "Recorded 1 entry: ZZZ/1.\n"
