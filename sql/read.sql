--
-- Reading SEMOSS tables: results equal a direct read of the backing
-- database, projection, the query option, column names, joins with local
-- tables, and errors from the remote side.
--
\set VERBOSITY default

-- The first rows, and EXPLAIN showing what is sent.
EXPLAIN (VERBOSE, COSTS OFF) SELECT id, name FROM semoss.customers;
SELECT id, name, email, region_id, is_vip FROM semoss.customers ORDER BY id LIMIT 5;
SELECT * FROM semoss.regions ORDER BY id;

-- Whole tables are exactly what the backing database holds (compared as
-- row text, so every column of every type counts).
SELECT u.t, s.*
FROM unnest(ARRAY['customers', 'products', 'orders', 'order_items']) WITH ORDINALITY AS u(t, n),
     LATERAL same_rows(format('semoss.%I', u.t)::regclass, format('direct.%I', u.t)::regclass) s
ORDER BY u.n;

-- Projection: only the needed columns travel; none at all when no column
-- is used.
EXPLAIN (VERBOSE, COSTS OFF) SELECT 1 FROM semoss.orders;
EXPLAIN (VERBOSE, COSTS OFF) SELECT status FROM semoss.orders WHERE total > 100;
SELECT status, count(*), sum(total) FROM semoss.orders GROUP BY status ORDER BY status;
SELECT status, count(*), sum(total) FROM direct.orders GROUP BY status ORDER BY status;

-- A whole-row reference fetches every column.
SELECT r FROM semoss.regions r WHERE r.id = 3;

-- A join of SEMOSS data with a local table.
CREATE TABLE local_targets (region_code char(3) PRIMARY KEY, target numeric);
INSERT INTO local_targets VALUES ('NAE', 500000), ('EMA', 750000), ('APJ', 250000);
SELECT r.code, t.target, count(o.id) AS orders, sum(o.total) AS revenue
FROM semoss.orders o
JOIN semoss.customers c ON c.id = o.customer_id
JOIN semoss.regions r ON r.id = c.region_id
JOIN local_targets t ON t.region_code = r.code
WHERE o.status <> 'cancelled'
GROUP BY r.code, t.target
ORDER BY r.code;
SELECT r.code, t.target, count(o.id) AS orders, sum(o.total) AS revenue
FROM direct.orders o
JOIN direct.customers c ON c.id = o.customer_id
JOIN direct.regions r ON r.id = c.region_id
JOIN local_targets t ON t.region_code = r.code
WHERE o.status <> 'cancelled'
GROUP BY r.code, t.target
ORDER BY r.code;

-- A remote query used as a table, and remote column names.
CREATE FOREIGN TABLE region_sizes (region smallint, customers bigint)
    SERVER semoss
    OPTIONS (query 'SELECT region_id AS region, count(*) AS customers FROM customers GROUP BY region_id;  ');
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM region_sizes;
SELECT * FROM region_sizes ORDER BY region NULLS FIRST;
CREATE FOREIGN TABLE renamed (
    key integer OPTIONS (column_name 'id'),
    label text OPTIONS (column_name 'name')
) SERVER semoss OPTIONS (table_name 'regions');
SELECT key, label FROM renamed ORDER BY key;

-- Errors from the remote side come back with SEMOSS's message.
CREATE FOREIGN TABLE missing (id int) SERVER semoss OPTIONS (table_name 'no_such_table');
SELECT * FROM missing;
-- A value that does not fit the local type names the table, column and row.
CREATE FOREIGN TABLE mistyped (id int, code integer) SERVER semoss OPTIONS (table_name 'regions');
SELECT * FROM mistyped;
-- An engine that does not exist, or that the user may not see.
CREATE FOREIGN TABLE wrong_engine (id int) SERVER semoss
    OPTIONS (table_name 'regions', engine_id '00000000-dead-beef-0000-000000000000');
SELECT * FROM wrong_engine;
-- The backend is still fine afterwards.
SELECT count(*) FROM semoss.regions;

-- The dialect follows the engine's SEMOSS subtype ("auto", the default;
-- the other tests pin dialect 'postgres' so that their request counts are
-- exact), asked once per session with MyEngines.
SELECT copy_semoss_server('semoss_auto');
ALTER SERVER semoss_auto OPTIONS (DROP dialect);
CREATE FOREIGN TABLE auto_regions (id smallint, code char(3))
    SERVER semoss_auto OPTIONS (table_name 'regions');
SELECT emulator('POST', '/_emulator/stats/reset') IS NOT NULL AS reset;
EXPLAIN (VERBOSE, COSTS OFF) SELECT code FROM auto_regions WHERE id = 1;
SELECT code FROM auto_regions WHERE id = 1;
SELECT count(*) FROM auto_regions WHERE id = 2;
SELECT count(*) FILTER (WHERE p LIKE '%MyEngines%') AS engine_listings,
       count(*) FILTER (WHERE p LIKE '%Query(%') AS queries
FROM jsonb_array_elements_text(emulator('GET', '/_emulator/stats') -> 'recent_pixels') p;
-- An engine of a subtype no dialect is written for is refused, with what
-- to do about it; so is an engine the user cannot see.
\getenv h2_engine SEMOSS_H2_ENGINE_ID
CREATE FOREIGN TABLE h2_regions (id smallint, code char(3))
    SERVER semoss_auto OPTIONS (table_name 'regions', engine_id :'h2_engine');
SELECT code FROM h2_regions WHERE id = 1;
ALTER FOREIGN TABLE h2_regions OPTIONS (SET engine_id '00000000-dead-beef-0000-000000000000');
SELECT code FROM h2_regions WHERE id = 1;
-- The generic dialect reads it, with plain SQL.
ALTER SERVER semoss_auto OPTIONS (ADD dialect 'generic');
ALTER FOREIGN TABLE h2_regions OPTIONS (SET engine_id :'h2_engine');
EXPLAIN (VERBOSE, COSTS OFF) SELECT code FROM h2_regions WHERE id = 1;
SELECT code FROM h2_regions ORDER BY id;
-- An explicit dialect is used as given, without asking SEMOSS.
SELECT semoss_fdw_disconnect_all() IS NOT NULL AS disconnected;
SELECT emulator('POST', '/_emulator/stats/reset') IS NOT NULL AS reset;
SELECT code FROM h2_regions WHERE id = 1;
SELECT count(*) FILTER (WHERE p LIKE '%MyEngines%') AS engine_listings
FROM jsonb_array_elements_text(emulator('GET', '/_emulator/stats') -> 'recent_pixels') p;
DROP SERVER semoss_auto CASCADE;
