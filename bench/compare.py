#!/usr/bin/python3
"""bench/compare.py — semoss_fdw against what users would use instead.

    compare.py scan      full scan, filtered and aggregated queries
    compare.py lookup    warm point lookups

Run by bench/compare.sh and bench/lookup.sh inside the sandbox bench/run
(or the section alone) started; bench/setup.sh made the contenders:

  semoss_fdw           foreign table bench_rows
  postgres_fdw         foreign table bench_rows_pg, straight to the backing database
  plpython3u rows      semoss_rows(): Python parses each page, yields rows
  plpython3u jsonb     semoss_pages(): each page as jsonb, SQL takes it apart
  Python client+COPY   bench/semoss_client.py: the SEMOSS API, COPY into a local table

Fairness: the HTTP contenders send exactly the SQL semoss_fdw sends (read
from EXPLAIN VERBOSE: the pushed-down WHERE, only the needed columns, each
cast to text so that values are exact) with the same page size, so SEMOSS
does the same work and sends the same bytes for every one of them; what
differs is the client side.  Everything that runs in PostgreSQL runs as
EXPLAIN ANALYZE (TIMING OFF), so rows are produced but not sent to psql.
Every contender's answer is checked against semoss_fdw's (row count and a
hash of every row), outside the measurement.
"""

import math
import os
import random
import re
import sys

sys.dont_write_bytecode = True        # no __pycache__ in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import measure  # noqa: E402

TYPES = {"id": "bigint", "label": "text", "amount": "numeric(12,2)",
         "created_at": "timestamptz", "flag": "boolean", "ratio": "float8"}

FDW = "semoss_fdw"
PGFDW = "postgres_fdw"
PLPY_ROWS = "plpython3u rows"
PLPY_JSONB = "plpython3u jsonb"
CLIENT = "Python client+COPY"
CONTENDERS = [FDW, PGFDW, PLPY_ROWS, PLPY_JSONB, CLIENT]


class Query:
    """SELECT <select> FROM <source> [WHERE <where>] [GROUP BY <group>]."""

    def __init__(self, title, select, where=None, group=None):
        self.title, self.select, self.where, self.group = title, select, where, group

    def sql(self, source, where=True):
        text = "SELECT %s FROM %s" % (self.select, source)
        if where and self.where:
            text += " WHERE " + self.where
        if self.group:
            text += " GROUP BY " + self.group
        return text


QUERIES = [
    Query("full scan (6 columns)", "*"),
    Query("filter amount < 1000 (10%)", "*", "amount < 1000"),
    Query("filter 50% + GROUP BY", "flag, count(*), sum(amount), avg(ratio), "
          "min(created_at), max(created_at)", "amount >= 5000", "flag"),
]


def literal(text):
    """A SQL string literal (standard_conforming_strings is on)."""
    return "'" + text.replace("'", "''") + "'"


def remote_columns(remote):
    """The columns semoss_fdw's remote SELECT fetches, in order."""
    select_list = remote.split(" FROM ", 1)[0]
    return [name.replace('""', '"') for name in re.findall(r'r1\."((?:[^"]|"")+)"\)::text', select_list)]


def plpython_rows_source(remote, page):
    """A subquery over semoss_rows() with the fetched columns, typed."""
    columns = remote_columns(remote)
    definitions = ", ".join("%s %s" % (c, "text" if TYPES[c] == "boolean" else TYPES[c]) for c in columns)
    casts = ", ".join("%s::boolean AS %s" % (c, c) if TYPES[c] == "boolean" else c for c in columns)
    return "(SELECT %s FROM semoss_rows(%s, %d) AS t(%s)) AS b" % (casts, literal(remote), page, definitions)


def plpython_jsonb_source(remote, page):
    """A subquery taking semoss_pages()' jsonb apart in SQL."""
    columns = remote_columns(remote)
    values = ", ".join("(v->>%d)::%s AS %s" % (i, TYPES[c], c) for i, c in enumerate(columns))
    return ("(SELECT %s FROM semoss_pages(%s, %d) AS p, "
            "jsonb_array_elements(p #> '{pixelReturn,0,output,data,values}') AS v) AS b"
            % (values, literal(remote), page))


