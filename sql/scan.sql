--
-- Paged scans, early termination, session reuse, authentication, and
-- cancellation.  The emulator's statistics show what went over the wire.
--
\set VERBOSITY default
\getenv bearer_token SEMOSS_BEARER_TOKEN

-- Paging: one column is fetched, so pages hold 10000 rows (the automatic
-- maximum); 20000 rows take two full pages and an empty one.  (OFFSET 0
-- keeps the aggregates here: the engine would otherwise compute them.)
SELECT emulator('POST', '/_emulator/stats/reset') IS NOT NULL AS reset;
SELECT count(*), sum(id) FROM (SELECT id FROM semoss.orders OFFSET 0) o;
SELECT stat('pixels') AS pixels, stat('rows_sent') AS rows_sent, stat('open_tasks') AS open_tasks;

-- Small pages: 2000 rows in pages of 7 still read exactly.
CREATE FOREIGN TABLE customers_paged (id integer, email text)
    SERVER semoss OPTIONS (table_name 'customers', fetch_size '7');
SELECT emulator('POST', '/_emulator/stats/reset') IS NOT NULL AS reset;
SELECT count(*), count(email), sum(id) FROM (SELECT * FROM customers_paged OFFSET 0) c;
SELECT stat('pixels') AS pixels, stat('rows_sent') AS rows_sent, stat('open_tasks') AS open_tasks;

-- A query that stops early removes its task.  (A volatile condition keeps
-- the LIMIT here; otherwise the engine itself would stop after 3 rows.)
SELECT emulator('POST', '/_emulator/stats/reset') IS NOT NULL AS reset;
EXPLAIN (VERBOSE, COSTS OFF) SELECT id FROM customers_paged WHERE random() >= 0 LIMIT 3;
SELECT id FROM customers_paged WHERE random() >= 0 ORDER BY id LIMIT 3;
SELECT id FROM customers_paged WHERE random() >= 0 LIMIT 3;
SELECT stat('sql_queries') AS queries, stat('rows_sent') > 3 AS read_past_the_limit;
SELECT stat('open_tasks') AS open_tasks;

-- So does a cursor closed before the end.
BEGIN;
DECLARE c CURSOR FOR SELECT id FROM customers_paged;
FETCH 10 FROM c;
SELECT stat('open_tasks') AS open_tasks_while_reading;
CLOSE c;
COMMIT;
SELECT stat('open_tasks') AS open_tasks;

-- A scan that dies with an error leaves no task behind either: its task is
-- removed in front of the next request.
CREATE FOREIGN TABLE customers_mistyped (id integer, email integer)
    SERVER semoss OPTIONS (table_name 'customers', fetch_size '100');
SELECT * FROM customers_mistyped;
SELECT count(*) FROM semoss.regions;
SELECT stat('open_tasks') AS open_tasks;

-- A rescan with a small result is replayed from memory, not re-fetched.
SELECT emulator('POST', '/_emulator/stats/reset') IS NOT NULL AS reset;
SELECT count(*) FROM generate_series(1, 3) g, LATERAL (SELECT * FROM semoss.regions OFFSET 0) r
WHERE r.id = g;
SELECT stat('sql_queries') AS sql_queries;

-- Session reuse: a warm single-page query is exactly one HTTP request.
SELECT emulator('POST', '/_emulator/stats/reset') IS NOT NULL AS reset;
SELECT name FROM semoss.regions WHERE id = 2;
SELECT name FROM semoss.regions WHERE id = 4;
SELECT stat('logins') AS logins, stat('requests') AS requests;

-- Changing the server makes a new session (one more login).
SELECT emulator('POST', '/_emulator/stats/reset') IS NOT NULL AS reset;
ALTER SERVER semoss OPTIONS (ADD connect_timeout '10');
SELECT count(*) FROM semoss.regions;
SELECT stat('logins') AS logins;

-- Another role signs in with a bearer token.
CREATE ROLE regress_bearer;
GRANT USAGE ON SCHEMA semoss TO regress_bearer;
GRANT SELECT ON semoss.regions TO regress_bearer;
\set ECHO none
SELECT format('CREATE USER MAPPING FOR regress_bearer SERVER semoss OPTIONS (bearer_token %L, bearer_provider %L)',
              :'bearer_token', 'ms') \gexec
