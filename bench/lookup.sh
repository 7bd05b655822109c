#!/usr/bin/env bash
# bench/lookup.sh — section "lookup": warm point lookups by primary key
# (BENCH_LOOKUPS of them, the same random ids for every contender): latency
# median and 95th percentile, and HTTP requests per lookup (goal for
# semoss_fdw: exactly 1).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_section_init lookup
"$BENCH_PY" "$BENCH_DIR/compare.py" lookup
[ -n "${BENCH_RUN_ACTIVE:-}" ] || "$BENCH_PY" "$BENCH_DIR/report.py" --print-only
