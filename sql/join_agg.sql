--
-- Joins of foreign tables and grouping (GROUP BY, aggregates, HAVING) done
-- by the engine.  Each EXPLAIN shows what is pushed; each result is compared
-- with the same query over the backing database (schema "direct", through
-- postgres_fdw) with EXCEPT ALL both ways; emulator statistics show that
-- only the joined rows or the groups travel.
--
\set VERBOSITY default

-- Run a query written with %1$s for the schema over semoss and direct, and
-- count the rows and the differences both ways.
CREATE FUNCTION same_result(query text, OUT semoss_rows bigint,
                            OUT missing_direct bigint, OUT missing_semoss bigint)
LANGUAGE plpgsql AS $$
DECLARE
    s text := format(query, 'semoss');
    d text := format(query, 'direct');
BEGIN
    EXECUTE format('SELECT (SELECT count(*) FROM (%1$s) q),
        (SELECT count(*) FROM (SELECT q::text FROM (%1$s) q EXCEPT ALL SELECT q::text FROM (%2$s) q) x),
        (SELECT count(*) FROM (SELECT q::text FROM (%2$s) q EXCEPT ALL SELECT q::text FROM (%1$s) q) x)',
                   s, d)
    INTO semoss_rows, missing_direct, missing_semoss;
END $$;

-- ==== Aggregates ====

-- count(*) alone: one row comes back.
EXPLAIN (VERBOSE, COSTS OFF) SELECT count(*) FROM semoss.orders;
SELECT emulator('POST', '/_emulator/stats/reset') IS NOT NULL AS reset;
SELECT count(*) FROM semoss.orders;
SELECT stat('sql_queries') AS remote_queries, stat('rows_sent') AS rows_sent;

-- GROUP BY with the common aggregates, under a pushed WHERE: only the
-- groups travel.
EXPLAIN (VERBOSE, COSTS OFF)
SELECT status, count(*), sum(total), avg(total), min(total), max(ordered_at),
       count(notes), count(DISTINCT customer_id)
FROM semoss.orders WHERE total > 100 GROUP BY status;
SELECT emulator('POST', '/_emulator/stats/reset') IS NOT NULL AS reset;
SELECT status, count(*), sum(total), avg(total), min(total), max(ordered_at),
       count(notes), count(DISTINCT customer_id)
FROM semoss.orders WHERE total > 100 GROUP BY status ORDER BY status;
SELECT stat('sql_queries') AS remote_queries, stat('rows_sent') AS rows_sent;
SELECT * FROM same_result($q$
SELECT status, count(*), sum(total), avg(total), min(total), max(ordered_at),
       count(notes), count(DISTINCT customer_id)
FROM %1$s.orders WHERE total > 100 GROUP BY status $q$);

-- FILTER, boolean aggregates, statistics, HAVING, grouping by an
-- expression, an expression over aggregates.
EXPLAIN (VERBOSE, COSTS OFF)
SELECT region_id, count(*) FILTER (WHERE is_vip), bool_and(is_vip), bool_or(is_vip),
       stddev(credit_limit), variance(credit_limit), sum(credit_limit) / count(*)
FROM semoss.customers GROUP BY region_id HAVING count(*) > 250;
SELECT * FROM same_result($q$
SELECT region_id, count(*) FILTER (WHERE is_vip), bool_and(is_vip), bool_or(is_vip),
       stddev(credit_limit), variance(credit_limit), sum(credit_limit) / count(*)
FROM %1$s.customers GROUP BY region_id HAVING count(*) > 250 $q$);
EXPLAIN (VERBOSE, COSTS OFF)
SELECT date_trunc('month', ordered_at) AS month, sum(total)
FROM semoss.orders GROUP BY 1;
SELECT * FROM same_result($q$
SELECT date_trunc('month', ordered_at) AS month, sum(total)
FROM %1$s.orders GROUP BY 1 $q$);
-- Grouping by a value that is equal under different text forms keeps one
-- group (GROUP BY names the expression, not the output text).
EXPLAIN (VERBOSE, COSTS OFF)
SELECT round(unit_price, 0) AS price, count(*) FROM semoss.order_items GROUP BY 1;
SELECT * FROM same_result($q$
SELECT round(unit_price, 0) AS price, count(*) FROM %1$s.order_items GROUP BY 1 $q$);

