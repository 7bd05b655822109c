--
-- Option validation: every option, bad values, and secrets outside user
-- mappings.  Nothing here talks to SEMOSS.
--
\set VERBOSITY default

-- server: url
CREATE SERVER bad FOREIGN DATA WRAPPER semoss_fdw OPTIONS (url 'ftp://host/api');
CREATE SERVER bad FOREIGN DATA WRAPPER semoss_fdw OPTIONS (url 'https://');
CREATE SERVER bad FOREIGN DATA WRAPPER semoss_fdw OPTIONS (url 'http://host name/api');
CREATE SERVER bad FOREIGN DATA WRAPPER semoss_fdw OPTIONS (url '');
CREATE SERVER opt FOREIGN DATA WRAPPER semoss_fdw OPTIONS (url 'HTTPS://semoss.example.com/Monolith/api');

-- unknown options list the valid ones
ALTER SERVER opt OPTIONS (ADD nonsense 'x');
ALTER SERVER opt OPTIONS (ADD column_name 'x');
CREATE FOREIGN DATA WRAPPER semoss2 HANDLER semoss_fdw_handler VALIDATOR semoss_fdw_validator OPTIONS (url 'http://x');

-- secrets are refused anywhere but in a user mapping
ALTER SERVER opt OPTIONS (ADD access_key 'ak');
ALTER SERVER opt OPTIONS (ADD secret_key 'sk');
ALTER SERVER opt OPTIONS (ADD bearer_token 'tok');

-- numbers
ALTER SERVER opt OPTIONS (ADD fetch_size '0');
ALTER SERVER opt OPTIONS (ADD fetch_size '-5');
ALTER SERVER opt OPTIONS (ADD fetch_size '10x');
ALTER SERVER opt OPTIONS (ADD fetch_size '1000001');
ALTER SERVER opt OPTIONS (ADD fetch_size '250');
ALTER SERVER opt OPTIONS (ADD connect_timeout '-1');
ALTER SERVER opt OPTIONS (ADD connect_timeout '86401');
ALTER SERVER opt OPTIONS (ADD connect_timeout '5');
ALTER SERVER opt OPTIONS (ADD request_timeout '0');

-- booleans, dialects, engine ids
ALTER SERVER opt OPTIONS (ADD tls_verify 'maybe');
ALTER SERVER opt OPTIONS (ADD tls_verify 'false');
ALTER SERVER opt OPTIONS (ADD dialect 'oracle');
ALTER SERVER opt OPTIONS (ADD dialect 'auto');
ALTER SERVER opt OPTIONS (SET dialect 'postgres');
ALTER SERVER opt OPTIONS (ADD engine_id 'bad"id');
ALTER SERVER opt OPTIONS (ADD engine_id 'a<b');
ALTER SERVER opt OPTIONS (ADD engine_id 'c0ffee00-1234-4abc-9def-000000000001');
ALTER SERVER opt OPTIONS (ADD ca_file '/etc/ssl/certs/ca-certificates.crt');
-- planner costs and collation
ALTER SERVER opt OPTIONS (ADD fdw_startup_cost '-1');
ALTER SERVER opt OPTIONS (ADD fdw_startup_cost 'cheap');
ALTER SERVER opt OPTIONS (ADD fdw_tuple_cost 'NaN');
ALTER SERVER opt OPTIONS (ADD fdw_startup_cost '25.5', ADD fdw_tuple_cost '0.05');
ALTER SERVER opt OPTIONS (ADD collation_matches 'sometimes');
ALTER SERVER opt OPTIONS (ADD collation_matches 'on');
SELECT srvoptions FROM pg_foreign_server WHERE srvname = 'opt';

-- turning TLS verification off is for superusers only
CREATE ROLE regress_semoss_user;
GRANT USAGE ON FOREIGN DATA WRAPPER semoss_fdw TO regress_semoss_user;
SET ROLE regress_semoss_user;
CREATE SERVER opt_user FOREIGN DATA WRAPPER semoss_fdw OPTIONS (url 'https://h/api', tls_verify 'false');
CREATE SERVER opt_user FOREIGN DATA WRAPPER semoss_fdw OPTIONS (url 'https://h/api', tls_verify 'true');
RESET ROLE;

