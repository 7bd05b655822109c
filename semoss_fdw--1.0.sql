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
