"""Shared helpers for the emulator tests: emulator processes, an HTTP client, the backend DB.

Environment:
  SEMOSS_BACKEND_DSN  PostgreSQL database the tests may use (tables emu_test_*).
  SEMOSS_URL, SEMOSS_ENGINE_ID, SEMOSS_ACCESS_KEY, SEMOSS_SECRET_KEY
                      an already running emulator (its engine must use that database);
                      without them the tests start their own emulator.
"""

import atexit
import base64
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

EMULATOR_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, EMULATOR_DIR)

BACKEND_DSN = os.environ.get("SEMOSS_BACKEND_DSN")
CONTEXT_PATH = "/Monolith/api"

ACCESS_KEY = "emu-ak"
SECRET_KEY = "emu-sk"
VIEW_ACCESS_KEY = "emu-view-ak"
VIEW_SECRET_KEY = "emu-view-sk"
COLON_ACCESS_KEY = "emu-colon-ak"
COLON_SECRET_KEY = "sk:with:colons"
ENGINE_ID = "7a6f3f0e-emu-test-engine"
ENGINE_NAME = "emu_test_db"
SECOND_ENGINE_ID = "9c0c1d1e-emu-second-engine"
HIDDEN_ENGINE_ID = "0d0d0d0d-emu-hidden-engine"


def requires_backend(test_item):
    """Skip a test (class) when no backend database is configured."""
    return unittest.skipUnless(BACKEND_DSN, "SEMOSS_BACKEND_DSN is not set")(test_item)


def make_config(**overrides):
    """A complete emulator configuration for the backend database, with overrides."""
    engine = {"id": ENGINE_ID, "name": ENGINE_NAME, "subtype": "POSTGRES", "dsn": BACKEND_DSN,
              "query_timeout_seconds": 0, "description": "emulator test engine",
              "tags": ["test"]}
    engine.update(overrides.pop("engine", {}))
    config = {
        "session_cookie_name": "monolith",
        "session_timeout_minutes": 120,
        "csrf": False,
        "jvm_timezone": "America/New_York",
        "users": [
            {"id": "u1", "name": "Jane Analyst", "provider": "NATIVE",
             "access_key": ACCESS_KEY, "secret_key": SECRET_KEY,
             "permissions": {"default": "edit", HIDDEN_ENGINE_ID: "none",
                             SECOND_ENGINE_ID: "view"}},
            {"id": "u2", "name": "Victor Viewer", "provider": "NATIVE",
             "access_key": VIEW_ACCESS_KEY, "secret_key": VIEW_SECRET_KEY,
             "permissions": {"default": "view", HIDDEN_ENGINE_ID: "none"}},
            {"id": "u3", "name": "Colin Colon", "provider": "NATIVE",
             "access_key": COLON_ACCESS_KEY, "secret_key": COLON_SECRET_KEY,
             "permissions": {"default": "edit"}},
        ],
        "bearer_tokens": [{"token": "emu-token-ms", "provider": "ms", "user": "u1"}],
        "engines": [
            engine,
            {"id": SECOND_ENGINE_ID, "name": "emu_second", "dsn": BACKEND_DSN},
            {"id": HIDDEN_ENGINE_ID, "name": "emu_hidden", "dsn": BACKEND_DSN},
        ],
    }
    config.update(overrides)
    return config


