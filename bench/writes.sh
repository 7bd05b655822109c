#!/usr/bin/env bash
# bench/writes.sh — section "writes": INSERT throughput by batch_size.
#
# BENCH_WRITE_ROWS rows (default 100000) of 6 columns (int8, text, numeric,
# timestamptz, bool, float8), made once in a local table, are inserted into
# a table of the backing database:
#   - through semoss_fdw with INSERT ... SELECT at batch_size 1, 100, 1000
#     (the default) and 5000, and with COPY FROM at the default;
#   - through postgres_fdw straight into the backing database at batch_size
#     1, 100 and 1000: the same write without SEMOSS, HTTP and JSON.
# Each measurement (bench/measure.py: wall time, backend CPU, HTTP requests,
# emulator CPU) starts from an empty table (emptied through postgres_fdw,
# unmeasured), and every row is checked to
# have arrived; the section fails otherwise.  batch_size 1 is measured once
# (it takes a minute), the others BENCH_REPS times.  Writes
# bench/results/writes.md.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_section_init writes

ROWS=${BENCH_WRITE_ROWS:-100000}
SOURCE_FILE=$BENCH_WORK/writes_source.tsv

bench_psql -d "$SEMOSS_BACKEND_DSN" <<'SQL'
DROP TABLE IF EXISTS bench_writes;
CREATE TABLE bench_writes (
    id int8 PRIMARY KEY, label text, amount numeric(14,4), at timestamptz,
    flag boolean, score float8);
SQL
bench_psql -d "$BENCH_DB" <<SQL
DROP FOREIGN TABLE IF EXISTS writes_semoss, writes_pg;
CREATE FOREIGN TABLE writes_semoss (
    id int8 OPTIONS (key 'true'), label text, amount numeric(14,4),
    at timestamptz, flag boolean, score float8
) SERVER semoss OPTIONS (table_name 'bench_writes');
CREATE FOREIGN TABLE writes_pg (
    id int8, label text, amount numeric(14,4), at timestamptz,
    flag boolean, score float8
) SERVER backing OPTIONS (table_name 'bench_writes');
DROP TABLE IF EXISTS writes_source;
CREATE TABLE writes_source AS
SELECT g::int8 AS id, 'label ' || g AS label, (g * 1.2345)::numeric(14,4) AS amount,
       '2024-01-01 00:00:00+00'::timestamptz + g * interval '1.5 second' AS at,
       g % 2 = 0 AS flag, g / 7.0::float8 AS score
FROM generate_series(1, $ROWS) g;
SQL
# a file the server can read, for COPY FROM
chmod 755 "$BENCH_WORK"
bench_psql -d "$BENCH_DB" -c "\\copy writes_source TO '$SOURCE_FILE'"

# Set TABLE's batch_size (or drop it for "default").
set_batch_size() {
    local table=$1 batch=$2
    bench_psql -d "$BENCH_DB" -c "ALTER FOREIGN TABLE $table OPTIONS (DROP batch_size)" 2>/dev/null || true
    [ "$batch" = default ] ||
        bench_psql -d "$BENCH_DB" -c "ALTER FOREIGN TABLE $table OPTIONS (ADD batch_size '$batch')"
}

# Every row arrived, exactly once.
check_rows() {
    local count
    count=$(bench_psql -d "$SEMOSS_BACKEND_DSN" -c "SELECT count(DISTINCT id) FROM bench_writes")
    [ "$count" = "$ROWS" ] || bench_die "writes: $1 left $count rows, not $ROWS"
}

# measure CONTENDER TABLE BATCH REPS STATEMENT
measure() {
    local contender=$1 table=$2 batch=$3 reps=$4 statement=$5 query
    set_batch_size "$table" "$batch"
    query="INSERT $ROWS rows, batch_size $batch"
    [[ $statement == COPY* ]] && query="COPY FROM $ROWS rows, batch_size $batch"
    bench_log "writes: $contender, $query"
    bench_measure sql --section writes --query "$query" --contender "$contender" \
        --rows "$ROWS" --reps "$reps" --db "$BENCH_DB" \
        --warmup "SELECT count(*) FROM $table WHERE id = 0" \
        --before "TRUNCATE writes_pg" \
        --sql "$statement"
    check_rows "$contender, $query"
}

for batch in 1 100 1000 5000; do
    reps=$BENCH_REPS
    [ "$batch" = 1 ] && reps=1
    measure semoss_fdw writes_semoss "$batch" "$reps" "INSERT INTO writes_semoss SELECT * FROM writes_source"
    [ "$batch" = 5000 ] ||
        measure postgres_fdw writes_pg "$batch" "$reps" "INSERT INTO writes_pg SELECT * FROM writes_source"
done
measure semoss_fdw writes_semoss default "$BENCH_REPS" "COPY writes_semoss FROM '$SOURCE_FILE'"

{
    echo "# INSERT throughput by batch_size"
    echo
    echo "$ROWS rows of (int8, text, numeric, timestamptz, bool, float8) inserted into the"
    echo "sandbox's backing PostgreSQL, from an empty table each time; medians of"
    echo "$BENCH_REPS runs (batch_size 1: one run).  semoss_fdw's default batch_size is"
    echo "1000; postgres_fdw (straight to the backing database, no SEMOSS, HTTP or JSON)"
    echo "is shown at its batch_size 1, 100 and 1000.  Machine: $(nproc) cores."
    echo
    "$BENCH_PY" "$BENCH_DIR/report.py" --section writes
} > "$BENCH_RESULTS/writes.md"
[ -n "${BENCH_RUN_ACTIVE:-}" ] || "$BENCH_PY" "$BENCH_DIR/report.py" --print-only
