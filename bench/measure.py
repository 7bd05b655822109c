#!/usr/bin/python3
"""bench/measure.py — one benchmark measurement, appended to $BENCH_CSV.

What is measured, for every contender the same way:

* wall time of the measured work only (sessions are warmed up first: logged
  in to SEMOSS, Python loaded, postgres_fdw connected);
* backend CPU: user + system time of the PostgreSQL backend that runs the
  query, from /proc/<pid>/schedstat (nanoseconds; /proc/<pid>/stat if absent);
* peak backend memory: /proc/<pid>/status VmHWM after the work, minus VmRSS
  when the peak was reset (`5` written to /proc/<pid>/clear_refs) just
  before it; it counts every page the backend touched, shared buffers too;
  and peak private memory: the highest RssAnon (the backend's own memory,
  no shared buffers) sampled every 20 ms, minus RssAnon before the work;
* HTTP requests, response bytes and rows sent: the emulator's statistics
  (reset before the work, read after it);
* emulator CPU: /proc/<emulator pid>/stat (all its threads);
* backing-database CPU: every other process of the sandbox's PostgreSQL
  cluster (the emulator's and postgres_fdw's connections to the backing
  database, and the background processes);
* for the Python client: its own CPU and peak RSS (resource.getrusage in
  the client), reported by the client itself.

Used as a module by compare.py, lookup.py...; from the shell (bench/lib.sh's
`bench_measure`):

  measure.py sql --section S --query Q --contender C --rows N --sql SQL
                 [--warmup SQL]... [--before SQL]... [--explain] [--reps R]
  measure.py remote-sql --sql SQL     the Remote SQL semoss_fdw sends for SQL

Every run of `sql` appends one CSV line (median of the repetitions) with
the columns of CSV_FIELDS to $BENCH_CSV.
"""

import argparse
import csv
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

import psycopg2

CLK_TCK = os.sysconf("SC_CLK_TCK")

CSV_FIELDS = [
    "section", "query", "contender", "rows", "reps", "wall_s", "backend_cpu_s",
    "backend_us_per_row", "client_cpu_s", "peak_mb", "private_mb", "client_peak_mb", "http_requests",
    "http_mb", "rows_received", "emulator_cpu_s", "backing_cpu_s", "page_size", "latency_ms_median",
    "latency_ms_p95", "requests_per_op", "note",
]

# Metrics a repetition produces; the CSV keeps the median of each.
METRICS = ["wall_s", "backend_cpu_s", "client_cpu_s", "peak_mb", "private_mb", "client_peak_mb",
           "http_requests", "http_mb", "rows_received", "emulator_cpu_s", "backing_cpu_s", "page_size",
           "latency_ms_median", "latency_ms_p95", "requests_per_op"]


# ---------------------------------------------------------------- /proc

def proc_cpu(pid):
    """CPU seconds (user + system, all threads) of a process; None if gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # after the command: state is fields[0], utime fields[11], stime fields[12]
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def thread_cpu(pid):
    """CPU seconds of a single-threaded process (a backend), to the
    nanosecond from /proc/<pid>/schedstat when the kernel has it."""
    try:
        with open("/proc/%d/schedstat" % pid) as f:
            return int(f.read().split()[0]) / 1e9
    except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
        return proc_cpu(pid)


def proc_status(pid):
    """The kB fields of /proc/<pid>/status as a dict of ints."""
    result = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            name, _, value = line.partition(":")
            parts = value.split()
            if len(parts) == 2 and parts[1] == "kB":
                result[name] = int(parts[0])
    return result


def reset_peak(pid):
    """Reset VmHWM to the current RSS (Linux >= 4.0); return that RSS in kB."""
    with open("/proc/%d/clear_refs" % pid, "w") as f:
        f.write("5")
    return proc_status(pid)["VmRSS"]


def children_of(parent):
    """PIDs of the direct children of a process."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == parent:
            pids.append(int(entry))
    return pids


# ---------------------------------------------------------------- sandbox

class Sandbox:
    """The emulator and the PostgreSQL cluster of the running sandbox."""

    def __init__(self):
        directory = os.environ["SEMOSS_SANDBOX_DIR"]
        self.emulator_url = os.environ["SEMOSS_EMULATOR_URL"]
        with open(os.path.join(directory, "emulator.pid")) as f:
            self.emulator_pid = int(f.read())
        with open(os.path.join(directory, "pg", "data", "postmaster.pid")) as f:
            self.postmaster_pid = int(f.readline())

    def stats(self):
        """The emulator's statistics (a dict)."""
        with urllib.request.urlopen(self.emulator_url + "/_emulator/stats", timeout=30) as r:
            return json.load(r)

    def reset_stats(self):
        """Zero the emulator's counters and recent lists."""
        request = urllib.request.Request(self.emulator_url + "/_emulator/stats/reset",
                                         data=b"", method="POST")
        with urllib.request.urlopen(request, timeout=30) as r:
            r.read()

    def cluster_cpu(self):
        """CPU seconds of every process of the cluster, by pid."""
        cpu = {self.postmaster_pid: proc_cpu(self.postmaster_pid)}
        for pid in children_of(self.postmaster_pid):
            value = proc_cpu(pid)
            if value is not None:
                cpu[pid] = value
        return cpu


