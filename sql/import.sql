--
-- IMPORT FOREIGN SCHEMA and engine discovery: tables made from the engine's
-- live catalog (exact types, NOT NULL, defaults, primary keys, names that
-- need quoting, views, materialized views, partitioned tables, LIMIT TO and
-- EXCEPT applied remotely), the fallback to SEMOSS's own metadata when the
-- catalog is refused or the dialect has none, option checks, errors, and
-- semoss_fdw_engines().
--
\set VERBOSITY default
\getenv pghost PGHOST
\getenv pgport PGPORT
\getenv engine_id SEMOSS_ENGINE_ID
\getenv nocatalog_engine_id SEMOSS_NOCATALOG_ENGINE_ID
\getenv viewer_access_key SEMOSS_VIEWER_ACCESS_KEY
\getenv viewer_secret_key SEMOSS_VIEWER_SECRET_KEY

-- The sandbox's sample schema, whole.  Types, NOT NULL and keys come from
-- the engine's catalog.
CREATE SCHEMA imported;
IMPORT FOREIGN SCHEMA public FROM SERVER semoss INTO imported;
\det+ imported.*
\d+ imported.order_items
\d imported.customers

-- Every imported table reads back exactly what the backing database holds
-- (compared as row text, so every column of every type counts).
SELECT u.t, s.*
FROM unnest(ARRAY['regions', 'customers', 'products', 'orders', 'order_items', 'all_types']) WITH ORDINALITY AS u(t, n),
     LATERAL same_rows(format('imported.%I', u.t)::regclass, format('direct.%I', u.t)::regclass) s
ORDER BY u.n;

-- A schema built here in the backing database (through dblink): a copy of
-- all_types with its primary key, names with mixed case, spaces, double
-- and single quotes and a backslash, NOT NULL, defaults, a generated
-- column, a composite primary key, a view, a materialized view and a
-- partitioned table with two partitions.
CREATE EXTENSION dblink;
\set ECHO none
SELECT dblink_connect('backend', format('host=%s port=%s dbname=semoss_backend user=postgres',
                                        :'pghost', :'pgport')) AS connected;
\set ECHO all
SELECT dblink_exec('backend', $ddl$
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS "Imp ""Q"" Schema" CASCADE;
CREATE SCHEMA "Imp ""Q"" Schema";
SET search_path = "Imp ""Q"" Schema";
CREATE TABLE all_types AS SELECT * FROM public.all_types;
ALTER TABLE all_types ADD PRIMARY KEY (id);
CREATE TABLE "Mixed Case ""Quoted"" Table" (
    "Order Id" integer NOT NULL,
    "Line ""No""" smallint NOT NULL,
    "lower case" text DEFAULT 'n/a',
    "Amount" numeric(12,2) NOT NULL DEFAULT 0,
    "Double Amount" numeric GENERATED ALWAYS AS ("Amount" * 2) STORED,
    "Created At" timestamptz DEFAULT '2024-01-01 00:00:00+00',
    "Codes" varchar(8)[],
    PRIMARY KEY ("Order Id", "Line ""No""")
);
INSERT INTO "Mixed Case ""Quoted"" Table"
    ("Order Id", "Line ""No""", "lower case", "Amount", "Created At", "Codes")
VALUES (1, 1, 'first', 10.50, '2024-05-01 10:00:00.123456+00', '{a,"b c"}'),
       (1, 2, DEFAULT, DEFAULT, DEFAULT, NULL),
       (2, 1, 'it''s', 99999.99, '1999-12-31 23:59:59+00', '{}');
CREATE TABLE "it's a \ table" (k integer PRIMARY KEY, "v" text NOT NULL);
INSERT INTO "it's a \ table" VALUES (1, 'back\slash'), (2, '');
CREATE VIEW "Mixed View" AS
    SELECT "Order Id", sum("Amount") AS total, count(*) AS lines
    FROM "Mixed Case ""Quoted"" Table" GROUP BY "Order Id";
CREATE MATERIALIZED VIEW order_totals AS SELECT * FROM "Mixed View";
CREATE TABLE events (id integer, region text NOT NULL, at date,
                     PRIMARY KEY (id, region)) PARTITION BY LIST (region);
CREATE TABLE events_east PARTITION OF events FOR VALUES IN ('east');
CREATE TABLE events_west PARTITION OF events FOR VALUES IN ('west');
INSERT INTO events VALUES (1, 'east', '2024-01-01'), (2, 'west', '2024-02-02'),
                          (3, 'east', NULL);
$ddl$);

