--
-- ANALYZE of foreign tables: statistics from a sample of the remote rows,
-- the remote row estimate, and remote sampling (analyze_sampling).  What
-- travelled is read from the emulator's statistics: rows_sent counts the
-- rows of every Collect page, sql_queries the statements, and recent_sql
-- shows them.  Remote samples are random: their sizes are asserted as
-- ranges.
--
\set VERBOSITY default
\getenv nocatalog_engine_id SEMOSS_NOCATALOG_ENGINE_ID
\getenv pghost PGHOST
\getenv pgport PGPORT

-- (write.sql makes the same reset_stats(); this file runs without it too)
CREATE OR REPLACE FUNCTION reset_stats() RETURNS boolean LANGUAGE sql AS $$
    SELECT emulator('POST', '/_emulator/stats/reset') IS NOT NULL
$$;
-- The statements sent since the last reset, sampling rates masked (they
-- follow from the statistics target, the remote estimate and a margin).
CREATE FUNCTION sent_sql() RETURNS SETOF text LANGUAGE sql AS $$
    SELECT regexp_replace(regexp_replace(s ->> 'sql',
               '(TABLESAMPLE [A-Z]+) \([0-9.e+-]+\)', '\1 (<pct>)'),
               'random\(\) < [0-9.e+-]+', 'random() < <fraction>')
    FROM jsonb_array_elements(emulator('GET', '/_emulator/stats') -> 'recent_sql') s
