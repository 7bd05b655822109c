--
-- Operability: this backend's cached SEMOSS sessions, closing them (never
-- one a running scan reads through), and the versions for a bug report.
--
\set VERBOSITY terse

-- A second server on the same SEMOSS, whose user mapping is PUBLIC.
SELECT copy_semoss_server('semoss_op', '', 'PUBLIC');
CREATE FOREIGN TABLE op_regions (id smallint, name text) SERVER semoss_op OPTIONS (table_name 'regions');
CREATE FOREIGN TABLE op_paged (id integer) SERVER semoss OPTIONS (table_name 'customers', fetch_size '10');

SELECT wait_in_flight() AS settled;

-- Nothing is cached before the first query.
SELECT * FROM semoss_fdw_get_connections();

-- A cold query logs in (GET /config) and runs one pixel: two requests.
SELECT count(*) FROM semoss.regions;
SELECT server_name, user_name, insight_id IS NOT NULL AS has_insight, requests, logins,
       bytes_received > 0 AS received,
       opened_at BETWEEN now() - interval '1 minute' AND clock_timestamp() AS opened_now,
       broken, open_tasks
FROM semoss_fdw_get_connections();
-- A warm one is a single request on the same insight.
SELECT insight_id AS first_insight FROM semoss_fdw_get_connections() \gset
SELECT count(*) FROM semoss.regions;
SELECT requests, logins, insight_id = :'first_insight' AS same_insight FROM semoss_fdw_get_connections();

-- One session per user mapping: the PUBLIC mapping of the second server.
SELECT count(*) FROM op_regions;
SELECT server_name, user_name, requests, broken, open_tasks
FROM semoss_fdw_get_connections() ORDER BY server_name;
SELECT stat('insights') AS insights;

-- A session that a running scan reads through is not closed: not from the
-- scan's own statement, nor while a cursor is open.  disconnect_all()
-- closes the others, and says it closed something.
SELECT semoss_fdw_disconnect('semoss') FROM semoss.regions WHERE id = 1;
BEGIN;
DECLARE c CURSOR FOR SELECT id FROM op_paged;
FETCH 2 FROM c;
SELECT server_name, open_tasks FROM semoss_fdw_get_connections() ORDER BY server_name;
SELECT semoss_fdw_disconnect('semoss');
SELECT semoss_fdw_disconnect_all();
SELECT server_name FROM semoss_fdw_get_connections();
FETCH 2 FROM c;
COMMIT;
SELECT stat('insights') AS insights, stat('open_tasks') AS open_tasks;

-- Outside a transaction that uses it, a session is closed politely: its
-- insight is dropped and it logs out on SEMOSS.
SELECT semoss_fdw_disconnect('semoss');
SELECT count(*) AS sessions_left FROM semoss_fdw_get_connections();
SELECT stat('insights') AS insights;
SELECT semoss_fdw_disconnect('semoss');
SELECT semoss_fdw_disconnect('no_such_server');
SELECT semoss_fdw_disconnect(NULL);
-- The next query simply opens a new session.
SELECT count(*) FROM op_regions;
SELECT count(*) FROM semoss.regions;
SELECT server_name, requests, logins FROM semoss_fdw_get_connections() ORDER BY server_name;
SELECT semoss_fdw_disconnect_all();
SELECT count(*) AS sessions_left FROM semoss_fdw_get_connections();
SELECT stat('insights') AS insights;
SELECT semoss_fdw_disconnect_all();

-- A request cut off by statement_timeout leaves the session broken; it is
-- replaced (DropInsight, logout) before its next use.
SELECT count(*) FROM semoss.regions;
SELECT emulator('POST', '/_emulator/faults',
                '{"kind": "delay", "match": "Collect", "seconds": 1}') ? 'added' AS armed;
SET statement_timeout = '200ms';
SELECT count(*) FROM semoss.regions;
RESET statement_timeout;
SELECT server_name, broken FROM semoss_fdw_get_connections();
SELECT insight_id AS broken_insight FROM semoss_fdw_get_connections() \gset
SELECT count(*) FROM semoss.regions;
SELECT broken, logins, insight_id <> :'broken_insight' AS new_insight FROM semoss_fdw_get_connections();
SELECT wait_in_flight() AS delayed_request_done;

-- A cached session of a server dropped meanwhile is listed without a
-- server or user, marked broken, and closed by disconnect_all.
SELECT count(*) FROM op_regions;
DROP SERVER semoss_op CASCADE;
SELECT server_name, user_name, broken FROM semoss_fdw_get_connections() ORDER BY server_name;
SELECT semoss_fdw_disconnect_all();
SELECT count(*) AS sessions_left FROM semoss_fdw_get_connections();

-- Versions for a bug report: the extension (and the PostgreSQL it was built
-- for), the running PostgreSQL, libcurl with its TLS library, json-c.
SELECT semoss_fdw_diag() ~ '^semoss_fdw 1\.0 \(built for PostgreSQL [0-9].*\), PostgreSQL [0-9][^,]*, libcurl [0-9.]+ with [^,]+, json-c [0-9.]+$'
       AS diag_format,
       position(', PostgreSQL ' || current_setting('server_version') || ',' IN semoss_fdw_diag()) > 0
       AS diag_running_version;

-- The cancelled request signed in anew on SEMOSS when it finally ran; drop
-- that stray session so later tests start clean.
SELECT emulator('POST', '/_emulator/sessions/expire') ? 'expired' AS expired;
SELECT stat('insights') AS insights, stat('open_tasks') AS open_tasks;
