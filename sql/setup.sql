--
-- Shared setup for the regression suite: the extension, the sandbox's
-- SEMOSS server and credentials (from the environment that scripts/sandbox
-- exported), a direct postgres_fdw path to the backing database to compare
-- against, and a helper that talks to the emulator's debug surface.
--
\getenv semoss_url SEMOSS_URL
\getenv emulator_url SEMOSS_EMULATOR_URL
\getenv engine_id SEMOSS_ENGINE_ID
\getenv access_key SEMOSS_ACCESS_KEY
\getenv secret_key SEMOSS_SECRET_KEY
\getenv bearer_token SEMOSS_BEARER_TOKEN
\getenv pghost PGHOST
\getenv pgport PGPORT

CREATE EXTENSION semoss_fdw;
CREATE EXTENSION postgres_fdw;

-- Statements built from the environment carry a random port and secrets:
-- they run without being echoed, so the expected output stays stable.
\set ECHO none
-- Later test files run in new sessions; they find the emulator here.
SELECT format('ALTER DATABASE %I SET semoss_test.emulator_url = %L',
              current_database(), :'emulator_url') \gexec
SELECT set_config('semoss_test.emulator_url', :'emulator_url', false) IS NOT NULL AS configured;
\set ECHO all

-- emulator(method, path [, body]): call the emulator's debug surface.
CREATE FUNCTION emulator(method text, path text, body jsonb DEFAULT NULL)
RETURNS jsonb LANGUAGE plpython3u AS $$
import urllib.request
base = plpy.execute("SELECT current_setting('semoss_test.emulator_url') AS u")[0]["u"]
data = None if body is None else body.encode()
req = urllib.request.Request(base + path, data=data, method=method,
                             headers={"Content-Type": "application/json"})
with urllib.request.urlopen(req, timeout=10) as resp:
    return resp.read().decode()
$$;

-- stat(name): one counter of the emulator's statistics.
CREATE FUNCTION stat(name text) RETURNS bigint LANGUAGE sql AS $$
    SELECT (emulator('GET', '/_emulator/stats') ->> name)::bigint
$$;

-- same_rows(a, b): two relations compared as row text, so every column of
-- every type counts: a's row count, and how many rows each has that the
-- other lacks (duplicates counted).
CREATE FUNCTION same_rows(a regclass, b regclass, OUT semoss_rows bigint,
                          OUT missing_direct bigint, OUT missing_semoss bigint)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('SELECT (SELECT count(*) FROM %1$s),
        (SELECT count(*) FROM (SELECT c::text FROM %1$s c EXCEPT ALL SELECT c::text FROM %2$s c) d),
        (SELECT count(*) FROM (SELECT c::text FROM %2$s c EXCEPT ALL SELECT c::text FROM %1$s c) d)',
                   a, b)
    INTO semoss_rows, missing_direct, missing_semoss;
END $$;

-- copy_semoss_server(name, extra, mapping_for): a server on the same SEMOSS
-- URL and engine as "semoss", with its dialect unless `extra` (more options)
-- names one, and with a copy of the current user's mapping for
-- `mapping_for`.  Built from the catalogs, so no port or secret is echoed
-- into the expected output.
CREATE FUNCTION copy_semoss_server(name text, extra text DEFAULT '',
                                   mapping_for text DEFAULT 'CURRENT_USER')
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    server_options text;
    mapping_options text;
BEGIN
    SELECT string_agg(format('%s %L', split_part(o, '=', 1), substr(o, strpos(o, '=') + 1)), ', ')
    INTO server_options
    FROM pg_foreign_server, unnest(srvoptions) o
    WHERE srvname = 'semoss' AND (o LIKE 'url=%' OR o LIKE 'engine_id=%' OR
                                  (o LIKE 'dialect=%' AND extra NOT LIKE '%dialect%'));
    SELECT string_agg(format('%s %L', split_part(o, '=', 1), substr(o, strpos(o, '=') + 1)), ', ')
    INTO mapping_options
    FROM pg_user_mappings, unnest(umoptions) o
    WHERE srvname = 'semoss' AND usename = current_user;
    EXECUTE format('CREATE SERVER %I FOREIGN DATA WRAPPER semoss_fdw OPTIONS (%s%s)',
                   name, server_options, CASE WHEN extra <> '' THEN ', ' || extra ELSE '' END);
    EXECUTE format('CREATE USER MAPPING FOR %s SERVER %I OPTIONS (%s)',
                   mapping_for, name, mapping_options);
END $$;

-- wait_in_flight(): wait until the emulator answers no request.  Requests
-- that a test cancelled still run there (SEMOSS cannot cancel a pixel).
CREATE FUNCTION wait_in_flight() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1..600 LOOP
        IF stat('in_flight') = 0 THEN
            RETURN true;
        END IF;
        PERFORM pg_sleep(0.05);
    END LOOP;
    RETURN false;
END $$;

-- The SEMOSS server of the sandbox, with its engine, and the credentials.
\set ECHO none
SELECT format('CREATE SERVER semoss FOREIGN DATA WRAPPER semoss_fdw OPTIONS (url %L, engine_id %L, dialect %L)',
              :'semoss_url', :'engine_id', 'postgres') \gexec
SELECT format('CREATE USER MAPPING FOR CURRENT_USER SERVER semoss OPTIONS (access_key %L, secret_key %L)',
              :'access_key', :'secret_key') \gexec

-- The backing database, straight through postgres_fdw: the truth to
-- compare every SEMOSS read with.
SELECT format('CREATE SERVER direct FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host %L, port %L, dbname %L)',
              :'pghost', :'pgport', 'semoss_backend') \gexec
\set ECHO all
CREATE USER MAPPING FOR CURRENT_USER SERVER direct OPTIONS (user 'postgres');
CREATE SCHEMA direct;
IMPORT FOREIGN SCHEMA public FROM SERVER direct INTO direct;

-- The sample tables through SEMOSS.
CREATE SCHEMA semoss;
CREATE FOREIGN TABLE semoss.regions (
    id smallint, code char(3), name text
) SERVER semoss OPTIONS (table_name 'regions');
CREATE FOREIGN TABLE semoss.customers (
    id integer, name varchar(100), email text, region_id smallint,
    signup_date date, is_vip boolean, credit_limit numeric(12,2),
    last_login timestamptz, external_ref uuid, tags text[], profile jsonb
) SERVER semoss OPTIONS (table_name 'customers');
CREATE FOREIGN TABLE semoss.products (
    id integer, sku varchar(20), name text, category text,
    unit_price numeric(10,2), weight_kg real, discontinued boolean, attributes json
) SERVER semoss OPTIONS (table_name 'products');
CREATE FOREIGN TABLE semoss.orders (
    id bigint, customer_id integer, ordered_at timestamp, shipped_at timestamptz,
    status text, total numeric(14,2), notes text
) SERVER semoss OPTIONS (schema_name 'public', table_name 'orders');
CREATE FOREIGN TABLE semoss.order_items (
    order_id bigint, line_no smallint, product_id integer, quantity integer,
    unit_price numeric(10,2), discount double precision
) SERVER semoss OPTIONS (table_name 'order_items');

SELECT emulator('POST', '/_emulator/stats/reset') IS NOT NULL AS reset;
