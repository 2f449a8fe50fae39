"""A PostgreSQL URL's query: `schema`, and the libpq options (TLS, authentication, timeouts, the
session's name) that every connection the ledger opens carries. An option it does not take, a
value an option cannot hold, an empty schema or another scheme than postgresql:// is a usage
error naming it, before any connection; no credential is ever shown. Against the test server,
which has no TLS: sslmode=require is refused with the server's reason, sslmode=disable connects,
and application_name reaches the server on each connection, for writing, reading, the views,
the site and sync alike.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from conftest import EXAMPLES, POSTGRES, postgres_schema, runner_for
from ledgers import ok

from cqc_ledger.ledger.store.target import quoted

RWP = str(EXAMPLES / "RWP.jsonl")
SERVER = POSTGRES.partition("?")[0]
NO_TLS = "server does not support SSL, but SSL was required"


def usage_error(result: Any, *words: str) -> str:
    """The usage error of a refused --db, checked to name each of `words`."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert "Invalid value for '--db'" in result.stderr, result.stderr
    for word in words:
        assert word in result.stderr, result.stderr
    return result.stderr


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("?sslmod=require", ['the option "sslmod"', "does not take", '(did you mean "sslmode"?)', "sslmode, sslrootcert"]),
        ("?SSLMODE=require", ['(did you mean "sslmode"?)']),
        ("?sslmode=bogus", ['sslmode the value "bogus"', "not one of disable, allow, prefer, require, verify-ca, verify-full"]),
        ("?sslmode=verify_full", ['(did you mean "verify-full"?)']),
        ("?connect_timeout=0", ['connect_timeout the value "0"', "1 or more"]),
        ("?keepalives_idle=soon", ['keepalives_idle the value "soon"', "not a whole number"]),
        ("?schema=", ["empty schema", "?schema=NAME"]),
        ("?sslmode", ["gives the option sslmode no value"]),
        ("?sslmode=require&sslmode=disable", ["gives the option sslmode twice"]),
        ("?host=/var/run/postgresql", ["names its host twice, 127.0.0.1 in its own parts and /var/run/postgresql in its query", "?host="]),
        ("?hostaddr=127.0.0.1", ["gives hostaddr as an option", "in its own parts"]),
        ('?schema=a"b', ['the schema "a"b"', "letters, digits and underscores"]),
    ],
)
def test_a_query_the_ledger_cannot_read_whole_is_a_usage_error_naming_the_option(query: str, words: list[str]):
    usage_error(runner_for(SERVER + query)("status", "RWP"), *words)


def test_a_url_of_another_scheme_is_a_usage_error_without_its_password():
    message = usage_error(runner_for("mysql://root:topsecret@db.example.org/cqc")("status", "RWP"), 'the scheme "mysql"', "postgresql://")

    assert "topsecret" not in message and "mysql://root:***@db.example.org/cqc" in message


def test_secret_options_are_masked_with_the_password(tmp_path):
    url = "postgresql://postgres:topsecret@127.0.0.1:5432/test?sslpassword=keypass&sslmod=require"

    message = usage_error(runner_for(url)("status", "RWP"), "sslpassword=***")

    assert "topsecret" not in message and "keypass" not in message


def test_the_url_is_checked_however_it_is_given(monkeypatch):
    from click.testing import CliRunner

    from cqc_ledger.cli import main

    after = CliRunner().invoke(main, ["status", "RWP", "--db", SERVER + "?sslmod=require"])
    monkeypatch.setenv("CQC_LEDGER_DB", SERVER + "?sslmod=require")
    from_environment = CliRunner().invoke(main, ["status", "RWP"])

    usage_error(after, '"sslmod"')
    usage_error(from_environment, '"sslmod"')


def test_a_schema_name_is_quoted_as_sql_writes_it():
    assert quoted("Mixed") == '"Mixed"' and quoted('a"b') == '"a""b"'


# ---- against the test server --------------------------------------------------------------


