"""Every fault kind of POST /_emulator/faults, plus count/after/match semantics."""

import http.client
import json
import time
import unittest
import urllib.parse

import support

TABLE = "emu_test_faults"


@support.requires_backend
class FaultTest(unittest.TestCase):
    """Fault rules on a dedicated emulator (rules are global: a shared emulator's other
    clients must not meet them); rules are cleared around each test."""

    @classmethod
    def setUpClass(cls):
        """A small table with a text column, and the emulator."""
        support.backend_execute("DROP TABLE IF EXISTS %s; CREATE TABLE %s AS "
                                "SELECT g AS id, 'name' || g AS name FROM generate_series(1, 5) g"
                                % (TABLE, TABLE))
        cls.target = support.start_target(support.make_config())

    @classmethod
    def tearDownClass(cls):
        """Stop the emulator and drop the table."""
        cls.target.stop()
        support.backend_execute("DROP TABLE IF EXISTS %s" % TABLE)

    def setUp(self):
        """A logged-in client with a stored insight; no fault rules."""
        self.client = self.target.client()
        self.addCleanup(self.client.close)
        self.client.debug("POST", "/faults/clear")
        self.addCleanup(self.client.debug, "POST", "/faults/clear")
        self.insight = self.client.new_insight()

    def add_fault(self, **rule):
        """Register a rule; assert it was accepted."""
        answer = self.client.debug("POST", "/faults", rule)
        self.assertIn("added", answer, answer)
        return answer["added"]

    def collect_expression(self, limit=5):
        """A Collect pixel over the test table."""
        return ('META | Database(database=["%s"]) | Query("<encode>SELECT id, name FROM %s ORDER BY id'
                '</encode>") | Collect(%d);' % (self.target.engine_id, TABLE, limit))

    def raw_connection(self):
        """A plain http.client connection (no retries), closed at cleanup."""
        connection = http.client.HTTPConnection(self.target.host, self.target.port, timeout=10)
        self.addCleanup(connection.close)
        return connection

    def raw_run_pixel(self, connection, expression):
        """Send runPixel on a raw connection with the client's cookies and auth."""
        headers = dict(self.client.authorization_headers())
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Cookie"] = "; ".join("%s=%s" % item for item in self.client.cookies.items())
        body = urllib.parse.urlencode({"expression": expression, "insightId": self.insight})
        connection.request("POST", self.target.context_path + "/engine/runPixel", body, headers)

    def test_delay(self):
        """The answer comes after the delay and is otherwise normal."""
        self.add_fault(kind="delay", match="1+1", seconds=0.6)
        started = time.monotonic()
        body = self.client.run_pixel("1+1", self.insight)
        self.assertGreaterEqual(time.monotonic() - started, 0.6)
        self.assertEqual(body["pixelReturn"][0]["output"], 2)

    def test_in_flight_gauge(self):
        """A delayed request shows in stats.in_flight until it is answered."""
        self.add_fault(kind="delay", match="2+2", seconds=0.6)
        connection = self.raw_connection()
        self.raw_run_pixel(connection, "2+2")
        self.assertTrue(support.wait_for(
            lambda: self.client.debug("GET", "/stats")["in_flight"] == 1, timeout=2))
        self.assertEqual(connection.getresponse().status, 200)
        self.assertTrue(support.wait_for(
            lambda: self.client.debug("GET", "/stats")["in_flight"] == 0, timeout=2))

    def test_trickle(self):
        """Headers, then a byte every 0.5 s, then the connection closes mid-body."""
        self.add_fault(kind="trickle", match="Collect", seconds=1.2)
        connection = self.raw_connection()
        self.raw_run_pixel(connection, self.collect_expression())
        started = time.monotonic()
        response = connection.getresponse()
        self.assertEqual(response.status, 200)
        declared = int(response.getheader("Content-Length"))
        with self.assertRaises(http.client.IncompleteRead) as caught:
            response.read()
        self.assertGreaterEqual(time.monotonic() - started, 1.0)
        self.assertLess(len(caught.exception.partial), declared)
        self.assertGreaterEqual(len(caught.exception.partial), 2)

    def test_reset(self):
        """The connection is closed without any answer."""
        self.add_fault(kind="reset", match="Collect")
        connection = self.raw_connection()
        self.raw_run_pixel(connection, self.collect_expression())
        with self.assertRaises((ConnectionResetError, http.client.RemoteDisconnected)):
            connection.getresponse().read()

    def test_status(self):
        """A canned status, body and content type."""
        self.add_fault(kind="status", match="runPixel", status=503,
                       body="<html>down</html>", content_type="text/html")
        result = self.client.run_pixel_raw("1+1", self.insight)
        self.assertEqual(result.status, 503)
        self.assertEqual(result.body, b"<html>down</html>")
        self.assertEqual(result.header("Content-Type"), "text/html")

    def test_expire_session(self):
        """The request is handled as session-less: Basic logs in again, the insight is gone."""
        old_cookie = self.client.cookies["monolith"]
        self.add_fault(kind="expire_session", match="2+2")
        result = self.client.run_pixel_raw("2+2", self.insight)
        self.assertEqual(result.status, 400)
        self.assertEqual(result.json()["errorType"], "INSIGHT_NOT_FOUND")
        self.assertNotEqual(self.client.cookies["monolith"], old_cookie)

    def test_expire_session_without_auth_redirects(self):
        """Cookie-only requests get the no-user 302 when their session is expired."""
        self.add_fault(kind="expire_session", match="3+3")
        result = self.client.run_pixel_raw("3+3", self.insight, with_auth=False)
        self.assertEqual(result.status, 302)

    def test_csrf_required(self):
        """403 with X-CSRF-Token: Required."""
        self.add_fault(kind="csrf_required", match="1+1")
        result = self.client.run_pixel_raw("1+1", self.insight)
        self.assertEqual(result.status, 403)
        self.assertEqual(result.header("X-CSRF-Token"), "Required")

    def test_insight_not_found(self):
        """400 with the INSIGHT_NOT_FOUND body even for a valid insight."""
        self.add_fault(kind="insight_not_found", match="1+1")
        result = self.client.run_pixel_raw("1+1", self.insight)
        self.assertEqual(result.status, 400)
        self.assertEqual(result.json(), {"errorMessage": "Could not find the insight id",
                                         "errorType": "INSIGHT_NOT_FOUND"})
        self.assertEqual(self.client.run_pixel_raw("1+1", self.insight).status, 200)

    def test_non_json(self):
        """200 with a body that is not JSON."""
        self.add_fault(kind="non_json", match="1+1")
        result = self.client.run_pixel_raw("1+1", self.insight)
        self.assertEqual(result.status, 200)
        with self.assertRaises(ValueError):
            result.json()

    def test_truncated_json(self):
        """The real body cut in half, with a matching Content-Length."""
        full = self.client.run_pixel_raw(self.collect_expression(), "").body
        self.add_fault(kind="truncated_json", match="Collect")
        result = self.client.run_pixel_raw(self.collect_expression(), "")
        self.assertEqual(int(result.header("Content-Length")), len(result.body))
        self.assertEqual(len(result.body), len(full) // 2)
        self.assertTrue(full.startswith(result.body[:15]))
        with self.assertRaises(ValueError):
            json.loads(result.body)

    def test_invalid_utf8(self):
        """Invalid UTF-8 bytes inside a string value."""
        self.add_fault(kind="invalid_utf8", match="1+1")
        result = self.client.run_pixel_raw("1+1", self.insight)
        self.assertEqual(result.status, 200)
        self.assertIn(b'"insightID":"\xff\xfe\xc3', result.body)
        with self.assertRaises(UnicodeDecodeError):
            result.body.decode("utf-8")

    def test_huge_cell(self):
        """The first string cell of the page becomes n bytes long."""
        self.add_fault(kind="huge_cell", match="Collect", bytes=300000)
        body = self.client.run_pixel(self.collect_expression(), self.insight)
        values = body["pixelReturn"][0]["output"]["data"]["values"]
        self.assertEqual(values[0][1], "x" * 300000)
        self.assertEqual(values[0][0], 1)
        self.assertEqual(values[1], [2, "name2"])

    def test_pixel_error(self):
        """The matching routine returns an ERROR entry; the others run."""
        self.add_fault(kind="pixel_error", match="Collect", message="boom")
        body = self.client.run_pixel("1+1; " + self.collect_expression(), self.insight)
        first, second = body["pixelReturn"]
        self.assertEqual(first["output"], 2)
        self.assertEqual(second["output"], "boom")
        self.assertEqual(second["operationType"], ["ERROR"])

    def test_count_after_and_listing(self):
        """after skips matching requests, count limits them; the listing shows what is left."""
        self.add_fault(kind="status", match="7*7", status=500, after=1, count=2)
        listed = self.client.debug("GET", "/faults")["faults"]
        self.assertEqual(len(listed), 1)
        self.assertEqual((listed[0]["kind"], listed[0]["remaining"], listed[0]["after"]),
                         ("status", 2, 1))
        statuses = [self.client.run_pixel_raw("7*7", self.insight).status for _ in range(4)]
        self.assertEqual(statuses, [200, 500, 500, 200])
        self.assertEqual(self.client.debug("GET", "/faults")["faults"], [])

    def test_match_on_path_or_expression(self):
        """A rule only hits requests whose path or expression contains its match."""
        self.add_fault(kind="status", match="/config", status=502)
        self.assertEqual(self.client.run_pixel_raw("1+1", self.insight).status, 200)
        self.assertEqual(self.client.get("/config").status, 502)
        self.add_fault(kind="status", match="SELECT id", status=504)
        self.assertEqual(self.client.run_pixel_raw("5+5", self.insight).status, 200)
        self.assertEqual(self.client.run_pixel_raw(self.collect_expression(), self.insight).status, 504)

    def test_bad_rules_and_clear(self):
        """Unknown kinds or missing parameters are refused; clear removes rules."""
        for rule in ({"kind": "explode"}, {"kind": "delay"}, {"kind": "huge_cell", "bytes": -1},
                     {"kind": "status", "count": "x"}):
            result = self.client.request("POST", "/_emulator/faults", json.dumps(rule),
                                         {"Content-Type": "application/json"}, with_auth=False)
            self.assertEqual(result.status, 400, rule)
        self.add_fault(kind="delay", seconds=0.1, match="never-matches")
        self.assertEqual(self.client.debug("POST", "/faults/clear"), {"cleared": True})
        self.assertEqual(self.client.debug("GET", "/faults"), {"faults": []})


if __name__ == "__main__":
    unittest.main()
