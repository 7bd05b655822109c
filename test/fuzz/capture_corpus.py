#!/usr/bin/python3
"""Capture real emulator replies as seeds for the response fuzzer.

Run against a sandbox (eval "$(scripts/sandbox start)"):

    /usr/bin/python3 test/fuzz/capture_corpus.py test/fuzz/corpus

Each reply is written as "@<status> <nremovals> <csrf>\\n<body>", the input
format of fuzz_response.c.  Credentials are never written: the replies of
the emulator hold none, and the script checks it.  The hand-written edge
cases in corpus/ (edge-*) are not touched.
"""

import http.client
import json
import os
import sys
import urllib.parse
from base64 import b64encode


class Client:
    """A minimal SEMOSS client: Basic auth on every request, cookies kept."""

    def __init__(self, url, access_key, secret_key):
        parts = urllib.parse.urlsplit(url)
        self.host, self.port, self.base = parts.hostname, parts.port, parts.path.rstrip("/")
        pair = ("%s:%s" % (access_key, secret_key)).encode()
        self.auth = "Basic " + b64encode(pair).decode()
        self.cookies = {}
        self.insight = "new"

    def request(self, method, path, body=None, headers=None, auth=True):
        """Send one request; return (status, headers dict, body bytes)."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        all_headers = dict(headers or {})
        if auth:
            all_headers["Authorization"] = self.auth
        if self.cookies:
            all_headers["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        conn.request(method, self.base + path, body, all_headers)
        resp = conn.getresponse()
        data = resp.read()
        for name, value in resp.getheaders():
            if name.lower() == "set-cookie":
                cookie = value.split(";")[0]
                key, _, val = cookie.partition("=")
                self.cookies[key] = val
        conn.close()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data

    def pixel(self, expression, insight=None, auth=True):
        """POST runPixel; keep the insight id of the first reply."""
        form = urllib.parse.urlencode({"expression": expression,
                                       "insightId": insight or self.insight})
        status, headers, data = self.request(
            "POST", "/engine/runPixel", form,
            {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"}, auth)
        if status == 200 and self.insight == "new":
            self.insight = json.loads(data)["insightID"]
        return status, headers, data


def main():
    """Capture the replies into the directory given as the only argument."""
    out = sys.argv[1]
    env = os.environ
    engine = env["SEMOSS_ENGINE_ID"]
    secrets = [env["SEMOSS_SECRET_KEY"], env["SEMOSS_ACCESS_KEY"]]
    client = Client(env["SEMOSS_URL"], env["SEMOSS_ACCESS_KEY"], env["SEMOSS_SECRET_KEY"])
    emulator = Client(env["SEMOSS_EMULATOR_URL"], "x", "y")

    def save(name, reply, nremovals=0):
        status, headers, data = reply
        csrf = headers.get("x-csrf-token", "-")
        for secret in secrets + [client.auth.split()[1]]:
            if secret.encode() in data:
                raise SystemExit("reply %s holds a credential" % name)
        with open(os.path.join(out, "real-" + name), "wb") as f:
            f.write(b"@%d %d %s\n" % (status, nremovals, csrf.encode()))
            f.write(data)

    def query(sql, limit):
        return ('META | Database(database=["%s"]) | Query("<encode>%s</encode>") | Collect(%d);'
                % (engine, sql, limit))

    def fault(rule):
        emulator.base = ""
        emulator.request("POST", "/_emulator/faults", json.dumps(rule),
                         {"Content-Type": "application/json"}, auth=False)

    save("config-anonymous", client.request("GET", "/config", auth=False))
    save("config-logged-in", client.request("GET", "/config"))
    save("meta-true", client.pixel("META | true;"))
    save("collect-customers", client.pixel(query(
        "SELECT id::text, name::text, email::text, signup_date::text, is_vip::text, "
        "credit_limit::text, tags::text, profile::text FROM customers ORDER BY id", 3)))
    save("task-collect", client.pixel('META | Task("task1") | Collect(3);'))
    save("collect-generic-types", client.pixel(query(
        "SELECT * FROM all_types ORDER BY id", 5)))
    save("collect-empty", client.pixel(query("SELECT id FROM regions WHERE false", 10)))
    save("collect-numbers", client.pixel(query(
        "SELECT 9223372036854775807::bigint AS big, -1.5e300::float8 AS f, 0.1::numeric AS n, "
        "'NaN'::float8 AS nan, 5::int2 AS small", 1)))
    save("collect-unicode", client.pixel(query(
        "SELECT E'tab\\\\there', 'line\\nbreak', 'quote\"back\\\\slash', 'héllo ✓ 𝄞' ", 1)))
    save("removal-and-collect", client.pixel(
        'META | RemoveTask("task1", true); ' + query("SELECT id FROM regions ORDER BY id", 2)),
        nremovals=1)
    save("removal-blocked", client.pixel(
        'META | RemoveTask("task999", true); META | Task("task2") | Collect(2);'), nremovals=1)
    save("remove-task", client.pixel('META | RemoveTask("task2", true);'))
    save("sql-error", client.pixel(query("SELECT 1/0", 5)))
    save("sql-error-column", client.pixel(query("SELECT no_such_column FROM regions", 5)))
    save("syntax-error", client.pixel('META | Database(database=["x"]) | Query("unclosed) | Collect(;'))
    save("unknown-reactor", client.pixel("META | NoSuchReactor();"))
    save("unknown-task", client.pixel('META | Task("task404") | Collect(5);'))
    save("multi-routine", client.pixel("META | 1+1; META | 2*3; META | true;"))
    save("exec-query", client.pixel(
        'META | Database(database=["%s"]) | Query("<encode>SELECT 1</encode>") | ExecQuery(commit=[true]);'
        % engine))
    save("my-engines", client.pixel('META | MyEngines(engineTypes=["DATABASE"]);'))
    save("table-structure", client.pixel(
        'META | GetDatabaseTableStructure(database=["%s"]);' % engine))
    save("metamodel", client.pixel(
        'META | GetDatabaseMetamodel(database=["%s"], options=["datatypes"]);' % engine))
    save("insight-not-found", client.pixel("META | true;", insight="no-such-insight"))
    save("empty-expression", client.pixel("", insight="new"))
    save("no-session-302", Client(env["SEMOSS_URL"], "a", "b").pixel("META | true;", auth=False))
    save("bad-credentials", Client(env["SEMOSS_URL"], "a", "b").request("GET", "/config"))
    fault({"kind": "csrf_required", "match": "runPixel"})
    save("csrf-required", client.pixel("META | true;"))
    fault({"kind": "status", "match": "runPixel"})
    save("status-500-html", client.pixel("META | true;"))
    fault({"kind": "non_json", "match": "runPixel"})
    save("non-json", client.pixel("META | true;"))
    fault({"kind": "truncated_json", "match": "runPixel"})
    save("truncated-json", client.pixel(query("SELECT id, name FROM regions", 5)))
    fault({"kind": "invalid_utf8", "match": "runPixel"})
    save("invalid-utf8", client.pixel(query("SELECT id, name FROM regions", 5)))
    fault({"kind": "pixel_error", "match": "runPixel", "message": "Emulated failure"})
    save("pixel-error", client.pixel(query("SELECT id FROM regions", 5)))
    fault({"kind": "huge_cell", "match": "runPixel", "bytes": 3000})
    save("huge-cell", client.pixel(query("SELECT name FROM regions", 5)))
    save("drop-insight", client.pixel("META | DropInsight();"))
    save("logout", client.request("GET", "/auth/logout/all?disableRedirect=true"))
    save("after-logout-302", client.pixel("META | true;", auth=False))


if __name__ == "__main__":
    main()
