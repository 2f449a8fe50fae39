"""A PostgreSQL connection lost mid-command: the server ends the command's session
(`pg_terminate_backend`, as an administrator or a restart does), or the network between them
drops (a proxy that closes every connection it carries). The command says so in one sentence
after `Error:`, exit status 1, no traceback; the ledger is as it was before the command or as
the command leaves it (the chain verifies), and running the command again completes it.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import psycopg
import pytest
from conftest import POSTGRES, postgres_schema
from ledgers import EXAMPLES, Targets, ok, run, run_process, start_process, write_register

from cqc_ledger.ledger.store.target import postgres_settings

# Points of an uninterrupted run's time at which the session is ended. The uninterrupted run is
# timed once, on a shared machine: if the machine is quicker for the runs ended after it, the
# later points fall after the command's write (its last moments, the planner's statistics
# refreshed best effort, are survived), so an early point is among them too.
FRACTIONS = (0.2, 0.35, 0.5, 0.6, 0.7, 0.8, 0.9)


@pytest.fixture
def schema() -> Iterator[str]:
    yield from postgres_schema()


@pytest.fixture
def ledgers(tmp_path: Path) -> Iterator[Targets]:
    made = Targets("postgres", tmp_path)
    try:
        yield made
    finally:
        made.close()


def facts(target: str) -> list[bytes]:
    lines = ok(target, "export").stdout_bytes.splitlines()
    return [orjson.dumps({k: v for k, v in orjson.loads(line).items() if k != "recorded_at"}) for line in lines]


def view_rows(target: str) -> int:
    name = target.rpartition("schema=")[2]
    with psycopg.connect(POSTGRES) as c:
        row = c.execute(f'SELECT (SELECT count(*) FROM "{name}".view_entries) + (SELECT count(*) FROM "{name}".view_headlines)').fetchone()
    return row[0] if row else 0


def terminated(target: str, process: subprocess.Popen[bytes], delay: float) -> bool:
    """Ends the server sessions working on the target's schema once `delay` seconds have passed
    (while the command still runs) in a transaction that has begun writing (the server has given
    it a transaction id); whether any was ended. A session ended while it only reads is survived
    by design (the read is tried again on a new connection), and so is the planner's statistics
    refreshed after a write has committed (best effort): ending either tells nothing of a
    connection lost mid-write. (Ended at its first read, `import` survived five of its seven
    points run alone, and all of them in the whole suite's run, and no run was told.)"""
    name = target.rpartition("schema=")[2]
    started = time.monotonic()
    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        while process.poll() is None:
            if time.monotonic() - started >= delay:
                ended = admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE pid <> pg_backend_pid() AND state <> 'idle' AND backend_xid IS NOT NULL AND query LIKE %s "
                    "AND query NOT LIKE 'ANALYZE %%'",
                    (f'%"{name}"%',),
                ).fetchall()
                if ended:
                    return True
            time.sleep(0.01)
    return False