-- A select-list expression that does not ship is computed here from the
-- pushed aggregate.
CREATE FUNCTION local_half(bigint) RETURNS bigint IMMUTABLE LANGUAGE plpgsql AS 'BEGIN RETURN $1 / 2; END';
EXPLAIN (VERBOSE, COSTS OFF)
SELECT status, local_half(count(*)) FROM semoss.orders GROUP BY status;
SELECT status, local_half(count(*)) FROM semoss.orders GROUP BY status ORDER BY status;

-- Top-N groups: sorted and limited remotely, so only N rows travel.
EXPLAIN (VERBOSE, COSTS OFF)
SELECT customer_id, sum(total) FROM semoss.orders
GROUP BY customer_id ORDER BY sum(total) DESC, customer_id LIMIT 3;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT customer_id, sum(total) FROM semoss.orders
GROUP BY customer_id ORDER BY sum(total) DESC, customer_id LIMIT 3;
SELECT customer_id, sum(total) FROM semoss.orders
GROUP BY customer_id ORDER BY sum(total) DESC, customer_id LIMIT 3 OFFSET 1;
SELECT customer_id, sum(total) FROM direct.orders
GROUP BY customer_id ORDER BY sum(total) DESC, customer_id LIMIT 3 OFFSET 1;
-- With an OFFSET too; NULL and ALL mean no limit.
EXPLAIN (VERBOSE, COSTS OFF)
SELECT customer_id, sum(total) FROM semoss.orders
GROUP BY customer_id ORDER BY sum(total) DESC, customer_id LIMIT ALL OFFSET 1995;
SELECT customer_id, sum(total) FROM semoss.orders
GROUP BY customer_id ORDER BY sum(total) DESC, customer_id LIMIT NULL OFFSET 1995;
SELECT customer_id, sum(total) FROM direct.orders
GROUP BY customer_id ORDER BY sum(total) DESC, customer_id LIMIT NULL OFFSET 1995;
-- An order computed here keeps the sort and the LIMIT here.
EXPLAIN (VERBOSE, COSTS OFF)
SELECT status, count(*) FROM semoss.orders GROUP BY status ORDER BY local_half(count(*)), status LIMIT 2;
SELECT status, count(*) FROM semoss.orders GROUP BY status ORDER BY local_half(count(*)), status LIMIT 2;

-- Collation-sensitive aggregates.  Without collation_matches, those that
-- compare text stay local: min and max of text, varchar, char(n) and
-- text[] (even under COLLATE "C"), and DISTINCT inside array_agg and
-- string_agg, whose output follows the sort order.  One of them keeps the
-- whole grouping here: only the WHERE and the columns go to the engine.
EXPLAIN (VERBOSE, COSTS OFF) SELECT region_id, max(name) FROM semoss.customers GROUP BY region_id;
EXPLAIN (VERBOSE, COSTS OFF) SELECT min(code), max(name) FROM semoss.regions;
EXPLAIN (VERBOSE, COSTS OFF) SELECT max(tags) FROM semoss.customers;
EXPLAIN (VERBOSE, COSTS OFF) SELECT max(name COLLATE "C") FROM semoss.regions;
EXPLAIN (VERBOSE, COSTS OFF) SELECT array_agg(DISTINCT name) FROM semoss.regions;
EXPLAIN (VERBOSE, COSTS OFF) SELECT string_agg(DISTINCT code, ',') FROM semoss.regions;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT region_id, count(*), sum(credit_limit), max(name) FROM semoss.customers
WHERE credit_limit > 1000 GROUP BY region_id;
SELECT * FROM same_result($$SELECT region_id, count(*), sum(credit_limit), max(name)
    FROM %1$s.customers WHERE credit_limit > 1000 GROUP BY region_id$$);