def client_columns(remote):
    """Column definitions of the client's local table."""
    return ", ".join("%s %s" % (c, TYPES[c]) for c in remote_columns(remote))


def aggregated_remotely(sql):
    """True if the plan has no Aggregate node: the FDW pushed it down."""
    conn = measure.connect()
    try:
        plan = measure.run(conn.cursor(), "EXPLAIN (COSTS OFF) " + sql)
    finally:
        conn.close()
    return not any(re.match(r"\s*(->\s*)?\w*Aggregate\b", line) for (line,) in plan)


def check(sql, small=False):
    """Row count and an order-independent hash of every row of a query; for
    a small result (an aggregate), the rows themselves, sorted."""
    conn = measure.connect()
    try:
        if small:
            return sorted(measure.run(conn.cursor(), sql), key=repr)
        return tuple(measure.run(conn.cursor(), "SELECT count(*), sum(hashtext(b::text)::numeric) "
                                                "FROM (%s) AS b" % sql)[0])
    finally:
        conn.close()


def same(got, expected):
    """Equal answers; floating-point values (avg) may differ in the last
    digits, as the order of summation may differ."""
    if isinstance(got, tuple) or len(got) != len(expected):
        return got == expected
    for row, other in zip(got, expected):
        for a, b in zip(row, other):
            if isinstance(a, float) and isinstance(b, float):
                if not math.isclose(a, b, rel_tol=1e-12):
                    return False
            elif a != b:
                return False
    return True


def backing_count(where):
    """Rows the remote query returns, counted in the backing database."""
    conn = measure.connect(os.environ["SEMOSS_BACKEND_DSN"])
    try:
        return measure.run(conn.cursor(), "SELECT count(*) FROM bench_rows"
                           + (" WHERE " + where if where else ""))[0][0]
    finally:
        conn.close()


WARMUP = {
    FDW: ["SELECT 1 FROM bench_rows LIMIT 1"],
    PGFDW: ["SELECT 1 FROM bench_rows_pg LIMIT 1"],
    PLPY_ROWS: ["SELECT count(*) FROM semoss_rows('SELECT 1::text', 10) AS t(x text)"],
    PLPY_JSONB: ["SELECT count(*) FROM semoss_pages('SELECT 1::text', 10)"],
}