-- Imported with defaults: the partitions stay out, everything else is in,
-- with the remote names exact and the local names quoted.
CREATE SCHEMA quoted;
IMPORT FOREIGN SCHEMA "Imp ""Q"" Schema" FROM SERVER semoss INTO quoted
    OPTIONS (import_default 'true');
\det+ quoted.*
\d+ quoted."Mixed Case ""Quoted"" Table"
\d quoted.all_types
\d quoted."it's a \ table"
\d quoted."Mixed View"
\d quoted.events

-- They read back what the remote tables hold (rows compared as text, in
-- the same date and time settings on both sides).
SET datestyle = ISO;
SET timezone = 'UTC';
SET intervalstyle = postgres;
SELECT count(*) AS rows_compared,
       count(*) FILTER (WHERE s::text = d::text) AS rows_identical
FROM quoted.all_types s JOIN direct.all_types d USING (id);
SELECT * FROM quoted."Mixed Case ""Quoted"" Table" ORDER BY 1, 2;
SELECT q.name, q.semoss_rows, q.semoss_rows = r.remote_rows AS same_count,
       q.rows_text = r.rows_text AS same_rows
FROM (SELECT 'Mixed Case', count(*), string_agg(t::text, '|' ORDER BY t::text)
      FROM quoted."Mixed Case ""Quoted"" Table" t
      UNION ALL
      SELECT 'it''s a \ table', count(*), string_agg(t::text, '|' ORDER BY t::text)
      FROM quoted."it's a \ table" t
      UNION ALL
      SELECT 'Mixed View', count(*), string_agg(t::text, '|' ORDER BY t::text)
      FROM quoted."Mixed View" t
      UNION ALL
      SELECT 'order_totals', count(*), string_agg(t::text, '|' ORDER BY t::text)
      FROM quoted.order_totals t
      UNION ALL
      SELECT 'events', count(*), string_agg(t::text, '|' ORDER BY t::text)
      FROM quoted.events t) q(name, semoss_rows, rows_text)
JOIN dblink('backend', $q$
      SET search_path = "Imp ""Q"" Schema";
      SET datestyle = ISO;
      SET timezone = 'UTC';
      SET intervalstyle = postgres;
      SELECT 'Mixed Case', count(*), string_agg(t::text, '|' ORDER BY t::text)
      FROM "Mixed Case ""Quoted"" Table" t
      UNION ALL
      SELECT 'it''s a \ table', count(*), string_agg(t::text, '|' ORDER BY t::text)
      FROM "it's a \ table" t
      UNION ALL
      SELECT 'Mixed View', count(*), string_agg(t::text, '|' ORDER BY t::text)
      FROM "Mixed View" t
      UNION ALL
      SELECT 'order_totals', count(*), string_agg(t::text, '|' ORDER BY t::text)
      FROM order_totals t
      UNION ALL
      SELECT 'events', count(*), string_agg(t::text, '|' ORDER BY t::text)
      FROM events t$q$) AS r(name text, remote_rows bigint, rows_text text)
  USING (name)
ORDER BY 1;
RESET datestyle;
RESET timezone;
RESET intervalstyle;

-- Primary key columns carry key 'true'; views have no keys.
SELECT c.relname, a.attname, a.attfdwoptions
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
WHERE c.relnamespace = 'quoted'::regnamespace AND a.attnum > 0
  AND 'key=true' = ANY (a.attfdwoptions)
ORDER BY 1, a.attnum;

