--
-- Writes: INSERT (batched, COPY), UPDATE and DELETE (direct and row by
-- row), RETURNING, ON CONFLICT DO NOTHING, TRUNCATE, the options that
-- refuse writes, remote errors, transactions, and raw SQL.  Every result
-- is checked against the backing database read straight through
-- postgres_fdw, or against a local copy that took the same statements.
--
\getenv viewer_access_key SEMOSS_VIEWER_ACCESS_KEY
\getenv viewer_secret_key SEMOSS_VIEWER_SECRET_KEY

-- requests(kind): ExecQuery statements or Collect queries since the last
-- reset of the emulator's statistics.
CREATE FUNCTION write_stats(OUT execs bigint, OUT queries bigint)
LANGUAGE sql AS $$
    SELECT stat('sql_execs'), stat('sql_queries')
$$;
CREATE FUNCTION reset_stats() RETURNS boolean LANGUAGE sql AS $$
    SELECT emulator('POST', '/_emulator/stats/reset') IS NOT NULL
$$;

-- Raw SQL builds the remote schema of this test.
SELECT semoss_fdw_exec('semoss', 'DROP SCHEMA IF EXISTS wtest CASCADE');
SELECT semoss_fdw_exec('semoss', 'CREATE SCHEMA wtest');
SELECT semoss_fdw_exec('semoss', $$
    CREATE TABLE wtest.all_types (LIKE public.all_types INCLUDING ALL);
    CREATE TABLE wtest.items (
        id      serial PRIMARY KEY,
        name    text NOT NULL,
        qty     integer CHECK (qty >= 0),
        price   numeric(12,4),
        at      timestamptz DEFAULT '2000-01-01 00:00:00+00',
        note    text
    );
    CREATE TABLE wtest.bulk (id integer PRIMARY KEY, payload text);
    CREATE TABLE wtest.no_key (grp integer, v text);
    CREATE TABLE wtest.odd ("it's" integer PRIMARY KEY, "We;Ird--" text)
$$);

-- The same schema through SEMOSS (keys from the primary keys) and
-- straight through postgres_fdw (the truth).
CREATE SCHEMA w;
IMPORT FOREIGN SCHEMA wtest FROM SERVER semoss INTO w;
CREATE SCHEMA w_direct;
IMPORT FOREIGN SCHEMA wtest FROM SERVER direct INTO w_direct;
SELECT c.relname, a.attname, a.attfdwoptions
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
WHERE c.relnamespace = 'w'::regnamespace AND a.attfdwoptions IS NOT NULL
ORDER BY 1, 2;

-- ---- INSERT: every type of the read matrix, exactly ----
SELECT reset_stats();
INSERT INTO w.all_types SELECT * FROM direct.all_types;
SELECT * FROM write_stats();
-- read back through SEMOSS and straight from the backing database
SELECT * FROM same_rows('w.all_types', 'direct.all_types');
SELECT * FROM same_rows('w_direct.all_types', 'direct.all_types');

-- ---- INSERT: batches ----
EXPLAIN (VERBOSE, COSTS OFF)
INSERT INTO w.bulk SELECT g, 'row ' || g FROM generate_series(1, 2500) g;
SELECT reset_stats();
INSERT INTO w.bulk SELECT g, 'row ' || g FROM generate_series(1, 2500) g;
SELECT * FROM write_stats();
ALTER FOREIGN TABLE w.bulk OPTIONS (ADD batch_size '100');
SELECT reset_stats();
INSERT INTO w.bulk SELECT g, 'row ' || g FROM generate_series(2501, 3000) g;
SELECT * FROM write_stats();
ALTER FOREIGN TABLE w.bulk OPTIONS (SET batch_size '1');
SELECT reset_stats();
INSERT INTO w.bulk SELECT g, 'row ' || g FROM generate_series(3001, 3007) g;
SELECT * FROM write_stats();
ALTER FOREIGN TABLE w.bulk OPTIONS (DROP batch_size);
SELECT count(*), min(id), max(id), sum(length(payload)) FROM w_direct.bulk;

-- COPY batches too (PostgreSQL 15 inserts COPY rows one by one)
SELECT reset_stats();
COPY w.bulk FROM STDIN;
4001	copied 1
4002	copied \\ two
4003	\N
\.
SELECT * FROM write_stats();
SELECT * FROM w_direct.bulk WHERE id > 4000 ORDER BY id;

-- columns an INSERT leaves out get the remote default (serial id, at)
INSERT INTO w.items (name, qty, price) VALUES ('bolt', 10, 0.25), ('nut', 20, 0.1);
SELECT id, name, qty, price, at FROM w_direct.items ORDER BY id;

