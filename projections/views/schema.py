"""The views' tables, indexes and SQL views, for SQLite and PostgreSQL.

`view_entries` holds one row per entry (and per correction's replacement), clustered by what
`status` asks for: one provider's entries in effect order. `view_headlines` holds the headline
facts, clustered by provider, topic and subject, which is the order a question over the whole
register on one day reads them in (see `projections.views.headlines`).

The analysts' SQL views (`rating_intervals`, `special_measures_intervals`, `oversight_intervals`,
`name_intervals`, `warning_notices`) are computed on demand from those rows and the stored
entries (`live_entries`: each entry in force, as the ledger knows it now, with its JSON body).

On PostgreSQL the views' ids are collated "C" and the events' are not: joins to the events name
the events' collation, so that they use the events' key.

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
# The analysts' views. A store whose views lack CURRENT_VIEWS_COLUMN has those of an earlier
# release (before deregistration, supersession and inheritance ended intervals), and one whose
# rating_intervals is not written with CURRENT_VIEWS_WORD those from before a service's ratings
# were one block, or from before a deregistration ended intervals the day after its day (not on
# it): they are replaced when the ledger is next opened where it can be written.
SQL_VIEWS = ("live_entries", "rating_intervals", "special_measures_intervals", "oversight_intervals", "name_intervals", "warning_notices")
CURRENT_VIEWS_COLUMN = ("rating_intervals", "inherited_from")
CURRENT_VIEWS_WORD = "off_register_from"

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


# Of the headline facts visible by the end of a day (a parameter), a deregistration counts only
# if dated before it.
DEREGISTERED_BY = "(topic <> 'deregistered' OR valid_from < ?)"


# What the analysts' interval views hold is what the status fold holds (see `projections.status`):
# a cell stands from the entry that set it until the next set of it, or until it stops standing
# there (its service superseded at its place, its location or provider deregistered); "Inspected
# but not rated" over a rating is no new interval (the rating stands); an inherited cell stands
# from the day it was taken over, with the day it was first published beside it. Nothing of a
# provider stands after its deregistration day, nor of a location after its own: a provider or
# location is on the register through that day (`ledger.history.takes_effect`), so its
# deregistration ends intervals on the day after (`off_register_from`).
# `valid_until` is the first day it no longer stands (NULL: it stands still).
RATED = "('Outstanding', 'Good', 'Requires improvement', 'Inadequate')"
IBNR = "'Inspected but not rated'"


def _until(closing: str, column: str = "valid_until") -> str:
    """The earlier of an interval's own end and a closing day (either may be NULL)."""
    return f"CASE WHEN {closing} IS NOT NULL AND ({column} IS NULL OR {column} > {closing}) THEN {closing} ELSE {column} END"


# Steps of each cell, in effect order: sets (ends = 0) and the days it stops standing (ends = 1);
# `run` numbers the steps that are not "Inspected but not rated", so each run's first step is
# what an "Inspected but not rated" in it falls on. A service's ratings are one block
# (`projections.status.settled`): `unrated` are the services an entry inspected without a new
# rating (their overall "Inspected but not rated" over a rating), whose key questions its words
# that are not ratings do not set; such a word set otherwise stands until another entry rates
# the service anew (`rated_anew_on`: a report's or an inheritance's overall, not a revision's).
_RATING_STEPS = """
    service_steps AS (
        SELECT *, SUM(CASE WHEN rating {is_} {ibnr} THEN 0 ELSE 1 END) OVER (
                      PARTITION BY provider_id, location_id, service ORDER BY valid_from, position, ends
                      ROWS UNBOUNDED PRECEDING) AS run
        FROM (SELECT * FROM sets UNION ALL SELECT * FROM ends) AS both_kinds WHERE question = 'overall' AND service IS NOT NULL),
    unrated AS (
        SELECT provider_id, location_id, service, position FROM (
            SELECT *, FIRST_VALUE(rating) OVER (
                          PARTITION BY provider_id, location_id, service, run ORDER BY valid_from, position, ends) AS run_rating
            FROM service_steps) AS overall
        WHERE rating {is_} {ibnr} AND COALESCE(run_rating, '') IN {rated}),
    steps AS (
        SELECT *, SUM(CASE WHEN rating {is_} {ibnr} THEN 0 ELSE 1 END) OVER (
                      PARTITION BY provider_id, location_id, service, question ORDER BY valid_from, position, ends
                      ROWS UNBOUNDED PRECEDING) AS run
        FROM (SELECT * FROM sets s
              WHERE NOT (s.service IS NOT NULL AND s.question <> 'overall' AND s.rating NOT IN {rated}
                         AND EXISTS (SELECT 1 FROM unrated u WHERE u.provider_id = s.provider_id AND u.location_id {is_} s.location_id
                                                               AND u.service = s.service AND u.position = s.position))
              UNION ALL SELECT * FROM ends) AS both_kinds),
    held AS (
        SELECT *, FIRST_VALUE(rating) OVER (
                      PARTITION BY provider_id, location_id, service, question, run ORDER BY valid_from, position, ends) AS run_rating
        FROM steps),
    kept AS (
        SELECT *, LEAD(valid_from) OVER (
                      PARTITION BY provider_id, location_id, service, question ORDER BY valid_from, position, ends) AS valid_until
        FROM held WHERE NOT (rating {is_} {ibnr} AND COALESCE(run_rating, '') IN {rated})),
    blocks AS (
        SELECT k.*,
               CASE WHEN k.ends = 0 AND k.service IS NOT NULL AND k.question <> 'overall' AND k.rating NOT IN {rated} THEN (
                   SELECT MIN(o.valid_from) FROM kept o
                   WHERE o.provider_id = k.provider_id AND o.location_id {is_} k.location_id AND o.service = k.service
                     AND o.question = 'overall' AND o.ends = 0 AND NOT o.revised
                     AND (o.valid_from > k.valid_from OR (o.valid_from = k.valid_from AND o.position > k.position))) END AS rated_anew_on
        FROM kept k)
    SELECT provider_id, location_id, service, question, rating, valid_from, {until} AS valid_until,
           provider_id || '/' || position AS ref, recorded_at, published_on, inherited, inherited_from
    FROM blocks WHERE ends = 0"""


