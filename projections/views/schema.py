"""The views' tables, indexes and SQL views, for SQLite and PostgreSQL.

`view_entries` holds one row per entry (and per correction's replacement), clustered by what
`status` asks for: one provider's entries in effect order. `view_headlines` holds the headline
facts, clustered by provider, topic and subject, which is the order a question over the whole
register on one day reads them in (see `projections.views.headlines`).

The analysts' SQL views (`rating_intervals`, `special_measures_intervals`, `oversight_intervals`,
`name_intervals`, `warning_notices`) are computed on demand from those rows and the stored
entries (`live_entries`: each entry in force, as the ledger knows it now, with its JSON body).

Statements use `{events}`, `{entries}`, `{headlines}` and `{schema}` for names, filled in by the store.
"""

from __future__ import annotations

# The tables of the layout before this one (0.1 and 0.2), dropped when a ledger is first opened.
OLD_OBJECTS = (
    ("VIEW", "rating_intervals"),
    ("VIEW", "special_measures_intervals"),
    ("VIEW", "oversight_intervals"),
    ("VIEW", "name_intervals"),
    ("VIEW", "warning_notices"),
    ("VIEW", "live_entries"),
    ("TABLE", "view_facts"),
)
SQL_VIEWS = ("live_entries", "rating_intervals", "special_measures_intervals", "oversight_intervals", "name_intervals", "warning_notices")

_ENTRIES = """CREATE TABLE IF NOT EXISTS {entries} (
    provider_id {text} NOT NULL,
    valid_from {text} NOT NULL,
    position {int} NOT NULL,
    mend {int} NOT NULL,
    kind {text} NOT NULL,
    recorded_at {text} NOT NULL,
    withdrawn_at {text},
    PRIMARY KEY (provider_id, valid_from, position, mend)){clustered}"""

_HEADLINES = """CREATE TABLE IF NOT EXISTS {headlines} (
    provider_id {text} NOT NULL,
    topic {text} NOT NULL,
    subject {text} NOT NULL,
    valid_from {text} NOT NULL,
    position {int} NOT NULL,
    mend {int} NOT NULL,
    recorded_at {text} NOT NULL,
    withdrawn_at {text},
    value {text} NOT NULL,
    PRIMARY KEY (provider_id, topic, subject, valid_from, position, mend)){clustered}"""


def tables(*, postgres: bool, names: dict[str, str]) -> list[str]:
    """The statements creating the views' tables and indexes."""
    types = (
        {"text": 'text COLLATE "C"', "int": "bigint", "clustered": ""}
        if postgres
        else {"text": "TEXT", "int": "INTEGER", "clustered": " WITHOUT ROWID"}
    )
    return [
        _ENTRIES.format(**types, **names),
        _HEADLINES.format(**types, **names),
    ]


_SQLITE_VIEWS = [
    """CREATE VIEW IF NOT EXISTS live_entries AS
    SELECT v.provider_id, v.valid_from, v.position, v.kind, v.recorded_at,
           CASE WHEN v.mend = 0 THEN CAST(e.state AS TEXT) ELSE json_extract(CAST(m.state AS TEXT), '$.replacement') END AS body
    FROM {entries} v
    JOIN {events} e ON e.originator_id = v.provider_id AND e.originator_version = v.position
    LEFT JOIN {events} m ON m.originator_id = v.provider_id AND m.originator_version = v.mend
    WHERE v.withdrawn_at IS NULL""",
    """CREATE VIEW IF NOT EXISTS rating_intervals AS
    SELECT provider_id, location_id, service, question, rating, valid_from,
           LEAD(valid_from) OVER (PARTITION BY provider_id, location_id, service, question ORDER BY valid_from, position) AS valid_until,
           provider_id || '/' || position AS ref, recorded_at
    FROM (SELECT l.provider_id, json_extract(c.value, '$.location_id') AS location_id, json_extract(c.value, '$.service') AS service,
                 json_extract(c.value, '$.question') AS question, json_extract(c.value, '$.rating') AS rating,
                 l.valid_from, l.position, l.recorded_at
          FROM live_entries l, json_each(l.body, CASE l.kind WHEN 'ReportPublished' THEN '$.ratings' ELSE '$' END) c
          WHERE l.kind = 'ReportPublished' OR (l.kind = 'RatingRevised' AND c.key = 'cell'))""",
    """CREATE VIEW IF NOT EXISTS special_measures_intervals AS
    SELECT provider_id, subject AS regime, json_extract(value, '$.entered') AS in_force, valid_from,
           LEAD(valid_from) OVER (PARTITION BY provider_id, subject ORDER BY valid_from, position) AS valid_until,
           provider_id || '/' || position AS ref, recorded_at
    FROM {headlines} WHERE topic = 'regime' AND withdrawn_at IS NULL""",
    """CREATE VIEW IF NOT EXISTS oversight_intervals AS
    SELECT provider_id, json_extract(value, '$.framework') AS framework, json_extract(value, '$.segment') AS segment, valid_from,
           LEAD(valid_from) OVER (PARTITION BY provider_id ORDER BY valid_from, position) AS valid_until,
           provider_id || '/' || position AS ref, recorded_at
    FROM {headlines} WHERE topic = 'oversight' AND withdrawn_at IS NULL""",
    """CREATE VIEW IF NOT EXISTS name_intervals AS
    SELECT provider_id, location_id, name, valid_from,
           LEAD(valid_from) OVER (PARTITION BY provider_id, location_id ORDER BY valid_from, position) AS valid_until,
           provider_id || '/' || position AS ref, recorded_at
    FROM (SELECT provider_id, NULL AS location_id, value AS name, valid_from, position, recorded_at
          FROM {headlines} WHERE topic = 'name' AND withdrawn_at IS NULL
          UNION ALL
          SELECT provider_id, json_extract(body, '$.location_id'), json_extract(body, '$.name'), valid_from, position, recorded_at
          FROM live_entries WHERE kind = 'LocationRegistered')""",
    """CREATE VIEW IF NOT EXISTS warning_notices AS
    SELECT n.provider_id, n.subject AS notice_id, json_extract(n.value, '$.section') AS section,
           n.valid_from AS issued_on, json_extract(n.value, '$.deadline') AS deadline,
           COALESCE(a.value, 'open') AS status, a.valid_from AS closed_on,
           n.provider_id || '/' || n.position AS ref
    FROM {headlines} n LEFT JOIN {headlines} a
      ON a.provider_id = n.provider_id AND a.topic = 'assessment' AND a.subject = n.subject AND a.withdrawn_at IS NULL
    WHERE n.topic = 'notice' AND n.withdrawn_at IS NULL""",
]