def assert_told_the_connection_was_lost(code: int | None, err: bytes) -> None:
    message = err.decode()
    assert code == 1, message
    assert "Traceback" not in message, message
    assert message.startswith("Error: ") and message.count("\n") == 1, message
    assert "PostgreSQL server" in message, message
    # Lost mid-command; or, when it was lost as the command connected, the server's own words
    assert "was lost" in message or "closed the connection unexpectedly" in message, message


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A ledger's first input (the RX9 example), and a register of 360 trusts to record after it
    (large enough that recording it through the proxy outlasts the first drop's delay on a quick machine)."""
    folder = tmp_path_factory.mktemp("lost")
    write_register(folder / "register.jsonl", providers=360, entries_per_provider=50, seed=7)
    return EXAMPLES / "RX9.jsonl", folder / "register.jsonl"


@pytest.mark.parametrize("command", ["record", "import", "rebuild"])
def test_a_connection_ended_by_the_server_mid_command_is_told_and_the_ledger_is_before_or_after(ledgers, register, tmp_path, command):
    first, big = register
    from cqc_data import active_row, monthly_csv

    active = monthly_csv(
        tmp_path,
        "active.csv",
        "HSCA_Active_Locations",
        [active_row(f"T{n:03d}{k:02d}", "2012-04-01", provider_id=f"T{n:03d}") for n in range(400) for k in range(1, 6)],
    )
    args = {"record": ["record", str(big)], "import": ["import", "cqc-files", active], "rebuild": ["rebuild"]}[command]
    prepared = str(first if command != "rebuild" else big)
    # The ledger before the command, and after it uninterrupted
    alone = ledgers.new()
    ok(alone, "record", prepared)
    before = facts(alone)
    started = time.monotonic()
    assert run_process(alone, *args).returncode == 0
    duration = time.monotonic() - started
    after = facts(alone)
    told = 0
    for delay in (f * duration for f in FRACTIONS):
        # Given the ledger before the command
        target = ledgers.new()
        ok(target, "record", prepared)

        # When the server ends the command's session while it runs
        process = start_process(target, *args)
        ended = terminated(target, process, delay)
        _, err = process.communicate(timeout=120)
        if not ended:
            continue  # it finished first
        if process.returncode == 0:
            # (A read ended mid-way is tried again on a new connection: the command completed.)
            assert facts(target) == after, err.decode()
        else:
            told += 1
            # Then the command says the connection was lost, exit status 1, no traceback
            assert_told_the_connection_was_lost(process.returncode, err)
            # And the ledger is as before the command or as after it
            assert facts(target) in (before, after), delay
        # And the chain verifies, and the command run again leaves the ledger as after it
        assert run(target, "verify").exit_code == 0
        ok(target, *args)
        assert facts(target) == after
        if command == "rebuild":
            assert view_rows(target) == view_rows(alone)
    assert told >= 1, "no run was told its connection was lost: the command finished first, or recovered, every time"


# ---- a network that drops --------------------------------------------------------------------


class DroppingProxy:
    """A TCP proxy to the test server on a port of its own; `drop()` closes every connection it
    carries at that moment (new ones are carried as before)."""

    def __init__(self, host: str, port: int):
        self.upstream = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.carried: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            with self.lock:
                self.carried += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_RDWR)

    def drop(self) -> int:
        with self.lock:
            carried, self.carried = self.carried, []
        for s in carried:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
        return len(carried) // 2

    def close(self) -> None:
        self.listener.close()
        self.drop()


def test_a_network_that_drops_mid_record_is_told_and_the_input_is_recorded_whole_or_not_at_all(schema, register):
    first, big = register
    settings = postgres_settings(schema)
    proxy = DroppingProxy(settings["host"], int(settings["port"]))
    through = schema.replace(f"@{settings['host']}:{settings['port']}/", f"@127.0.0.1:{proxy.port}/")
    try:
        ok(schema, "record", str(first))
        before = facts(schema)
        dropped, survived = 0, False
        for delay in (1.0, 1.8, 2.6):
            # When the network drops while `record` of the register runs through it
            process = start_process(through, "record", str(big))
            started = time.monotonic()
            while process.poll() is None and (time.monotonic() - started < delay or not proxy.carried):
                time.sleep(0.01)
            if process.poll() is not None or not proxy.drop():
                assert process.wait(timeout=120) == 0
                break  # recorded whole before the drop
            _, err = process.communicate(timeout=120)
            if process.returncode == 0:
                # The drop came after the input was committed, or on a read the driver tried
                # again on a new connection: the input is recorded whole
                assert len(facts(schema)) > len(before)
                assert run(schema, "verify").exit_code == 0
                survived = True
                break
            dropped += 1

            # Then the command says the connection was lost, exit status 1, no traceback
            assert_told_the_connection_was_lost(process.returncode, err)
            # And the ledger is as before, or holds the whole input, and verifies
            now = facts(schema)
            assert now == before or len(now) > len(before)
            assert run(schema, "verify").exit_code == 0
            if now != before:
                break
        assert dropped >= 1 or survived
        # And recording again (directly) completes
        ok(schema, "record", str(big))
        assert run(schema, "verify").exit_code == 0
    finally:
        proxy.close()
