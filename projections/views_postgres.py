"""The views of a PostgreSQL ledger: the same facts, tracking and queries, in its database.

Needs the optional dependency: `pip install 'cqc-ledger[postgres]'` (psycopg 3).
"""

from __future__ import annotations

from typing import Any

from eventsourcing.postgres import PostgresTrackingRecorder
from psycopg.sql import SQL

from cqc_ledger.ledger.store.postgres import CreatedOneAtATime, qualified
from cqc_ledger.projections.views import HEADLINE_WHERE, Views

# Days and times are ISO text compared as text: "C" collation, so no locale can reorder them.
_TABLE = """CREATE TABLE IF NOT EXISTS {facts} (
    provider_id text COLLATE "C" NOT NULL,
    topic text COLLATE "C" NOT NULL,
    subject text COLLATE "C" NOT NULL,
    valid_from text COLLATE "C" NOT NULL,
    position bigint NOT NULL,
    recorded_at text COLLATE "C" NOT NULL,
    retracted_at text COLLATE "C",
    value text NOT NULL,
    PRIMARY KEY (provider_id, topic, subject, valid_from, position, recorded_at))"""

_INTERVALS = """CREATE OR REPLACE VIEW {view} AS
    SELECT provider_id, {columns}, valid_from,
           LEAD(valid_from) OVER (PARTITION BY provider_id, topic, subject ORDER BY valid_from, position) AS valid_until,
           provider_id || '/' || position AS ref, recorded_at
    FROM {facts} WHERE topic IN ({topics}) AND retracted_at IS NULL"""

_VIEWS = [
    (
        "rating_intervals",
        "'cell'",
        "subject::jsonb ->> 0 AS location_id, subject::jsonb ->> 1 AS service, subject::jsonb ->> 2 AS question, value AS rating",
    ),
    ("special_measures_intervals", "'regime'", "subject AS regime, (value::jsonb ->> 'entered')::boolean AS in_force"),
    ("oversight_intervals", "'oversight'", "value::jsonb ->> 'framework' AS framework, (value::jsonb ->> 'segment')::int AS segment"),
    ("name_intervals", "'name', 'location'", "NULLIF(subject, '') AS location_id, value::jsonb ->> 'name' AS name"),
]

_NOTICES = """CREATE OR REPLACE VIEW {view} AS
    SELECT n.provider_id, n.subject AS notice_id, n.value::jsonb ->> 'section' AS section,
           n.valid_from AS issued_on, n.value::jsonb ->> 'deadline' AS deadline,
           COALESCE(a.value::jsonb ->> 'outcome', 'open') AS status, a.valid_from AS closed_on,
           n.provider_id || '/' || n.position AS ref
    FROM {facts} n LEFT JOIN {facts} a
      ON a.provider_id = n.provider_id AND a.topic = 'assessment' AND a.subject = n.subject AND a.retracted_at IS NULL
    WHERE n.topic = 'notice' AND n.retracted_at IS NULL"""


class PostgresViews(CreatedOneAtATime, Views, PostgresTrackingRecorder):
    """The views of a PostgreSQL ledger, beside its events in the same schema."""

    placeholder = "%s"

    def __init__(self, datastore: Any, **kwargs: Any):
        super().__init__(datastore, **kwargs)
        schema = self.datastore.schema
        self.tables = ("view_facts", self.tracking_table_name)
        self.names = {
            "facts": qualified(schema, "view_facts"),
            "events": qualified(schema, "stored_events"),  # the ledger's own name is set by open_views
            "tracking": qualified(schema, self.tracking_table_name),
            "nid": "notification_id",
        }
        facts = self.names["facts"]
        self.sql_create_statements += [
            SQL(_TABLE.format(facts=facts)),
            SQL(
                f"CREATE INDEX IF NOT EXISTS view_headlines ON {facts} (topic, subject, provider_id, valid_from, position) WHERE {HEADLINE_WHERE}"
            ),
            *[
                SQL(_INTERVALS.format(view=qualified(schema, view), columns=columns, facts=facts, topics=topics))
                for view, topics, columns in _VIEWS
            ],
            SQL(_NOTICES.format(view=qualified(schema, "warning_notices"), facts=facts)),
        ]

    def _insert(self, c: Any, found: list[tuple[Any, ...]]) -> None:
        """Inserts fact rows with COPY: one stream, not a round trip per row."""
        if not found:
            return
        with c.copy(
            f"COPY {self.names['facts']} (provider_id, topic, subject, valid_from, position, recorded_at, value) FROM STDIN"
        ) as copy:
            for provider_id, topic, subject, valid_from, position, recorded_at, value in found:
                copy.write_row((provider_id, topic, subject, valid_from, position, recorded_at, value))