-- RETURNING brings back what the remote stored
INSERT INTO w.items (name, qty, price) VALUES ('washer', 5, 1.00005) RETURNING *;
EXPLAIN (VERBOSE, COSTS OFF)
INSERT INTO w.items (name, qty) VALUES ('x', 1) RETURNING id;

-- values that must not change the statement reach the engine exactly
INSERT INTO w.items (name, note) VALUES
    ('quote''s', 'back\slash "double" ; -- not a comment /* nor this */'),
    ('tags', '<encode>x</encode> </encode> <sEncode>y</sEncode> + % ? ?? $1'),
    ('lines', E'line 1\nline 2\r\ttab'),
    ('unicode', 'żółć 日本語 🙂 é');
SELECT a.name, a.note = b.note AS same_through_semoss
FROM w_direct.items a JOIN w.items b USING (id)
WHERE a.id > 3 ORDER BY a.id;
SELECT name, note FROM w_direct.items WHERE id > 3 ORDER BY id;

-- quoted remote names
INSERT INTO w.odd VALUES (1, 'one'), (2, 'two');
SELECT * FROM w_direct.odd ORDER BY 1;

-- ON CONFLICT DO NOTHING counts only the rows inserted
INSERT INTO w.odd VALUES (2, 'dup'), (3, 'three') ON CONFLICT DO NOTHING;
INSERT INTO w.odd VALUES (3, 'again') ON CONFLICT DO NOTHING RETURNING *;
INSERT INTO w.odd VALUES (4, 'four') ON CONFLICT DO NOTHING RETURNING *;
INSERT INTO w.odd VALUES (5, 'x') ON CONFLICT ("it's") DO UPDATE SET "We;Ird--" = 'y';

-- ---- UPDATE and DELETE, compared with a local copy ----
CREATE TABLE local_bulk AS SELECT * FROM w_direct.bulk;

-- shippable: one remote statement
EXPLAIN (VERBOSE, COSTS OFF)
UPDATE w.bulk SET payload = payload || '!' WHERE id % 7 = 0;
SELECT reset_stats();
UPDATE w.bulk SET payload = payload || '!' WHERE id % 7 = 0;
UPDATE local_bulk SET payload = payload || '!' WHERE id % 7 = 0;
SELECT * FROM write_stats();
EXPLAIN (VERBOSE, COSTS OFF)
DELETE FROM w.bulk WHERE id BETWEEN 100 AND 199;
DELETE FROM w.bulk WHERE id BETWEEN 100 AND 199;
DELETE FROM local_bulk WHERE id BETWEEN 100 AND 199;
UPDATE w.bulk SET payload = upper(payload) WHERE id IN (1, 2, 3) RETURNING id, payload;
UPDATE local_bulk SET payload = upper(payload) WHERE id IN (1, 2, 3);
EXPLAIN (VERBOSE, COSTS OFF)
DELETE FROM w.bulk WHERE id > 4000 RETURNING *;
DELETE FROM w.bulk WHERE id > 4000 RETURNING *;
DELETE FROM local_bulk WHERE id > 4000;

-- not shippable (volatile function): row by row, found again by key
EXPLAIN (VERBOSE, COSTS OFF)
UPDATE w.bulk SET payload = payload || random()::int WHERE id <= 5;
SELECT reset_stats();
UPDATE w.bulk SET payload = payload || (random() * 0)::int WHERE id <= 5;
UPDATE local_bulk SET payload = payload || 0 WHERE id <= 5;
SELECT * FROM write_stats();
EXPLAIN (VERBOSE, COSTS OFF)
DELETE FROM w.bulk WHERE id BETWEEN 10 AND 12 AND random() >= 0;
DELETE FROM w.bulk WHERE id BETWEEN 10 AND 12 AND random() >= 0 RETURNING id;
DELETE FROM local_bulk WHERE id BETWEEN 10 AND 12;
-- a join with a local table: the rows to change come from here
CREATE TABLE pick (id integer);
INSERT INTO pick VALUES (20), (21), (22), (99999);
UPDATE w.bulk b SET payload = 'picked' FROM pick p WHERE b.id = p.id;
UPDATE local_bulk b SET payload = 'picked' FROM pick p WHERE b.id = p.id;
DELETE FROM w.bulk b USING pick p WHERE b.id = p.id + 10;
DELETE FROM local_bulk b USING pick p WHERE b.id = p.id + 10;
SELECT * FROM same_rows('w_direct.bulk', 'local_bulk');
SELECT * FROM same_rows('w.bulk', 'local_bulk');

