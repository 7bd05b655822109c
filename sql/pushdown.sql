--
-- Pushdown: which conditions and orderings the engine evaluates, and that
-- results stay exactly those of the backing database.  Each EXPLAIN names
-- the node types it exercises.
--
\set VERBOSITY default

-- Var, OpExpr, Const: pushed; only the needed columns travel.
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM semoss.customers WHERE region_id = 3 AND credit_limit > 1000;
SELECT count(*) FROM semoss.customers WHERE region_id = 3 AND credit_limit > 1000;
SELECT count(*) FROM direct.customers WHERE region_id = 3 AND credit_limit > 1000;

-- ScalarArrayOpExpr (IN), NullTest, BoolExpr (OR, NOT), DistinctExpr.
EXPLAIN (VERBOSE, COSTS OFF)
SELECT id FROM semoss.customers
WHERE (region_id IN (1, 2) OR email IS NULL) AND NOT is_vip AND region_id IS DISTINCT FROM 5;
SELECT count(*) FROM semoss.customers
WHERE (region_id IN (1, 2) OR email IS NULL) AND NOT is_vip AND region_id IS DISTINCT FROM 5;
SELECT count(*) FROM direct.customers
WHERE (region_id IN (1, 2) OR email IS NULL) AND NOT is_vip AND region_id IS DISTINCT FROM 5;

-- FuncExpr (immutable built-ins), casts, CASE, COALESCE, NULLIF, arithmetic.
EXPLAIN (VERBOSE, COSTS OFF)
SELECT id FROM semoss.orders
WHERE abs(total - 100) < 50 AND COALESCE(notes, '') = '' AND NULLIF(status, 'new') IS NOT NULL
  AND CASE WHEN total > 500 THEN 'big' ELSE 'small' END = 'small' AND id::text LIKE '1000%';
SELECT count(*), sum(id) FROM semoss.orders
WHERE abs(total - 100) < 50 AND COALESCE(notes, '') = '' AND NULLIF(status, 'new') IS NOT NULL
  AND CASE WHEN total > 500 THEN 'big' ELSE 'small' END = 'small' AND id::text LIKE '1000%';
SELECT count(*), sum(id) FROM direct.orders
WHERE abs(total - 100) < 50 AND COALESCE(notes, '') = '' AND NULLIF(status, 'new') IS NOT NULL
  AND CASE WHEN total > 500 THEN 'big' ELSE 'small' END = 'small' AND id::text LIKE '1000%';

-- Mutable functions stay local: the remote clock is not ours.
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM semoss.orders WHERE shipped_at < now() - interval '1 year';
-- So do functions that are not built in.
CREATE FUNCTION local_double(int) RETURNS int IMMUTABLE LANGUAGE plpgsql AS 'BEGIN RETURN $1 * 2; END';
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM semoss.regions WHERE local_double(id) = 4;
SELECT id FROM semoss.regions WHERE local_double(id) = 4;

-- Text: equality and LIKE ship; ordering comparisons, ILIKE and COLLATE
-- depend on the remote collation and stay local...
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM semoss.regions WHERE code = 'EMA' OR name LIKE 'Asia%';
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM semoss.regions WHERE name > 'M';
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM semoss.regions WHERE name ILIKE 'asia%';
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM semoss.regions WHERE name COLLATE "C" = 'Latin America';
SELECT id FROM semoss.regions WHERE name > 'M' ORDER BY id;
-- ...unless the server declares that the remote collation matches.
ALTER SERVER semoss OPTIONS (ADD collation_matches 'true');
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM semoss.regions WHERE name > 'M';
SELECT id FROM semoss.regions WHERE name > 'M' ORDER BY id;
ALTER SERVER semoss OPTIONS (DROP collation_matches);

-- ORDER BY: pushed for non-text keys, NULLS FIRST/LAST kept exact.
EXPLAIN (VERBOSE, COSTS OFF) SELECT id, region_id FROM semoss.customers ORDER BY region_id DESC NULLS LAST, id;
SELECT id, region_id FROM semoss.customers ORDER BY region_id DESC NULLS LAST, id LIMIT 5;
SELECT id, region_id FROM semoss.customers ORDER BY region_id NULLS FIRST, id DESC LIMIT 5;
SELECT id, region_id FROM direct.customers ORDER BY region_id NULLS FIRST, id DESC LIMIT 5;
-- Text keys are sorted here, unless they sort in the C collation.
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM semoss.regions ORDER BY name;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM semoss.regions ORDER BY name COLLATE "C";
SELECT name FROM semoss.regions ORDER BY name COLLATE "C";