class PrivatePeak(threading.Thread):
    """The highest RssAnon of a process, sampled every `interval` seconds."""

    def __init__(self, pid, interval=0.02):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.start_kb = self.peak_kb = proc_status(pid)["RssAnon"]
        self.done = threading.Event()

    def run(self):
        while True:
            finished = self.done.is_set()
            try:
                self.peak_kb = max(self.peak_kb, proc_status(self.pid)["RssAnon"])
            except (FileNotFoundError, ProcessLookupError):
                return
            if finished:
                return
            self.done.wait(self.interval)

    def growth_mb(self):
        """Stop sampling; the peak growth in MB."""
        self.done.set()
        self.join()
        return (self.peak_kb - self.start_kb) / 1024.0


class Bracket:
    """CPU and time of everything around one piece of measured work."""

    def __init__(self, sandbox, backend_pid):
        self.sandbox = sandbox
        self.backend_pid = backend_pid

    def start(self):
        """Reset the emulator's counters and the backend's peak; note CPU."""
        self.sandbox.reset_stats()
        self.rss0 = reset_peak(self.backend_pid)
        self.private = PrivatePeak(self.backend_pid)
        self.private.start()
        self.cluster0 = self.sandbox.cluster_cpu()
        self.emulator0 = proc_cpu(self.sandbox.emulator_pid)
        self.backend0 = thread_cpu(self.backend_pid)
        self.t0 = time.perf_counter()

    def stop(self):
        """Note CPU and peak memory, then read the emulator's counters."""
        self.t1 = time.perf_counter()
        backend1 = thread_cpu(self.backend_pid)
        emulator1 = proc_cpu(self.sandbox.emulator_pid)
        cluster1 = self.sandbox.cluster_cpu()
        hwm = proc_status(self.backend_pid)["VmHWM"]
        private = self.private.growth_mb()
        stats = self.sandbox.stats()
        backing = 0.0
        for pid, value in cluster1.items():
            if pid != self.backend_pid:
                backing += value - self.cluster0.get(pid, 0.0)
        return {
            "wall_s": self.t1 - self.t0,
            "backend_cpu_s": backend1 - self.backend0,
            "peak_mb": (hwm - self.rss0) / 1024.0,
            "private_mb": private,
            "http_requests": stats["requests"],
            "http_mb": stats["bytes_sent"] / 1048576.0,
            "rows_received": stats["rows_sent"],
            "emulator_cpu_s": emulator1 - self.emulator0,
            "backing_cpu_s": backing,
            "page_size": page_size_of(stats),
        }


def page_size_of(stats):
    """The Collect(N) of the first query pixel the emulator saw, if any."""
    for pixel in stats.get("recent_pixels", []):
        match = re.search(r"Collect\s*\(\s*(\d+)\s*\)", pixel)
        if match:
            return int(match.group(1))
    return None


# ---------------------------------------------------------------- sessions

def connect(dbname=None):
    """A psycopg2 connection to the sandbox (PGHOST/PGPORT/PGUSER), autocommit;
    dbname may also be a whole libpq connection string."""
    dbname = dbname or os.environ.get("BENCH_DB", "bench")
    conn = psycopg2.connect(dbname) if "=" in dbname else psycopg2.connect(dbname=dbname)
    conn.autocommit = True
    return conn


def run(cursor, sql):
    """Execute one statement; return its rows (or None)."""
    cursor.execute(sql)
    return cursor.fetchall() if cursor.description else None


class Sampler(threading.Thread):
    """Sample the backend's memory and the emulator's rows_sent over time."""

    def __init__(self, sandbox, pid, path, interval):
        super().__init__(daemon=True)
        self.sandbox, self.pid, self.path, self.interval = sandbox, pid, path, interval
        self.done = threading.Event()

    def run(self):
        t0 = time.perf_counter()
        with open(self.path, "w") as out:
            out.write("seconds,rows_sent,vmrss_kb,rssanon_kb,vmhwm_kb\n")
            while True:
                finished = self.done.is_set()     # one last sample after the work
                status = proc_status(self.pid)
                rows = self.sandbox.stats()["rows_sent"]
                out.write("%.3f,%d,%d,%d,%d\n" % (time.perf_counter() - t0, rows, status["VmRSS"],
                                                  status["RssAnon"], status["VmHWM"]))
                out.flush()
                if finished:
                    break
                self.done.wait(self.interval)

    def stop(self):
        self.done.set()
        self.join()


