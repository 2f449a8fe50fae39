"""The ledger on PostgreSQL: eventsourcing's PostgreSQL recorder with the ledger's own tables.

Needs the optional dependency: `pip install 'cqc-ledger[postgres]'` (psycopg 3).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg import Connection
from psycopg.pq import TransactionStatus
from psycopg.rows import dict_row
from psycopg.sql import SQL

from cqc_ledger.ledger.errors import StoreError
from cqc_ledger.ledger.store.codec import damaged, holds_no_json
from cqc_ledger.ledger.store.sql import rows
from cqc_ledger.ledger.store.tables import LedgerTables
from cqc_ledger.ledger.store.target import postgres_options, quoted

if TYPE_CHECKING:
    from cqc_ledger.ledger.chain import Head
    from cqc_ledger.ledger.store.codec import Stored


def qualified(schema: str, name: str) -> str:
    return f"{quoted(schema)}.{quoted(name)}"


def connecting_as_named(datastore: Any, url: str) -> None:
    """Has eventsourcing's pool (not opened yet) connect with every libpq option of the URL's
    query: eventsourcing's settings carry only its host, port, user, password and database, and
    a connection without the rest (sslmode=require, say) would connect otherwise than asked."""
    datastore.pool.kwargs.update(postgres_options(url))


class OneConnection:
    """Stands in for eventsourcing's pool of connections in a reading command: the connection
    the schema was inspected on (`opening.inspect(..., keep=True)`), used for everything the
    command asks, one statement or transaction after another.

    eventsourcing's pool opened two connections in threads of its own as the command began, and
    a third when both were busy: each a new server process whose catalog caches start cold.
    Should a second connection be wanted while the first is held (nothing reading does so
    today), one is opened for it and closed when it is given back. A connection comes back idle,
    as from the pool: a transaction left open is rolled back."""

    def __init__(self, first: Connection[Any], connect: Callable[[], Connection[Any]], configure: Callable[[Connection[Any]], None]):
        self._connect = connect
        self._configure = configure
        self._idle: list[Connection[Any]] = [self._configured(first)]
        self._opened = list(self._idle)

    def _configured(self, conn: Connection[Any]) -> Connection[Any]:
        conn.row_factory = dict_row  # as eventsourcing's pool makes them
        self._configure(conn)
        return conn

    def open(self, wait: bool = False, timeout: float = 30.0) -> None:
        """Nothing to open: the connection is open already (the pool's interface)."""

    @contextmanager
    def connection(self, timeout: float | None = None) -> Iterator[Connection[Any]]:
        spare = bool(self._idle)
        conn = self._idle.pop() if spare else self._configured(self._connect())
        try:
            yield conn
        finally:
            if spare and self._reset(conn):
                self._idle.append(conn)
            else:
                conn.close()

    @staticmethod
    def _reset(conn: Connection[Any]) -> bool:
        """Whether the connection is fit to use again, rolled back if a transaction was left open."""
        status = conn.pgconn.transaction_status
        if status in (TransactionStatus.INTRANS, TransactionStatus.INERROR):
            try:
                conn.rollback()
            except Exception:
                return False
            return True
        return status == TransactionStatus.IDLE

    def close(self, timeout: float = 5.0) -> None:
        for conn in self._opened:
            conn.close()
        self._idle.clear()

    def __enter__(self) -> OneConnection:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def reading_on(datastore: Any, conn: Connection[Any]) -> None:
    """Has eventsourcing's `datastore` read through `conn` alone (see `OneConnection`), without
    looking up the composite type eventsourcing inserts entries with: a reading command inserts
    none, and the look-up was a query of the catalog on a new session, 5 to 10 ms of every
    reading command (the recorder asks for it as it is made; the type stays unregistered)."""
    pool = datastore.pool
    settings = {k: v for k, v in pool.kwargs.items() if k != "row_factory"}  # the URL's options among them
    datastore.pool = OneConnection(conn, lambda: Connection.connect(**settings), datastore.after_connect_func())
    datastore.register_type_adapters = lambda: None


class CreatedOneAtATime:
    """Creates a recorder's tables, when they are not all there, under an advisory lock on the
    schema: PostgreSQL's `CREATE ... IF NOT EXISTS` fails when two sessions create the same
    table at the same moment, as two processes opening a new ledger at once would. A ledger
    already made is only read, so opening it never waits on a writer's locks."""

    datastore: Any
    tables: tuple[str, ...] = ()

    def create_table(self) -> None:
        with self.datastore.get_connection() as conn:
            schema = self.datastore.schema
            found = conn.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = %s AND tablename = ANY(%s)", (schema, list(self.tables))
            ).fetchone()
            if self.tables and next(iter(found.values())) == len(self.tables):
                self.datastore.register_type_adapters()
                return
            conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (self.datastore.schema,))
            try:
                super().create_table()  # type: ignore[misc]
            finally:
                conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (self.datastore.schema,))


