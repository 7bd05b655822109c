#!/usr/bin/python3
"""bench/report.py — the benchmark's tables, goals and charts.

Reads the measurements every section appended to $BENCH_CSV (one line per
section, query and contender; columns in measure.CSV_FIELDS) and writes,
into $BENCH_RESULTS:

  compare.md    every table, the ratios against semoss_fdw, the goals
  compare.csv   the measurements with the ratio columns added
  compare_wall.svg, compare_cpu.svg   charts (when gnuplot is installed; .png
                with BENCH_CHART=png)

and prints compare.md.  With --print-only nothing is written (a section
run alone).  Sections it does not know (a later "writes") get the generic
table: the same columns and ratios as "compare".
"""

import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True        # no __pycache__ in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from measure import CSV_FIELDS  # noqa: E402

BASE = "semoss_fdw"
# Contender names as compare.py writes them.
PGFDW = "postgres_fdw"
PLPY = ("plpython3u rows", "plpython3u jsonb")
CLIENT = "Python client+COPY"
HTTP_CONTENDERS = PLPY + (CLIENT,)
MEMORY_LIMIT_MB = 32.0


def number(value):
    """A CSV cell as float, or None."""
    return float(value) if value not in (None, "") else None


def load(path):
    """The measurements, in the order they were taken."""
    with open(path, newline="") as f:
        lines = list(csv.DictReader(f))
    for line in lines:
        for key in CSV_FIELDS:
            if key not in ("section", "query", "contender", "note"):
                line[key] = number(line.get(key))
        line["user_cpu_s"] = (line["backend_cpu_s"] or 0.0) + (line["client_cpu_s"] or 0.0)
        server = (line["emulator_cpu_s"] or 0.0) + (line["backing_cpu_s"] or 0.0)
        total = line["user_cpu_s"] + server
        line["user_share_pct"] = 100.0 * line["user_cpu_s"] / total if total else None
        line["user_us_per_row"] = line["user_cpu_s"] * 1e6 / line["rows"] if line["rows"] else None
    return lines


def grouped(lines, section):
    """{query: {contender: line}} for one section, queries in order."""
    groups = {}
    for line in lines:
        if line["section"] == section:
            groups.setdefault(line["query"], {})[line["contender"]] = line
    return groups


def add_ratios(lines):
    """Ratios against semoss_fdw in the same section and query."""
    for line in lines:
        base = next((b for b in lines if b["section"] == line["section"] and b["query"] == line["query"]
                     and b["contender"] == BASE), None)
        line["wall_x_fdw"] = ratio(line["wall_s"], base and base["wall_s"])
        line["user_cpu_x_fdw"] = ratio(line["user_cpu_s"], base and base["user_cpu_s"])
        line["latency_x_fdw"] = ratio(line["latency_ms_median"], base and base["latency_ms_median"])


def ratio(a, b):
    return a / b if a is not None and b else None


