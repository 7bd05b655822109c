--
-- Exact values despite SEMOSS's lossy JSON: a table with every common type
-- (and a row of NULLs) reads back exactly what the backing database holds.
--
\set VERBOSITY default

CREATE FOREIGN TABLE semoss.all_types (
    id integer, c_int2 smallint, c_int4 integer, c_int8 bigint,
    c_numeric numeric, c_numeric_ps numeric(30,10), c_float4 real,
    c_float8 double precision, c_text text, c_varchar varchar(40),
    c_char char(6), c_bool boolean, c_date date, c_time time,
    c_timetz timetz, c_timestamp timestamp, c_timestamptz timestamptz,
    c_interval interval, c_bytea bytea, c_json json, c_jsonb jsonb,
    c_uuid uuid, c_int_array integer[], c_text_array text[],
    c_money_like numeric(19,4)
) SERVER semoss OPTIONS (table_name 'all_types');

-- Every column of every row, compared as text with the backing database.
SELECT s.id, sj.key AS differing_column, sj.value AS via_semoss, dj.value AS direct
FROM semoss.all_types s
JOIN direct.all_types d USING (id)
CROSS JOIN LATERAL json_each_text(row_to_json(s)) sj
JOIN LATERAL json_each_text(row_to_json(d)) dj ON dj.key = sj.key
WHERE sj.value IS DISTINCT FROM dj.value;
SELECT count(*) AS rows_compared,
       count(*) FILTER (WHERE s::text = d::text) AS rows_identical
FROM semoss.all_types s JOIN direct.all_types d USING (id);

-- The same under another time zone and date style: values, not text, travel.
SET timezone = 'Asia/Kolkata';
SET datestyle = 'SQL, DMY';
SELECT count(*) FILTER (WHERE s::text = d::text) AS rows_identical
FROM semoss.all_types s JOIN direct.all_types d USING (id);
RESET timezone;
RESET datestyle;

-- And what the values are, for the reader.
SELECT id, c_int2, c_int8, c_numeric, c_float4, c_float8 FROM semoss.all_types ORDER BY id;
SELECT id, c_text, c_varchar, c_char, c_bool FROM semoss.all_types ORDER BY id;
SELECT id, c_time, c_timetz, c_timestamp, c_timestamptz, c_interval FROM semoss.all_types ORDER BY id;
SELECT id, c_bytea, c_json, c_jsonb, c_uuid, c_int_array, c_text_array FROM semoss.all_types ORDER BY id;
SELECT id, length(c_bytea) AS bytea_len, c_jsonb -> 'n' AS n FROM semoss.all_types ORDER BY id;

-- Without exact text (dialect 'generic'), values arrive as SEMOSS converts
-- them: numbers as JSON numbers, smallints as strings, timestamps cut to
-- whole seconds, json wrapped in an object.  Documented, and shown here.
SELECT copy_semoss_server('semoss_generic', $$dialect 'generic'$$);
CREATE FOREIGN TABLE generic_types (
    id integer, c_int2 smallint, c_int8 bigint, c_float8 double precision,
    c_numeric_ps numeric, c_bool boolean, c_date date, c_timestamp timestamp,
    c_text text, c_jsonb jsonb, c_int_array integer[]
) SERVER semoss_generic OPTIONS (table_name 'all_types');
EXPLAIN (VERBOSE, COSTS OFF) SELECT id, c_int2 FROM generic_types;
SELECT id, c_int2, c_int8, c_float8, c_numeric_ps, c_bool FROM generic_types WHERE id IN (1, 4) ORDER BY id;
SELECT id, c_date, c_timestamp, c_jsonb FROM generic_types WHERE id IN (1, 4) ORDER BY id;
DROP SERVER semoss_generic CASCADE;

-- A long remote value that does not fit the column: the message quotes
-- only its first 1000 bytes (a remote value can be hundreds of megabytes).
CREATE FOREIGN TABLE long_bad (v integer) SERVER semoss
    OPTIONS (query 'SELECT repeat(''9x'', 3000) AS v');
SELECT * FROM long_bad;
DROP FOREIGN TABLE long_bad;