-- a row-by-row change needs key columns
UPDATE w.no_key SET v = 'x' WHERE random() >= 0;
-- a key that matches several rows: the error comes after the fact
INSERT INTO w.no_key VALUES (1, 'a'), (1, 'b'), (2, 'c');
ALTER FOREIGN TABLE w.no_key ALTER COLUMN grp OPTIONS (ADD key 'true');
-- (caught in a block: the WARNING of the rolled-back subtransaction then
-- comes before the NOTICE, in a stable order)
DO $$
BEGIN
    UPDATE w.no_key SET v = 'z' WHERE grp = 1 AND random() >= 0;
EXCEPTION WHEN cardinality_violation THEN
    RAISE NOTICE 'cardinality_violation: %', SQLERRM;
END $$;
SELECT * FROM w_direct.no_key ORDER BY grp, v;
-- direct modification needs no key
DELETE FROM w.no_key WHERE grp = 1;
SELECT * FROM w_direct.no_key ORDER BY grp, v;

-- ---- remote errors ----
\set VERBOSITY terse
DO $$
BEGIN
    INSERT INTO w.odd VALUES (1, 'again');
EXCEPTION WHEN unique_violation THEN
    RAISE NOTICE 'unique_violation: %', SQLERRM;
END $$;
DO $$
BEGIN
    INSERT INTO w.items (name) VALUES (NULL);
EXCEPTION WHEN not_null_violation THEN
    RAISE NOTICE 'not_null_violation';
END $$;
DO $$
BEGIN
    UPDATE w.items SET qty = -1 WHERE name = 'bolt';
EXCEPTION WHEN check_violation THEN
    RAISE NOTICE 'check_violation';
END $$;
\set VERBOSITY default
INSERT INTO w.items (name, qty) VALUES ('bad', 'not a number');

-- ---- options that refuse writes ----
ALTER FOREIGN TABLE w.odd OPTIONS (ADD updatable 'false');
INSERT INTO w.odd VALUES (9, 'nine');
UPDATE w.odd SET "We;Ird--" = 'no';
DELETE FROM w.odd WHERE random() >= 0;
ALTER FOREIGN TABLE w.odd OPTIONS (DROP updatable);
ALTER SERVER semoss OPTIONS (ADD truncatable 'false');
TRUNCATE w.odd;
ALTER FOREIGN TABLE w.odd OPTIONS (ADD truncatable 'true');
TRUNCATE w.odd;
SELECT count(*) FROM w_direct.odd;
ALTER FOREIGN TABLE w.odd OPTIONS (DROP truncatable);
ALTER SERVER semoss OPTIONS (DROP truncatable);
ALTER FOREIGN TABLE w.odd OPTIONS (ADD batch_size '0');
ALTER FOREIGN TABLE w.odd OPTIONS (ADD updatable 'maybe');
CREATE FOREIGN TABLE w.by_query (id integer) SERVER semoss
    OPTIONS (query 'SELECT id FROM wtest.bulk');
INSERT INTO w.by_query VALUES (1);
SELECT is_insertable_into FROM information_schema.tables
WHERE table_schema = 'w' AND table_name IN ('by_query', 'odd') ORDER BY table_name;

-- ---- transactions: SEMOSS commits every call ----
BEGIN;
INSERT INTO w.odd VALUES (10, 'ten');
UPDATE w.odd SET "We;Ird--" = 'TEN' WHERE "it's" = 10;
ROLLBACK;
SELECT * FROM w_direct.odd;
BEGIN;
SAVEPOINT s;
DELETE FROM w.odd WHERE "it's" = 10;
ROLLBACK TO SAVEPOINT s;
COMMIT;
BEGIN;
INSERT INTO w.odd VALUES (11, 'eleven');
-- (the rollback WARNING that follows the error is shown above)
SET LOCAL client_min_messages = error;
PREPARE TRANSACTION 'semoss_write';
-- reads alone leave no warning
BEGIN;
SELECT count(*) FROM w.odd;
ROLLBACK;
-- a failed statement whose earlier batches were committed
ALTER FOREIGN TABLE w.bulk OPTIONS (ADD batch_size '2');
DO $$
BEGIN
    INSERT INTO w.bulk VALUES (5001, 'a'), (5002, 'b'), (1, 'duplicate');
EXCEPTION WHEN unique_violation THEN
    RAISE NOTICE 'unique_violation';
