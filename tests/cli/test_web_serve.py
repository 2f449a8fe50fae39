"""`serve` as a user starts it, in a process of its own: it says it serves only once it listens,
and a port in use or an address not this machine's is refused as `Error: ...`, exit status 1."""

from __future__ import annotations

import socket
import subprocess
import sys
import urllib.request

import pytest
from builders import registered
from conftest import Cli, jsonl

pytest.importorskip("uvicorn", reason="the web extra is not installed: pip install 'cqc-ledger[web]'")


def serve(db: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "cqc_ledger.cli", "--db", db, "serve", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


@pytest.fixture
def ledger(sqlite_cli: Cli, sqlite_db: str) -> str:
    assert sqlite_cli("record", input=jsonl(registered("RWP"))).exit_code == 0
    return sqlite_db


def test_a_port_in_use_is_refused_with_the_systems_reason_and_nothing_said_to_be_served(ledger: str):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        process = serve(ledger, "--port", str(port))
        out, err = process.communicate(timeout=60)

    assert (process.returncode, out) == (1, "")
    assert err == f"Error: cannot serve on 127.0.0.1:{port}: address already in use\n"


def test_an_address_not_this_machines_is_refused_with_the_systems_reason(ledger: str):
    process = serve(ledger, "--host", "192.0.2.1", "--port", "8000")  # TEST-NET-1: never a local address
    out, err = process.communicate(timeout=60)

    assert (process.returncode, out) == (1, "")
    assert err == "Error: cannot serve on 192.0.2.1:8000: cannot assign requested address\n"


def test_the_site_says_it_serves_once_it_listens_and_names_the_port_it_got(ledger: str):
    process = serve(ledger, "--port", "0")  # any free port
    try:
        assert process.stderr is not None
        said = process.stderr.readline()
        port = int(said.split("http://127.0.0.1:")[1].split("/")[0])

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status/RWP", timeout=30) as answered:
            assert answered.status == 200
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert said == f"Serving {ledger} at http://127.0.0.1:{port}/ (read-only; Ctrl-C stops)\n"