def f(value, digits=2):
    """A table cell."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) >= 1 and digits <= 2:
        return "%d" % value
    return "%.*f" % (digits, value)


def x(value):
    return "" if value is None else "%.2f×" % value


def table(header, rows):
    """A Markdown table; columns after the first two are right-aligned."""
    out = ["| " + " | ".join(header) + " |",
           "|" + "|".join("---" if i < 2 else "---:" for i in range(len(header))) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(out)


def scan_table(groups):
    """The main table: one line per query and contender."""
    header = ["query", "contender", "rows", "wall s", "backend CPU s", "client CPU s",
              "user-side CPU µs/row", "peak backend MB", "peak private MB", "HTTP req", "HTTP MB",
              "emulator CPU s",
              "backing DB CPU s", "user-side share of CPU", "wall ÷ fdw", "user-side CPU ÷ fdw", "note"]
    rows = []
    for query, contenders in groups.items():
        for name, l in contenders.items():
            rows.append([query, name, f(l["rows"], 0), f(l["wall_s"]), f(l["backend_cpu_s"]),
                         f(l["client_cpu_s"]), f(l["user_us_per_row"], 2), f(l["peak_mb"], 1),
                         f(l["private_mb"], 1), f(l["http_requests"], 0), f(l["http_mb"], 1), f(l["emulator_cpu_s"]),
                         f(l["backing_cpu_s"]),
                         "" if l["user_share_pct"] is None else "%.0f%%" % l["user_share_pct"],
                         x(l["wall_x_fdw"]), x(l["user_cpu_x_fdw"]), l["note"]])
    return table(header, rows)


def lookup_table(groups):
    header = ["query", "contender", "lookups", "median ms", "p95 ms", "HTTP req / lookup",
              "backend CPU µs / lookup", "client CPU µs / lookup", "emulator CPU µs / lookup",
              "median ÷ fdw", "note"]
    rows = []
    for query, contenders in groups.items():
        for name, l in contenders.items():
            n = l["rows"] or 1
            rows.append([query, name, f(l["rows"], 0), f(l["latency_ms_median"]), f(l["latency_ms_p95"]),
                         f(l["requests_per_op"]), f((l["backend_cpu_s"] or 0) * 1e6 / n, 0),
                         f(l["client_cpu_s"] and l["client_cpu_s"] * 1e6 / n, 0),
                         f((l["emulator_cpu_s"] or 0) * 1e6 / n, 0), x(l["latency_x_fdw"]), l["note"]])
    return table(header, rows)


def fetch_size_table(groups):
    header = ["fetch_size", "rows", "wall s", "backend CPU s", "peak backend MB", "peak private MB",
              "HTTP req", "HTTP MB", "emulator CPU s", "backing DB CPU s"]
    rows = []
    for query, contenders in groups.items():
        for l in contenders.values():
            rows.append([query.replace("fetch_size=", ""), f(l["rows"], 0), f(l["wall_s"]),
                         f(l["backend_cpu_s"]), f(l["peak_mb"], 1), f(l["private_mb"], 1),
                         f(l["http_requests"], 0), f(l["http_mb"], 1), f(l["emulator_cpu_s"]),
                         f(l["backing_cpu_s"])])
    return table(header, rows)


def memory_table(groups):
    header = ["scan", "rows", "wall s", "backend CPU s", "peak backend growth MB", "peak private MB",
              "HTTP req", "HTTP MB"]
    rows = []
    for query, contenders in groups.items():
        for l in contenders.values():
            rows.append([query, f(l["rows"], 0), f(l["wall_s"]), f(l["backend_cpu_s"]),
                         f(l["peak_mb"], 1), f(l["private_mb"], 1), f(l["http_requests"], 0),
                         f(l["http_mb"], 1)])
    return table(header, rows)


def goals(lines):
    """Each goal of the issue, against what was measured: (goal, measured, verdict)."""
    out = []
    compare = grouped(lines, "compare")
    for query, c in compare.items():
        fdw = c.get(BASE)
        if not fdw or not fdw["backend_cpu_s"]:
            continue
        fdw_cpu = fdw["backend_cpu_s"]
        for name in PLPY:
            if name in c and c[name]["backend_cpu_s"] is not None:
                r = c[name]["backend_cpu_s"] / fdw_cpu
                out.append(("%s: backend CPU per row ≥ 3× lower than %s" % (query, name),
                            "%.2f×" % r, r >= 3))
        if CLIENT in c and c[CLIENT]["client_cpu_s"] is not None:
            r = c[CLIENT]["client_cpu_s"] / fdw_cpu
            out.append(("%s: backend CPU per row ≥ 5× lower than the client CPU of %s" % (query, CLIENT),
                        "%.2f×" % r, r >= 5))
        slower = [n for n in HTTP_CONTENDERS if n in c and c[n]["wall_s"] <= fdw["wall_s"]]
        fastest = min((c[n]["wall_s"] for n in HTTP_CONTENDERS if n in c), default=None)
        if fastest is not None:
            out.append(("%s: wall time lower than every HTTP contender" % query,
                        "fdw %.2f s, fastest HTTP contender %.2f s%s" % (
                            fdw["wall_s"], fastest, (" (" + ", ".join(slower) + " as fast or faster)")
                            if slower else ""), not slower))
        # comparable only when both do the same work locally (no pushdown difference)
        if PGFDW in c and c[PGFDW]["backend_cpu_s"] and c[PGFDW]["note"] == fdw["note"]:
            r = fdw_cpu / c[PGFDW]["backend_cpu_s"]
            out.append(("%s: backend CPU per row ≤ 1.5× postgres_fdw's" % query, "%.2f×" % r, r <= 1.5))
    for query, c in grouped(lines, "memory").items():
        for l in c.values():
            out.append(("%s: backend peak memory growth < %d MB" % (query, MEMORY_LIMIT_MB),
                        "%.1f MB" % l["peak_mb"], l["peak_mb"] < MEMORY_LIMIT_MB))
    for query, c in grouped(lines, "lookup").items():
        if BASE in c:
            r = c[BASE]["requests_per_op"]
            out.append(("warm point lookup: exactly 1 HTTP request", "%.2f per lookup" % r, r == 1))
    return out


def chart(lines, results):
    """Clustered bar charts of the "compare" section (gnuplot, SVG)."""
    if not shutil.which("gnuplot"):
        return []
    compare = grouped(lines, "compare")
    if not compare:
        return []
    contenders = []
    for c in compare.values():
        contenders += [n for n in c if n not in contenders]
    made = []
    with tempfile.TemporaryDirectory() as tmp:
        png = os.environ.get("BENCH_CHART") == "png"
        for name, key, label, log in (("compare_wall." + ("png" if png else "svg"), "wall_s", "wall time (s)", True),
                                      ("compare_cpu." + ("png" if png else "svg"), "user_us_per_row",
                                       "user-side CPU per row (µs; backend + client)", False)):
            data = os.path.join(tmp, key + ".dat")
            with open(data, "w") as out:
                out.write("query " + " ".join('"%s"' % n for n in contenders) + "\n")
                for query, c in compare.items():
                    out.write('"%s" ' % query + " ".join(
                        "%g" % c[n][key] if n in c and c[n][key] is not None else "NaN"
                        for n in contenders) + "\n")
            script = "\n".join([
                "set terminal pngcairo size 900,480 font 'sans,10' noenhanced" if png else
                "set terminal svg size 900,480 dynamic font 'sans,11' noenhanced",
                "set output '%s'" % os.path.join(results, name),
                "set title '%s by query and contender'" % label,
                "set style data histogram", "set style histogram clustered gap 1",
                "set style fill solid 0.85 border -1", "set boxwidth 0.9",
                "set key outside right top", "set grid ytics", "set ylabel '%s'" % label,
                "set logscale y" if log else "set yrange [0:*]",
                "plot for [i=2:%d] '%s' using i:xtic(1) title columnheader(i)"
                % (len(contenders) + 1, data),
            ])
            subprocess.run(["gnuplot"], input=script, text=True, check=True)
            made.append(name)
    return made


HOW = """\
* **Contenders.** `semoss_fdw`: a foreign table, every option at its default.
  `postgres_fdw`: straight to the backing database, no SEMOSS, HTTP or JSON: the
  physical limit (whether each FDW pushed an aggregate down is noted).
  `plpython3u rows`: a plpython3u set-returning function calling the SEMOSS API
  (one keep-alive session kept in `GD`), Python's `json` parses each page and the
  rows are yielded.  `plpython3u jsonb`: the same calls, each page returned as
  `jsonb` and taken apart in SQL (`jsonb_array_elements`, `->>` and casts).
  `Python client+COPY`: `bench/semoss_client.py`, the SEMOSS API from Python
  (standard library + psycopg2), every page COPYed into a local table (then the
  aggregate, if any, runs over that table).