END $$;
SELECT id FROM w_direct.bulk WHERE id > 5000 ORDER BY id;
ALTER FOREIGN TABLE w.bulk OPTIONS (DROP batch_size);
-- a write whose connection was lost after it was sent may have run: it
-- is 08006, and it counts among the writes the WARNING reports
SELECT emulator('POST', '/_emulator/faults',
                '{"kind": "reset", "match": "cut_off_write", "count": 1}') ? 'added' AS armed;
DO $$
BEGIN
    INSERT INTO w.bulk VALUES (6001, 'cut_off_write');
EXCEPTION WHEN connection_failure THEN
    RAISE NOTICE 'connection_failure';
END $$;

-- ---- SEMOSS's edit permission ----
CREATE ROLE regress_semoss_write_viewer;
GRANT USAGE ON SCHEMA w TO regress_semoss_write_viewer;
GRANT ALL ON ALL TABLES IN SCHEMA w TO regress_semoss_write_viewer;
GRANT USAGE ON FOREIGN SERVER semoss TO regress_semoss_write_viewer;
\set ECHO none
SELECT format('CREATE USER MAPPING FOR regress_semoss_write_viewer SERVER semoss OPTIONS (access_key %L, secret_key %L)',
              :'viewer_access_key', :'viewer_secret_key') \gexec
\set ECHO all
SET ROLE regress_semoss_write_viewer;
SELECT count(*) FROM w.odd;
INSERT INTO w.odd VALUES (12, 'twelve');
-- through the Collect path too: SEMOSS is asked first
UPDATE w.odd SET "We;Ird--" = 'viewer' WHERE "it's" = 10;
DELETE FROM w.odd WHERE "it's" = 11 AND random() >= 0;
SELECT semoss_fdw_exec('semoss', 'DELETE FROM wtest.odd');
-- raw SQL that is not a read needs edit permission too
SELECT * FROM semoss_fdw_query('semoss', 'DELETE FROM wtest.odd RETURNING 1') AS t(n int);
SELECT * FROM semoss_fdw_query('semoss', 'SELECT count(*) FROM wtest.odd') AS t(n bigint);
RESET ROLE;
SELECT * FROM w_direct.odd ORDER BY 1;
DROP USER MAPPING FOR regress_semoss_write_viewer SERVER semoss;
REVOKE ALL ON ALL TABLES IN SCHEMA w FROM regress_semoss_write_viewer;
REVOKE USAGE ON SCHEMA w FROM regress_semoss_write_viewer;
REVOKE USAGE ON FOREIGN SERVER semoss FROM regress_semoss_write_viewer;
DROP ROLE regress_semoss_write_viewer;

-- ---- raw SQL ----
SELECT * FROM semoss_fdw_query('semoss', $$
    SELECT id, name, price, at FROM wtest.items WHERE id <= 3 ORDER BY id
$$) AS t(id integer, name text, price numeric, at timestamptz);
SELECT * FROM semoss_fdw_query('semoss',
    'SELECT "it''s", "We;Ird--" FROM wtest.odd ORDER BY 1;') AS t(k integer, v text);
SELECT * FROM semoss_fdw_query('semoss',
    'DELETE FROM wtest.odd WHERE "it''s" = 10 RETURNING "it''s"') AS t(k integer);
SELECT * FROM semoss_fdw_query('semoss', 'SELECT 1, 2') AS t(a integer);
SELECT * FROM semoss_fdw_query('semoss', 'SELECT 1') AS t(a date);
-- without exact text (dialect 'generic') values are read from SEMOSS's JSON
SELECT copy_semoss_server('semoss_generic_raw', $$dialect 'generic'$$);
SELECT * FROM semoss_fdw_query('semoss_generic_raw',
    'SELECT "it''s", "We;Ird--" FROM wtest.odd ORDER BY 1') AS t(k integer, v text);
SELECT * FROM semoss_fdw_query('semoss_generic_raw', 'SELECT 1, 2') AS t(a integer);
DROP SERVER semoss_generic_raw CASCADE;
SELECT semoss_fdw_exec('semoss', 'SELECT * FROM wtest.nowhere');
SELECT semoss_fdw_exec('nosuchserver', 'SELECT 1');
SELECT semoss_fdw_exec('direct', 'SELECT 1');
SELECT semoss_fdw_exec('semoss', NULL);
SELECT semoss_fdw_exec('semoss', 'SELECT 1', 'no"such');

-- ---- nothing left open ----
SELECT stat('open_tasks') AS open_tasks;
DROP SCHEMA w CASCADE;
DROP SCHEMA w_direct CASCADE;
DROP TABLE local_bulk, pick;
SELECT semoss_fdw_exec('semoss', 'DROP SCHEMA wtest CASCADE');
