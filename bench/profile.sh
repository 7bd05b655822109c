#!/usr/bin/env bash
# bench/profile.sh — section "profile": where a semoss_fdw scan spends the
# backend's CPU.
#
# Records the backend with `perf record --call-graph dwarf` (the cpu-clock
# software event: virtual machines often have no hardware counters) during
# a full scan of bench_rows (BENCH_ROWS rows, default fetch_size), then
# writes bench/results/profile.md: inclusive costs of the functions below
# the executor's call into the FDW (the scan's stages), the top self costs,
# and the cost per shared object.  perf slows the backend down, so the
# section's own figures are not comparable with the other sections'.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_section_init profile
command -v perf >/dev/null || bench_die "profile: perf is not installed (apt-get install linux-perf)"

PERF_DIR=$(mktemp -d /tmp/semoss_bench_perf.XXXXXX)
bench_on_exit "rm -rf '$PERF_DIR'"
OUT=$BENCH_RESULTS/profile.md
FREQ=${BENCH_PERF_FREQ:-999}

echo "profile: full scan of $BENCH_ROWS rows under perf" >&2
BENCH_PERF_FREQ=$FREQ bench_measure sql --section profile --query "full scan under perf" \
    --contender semoss_fdw --rows "$BENCH_ROWS" --reps 1 --explain --perf "$PERF_DIR/perf.data" \
    --warmup "SELECT 1 FROM bench_rows LIMIT 1" --sql "SELECT * FROM bench_rows"

report() { perf report -i "$PERF_DIR/perf.data" --stdio -g none -t ';' "$@" 2>/dev/null | grep -v '^#' | grep -v '^$' || true; }
report --children --sort dso,sym >"$PERF_DIR/children.txt"
report --no-children --sort dso,sym >"$PERF_DIR/self.txt"
report --no-children --sort dso >"$PERF_DIR/dso.txt"
# "1K of event 'cpu-clock:ppp'" and the sampled time (cpu-clock counts ns)
SAMPLES=$(perf report -i "$PERF_DIR/perf.data" --stdio -g none --sort dso 2>/dev/null \
    | awk -F': ' '/^# Samples:/ { s = $2 } /^# Event count/ { n = $2 } END { printf "%s, %.2f s of CPU", s, n / 1e9 }')

"$BENCH_PY" - "$PERF_DIR" "$BENCH_ROWS" "$FREQ" "$SAMPLES" >"$OUT" <<'EOF'
import re, sys, time
directory, rows, freq, samples = sys.argv[1:5]

def parse(name, children):
    """Lines of `perf report -t ';'`: (percent[, self percent], dso, symbol)."""
    out = []
    for line in open("%s/%s.txt" % (directory, name)):
        parts = [p.strip() for p in line.split(";")]
        if children:
            total, own, dso, symbol = parts[0], parts[1], parts[2], ";".join(parts[3:])
            out.append((float(total.rstrip("%")), float(own.rstrip("%")), dso, symbol[4:]))
        elif len(parts) >= 3:
            out.append((float(parts[0].rstrip("%")), parts[1], ";".join(parts[2:])[4:]))
        else:
            out.append((float(parts[0].rstrip("%")), parts[1]))
    return out

children = parse("children", True)
# unresolved addresses and the process's outermost frames (which a few
# broken unwinds list below the FDW) are no stage of the scan
unresolved = re.compile(r"^(0x[0-9a-f]+|_start|main|__libc_start_.*)$")
# The stages of the scan: every function at or below the executor's call
# into the FDW (IterateForeignScan), down to 1.5% of the samples.
top = next((c[0] for c in children if c[3].endswith("IterateForeignScan")), None)
stages = [c for c in children if (top is None or c[0] <= top) and c[0] >= 1.5
          and not unresolved.match(c[3])]
print("# Profile of the semoss_fdw scan hot path")
print()
print("Full scan (`SELECT *` as EXPLAIN ANALYZE) of %s rows x 6 columns through semoss_fdw at the"
      " default fetch_size, measured %s by `bench/profile.sh`: the backend sampled by"
      " `perf record -F %s --call-graph dwarf`: %s.  Percentages are of the"
      " backend's samples during the scan; \"inclusive\" counts a function with everything it calls."
      % (rows, time.strftime("%Y-%m-%d"), freq, samples))
print()
print("## The scan's stages (inclusive, below the executor's call into the FDW)")
print()
print("| inclusive % | self % | object | function |")
print("|---:|---:|---|---|")
for total, own, dso, symbol in stages:
    print("| %.1f | %.1f | %s | `%s` |" % (total, own, dso, symbol))
print()
print("## Top self costs")
print()
print("| self % | object | function |")
print("|---:|---|---|")
for own, dso, symbol in parse("self", False)[:25]:
    print("| %.1f | %s | `%s` |" % (own, dso, symbol))
print()
print("## By shared object (self)")
print()
print("| self % | object |")
print("|---:|---|")
for own, dso in parse("dso", False):
    if own >= 0.1:
        print("| %.1f | %s |" % (own, dso))
EOF
cat "$OUT"