class EmulatorProcess:
    """An emulator subprocess with its own temporary configuration.

    With "tls" in the configuration the HTTPS listener's port is tls_port.
    """

    def __init__(self, config):
        """Start the emulator on an ephemeral port and wait for its port file."""
        self.directory = tempfile.mkdtemp(prefix="emu-test-")
        config_path = os.path.join(self.directory, "config.json")
        port_path = os.path.join(self.directory, "port")
        tls_port_path = os.path.join(self.directory, "tls_port")
        with open(config_path, "w", encoding="utf-8") as handle:
            json.dump(config, handle)
        self.log_path = os.path.join(self.directory, "emulator.log")
        self._log = open(self.log_path, "wb")
        command = ["/usr/bin/python3", os.path.join(EMULATOR_DIR, "semoss_emulator.py"),
                   "--config", config_path, "--port", "0", "--port-file", port_path, "--quiet"]
        if config.get("tls"):
            command += ["--tls-port-file", tls_port_path]
        self.process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while not os.path.exists(port_path):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("emulator did not start: %s" % self.log_text())
            time.sleep(0.05)
        with open(port_path, encoding="ascii") as handle:
            self.port = int(handle.read())
        self.tls_port = None
        if config.get("tls"):
            # written before the HTTP port file
            with open(tls_port_path, encoding="ascii") as handle:
                self.tls_port = int(handle.read())
        self.host = "127.0.0.1"

    @property
    def base_url(self):
        """http://127.0.0.1:<port>/Monolith/api"""
        return "http://%s:%d%s" % (self.host, self.port, CONTEXT_PATH)

    def log_text(self):
        """The emulator's combined output so far."""
        with open(self.log_path, "rb") as handle:
            return handle.read().decode("utf-8", "replace")

    def stop(self):
        """Terminate the emulator and remove its files."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        shutil.rmtree(self.directory, ignore_errors=True)


class Target:
    """Where a test talks to: base URL, engine id and credentials."""

    def __init__(self, base_url, engine_id, access_key, secret_key, owned_process=None):
        """Keep the connection facts (owned_process is stopped by stop())."""
        parsed = urllib.parse.urlsplit(base_url)
        self.host = parsed.hostname
        self.port = parsed.port or 80
        self.context_path = parsed.path.rstrip("/")
        self.engine_id = engine_id
        self.access_key = access_key
        self.secret_key = secret_key
        self.process = owned_process

    def client(self, **options):
        """A new SemossClient for this target."""
        options.setdefault("access_key", self.access_key)
        options.setdefault("secret_key", self.secret_key)
        return SemossClient(self.host, self.port, self.context_path, **options)

    def stop(self):
        """Stop the owned emulator process, if any."""
        if self.process is not None:
            self.process.stop()
            self.process = None


_SHARED = {}


def shared_target():
    """The emulator most tests use: SEMOSS_URL if given, else one started for the test run."""
    if "target" not in _SHARED:
        if os.environ.get("SEMOSS_URL"):
            _SHARED["target"] = Target(os.environ["SEMOSS_URL"], os.environ["SEMOSS_ENGINE_ID"],
                                       os.environ["SEMOSS_ACCESS_KEY"],
                                       os.environ["SEMOSS_SECRET_KEY"])
        else:
            _SHARED["target"] = start_target(make_config())
            atexit.register(_SHARED["target"].stop)
    return _SHARED["target"]


def start_target(config, access_key=ACCESS_KEY, secret_key=SECRET_KEY):
    """Start a dedicated emulator with config and return its Target."""
    process = EmulatorProcess(config)
    engine_id = config["engines"][0]["id"] if config["engines"] else None
    return Target(process.base_url, engine_id, access_key, secret_key, process)


class HttpResult:
    """Status, headers and body of one response."""

    def __init__(self, status, headers, body):
        """Keep the raw parts."""
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        """First header value with this name (case-insensitive), or None."""
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def header_values(self, name):
        """Every value of a header."""
        return [value for key, value in self.headers if key.lower() == name.lower()]

    def json(self, **options):
        """The body parsed as JSON."""
        return json.loads(self.body.decode("utf-8"), **options)


class SemossClient:
    """A keep-alive HTTP client with a cookie jar that never follows redirects."""

    def __init__(self, host, port, context_path, access_key=None, secret_key=None,
                 auth="basic", bearer_token=None, bearer_provider=None, send_auth=True,
                 ssl_context=None):
        """auth: "basic", "bearer" or None; send_auth: send it on every request;
        ssl_context: speak HTTPS with this client-side ssl.SSLContext."""
        self.host = host
        self.port = port
        self.context_path = context_path
        self.access_key = access_key
        self.secret_key = secret_key
        self.auth = auth
        self.bearer_token = bearer_token
        self.bearer_provider = bearer_provider
        self.send_auth = send_auth
        self.cookies = {}
        self.csrf_token = None
        if ssl_context is None:
            self.connection = http.client.HTTPConnection(host, port, timeout=60)
        else:
            self.connection = http.client.HTTPSConnection(host, port, timeout=60,
                                                          context=ssl_context)

    def close(self):
        """Log out (closing the session's tasks and cursors) and close the TCP connection."""
        if self.cookies:
            try:
                self.get("/auth/logout/all?disableRedirect=true", with_auth=False)
            except (OSError, http.client.HTTPException):
                pass
        self.connection.close()

    def authorization_headers(self):
        """The Authorization (and Bearer-Provider) headers for this client."""
        if self.auth == "basic":
            token = base64.b64encode(("%s:%s" % (self.access_key, self.secret_key))
                                     .encode("utf-8")).decode("ascii")
            return {"Authorization": "Basic " + token}
        if self.auth == "bearer":
            headers = {"Authorization": "Bearer " + self.bearer_token}
            if self.bearer_provider is not None:
                headers["Bearer-Provider"] = self.bearer_provider
            return headers
        return {}

    def request(self, method, path, body=None, headers=None, with_auth=None):
        """Send a request under the context path (or an absolute path starting with /_)."""
        all_headers = {}
        if with_auth if with_auth is not None else self.send_auth:
            all_headers.update(self.authorization_headers())
        if self.cookies:
            all_headers["Cookie"] = "; ".join("%s=%s" % item for item in self.cookies.items())
        all_headers.update(headers or {})
        full_path = path if path.startswith("/_") else self.context_path + path
        self.connection.request(method, full_path, body, all_headers)
        response = self.connection.getresponse()
        result = HttpResult(response.status, response.getheaders(), response.read())
        self._store_cookies(result)
        return result

    def _store_cookies(self, result):
        """Apply Set-Cookie headers (Max-Age=0 deletes)."""
        for value in result.header_values("Set-Cookie"):
            pair, _, attributes = value.partition(";")
            name, _, cookie_value = pair.strip().partition("=")
            if "max-age=0" in attributes.lower().replace(" ", ""):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = cookie_value

    def get(self, path, headers=None, with_auth=None):
        """GET a path under the context path."""
        return self.request("GET", path, None, headers, with_auth)

    def post_form(self, path, fields, headers=None, with_auth=None):
        """POST form fields (UTF-8, x-www-form-urlencoded)."""
        all_headers = {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"}
        if self.csrf_token:
            all_headers["X-CSRF-Token"] = self.csrf_token
        all_headers.update(headers or {})
        return self.request("POST", path, urllib.parse.urlencode(fields), all_headers, with_auth)

    def run_pixel_raw(self, expression, insight_id="", headers=None, with_auth=None):
        """POST /engine/runPixel and return the HttpResult."""
        return self.post_form("/engine/runPixel",
                              {"expression": expression, "insightId": insight_id},
                              headers, with_auth)

    def run_pixel(self, expression, insight_id=""):
        """POST /engine/runPixel; assert HTTP 200 and return the parsed body."""
        result = self.run_pixel_raw(expression, insight_id)
        if result.status != 200:
            raise AssertionError("runPixel returned %d: %r" % (result.status, result.body[:500]))
        return result.json()

    def new_insight(self):
        """Create a stored insight (META | true with insightId=new) and return its id."""
        return self.run_pixel("META | true", "new")["insightID"]

    def query(self, engine_id, sql, limit, insight_id):
        """Database | Query | Collect; returns the first pixelReturn entry."""
        expression = 'META | Database(database=["%s"]) | Query("<encode>%s</encode>") | Collect(%d);' % (
            engine_id, sql, limit)
        return self.run_pixel(expression, insight_id)["pixelReturn"][0]

    def exec_sql(self, engine_id, sql, insight_id=""):
        """Database | Query | ExecQuery; returns the first pixelReturn entry."""
        expression = ('META | Database(database=["%s"]) | Query("<encode>%s</encode>") '
                      '| ExecQuery(commit=[true]);' % (engine_id, sql))
        return self.run_pixel(expression, insight_id)["pixelReturn"][0]

    def debug(self, method, path, payload=None):
        """Call the /_emulator debug surface; returns parsed JSON."""
        body = json.dumps(payload) if payload is not None else None
        result = self.request(method, "/_emulator" + path, body,
                              {"Content-Type": "application/json"}, with_auth=False)
        return result.json()


def backend_connection():
    """An autocommit psycopg2 connection to the backend database."""
    import psycopg2
    connection = psycopg2.connect(BACKEND_DSN)
    connection.autocommit = True
    return connection


def backend_execute(sql, params=None):
    """Run SQL on the backend; return fetched rows when the statement returns any."""
    connection = backend_connection()
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else None
    finally:
        connection.close()


def ordered_keys(json_text):
    """Parse JSON keeping key order: objects become lists of (key, value) pairs."""
    return json.loads(json_text, object_pairs_hook=list)


def wait_for(predicate, timeout=5.0, interval=0.05):
    """Poll predicate until it returns a truthy value or timeout; return the last value."""
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = predicate()
    return value