def measure_sql_once(sandbox, sql, warmup=(), before=(), explain=False, curve=None,
                     curve_interval=0.1, perf=None, dbname=None):
    """Run SQL once in a fresh, warmed-up session and measure it."""
    conn = connect(dbname)
    try:
        cur = conn.cursor()
        pid = run(cur, "SELECT pg_backend_pid()")[0][0]
        for statement in warmup:
            run(cur, statement)
        for statement in before:
            run(cur, statement)
        perf_process = None
        if perf:
            perf_process = subprocess.Popen(
                ["perf", "record", "-q", "-F", os.environ.get("BENCH_PERF_FREQ", "999"), "--call-graph", "dwarf,16384",
                 "-p", str(pid), "-o", perf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1.0)        # perf needs a moment to attach
        bracket = Bracket(sandbox, pid)
        bracket.start()
        sampler = None
        if curve:
            sampler = Sampler(sandbox, pid, curve, curve_interval)
            sampler.start()
        result = run(cur, ("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " if explain else "")
                     + sql)
        if sampler:
            sampler.stop()
        metrics = bracket.stop()
        if perf_process:
            perf_process.send_signal(signal.SIGINT)
            perf_process.wait()
        metrics["result"] = result
        return metrics
    finally:
        conn.close()


def median_metrics(runs):
    """Median of each metric over the repetitions."""
    merged = {}
    for name in METRICS:
        values = [r[name] for r in runs if r.get(name) is not None]
        merged[name] = statistics.median(values) if values else None
    return merged


def fmt(value):
    """A CSV cell: numbers rounded sensibly, None empty."""
    if value is None:
        return ""
    if isinstance(value, float):
        return "%.6g" % value
    return str(value)


def record(section, query, contender, rows, reps, metrics, note=""):
    """Append one line to $BENCH_CSV (header first if the file is new)."""
    line = dict(metrics)
    line.update(section=section, query=query, contender=contender, rows=rows, reps=reps, note=note)
    if line.get("backend_cpu_s") is not None and rows:
        line["backend_us_per_row"] = line["backend_cpu_s"] * 1e6 / rows
    path = os.environ["BENCH_CSV"]
    new = not os.path.exists(path) or os.path.getsize(path) == 0
    with open(path, "a", newline="") as f:
        writer = csv.writer(f)
        if new:
            writer.writerow(CSV_FIELDS)
        writer.writerow([fmt(line.get(k)) for k in CSV_FIELDS])
    summary = ", ".join("%s=%s" % (k, fmt(line.get(k))) for k in
                        ("wall_s", "backend_cpu_s", "client_cpu_s", "peak_mb", "http_requests",
                         "emulator_cpu_s", "latency_ms_median", "requests_per_op")
                        if line.get(k) is not None)
    print("  %-28s %-22s %s" % (query[:28], contender, summary), file=sys.stderr, flush=True)


def measure_sql(section, query, contender, rows, sql, reps=1, warmup=(), before=(),
                explain=False, note="", dbname=None, curve=None, curve_interval=0.1, perf=None):
    """Measure SQL `reps` times, record the medians, return them."""
    sandbox = Sandbox()
    runs = [measure_sql_once(sandbox, sql, warmup, before, explain, curve, curve_interval, perf, dbname)
            for _ in range(reps)]
    metrics = median_metrics(runs)
    record(section, query, contender, rows, reps, metrics, note)
    return metrics


def percentile(values, fraction):
    """The value below which `fraction` of the sorted values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(fraction * len(ordered) + 0.5)) - 1))]


def measure_lookups(section, query, contender, template, ids, warmup=(), note="", dbname=None):
    """Point lookups in one warm session: `{id}` in the template is replaced
    by each id in turn; latency is measured at the client (psycopg2)."""
    sandbox = Sandbox()
    conn = connect(dbname)
    try:
        cur = conn.cursor()
        pid = run(cur, "SELECT pg_backend_pid()")[0][0]
        for statement in warmup:
            run(cur, statement)
        latencies = []
        bracket = Bracket(sandbox, pid)
        bracket.start()
        for key in ids:
            t0 = time.perf_counter()
            rows = run(cur, template.replace("{id}", str(int(key))))
            latencies.append((time.perf_counter() - t0) * 1000.0)
            if len(rows) != 1:
                raise RuntimeError("%s: lookup of id %s returned %d rows" % (contender, key, len(rows)))
        metrics = bracket.stop()
    finally:
        conn.close()
    add_latencies(metrics, latencies)
    record(section, query, contender, len(ids), 1, metrics, note)
    return metrics


def add_latencies(metrics, latencies):
    """Latency figures and requests per operation from a list of ms."""
    metrics["latency_ms_median"] = statistics.median(latencies)
    metrics["latency_ms_p95"] = percentile(latencies, 0.95)
    metrics["requests_per_op"] = metrics["http_requests"] / len(latencies)


CLIENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "semoss_client.py")


def client_once(sandbox, client_args):
    """Run bench/semoss_client.py once: it logs in and connects, says READY
    with its backend's pid, works on GO, reports JSON, and quits on BYE."""
    process = subprocess.Popen([sys.executable, CLIENT, "--interactive"] + list(client_args),
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        ready = process.stdout.readline().split()
        if not ready or ready[0] != "READY":
            raise RuntimeError("semoss_client.py did not start: %r" % ready)
        bracket = Bracket(sandbox, int(ready[1]))
        bracket.start()
        process.stdin.write("GO\n")
        process.stdin.flush()
        answer = process.stdout.readline()
        metrics = bracket.stop()
        if not answer:
            raise RuntimeError("semoss_client.py failed")
        report = json.loads(answer)
        process.stdin.write("BYE\n")
        process.stdin.flush()
    finally:
        process.stdin.close()
        if process.wait(timeout=60) != 0:
            raise RuntimeError("semoss_client.py exited with %d" % process.returncode)
    metrics["client_cpu_s"] = report["client_cpu_s"]
    metrics["client_peak_mb"] = report["client_peak_mb"]
    metrics["report"] = report
    return metrics


def measure_client(section, query, contender, rows, client_args, reps=1, note=""):
    """Measure the Python API client `reps` times, record the medians."""
    sandbox = Sandbox()
    runs = [client_once(sandbox, client_args) for _ in range(reps)]
    metrics = median_metrics(runs)
    if "latencies_ms" in runs[0]["report"]:
        add_latencies(metrics, runs[0]["report"]["latencies_ms"])
    record(section, query, contender, rows, reps, metrics, note)
    metrics["report"] = runs[-1]["report"]
    return metrics


def remote_sql(sql, dbname=None):
    """The Remote SQL semoss_fdw sends for a query (from EXPLAIN VERBOSE)."""
    conn = connect(dbname)
    try:
        plan = run(conn.cursor(), "EXPLAIN (VERBOSE, COSTS OFF) " + sql)
    finally:
        conn.close()
    for (line,) in plan:
        line = line.strip()
        if line.startswith("Remote SQL: "):
            return line[len("Remote SQL: "):]
    raise RuntimeError("no Remote SQL in the plan of: " + sql)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("sql", help="measure one statement in a warm session")
    for name in ("section", "query", "contender", "sql"):
        p.add_argument("--" + name, required=True)
    p.add_argument("--rows", type=int, required=True, help="rows the statement handles (for per-row CPU)")
    p.add_argument("--reps", type=int, default=int(os.environ.get("BENCH_REPS", "1")))
    p.add_argument("--warmup", action="append", default=[], help="run first, in the same session")
    p.add_argument("--before", action="append", default=[], help="run before each repetition, unmeasured")
    p.add_argument("--explain", action="store_true", help="run as EXPLAIN ANALYZE (rows are not sent to the client)")
    p.add_argument("--note", default="")
    p.add_argument("--db")
    p.add_argument("--curve", help="with --reps 1: sample memory and rows_sent into this CSV")
    p.add_argument("--curve-interval", type=float, default=0.1, help="seconds between samples")
    p.add_argument("--perf", help="with --reps 1: perf record the backend into this file")
    r = sub.add_parser("remote-sql", help="print the Remote SQL semoss_fdw sends for a query")
    r.add_argument("--sql", required=True)
    r.add_argument("--db")
    args = parser.parse_args()
    if args.command == "sql":
        if (args.curve or args.perf) and args.reps != 1:
            parser.error("--curve and --perf need --reps 1")
        measure_sql(args.section, args.query, args.contender, args.rows, args.sql, args.reps,
                    args.warmup, args.before, args.explain, args.note, args.db, args.curve,
                    args.curve_interval, args.perf)
    else:
        print(remote_sql(args.sql, args.db))


if __name__ == "__main__":
    main()
