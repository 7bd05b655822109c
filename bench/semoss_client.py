#!/usr/bin/python3
"""bench/semoss_client.py — contender (4): how SEMOSS users pull data today.

A small client of the SEMOSS HTTP API (standard library + psycopg2 only):
logs in with the access/secret key pair (HTTP Basic on GET /config, as the
emulator README and SEMOSS's own Python client do), opens an insight
(`META | true` with insightId=new), runs the query with
`Database | Query | Collect(N)`, pages with `Task(id) | Collect(N)` until a
short page, and loads every page into a local table with COPY (one
transaction).  Optionally runs a SQL statement over the loaded table
afterwards (the aggregate of an "aggregated" query).  Its own CPU and peak
RSS come from resource.getrusage.

    semoss_client.py --sql REMOTE_SQL --page N --table T --columns "id bigint, ..." [--then SQL]
    semoss_client.py --lookup "REMOTE SQL with {id}" --ids 1,2,3 --page N

Environment: SEMOSS_URL, SEMOSS_ENGINE_ID, SEMOSS_ACCESS_KEY,
SEMOSS_SECRET_KEY; PGHOST/PGPORT/PGUSER and --db for the local database.

With --interactive (used by bench/measure.py) the work is bracketed: the
client logs in and connects, prints `READY <backend pid>`, waits for `GO`,
works, prints one JSON line with its figures, waits for `BYE`, then drops
its insight and logs out.  Without it, it works at once and prints the JSON.
"""

import argparse
import base64
import http.client
import io
import json
import os
import resource
import sys
import time
import urllib.parse

import psycopg2

# COPY's text format: backslash, tab, newline and carriage return escaped.
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class SemossError(Exception):
    """An HTTP or pixel error from SEMOSS."""


class Semoss:
    """One logged-in SEMOSS session on a keep-alive connection."""

    def __init__(self, url, access_key, secret_key):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme == "https":
            self.http = http.client.HTTPSConnection(parts.hostname, parts.port or 443, timeout=300)
        else:
            self.http = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=300)
        self.base = parts.path.rstrip("/")
        basic = base64.b64encode(("%s:%s" % (access_key, secret_key)).encode()).decode()
        # Credentials go with every request, so an expired session is renewed.
        self.headers = {"Authorization": "Basic " + basic}
        self.cookies = {}
        self.requests = 0
        config = json.loads(self.request("GET", "/config"))
        if not config.get("loginDetails"):
            raise SemossError("login refused")
        self.insight = json.loads(self.request_pixel("META | true;", "new"))["insightID"]

    def request(self, method, path, body=None):
        """One HTTP exchange; returns the body (bytes); keeps cookies."""
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded; charset=UTF-8"
        # body as bytes: http.client sends headers and body in one write
        self.http.request(method, self.base + path, body, headers)
        response = self.http.getresponse()
        data = response.read()
        self.requests += 1
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        if response.status != 200:
            raise SemossError("HTTP %d on %s: %s" % (response.status, path, data[:200]))
        return data

    def request_pixel(self, expression, insight=None):
        """POST a pixel to runPixel; the raw body."""
        form = urllib.parse.urlencode({"expression": expression,
                                       "insightId": insight or self.insight}).encode()
        return self.request("POST", "/engine/runPixel", form)

    def pixel(self, expression):
        """Run a pixel; the output of its first routine (error if it failed)."""
        answer = json.loads(self.request_pixel(expression))["pixelReturn"][0]
        if "ERROR" in answer["operationType"]:
            raise SemossError(str(answer["output"]))
        return answer["output"]

    def query_pages(self, engine, sql, page):
        """Yield the `values` of each Collect page of a SQL query."""
        output = self.pixel('META | Database(database=["%s"]) | Query("<encode>%s</encode>") '
                            '| Collect(%d);' % (engine, sql, page))
        while True:
            values = output["data"]["values"]
            yield values
            if len(values) < page:
                return
            output = self.pixel('META | Task("%s") | Collect(%d);' % (output["taskId"], page))

    def close(self):
        """Drop the insight and log out."""
        try:
            self.request_pixel("DropInsight();")
            self.request("GET", "/auth/logout/all?disableRedirect=true")
        finally:
            self.http.close()


