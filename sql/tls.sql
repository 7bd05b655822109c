--
-- TLS end to end: the server options tls_verify and ca_file against the
-- emulator's HTTPS listener, whose certificate (for 127.0.0.1 and
-- localhost) comes from a throwaway CA the sandbox made at start.  The URL
-- and the CA files' paths come from the environment: the statements that
-- carry them are not echoed, and an error is shown as its SQLSTATE and
-- message only (its detail may name a path or the OpenSSL version).
--
\getenv https_url SEMOSS_HTTPS_URL
\getenv ca_file SEMOSS_CA_FILE
\getenv wrong_ca_file SEMOSS_WRONG_CA_FILE
\set VERBOSITY default

\set ECHO none
SELECT set_config('semoss_test.https_url', :'https_url', false) LIKE 'https://%' AS https_url,
       pg_read_file(set_config('semoss_test.ca_file', :'ca_file', false))
           LIKE '-----BEGIN CERTIFICATE-----%' AS ca_readable,
       pg_read_file(set_config('semoss_test.wrong_ca_file', :'wrong_ca_file', false))
           LIKE '-----BEGIN CERTIFICATE-----%' AS wrong_ca_readable;
\set ECHO all

CREATE SCHEMA tls;

-- CALL tls_server(name, extra [, mapping_for, on_http_port]): a server on the
-- emulator's HTTPS URL (or, on_http_port, https:// to its plain HTTP port)
-- with the engine of "semoss" and the options `extra`, in which {ca} and
-- {wrong_ca} stand for the sandbox's CA files; a copy of the current user's
-- mapping of "semoss" for `mapping_for`; and tls.<name>, the remote table
-- "regions".
CREATE PROCEDURE tls_server(name text, extra text DEFAULT '',
                            mapping_for text DEFAULT 'CURRENT_USER',
                            on_http_port boolean DEFAULT false)
LANGUAGE plpgsql AS $$
DECLARE
    url text := current_setting('semoss_test.https_url');
    engine text;
    mapping_options text;
BEGIN
    IF on_http_port THEN
        SELECT replace(substr(o, 5), 'http://', 'https://') INTO url
        FROM pg_foreign_server, unnest(srvoptions) o
        WHERE srvname = 'semoss' AND o LIKE 'url=%';
    END IF;
    SELECT substr(o, 11) INTO engine
    FROM pg_foreign_server, unnest(srvoptions) o
    WHERE srvname = 'semoss' AND o LIKE 'engine_id=%';
    extra := replace(replace(extra,
                             '{wrong_ca}', quote_literal(current_setting('semoss_test.wrong_ca_file'))),
                     '{ca}', quote_literal(current_setting('semoss_test.ca_file')));
    EXECUTE format('CREATE SERVER %I FOREIGN DATA WRAPPER semoss_fdw OPTIONS (url %L, engine_id %L%s)',
                   name, url, engine, CASE WHEN extra <> '' THEN ', ' || extra ELSE '' END);
    SELECT string_agg(format('%s %L', split_part(o, '=', 1), substr(o, strpos(o, '=') + 1)), ', ')
    INTO mapping_options
    FROM pg_user_mappings, unnest(umoptions) o
    WHERE srvname = 'semoss' AND usename = current_user;
    EXECUTE format('CREATE USER MAPPING FOR %s SERVER %I OPTIONS (%s)',
                   mapping_for, name, mapping_options);
    EXECUTE format('CREATE FOREIGN TABLE tls.%I (id smallint, code char(3), name text) '
                   'SERVER %I OPTIONS (table_name %L)', name, name, 'regions');
END $$;

-- probe(table): the table's row count, or the error's SQLSTATE, message
-- and hint.
CREATE FUNCTION probe(tab regclass) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
    state text;
    message text;
    hint text;
BEGIN
    EXECUTE format('SELECT count(*) FROM %s', tab) INTO n;
    RETURN n || ' rows';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                            hint = PG_EXCEPTION_HINT;
    RETURN 'ERROR ' || state || ': ' || message ||
           coalesce(' (HINT: ' || nullif(hint, '') || ')', '');
END $$;