-- A nested loop from a local table sends the join key of each outer row,
-- when round trips are cheap enough next to fetching the whole table (here
-- a cheaper round trip is declared on the server).
CREATE TABLE vip_ids (id integer);
INSERT INTO vip_ids VALUES (5), (17), (1999), (4242);
ANALYZE vip_ids;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT c.id, c.name FROM vip_ids v JOIN semoss.customers c ON c.id = v.id;
ALTER SERVER semoss OPTIONS (ADD fdw_startup_cost '10');
EXPLAIN (VERBOSE, COSTS OFF)
SELECT c.id, c.name FROM vip_ids v JOIN semoss.customers c ON c.id = v.id;
SELECT emulator('POST', '/_emulator/stats/reset') IS NOT NULL AS reset;
SELECT c.id, c.name FROM vip_ids v JOIN semoss.customers c ON c.id = v.id ORDER BY c.id;
SELECT stat('sql_queries') AS remote_queries, stat('rows_sent') AS rows_sent;
ALTER SERVER semoss OPTIONS (DROP fdw_startup_cost);

-- A prepared statement's parameters are sent as literals too.
PREPARE by_region(smallint, numeric) AS
    SELECT count(*) FROM semoss.customers WHERE region_id = $1 AND credit_limit >= $2;
SET plan_cache_mode = force_generic_plan;
EXPLAIN (VERBOSE, COSTS OFF) EXECUTE by_region(2, 500);
EXECUTE by_region(2, 500);
EXECUTE by_region(4, 60000.25);
SELECT count(*) FROM direct.customers WHERE region_id = 4 AND credit_limit >= 60000.25;
RESET plan_cache_mode;
DEALLOCATE by_region;

-- Literals never change the shape of the remote SQL, and reach it exactly.
EXPLAIN (VERBOSE, COSTS OFF)
SELECT id FROM semoss.all_types WHERE c_text = E'quotes '' " \\ and \ttab\nnewline';
SELECT id FROM semoss.all_types WHERE c_text = E'quotes '' " \\ and \ttab\nnewline';
SELECT id FROM semoss.all_types WHERE c_text = 'sql -- comment; DROP TABLE x; </encode> <encode> + % ?';
SELECT id FROM semoss.all_types WHERE c_varchar = 'Ünïcödé ✓ 日本';
SELECT id FROM semoss.all_types WHERE c_text_array = ARRAY['</encode>'];
SELECT count(*) FROM semoss.customers WHERE name = 'x''; DROP TABLE customers; --';
SELECT count(*) FROM semoss.customers WHERE name = E'\\'' OR 1=1 /*';
SELECT count(*) AS customers_still_there FROM direct.customers;
-- Values of every shippable type compare exactly remotely.
SELECT id FROM semoss.all_types WHERE c_numeric = 123456789012345678901234567890.123456789;
SELECT id FROM semoss.all_types WHERE c_timestamptz = '2024-03-10 07:30:00.654321+00';
-- Literals are written the same whatever this session's date style.
SET datestyle = 'SQL, DMY';
SET intervalstyle = 'sql_standard';
EXPLAIN (VERBOSE, COSTS OFF)
SELECT id FROM semoss.all_types WHERE c_date = '31/01/2024' OR c_interval = '-3 days -00:00:01';
SELECT id FROM semoss.all_types WHERE c_date = '31/01/2024' OR c_interval = '-3 days -00:00:01' ORDER BY id;
RESET datestyle;
RESET intervalstyle;
SELECT id FROM semoss.all_types WHERE c_float8 = 'Infinity' OR c_float4 = '-Infinity';
SELECT id FROM semoss.all_types WHERE c_bytea = '\xdeadbeef80'::bytea;
SELECT id FROM semoss.all_types WHERE c_uuid = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11';
SELECT id FROM semoss.all_types WHERE c_int_array @> ARRAY[7] OR c_interval = '-3 days -00:00:01';
SELECT id FROM semoss.all_types WHERE c_bool IS NOT TRUE ORDER BY id;