-- Those that count or collect text ship: count (DISTINCT too), string_agg
-- and array_agg.
EXPLAIN (VERBOSE, COSTS OFF)
SELECT region_id, count(DISTINCT email), count(name) FROM semoss.customers GROUP BY region_id;
SELECT * FROM same_result($$SELECT region_id, count(DISTINCT email), count(name)
    FROM %1$s.customers GROUP BY region_id$$);
EXPLAIN (VERBOSE, COSTS OFF)
SELECT region_id, length(string_agg(email, ',')), cardinality(array_agg(name))
FROM semoss.customers GROUP BY region_id;
SELECT * FROM same_result($$SELECT region_id, length(string_agg(email, ',')),
    cardinality(array_agg(name)) FROM %1$s.customers GROUP BY region_id$$);
-- With collation_matches, min and max of text ship too.
ALTER SERVER semoss OPTIONS (ADD collation_matches 'true');
EXPLAIN (VERBOSE, COSTS OFF)
SELECT region_id, max(name), min(email) FROM semoss.customers GROUP BY region_id;
SELECT * FROM same_result($$SELECT region_id, max(name), min(email)
    FROM %1$s.customers GROUP BY region_id$$);
ALTER SERVER semoss OPTIONS (DROP collation_matches);
-- Not pushed either: an aggregate that is not built in...
CREATE AGGREGATE local_sum(int) (sfunc = int4pl, stype = int);
EXPLAIN (VERBOSE, COSTS OFF) SELECT local_sum(quantity) FROM semoss.order_items;
-- ...ORDER BY inside the aggregate...
EXPLAIN (VERBOSE, COSTS OFF) SELECT array_agg(id ORDER BY id) FROM semoss.regions;
-- ...a HAVING clause that does not ship...
EXPLAIN (VERBOSE, COSTS OFF)
SELECT status, count(*) FROM semoss.orders GROUP BY status HAVING local_half(count(*)) > 10;
SELECT status, count(*) FROM semoss.orders GROUP BY status HAVING local_half(count(*)) > 10 ORDER BY status;
-- ...a condition left to check here under the grouping...
EXPLAIN (VERBOSE, COSTS OFF)
SELECT count(*) FROM semoss.orders WHERE local_half(id) = 7;
-- ...grouping sets, and mutable grouping expressions.
EXPLAIN (VERBOSE, COSTS OFF)
SELECT status, count(*) FROM semoss.orders GROUP BY ROLLUP (status);
EXPLAIN (VERBOSE, COSTS OFF)
SELECT shipped_at < now(), count(*) FROM semoss.orders GROUP BY 1;
-- The generic dialect pushes nothing.
SELECT copy_semoss_server('semoss_generic_agg', 'dialect ''generic''');
CREATE FOREIGN TABLE generic_orders (id bigint, status text)
    SERVER semoss_generic_agg OPTIONS (table_name 'orders');
EXPLAIN (VERBOSE, COSTS OFF) SELECT status, count(*) FROM generic_orders GROUP BY status;

-- ==== Joins ====

-- Whether a join is done remotely is a cost decision; the engine's own
-- row estimates make the planner's join estimates realistic.
ALTER SERVER semoss OPTIONS (ADD use_remote_estimate 'true');

-- Inner join: one remote query, only joined rows travel.
EXPLAIN (VERBOSE, COSTS OFF)
SELECT o.id, c.name FROM semoss.orders o JOIN semoss.customers c ON c.id = o.customer_id
WHERE c.region_id = 3 AND o.total > 900;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT o.id, c.name FROM semoss.orders o JOIN semoss.customers c ON c.id = o.customer_id
WHERE c.region_id = 3 AND o.total > 900;
SELECT * FROM same_result($q$
SELECT o.id, c.name FROM %1$s.orders o JOIN %1$s.customers c ON c.id = o.customer_id
WHERE c.region_id = 3 AND o.total > 900 $q$);