def _rating_steps(is_: str) -> str:
    return _RATING_STEPS.format(is_=is_, ibnr=IBNR, rated=RATED, until=_until("rated_anew_on"))


_SQLITE_DEREGISTERED = """(SELECT provider_id, date(MIN(valid_from), '+1 day') AS on_day FROM live_entries
                            WHERE kind = 'ProviderDeregistered' GROUP BY provider_id)"""
_POSTGRES_DEREGISTERED = """(SELECT provider_id, to_char(MIN(valid_from)::date + 1, 'YYYY-MM-DD') COLLATE "C" AS on_day FROM {schema}.live_entries
                              WHERE kind = 'ProviderDeregistered' GROUP BY provider_id)"""

_SQLITE_VIEWS = [
    """CREATE VIEW IF NOT EXISTS live_entries AS
    SELECT v.provider_id, v.valid_from, v.position, v.kind, v.recorded_at,
           CASE WHEN v.mend = 0 THEN CAST(e.state AS TEXT) ELSE json_extract(CAST(m.state AS TEXT), '$.replacement') END AS body
    FROM {entries} v
    JOIN {events} e ON e.originator_id = v.provider_id AND e.originator_version = v.position
    LEFT JOIN {events} m ON m.originator_id = v.provider_id AND m.originator_version = v.mend
    WHERE v.withdrawn_at IS NULL""",
    """CREATE VIEW IF NOT EXISTS rating_intervals AS
    WITH sets AS (
        SELECT l.provider_id,
               COALESCE(json_extract(c.value, '$.location_id'),
                        CASE l.kind WHEN 'RatingsInherited' THEN json_extract(l.body, '$.location_id') END) AS location_id,
               json_extract(c.value, '$.service') AS service, json_extract(c.value, '$.question') AS question,
               json_extract(c.value, '$.rating') AS rating, l.valid_from, l.position, l.recorded_at,
               COALESCE(json_extract(c.value, '$.published_on'), l.valid_from) AS published_on,
               l.kind = 'RatingsInherited' AS inherited,
               CASE l.kind WHEN 'RatingsInherited'
                   THEN COALESCE(json_extract(l.body, '$.from_location_id'), json_extract(l.body, '$.from_provider_id')) END AS inherited_from,
               l.kind = 'RatingRevised' AS revised, 0 AS ends
        FROM live_entries l, json_each(l.body, CASE l.kind WHEN 'RatingRevised' THEN '$' ELSE '$.ratings' END) c
        WHERE l.kind IN ('ReportPublished', 'RatingsInherited') OR (l.kind = 'RatingRevised' AND c.key = 'cell')),
    ends AS (
        SELECT k.provider_id, k.location_id, k.service, k.question, NULL AS rating,
               CASE l.kind WHEN 'ServiceSuperseded' THEN l.valid_from ELSE date(l.valid_from, '+1 day') END AS off_register_from,
               l.position, l.recorded_at,
               NULL AS published_on, NULL AS inherited, NULL AS inherited_from, NULL AS revised, 1 AS ends
        FROM (SELECT DISTINCT provider_id, location_id, service, question FROM sets) k
        JOIN live_entries l ON l.provider_id = k.provider_id
        WHERE l.kind = 'ProviderDeregistered'
           OR (l.kind = 'LocationDeregistered' AND k.location_id = json_extract(l.body, '$.location_id'))
           OR (l.kind = 'ServiceSuperseded' AND k.service = json_extract(l.body, '$.service')
               AND k.location_id IS json_extract(l.body, '$.location_id'))),"""
    + _rating_steps("IS"),
    f"""CREATE VIEW IF NOT EXISTS special_measures_intervals AS
    SELECT s.provider_id, s.regime, s.in_force, s.valid_from, {_until("g.on_day")} AS valid_until, s.ref, s.recorded_at
    FROM (SELECT provider_id, subject AS regime, json_extract(value, '$.entered') AS in_force, valid_from,
                 LEAD(valid_from) OVER (PARTITION BY provider_id, subject ORDER BY valid_from, position) AS valid_until,
                 provider_id || '/' || position AS ref, recorded_at
          FROM {{headlines}} WHERE topic = 'regime' AND withdrawn_at IS NULL) s
    LEFT JOIN {_SQLITE_DEREGISTERED} g ON g.provider_id = s.provider_id""",
    f"""CREATE VIEW IF NOT EXISTS oversight_intervals AS
    SELECT s.provider_id, s.framework, s.segment, s.valid_from, {_until("g.on_day")} AS valid_until, s.ref, s.recorded_at
    FROM (SELECT provider_id, json_extract(value, '$.framework') AS framework, json_extract(value, '$.segment') AS segment, valid_from,
                 LEAD(valid_from) OVER (PARTITION BY provider_id ORDER BY valid_from, position) AS valid_until,
                 provider_id || '/' || position AS ref, recorded_at
          FROM {{headlines}} WHERE topic = 'oversight' AND withdrawn_at IS NULL) s
    LEFT JOIN {_SQLITE_DEREGISTERED} g ON g.provider_id = s.provider_id""",
    f"""CREATE VIEW IF NOT EXISTS name_intervals AS
    SELECT s.provider_id, s.location_id, s.name, s.valid_from, {_until("g.on_day", _until("d.on_day"))} AS valid_until, s.ref, s.recorded_at
    FROM (SELECT provider_id, location_id, name, valid_from,
                 LEAD(valid_from) OVER (PARTITION BY provider_id, location_id ORDER BY valid_from, position) AS valid_until,
                 provider_id || '/' || position AS ref, recorded_at
          FROM (SELECT provider_id, NULL AS location_id, value AS name, valid_from, position, recorded_at
                FROM {{headlines}} WHERE topic = 'name' AND withdrawn_at IS NULL
                UNION ALL
                SELECT provider_id, json_extract(body, '$.location_id'), json_extract(body, '$.name'), valid_from, position, recorded_at
                FROM live_entries WHERE kind = 'LocationRegistered')) s
    LEFT JOIN {_SQLITE_DEREGISTERED} g ON g.provider_id = s.provider_id
    LEFT JOIN (SELECT provider_id, json_extract(body, '$.location_id') AS location_id, date(MIN(valid_from), '+1 day') AS on_day
               FROM live_entries WHERE kind = 'LocationDeregistered' GROUP BY 1, 2) d
      ON d.provider_id = s.provider_id AND d.location_id = s.location_id""",
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
    JOIN {events} e ON e.originator_id = v.provider_id COLLATE "default" AND e.originator_version = v.position
    LEFT JOIN {events} m ON m.originator_id = v.provider_id COLLATE "default" AND m.originator_version = v.mend
    WHERE v.withdrawn_at IS NULL""",
    """CREATE OR REPLACE VIEW {schema}.rating_intervals AS
    WITH sets AS (
        SELECT l.provider_id,
               COALESCE(c ->> 'location_id', CASE l.kind WHEN 'RatingsInherited' THEN l.body ->> 'location_id' END) AS location_id,
               c ->> 'service' AS service, c ->> 'question' AS question, c ->> 'rating' AS rating,
               l.valid_from, l.position, l.recorded_at,
               COALESCE(c ->> 'published_on', l.valid_from) AS published_on,
               l.kind = 'RatingsInherited' AS inherited,
               CASE l.kind WHEN 'RatingsInherited'
                   THEN COALESCE(l.body ->> 'from_location_id', l.body ->> 'from_provider_id') END AS inherited_from,
               l.kind = 'RatingRevised' AS revised, 0 AS ends
        FROM {schema}.live_entries l,
             jsonb_array_elements(CASE l.kind WHEN 'RatingRevised' THEN jsonb_build_array(l.body -> 'cell') ELSE l.body -> 'ratings' END) c
        WHERE l.kind IN ('ReportPublished', 'RatingRevised', 'RatingsInherited')),
    ends AS (
        SELECT k.provider_id, k.location_id, k.service, k.question, NULL::text AS rating,
               CASE l.kind WHEN 'ServiceSuperseded' THEN l.valid_from
                           ELSE to_char(l.valid_from::date + 1, 'YYYY-MM-DD') COLLATE "C" END AS off_register_from,
               l.position, l.recorded_at,
               NULL::text AS published_on, NULL::boolean AS inherited, NULL::text AS inherited_from, NULL::boolean AS revised, 1 AS ends
        FROM (SELECT DISTINCT provider_id, location_id, service, question FROM sets) k
        JOIN {schema}.live_entries l ON l.provider_id = k.provider_id
        WHERE l.kind = 'ProviderDeregistered'
           OR (l.kind = 'LocationDeregistered' AND k.location_id = l.body ->> 'location_id')
           OR (l.kind = 'ServiceSuperseded' AND k.service = l.body ->> 'service'
               AND k.location_id IS NOT DISTINCT FROM l.body ->> 'location_id')),"""
    + _rating_steps("IS NOT DISTINCT FROM"),
    f"""CREATE OR REPLACE VIEW {{schema}}.special_measures_intervals AS
    SELECT s.provider_id, s.regime, s.in_force, s.valid_from, {_until("g.on_day")} AS valid_until, s.ref, s.recorded_at
    FROM (SELECT provider_id, subject AS regime, (value::jsonb ->> 'entered')::boolean AS in_force, valid_from,
                 LEAD(valid_from) OVER (PARTITION BY provider_id, subject ORDER BY valid_from, position) AS valid_until,
                 provider_id || '/' || position AS ref, recorded_at
          FROM {{headlines}} WHERE topic = 'regime' AND withdrawn_at IS NULL) s
    LEFT JOIN {_POSTGRES_DEREGISTERED} g ON g.provider_id = s.provider_id""",
    f"""CREATE OR REPLACE VIEW {{schema}}.oversight_intervals AS
    SELECT s.provider_id, s.framework, s.segment, s.valid_from, {_until("g.on_day")} AS valid_until, s.ref, s.recorded_at
    FROM (SELECT provider_id, value::jsonb ->> 'framework' AS framework, (value::jsonb ->> 'segment')::int AS segment, valid_from,
                 LEAD(valid_from) OVER (PARTITION BY provider_id ORDER BY valid_from, position) AS valid_until,
                 provider_id || '/' || position AS ref, recorded_at
          FROM {{headlines}} WHERE topic = 'oversight' AND withdrawn_at IS NULL) s
    LEFT JOIN {_POSTGRES_DEREGISTERED} g ON g.provider_id = s.provider_id""",
    f"""CREATE OR REPLACE VIEW {{schema}}.name_intervals AS
    SELECT s.provider_id, s.location_id, s.name, s.valid_from, {_until("g.on_day", _until("d.on_day"))} AS valid_until, s.ref, s.recorded_at
    FROM (SELECT provider_id, location_id, name, valid_from,
                 LEAD(valid_from) OVER (PARTITION BY provider_id, location_id ORDER BY valid_from, position) AS valid_until,
                 provider_id || '/' || position AS ref, recorded_at
          FROM (SELECT provider_id, NULL::text AS location_id, value AS name, valid_from, position, recorded_at
                FROM {{headlines}} WHERE topic = 'name' AND withdrawn_at IS NULL
                UNION ALL
                SELECT provider_id, body ->> 'location_id', body ->> 'name', valid_from, position, recorded_at
                FROM {{schema}}.live_entries WHERE kind = 'LocationRegistered') AS names) s
    LEFT JOIN {_POSTGRES_DEREGISTERED} g ON g.provider_id = s.provider_id
    LEFT JOIN (SELECT provider_id, body ->> 'location_id' AS location_id,
                      to_char(MIN(valid_from)::date + 1, 'YYYY-MM-DD') COLLATE "C" AS on_day
               FROM {{schema}}.live_entries WHERE kind = 'LocationDeregistered' GROUP BY 1, 2) d
      ON d.provider_id = s.provider_id AND d.location_id = s.location_id""",
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