-- LIMIT and OFFSET go to the engine when everything below them is remote:
-- no Limit node is left here, and only the rows kept travel.  The rows
-- received are the emulator's count of the rows it sent.
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM semoss.orders ORDER BY id LIMIT 3 OFFSET 4990;
SELECT emulator('POST', '/_emulator/stats/reset') IS NOT NULL AS reset;
SELECT id FROM semoss.orders ORDER BY id LIMIT 3 OFFSET 4990;
SELECT stat('rows_sent') AS rows_sent, stat('sql_queries') AS sql_queries, stat('open_tasks') AS open_tasks;
SELECT id FROM direct.orders ORDER BY id LIMIT 3 OFFSET 4990;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM semoss.orders WHERE status = 'paid' ORDER BY total DESC, id LIMIT 3 OFFSET 2;
SELECT id, total FROM semoss.orders WHERE status = 'paid' ORDER BY total DESC, id LIMIT 3 OFFSET 2;
SELECT id, total FROM direct.orders WHERE status = 'paid' ORDER BY total DESC, id LIMIT 3 OFFSET 2;
-- without ORDER BY; FETCH FIRST; LIMIT 0; an OFFSET alone; LIMIT ALL.
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM semoss.orders LIMIT 4;
SELECT emulator('POST', '/_emulator/stats/reset') IS NOT NULL AS reset;
SELECT count(*) FROM (SELECT id FROM semoss.orders LIMIT 4) s;
SELECT stat('rows_sent') AS rows_sent;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM semoss.orders ORDER BY id FETCH FIRST 2 ROWS ONLY;
SELECT id FROM semoss.orders ORDER BY id OFFSET 3 ROWS FETCH FIRST 2 ROWS ONLY;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM semoss.orders LIMIT 0;
SELECT id FROM semoss.orders LIMIT 0;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM semoss.orders ORDER BY id OFFSET 19998;
SELECT emulator('POST', '/_emulator/stats/reset') IS NOT NULL AS reset;
SELECT id FROM semoss.orders ORDER BY id OFFSET 19998;
SELECT stat('rows_sent') AS rows_sent;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM semoss.orders ORDER BY id LIMIT ALL OFFSET 19999;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM semoss.orders LIMIT NULL;
-- A value known only at execution (a parameter under a generic plan, an
-- uncorrelated subquery) is written in when the query is sent; NULL means
-- no limit or no offset, huge values are sent as they are, and negative
-- ones get PostgreSQL's own errors (SQLSTATE 2201W, 2201X), OFFSET first.
PREPARE page(bigint, bigint) AS SELECT id FROM semoss.orders ORDER BY id LIMIT $1 OFFSET $2;
PREPARE local_page(bigint, bigint) AS SELECT g FROM generate_series(1, 3) g ORDER BY g LIMIT $1 OFFSET $2;
SET plan_cache_mode = force_generic_plan;
EXPLAIN (VERBOSE, COSTS OFF) EXECUTE page(3, 4990);
SELECT emulator('POST', '/_emulator/stats/reset') IS NOT NULL AS reset;
EXECUTE page(3, 4990);
SELECT stat('rows_sent') AS rows_sent;
EXECUTE page(NULL, 19997);
EXECUTE page(2, NULL);
EXECUTE page(9223372036854775807, 19999);
EXECUTE page(1, 9223372036854775807);
EXECUTE page(0, 0);
\set VERBOSITY sqlstate
EXECUTE page(-1, 0);
EXECUTE local_page(-1, 0);
EXECUTE page(1, -1);
EXECUTE local_page(1, -1);
EXECUTE page(-1, -1);
EXECUTE local_page(-1, -1);
\set VERBOSITY default
RESET plan_cache_mode;
EXPLAIN (VERBOSE, COSTS OFF) EXECUTE page(3, 10);
\set VERBOSITY sqlstate
EXECUTE page(-1, 0);
\set VERBOSITY default
DEALLOCATE page;
DEALLOCATE local_page;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM semoss.orders ORDER BY id LIMIT (SELECT 2);
SELECT id FROM semoss.orders ORDER BY id LIMIT (SELECT 2);
-- Each run of a correlated subquery sends its own LIMIT and OFFSET.
EXPLAIN (VERBOSE, COSTS OFF)
SELECT r.id, x.id FROM semoss.regions r,
    LATERAL (SELECT c.id FROM semoss.customers c WHERE c.region_id = r.id ORDER BY c.id LIMIT 2 OFFSET 1) x;
SELECT r.id, x.id FROM semoss.regions r,
    LATERAL (SELECT c.id FROM semoss.customers c WHERE c.region_id = r.id ORDER BY c.id LIMIT 2 OFFSET 1) x
ORDER BY 1, 2;
SELECT r.id, x.id FROM direct.regions r,
    LATERAL (SELECT c.id FROM direct.customers c WHERE c.region_id = r.id ORDER BY c.id LIMIT 2 OFFSET 1) x