-- Left join: the nullable side's own condition goes into ON, the
-- preserved side's into WHERE.
EXPLAIN (VERBOSE, COSTS OFF)
SELECT c.id, o.id FROM semoss.customers c
LEFT JOIN semoss.orders o ON o.customer_id = c.id AND o.status = 'cancelled'
WHERE c.region_id = 2;
SELECT * FROM same_result($q$
SELECT c.id, o.id FROM %1$s.customers c
LEFT JOIN %1$s.orders o ON o.customer_id = c.id AND o.status = 'cancelled'
WHERE c.region_id = 2 $q$);
-- A filter above an outer join that keeps NULL-extended rows.
EXPLAIN (VERBOSE, COSTS OFF)
SELECT c.id, o.id FROM semoss.customers c
LEFT JOIN semoss.orders o ON o.customer_id = c.id
WHERE o.id IS NULL OR o.total > 990;
SELECT * FROM same_result($q$
SELECT c.id, o.id FROM %1$s.customers c
LEFT JOIN %1$s.orders o ON o.customer_id = c.id
WHERE o.id IS NULL OR o.total > 990 $q$);

-- Right and full joins.
EXPLAIN (VERBOSE, COSTS OFF)
SELECT r.code, c.id FROM semoss.customers c RIGHT JOIN semoss.regions r ON r.id = c.region_id AND c.is_vip;
SELECT * FROM same_result($q$
SELECT r.code, c.id FROM %1$s.customers c RIGHT JOIN %1$s.regions r ON r.id = c.region_id AND c.is_vip $q$);
EXPLAIN (VERBOSE, COSTS OFF)
SELECT r.code, c.id FROM semoss.regions r FULL JOIN semoss.customers c ON r.id = c.region_id;
SELECT * FROM same_result($q$
SELECT r.code, c.id FROM %1$s.regions r FULL JOIN %1$s.customers c ON r.id = c.region_id $q$);
-- A full join whose sides are filtered stays local.
EXPLAIN (VERBOSE, COSTS OFF)
SELECT r.code, c.id FROM (SELECT * FROM semoss.regions WHERE id < 3) r
FULL JOIN (SELECT * FROM semoss.customers WHERE is_vip) c ON r.id = c.region_id;
SELECT * FROM same_result($q$
SELECT r.code, c.id FROM (SELECT * FROM %1$s.regions WHERE id < 3) r
FULL JOIN (SELECT * FROM %1$s.customers WHERE is_vip) c ON r.id = c.region_id $q$);

-- Three tables, an outer join over an inner one.
EXPLAIN (VERBOSE, COSTS OFF)
SELECT c.name, o.id, i.line_no FROM semoss.customers c
JOIN semoss.orders o ON o.customer_id = c.id
LEFT JOIN semoss.order_items i ON i.order_id = o.id AND i.quantity > 3
WHERE c.id < 50;
SELECT * FROM same_result($q$
SELECT c.name, o.id, i.line_no FROM %1$s.customers c
JOIN %1$s.orders o ON o.customer_id = c.id
LEFT JOIN %1$s.order_items i ON i.order_id = o.id AND i.quantity > 3
WHERE c.id < 50 $q$);

-- Semi and anti joins (EXISTS, IN, NOT EXISTS): the outer side filtered by
-- [NOT] EXISTS of the inner side, whose own conditions go inside.
EXPLAIN (VERBOSE, COSTS OFF)
SELECT c.id, c.name FROM semoss.customers c
WHERE c.region_id = 2 AND EXISTS (SELECT 1 FROM semoss.orders o WHERE o.customer_id = c.id AND o.total > 9000);
SELECT * FROM same_result($q$
SELECT c.id, c.name FROM %1$s.customers c
WHERE c.region_id = 2 AND EXISTS (SELECT 1 FROM %1$s.orders o WHERE o.customer_id = c.id AND o.total > 9000) $q$);
EXPLAIN (VERBOSE, COSTS OFF)
SELECT c.id FROM semoss.customers c
WHERE NOT EXISTS (SELECT 1 FROM semoss.orders o WHERE o.customer_id = c.id AND o.total > 9000);
SELECT * FROM same_result($q$
SELECT c.id FROM %1$s.customers c
WHERE NOT EXISTS (SELECT 1 FROM %1$s.orders o WHERE o.customer_id = c.id AND o.total > 9000) $q$);
SELECT * FROM same_result($q$
SELECT r.code FROM %1$s.regions r
WHERE r.id IN (SELECT c.region_id FROM %1$s.customers c JOIN %1$s.orders o ON o.customer_id = c.id
               WHERE o.total > 10000) $q$);
