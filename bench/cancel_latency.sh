#!/usr/bin/env bash
# bench/cancel_latency.sh — how long a hung SEMOSS request keeps a query
# running after statement_timeout, pg_cancel_backend or
# pg_terminate_backend, for a server that sends nothing (delay) and one
# that trickles a byte every 0.5 s (trickle).
#
#   bench/cancel_latency.sh [REPETITIONS]      (default 10)
#
# Starts its own sandbox.  For statement_timeout the latency is the time
# past the 200 ms timeout; for cancel and terminate, from the call to the
# moment the victim's query ended (the victim backend exited).  Prints
# min / median / max in ms and writes bench/results/cancel_latency.md.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=../scripts/lib/common.sh
. "$ROOT/scripts/lib/common.sh"

REPS=${1:-10}
DB=semoss_cancel

install_dependencies
build_and_install "$ROOT"
sandbox_env=$("$ROOT/scripts/sandbox" start)
eval "$sandbox_env"
trap '"$ROOT/scripts/sandbox" stop "$SEMOSS_SANDBOX_DIR" >/dev/null 2>&1 || true' EXIT

PSQL=(psql -X -q -v ON_ERROR_STOP=1 -At)
"${PSQL[@]}" -d postgres -c "CREATE DATABASE $DB"
"${PSQL[@]}" -d "$DB" >/dev/null <<SQL
CREATE EXTENSION semoss_fdw;
CREATE EXTENSION dblink;
CREATE EXTENSION plpython3u;
CREATE SERVER semoss FOREIGN DATA WRAPPER semoss_fdw
    OPTIONS (url '$SEMOSS_URL', engine_id '$SEMOSS_ENGINE_ID');
CREATE USER MAPPING FOR PUBLIC SERVER semoss
    OPTIONS (access_key '$SEMOSS_ACCESS_KEY', secret_key '$SEMOSS_SECRET_KEY');
CREATE FOREIGN TABLE paged (id integer) SERVER semoss
    OPTIONS (table_name 'customers', fetch_size '10');
CREATE FUNCTION emulator(method text, path text, body text DEFAULT NULL)
RETURNS text LANGUAGE plpython3u AS \$\$
import urllib.request
req = urllib.request.Request("$SEMOSS_EMULATOR_URL" + path,
                             data=None if body is None else body.encode(), method=method)
with urllib.request.urlopen(req, timeout=10) as resp:
    return resp.read().decode()
\$\$;
-- arm a fault on page 3 of a scan of "paged", wait for it to be taken
CREATE FUNCTION arm(kind text) RETURNS void LANGUAGE sql AS \$\$
    SELECT emulator('POST', '/_emulator/faults',
        '{"kind": "' || kind || '", "match": "Collect(10)", "after": 2, "seconds": 5}')
\$\$;
CREATE FUNCTION taken() RETURNS void LANGUAGE plpgsql AS \$\$
BEGIN
    FOR i IN 1..500 LOOP
        EXIT WHEN (emulator('GET', '/_emulator/faults')::jsonb -> 'faults') = '[]'
              AND (emulator('GET', '/_emulator/stats')::jsonb ->> 'in_flight')::int > 0;
        PERFORM pg_sleep(0.01);
    END LOOP;
END \$\$;
CREATE TABLE latency (kind text, how text, ms float8);
SQL

for kind in delay trickle; do
    for _ in $(seq "$REPS"); do
        # statement_timeout, in a session of its own (warm: it read a page)
        "${PSQL[@]}" -d "$DB" >/dev/null 2>&1 <<SQL || true
SELECT count(*) FROM paged LIMIT 1;
SELECT arm('$kind');
SELECT clock_timestamp() AS t0 \gset
SET statement_timeout = '200ms';
\set ON_ERROR_STOP 0
SELECT count(*) FROM paged;
RESET statement_timeout;
INSERT INTO latency SELECT '$kind', 'statement_timeout',
    1000 * extract(epoch FROM clock_timestamp() - :'t0'::timestamptz) - 200;
SQL
        # pg_cancel_backend and pg_terminate_backend of a victim
        for how in cancel terminate; do
            "${PSQL[@]}" -d "$DB" >/dev/null 2>&1 <<SQL || true
SELECT dblink_connect('v', 'host=$PGHOST port=$PGPORT dbname=$DB user=postgres');
SELECT pid AS victim FROM dblink('v', 'SELECT pg_backend_pid()') AS t(pid int) \gset
SELECT * FROM dblink('v', 'SELECT count(*) FROM paged LIMIT 1') AS t(n bigint);
SELECT arm('$kind');
SELECT dblink_send_query('v', 'SELECT count(*) FROM paged');
SELECT taken();
SELECT clock_timestamp() AS t0 \gset
\if $( [ "$how" = cancel ] && echo true || echo false )
SELECT pg_cancel_backend(:victim);
SELECT * FROM dblink_get_result('v', false) AS t(n bigint);
\else
SELECT pg_terminate_backend(:victim, 10000);
\endif
INSERT INTO latency SELECT '$kind', 'pg_${how}_backend',
    1000 * extract(epoch FROM clock_timestamp() - :'t0'::timestamptz);
SELECT dblink_disconnect('v');
SQL
        done
        # let the delayed requests finish before the next round
        sleep 0.3
    done
done

mkdir -p "$ROOT/bench/results"
{
    echo "Cancel latency, $REPS runs each, emulator on loopback, 2-core machine (ms; statement_timeout: past the 200 ms timeout)"
    echo
    echo "| server | how | runs | min | median | max |"
    echo "|---|---|---:|---:|---:|---:|"
    "${PSQL[@]}" -d "$DB" -F ' | ' <<'SQL' | sed 's/^/| /; s/$/ |/'
SELECT kind, how, count(*), round(min(ms)::numeric, 1),
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms))::numeric, 1),
       round(max(ms)::numeric, 1)
FROM latency GROUP BY kind, how ORDER BY kind, how;
SQL
} >"$ROOT/bench/results/cancel_latency.md"
cat "$ROOT/bench/results/cancel_latency.md"