ORDER BY 1, 2;
-- In a subquery, in branches of a UNION ALL, and in a scrollable cursor.
SELECT id FROM semoss.customers WHERE id IN (SELECT customer_id FROM semoss.orders ORDER BY id LIMIT 3) ORDER BY id;
SELECT id FROM direct.customers WHERE id IN (SELECT customer_id FROM direct.orders ORDER BY id LIMIT 3) ORDER BY id;
EXPLAIN (VERBOSE, COSTS OFF)
(SELECT id FROM semoss.orders ORDER BY id LIMIT 2) UNION ALL (SELECT id FROM semoss.orders ORDER BY id DESC LIMIT 1 OFFSET 1);
(SELECT id FROM semoss.orders ORDER BY id LIMIT 2) UNION ALL (SELECT id FROM semoss.orders ORDER BY id DESC LIMIT 1 OFFSET 1);
BEGIN;
DECLARE page_cursor SCROLL CURSOR FOR SELECT id FROM semoss.orders ORDER BY id LIMIT 4 OFFSET 100;
FETCH 2 FROM page_cursor;
FETCH ALL FROM page_cursor;
FETCH BACKWARD 3 FROM page_cursor;
CLOSE page_cursor;
COMMIT;
-- A grouping done remotely takes the LIMIT too (top-N groups: join_agg).
EXPLAIN (VERBOSE, COSTS OFF) SELECT status, count(*) FROM semoss.orders GROUP BY status LIMIT 2;
-- The Limit stays here with a condition evaluated here,
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM semoss.orders WHERE shipped_at < now() LIMIT 3;
-- under an order the engine cannot produce,
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM semoss.orders ORDER BY status LIMIT 3;
-- above a join done here, DISTINCT, a window function, a set-returning
-- function or row locks,
EXPLAIN (VERBOSE, COSTS OFF) SELECT o.id FROM semoss.orders o JOIN vip_ids v ON v.id = o.customer_id LIMIT 3;
EXPLAIN (VERBOSE, COSTS OFF) SELECT DISTINCT customer_id FROM semoss.orders LIMIT 2;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id, row_number() OVER () FROM semoss.orders LIMIT 2;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id, generate_series(1, 2) FROM semoss.orders LIMIT 3;
SELECT id, generate_series(1, 2) FROM semoss.orders ORDER BY id LIMIT 3;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM semoss.orders ORDER BY id LIMIT 1 FOR UPDATE;
-- with a volatile LIMIT, with WITH TIES (only a local Limit sees the ties),
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM semoss.orders LIMIT (random() * 0 + 2)::int;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM semoss.orders ORDER BY id FETCH FIRST 2 ROWS WITH TIES;
SELECT id FROM semoss.orders ORDER BY customer_id FETCH FIRST 2 ROWS WITH TIES;
SELECT id FROM direct.orders ORDER BY customer_id FETCH FIRST 2 ROWS WITH TIES;
-- with a negative constant, left to the local Limit to refuse,
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM semoss.orders LIMIT -1;
SELECT id FROM semoss.orders LIMIT -1;
-- and with pushdown off.
SET semoss_fdw.pushdown = off;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM semoss.orders ORDER BY id LIMIT 3 OFFSET 2;
RESET semoss_fdw.pushdown;
-- The generic dialect writes no LIMIT ALL (its databases take a bigint).
SELECT copy_semoss_server('semoss_generic_limit', $$dialect 'generic'$$);
CREATE FOREIGN TABLE generic_orders (id bigint)
    SERVER semoss_generic_limit OPTIONS (table_name 'orders');
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM generic_orders OFFSET 19998;
SELECT emulator('POST', '/_emulator/stats/reset') IS NOT NULL AS reset;
SELECT count(*) FROM (SELECT id FROM generic_orders OFFSET 19998) s;
SELECT stat('rows_sent') AS rows_sent;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM generic_orders LIMIT 2 OFFSET 5;
SELECT count(*) FROM (SELECT id FROM generic_orders LIMIT 2 OFFSET 5) s;
DROP SERVER semoss_generic_limit CASCADE;

-- EXPLAIN ANALYZE shows what a scan cost on the wire: SEMOSS requests and
-- the rows they carried (bytes too, with COSTS).
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT id FROM semoss.orders ORDER BY id LIMIT 10;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT order_id FROM semoss.order_items WHERE quantity = 1;

-- use_remote_estimate: the engine's own EXPLAIN gives the row estimate
-- (ANALYZE first, through raw SQL, so that its statistics are exact).
SELECT semoss_fdw_exec('semoss', 'ANALYZE orders');
EXPLAIN SELECT id FROM semoss.orders WHERE status = 'shipped';
ALTER FOREIGN TABLE semoss.orders OPTIONS (ADD use_remote_estimate 'true');
SELECT emulator('POST', '/_emulator/stats/reset') IS NOT NULL AS reset;
EXPLAIN SELECT id FROM semoss.orders WHERE status = 'shipped';
SELECT stat('sql_queries') AS remote_explains;
SELECT count(*) FROM direct.orders WHERE status = 'shipped';
-- values known only at execution: the local estimate is used
PREPARE by_status(text) AS SELECT id FROM semoss.orders WHERE status = $1;
SET plan_cache_mode = force_generic_plan;
EXPLAIN EXECUTE by_status('shipped');
RESET plan_cache_mode;
DEALLOCATE by_status;
ALTER FOREIGN TABLE semoss.orders OPTIONS (DROP use_remote_estimate);