-- user mappings
CREATE USER MAPPING FOR CURRENT_USER SERVER opt OPTIONS (access_key 'ak');
CREATE USER MAPPING FOR CURRENT_USER SERVER opt OPTIONS (secret_key 'sk');
CREATE USER MAPPING FOR CURRENT_USER SERVER opt OPTIONS (bearer_provider 'ms');
CREATE USER MAPPING FOR CURRENT_USER SERVER opt OPTIONS (access_key 'ak', secret_key 'sk', bearer_token 't');
CREATE USER MAPPING FOR CURRENT_USER SERVER opt OPTIONS (access_key 'ak', secret_key 'has:colon');
CREATE USER MAPPING FOR CURRENT_USER SERVER opt OPTIONS (url 'http://x');
CREATE USER MAPPING FOR CURRENT_USER SERVER opt OPTIONS (access_key 'ak', secret_key 'sk');
ALTER USER MAPPING FOR CURRENT_USER SERVER opt OPTIONS (DROP secret_key);
CREATE USER MAPPING FOR regress_semoss_user SERVER opt OPTIONS (bearer_token 'tok', bearer_provider 'ms');
GRANT USAGE ON FOREIGN SERVER opt TO regress_semoss_user;

-- a non-superuser sees its own mapping's options, never another user's
SET ROLE regress_semoss_user;
SELECT srvname, usename, umoptions FROM pg_user_mappings WHERE srvname = 'opt' ORDER BY usename;
RESET ROLE;

-- foreign tables and columns
CREATE FOREIGN TABLE ft_opt (id int) SERVER opt OPTIONS (query 'SELECT 1', table_name 't');
CREATE FOREIGN TABLE ft_opt (id int) SERVER opt OPTIONS (query 'SELECT 1', schema_name 's');
CREATE FOREIGN TABLE ft_opt (id int) SERVER opt OPTIONS (fetch_size 'none');
CREATE FOREIGN TABLE ft_opt (id int) SERVER opt OPTIONS (url 'http://x');
CREATE FOREIGN TABLE ft_opt (id int OPTIONS (name 'x')) SERVER opt;
CREATE FOREIGN TABLE ft_opt (id int OPTIONS (column_name 'ID')) SERVER opt
    OPTIONS (schema_name 'Sales', table_name 'My "Table"', engine_id 'other-engine', fetch_size '10');
ALTER FOREIGN TABLE ft_opt OPTIONS (ADD query 'SELECT 1');
ALTER FOREIGN TABLE ft_opt ALTER COLUMN id OPTIONS (ADD key 'maybe');
ALTER FOREIGN TABLE ft_opt ALTER COLUMN id OPTIONS (ADD key 'true');
\d+ ft_opt

-- the remote SQL quotes every identifier
EXPLAIN (VERBOSE, COSTS OFF) SELECT * FROM ft_opt;

-- missing pieces are reported when the table is planned
CREATE SERVER no_url FOREIGN DATA WRAPPER semoss_fdw;
CREATE FOREIGN TABLE ft_no_url (id int) SERVER no_url;
SELECT * FROM ft_no_url;
CREATE SERVER no_engine FOREIGN DATA WRAPPER semoss_fdw OPTIONS (url 'http://127.0.0.1:1/api');
CREATE FOREIGN TABLE ft_no_engine (id int) SERVER no_engine;
SELECT * FROM ft_no_engine;
CREATE FOREIGN TABLE ft_no_creds (id int) SERVER no_engine OPTIONS (engine_id 'e1');
SELECT * FROM ft_no_creds;
CREATE USER MAPPING FOR CURRENT_USER SERVER no_engine OPTIONS (access_key 'ak', secret_key 'sk');
-- nothing listens on port 1 (terse: libcurl's detail includes a timing)
\set VERBOSITY terse
SELECT * FROM ft_no_creds;
\set VERBOSITY default

DROP SERVER opt, no_url, no_engine CASCADE;
DROP OWNED BY regress_semoss_user;
DROP ROLE regress_semoss_user;