class PostgresLedgerRecorder(CreatedOneAtATime, LedgerTables, PostgresApplicationRecorder):
    """Appends under eventsourcing's exclusive lock on `stored_events`, so notification ids are
    issued and committed in one order, and keeps the ledger's head and hash chain beside them."""

    placeholder = "%s"

    def __init__(self, datastore: Any, **kwargs: Any):
        super().__init__(datastore, **kwargs)
        schema = self.datastore.schema
        self.tables = (self.events_table_name, "ledger_head", "ledger_chain")
        self.names = {
            "events": qualified(schema, self.events_table_name),
            "head": qualified(schema, "ledger_head"),
            "chain": qualified(schema, "ledger_chain"),
            "nid": "notification_id",
        }
        # eventsourcing types these as Composed; plain SQL statements execute the same.
        ours: list[Any] = [
            SQL(
                self.q(
                    "CREATE TABLE IF NOT EXISTS {head} (id integer PRIMARY KEY CHECK (id = 1), "
                    "recorded_at text NOT NULL, chain_position bigint NOT NULL, chain_hash bytea NOT NULL)"
                )
            ),
            SQL(self.q("INSERT INTO {head} VALUES (1, '', 0, decode(repeat('00', 32), 'hex')) ON CONFLICT (id) DO NOTHING")),
            SQL(
                self.q(
                    "CREATE TABLE IF NOT EXISTS {chain} (position bigint PRIMARY KEY, "
                    "notification_id bigint NOT NULL UNIQUE, hash bytea NOT NULL)"
                )
            ),
        ]
        self.sql_create_statements += ours
        self._next_ids = "SELECT nextval(pg_get_serial_sequence(%s, 'notification_id')) FROM generate_series(1, %s) ORDER BY 1"
        self._copy_events = self.q("COPY {events} (originator_id, originator_version, topic, state, {nid}) FROM STDIN (FORMAT BINARY)")

    # eventsourcing reads each stored state as bytes(state), which a NULL state (a damaged row:
    # the column allows it) turns into a TypeError before it gives any row back; the row is then
    # looked up (the first NULL among those asked for, in their order) and refused as the codec
    # refuses any row that holds no entry, by its ref.
    def select_events(
        self, originator_id: Any, *, gt: int | None = None, lte: int | None = None, desc: bool = False, limit: int | None = None
    ) -> Any:
        try:
            return super().select_events(originator_id, gt=gt, lte=lte, desc=desc, limit=limit)
        except TypeError as bad:
            bounds = [("originator_id = %s", originator_id), ("originator_version > %s", gt), ("originator_version <= %s", lte)]
            raise self._null_row(bounds, f"originator_version {'DESC' if desc else 'ASC'}", f"of {originator_id}", bad) from None

    def select_notifications(
        self, start: int | None, limit: int, stop: int | None = None, topics: Sequence[str] = (), *, inclusive_of_start: bool = True
    ) -> Any:
        try:
            return super().select_notifications(start, limit, stop, topics, inclusive_of_start=inclusive_of_start)
        except TypeError as bad:
            first = "notification_id >= %s" if inclusive_of_start else "notification_id > %s"
            bounds = [(first, start), ("notification_id <= %s", stop), ("topic = ANY(%s)", list(topics) or None)]
            raise self._null_row(bounds, "notification_id", "read in recording order", bad) from None

    def _null_row(self, bounds: list[tuple[str, Any]], order: str, otherwise: str, bad: TypeError) -> StoreError:
        """The refusal of the first row holding NULL within `bounds` (each a condition and its
        value; None for none), in `order`: named by its ref, or as `otherwise` when none does."""
        given = [(condition, value) for condition, value in bounds if value is not None]
        where = " AND ".join(["state IS NULL", *(condition for condition, _ in given)])
        statement = f"SELECT originator_id, originator_version FROM {self.names['events']} WHERE {where} ORDER BY {order} LIMIT 1"
        with self.datastore.get_connection() as conn:
            found = conn.execute(statement, [value for _, value in given]).fetchone()
        if found is None:
            return damaged(otherwise, bad)
        return damaged(f"{found['originator_id']}/{found['originator_version']}", TypeError(holds_no_json(None)))

    def lock(self, c: Any) -> None:
        self._lock_table(c)

    def chunk_writer(self, stored: Sequence[Stored], after: Head, links: list[bytes]) -> Callable[[Any], list[int]]:
        """The entries' ids from their sequence, then the entries and their links each by one
        binary COPY, and the head."""

        def write(c: Any) -> list[int]:
            ids = self.insert_stored(c, stored)
            self.insert_links(c, [(after.position + i, n, h) for i, (n, h) in enumerate(zip(ids, links, strict=True), 1)])
            self.set_head(c, after.position + len(links), links[-1])
            return ids

        return write

    def insert_stored(self, c: Any, stored_events: Sequence[Stored]) -> list[int]:
        """Draws the events' notification ids from their sequence, then writes the events with
        one binary COPY (eventsourcing's insert sends them as an array of a composite type in
        text, whose quoting cost more than the rest of recording's storage). The ids are issued
        and committed in one order, as eventsourcing's own insert has them: under its exclusive
        lock on the events table (held already: taken again as its insert does, and notified)."""
        self._lock_table(c)
        self._notify_channel(c)
        c.execute(self._next_ids, (self.names["events"], len(stored_events)))
        ids = [row[0] for row in rows(c)]
        with c.copy(self._copy_events) as copy:
            copy.set_types(["text", "int8", "text", "bytea", "int8"])
            for stored, notification_id in zip(stored_events, ids, strict=True):
                copy.write_row((stored.originator_id, stored.originator_version, stored.topic, stored.state, notification_id))
        return ids

    def insert_links(self, c: Any, links: list[tuple[int, int, bytes]]) -> None:
        with c.copy(self.q("COPY {chain} (position, notification_id, hash) FROM STDIN (FORMAT BINARY)")) as copy:
            copy.set_types(["int8", "int8", "bytea"])
            for link in links:
                copy.write_row(link)