\set ECHO all
SET ROLE regress_bearer;
SELECT count(*) FROM semoss.regions;
RESET ROLE;

-- Wrong credentials: a clear error that shows no secret.
ALTER USER MAPPING FOR regress_bearer SERVER semoss OPTIONS (SET bearer_token 'not-a-valid-token');
SET ROLE regress_bearer;
SELECT count(*) FROM semoss.regions;
RESET ROLE;
ALTER USER MAPPING FOR regress_bearer SERVER semoss
    OPTIONS (DROP bearer_token, DROP bearer_provider, ADD access_key 'sandbox-access-key', ADD secret_key 'wrong-secret');
SET ROLE regress_bearer;
SELECT count(*) FROM semoss.regions;
RESET ROLE;
DROP USER MAPPING FOR regress_bearer SERVER semoss;
DROP OWNED BY regress_bearer;
DROP ROLE regress_bearer;

-- statement_timeout stops a request that SEMOSS does not answer.
SELECT emulator('POST', '/_emulator/faults',
                '{"kind": "delay", "match": "Collect", "seconds": 6, "count": 1}') IS NOT NULL AS armed;
SELECT clock_timestamp() AS started \gset
SET statement_timeout = '300ms';
SELECT count(*) FROM semoss.orders;
RESET statement_timeout;
SELECT clock_timestamp() - :'started'::timestamptz < interval '3 seconds' AS stopped_promptly;
SELECT emulator('POST', '/_emulator/faults/clear') IS NOT NULL AS cleared;
-- and the backend goes on working
SELECT count(*) FROM semoss.regions;

-- Query cancel and pg_terminate_backend stop a hung request too; a second
-- session (through dblink) runs the query that hangs.
CREATE EXTENSION dblink;
\getenv pghost PGHOST
\getenv pgport PGPORT
SELECT format('host=%s port=%s dbname=%s user=postgres', :'pghost', :'pgport', current_database()) AS victim_dsn \gset
SELECT dblink_connect('victim', :'victim_dsn');
SELECT pid AS victim_pid FROM dblink('victim', 'SELECT pg_backend_pid()') AS t(pid int) \gset
-- (a first query makes the victim's session and insight, so the request
-- cancelled below is not the one that would have made them)
SELECT n FROM dblink('victim', 'SELECT count(*) FROM semoss.regions') AS t(n bigint);
SELECT emulator('POST', '/_emulator/faults',
                '{"kind": "delay", "match": "Collect", "seconds": 6, "count": 1}') IS NOT NULL AS armed;
SELECT dblink_send_query('victim', 'SELECT count(*) FROM semoss.orders');
SELECT pg_sleep(0.5);
SELECT clock_timestamp() AS started \gset
SELECT pg_cancel_backend(:victim_pid);
SELECT * FROM dblink_get_result('victim', false) AS t(n bigint);
SELECT * FROM dblink_get_result('victim') AS t(n bigint);
SELECT clock_timestamp() - :'started'::timestamptz < interval '3 seconds' AS cancelled_promptly;
SELECT n FROM dblink('victim', 'SELECT count(*) FROM semoss.regions') AS t(n bigint);

SELECT emulator('POST', '/_emulator/faults',
                '{"kind": "delay", "match": "Collect", "seconds": 6, "count": 1}') IS NOT NULL AS armed;
SELECT dblink_send_query('victim', 'SELECT count(*) FROM semoss.orders');
SELECT pg_sleep(0.5);
SELECT clock_timestamp() AS started \gset
SELECT pg_terminate_backend(:victim_pid, 5000) AS terminated;
SELECT clock_timestamp() - :'started'::timestamptz < interval '3 seconds' AS terminated_promptly;
SELECT dblink_disconnect('victim');
SELECT emulator('POST', '/_emulator/faults/clear') IS NOT NULL AS cleared;

-- A session that ends drops its insight and logs out on SEMOSS.
SELECT dblink_connect('leaver', :'victim_dsn');
SELECT stat('insights') AS insights_before \gset
SELECT n FROM dblink('leaver', 'SELECT count(*) FROM semoss.regions') AS t(n bigint);
SELECT stat('insights') - :insights_before AS insights_opened;
SELECT dblink_disconnect('leaver');
SELECT pg_sleep(0.5);
SELECT stat('insights') - :insights_before AS insights_left;
DROP EXTENSION dblink;
