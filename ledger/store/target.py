"""Where the ledger lives: a SQLite file by default, or a PostgreSQL database named by its URL,
and eventsourcing's settings for each.

A target is shown to people only through `shown`, which masks a URL's password (and any secret
option of its query): no message, log or error of the ledger ever prints a credential.
"""

from __future__ import annotations

import os
import re
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from cqc_ledger.ledger.errors import BadTarget
from cqc_ledger.ledger.store import connection_options
from cqc_ledger.ledger.store.connection_options import CONNECT_TIMEOUT

DEFAULT_TARGET = "cqc-ledger.db"
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_EXAMPLE = "postgresql://user@host:5432/dbname"


def is_postgres(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


# The files a SQLite ledger lives in: the file, and those SQLite keeps beside it.
SQLITE_FILES = ("", "-wal", "-shm", "-journal")


def is_ledger_file(target: str, path: str) -> bool:
    """Whether `path` is one of the files the SQLite ledger at `target` lives in, told by the
    file's identity (a hard or symbolic link to it, or another spelling of its name, is it too).
    A name that is not there yet is one of them only where SQLite would take a file made there
    for its own (`ledger.db-wal` beside `ledger.db`)."""
    if is_postgres(target):
        return False
    base = os.path.realpath(target)  # SQLite keeps its files beside the file a link leads to
    for suffix in SQLITE_FILES:
        own = base + suffix
        try:
            if os.path.samefile(own, path):
                return True
        except OSError:  # one of the two is not there
            if own == os.path.realpath(path):
                return True
    return False


def checked(target: str) -> str:
    """The target, when it names a store the ledger can use: a SQLite file's path, or a
    PostgreSQL URL it can read whole (BadTarget saying why otherwise: another scheme, a URL
    without its database, or a query option it does not take)."""
    if is_postgres(target):
        postgres_settings(target)
    elif _URL.match(target):
        scheme = target.partition("://")[0]
        raise BadTarget(
            f'{shown(target)} is a URL of the scheme "{scheme}", which cqc-ledger does not keep a ledger in: '
            f"name a SQLite file by its path, or a PostgreSQL database by its URL ({_EXAMPLE})"
        )
    return target


def shown(target: str) -> str:
    """The target as a message may show it: a URL's password, and the value of any secret option
    of its query (sslpassword), replaced by `***`."""
    if not _URL.match(target):
        return target
    base, mark, query = target.partition("?")
    password = _password(base)
    if password:
        base = base.replace(f":{password}@", ":***@", 1)
    if query:
        query = "&".join(_masked_pair(item) for item in query.split("&"))
    return base + mark + query


def _masked_pair(item: str) -> str:
    name, equals, _ = item.partition("=")
    return f"{name}=***" if equals and unquote(name) in connection_options.SECRET else item


def masked(message: str, target: str) -> str:
    """`message` with the target's secrets masked wherever they appear (a driver's error may
    quote the URL or its parts)."""
    secrets = _secrets(target)
    if not secrets:
        return message
    message = message.replace(target, shown(target))
    for form in sorted({f for s in secrets for f in (s, unquote(s))}, key=len, reverse=True):
        message = message.replace(form, "***")
    return message


def _secrets(target: str) -> list[str]:
    """The target's password and secret options' values, as written in it."""
    if not _URL.match(target):
        return []
    base, _, query = target.partition("?")
    found = [_password(base) or ""]
    for item in query.split("&"):
        name, equals, value = item.partition("=")
        if equals and unquote(name) in connection_options.SECRET:
            found.append(value)
    return [s for s in found if s]


def _password(url: str) -> str | None:
    try:
        netloc = urlsplit(url).netloc
    except ValueError:
        return None
    credentials, at, _ = netloc.rpartition("@")
    if not at or ":" not in credentials:
        return None
    return credentials.partition(":")[2] or None


def quoted(name: str) -> str:
    """A PostgreSQL identifier quoted as SQL writes it: `a"b` is `"a""b"`."""
    return '"' + name.replace('"', '""') + '"'


def environment(target: str, *, create: bool = True, read_only: bool = False) -> dict[str, str]:
    """eventsourcing's settings for a store target: a SQLite file path or a PostgreSQL URL.
    `create`: make the ledger's tables when they are missing (writing commands only);
    `read_only`: open a SQLite file that cannot be written (a read-only file or mount) as such."""
    common = {"ORIGINATOR_ID_TYPE": "text", "CREATE_TABLE": "yes" if create else "no"}
    if is_postgres(target):
        return {**common, **postgres_environment(target)}
    return {
        **common,
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": sqlite_uri(target) if read_only else target,
        "SQLITE_LOCK_TIMEOUT": "60",
        "APPLICATION_RECORDER_TOPIC": "cqc_ledger.ledger.store.sqlite:SQLiteLedgerRecorder",
    }


def sqlite_uri(path: str) -> str:
    """A SQLite URI opening the file read-only and unchanging: a ledger on a read-only mount has
    no room for the lock files SQLite's write-ahead log otherwise needs beside it."""
    return f"file:{quote(os.path.abspath(path))}?immutable=1"


def postgres_settings(url: str) -> dict[str, str]:
    """The parts of `postgresql://user[:password]@host[:port]/dbname[?schema=NAME&OPTION=VALUE...]`:
    dbname, host, port, user, password and schema (`public` when the URL names none). Its libpq
    options are `postgres_options`; BadTarget when the URL cannot be read whole."""
    return _postgres_url(url)[0]


def postgres_options(url: str) -> dict[str, str]:
    """The libpq options the URL's query gives (see `connection_options`), which every connection
    to its database carries; connect_timeout is always among them."""
    return _postgres_url(url)[1]


def connect_timeout(target: str) -> int:
    """Seconds a connection to the target's server waits for it to answer."""
    try:
        return int(postgres_options(target)["connect_timeout"]) if is_postgres(target) else CONNECT_TIMEOUT
    except BadTarget:
        return CONNECT_TIMEOUT


def _postgres_url(url: str) -> tuple[dict[str, str], dict[str, str]]:
    try:
        parts = urlsplit(url)
        dbname, host, port, user = parts.path.lstrip("/"), _host(parts.netloc), parts.port, parts.username
    except ValueError:
        dbname = None
    if not dbname:
        raise BadTarget(f"{shown(url)} is not a PostgreSQL URL like {_EXAMPLE} (or {connection_options.SOCKET_EXAMPLE})")
    try:
        schema, options = connection_options.checked(parts.query, shown(url), host)
    except ValueError as refused:
        raise BadTarget(str(refused)) from None
    settings = {
        "dbname": unquote(dbname),
        # None (neither in its parts nor its query) and no user are libpq's defaults: PGHOST or its
        # Unix socket, PGUSER or the system's user name (an empty setting is libpq's default).
        "host": options.pop(connection_options.HOST, host or ""),
        "port": str(port or 5432),
        "user": unquote(user or ""),
        "password": unquote(parts.password or ""),
        "schema": schema,
    }
    return settings, options


def _host(netloc: str) -> str | None:
    """The host a URL's own parts name, percent-decoded as libpq decodes it (a Unix socket's
    directory may be written there as %2Fvar%2Frun%2Fpostgresql); None when it names none."""
    named = netloc.rpartition("@")[2]
    if not named.startswith("["):  # an IPv6 address keeps its colons
        named = named.partition(":")[0]
    return unquote(named.strip("[]")) or None


def server_shown(url: str) -> str:
    """The server a PostgreSQL URL names, as a message says it: `the PostgreSQL server at
    127.0.0.1:5432`, `... at the socket /var/run/postgresql/.s.PGSQL.5432`, or, where it names
    no host, the one libpq connects to by default."""
    settings = postgres_settings(url)
    host, port = settings["host"], settings["port"]
    if not host:
        return f"the PostgreSQL server libpq finds by default (PGHOST, else its Unix socket; port {port})"
    if host.startswith("/"):
        return f"the PostgreSQL server at the socket {host.rstrip('/')}/.s.PGSQL.{port}"
    return f"the PostgreSQL server at {host}:{port}"


def user_shown(url: str) -> str:
    """The user a PostgreSQL URL connects as, as a message says it."""
    return postgres_settings(url)["user"] or "libpq's default (PGUSER, else the system's user name)"


def postgres_connection(url: str, *, autocommit: bool = False) -> Any:
    """A psycopg connection to the database `url` names, with every option of its query (waiting
    at most connect_timeout for the server; psycopg is imported here: it is the optional
    `postgres` extra)."""
    import psycopg

    settings = postgres_settings(url)
    parameters: dict[str, Any] = {
        "dbname": settings["dbname"],
        "host": settings["host"],
        "port": settings["port"],
        "user": settings["user"],
        "password": settings["password"] or None,
        **postgres_options(url),
    }
    return psycopg.connect(autocommit=autocommit, **parameters)


def postgres_environment(url: str) -> dict[str, str]:
    """A PostgreSQL URL as eventsourcing's settings. Those carry no libpq option but its timeout:
    the ledger hands the rest to eventsourcing's pool itself (`store.postgres.connecting_as_named`)."""
    settings = postgres_settings(url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": settings["dbname"],
        "POSTGRES_HOST": settings["host"],
        "POSTGRES_PORT": settings["port"],
        "POSTGRES_USER": settings["user"],
        "POSTGRES_PASSWORD": settings["password"],
        "POSTGRES_SCHEMA": settings["schema"],
        "POSTGRES_LOCK_TIMEOUT": "60",
        # eventsourcing's server ends a session idle inside a transaction for 5 s; recording decides a
        # chunk of entries, and a rebuild folds a page of them, between statements, which a loaded
        # machine can stretch past that. A writer that dies closes its connection and its
        # transaction rolls back at once; this only bounds one that hangs holding the write lock.
        "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "600",
        # How long the pool waits for a connection: as long as one connection waits for the server.
        "POSTGRES_CONNECT_TIMEOUT": postgres_options(url)["connect_timeout"],
        "POSTGRES_POOL_SIZE": "2",
        "POSTGRES_MAX_OVERFLOW": "4",
        "APPLICATION_RECORDER_TOPIC": "cqc_ledger.ledger.store.postgres:PostgresLedgerRecorder",
    }
