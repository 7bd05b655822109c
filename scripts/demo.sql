-- semoss_fdw demo: SEMOSS data as ordinary PostgreSQL tables.
-- The sandbox exported the emulator's URL, engine id and keys.
\getenv semoss_url SEMOSS_URL
\getenv engine_id SEMOSS_ENGINE_ID
\getenv access_key SEMOSS_ACCESS_KEY
\getenv secret_key SEMOSS_SECRET_KEY
\pset footer off

CREATE EXTENSION semoss_fdw;

-- A SEMOSS server, its database engine, and your SEMOSS access keys.
CREATE SERVER sales_semoss FOREIGN DATA WRAPPER semoss_fdw
    OPTIONS (url :'semoss_url', engine_id :'engine_id');
\set ECHO none
CREATE USER MAPPING FOR CURRENT_USER SERVER sales_semoss
    OPTIONS (access_key :'access_key', secret_key :'secret_key');
\set ECHO queries

-- The database engines these keys can see on the SEMOSS server.
SELECT engine_name, engine_subtype, permission, description
FROM semoss_fdw_engines('sales_semoss') ORDER BY engine_name;

-- Tables of the engine's database, as foreign tables: columns, exact
-- types, NOT NULL and primary keys come from the engine's own catalog.
IMPORT FOREIGN SCHEMA public LIMIT TO (customers, orders, regions)
    FROM SERVER sales_semoss INTO public;
\d customers

-- Exact values: numerics keep every digit, timestamps their microseconds
-- (SEMOSS alone would hand back doubles and whole seconds).
SELECT id, name, credit_limit, last_login FROM customers ORDER BY id LIMIT 5;

-- SEMOSS data joined with a local table.
CREATE TABLE sales_targets (region_code char(3) PRIMARY KEY, target numeric);
INSERT INTO sales_targets VALUES ('NAE', 9000000), ('NAW', 9000000),
    ('EMA', 12000000), ('APJ', 6000000), ('LAT', 3000000);

SELECT r.name AS region,
       count(*) AS orders,
       sum(o.total) AS revenue,
       t.target,
       round(100 * sum(o.total) / t.target, 1) AS pct_of_target
FROM orders o
JOIN customers c ON c.id = o.customer_id
JOIN regions r ON r.id = c.region_id
JOIN sales_targets t ON t.region_code = r.code
WHERE o.status <> 'cancelled'
GROUP BY r.name, t.target
ORDER BY revenue DESC;

-- What was sent to SEMOSS.
EXPLAIN (VERBOSE, COSTS OFF)
SELECT id, total FROM orders WHERE status = 'paid';