-- stat_reaching(name, target): the emulator's counter once it reaches
-- target, or whatever it is after 5 seconds.  The emulator counts a refused
-- handshake in its own thread, possibly just after the client gave up.
CREATE FUNCTION stat_reaching(name text, target bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    value bigint;
BEGIN
    FOR i IN 1..100 LOOP
        value := stat(name);
        EXIT WHEN value >= target;
        PERFORM pg_sleep(0.05);
    END LOOP;
    RETURN value;
END $$;

SELECT emulator('POST', '/_emulator/stats/reset') IS NOT NULL AS reset;

-- The sandbox's CA as ca_file: verified, rows read.
CALL tls_server('tls_ca', 'ca_file {ca}');
SELECT probe('tls.tls_ca') AS ca_file, (SELECT count(*) FROM direct.regions) AS direct;
-- The session is kept: the later requests (IMPORT's catalog query, a full
-- scan) reuse its login and its TLS connection, one handshake in all, and
-- every value of every type arrives exactly.
IMPORT FOREIGN SCHEMA public LIMIT TO (customers) FROM SERVER tls_ca INTO tls;
SELECT * FROM same_rows('tls.customers', 'direct.customers');
SELECT server_name, requests > 2 AS several_requests, logins, broken
FROM semoss_fdw_get_connections() WHERE server_name = 'tls_ca';
SELECT stat('tls_handshakes') AS handshakes, stat('tls_handshake_failures') AS failed;

-- No ca_file: the system's CA store, which does not know the sandbox's CA.
CALL tls_server('tls_system');
SELECT probe('tls.tls_system') AS system_store;

-- Another CA than the one that signed the certificate.
CALL tls_server('tls_wrong_ca', 'ca_file {wrong_ca}');
SELECT probe('tls.tls_wrong_ca') AS wrong_ca;

-- The emulator saw the client refuse each certificate during the handshake.
SELECT stat('tls_handshakes') AS handshakes,
       stat_reaching('tls_handshake_failures', 2) AS failed;

-- A ca_file that does not exist.
CALL tls_server('tls_no_ca_file', 'ca_file ''/nonexistent/semoss_fdw/ca.pem''');
SELECT probe('tls.tls_no_ca_file') AS missing_ca_file;

-- https:// to a port that speaks plain HTTP: no TLS handshake.
CALL tls_server('tls_plain_port', 'ca_file {ca}', on_http_port => true);
SELECT probe('tls.tls_plain_port') AS plain_http_port;

-- The right CA set afterwards: the session is remade and works.
\set ECHO none
SELECT format('ALTER SERVER tls_wrong_ca OPTIONS (SET ca_file %L)', :'ca_file') \gexec
\set ECHO all
SELECT probe('tls.tls_wrong_ca') AS ca_file_fixed;

-- tls_verify 'false' (superuser only): any certificate is taken.
CALL tls_server('tls_no_verify', 'tls_verify ''false''');
SELECT probe('tls.tls_no_verify') AS no_verify;
CALL tls_server('tls_no_verify_wrong_ca', 'tls_verify ''false'', ca_file {wrong_ca}');
SELECT probe('tls.tls_no_verify_wrong_ca') AS no_verify_wrong_ca;

-- A non-superuser owning a server reads through it with verification on,
-- but cannot turn verification off.
CREATE ROLE regress_tls_user;
GRANT USAGE ON FOREIGN DATA WRAPPER semoss_fdw TO regress_tls_user;
CALL tls_server('tls_user', 'ca_file {ca}', 'regress_tls_user');
ALTER SERVER tls_user OWNER TO regress_tls_user;
GRANT USAGE ON SCHEMA tls TO regress_tls_user;
GRANT SELECT ON tls.tls_user TO regress_tls_user;
SET ROLE regress_tls_user;
SELECT probe('tls.tls_user') AS non_superuser;
ALTER SERVER tls_user OPTIONS (ADD tls_verify 'false');
ALTER SERVER tls_user OPTIONS (ADD tls_verify 'true');
ALTER SERVER tls_user OPTIONS (SET tls_verify 'off');
RESET ROLE;
-- Nor keep it off once a superuser turned it off: every change of the
-- server's options is refused while tls_verify is false.
ALTER SERVER tls_user OPTIONS (SET tls_verify 'false');
SET ROLE regress_tls_user;
ALTER SERVER tls_user OPTIONS (ADD fetch_size '100');
ALTER SERVER tls_user OPTIONS (SET tls_verify 'true');
RESET ROLE;
SELECT srvoptions @> '{tls_verify=true}' AS verify_back_on
FROM pg_foreign_server WHERE srvname = 'tls_user';

SELECT semoss_fdw_disconnect_all() AS disconnected;
SET client_min_messages = warning;
DROP SCHEMA tls CASCADE;
DROP SERVER tls_ca, tls_system, tls_wrong_ca, tls_no_ca_file, tls_plain_port,
    tls_no_verify, tls_no_verify_wrong_ca, tls_user CASCADE;
DROP OWNED BY regress_tls_user;
DROP ROLE regress_tls_user;
DROP PROCEDURE tls_server(text, text, text, boolean);
DROP FUNCTION probe(regclass), stat_reaching(text, bigint);
RESET client_min_messages;