@pytest.fixture
def schema() -> Iterator[str]:
    """An empty schema of the test server, as a URL (its query: ?schema=NAME)."""
    yield from postgres_schema()


def _tables(url: str) -> set[str]:
    import psycopg

    with psycopg.connect(SERVER) as c:
        name = url.rpartition("schema=")[2]
        return {r[0] for r in c.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", (name,))}


@pytest.mark.parametrize("args", [("record", RWP), ("status", "RWP"), ("verify",)], ids=["record", "status", "verify"])
def test_sslmode_require_against_a_server_without_tls_is_refused_with_the_servers_reason(schema: str, args: tuple[str, ...]):
    result = runner_for(f"{schema}&sslmode=require")(*args)

    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert result.stderr.startswith("Error: cannot connect to the PostgreSQL server at ") and result.stderr.count("\n") == 1
    assert NO_TLS in result.stderr
    assert _tables(schema) == set()  # nothing was made in plain text instead


def test_sslmode_disable_connects_as_asked(schema: str):
    url = f"{schema}&sslmode=disable"

    ok(url, "record", RWP)

    assert "Worcestershire Acute Hospitals NHS Trust (RWP)" in ok(url, "status", "RWP").stdout
    assert "The ledger is intact: 28 entries" in ok(url, "verify").stdout


def test_a_missing_schema_is_named_with_the_statement_that_creates_it(schema: str):
    import psycopg

    name = f"Cqc_{schema.rpartition('schema=')[2]}"  # capitals: PostgreSQL folds them unless quoted
    url = f"{SERVER}?schema={name}"

    result = runner_for(url)("record", RWP)

    assert result.exit_code == 1, result.output
    statement = f'CREATE SCHEMA "{name}"'
    assert f"create it ({statement})" in result.stderr
    # the statement suggested makes the schema the URL names, and the ledger is made there
    with psycopg.connect(SERVER, autocommit=True) as c:
        c.execute(statement)
    try:
        ok(url, "record", RWP)
        assert "intact" in ok(url, "verify").stdout
    finally:
        with psycopg.connect(SERVER, autocommit=True) as c:
            c.execute(f"DROP SCHEMA {quoted(name)} CASCADE")


@pytest.fixture
def sessions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The application_name the server holds for each connection opened from now on, asked on
    that connection (from pg_stat_activity, for the connection's own server process)."""
    import psycopg

    named: list[str] = []
    connect = psycopg.Connection.connect.__func__  # type: ignore[attr-defined]

    def seen(cls: Any, *args: Any, **kwargs: Any) -> Any:
        conn = connect(cls, *args, **kwargs)
        # at the protocol's level: no transaction begun, no row factory, the connection as it came
        asked = conn.pgconn.exec_(b"SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()")
        named.append(asked.get_value(0, 0).decode())
        return conn

    monkeypatch.setattr(psycopg.Connection, "connect", classmethod(seen))
    monkeypatch.setattr(psycopg, "connect", psycopg.Connection.connect)
    return named


def test_every_connection_of_a_command_carries_the_urls_options(schema: str, sessions: list[str]):
    url = f"{schema}&application_name=cqc-ledger-test&sslmode=disable"
    for args in (("record", RWP), ("status", "RWP"), ("trusts",), ("history", "RWP"), ("verify",), ("rebuild",), ("export",)):
        sessions.clear()

        ok(url, *args)

        assert sessions and set(sessions) == {"cqc-ledger-test"}, (args, sessions)


def test_syncs_connections_carry_the_urls_options(schema: str, sessions: list[str], monkeypatch: pytest.MonkeyPatch):
    from cqc_api_server import KEY, serving

    from cqc_ledger.ledger.sync import client

    monkeypatch.setattr(client, "BACKOFF", 0.01)
    for api in serving():
        ok(f"{schema}&application_name=cqc-ledger-sync", "sync", "--api", api.url, "--key", KEY, "--rate", "100000", "--provider", "RK9")

    assert sessions and set(sessions) == {"cqc-ledger-sync"}, sessions


def test_the_sites_connections_carry_the_urls_options(schema: str, sessions: list[str]):
    pytest.importorskip("starlette", reason="the web extra is not installed: pip install 'cqc-ledger[web]'")
    pytest.importorskip("httpx", reason="the site's tests need httpx: pip install 'cqc-ledger[webtest]'")
    from starlette.testclient import TestClient

    from cqc_ledger.web.app import create_app

    url = f"{schema}&application_name=cqc-ledger-site"
    ok(url, "record", RWP)
    sessions.clear()

    page = TestClient(create_app(url)).get("/api/status/RWP")

    assert page.status_code == 200, page.text
    assert sessions and set(sessions) == {"cqc-ledger-site"}, sessions


# ---- a Unix socket, as libpq names one --------------------------------------------------------


@pytest.fixture
def socket_dir() -> str:
    """The directory of the test server's Unix socket, as the server itself says it."""
    import psycopg

    with psycopg.connect(SERVER) as c:
        found = [d.strip() for d in c.execute("SHOW unix_socket_directories").fetchone()[0].split(",")]
    port = SERVER.rpartition(":")[2].partition("/")[0]
    here = [d for d in found if d.startswith("/") and os.path.exists(f"{d}/.s.PGSQL.{port}")]
    if not here:
        pytest.skip(f"the test server has no Unix socket on this machine ({found})")
    return here[0]


@pytest.fixture
def hosts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The host (a socket's directory, or an address) of each connection opened from now on, as libpq made it."""
    import psycopg

    made: list[str] = []
    connect = psycopg.Connection.connect.__func__  # type: ignore[attr-defined]

    def seen(cls: Any, *args: Any, **kwargs: Any) -> Any:
        conn = connect(cls, *args, **kwargs)
        made.append(conn.info.host)
        return conn

    monkeypatch.setattr(psycopg.Connection, "connect", classmethod(seen))
    monkeypatch.setattr(psycopg, "connect", psycopg.Connection.connect)
    return made


@pytest.mark.parametrize(
    "form",
    [
        "postgresql:///{db}?host={dir}&schema={schema}",
        "postgresql://{user}@/{db}?host={dir}&schema={schema}",
        "postgres://{user}@/{db}?schema={schema}&host={dir}",
        "postgresql://{user}@{quoted_dir}/{db}?schema={schema}",
    ],
    ids=["no-user", "user", "postgres-scheme", "percent-encoded-host"],
)
def test_a_url_naming_a_unix_socket_keeps_the_ledger_through_it(
    schema: str, socket_dir: str, hosts: list[str], form: str, monkeypatch: pytest.MonkeyPatch
):
    # Given: the test server's database, reached through its socket (no user named: libpq's, from PGUSER)
    server = urlsplit(SERVER)
    monkeypatch.setenv("PGUSER", server.username or "postgres")
    name = schema.rpartition("schema=")[2]
    url = form.format(db=server.path.lstrip("/"), dir=socket_dir, quoted_dir=quote(socket_dir, safe=""), user=server.username, schema=name)

    # When: a ledger is recorded, read and checked through it
    ok(url, "record", RWP)
    said = ok(url, "status", "RWP").stdout
    checked = ok(url, "verify").stdout
    exported = ok(url, "export").stdout_bytes

    # Then: every connection went through the socket, and the ledger is the one the TCP URL reads
    assert hosts and set(hosts) == {socket_dir}, hosts
    assert "Worcestershire Acute Hospitals NHS Trust (RWP)" in said and "The ledger is intact: 28 entries" in checked
    assert ok(schema, "export").stdout_bytes == exported


def test_a_socket_where_no_server_listens_is_refused_naming_it(tmp_path):
    result = runner_for(f"postgresql://postgres@/test?host={tmp_path}")("status", "RWP")

    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert result.stderr.startswith(
        f"Error: cannot connect to the PostgreSQL server at the socket {tmp_path}/.s.PGSQL.5432 (database test, user postgres): "
    )