-- LIMIT TO and EXCEPT are applied in the catalog query; LIMIT TO may name
-- a partition.
CREATE SCHEMA limited;
IMPORT FOREIGN SCHEMA "Imp ""Q"" Schema"
    LIMIT TO ("Mixed View", events_east, "it's a \ table")
    FROM SERVER semoss INTO limited;
\det limited.*
SELECT regexp_replace(emulator('GET', '/_emulator/stats') -> 'recent_sql' -> -1 ->> 'sql',
                      ' (FROM|LEFT JOIN|WHERE|ORDER BY) ', E'\n\\1 ', 'g') AS catalog_query;
SELECT * FROM limited.events_east ORDER BY id;
CREATE SCHEMA excepted;
IMPORT FOREIGN SCHEMA "Imp ""Q"" Schema"
    EXCEPT (all_types, "Mixed View", order_totals)
    FROM SERVER semoss INTO excepted;
\det excepted.*

-- Without NOT NULL and keys, with a fetch_size stamped on every table
-- (three rows in pages of two).
CREATE SCHEMA bare;
IMPORT FOREIGN SCHEMA "Imp ""Q"" Schema" LIMIT TO ("Mixed Case ""Quoted"" Table")
    FROM SERVER semoss INTO bare
    OPTIONS (import_not_null 'false', import_keys 'false', fetch_size '2');
\d bare."Mixed Case ""Quoted"" Table"
SELECT emulator('POST', '/_emulator/stats/reset') IS NOT NULL AS reset;
SELECT count(*) FROM (SELECT * FROM bare."Mixed Case ""Quoted"" Table" OFFSET 0) t;
SELECT stat('sql_queries') AS queries,
       (SELECT count(*) FROM jsonb_array_elements_text(emulator('GET', '/_emulator/stats') -> 'recent_pixels') p
        WHERE p LIKE '%Collect(2);%') AS pages_of_two;

-- Fallback 1: the engine refuses the catalog query (the sandbox's second
-- engine denies pg_catalog and information_schema).  Tables and types come
-- from SEMOSS's metadata: no NOT NULL, no keys, columns by name, coarse
-- types; arrays arrive as text.
CREATE SCHEMA approx;
IMPORT FOREIGN SCHEMA public LIMIT TO (regions, all_types)
    FROM SERVER semoss INTO approx OPTIONS (engine_id :'nocatalog_engine_id');
\d approx.regions
SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull
FROM pg_attribute a
WHERE a.attrelid = 'approx.all_types'::regclass AND a.attnum > 0
ORDER BY a.attnum;
SELECT c.relname, ft.ftoptions = ARRAY['table_name=' || c.relname,
                                      'engine_id=' || :'nocatalog_engine_id'] AS options_ok
FROM pg_foreign_table ft JOIN pg_class c ON c.oid = ft.ftrelid
WHERE c.relnamespace = 'approx'::regnamespace ORDER BY 1;
SELECT * FROM approx.regions ORDER BY id;
-- The values are the backing database's: only columns imported as text
-- differ, in how their text is written (arrays, intervals, padded char,
-- JSON scalars).
SELECT s.id, sj.key AS differing_column, sj.value AS via_fallback, dj.value AS direct
FROM approx.all_types s
JOIN direct.all_types d ON d.id = s.id
CROSS JOIN LATERAL json_each_text(row_to_json(s)) sj
JOIN LATERAL json_each_text(row_to_json(d)) dj ON dj.key = sj.key
WHERE sj.value IS DISTINCT FROM dj.value
ORDER BY 1, 2;
-- A table SEMOSS's metadata does not know.
IMPORT FOREIGN SCHEMA public LIMIT TO (regions, no_such_table)
    FROM SERVER semoss INTO approx OPTIONS (engine_id :'nocatalog_engine_id');

-- Fallback 2: a server whose dialect has no catalog to read.
SELECT copy_semoss_server('semoss_generic_import', $$dialect 'generic'$$);
CREATE SCHEMA generic;
IMPORT FOREIGN SCHEMA public LIMIT TO (regions)
    FROM SERVER semoss_generic_import INTO generic;
\d generic.regions
SELECT * FROM generic.regions ORDER BY id;

