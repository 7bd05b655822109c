#!/usr/bin/env bash
# bench/scan_fetch_size.sh — full scans of a 1M-row table through semoss_fdw
# at several fetch sizes: wall time, backend CPU, backend peak memory growth,
# HTTP requests and bytes.  Used to choose the default fetch_size.
#
#   bench/scan_fetch_size.sh [ROWS] [FETCH_SIZE ...]
#
# Installs what it needs, starts its own sandbox and stops it again.
# Prints a Markdown table and writes it to bench/results/scan_fetch_size.md.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=../scripts/lib/common.sh
. "$ROOT/scripts/lib/common.sh"

ROWS=${1:-1000000}
shift || true
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(500 1000 2000 5000 10000 20000)

install_dependencies
build_and_install "$ROOT"
sandbox_env=$("$ROOT/scripts/sandbox" start)
eval "$sandbox_env"
trap '"$ROOT/scripts/sandbox" stop "$SEMOSS_SANDBOX_DIR"' EXIT

PSQL=(psql -X -q -v ON_ERROR_STOP=1 -At)

# The backing table: 6 columns of the usual types.
"${PSQL[@]}" -d semoss_backend <<SQL
CREATE TABLE bench_rows AS
SELECT g::bigint AS id,
       'row ' || g || ' of the benchmark' AS label,
       round((g::bigint * 7919 % 1000000) / 100.0, 2)::numeric(12,2) AS amount,
       timestamptz '2024-01-01 00:00:00+00' + make_interval(secs => g * 0.75) AS created_at,
       g % 3 = 0 AS flag,
       g / 7.0::float8 AS ratio
FROM generate_series(1, $ROWS) g;
SQL

"${PSQL[@]}" -d postgres -c "CREATE DATABASE bench"
"${PSQL[@]}" -d bench <<SQL
CREATE EXTENSION semoss_fdw;
CREATE SERVER semoss FOREIGN DATA WRAPPER semoss_fdw
    OPTIONS (url '$SEMOSS_URL', engine_id '$SEMOSS_ENGINE_ID');
CREATE USER MAPPING FOR CURRENT_USER SERVER semoss
    OPTIONS (access_key '$SEMOSS_ACCESS_KEY', secret_key '$SEMOSS_SECRET_KEY');
CREATE FOREIGN TABLE bench_rows (id bigint, label text, amount numeric(12,2),
    created_at timestamptz, flag boolean, ratio float8) SERVER semoss;
SQL

emulator_stat() {
    curl -s "$SEMOSS_EMULATOR_URL/_emulator/stats" | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"
}

mkdir -p "$ROOT/bench/results"
OUT=$ROOT/bench/results/scan_fetch_size.md
{
    echo "Full scan of $ROWS rows x 6 columns (bigint, text, numeric, timestamptz, bool, float8)"
    echo
    echo "| fetch_size | wall s | backend CPU s | backend peak growth MB | requests | MB received |"
    echo "|---:|---:|---:|---:|---:|---:|"
} >"$OUT"

for size in "${SIZES[@]}"; do
    "${PSQL[@]}" -d bench -c "ALTER FOREIGN TABLE bench_rows OPTIONS (SET fetch_size '$size')" 2>/dev/null \
        || "${PSQL[@]}" -d bench -c "ALTER FOREIGN TABLE bench_rows OPTIONS (ADD fetch_size '$size')"
    curl -s -X POST "$SEMOSS_EMULATOR_URL/_emulator/stats/reset" >/dev/null
    # One session: warm up (login, first page), note memory, scan, note again.
    result=$("${PSQL[@]}" -d bench <<'SQL'
SELECT count(*) FROM (SELECT * FROM bench_rows LIMIT 10) s;
SELECT pg_backend_pid() AS pid \gset
\setenv BENCH_PID :pid
\! echo "before $(grep VmHWM /proc/$BENCH_PID/status | awk '{print $2}') $(awk '{print $14+$15}' /proc/$BENCH_PID/stat)" > /tmp/semoss_bench_mem
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
EXPLAIN (ANALYZE, TIMING OFF, SUMMARY OFF, COSTS OFF) SELECT * FROM bench_rows;
SELECT extract(epoch FROM clock_timestamp()) - :t0 AS elapsed \gset
\! echo "after $(grep VmHWM /proc/$BENCH_PID/status | awk '{print $2}') $(awk '{print $14+$15}' /proc/$BENCH_PID/stat)" >> /tmp/semoss_bench_mem
SELECT :elapsed;
SQL
)
    elapsed=$(echo "$result" | tail -1)
    read -r _ hwm_before cpu_before < <(grep before /tmp/semoss_bench_mem)
    read -r _ hwm_after cpu_after < <(grep after /tmp/semoss_bench_mem)
    rm -f /tmp/semoss_bench_mem
    clk=$(getconf CLK_TCK)
    requests=$(emulator_stat requests)
    bytes=$(emulator_stat bytes_sent)
    awk -v size="$size" -v el="$elapsed" -v c0="$cpu_before" -v c1="$cpu_after" -v clk="$clk" \
        -v h0="$hwm_before" -v h1="$hwm_after" -v req="$requests" -v bytes="$bytes" \
        'BEGIN { printf "| %d | %.2f | %.2f | %.1f | %d | %.1f |\n", size, el, (c1 - c0) / clk, (h1 - h0) / 1024, req, bytes / 1048576 }' >>"$OUT"
done
cat "$OUT"