-- A semi join on the nullable side of a left join: its EXISTS goes into ON.
EXPLAIN (VERBOSE, COSTS OFF)
SELECT r.code, c.id FROM semoss.regions r
LEFT JOIN (SELECT * FROM semoss.customers c2
           WHERE EXISTS (SELECT 1 FROM semoss.orders o WHERE o.customer_id = c2.id AND o.total > 10000)) c
ON c.region_id = r.id;
SELECT * FROM same_result($q$
SELECT r.code, c.id FROM %1$s.regions r
LEFT JOIN (SELECT * FROM %1$s.customers c2
           WHERE EXISTS (SELECT 1 FROM %1$s.orders o WHERE o.customer_id = c2.id AND o.total > 10000)) c
ON c.region_id = r.id $q$);

-- A join, then a grouping of it: both remote, only the groups travel.
EXPLAIN (VERBOSE, COSTS OFF)
SELECT r.name, count(*), sum(o.total) FROM semoss.orders o
JOIN semoss.customers c ON c.id = o.customer_id
JOIN semoss.regions r ON r.id = c.region_id
GROUP BY r.name;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT r.name, count(*), sum(o.total) FROM semoss.orders o
JOIN semoss.customers c ON c.id = o.customer_id
JOIN semoss.regions r ON r.id = c.region_id
GROUP BY r.name;
SELECT r.name, count(*), sum(o.total) FROM semoss.orders o
JOIN semoss.customers c ON c.id = o.customer_id
JOIN semoss.regions r ON r.id = c.region_id
GROUP BY r.name ORDER BY r.name;

-- Top-N of a join: sorted and limited remotely.
EXPLAIN (VERBOSE, COSTS OFF)
SELECT o.id, o.total, c.name FROM semoss.orders o JOIN semoss.customers c ON c.id = o.customer_id
ORDER BY o.total DESC, o.id LIMIT 5;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT o.id, o.total, c.name FROM semoss.orders o JOIN semoss.customers c ON c.id = o.customer_id
ORDER BY o.total DESC, o.id LIMIT 5;
SELECT o.id, o.total, c.name FROM semoss.orders o JOIN semoss.customers c ON c.id = o.customer_id
ORDER BY o.total DESC, o.id LIMIT 5;
SELECT o.id, o.total, c.name FROM direct.orders o JOIN direct.customers c ON c.id = o.customer_id
ORDER BY o.total DESC, o.id LIMIT 5;
-- A page deep into a join: only its rows travel.
EXPLAIN (VERBOSE, COSTS OFF)
SELECT o.id, c.name FROM semoss.orders o JOIN semoss.customers c ON c.id = o.customer_id
ORDER BY o.id LIMIT 3 OFFSET 15000;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT o.id, c.name FROM semoss.orders o JOIN semoss.customers c ON c.id = o.customer_id
ORDER BY o.id LIMIT 3 OFFSET 15000;
SELECT o.id, c.name FROM semoss.orders o JOIN semoss.customers c ON c.id = o.customer_id
ORDER BY o.id LIMIT 3 OFFSET 15000;
SELECT o.id, c.name FROM direct.orders o JOIN direct.customers c ON c.id = o.customer_id
ORDER BY o.id LIMIT 3 OFFSET 15000;

