#!/usr/bin/env bash
# bench/load_pgbench.sh — concurrent load through semoss_fdw with pgbench.
#
#   bench/load_pgbench.sh [CLIENTS] [TRANSACTIONS]      (default 8 x 1000)
#
# Starts its own sandbox, creates foreign tables over the sample data and
# runs a custom pgbench script: a point lookup by id, a small scan with
# ORDER BY ... LIMIT, and an aggregate over a filtered scan.  Then checks:
# every transaction succeeded; once the clients have disconnected SEMOSS
# holds no open task, no insight and no session; the backends' private
# memory (RssAnon) was flat between early in the run and its end.
# Prints the figures and writes them to bench/results/load_pgbench.md.
# Exits non-zero if a check fails.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=../scripts/lib/common.sh
. "$ROOT/scripts/lib/common.sh"

CLIENTS=${1:-8}
TRANSACTIONS=${2:-1000}
DB=semoss_load
# Memory growth per backend tolerated between early and late samples (kB).
MAX_GROWTH_KB=${MAX_GROWTH_KB:-2048}

install_dependencies
build_and_install "$ROOT"
sandbox_env=$("$ROOT/scripts/sandbox" start)
eval "$sandbox_env"
WORK=$(mktemp -d /tmp/semoss_load.XXXXXX)
SAMPLER=
cleanup() {
    [ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null || true
    "$ROOT/scripts/sandbox" stop "$SEMOSS_SANDBOX_DIR" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

PSQL=(psql -X -q -v ON_ERROR_STOP=1 -At)
"${PSQL[@]}" -d postgres -c "CREATE DATABASE $DB"
"${PSQL[@]}" -d "$DB" >/dev/null <<SQL
CREATE EXTENSION semoss_fdw;
CREATE SERVER semoss FOREIGN DATA WRAPPER semoss_fdw
    OPTIONS (url '$SEMOSS_URL', engine_id '$SEMOSS_ENGINE_ID');
CREATE USER MAPPING FOR CURRENT_USER SERVER semoss
    OPTIONS (access_key '$SEMOSS_ACCESS_KEY', secret_key '$SEMOSS_SECRET_KEY');
CREATE SCHEMA semoss;
CREATE FOREIGN TABLE semoss.customers (
    id integer, name varchar(100), email text, region_id smallint,
    signup_date date, is_vip boolean, credit_limit numeric(12,2)
) SERVER semoss OPTIONS (table_name 'customers');
CREATE FOREIGN TABLE semoss.orders (
    id bigint, customer_id integer, ordered_at timestamp, shipped_at timestamptz,
    status text, total numeric(14,2), notes text
) SERVER semoss OPTIONS (table_name 'orders');
SQL

cat >"$WORK/mix.sql" <<'SQL'
\set cid random(1, 2000)
\set oid random(1, 19990)
SELECT name, email, credit_limit FROM semoss.customers WHERE id = :cid;
SELECT id, status, total FROM semoss.orders WHERE id >= :oid ORDER BY id LIMIT 10;
SELECT status, count(*), sum(total) FROM semoss.orders WHERE customer_id = :cid GROUP BY status;
SQL

emulator_stat() {
    curl -s "$SEMOSS_EMULATOR_URL/_emulator/stats" \
        | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"
}

# Sample the private memory of every backend of $DB twice a second.
sample_memory() {
    while true; do
        for pid in $(pgrep -u postgres -f "postgres: postgres $DB " || true); do
            rss=$(awk '/^RssAnon:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
            [ -n "$rss" ] && echo "$(date +%s.%N) $pid $rss"
        done
        sleep 0.5
    done
}
sample_memory >"$WORK/memory" &
SAMPLER=$!

curl -s -X POST "$SEMOSS_EMULATOR_URL/_emulator/stats/reset" >/dev/null
echo "pgbench: $CLIENTS clients x $TRANSACTIONS transactions"
set +e
pgbench -n -r -c "$CLIENTS" -j 2 -t "$TRANSACTIONS" -f "$WORK/mix.sql" -h "$PGHOST" -p "$PGPORT" "$DB" \
    >"$WORK/pgbench.out" 2>&1
PGBENCH_RC=$?
set -e
kill "$SAMPLER" 2>/dev/null || true
wait "$SAMPLER" 2>/dev/null || true
SAMPLER=
cat "$WORK/pgbench.out"

# The backends say goodbye to SEMOSS as they exit: wait for it.
for _ in $(seq 100); do
    [ "$(emulator_stat sessions)" -eq 0 ] && [ "$(emulator_stat in_flight)" -eq 0 ] && break
    sleep 0.1
done
OPEN_TASKS=$(emulator_stat open_tasks)
INSIGHTS=$(emulator_stat insights)
SESSIONS=$(emulator_stat sessions)
REQUESTS=$(emulator_stat requests)
LOGINS=$(emulator_stat logins)

# Memory: per backend, the sample a tenth into its life and its last one.
MEMORY=$(/usr/bin/python3 - "$WORK/memory" "$MAX_GROWTH_KB" <<'EOF'
import sys
samples = {}
for line in open(sys.argv[1]):
    t, pid, kb = line.split()
    samples.setdefault(pid, []).append((float(t), int(kb)))
limit = int(sys.argv[2])
rows, worst = [], 0
for pid, s in samples.items():
    if len(s) < 5:
        continue
    early = s[len(s) // 10][1]
    late = s[-1][1]
    worst = max(worst, late - early)
    rows.append((early, late))
if not rows:
    print("no samples 0 0 0 0 1")
    sys.exit()
print("%d %d %d %d %d %d" % (len(rows), min(r[0] for r in rows), max(r[0] for r in rows),
                             min(r[1] for r in rows), max(r[1] for r in rows), worst))
EOF
)
read -r NBACKENDS EARLY_MIN EARLY_MAX LATE_MIN LATE_MAX WORST <<<"$MEMORY"

PROCESSED=$(sed -n 's/^number of transactions actually processed: \([0-9]*\)\/\([0-9]*\).*/\1 \2/p' "$WORK/pgbench.out")
FAILED=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$WORK/pgbench.out")
TPS=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$WORK/pgbench.out" | head -1)
LATENCY=$(sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' "$WORK/pgbench.out")
STMT_LAT=$(sed -n '/statement latencies in milliseconds/,$p' "$WORK/pgbench.out" | grep -E '^ +[0-9.]+ +[0-9]+ +SELECT|^ +[0-9.]+ +SELECT' || true)

fail=0
check() {
    if eval "$2"; then
        echo "ok:     $1"
    else
        echo "FAILED: $1"
        fail=1
    fi
}
echo
check "pgbench exit status 0" "[ $PGBENCH_RC -eq 0 ]"
check "all $((CLIENTS * TRANSACTIONS)) transactions processed, none failed" \
    "[ \"$PROCESSED\" = \"$((CLIENTS * TRANSACTIONS)) $((CLIENTS * TRANSACTIONS))\" ] && [ \"${FAILED:-0}\" -eq 0 ]"
check "no open task on SEMOSS afterwards ($OPEN_TASKS)" "[ $OPEN_TASKS -eq 0 ]"
check "no insight on SEMOSS afterwards ($INSIGHTS)" "[ $INSIGHTS -eq 0 ]"
check "no session on SEMOSS afterwards ($SESSIONS)" "[ $SESSIONS -eq 0 ]"
check "backend memory flat: worst growth ${WORST} kB <= ${MAX_GROWTH_KB} kB" "[ $WORST -le $MAX_GROWTH_KB ]"

mkdir -p "$ROOT/bench/results"
{
    echo "pgbench, $CLIENTS clients x $TRANSACTIONS transactions (custom script below), emulator on loopback, 2-core machine"
    echo
    echo '```'
    cat "$WORK/mix.sql"
    echo '```'
    echo
    echo "| tps | latency avg ms | transactions | failed | SEMOSS requests | logins | open tasks / insights / sessions after |"
    echo "|---:|---:|---:|---:|---:|---:|---|"
    echo "| $TPS | $LATENCY | ${PROCESSED%% *} | ${FAILED:-0} | $REQUESTS | $LOGINS | $OPEN_TASKS / $INSIGHTS / $SESSIONS |"
    echo
    echo "Statement latencies (ms):"
    echo
    echo '```'
    echo "$STMT_LAT"
    echo '```'
    echo
    echo "Backend private memory (RssAnon, kB), $NBACKENDS backends: a tenth into the run $EARLY_MIN-$EARLY_MAX, at the end $LATE_MIN-$LATE_MAX; worst growth $WORST kB."
} >"$ROOT/bench/results/load_pgbench.md"
echo
cat "$ROOT/bench/results/load_pgbench.md"
exit $fail
