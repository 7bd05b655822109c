# shellcheck shell=bash
# bench/lib.sh — shared helpers for the benchmark sections.  Source it; do
# not run it.
#
# How the benchmark is put together
# ---------------------------------
# `bench/run` is the one command: it installs packages, starts one sandbox
# (PostgreSQL + SEMOSS emulator), builds the data and every contender once
# (`bench/setup.sh`), then runs the sections named in BENCH_SECTIONS, one
# executable script each (`bench/<section>.sh`), and finally turns all their
# measurements into one report (`bench/report.py`).
#
# A section plugs in like this (e.g. a later `bench/writes.sh`):
#
#     #!/usr/bin/env bash
#     set -euo pipefail
#     . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#     bench_section_init writes       # alone: own sandbox + data; under bench/run: the shared one
#     bench_measure sql --section writes --query "INSERT 100k rows" --contender semoss_fdw \
#         --rows 100000 --before "TRUNCATE ..." --sql "INSERT INTO ... SELECT ..."
#     ...                              # write "$BENCH_RESULTS/writes.md" if it has details of its own
#
# then add `writes` to BENCH_SECTIONS_DEFAULT below.  Every `bench_measure`
# call appends one line to "$BENCH_CSV" (columns in bench/measure.py); the
# report groups lines by section and query and computes every ratio
# against the contender named `semoss_fdw`, so a new section needs no change
# in the report.  The contenders bench/setup.sh creates in database
# "$BENCH_DB": foreign table `bench_rows` (semoss_fdw), foreign table
# `bench_rows_pg` (postgres_fdw straight to the backing database),
# plpython3u functions `semoss_rows(sql, page)` and `semoss_pages(sql, page)`,
# and the Python API client bench/semoss_client.py.
#
# Knobs (environment):
#   BENCH_ROWS=1000000       rows of the backing table used by the comparison
#   BENCH_MEM_ROWS=5000000   rows scanned for the memory curve
#   BENCH_REPS=3             repetitions per measurement (the median is kept)
#   BENCH_LOOKUPS=200        point lookups per contender
#   BENCH_FETCH_SIZES="500 1000 2000 5000 10000 20000"   the fetch_size sweep
#   BENCH_SECTIONS="compare lookup memory scan_fetch_size profile pushdown writes"
#                            (bench/<name>.sh each)
#   BENCH_WRITE_ROWS=100000  rows of the INSERT benchmark (section writes)
#   BENCH_RESULTS=bench/results   where the Markdown/CSV/chart results go
#   BENCH_CHART=svg          chart format: svg or png
#   SEMOSS_BENCH_INSTALL=1   build and `make install` the extension first
#                            (default: benchmark the installed extension)

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_ROOT=$(cd "$BENCH_DIR/.." && pwd)
BENCH_PY=/usr/bin/python3
export PYTHONDONTWRITEBYTECODE=1    # no __pycache__ in the checkout
BENCH_DB=${BENCH_DB:-bench}
BENCH_ROWS=${BENCH_ROWS:-1000000}
BENCH_MEM_ROWS=${BENCH_MEM_ROWS:-5000000}
BENCH_REPS=${BENCH_REPS:-3}
BENCH_LOOKUPS=${BENCH_LOOKUPS:-200}
BENCH_FETCH_SIZES=${BENCH_FETCH_SIZES:-500 1000 2000 5000 10000 20000}
BENCH_SECTIONS_DEFAULT="compare lookup memory scan_fetch_size profile pushdown writes"
BENCH_SECTIONS=${BENCH_SECTIONS:-$BENCH_SECTIONS_DEFAULT}
BENCH_RESULTS=${BENCH_RESULTS:-$BENCH_DIR/results}
export BENCH_DB BENCH_ROWS BENCH_MEM_ROWS BENCH_REPS BENCH_LOOKUPS BENCH_FETCH_SIZES BENCH_RESULTS

# Debian packages the benchmark needs on top of the PostgreSQL server:
# plpython3u for contender (3), psycopg2 for the client and the driver,
# gnuplot for the charts, perf for the profile.
BENCH_APT_PACKAGES=(
    postgresql-15 postgresql-client-15 postgresql-plpython3-15
    python3-psycopg2 curl gnuplot-nox linux-perf
)

bench_log() { echo "bench: $*" >&2; }
bench_die() { echo "bench: $*" >&2; exit 1; }

