#!/usr/bin/env bash
# bench/compare.sh — section "compare": a full scan, a filtered and an
# aggregated query through semoss_fdw, postgres_fdw, two plpython3u
# functions and the Python API client (bench/compare.py has the details).
# Under bench/run the figures go to the shared CSV and into
# bench/results/compare.md; alone (bench/compare.sh), it starts a sandbox
# of its own and prints the figures.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_section_init compare
"$BENCH_PY" "$BENCH_DIR/compare.py" scan
[ -n "${BENCH_RUN_ACTIVE:-}" ] || "$BENCH_PY" "$BENCH_DIR/report.py" --print-only