_POSTGRES_VIEWS = [
    """CREATE OR REPLACE VIEW {schema}.live_entries AS
    SELECT v.provider_id, v.valid_from, v.position, v.kind, v.recorded_at,
           CASE WHEN v.mend = 0 THEN convert_from(e.state, 'UTF8')::jsonb ELSE convert_from(m.state, 'UTF8')::jsonb -> 'replacement' END AS body
    FROM {entries} v
    JOIN {events} e ON e.originator_id = v.provider_id AND e.originator_version = v.position
    LEFT JOIN {events} m ON m.originator_id = v.provider_id AND m.originator_version = v.mend
    WHERE v.withdrawn_at IS NULL""",
    """CREATE OR REPLACE VIEW {schema}.rating_intervals AS
    SELECT provider_id, location_id, service, question, rating, valid_from,
           LEAD(valid_from) OVER (PARTITION BY provider_id, location_id, service, question ORDER BY valid_from, position) AS valid_until,
           provider_id || '/' || position AS ref, recorded_at
    FROM (SELECT l.provider_id, c ->> 'location_id' AS location_id, c ->> 'service' AS service, c ->> 'question' AS question,
                 c ->> 'rating' AS rating, l.valid_from, l.position, l.recorded_at
          FROM {schema}.live_entries l,
               jsonb_array_elements(CASE l.kind WHEN 'ReportPublished' THEN l.body -> 'ratings' ELSE jsonb_build_array(l.body -> 'cell') END) c
          WHERE l.kind IN ('ReportPublished', 'RatingRevised')) AS cells""",
    """CREATE OR REPLACE VIEW {schema}.special_measures_intervals AS
    SELECT provider_id, subject AS regime, (value::jsonb ->> 'entered')::boolean AS in_force, valid_from,
           LEAD(valid_from) OVER (PARTITION BY provider_id, subject ORDER BY valid_from, position) AS valid_until,
           provider_id || '/' || position AS ref, recorded_at
    FROM {headlines} WHERE topic = 'regime' AND withdrawn_at IS NULL""",
    """CREATE OR REPLACE VIEW {schema}.oversight_intervals AS
    SELECT provider_id, value::jsonb ->> 'framework' AS framework, (value::jsonb ->> 'segment')::int AS segment, valid_from,
           LEAD(valid_from) OVER (PARTITION BY provider_id ORDER BY valid_from, position) AS valid_until,
           provider_id || '/' || position AS ref, recorded_at
    FROM {headlines} WHERE topic = 'oversight' AND withdrawn_at IS NULL""",
    """CREATE OR REPLACE VIEW {schema}.name_intervals AS
    SELECT provider_id, location_id, name, valid_from,
           LEAD(valid_from) OVER (PARTITION BY provider_id, location_id ORDER BY valid_from, position) AS valid_until,
           provider_id || '/' || position AS ref, recorded_at
    FROM (SELECT provider_id, NULL::text AS location_id, value AS name, valid_from, position, recorded_at
          FROM {headlines} WHERE topic = 'name' AND withdrawn_at IS NULL
          UNION ALL
          SELECT provider_id, body ->> 'location_id', body ->> 'name', valid_from, position, recorded_at
          FROM {schema}.live_entries WHERE kind = 'LocationRegistered') AS names""",
    """CREATE OR REPLACE VIEW {schema}.warning_notices AS
    SELECT n.provider_id, n.subject AS notice_id, n.value::jsonb ->> 'section' AS section,
           n.valid_from AS issued_on, n.value::jsonb ->> 'deadline' AS deadline,
           COALESCE(a.value, 'open') AS status, a.valid_from AS closed_on,
           n.provider_id || '/' || n.position AS ref
    FROM {headlines} n LEFT JOIN {headlines} a
      ON a.provider_id = n.provider_id AND a.topic = 'assessment' AND a.subject = n.subject AND a.withdrawn_at IS NULL
    WHERE n.topic = 'notice' AND n.withdrawn_at IS NULL""",
]


def sql_views(*, postgres: bool, names: dict[str, str]) -> list[str]:
    """The statements creating the analysts' SQL views."""
    return [view.format(**names) for view in (_POSTGRES_VIEWS if postgres else _SQLITE_VIEWS)]
