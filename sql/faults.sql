--
-- The fault matrix.  Every failure the emulator can inject, on the first
-- request of a scan or in the middle of one (page 3 of a table read in
-- pages of 10 rows).  For each: a clean ERROR with a fitting SQLSTATE, or a
-- transparent retry where retrying is safe (logging in again, a new insight
-- before any row was read); the backend stays up and its next query works;
-- and SEMOSS is left with no open task and no insight but this backend's.
-- A scan that already read rows is never restarted silently.
--
-- Messages with variable text (byte offsets, task ids) are shown with the
-- digits replaced; the SQLSTATE of every error is echoed.
--
\set VERBOSITY terse
\getenv secret_key SEMOSS_SECRET_KEY
\getenv access_key SEMOSS_ACCESS_KEY

-- Everything the FDW reports, DEBUG included, goes to the server log, which
-- scripts/test searches for the secret key at the end.
SET log_min_messages = debug1;

-- Requests that earlier tests cancelled may still run on the emulator
-- (SEMOSS cannot cancel a pixel) and may open sessions when they finish.
-- Wait for them, then drop every session, so the counts below are ours.
SELECT wait_in_flight() AS settled;
SELECT emulator('POST', '/_emulator/sessions/expire') ? 'expired' AS expired;
SELECT stat('sessions') AS sessions, stat('insights') AS insights, stat('open_tasks') AS open_tasks;

-- Pages of 10 rows (2000 rows: 201 requests).  keep() is a local filter, so
-- the planner cannot send the count to SEMOSS: the scan reads every page.
CREATE FOREIGN TABLE ft_paged (id integer, email text)
    SERVER semoss OPTIONS (table_name 'customers', fetch_size '10');
CREATE FUNCTION keep(integer) RETURNS boolean LANGUAGE plpgsql IMMUTABLE
    AS 'BEGIN RETURN true; END';

-- inject(kind, after [, params]): arm a fault for the next request of a
-- scan of ft_paged: its first request (after 0) or page 3 (after 2).
CREATE FUNCTION inject(kind text, after int, params jsonb DEFAULT '{}')
RETURNS boolean LANGUAGE sql AS $$
    SELECT emulator('POST', '/_emulator/faults',
                    jsonb_build_object('kind', kind, 'match', 'Collect(10)', 'after', after)
                    || params) ? 'added'
$$;

-- recovered(): the next query on this backend reads the whole table, and
-- then SEMOSS holds no open task and only this backend's insight.
CREATE FUNCTION recovered(OUT next_query bigint, OUT open_tasks bigint, OUT insights bigint)
LANGUAGE plpgsql AS $$
BEGIN
    SELECT count(*) INTO next_query FROM ft_paged WHERE keep(id);
    open_tasks := stat('open_tasks');
    insights := stat('insights');
END $$;

-- masked(text): the text with its digits replaced, for variable messages.
CREATE FUNCTION masked(text) RETURNS text LANGUAGE sql
    AS $$ SELECT regexp_replace($1, '[0-9]+', 'N', 'g') $$;

SELECT count(*), sum(id) FROM ft_paged WHERE keep(id);
SELECT stat('sessions') AS sessions, stat('insights') AS insights, stat('open_tasks') AS open_tasks;

