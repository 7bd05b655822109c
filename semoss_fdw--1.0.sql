/* semoss_fdw--1.0.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION semoss_fdw" to load this file. \quit

CREATE FUNCTION semoss_fdw_handler()
RETURNS fdw_handler
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT;

CREATE FUNCTION semoss_fdw_validator(text[], oid)
RETURNS void
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT;

CREATE FOREIGN DATA WRAPPER semoss_fdw
  HANDLER semoss_fdw_handler
  VALIDATOR semoss_fdw_validator;

-- Operability (src/connection.c): inspect and close this backend's cached
-- SEMOSS sessions, and report versions for bug reports.
CREATE FUNCTION semoss_fdw_get_connections(
    OUT server_name text, OUT user_name text, OUT insight_id text,
    OUT requests bigint, OUT logins bigint, OUT bytes_received bigint,
    OUT opened_at timestamptz, OUT broken boolean, OUT open_tasks int)
RETURNS SETOF record
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED;

CREATE FUNCTION semoss_fdw_disconnect(server_name text)
RETURNS boolean
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED;

CREATE FUNCTION semoss_fdw_disconnect_all()
RETURNS boolean
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED;

CREATE FUNCTION semoss_fdw_diag()
RETURNS text
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT STABLE PARALLEL SAFE;

-- Discovery (src/import.c): the database engines that the caller's user
-- mapping for a server can see, to find an engine_id for the server or for
-- IMPORT FOREIGN SCHEMA ... OPTIONS (engine_id '...') without leaving psql.
CREATE FUNCTION semoss_fdw_engines(server_name text,
    OUT engine_id text, OUT engine_name text, OUT engine_subtype text,
    OUT permission text, OUT description text)
RETURNS SETOF record
AS 'MODULE_PATHNAME'
LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED;

-- Raw SQL (src/rawsql.c) for what foreign tables cannot express: DDL,
-- maintenance, framework adapters.  Both use the caller's user mapping and
-- need USAGE on the server; the engine defaults to the server's engine_id.
-- semoss_fdw_exec runs a statement without rows through SEMOSS's ExecQuery
-- (committed at once); semoss_fdw_query runs a query and returns its rows
-- under a column definition list:
--   SELECT * FROM semoss_fdw_query('srv', 'SELECT id, name FROM t')
--       AS t(id int, name text);
CREATE FUNCTION semoss_fdw_exec(server_name text, sql text,
                                engine_id text DEFAULT NULL)
RETURNS void
AS 'MODULE_PATHNAME'
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION semoss_fdw_query(server_name text, sql text,
                                 engine_id text DEFAULT NULL)
RETURNS SETOF record
AS 'MODULE_PATHNAME'
LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE;
