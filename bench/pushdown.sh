#!/usr/bin/env bash
# bench/pushdown.sh — section "pushdown": what pushdown saves.  Seven typical
# queries over the benchmark table (BENCH_ROWS rows), each measured with
# pushdown (contender semoss_fdw) and without it (semoss_fdw.pushdown = off:
# only the needed columns are fetched, everything else is done locally):
# rows received from SEMOSS, HTTP requests, wall time and backend CPU.
#
#   filter            1% of the rows by a condition on a numeric column
#   point lookup      one row by its key
#   top-N             the 10 largest amounts
#   page (OFFSET)     20 rows half way through the table by key order
#   grouped aggregate count/sum/avg per flag
#   join (2 foreign)  bench_rows with a 1000-row dimension table, 1000 matches
#   join (local)      bench_rows with a local table of 100 ids
#
# Results: bench/results/pushdown.md (and the shared report).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_section_init pushdown

# A dimension table in the backing database (every 1000th id of
# bench_rows) and a local table of 100 ids.  Every table is analyzed, the
# foreign ones through semoss_fdw (a remote sample), as the README asks:
# whether a join is done remotely is the planner's cost decision.
bench_psql -d "$SEMOSS_BACKEND_DSN" <<'SQL'
DROP TABLE IF EXISTS bench_dim;
CREATE TABLE bench_dim AS
SELECT g * 1000 AS id, 'dimension ' || g AS name, g % 10 AS category
FROM generate_series(1, 1000) AS g;
ALTER TABLE bench_dim ADD PRIMARY KEY (id);
ANALYZE bench_dim;
SQL
bench_psql -d "$BENCH_DB" <<SQL
DROP FOREIGN TABLE IF EXISTS bench_dim;
CREATE FOREIGN TABLE bench_dim (id bigint, name text, category int) SERVER semoss;
DROP TABLE IF EXISTS bench_local_ids;
CREATE TABLE bench_local_ids AS
SELECT (g * 9973) % $BENCH_ROWS + 1 AS id FROM generate_series(1, 100) AS g;
ANALYZE bench_local_ids;
ANALYZE bench_rows;
ANALYZE bench_dim;
SQL

# Query name, rows the query returns (for per-row figures) and SQL.
QUERIES=(
    "filter|SELECT id, amount FROM bench_rows WHERE amount < 100"
    "point lookup|SELECT * FROM bench_rows WHERE id = 424242"
    "top-N|SELECT id, amount FROM bench_rows ORDER BY amount DESC, id LIMIT 10"
    "page (OFFSET)|SELECT id, amount FROM bench_rows ORDER BY id LIMIT 20 OFFSET $((BENCH_ROWS / 2))"
    "grouped aggregate|SELECT flag, count(*), sum(amount), avg(ratio) FROM bench_rows GROUP BY flag"
    "join (2 foreign)|SELECT r.id, r.amount, d.name FROM bench_rows r JOIN bench_dim d ON d.id = r.id"
    "join (local)|SELECT r.id, r.amount FROM bench_local_ids l JOIN bench_rows r ON r.id = l.id"
)

WARMUP="SELECT name FROM bench_dim WHERE id = 1000"
for entry in "${QUERIES[@]}"; do
    name=${entry%%|*}
    sql=${entry#*|}
    rows=$(bench_psql -d "$BENCH_DB" -c "SELECT count(*) FROM ($sql) q")
    remote=$("$BENCH_PY" "$BENCH_DIR/measure.py" remote-sql --db "$BENCH_DB" --sql "$sql" | head -c 300)
    bench_log "pushdown: $name ($rows rows)"
    # the warm-up logs the session in and learns the engine's dialect
    bench_measure sql --section pushdown --query "$name" --contender semoss_fdw \
        --rows "$rows" --db "$BENCH_DB" --warmup "$WARMUP" --sql "$sql" --note "$remote"
    bench_measure sql --section pushdown --query "$name" --contender "no pushdown" \
        --rows "$rows" --db "$BENCH_DB" --warmup "$WARMUP" \
        --warmup "SET semoss_fdw.pushdown = off" --sql "$sql"
done

{
    echo "# Pushdown: the same queries with and without it"
    echo
    echo "BENCH_ROWS=$BENCH_ROWS rows in bench_rows; medians of $BENCH_REPS runs;"
    echo "\"no pushdown\" is semoss_fdw with semoss_fdw.pushdown = off (only the"
    echo "needed columns are fetched).  The note is the start of the remote SQL"
    echo "with pushdown.  Machine: $(nproc) cores, $(. /etc/os-release && echo "$PRETTY_NAME")."
    echo
    "$BENCH_PY" "$BENCH_DIR/report.py" --section pushdown
} > "$BENCH_RESULTS/pushdown.md"
[ -n "${BENCH_RUN_ACTIVE:-}" ] || "$BENCH_PY" "$BENCH_DIR/report.py" --print-only