--
-- Session expiry.  An expired session met on the first request of a scan is
-- renewed transparently; met in the middle of a scan, its result is gone
-- and the scan fails with a message that says so.
--
-- 302 on the first request: log in again, retry, succeed.
SELECT logins AS logins_before FROM semoss_fdw_get_connections() WHERE server_name = 'semoss' \gset
SELECT inject('status', 0, '{"status": 302}');
SELECT count(*), sum(id) FROM ft_paged WHERE keep(id);
SELECT logins - :logins_before AS new_logins FROM semoss_fdw_get_connections() WHERE server_name = 'semoss';
-- The session expires between queries (its insight and tasks are dropped):
-- the next query logs in again and makes a new insight without a fuss.
SELECT inject('expire_session', 0);
SELECT count(*), sum(id) FROM ft_paged WHERE keep(id);
SELECT * FROM recovered();
-- The session expires in the middle of a scan (page 3): Authorization goes
-- with every request, so SEMOSS logs us in again, but the new session does
-- not have the insight that held the scan's task.
SELECT inject('expire_session', 2);
SELECT count(*), sum(id) FROM ft_paged WHERE keep(id);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM recovered();
-- The same with a 302 (SEMOSS's no-user filter): log in again, retry the
-- page, and find the insight gone.  Rows were already returned (a cursor),
-- so the scan must fail rather than start over.
BEGIN;
DECLARE c CURSOR FOR SELECT id FROM ft_paged WHERE keep(id);
FETCH 3 FROM c;
MOVE 20 IN c;
SELECT emulator('POST', '/_emulator/sessions/expire') ? 'expired' AS expired;
SELECT inject('status', 0, '{"status": 302}');
FETCH 10 FROM c;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
SELECT * FROM recovered();

--
-- CSRF: a 403 with X-CSRF-Token: Required is answered by fetching a new
-- token and retrying once; a second refusal is an error.
--
SELECT coalesce((emulator('GET', '/_emulator/stats') #>> '{requests_by_path,/Monolith/api/config/fetchCsrf}')::int, 0)
       AS csrf_before \gset
SELECT inject('csrf_required', 2);
SELECT count(*), sum(id) FROM ft_paged WHERE keep(id);
SELECT coalesce((emulator('GET', '/_emulator/stats') #>> '{requests_by_path,/Monolith/api/config/fetchCsrf}')::int, 0)
       - :csrf_before AS csrf_fetches;
SELECT inject('csrf_required', 2, '{"count": 2}');
SELECT count(*), sum(id) FROM ft_paged WHERE keep(id);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM recovered();

--
-- 400 INSIGHT_NOT_FOUND.  Before any row was read the query runs again on
-- a new insight; on page 3 the scan's task is gone with the insight, and
-- the scan fails.  (The emulator only says the insight is gone: the one it
-- kept lingers until this backend logs out, so it is disconnected after
-- each case to keep the insight count exact.)
--
SELECT inject('insight_not_found', 0);
SELECT count(*), sum(id) FROM ft_paged WHERE keep(id);
SELECT semoss_fdw_disconnect('semoss');
SELECT inject('insight_not_found', 2);
SELECT count(*), sum(id) FROM ft_paged WHERE keep(id);
\echo :LAST_ERROR_SQLSTATE
SELECT semoss_fdw_disconnect('semoss');
SELECT * FROM recovered();

--
-- Broken replies: an error, never a wrong or partial result.
--
-- 500 with an HTML page, on the first request
SELECT inject('status', 0);
SELECT count(*), sum(id) FROM ft_paged WHERE keep(id);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM recovered();
-- an HTML page with status 200, on the first request
SELECT inject('non_json', 0);
SELECT count(*), sum(id) FROM ft_paged WHERE keep(id);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM recovered();
-- JSON cut in half, on page 3
\set VERBOSITY sqlstate
SELECT inject('truncated_json', 2);
SELECT count(*), sum(id) FROM ft_paged WHERE keep(id);
SELECT masked(:'LAST_ERROR_MESSAGE') AS message;
SELECT * FROM recovered();
-- bytes that are not UTF-8, on page 3
SELECT inject('invalid_utf8', 2);
SELECT count(*), sum(id) FROM ft_paged WHERE keep(id);
SELECT masked(:'LAST_ERROR_MESSAGE') AS message;
SELECT * FROM recovered();
-- the pixel reports ERROR on page 3
SELECT inject('pixel_error', 2, '{"message": "Emulated failure on page 3"}');
SELECT count(*), sum(id) FROM ft_paged WHERE keep(id);
SELECT masked(:'LAST_ERROR_MESSAGE') AS message;
SELECT * FROM recovered();
\set VERBOSITY terse

-- A 100 MB cell on page 3 is read whole: a reply is held in memory once,
-- plus json-c's copy and the datum, about 3.3 times the page in all (bounded:
-- a reply over 1 GB, PostgreSQL's limit for one value, is refused).
CREATE FOREIGN TABLE ft_text (email text, id integer)
    SERVER semoss OPTIONS (table_name 'customers', fetch_size '10');
SELECT inject('huge_cell', 2, '{"bytes": 100000000}');
SELECT id, length(email), left(email, 3) AS head
FROM (SELECT * FROM ft_text WHERE keep(id) OFFSET 0) t WHERE length(email) > 1000;
SELECT * FROM recovered();

--
-- Transport failures.
--
-- connection reset on page 3: the request may have run, so it is not sent
-- again; the session is replaced before its next use
SELECT inject('reset', 2);
SELECT count(*), sum(id) FROM ft_paged WHERE keep(id);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM recovered();
-- server down: nothing listens on the port
CREATE SERVER semoss_down FOREIGN DATA WRAPPER semoss_fdw
    OPTIONS (url 'http://127.0.0.1:1/Monolith/api', engine_id 'sales');
CREATE USER MAPPING FOR CURRENT_USER SERVER semoss_down
    OPTIONS (access_key 'ak', secret_key 'not-the-real-secret');
CREATE FOREIGN TABLE ft_down (id integer) SERVER semoss_down OPTIONS (table_name 'customers');
SELECT count(*) FROM ft_down;
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM recovered();
-- SEMOSS trickles bytes: request_timeout ends the request
ALTER SERVER semoss OPTIONS (ADD request_timeout '1');
SELECT inject('trickle', 2, '{"seconds": 4}');
SELECT clock_timestamp() AS started \gset
SELECT count(*), sum(id) FROM ft_paged WHERE keep(id);
\echo :LAST_ERROR_SQLSTATE
SELECT clock_timestamp() - :'started'::timestamptz BETWEEN interval '1 second' AND interval '3 seconds'
       AS stopped_by_request_timeout;
ALTER SERVER semoss OPTIONS (DROP request_timeout);
SELECT * FROM recovered();

--
-- Cancellation.  A delayed request that statement_timeout cuts off still
-- runs on SEMOSS later: SEMOSS cannot cancel a pixel.  The FDW marks the
-- session broken and replaces it (DropInsight, logout) before its next use.
--
-- Delay on page 3: the session is replaced at once; when the delayed
-- request finally runs, it signs in anew (Authorization goes with every
-- request) and finds its insight gone.  What is left on SEMOSS is one empty
-- session, which SEMOSS's session timeout removes.
SELECT stat('sessions') AS sessions_before \gset
SELECT inject('delay', 2, '{"seconds": 1.5}');
SET statement_timeout = '300ms';
SELECT count(*), sum(id) FROM ft_paged WHERE keep(id);
RESET statement_timeout;
SELECT * FROM recovered();
SELECT wait_in_flight() AS delayed_request_done;
SELECT stat('open_tasks') AS open_tasks, stat('insights') AS insights,
       stat('sessions') - :sessions_before AS leftover_sessions;
-- Delay on the first request of a new session: that request creates the
-- session's insight (insightId=new), so when it finally runs, on a session
-- of its own, it makes an insight and an open task that semoss_fdw never
-- learns about.  They stay until SEMOSS's session timeout (120 minutes by
-- default); here the emulator's sessions are expired to clean up.
SELECT semoss_fdw_disconnect('semoss');
SELECT inject('delay', 0, '{"seconds": 1.5}');
SET statement_timeout = '300ms';
SELECT count(*), sum(id) FROM ft_paged WHERE keep(id);
RESET statement_timeout;
SELECT * FROM recovered();
SELECT wait_in_flight() AS delayed_request_done;
SELECT stat('open_tasks') AS open_tasks, stat('insights') AS insights;
SELECT emulator('POST', '/_emulator/sessions/expire') ? 'expired' AS expired;
SELECT * FROM recovered();

-- Trickled bytes do not delay a cancel: statement_timeout, pg_cancel_backend
-- and pg_terminate_backend each end the request in under a second (polling
-- every 50 ms; measured latencies are a few milliseconds).
SELECT inject('trickle', 2, '{"seconds": 5}');
SET statement_timeout = '300ms';
SELECT clock_timestamp() AS started \gset
SELECT count(*), sum(id) FROM ft_paged WHERE keep(id);
RESET statement_timeout;
SELECT clock_timestamp() - :'started'::timestamptz < interval '1.3 seconds' AS stopped_within_1s_of_timeout;
SELECT * FROM recovered();

SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dblink;
RESET client_min_messages;
\getenv pghost PGHOST
\getenv pgport PGPORT
SELECT format('host=%s port=%s dbname=%s user=postgres', :'pghost', :'pgport', current_database())
       AS victim_dsn \gset
SELECT dblink_connect('victim', :'victim_dsn');
SELECT pid AS victim_pid FROM dblink('victim', 'SELECT pg_backend_pid()') AS t(pid int) \gset
-- the victim reads a page first, so it has an insight
SELECT n FROM dblink('victim', 'SELECT count(*) FROM semoss.regions') AS t(n bigint);
-- wait_trickling(): true once the armed fault was taken and the emulator
-- is trickling that reply
CREATE FUNCTION wait_trickling() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1..250 LOOP
        IF jsonb_array_length(emulator('GET', '/_emulator/faults') -> 'faults') = 0
           AND stat('in_flight') > 0 THEN
            RETURN true;
        END IF;
        PERFORM pg_sleep(0.02);
    END LOOP;
    RETURN false;
END $$;
SELECT inject('trickle', 2, '{"seconds": 5}');
SELECT dblink_send_query('victim', 'SELECT count(*) FROM ft_paged WHERE keep(id)');
SELECT wait_trickling() AS trickling;
SELECT clock_timestamp() AS started \gset
SELECT pg_cancel_backend(:victim_pid);
SELECT * FROM dblink_get_result('victim', false) AS t(n bigint);
SELECT * FROM dblink_get_result('victim') AS t(n bigint);
SELECT clock_timestamp() - :'started'::timestamptz < interval '1 second' AS cancelled_within_1s;
SELECT n FROM dblink('victim', 'SELECT count(*) FROM ft_paged WHERE keep(id)') AS t(n bigint);

SELECT inject('trickle', 2, '{"seconds": 5}');
SELECT dblink_send_query('victim', 'SELECT count(*) FROM ft_paged WHERE keep(id)');
SELECT wait_trickling() AS trickling;
SELECT clock_timestamp() AS started \gset
SELECT pg_terminate_backend(:victim_pid, 5000) AS terminated;
SELECT clock_timestamp() - :'started'::timestamptz < interval '1 second' AS terminated_within_1s;
SELECT dblink_disconnect('victim');
-- the terminated backend dropped its insight and logged out on its way out
SELECT * FROM recovered();

--
-- Secrets.  A hostile server that echoes the credentials in an error page
-- or a pixel error: the FDW masks them in every message, detail, hint and
-- context.  EXPLAIN and the emulator's record of pixels and SQL never hold
-- them either.
--
\set ECHO none
SELECT set_config('semoss_test.secret', :'secret_key', false) IS NOT NULL AS secret_set;
SELECT set_config('semoss_test.credential',
                  encode(convert_to(:'access_key' || ':' || :'secret_key', 'UTF8'), 'base64'),
                  false) IS NOT NULL AS credential_set;
\set ECHO all
-- no_secret(text): true if text holds neither the secret key nor the
-- base64 credentials
CREATE FUNCTION no_secret(t text) RETURNS boolean LANGUAGE sql AS $$
    SELECT position(current_setting('semoss_test.secret') IN coalesce(t, '')) = 0
       AND position(current_setting('semoss_test.credential') IN coalesce(t, '')) = 0
$$;
-- error_of(query): run query, return its SQLSTATE, whether every part of
-- the error is free of secrets, and whether the detail shows the masking
CREATE FUNCTION error_of(query text, OUT code text, OUT secret_free boolean, OUT masked boolean)
LANGUAGE plpgsql AS $$
DECLARE
    m text; d text; h text; c text;
BEGIN
    EXECUTE query;
    code := '00000';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, m = MESSAGE_TEXT,
        d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT, c = PG_EXCEPTION_CONTEXT;
    secret_free := no_secret(concat_ws(' ', m, d, h, c));
    masked := position(repeat('*', length(current_setting('semoss_test.secret'))) IN d) > 0;
END $$;
-- hostile(kind, field): arm a fault whose text echoes both secrets
CREATE FUNCTION hostile(kind text, field text) RETURNS boolean LANGUAGE sql AS $$
    SELECT inject(kind, 2, jsonb_build_object(field,
        'Authorization: Basic ' || current_setting('semoss_test.credential')
        || ' secret_key=' || current_setting('semoss_test.secret')))
$$;
SELECT hostile('status', 'body');
SELECT * FROM error_of('SELECT count(*) FROM ft_paged WHERE keep(id)');
SELECT hostile('non_json', 'body');
SELECT * FROM error_of('SELECT count(*) FROM ft_paged WHERE keep(id)');
SELECT hostile('pixel_error', 'message');
SELECT * FROM error_of('SELECT count(*) FROM ft_paged WHERE keep(id)');
-- one uncaught, so its detail reaches the server log that scripts/test
-- searches for the secrets
SELECT hostile('status', 'body');
SELECT count(*), sum(id) FROM ft_paged WHERE keep(id);
SELECT * FROM recovered();
-- EXPLAIN VERBOSE shows the remote SQL, never a credential
CREATE FUNCTION explain_of(query text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    line text;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF) ' || query LOOP
        RETURN NEXT line;
    END LOOP;
END $$;
SELECT bool_and(no_secret(l)) AS explain_secret_free, count(*) > 0 AS explained
FROM explain_of('SELECT * FROM ft_paged WHERE id < 10') l;
-- nor does anything the emulator recorded (recent pixels and SQL)
SELECT no_secret(emulator('GET', '/_emulator/stats')::text) AS stats_secret_free;

-- Everything was cleaned up on the way: no fault left armed, no open task,
-- and this backend's insight only.
SELECT emulator('GET', '/_emulator/faults') -> 'faults' AS armed_faults;
SELECT stat('open_tasks') AS open_tasks, stat('insights') AS insights;
RESET log_min_messages;
