#!/usr/bin/env bash
# bench/memory.sh — section "memory": the backend's memory over a long scan.
#
# Scans BENCH_MEM_ROWS rows (default 5M) through semoss_fdw at the default
# fetch_size and samples, every BENCH_MEM_INTERVAL seconds, the backend's
# VmRSS, RssAnon and VmHWM next to the emulator's rows_sent, so memory can
# be drawn against rows scanned.  Goal: peak growth (VmHWM after the scan
# minus VmRSS before it) under 32 MB.  Writes bench/results/memory.md,
# memory_curve.csv and memory_curve.svg (gnuplot; .png with BENCH_CHART=png).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_section_init memory

INTERVAL=${BENCH_MEM_INTERVAL:-0.25}
CURVE=$BENCH_RESULTS/memory_curve.csv
OUT=$BENCH_RESULTS/memory.md

# The table exists only for this section: 5M rows are ~0.5 GB.
bench_create_rows bench_rows_mem "$BENCH_MEM_ROWS"
# shellcheck disable=SC2016  # expanded when the cleanup runs
bench_on_exit 'bench_psql -d "$SEMOSS_BACKEND_DSN" -c "DROP TABLE IF EXISTS bench_rows_mem" >/dev/null 2>&1'
bench_psql -d "$BENCH_DB" <<'SQL'
DROP FOREIGN TABLE IF EXISTS bench_rows_mem;
CREATE FOREIGN TABLE bench_rows_mem (id bigint, label text, amount numeric(12,2),
    created_at timestamptz, flag boolean, ratio float8) SERVER semoss;
SQL

echo "memory: full scan of $BENCH_MEM_ROWS rows through semoss_fdw" >&2
bench_measure sql --section memory --query "full scan, $BENCH_MEM_ROWS rows" --contender semoss_fdw \
    --rows "$BENCH_MEM_ROWS" --reps 1 --explain --curve "$CURVE" --curve-interval "$INTERVAL" \
    --warmup "SELECT 1 FROM bench_rows_mem LIMIT 1" --sql "SELECT * FROM bench_rows_mem"

# The curve: growth over the first sample, against rows scanned.
if command -v gnuplot >/dev/null; then
    RSS0=$(awk -F, 'NR == 2 { print $3 }' "$CURVE")
    ANON0=$(awk -F, 'NR == 2 { print $4 }' "$CURVE")
    gnuplot <<GNUPLOT
$(bench_chart_terminal)
set output '$BENCH_RESULTS/memory_curve.$BENCH_CHART'
set datafile separator ','
set title 'semoss_fdw backend memory during a scan of $BENCH_MEM_ROWS rows (default fetch_size)'
set xlabel 'rows received from SEMOSS (millions)'
set ylabel 'growth over the start of the scan (MB)'
set key top left
set grid
set key autotitle columnhead
set yrange [0:*]
plot '$CURVE' using (\$2/1e6):((\$3-$RSS0)/1024) with lines lw 2 title 'VmRSS', \
     '' using (\$2/1e6):((\$5-$RSS0)/1024) with lines lw 2 dt 2 title 'VmHWM (peak)', \
     '' using (\$2/1e6):((\$4-$ANON0)/1024) with lines lw 2 title 'RssAnon (private)', \
     32 with lines lc rgb 'red' dt 3 title 'goal: 32 MB'
GNUPLOT
fi

# memory.md: the figures and the curve at every tenth of the scan.
"$BENCH_PY" - "$CURVE" "$BENCH_MEM_ROWS" >"$OUT.tmp" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
total = int(sys.argv[2])
first = rows[0]
print("| rows received | seconds | VmRSS MB | growth MB | RssAnon growth MB | VmHWM growth MB |")
print("|---:|---:|---:|---:|---:|---:|")
step, shown = total / 10, -1
for r in rows:
    bucket = int(int(r["rows_sent"]) // step) if step else 0
    if bucket > shown or r is rows[-1]:
        shown = bucket
        print("| %s | %.1f | %.1f | %.1f | %.1f | %.1f |" % (
            r["rows_sent"], float(r["seconds"]), int(r["vmrss_kb"]) / 1024,
            (int(r["vmrss_kb"]) - int(first["vmrss_kb"])) / 1024,
            (int(r["rssanon_kb"]) - int(first["rssanon_kb"])) / 1024,
            (int(r["vmhwm_kb"]) - int(first["vmrss_kb"])) / 1024))
EOF
{
    echo "# Backend memory over a long scan"
    echo
    echo "Full scan (\`SELECT *\`, run as EXPLAIN ANALYZE) of $BENCH_MEM_ROWS rows x 6 columns through"
    echo "semoss_fdw at the default fetch_size, measured $(date +%Y-%m-%d) by \`bench/memory.sh\`."
    echo "Peak growth = the backend's VmHWM after the scan minus its VmRSS just before it (the peak"
    echo "was reset through /proc/PID/clear_refs). Goal: under 32 MB."
    echo
    "$BENCH_PY" "$BENCH_DIR/report.py" --section memory
    echo
    echo "Sampled every ${INTERVAL} s (growth over the first sample; rows as counted by the emulator):"
    echo
    cat "$OUT.tmp"
    echo
    if [ -f "$BENCH_RESULTS/memory_curve.$BENCH_CHART" ]; then echo "![memory curve](memory_curve.$BENCH_CHART)"; fi
} >"$OUT"
rm -f "$OUT.tmp"
cat "$OUT"
