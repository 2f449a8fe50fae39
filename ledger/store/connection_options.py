"""What a PostgreSQL URL's query may say besides `schema` (the ledger's own): the libpq options
of TLS, authentication, timeouts and the session's name, which every connection the ledger opens
carries. Any other option is refused, naming it: an option dropped unread (`sslmode=require`
taken as nothing) would connect otherwise than the user asked, in plain text say.

A value libpq takes from a closed list, or as a number, is checked here, so that a mistyped one is
refused before any connection; the rest (file paths, names) go to libpq as written.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from cqc_ledger.events.vocabulary import suggestion

# Seconds to wait for a PostgreSQL server to answer unless the URL says (connect_timeout): one that
# does not is told at once, not after eventsourcing's pool gives up ("couldn't get a connection").
CONNECT_TIMEOUT = 3

_NUMBER = "a whole number"
_SECONDS = "a whole number of seconds, 1 or more"
_SWITCH = ("0", "1")
_TLS_VERSIONS = ("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")

# Each option the ledger passes on, with the values it may hold (None: any text).
OPTIONS: dict[str, tuple[str, ...] | str | None] = {
    # TLS
    "sslmode": ("disable", "allow", "prefer", "require", "verify-ca", "verify-full"),
    "sslrootcert": None,
    "sslcert": None,
    "sslkey": None,
    "sslpassword": None,
    "sslcrl": None,
    "sslcrldir": None,
    "sslsni": _SWITCH,
    "sslnegotiation": ("postgres", "direct"),
    "sslcertmode": ("disable", "allow", "require"),
    "ssl_min_protocol_version": _TLS_VERSIONS,
    "ssl_max_protocol_version": _TLS_VERSIONS,
    # authentication
    "channel_binding": ("disable", "prefer", "require"),
    "require_auth": None,
    "gssencmode": ("disable", "prefer", "require"),
    "krbsrvname": None,
    "gssdelegation": _SWITCH,
    "passfile": None,
    # the connection and the session
    "connect_timeout": _SECONDS,
    "application_name": None,
    "options": None,
    "target_session_attrs": ("any", "read-write", "read-only", "primary", "standby", "prefer-standby"),
    "keepalives": _SWITCH,
    "keepalives_idle": _NUMBER,
    "keepalives_interval": _NUMBER,
    "keepalives_count": _NUMBER,
    "tcp_user_timeout": _NUMBER,
}
# Options whose value is a secret: masked wherever a target is shown.
SECRET = ("sslpassword",)
SCHEMA = "schema"
# The host, in the query when the URL names none in its own parts (a Unix socket's directory).
HOST = "host"
SOCKET_EXAMPLE = "postgresql://user@/dbname?host=/var/run/postgresql"
# A schema's name as eventsourcing can use it: it names the schema's types unquoted (a name with a
# space or a quote makes its statements fail; capitals fold, as PostgreSQL folds them, harmlessly).
_NAME = re.compile(r"[^\W\d]\w*")
# What the URL says in its own parts (postgresql://user:password@host:port/dbname), never in its query.
_PARTS = ("host", "hostaddr", "port", "dbname", "user", "password", "service")


def query_pairs(query: str) -> list[tuple[str, str]]:
    """The query's `name=value` pairs in order, percent-decoded as libpq decodes a URL (a `+`
    stays a `+`); a name without `=` has the empty value."""
    pairs = []
    for item in query.split("&"):
        if item:
            name, _, value = item.partition("=")
            pairs.append((unquote(name), unquote(value)))
    return pairs


def checked(query: str, where: str, host: str | None = None) -> tuple[str, dict[str, str]]:
    """The schema the query names (`public` when none) and its libpq options, connect_timeout
    always among them; ValueError naming the option and `where` (the URL as shown) when the
    query names an option the ledger does not take, one twice, or a value the option cannot hold.
    `host` is the host the URL names in its own parts: where it names none, the query may name
    it (`host=/var/run/postgresql`, a Unix socket's directory, as libpq takes it), given back
    among the options as `host`."""
    given: dict[str, str] = {}
    for name, value in query_pairs(query):
        if name in given:
            raise ValueError(f"{where} gives the option {name} twice: give it once")
        if name == HOST and host:
            raise ValueError(
                f"{where} names its host twice, {host} in its own parts and {value or 'an empty one'} in its query: give it once "
                f"(a Unix socket's directory goes in the query, with no host before the database: {SOCKET_EXAMPLE})"
            )
        if name not in OPTIONS and name not in (SCHEMA, HOST):
            raise ValueError(_unknown(name, where))
        if not value:
            raise ValueError(_empty(name, where))
        _check_value(name, value, where)
        given[name] = value
    schema = given.pop(SCHEMA, "public")
    if not _NAME.fullmatch(schema):
        raise ValueError(
            f'{where} names the schema "{schema}", which cannot hold a ledger: eventsourcing, which stores the entries, '
            "reads the schema's name unquoted, so it must be letters, digits and underscores, not starting with a digit"
        )
    return schema, {"connect_timeout": str(CONNECT_TIMEOUT), **given}


def _unknown(name: str, where: str) -> str:
    if name in _PARTS:
        return (
            f"{where} gives {name} as an option: the URL names it in its own parts "
            "(postgresql://user[:password]@host[:port]/dbname), not in its query"
        )
    taken = (SCHEMA, *OPTIONS)
    return f'{where} gives the option "{name}", which cqc-ledger does not take{suggestion(name, taken)}: it takes {", ".join(taken)}'


def _empty(name: str, where: str) -> str:
    if name == SCHEMA:
        return f"{where} names an empty schema (schema=): name one (?schema=NAME), or leave the option out for the schema public"
    return f"{where} gives the option {name} no value: give it one, or leave it out"


def _check_value(name: str, value: str, where: str) -> None:
    allowed = OPTIONS.get(name)
    if isinstance(allowed, tuple) and value not in allowed:
        raise ValueError(f'{where} gives {name} the value "{value}", not one of {", ".join(allowed)}{suggestion(value, allowed)}')
    if isinstance(allowed, str) and not (value.isascii() and value.isdigit() and (allowed != _SECONDS or int(value) >= 1)):
        raise ValueError(f'{where} gives {name} the value "{value}", not {allowed}')