* **Same work for SEMOSS.** The HTTP contenders send exactly the SQL semoss_fdw
  sends (from EXPLAIN VERBOSE: the pushed-down WHERE, only the needed columns,
  each cast to text so that values are exact) with the same page size, so the
  emulator does the same work and sends the same bytes for each; the answers of
  every contender are checked to be identical to semoss_fdw's.
* **Measured.** Queries run as `EXPLAIN (ANALYZE, TIMING OFF)` in a session
  warmed up first (logged in, Python loaded, connection made), so rows are
  produced but not sent to a client.  *backend CPU*: user + system time of the
  backend running the query (for the client: of its COPY backend); *client CPU*:
  the Python client's own (getrusage); *user-side CPU* = backend + client, all the
  PostgreSQL user's side spends, per row of the remote result in *µs/row*;
  *emulator CPU*: the SEMOSS emulator process; *backing DB CPU*: every other
  process of the cluster (the emulator's and postgres_fdw's connections to the
  backing database, background processes); *user-side share*: user-side CPU over
  all CPU.  *peak backend MB*: VmHWM after the work minus VmRSS before it
  (every page the backend touched, shared buffers too: a COPY into a table
  touches many); *peak private MB*: the highest RssAnon (the backend's own
  memory) sampled every 20 ms, minus RssAnon before the work.
  *÷ fdw*: the contender's figure divided by semoss_fdw's (above 1 means
  semoss_fdw spends less).  Medians of the repetitions.  Backend CPU is read
  to the nanosecond (/proc/PID/schedstat), the other CPU times to 10 ms."""

def pushdown_table(groups):
    """Each query with pushdown (semoss_fdw) and without (semoss_fdw.pushdown = off)."""
    header = ["query", "contender", "rows received", "HTTP req", "HTTP MB", "wall s", "backend CPU s",
              "emulator CPU s", "wall ÷ fdw", "note"]
    rows = []
    for query, contenders in groups.items():
        for name, l in contenders.items():
            rows.append([query, name, f(l["rows_received"], 0), f(l["http_requests"], 0),
                         f(l["http_mb"], 2), f(l["wall_s"]), f(l["backend_cpu_s"]),
                         f(l["emulator_cpu_s"]), x(l["wall_x_fdw"]), l["note"]])
    return table(header, rows)


KNOWN = {"compare": ("Scans", scan_table), "lookup": ("Warm point lookups", lookup_table),
         "pushdown": ("Pushdown: the same queries with and without it", pushdown_table),
         "memory": ("Memory over a long scan (semoss_fdw, default fetch_size)", memory_table),
         "fetch_size": ("fetch_size sweep (semoss_fdw, full scan)", fetch_size_table)}


def main():
    print_only = "--print-only" in sys.argv
    path = os.environ["BENCH_CSV"]
    if not os.path.exists(path):
        sys.exit("report.py: no measurements in " + path)
    lines = load(path)
    add_ratios(lines)
    if "--section" in sys.argv:
        # one section's table only (for a section's own Markdown file)
        section = sys.argv[sys.argv.index("--section") + 1]
        print(KNOWN.get(section, (section, scan_table))[1](grouped(lines, section)))
        return
    results = os.environ.get("BENCH_RESULTS", os.path.join(os.path.dirname(__file__), "results"))
    out = ["# semoss_fdw against the alternatives", "",
           "Measured by `bench/run` on %s: %s rows in the backing table, %s repetitions per figure "
           "(medians), %d CPU cores, SEMOSS emulator and PostgreSQL on the same machine (loopback)."
           % (time.strftime("%Y-%m-%d"), os.environ.get("BENCH_ROWS", "?"), os.environ.get("BENCH_REPS", "?"),
              os.cpu_count()), ""]
    if os.environ.get("BENCH_INFO"):
        out += ["Build: %s." % os.environ["BENCH_INFO"], ""]
    if os.environ.get("BENCH_LOADAVG_START"):
        with open("/proc/loadavg") as f:
            end = " ".join(f.read().split()[:3])
        out += ["Load average (1, 5, 15 min) at the start %s, at the end %s: other work on the machine "
                "shows in wall times more than in CPU times." % (os.environ["BENCH_LOADAVG_START"], end), ""]
    sections = []
    for line in lines:
        if line["section"] not in sections:
            sections.append(line["section"])
    for section in sections:
        title, render = KNOWN.get(section, (section, scan_table))
        if section == "profile":
            continue
        out += ["## " + title, "", render(grouped(lines, section)), ""]
    out += ["## How to read this", "", HOW, ""]
    verdicts = goals(lines)
    if verdicts:
        out += ["## Goals", "", table(["goal", "measured", "verdict"],
                                      [[g, m, "met" if ok else "**missed**"] for g, m, ok in verdicts]), ""]
    text = "\n".join(out)
    print(text)
    if print_only:
        return
    os.makedirs(results, exist_ok=True)
    charts = chart(lines, results)
    if charts:
        text += "\n" + "\n".join("![%s](%s)" % (c, c) for c in charts) + "\n"
    with open(os.path.join(results, "compare.md"), "w") as f:
        f.write(text)
    fields = CSV_FIELDS + ["user_cpu_s", "user_us_per_row", "user_share_pct", "wall_x_fdw",
                           "user_cpu_x_fdw", "latency_x_fdw"]
    with open(os.path.join(results, "compare.csv"), "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(fields)
        for line in lines:
            writer.writerow(["" if line.get(k) is None else
                             ("%.6g" % line[k] if isinstance(line[k], float) else line[k]) for k in fields])


if __name__ == "__main__":
    main()
