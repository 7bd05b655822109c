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
