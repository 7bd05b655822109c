#!/usr/bin/env bash
# bench/writes.sh — INSERT throughput through semoss_fdw by batch_size.
#
#   bench/writes.sh [ROWS]          (default 100000)
#
# Starts its own sandbox and inserts ROWS rows of 6 columns (int8, text,
# numeric, timestamptz, bool, float8) into a table of the backing database:
#   - through semoss_fdw with INSERT ... SELECT at batch_size 1, 100, 1000
#     (the default) and 5000, and with COPY FROM at the default;
#   - through postgres_fdw straight into the backing database at batch_size
#     1, 100 and 1000: the same write without SEMOSS, HTTP and JSON.
# For each it reports the wall time, rows per second, the HTTP requests the
# emulator answered and its ExecQuery statements, and checks that every row
# arrived.  Writes bench/results/writes.md.  Exits non-zero if a check fails.
#
# Set BENCH_INSTALL=0 to use the extension already installed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=../scripts/lib/common.sh
. "$ROOT/scripts/lib/common.sh"

ROWS=${1:-100000}
DB=semoss_writes
OUT=$ROOT/bench/results/writes.md

if [ "${BENCH_INSTALL:-1}" = 1 ]; then
    install_dependencies
    build_and_install "$ROOT"
fi
sandbox_env=$("$ROOT/scripts/sandbox" start)
eval "$sandbox_env"
WORK=$(mktemp -d /tmp/semoss_writes.XXXXXX)
cleanup() {
    "$ROOT/scripts/sandbox" stop "$SEMOSS_SANDBOX_DIR" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

PSQL=(psql -X -q -v ON_ERROR_STOP=1 -At)
"${PSQL[@]}" -d postgres -c "CREATE DATABASE $DB"
"${PSQL[@]}" -d semoss_backend -c "CREATE TABLE bench_writes (
    id int8 PRIMARY KEY, label text, amount numeric(14,4), at timestamptz,
    flag boolean, score float8)"
"${PSQL[@]}" -d "$DB" >/dev/null <<SQL
CREATE EXTENSION semoss_fdw;
CREATE EXTENSION postgres_fdw;
CREATE SERVER semoss FOREIGN DATA WRAPPER semoss_fdw
    OPTIONS (url '$SEMOSS_URL', engine_id '$SEMOSS_ENGINE_ID');
CREATE USER MAPPING FOR CURRENT_USER SERVER semoss
    OPTIONS (access_key '$SEMOSS_ACCESS_KEY', secret_key '$SEMOSS_SECRET_KEY');
CREATE SERVER direct FOREIGN DATA WRAPPER postgres_fdw
    OPTIONS (host '$PGHOST', port '$PGPORT', dbname 'semoss_backend');
CREATE USER MAPPING FOR CURRENT_USER SERVER direct OPTIONS (user 'postgres');
CREATE FOREIGN TABLE via_semoss (
    id int8 OPTIONS (key 'true'), label text, amount numeric(14,4),
    at timestamptz, flag boolean, score float8
) SERVER semoss OPTIONS (table_name 'bench_writes');
CREATE FOREIGN TABLE via_direct (
    id int8, label text, amount numeric(14,4), at timestamptz,
    flag boolean, score float8
) SERVER direct OPTIONS (table_name 'bench_writes');
-- the rows to insert, made once, locally
CREATE TABLE source AS
SELECT g::int8 AS id, 'label ' || g AS label, (g * 1.2345)::numeric(14,4) AS amount,
       '2024-01-01 00:00:00+00'::timestamptz + g * interval '1.5 second' AS at,
       g % 2 = 0 AS flag, g / 7.0::float8 AS score
FROM generate_series(1, $ROWS) g;
SQL
"${PSQL[@]}" -d "$DB" -c "\\copy source TO '$WORK/source.tsv'"

# stat NAME: one counter of the emulator's statistics.
stat() {
    curl -sf "$SEMOSS_EMULATOR_URL/_emulator/stats" |
        /usr/bin/python3 -c "import json, sys; print(json.load(sys.stdin)['$1'])"
}

# run LABEL TABLE BATCH STATEMENT: empty the backing table, time STATEMENT
# in a fresh session (its login included) and record one result row.
ROWS_MD=()
run() {
    local label=$1 table=$2 batch=$3 statement=$4
    "${PSQL[@]}" -d semoss_backend -c "TRUNCATE bench_writes"
    if [ "$batch" = default ]; then
        "${PSQL[@]}" -d "$DB" -c "ALTER FOREIGN TABLE $table OPTIONS (DROP batch_size)" 2>/dev/null || true
    else
        "${PSQL[@]}" -d "$DB" -c "ALTER FOREIGN TABLE $table OPTIONS (DROP batch_size)" 2>/dev/null || true
        "${PSQL[@]}" -d "$DB" -c "ALTER FOREIGN TABLE $table OPTIONS (ADD batch_size '$batch')"
    fi
    curl -sf -X POST "$SEMOSS_EMULATOR_URL/_emulator/stats/reset" >/dev/null
    local start end
    start=$(date +%s.%N)
    "${PSQL[@]}" -d "$DB" -c "$statement" >/dev/null
    end=$(date +%s.%N)
    local count requests execs
    count=$("${PSQL[@]}" -d semoss_backend -c "SELECT count(*) FROM bench_writes")
    if [ "$count" != "$ROWS" ]; then
        echo "FAIL: $label wrote $count rows, not $ROWS" >&2
        exit 1
    fi
    requests=$(stat requests)
    execs=$(stat sql_execs)
    local secs rate
    secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
    rate=$(awk -v n="$ROWS" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')
    printf '%-34s %8s %9.2f s %10.0f rows/s %8s requests %8s ExecQuery\n' \
        "$label" "$batch" "$secs" "$rate" "$requests" "$execs"
    ROWS_MD+=("| $label | $batch | $(printf '%.2f' "$secs") | $(printf '%.0f' "$rate") | $requests | $execs |")
}

echo "Inserting $ROWS rows of 6 columns"
for batch in 1 100 1000 5000; do
    label="semoss_fdw INSERT ... SELECT"
    shown=$batch
    [ "$batch" = 1000 ] && shown="1000 (default)"
    run "$label" via_semoss "$batch" "INSERT INTO via_semoss SELECT * FROM source"
    ROWS_MD[-1]=${ROWS_MD[-1]/| $batch |/| $shown |}
done
run "semoss_fdw COPY FROM" via_semoss default "\\copy via_semoss FROM '$WORK/source.tsv'"
for batch in 1 100 1000; do
    run "postgres_fdw INSERT ... SELECT" via_direct "$batch" "INSERT INTO via_direct SELECT * FROM source"
done

{
    echo "# INSERT throughput by batch_size"
    echo
    echo "Measured by \`bench/writes.sh $ROWS\` on $(date -u +%Y-%m-%d) ($(nproc) cores)."
    echo "$ROWS rows of (int8, text, numeric, timestamptz, bool, float8) inserted"
    echo "into the sandbox's backing PostgreSQL; the time includes logging in."
    echo "Requests are all HTTP requests the emulator answered (login included);"
    echo "postgres_fdw goes straight to the backing database, so it has none."
    echo
    echo "| path | batch_size | seconds | rows/s | HTTP requests | ExecQuery |"
    echo "|---|---|---|---|---|---|"
    printf '%s\n' "${ROWS_MD[@]}"
} >"$OUT"
echo "Results written to $OUT"