-- Option checks.
IMPORT FOREIGN SCHEMA public FROM SERVER semoss INTO generic OPTIONS (import_collate 'false');
IMPORT FOREIGN SCHEMA public FROM SERVER semoss INTO generic OPTIONS (import_keys 'maybe');
IMPORT FOREIGN SCHEMA public FROM SERVER semoss INTO generic OPTIONS (fetch_size '0');
IMPORT FOREIGN SCHEMA public FROM SERVER semoss INTO generic OPTIONS (fetch_size '10', fetch_size '20');
IMPORT FOREIGN SCHEMA public FROM SERVER semoss INTO generic OPTIONS (engine_id 'bad"id');
IMPORT FOREIGN SCHEMA public FROM SERVER semoss INTO generic OPTIONS (engine_id '');
IMPORT FOREIGN SCHEMA public FROM SERVER semoss INTO generic OPTIONS (access_key 'x');

-- Errors: no engine anywhere, an engine the user cannot see, an unknown
-- remote schema, a table named in LIMIT TO that does not exist (any more).
CREATE SERVER semoss_no_engine FOREIGN DATA WRAPPER semoss_fdw
    OPTIONS (url 'http://127.0.0.1:9/Monolith/api');
IMPORT FOREIGN SCHEMA public FROM SERVER semoss_no_engine INTO generic;
DROP SERVER semoss_no_engine;
IMPORT FOREIGN SCHEMA public FROM SERVER semoss INTO generic
    OPTIONS (engine_id 'no-such-engine');
IMPORT FOREIGN SCHEMA "No Such Schema" FROM SERVER semoss INTO generic;
IMPORT FOREIGN SCHEMA "Imp ""Q"" Schema" LIMIT TO (events, gone)
    FROM SERVER semoss INTO generic;
\det generic.*

-- Discovery: the engines the caller's user mapping can see.
SELECT engine_id = :'engine_id' AS main_engine,
       engine_id = :'nocatalog_engine_id' AS nocatalog_engine,
       engine_name, engine_subtype, permission, description
FROM semoss_fdw_engines('semoss') ORDER BY engine_name;
-- Another role sees them through its own user mapping (view-only keys).
CREATE ROLE regress_semoss_import_viewer;
GRANT USAGE ON SCHEMA public TO regress_semoss_import_viewer;
SET ROLE regress_semoss_import_viewer;
SELECT * FROM semoss_fdw_engines('semoss');
RESET ROLE;
GRANT USAGE ON FOREIGN SERVER semoss TO regress_semoss_import_viewer;
SET ROLE regress_semoss_import_viewer;
SELECT * FROM semoss_fdw_engines('semoss');
RESET ROLE;
\set ECHO none
SELECT format('CREATE USER MAPPING FOR regress_semoss_import_viewer SERVER semoss OPTIONS (access_key %L, secret_key %L)',
              :'viewer_access_key', :'viewer_secret_key') \gexec
\set ECHO all
SET ROLE regress_semoss_import_viewer;
SELECT engine_name, permission FROM semoss_fdw_engines('semoss') ORDER BY engine_name;
RESET ROLE;
SELECT * FROM semoss_fdw_engines('direct');
SELECT * FROM semoss_fdw_engines('no_such_server');
SELECT * FROM semoss_fdw_engines(NULL);

-- Clean up, here and in the backing database.
DROP USER MAPPING FOR regress_semoss_import_viewer SERVER semoss;
REVOKE USAGE ON FOREIGN SERVER semoss FROM regress_semoss_import_viewer;
REVOKE USAGE ON SCHEMA public FROM regress_semoss_import_viewer;
DROP ROLE regress_semoss_import_viewer;
SET client_min_messages = warning;
DROP SCHEMA imported, quoted, limited, excepted, bare, approx, generic CASCADE;
DROP SERVER semoss_generic_import CASCADE;
RESET client_min_messages;
SELECT dblink_exec('backend', 'SET client_min_messages = warning; DROP SCHEMA "Imp ""Q"" Schema" CASCADE');
SELECT dblink_disconnect('backend');
DROP EXTENSION dblink;
