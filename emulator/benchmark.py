"""Measure Collect throughput of a running emulator (rows/s over HTTP).

    SEMOSS_URL=... SEMOSS_ENGINE_ID=... SEMOSS_ACCESS_KEY=... SEMOSS_SECRET_KEY=... \\
    SEMOSS_BACKEND_DSN=... /usr/bin/python3 emulator/benchmark.py [--rows 100000]

Creates emu_bench_rows (id int, name text, qty int, price float8, ts timestamptz)
in the backend database, reads it through Database | Query | Collect with
several page sizes on one keep-alive connection, prints rows/s, and drops
the table.  "server" time is the HTTP exchange only; "end-to-end" adds the
client's json.loads of every page.
"""

import argparse
import base64
import http.client
import json
import os
import time
import urllib.parse

import psycopg2

TABLE = "emu_bench_rows"


def parse_arguments():
    """Command line: number of rows and page sizes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100000)
    parser.add_argument("--pages", default="-1,10000,1000", help="comma-separated Collect sizes")
    return parser.parse_args()


class Client:
    """Minimal keep-alive runPixel client."""

    def __init__(self):
        """Read the target from the environment."""
        url = urllib.parse.urlsplit(os.environ["SEMOSS_URL"])
        self.path = url.path.rstrip("/") + "/engine/runPixel"
        self.connection = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=300)
        credentials = "%s:%s" % (os.environ["SEMOSS_ACCESS_KEY"], os.environ["SEMOSS_SECRET_KEY"])
        self.headers = {"Authorization": "Basic " + base64.b64encode(credentials.encode()).decode(),
                        "Content-Type": "application/x-www-form-urlencoded"}

    def run(self, expression, insight_id):
        """POST the pixel; return (raw body, seconds spent on HTTP)."""
        started = time.perf_counter()
        self.connection.request("POST", self.path, urllib.parse.urlencode(
            {"expression": expression, "insightId": insight_id}), self.headers)
        response = self.connection.getresponse()
        body = response.read()
        for value in response.headers.get_all("Set-Cookie") or []:
            self.headers["Cookie"] = value.split(";")[0]
        return body, time.perf_counter() - started


def measure(client, engine_id, insight_id, page_size):
    """Read the whole table with one page size; return (rows, bytes, server s, total s)."""
    total_started = time.perf_counter()
    server_seconds = 0.0
    rows = 0
    size = 0
    expression = ('META | Database(database=["%s"]) | Query("<encode>SELECT id, name, qty, price, ts '
                  'FROM %s</encode>") | Collect(%d);' % (engine_id, TABLE, page_size))
    while True:
        body, seconds = client.run(expression, insight_id)
        server_seconds += seconds
        size += len(body)
        output = json.loads(body)["pixelReturn"][0]["output"]
        count = len(output["data"]["values"])
        rows += count
        if page_size == -1 or count < page_size:
            break
        expression = 'META | Task("%s") | Collect(%d);' % (output["taskId"], page_size)
    return rows, size, server_seconds, time.perf_counter() - total_started


def main():
    """Create the table, measure, drop the table."""
    arguments = parse_arguments()
    database = psycopg2.connect(os.environ["SEMOSS_BACKEND_DSN"])
    database.autocommit = True
    with database.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS %s; CREATE TABLE %s AS SELECT g AS id, 'name ' || g "
                       "AS name, g * 3 AS qty, g * 1.25::float8 AS price, now() - g * interval "
                       "'1 minute' AS ts FROM generate_series(1, %%s) g" % (TABLE, TABLE),
                       (arguments.rows,))
    try:
        client = Client()
        engine_id = os.environ["SEMOSS_ENGINE_ID"]
        insight_id = json.loads(client.run("META | true", "new")[0])["insightID"]
        for page_size in (int(part) for part in arguments.pages.split(",")):
            rows, size, server, total = measure(client, engine_id, insight_id, page_size)
            print("Collect(%6d): %d rows, %.1f MB, server %.3f s = %.0f rows/s, "
                  "end-to-end %.3f s = %.0f rows/s"
                  % (page_size, rows, size / 1e6, server, rows / server, total, rows / total))
        client.run("DropInsight();", insight_id)
    finally:
        with database.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS %s" % TABLE)
        database.close()


if __name__ == "__main__":
    main()