$$;
-- The planner's row estimate for a query.
CREATE FUNCTION plan_rows(query text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    plan jsonb;
BEGIN
    EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
    RETURN (plan -> 0 -> 'Plan' ->> 'Plan Rows')::bigint;
END $$;

-- The remote tables of this test: 20,000 rows whose distribution is known,
-- analyzed remotely so that the remote's row estimate is exact.
SELECT semoss_fdw_exec('semoss', 'DROP SCHEMA IF EXISTS atest CASCADE');
SELECT semoss_fdw_exec('semoss', $$
    CREATE SCHEMA atest;
    CREATE TABLE atest.sample (id integer, grp integer, note text, big numeric);
    INSERT INTO atest.sample
    SELECT g, g % 4, CASE WHEN g % 10 = 0 THEN NULL ELSE 'note ' || (g % 3) END,
           g * 1000000000000.000001
    FROM generate_series(1, 20000) g;
    ANALYZE atest.sample;
    CREATE TABLE atest."it's ""odd"" \table" (id integer);
    INSERT INTO atest."it's ""odd"" \table" SELECT g FROM generate_series(1, 2000) g;
    ANALYZE atest."it's ""odd"" \table";
    CREATE TABLE atest.fresh (id integer) WITH (autovacuum_enabled = off);
    INSERT INTO atest.fresh SELECT g FROM generate_series(1, 1000) g;
    CREATE VIEW atest.sample_view AS SELECT id, grp FROM atest.sample
$$);
-- and a remote foreign table over atest.sample, which TABLESAMPLE refuses
\set ECHO none
SELECT semoss_fdw_exec('semoss', format($$
    CREATE EXTENSION IF NOT EXISTS postgres_fdw;
    CREATE SERVER atest_loopback FOREIGN DATA WRAPPER postgres_fdw
        OPTIONS (host %L, port %L, dbname 'semoss_backend');
    CREATE USER MAPPING FOR CURRENT_USER SERVER atest_loopback OPTIONS (user 'postgres');
    CREATE FOREIGN TABLE atest.sample_ft (id integer, grp integer)
        SERVER atest_loopback OPTIONS (schema_name 'atest', table_name 'sample');
    ANALYZE atest.sample_ft
$$, :'pghost', :'pgport')) IS NOT NULL AS created;
\set ECHO all

CREATE SCHEMA a;
CREATE FOREIGN TABLE a.sample (id integer, grp integer, note text, big numeric)
    SERVER semoss OPTIONS (schema_name 'atest', table_name 'sample');

-- Never analyzed: the planner guesses.
SELECT reltuples FROM pg_class WHERE oid = 'a.sample'::regclass;
SELECT plan_rows('SELECT * FROM a.sample WHERE grp = 1') AS rows_before;

-- The default statistics target wants 30,000 rows, more than the table
-- has: after asking the remote its size and row estimate, every row is
-- fetched, in exact text, and the statistics are exact.
SELECT reset_stats();
ANALYZE a.sample;
SELECT stat('sql_queries') AS queries, stat('rows_sent') AS rows_sent;
SELECT * FROM sent_sql();
SELECT reltuples, relpages > 0 AS has_pages FROM pg_class WHERE oid = 'a.sample'::regclass;
SELECT attname, null_frac, n_distinct, most_common_vals, most_common_freqs
FROM pg_stats WHERE schemaname = 'a' AND tablename = 'sample' ORDER BY attname;
-- numeric values keep every digit (exact text, not SEMOSS's doubles)
SELECT histogram_bounds::text::numeric[] @> ARRAY[1000000000000.000001, 20000000000000000.020000]
    AS exact_bounds
FROM pg_stats WHERE schemaname = 'a' AND tablename = 'sample' AND attname = 'big';

-- The planner uses them.
SELECT plan_rows('SELECT * FROM a.sample WHERE grp = 1') AS rows_after;
SELECT plan_rows('SELECT * FROM a.sample WHERE note IS NULL') AS null_rows;
SELECT plan_rows('SELECT * FROM a.sample') AS all_rows;

-- ANALYZE VERBOSE says what happened.
ANALYZE VERBOSE a.sample;

-- A small statistics target wants 300 rows: the remote samples (auto is
-- TABLESAMPLE BERNOULLI), far fewer rows travel, the row count is the
-- remote's estimate, and the statistics are estimates of the same.
ALTER FOREIGN TABLE a.sample ALTER COLUMN id SET STATISTICS 1,
    ALTER COLUMN grp SET STATISTICS 1, ALTER COLUMN note SET STATISTICS 1,
    ALTER COLUMN big SET STATISTICS 1;
SELECT reset_stats();
ANALYZE a.sample;
SELECT stat('sql_queries') AS queries, stat('rows_sent') BETWEEN 250 AND 600 AS rows_sent_near_330;
SELECT * FROM sent_sql();
SELECT reltuples FROM pg_class WHERE oid = 'a.sample'::regclass;
SELECT attname, n_distinct, null_frac = 0 AS no_nulls,
       null_frac BETWEEN 0.03 AND 0.2 AS null_frac_near_tenth
FROM pg_stats WHERE schemaname = 'a' AND tablename = 'sample' ORDER BY attname;
SELECT plan_rows('SELECT * FROM a.sample WHERE grp = 1') BETWEEN 3000 AND 7000 AS rows_near_5000;

-- Each method.  bernoulli and random return about the same number of rows;
-- system picks whole pages, so its count varies more.
ALTER FOREIGN TABLE a.sample OPTIONS (ADD analyze_sampling 'bernoulli');
SELECT reset_stats();
ANALYZE a.sample;
SELECT stat('rows_sent') BETWEEN 250 AND 600 AS rows_sent_near_330;
SELECT * FROM sent_sql() s WHERE s NOT LIKE '%pg_class%';
ALTER FOREIGN TABLE a.sample OPTIONS (SET analyze_sampling 'random');
SELECT reset_stats();
ANALYZE a.sample;
SELECT stat('rows_sent') BETWEEN 250 AND 600 AS rows_sent_near_330;
SELECT * FROM sent_sql() s WHERE s NOT LIKE '%pg_class%';
SELECT reltuples FROM pg_class WHERE oid = 'a.sample'::regclass;
ALTER FOREIGN TABLE a.sample OPTIONS (SET analyze_sampling 'system');
SELECT reset_stats();
ANALYZE a.sample;
SELECT stat('rows_sent') < 5000 AS rows_sent_few;
SELECT * FROM sent_sql() s WHERE s NOT LIKE '%pg_class%';
SELECT reltuples FROM pg_class WHERE oid = 'a.sample'::regclass;
-- off: every row, and no question about the row estimate
ALTER FOREIGN TABLE a.sample OPTIONS (SET analyze_sampling 'off');
SELECT reset_stats();
ANALYZE a.sample;
SELECT stat('sql_queries') AS queries, stat('rows_sent') AS rows_sent;
SELECT reltuples FROM pg_class WHERE oid = 'a.sample'::regclass;
-- the server's setting applies to tables without one of their own
ALTER FOREIGN TABLE a.sample OPTIONS (DROP analyze_sampling);
ALTER SERVER semoss OPTIONS (ADD analyze_sampling 'random');
SELECT reset_stats();
ANALYZE a.sample;
SELECT * FROM sent_sql() s WHERE s NOT LIKE '%pg_class%';
ALTER FOREIGN TABLE a.sample OPTIONS (ADD analyze_sampling 'system');
SELECT reset_stats();
ANALYZE a.sample;
SELECT * FROM sent_sql() s WHERE s NOT LIKE '%pg_class%';
ALTER FOREIGN TABLE a.sample OPTIONS (DROP analyze_sampling);
ALTER SERVER semoss OPTIONS (DROP analyze_sampling);

-- Only columns that are not dropped are fetched.
ALTER FOREIGN TABLE a.sample DROP COLUMN big;
SELECT reset_stats();
ANALYZE a.sample;
SELECT * FROM sent_sql() s WHERE s NOT LIKE '%pg_class%';
SELECT count(*) AS columns_with_stats FROM pg_stats WHERE schemaname = 'a' AND tablename = 'sample';

-- Option values are checked.
ALTER SERVER semoss OPTIONS (ADD analyze_sampling 'sometimes');
ALTER FOREIGN TABLE a.sample OPTIONS (ADD analyze_sampling 'BERNOULLI');
ALTER FOREIGN TABLE a.sample OPTIONS (ADD analyze_sampling '');
ALTER FOREIGN TABLE a.sample ALTER COLUMN id OPTIONS (ADD analyze_sampling 'off');
ALTER USER MAPPING FOR CURRENT_USER SERVER semoss OPTIONS (ADD analyze_sampling 'off');

-- The remote table's name reaches the catalog query as an escaped
-- literal of the quoted name: quotes and backslashes cannot break out,
-- and the table is found (so it is sampled).
CREATE FOREIGN TABLE a.odd (id integer)
    SERVER semoss OPTIONS (schema_name 'atest', table_name 'it''s "odd" \table');
ALTER FOREIGN TABLE a.odd ALTER COLUMN id SET STATISTICS 1;
SELECT reset_stats();
ANALYZE a.odd;
SELECT * FROM sent_sql();
SELECT stat('rows_sent') < 1000 AS sampled, reltuples FROM pg_class WHERE oid = 'a.odd'::regclass;

-- A remote table the remote never analyzed has no row estimate: every row
-- is fetched.
CREATE FOREIGN TABLE a.fresh (id integer)
    SERVER semoss OPTIONS (schema_name 'atest', table_name 'fresh');
ALTER FOREIGN TABLE a.fresh ALTER COLUMN id SET STATISTICS 1;
SELECT reset_stats();
ANALYZE a.fresh;
SELECT stat('sql_queries') AS queries, stat('rows_sent') AS rows_sent;
SELECT reltuples FROM pg_class WHERE oid = 'a.fresh'::regclass;

-- A remote view has no row estimate either; a remote foreign table has
-- one, but refuses TABLESAMPLE: it is sampled with random().
CREATE FOREIGN TABLE a.sample_view (id integer, grp integer)
    SERVER semoss OPTIONS (schema_name 'atest', table_name 'sample_view');
ALTER FOREIGN TABLE a.sample_view ALTER COLUMN id SET STATISTICS 1,
    ALTER COLUMN grp SET STATISTICS 1;
SELECT reset_stats();
ANALYZE a.sample_view;
SELECT stat('rows_sent') AS rows_sent;
SELECT * FROM sent_sql() s WHERE s NOT LIKE '%pg_class%';
CREATE FOREIGN TABLE a.sample_ft (id integer, grp integer)
    SERVER semoss OPTIONS (schema_name 'atest', table_name 'sample_ft');
ALTER FOREIGN TABLE a.sample_ft ALTER COLUMN id SET STATISTICS 1,
    ALTER COLUMN grp SET STATISTICS 1;
SELECT reset_stats();
ANALYZE a.sample_ft;
SELECT stat('rows_sent') BETWEEN 250 AND 600 AS rows_sent_near_330;
SELECT * FROM sent_sql() s WHERE s NOT LIKE '%pg_class%';
SELECT reltuples FROM pg_class WHERE oid = 'a.sample_ft'::regclass;

-- A table defined by a query is analyzed through its query, whole.
CREATE FOREIGN TABLE a.groups (grp integer, n bigint)
    SERVER semoss OPTIONS (query 'SELECT grp, count(*) AS n FROM atest.sample GROUP BY grp');
SELECT reset_stats();
ANALYZE a.groups;
SELECT stat('sql_queries') AS queries, stat('rows_sent') AS rows_sent;
SELECT * FROM sent_sql();
SELECT reltuples FROM pg_class WHERE oid = 'a.groups'::regclass;
SELECT attname, n_distinct FROM pg_stats WHERE schemaname = 'a' AND tablename = 'groups'
ORDER BY attname;

-- The generic dialect cannot sample remotely nor ask the catalog: every
-- row is fetched, whatever analyze_sampling says.
SELECT copy_semoss_server('semoss_generic_analyze', $$dialect 'generic'$$);
CREATE FOREIGN TABLE a.generic_sample (id integer, grp integer, note text)
    SERVER semoss_generic_analyze
    OPTIONS (schema_name 'atest', table_name 'sample', analyze_sampling 'bernoulli');
ALTER FOREIGN TABLE a.generic_sample ALTER COLUMN id SET STATISTICS 1,
    ALTER COLUMN grp SET STATISTICS 1, ALTER COLUMN note SET STATISTICS 1;
SELECT reset_stats();
ANALYZE VERBOSE a.generic_sample;
SELECT stat('sql_queries') AS queries, stat('rows_sent') AS rows_sent;
SELECT * FROM sent_sql();
SELECT reltuples FROM pg_class WHERE oid = 'a.generic_sample'::regclass;
SELECT attname, n_distinct, null_frac BETWEEN 0.03 AND 0.2 AS null_frac_near_tenth
FROM pg_stats WHERE schemaname = 'a' AND tablename = 'generic_sample' ORDER BY attname;

-- An engine whose catalog is refused: no estimate, every row fetched.
SELECT format('CREATE FOREIGN TABLE a.nocatalog (id integer, grp integer) SERVER semoss
               OPTIONS (engine_id %L, schema_name %L, table_name %L)',
              :'nocatalog_engine_id', 'atest', 'sample') \gexec
ALTER FOREIGN TABLE a.nocatalog ALTER COLUMN id SET STATISTICS 1,
    ALTER COLUMN grp SET STATISTICS 1;
SELECT reset_stats();
ANALYZE a.nocatalog;
SELECT stat('sql_queries') AS queries, stat('rows_sent') AS rows_sent;
SELECT reltuples FROM pg_class WHERE oid = 'a.nocatalog'::regclass;

-- A remote error names the statement that failed; no task is left open.
CREATE FOREIGN TABLE a.missing (id integer)
    SERVER semoss OPTIONS (schema_name 'atest', table_name 'missing');
ANALYZE a.missing;
CREATE FOREIGN TABLE a.bad_value (id integer, note integer)
    SERVER semoss OPTIONS (schema_name 'atest', table_name 'sample');
ANALYZE a.bad_value;
SELECT semoss_fdw_exec('semoss', 'SELECT 1') IS NOT NULL AS next_request;
SELECT stat('open_tasks') AS open_tasks;

-- ANALYZE of every table of a schema, partitions included, in one go.
CREATE TABLE a.parted (id integer, grp integer) PARTITION BY LIST (grp);
CREATE FOREIGN TABLE a.parted_low PARTITION OF a.parted FOR VALUES IN (0, 1)
    SERVER semoss OPTIONS (query 'SELECT id, grp FROM atest.sample WHERE grp < 2');
CREATE FOREIGN TABLE a.parted_high PARTITION OF a.parted FOR VALUES IN (2, 3)
    SERVER semoss OPTIONS (query 'SELECT id, grp FROM atest.sample WHERE grp >= 2');
ANALYZE a.parted;
SELECT relname, reltuples FROM pg_class
WHERE oid IN ('a.parted'::regclass, 'a.parted_low'::regclass, 'a.parted_high'::regclass)
ORDER BY relname;
SELECT tablename, n_distinct FROM pg_stats
WHERE schemaname = 'a' AND tablename LIKE 'parted%' AND attname = 'grp' ORDER BY tablename;

DROP SCHEMA a CASCADE;
DROP SERVER semoss_generic_analyze CASCADE;
SELECT semoss_fdw_exec('semoss', 'DROP SCHEMA atest CASCADE; DROP SERVER atest_loopback CASCADE');