def copy_text(values):
    """Rows as COPY text format: tab-separated, \\N for NULL."""
    return "".join("\t".join("\\N" if v is None else str(v).translate(COPY_ESCAPES) for v in row)
                   + "\n" for row in values)


def load(semoss, db, engine, sql, page, table):
    """Fetch every page and COPY it into the table, in one transaction."""
    rows = 0
    with db.cursor() as cur:
        for values in semoss.query_pages(engine, sql, page):
            if values:
                cur.copy_expert("COPY %s FROM STDIN" % table, io.StringIO(copy_text(values)))
                rows += len(values)
    db.commit()
    return rows


def lookups(semoss, engine, template, ids, page):
    """One query per id; latency of each (ms)."""
    latencies = []
    for key in ids:
        t0 = time.perf_counter()
        pages = list(semoss.query_pages(engine, template.replace("{id}", str(int(key))), page))
        latencies.append((time.perf_counter() - t0) * 1000.0)
        if sum(len(p) for p in pages) != 1:
            raise SemossError("lookup of id %s did not return one row" % key)
    return latencies


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sql", help="the SQL sent to SEMOSS")
    parser.add_argument("--page", type=int, default=5000, help="rows per Collect")
    parser.add_argument("--table", default="bench_client_rows", help="local table loaded")
    parser.add_argument("--columns", help="its columns, e.g. 'id bigint, label text'")
    parser.add_argument("--then", help="SQL run over the loaded table afterwards")
    parser.add_argument("--lookup", help="SQL sent to SEMOSS per id ({id} replaced)")
    parser.add_argument("--ids", help="comma-separated ids for --lookup")
    parser.add_argument("--db", default=os.environ.get("BENCH_DB", "bench"))
    parser.add_argument("--interactive", action="store_true")
    args = parser.parse_args()
    if not args.lookup and not (args.sql and args.columns):
        parser.error("need --sql and --columns, or --lookup and --ids")

    engine = os.environ["SEMOSS_ENGINE_ID"]
    semoss = Semoss(os.environ["SEMOSS_URL"], os.environ["SEMOSS_ACCESS_KEY"],
                    os.environ["SEMOSS_SECRET_KEY"])
    db = psycopg2.connect(dbname=args.db)
    with db.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        backend_pid = cur.fetchone()[0]
        if not args.lookup:
            # a fresh, empty table, as a script run every day would make
            cur.execute("DROP TABLE IF EXISTS %s" % args.table)
            cur.execute("CREATE TABLE %s (%s)" % (args.table, args.columns))
    db.commit()

    if args.interactive:
        print("READY %d" % backend_pid, flush=True)
        if sys.stdin.readline().strip() != "GO":
            return
    requests0 = semoss.requests
    usage0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    report = {}
    if args.lookup:
        report["latencies_ms"] = lookups(semoss, engine, args.lookup, args.ids.split(","), args.page)
    else:
        report["rows"] = load(semoss, db, engine, args.sql, args.page, args.table)
        if args.then:
            with db.cursor() as cur:
                cur.execute(args.then)
                report["then"] = [list(map(str, row)) for row in cur.fetchall()]
            db.commit()
    usage1 = resource.getrusage(resource.RUSAGE_SELF)
    report["wall_s"] = time.perf_counter() - t0
    report["client_cpu_s"] = (usage1.ru_utime - usage0.ru_utime) + (usage1.ru_stime - usage0.ru_stime)
    report["client_peak_mb"] = usage1.ru_maxrss / 1024.0
    report["requests"] = semoss.requests - requests0
    print(json.dumps(report), flush=True)
    if args.interactive:
        sys.stdin.readline()       # BYE: the measurement is over
    db.close()
    semoss.close()


if __name__ == "__main__":
    main()