-- Literals in join conditions cannot change the remote SQL's shape.
EXPLAIN (VERBOSE, COSTS OFF)
SELECT c.id FROM semoss.customers c JOIN semoss.orders o
ON o.customer_id = c.id AND o.notes = E'x''; DROP TABLE orders; --</encode>\\';
SELECT c.id FROM semoss.customers c JOIN semoss.orders o
ON o.customer_id = c.id AND o.notes = E'x''; DROP TABLE orders; --</encode>\\';

-- Not pushed: a join condition that does not ship...
EXPLAIN (VERBOSE, COSTS OFF)
SELECT c.id, o.id FROM semoss.customers c JOIN semoss.orders o
ON o.customer_id = c.id AND local_half(o.id) = c.id;
SELECT * FROM same_result($q$
SELECT c.id, o.id FROM %1$s.customers c JOIN %1$s.orders o
ON o.customer_id = c.id AND local_half(o.id) = c.id $q$);
-- ...tables of different engines...
\getenv nocatalog_engine SEMOSS_NOCATALOG_ENGINE_ID
CREATE FOREIGN TABLE other_engine_regions (id smallint, code char(3))
    SERVER semoss OPTIONS (table_name 'regions', engine_id :'nocatalog_engine');
EXPLAIN (VERBOSE, COSTS OFF)
SELECT c.id, r.code FROM semoss.customers c JOIN other_engine_regions r ON r.id = c.region_id;
-- ...a join of a foreign table with a local one (a parameterized scan or
-- a local join)...
CREATE TABLE local_regions AS SELECT id, code FROM direct.regions;
ANALYZE local_regions;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT c.id, r.code FROM semoss.customers c JOIN local_regions r ON r.id = c.region_id;
-- ...and joins under UPDATE or row locks, which may need a joined row
-- re-checked here.
EXPLAIN (VERBOSE, COSTS OFF)
SELECT c.id FROM semoss.customers c JOIN semoss.regions r ON r.id = c.region_id FOR UPDATE OF c;

-- A value that does not fit its column is reported with the table and
-- column it came from, in a join too.
CREATE FOREIGN TABLE bad_regions (id smallint, code integer)
    SERVER semoss OPTIONS (table_name 'regions');
EXPLAIN (COSTS OFF)
SELECT c.id, r.code FROM semoss.customers c JOIN bad_regions r ON r.id = c.region_id;
SELECT c.id, r.code FROM semoss.customers c JOIN bad_regions r ON r.id = c.region_id;
-- and in an aggregate, by its position in the remote select list.
CREATE FOREIGN TABLE bad_totals (status text, total integer)
    SERVER semoss OPTIONS (table_name 'orders');
SELECT status, max(total) FROM bad_totals GROUP BY status;

ALTER SERVER semoss OPTIONS (DROP use_remote_estimate);
DROP FOREIGN TABLE generic_orders, other_engine_regions, bad_regions, bad_totals;
DROP SERVER semoss_generic_agg CASCADE;
DROP TABLE local_regions;
DROP AGGREGATE local_sum(int);
DROP FUNCTION local_half(bigint);
DROP FUNCTION same_result(text);

-- semoss_fdw.pushdown = off sends only the column lists: everything else
-- is done here, with the same results.
SET semoss_fdw.pushdown = off;
EXPLAIN (VERBOSE, COSTS OFF)
SELECT c.region_id, count(*) FROM semoss.orders o JOIN semoss.customers c ON c.id = o.customer_id
WHERE o.total > 9000 GROUP BY c.region_id ORDER BY c.region_id LIMIT 3;
SELECT c.region_id, count(*) FROM semoss.orders o JOIN semoss.customers c ON c.id = o.customer_id
WHERE o.total > 9000 GROUP BY c.region_id ORDER BY c.region_id LIMIT 3;
RESET semoss_fdw.pushdown;
SELECT c.region_id, count(*) FROM semoss.orders o JOIN semoss.customers c ON c.id = o.customer_id
WHERE o.total > 9000 GROUP BY c.region_id ORDER BY c.region_id LIMIT 3;