def scan(reps, verify):
    """Every query, every contender."""
    mismatches = []
    for query in QUERIES:
        rows = backing_count(query.where)
        print("%s (%d rows from the remote query):" % (query.title, rows), file=sys.stderr, flush=True)
        fdw_sql = query.sql("bench_rows")
        remote = measure.remote_sql(fdw_sql)
        fdw_note = ""
        if query.group:
            fdw_note = "aggregate pushed down" if aggregated_remotely(fdw_sql) else "aggregated locally"
        fdw = measure.measure_sql("compare", query.title, FDW, rows, fdw_sql, reps, WARMUP[FDW],
                                  explain=True, note=fdw_note)
        page = int(os.environ.get("BENCH_PAGE") or fdw["page_size"] or 5000)
        statements = {FDW: fdw_sql, PGFDW: query.sql("bench_rows_pg")}
        note = {}
        if query.group:
            note[PGFDW] = "aggregate pushed down" if aggregated_remotely(statements[PGFDW]) \
                else "aggregated locally"
        columns = remote_columns(remote)
        if fdw_note == "aggregate pushed down" or not columns or any(c not in TYPES for c in columns):
            # semoss_fdw sends the whole grouped query: the engine returns the
            # groups, so there are no rows for the HTTP contenders to rebuild
            # (sending the same query, they would receive the same few rows)
            print("  the HTTP contenders are skipped: semoss_fdw's remote query returns no plain rows: %s"
                  % remote, file=sys.stderr, flush=True)
            measure.measure_sql("compare", query.title, PGFDW, rows, statements[PGFDW], reps,
                                WARMUP[PGFDW], explain=True, note=note.get(PGFDW, ""))
            continue
        statements[PLPY_ROWS] = query.sql(plpython_rows_source(remote, page), where=False)
        statements[PLPY_JSONB] = query.sql(plpython_jsonb_source(remote, page), where=False)
        for contender in (PGFDW, PLPY_ROWS, PLPY_JSONB):
            measure.measure_sql("compare", query.title, contender, rows, statements[contender], reps,
                                WARMUP[contender], explain=True, note=note.get(contender, ""))
        local = query.sql("bench_client_rows", where=False)
        client_args = ["--sql", remote, "--page", str(page), "--table", "bench_client_rows",
                       "--columns", client_columns(remote)]
        if query.group:
            client_args += ["--then", local]
        measure.measure_client("compare", query.title, CLIENT, rows, client_args, reps,
                               note="aggregated over the loaded table" if query.group else "")
        if verify:
            before = len(mismatches)
            small = bool(query.group)
            expected = check(fdw_sql, small)
            for contender in (PGFDW, PLPY_ROWS, PLPY_JSONB, CLIENT):
                got = check(local if contender == CLIENT else statements[contender], small)
                if not same(got, expected):
                    mismatches.append("%s / %s: %s, semoss_fdw %s" % (query.title, contender, got, expected))
            print("  answers checked: %s" % ("all identical" if len(mismatches) == before else "MISMATCH"),
                  file=sys.stderr, flush=True)
    return mismatches


def lookup(count):
    """Warm point lookups by primary key, `count` per contender."""
    rows = int(os.environ.get("BENCH_ROWS", "1000000"))
    rng = random.Random(42)
    ids = [rng.randint(1, rows) for _ in range(count)]
    title = "point lookup (id = const)"
    print("%s, %d lookups per contender:" % (title, count), file=sys.stderr, flush=True)
    sentinel = "987654321"
    remote = measure.remote_sql("SELECT * FROM bench_rows WHERE id = %s" % sentinel)
    if sentinel not in remote:
        raise RuntimeError("the id is not in the remote SQL: " + remote)
    remote = remote.replace(sentinel, "{id}")
    fdw = measure.measure_lookups("lookup", title, FDW, "SELECT * FROM bench_rows WHERE id = {id}", ids,
                                  ["SELECT * FROM bench_rows WHERE id = 1"])
    page = int(os.environ.get("BENCH_PAGE") or fdw["page_size"] or 5000)
    measure.measure_lookups("lookup", title, PGFDW, "SELECT * FROM bench_rows_pg WHERE id = {id}", ids,
                            ["SELECT * FROM bench_rows_pg WHERE id = 1"])
    query = Query(title, "*")
    measure.measure_lookups("lookup", title, PLPY_ROWS, query.sql(plpython_rows_source(remote, page)),
                            ids, WARMUP[PLPY_ROWS])
    measure.measure_lookups("lookup", title, PLPY_JSONB, query.sql(plpython_jsonb_source(remote, page)),
                            ids, WARMUP[PLPY_JSONB], note="stops at the first empty page")
    measure.measure_client("lookup", title, CLIENT, count,
                           ["--lookup", remote, "--ids", ",".join(map(str, ids)), "--page", str(page)],
                           note="fetch only, nothing loaded")


def main():
    command = sys.argv[1] if len(sys.argv) > 1 else "scan"
    if command == "scan":
        mismatches = scan(int(os.environ.get("BENCH_REPS", "3")), os.environ.get("BENCH_VERIFY", "1") == "1")
        for line in mismatches:
            print("MISMATCH: " + line, file=sys.stderr)
        sys.exit(1 if mismatches else 0)
    elif command == "lookup":
        lookup(int(os.environ.get("BENCH_LOOKUPS", "200")))
    else:
        sys.exit("usage: compare.py scan | lookup")


if __name__ == "__main__":
    main()