# Install the missing packages; apt-get runs only when something is missing.
bench_install_packages() {
    local missing=() pkg
    for pkg in "${BENCH_APT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || bench_die "missing packages: ${missing[*]} (run as root, or install them)"
    bench_log "installing: ${missing[*]}"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

# The extension under test: by default the one installed in PostgreSQL's
# directories (another engineer may be installing builds there); with
# SEMOSS_BENCH_INSTALL=1, build this checkout and install it first.
bench_prepare_extension() {
    if [ "${SEMOSS_BENCH_INSTALL:-0}" = 1 ]; then
        # shellcheck source-path=SCRIPTDIR source=../scripts/lib/common.sh
        . "$BENCH_ROOT/scripts/lib/common.sh"
        install_dependencies
        build_and_install "$BENCH_ROOT"
    fi
    local sharedir
    sharedir=$(pg_config --sharedir 2>/dev/null || echo /usr/share/postgresql/15)
    [ -f "$sharedir/extension/semoss_fdw.control" ] \
        || bench_die "semoss_fdw is not installed; run SEMOSS_BENCH_INSTALL=1 bench/run to build and install it"
}

# psql against the sandbox: quiet (no NOTICEs), stop on the first error, unaligned.
bench_psql() { PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }

# Charts: SVG by default, PNG with BENCH_CHART=png.  The gnuplot terminal
# line and the file extension.
BENCH_CHART=${BENCH_CHART:-svg}
export BENCH_CHART
bench_chart_terminal() {
    if [ "$BENCH_CHART" = png ]; then
        echo "set terminal pngcairo size 900,480 font 'sans,10' noenhanced"
    else
        echo "set terminal svg size 900,480 dynamic font 'sans,11' noenhanced"
    fi
}

# Everything measure.py does (see its --help): one measurement, one CSV line.
bench_measure() { "$BENCH_PY" "$BENCH_DIR/measure.py" "$@"; }

# Emulator statistics (see emulator/README.md, "Debug surface").
bench_emulator_stat() {
    curl -sf "$SEMOSS_EMULATOR_URL/_emulator/stats" \
        | "$BENCH_PY" -c "import json,sys; print(json.load(sys.stdin)['$1'])"
}
bench_emulator_reset() { curl -sf -X POST "$SEMOSS_EMULATOR_URL/_emulator/stats/reset" >/dev/null; }
bench_emulator_pid() { cat "$SEMOSS_SANDBOX_DIR/emulator.pid"; }

# CPU seconds (user + system, all threads) a process has used so far.
bench_pid_cpu() {
    awk -v clk="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f\n", ($12 + $13) / clk }' "/proc/$1/stat"
}
# One memory field of /proc/PID/status in kB (VmRSS, VmHWM, RssAnon...).
bench_pid_mem_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

# Cleanups run on exit, last registered first: `bench_on_exit "command"`.
BENCH_CLEANUPS=()
bench_run_cleanups() {
    local i
    for ((i = ${#BENCH_CLEANUPS[@]} - 1; i >= 0; i--)); do
        eval "${BENCH_CLEANUPS[i]}" || true
    done
}
bench_on_exit() {
    BENCH_CLEANUPS+=("$1")
    trap bench_run_cleanups EXIT
    # an interrupted run still cleans up: the EXIT trap runs on exit
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# Start a sandbox unless one was handed down by bench/run, build the data
# and contenders in it, and stop everything started here on exit.
# $1 is the section's name (for messages).
bench_section_init() {
    local section=$1
    mkdir -p "$BENCH_RESULTS"
    if [ -z "${BENCH_RUN_ACTIVE:-}" ]; then
        bench_log "$section: running alone, with a sandbox of its own"
        bench_install_packages
        bench_prepare_extension
        bench_start_sandbox
        "$BENCH_DIR/setup.sh"
    fi
    if [ -z "${SEMOSS_SANDBOX_DIR:-}" ] || [ -z "${BENCH_CSV:-}" ]; then
        bench_die "$section: no sandbox"
    fi
}

# A work directory with the measurements' CSV, and a sandbox; both are
# removed on exit.  Exports the sandbox's variables (PGHOST, SEMOSS_URL...).
bench_start_sandbox() {
    BENCH_WORK=$(mktemp -d /tmp/semoss_bench.XXXXXX)
    BENCH_CSV=$BENCH_WORK/measurements.csv
    export BENCH_WORK BENCH_CSV
    # shellcheck disable=SC2016  # expanded when the cleanup runs
    bench_on_exit 'rm -rf "$BENCH_WORK"'
    local sandbox_env
    sandbox_env=$("$BENCH_ROOT/scripts/sandbox" start)
    eval "$sandbox_env"
    # shellcheck disable=SC2016  # expanded when the cleanup runs
    bench_on_exit '"$BENCH_ROOT/scripts/sandbox" stop "$SEMOSS_SANDBOX_DIR" >/dev/null 2>&1'
}

# The backing database's name, from the sandbox's libpq DSN.
bench_backend_db() { sed -n 's/.*dbname=\([^ ]*\).*/\1/p' <<<"$SEMOSS_BACKEND_DSN"; }

# (Re)create TABLE in the backing database with N rows of the six benchmark
# columns (int8, text, numeric, timestamptz, bool, float8), generated there;
# with a third argument "pk", id becomes the primary key (point lookups).
bench_create_rows() {
    local table=$1 rows=$2 pk=${3:-}
    bench_log "creating $table ($rows rows) in the backing database"
    bench_psql -d "$SEMOSS_BACKEND_DSN" <<SQL
DROP TABLE IF EXISTS $table;
CREATE TABLE $table AS
SELECT g::bigint AS id,
       'row ' || g || ' of the benchmark' AS label,
       round((g::bigint * 7919 % 1000000) / 100.0, 2)::numeric(12,2) AS amount,
       timestamptz '2024-01-01 00:00:00+00' + make_interval(secs => g * 0.75) AS created_at,
       g % 3 = 0 AS flag,
       g / 7.0::float8 AS ratio
FROM generate_series(1, $rows) g;
$( [ "$pk" = pk ] && echo "ALTER TABLE $table ADD PRIMARY KEY (id);" )
VACUUM ANALYZE $table;
SQL
}
