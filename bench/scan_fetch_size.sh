#!/usr/bin/env bash
# bench/scan_fetch_size.sh — section "fetch_size": full scans of bench_rows
# (BENCH_ROWS x 6 columns) through semoss_fdw at several fetch sizes, plus
# the automatic default: wall time, backend CPU, backend peak memory
# growth, HTTP requests and bytes, emulator and backing-database CPU.
# Used to choose the default fetch_size.
#
#   bench/scan_fetch_size.sh [ROWS] [FETCH_SIZE ...]
#
# Alone, it starts its own sandbox (ROWS and the sizes may be given on the
# command line, or as BENCH_ROWS and BENCH_FETCH_SIZES); under bench/run
# it uses the shared one.  Writes bench/results/scan_fetch_size.md and
# scan_fetch_size.svg (gnuplot; .png with BENCH_CHART=png).
set -euo pipefail
if [ $# -gt 0 ]; then
    export BENCH_ROWS=$1
    shift
fi
if [ $# -gt 0 ]; then
    export BENCH_FETCH_SIZES="$*"
fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_section_init fetch_size

OUT=$BENCH_RESULTS/scan_fetch_size.md
read -r -a SIZES <<<"$BENCH_FETCH_SIZES"

# the table goes back to the automatic default whatever happens
# shellcheck disable=SC2016  # expanded when the cleanup runs
bench_on_exit 'bench_psql -d "$BENCH_DB" -c "ALTER FOREIGN TABLE bench_rows OPTIONS (DROP fetch_size)" >/dev/null 2>&1'
echo "fetch_size: full scans of $BENCH_ROWS rows through semoss_fdw" >&2
for size in default "${SIZES[@]}"; do
    if [ "$size" != default ]; then
        bench_psql -d "$BENCH_DB" -c "ALTER FOREIGN TABLE bench_rows OPTIONS (ADD fetch_size '$size')" 2>/dev/null \
            || bench_psql -d "$BENCH_DB" -c "ALTER FOREIGN TABLE bench_rows OPTIONS (SET fetch_size '$size')"
    fi
    bench_measure sql --section fetch_size --query "fetch_size=$size" --contender semoss_fdw \
        --rows "$BENCH_ROWS" --explain --warmup "SELECT 1 FROM bench_rows LIMIT 1" \
        --sql "SELECT * FROM bench_rows"
done
bench_psql -d "$BENCH_DB" -c "ALTER FOREIGN TABLE bench_rows OPTIONS (DROP fetch_size)"

# The chart: wall and CPU (left axis) and peak memory (right) against size.
if command -v gnuplot >/dev/null; then
    DATA=$(mktemp)
    bench_on_exit "rm -f '$DATA'"
    # columns by name: fetch_size, wall, backend CPU, peak MB, requests, emulator CPU
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
             $1 == "fetch_size" && $2 !~ /default/ {
                 sub(/fetch_size=/, "", $2)
                 print $2, $c["wall_s"], $c["backend_cpu_s"], $c["peak_mb"], $c["http_requests"], $c["emulator_cpu_s"]
             }' "$BENCH_CSV" >"$DATA"
    gnuplot <<GNUPLOT
$(bench_chart_terminal)
set output '$BENCH_RESULTS/scan_fetch_size.$BENCH_CHART'
set title 'semoss_fdw full scan of $BENCH_ROWS rows by fetch_size'
set logscale x
set xlabel 'fetch_size (rows per page)'
set ylabel 'seconds'
set y2label 'peak backend growth (MB)'
set ytics nomirror
set y2tics
set yrange [0:*]
set y2range [0:*]
set key top left
set grid
plot '$DATA' using 1:2 with linespoints lw 2 title 'wall', \
     '' using 1:3 with linespoints lw 2 title 'backend CPU', \
     '' using 1:6 with linespoints lw 2 title 'emulator CPU', \
     '' using 1:4 axes x1y2 with linespoints lw 2 dt 2 title 'peak backend MB (right)'
GNUPLOT
fi

{
    echo "# fetch_size sweep"
    echo
    echo "Full scan (\`SELECT *\`, run as EXPLAIN ANALYZE) of $BENCH_ROWS rows x 6 columns (bigint, text,"
    echo "numeric, timestamptz, bool, float8) through semoss_fdw, measured $(date +%Y-%m-%d) by"
    echo "\`bench/scan_fetch_size.sh\`, median of $BENCH_REPS runs; \"default\" is the automatic page size."
    echo
    "$BENCH_PY" "$BENCH_DIR/report.py" --section fetch_size
    echo
    if [ -f "$BENCH_RESULTS/scan_fetch_size.$BENCH_CHART" ]; then echo "![fetch_size sweep](scan_fetch_size.$BENCH_CHART)"; fi
} >"$OUT"
cat "$OUT"
