"""HTTP/1.1 keep-alive behaviour and the /_emulator/stats debug surface."""

import http.client
import threading
import time
import unittest

import support


@support.requires_backend
class KeepAliveTest(unittest.TestCase):
    """One TCP connection carries many requests, without Nagle stalls."""

    def test_connection_is_reused(self):
        """20 runPixel calls on one socket, fast (no ~40 ms delayed-ACK stall each)."""
        target = support.shared_target()
        client = target.client()
        self.addCleanup(client.close)
        client.get("/config")
        socket_before = client.connection.sock
        started = time.perf_counter()
        for _ in range(20):
            result = client.run_pixel_raw("META | true")
            self.assertEqual(result.status, 200)
            self.assertIsNone(result.header("Connection"))
        elapsed = time.perf_counter() - started
        self.assertIs(client.connection.sock, socket_before)
        self.assertLess(elapsed / 20, 0.03)

    def test_http_1_0_client_gets_connection_close(self):
        """A HTTP/1.0 request is answered and the connection closed."""
        target = support.shared_target()
        connection = http.client.HTTPConnection(target.host, target.port, timeout=10)
        connection._http_vsn = 10
        connection._http_vsn_str = "HTTP/1.0"
        self.addCleanup(connection.close)
        connection.request("GET", target.context_path + "/config")
        response = connection.getresponse()
        body = response.read()
        self.assertEqual(response.status, 200)
        self.assertEqual(int(response.getheader("Content-Length")), len(body))


@support.requires_backend
class ConcurrencyTest(unittest.TestCase):
    """Many clients at once, and concurrent requests on one insight."""

    def run_threads(self, worker, count):
        """Run worker(index) in count threads; re-raise the first failure."""
        failures = []

        def guarded(index):
            """Record exceptions from the thread."""
            try:
                worker(index)
            except Exception as error:  # reported to the test below
                failures.append(error)

        threads = [threading.Thread(target=guarded, args=(index,)) for index in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        if failures:
            raise failures[0]

    def test_parallel_clients(self):
        """Six clients, each paging its own query, all get complete results."""
        target = support.shared_target()

        def worker(index):
            """Read 1..50 + index in pages of 7."""
            client = target.client()
            try:
                insight = client.new_insight()
                entry = client.query(target.engine_id,
                                     "SELECT generate_series(1, %d) AS n" % (50 + index), 7, insight)
                rows = entry["output"]["data"]["values"]
                task_id = entry["output"]["taskId"]
                while len(entry["output"]["data"]["values"]) == 7:
                    entry = client.run_pixel('META | Task("%s") | Collect(7);' % task_id,
                                             insight)["pixelReturn"][0]
                    rows += entry["output"]["data"]["values"]
                self.assertEqual(rows, [[n] for n in range(1, 51 + index)])
            finally:
                client.close()

        self.run_threads(worker, 6)

    def test_one_insight_is_serialized(self):
        """Two clients paging the same task concurrently never get the same row twice.
        (Workers only close their sockets: logging out would drop the shared insight.)"""
        target = support.shared_target()
        owner = target.client()
        self.addCleanup(owner.close)
        insight = owner.new_insight()
        task_id = owner.query(target.engine_id, "SELECT generate_series(1, 41) AS n", 1,
                              insight)["output"]["taskId"]
        seen = [[], []]

        def worker(index):
            """Take 20 single-row pages."""
            client = target.client()
            try:
                for _ in range(20):
                    entry = client.run_pixel('META | Task("%s") | Collect(1);' % task_id,
                                             insight)["pixelReturn"][0]
                    seen[index] += entry["output"]["data"]["values"]
            finally:
                client.connection.close()

        self.run_threads(worker, 2)
        self.assertEqual(sorted(row[0] for row in seen[0] + seen[1]), list(range(2, 42)))


@support.requires_backend
class StatsTest(unittest.TestCase):
    """Counters, gauges and recent SQL; never credentials."""

    @classmethod
    def setUpClass(cls):
        """A dedicated emulator so counters are predictable."""
        cls.target = support.start_target(support.make_config())

    @classmethod
    def tearDownClass(cls):
        """Stop it."""
        cls.target.stop()

    def test_counters_and_reset(self):
        """requests, requests_by_path, logins, pixels, sql counts, rows and bytes."""
        client = self.target.client()
        self.addCleanup(client.close)
        self.assertEqual(client.debug("POST", "/stats/reset"), {"reset": True})
        client.get("/config")
        insight = client.new_insight()
        client.query(support.ENGINE_ID, "SELECT generate_series(1, 5) AS n", 3, insight)
        client.run_pixel("1+1; 2+2", insight)
        stats = client.debug("GET", "/stats")
        self.assertEqual(stats["requests"], 4)
        self.assertEqual(stats["requests_by_path"], {"/Monolith/api/config": 1,
                                                    "/Monolith/api/engine/runPixel": 3})
        self.assertEqual(stats["logins"], 1)
        self.assertEqual(stats["pixels"], 4)
        self.assertEqual(stats["sql_queries"], 1)
        self.assertEqual(stats["sql_execs"], 0)
        self.assertEqual(stats["rows_sent"], 3)
        self.assertGreater(stats["bytes_sent"], 300)
        self.assertGreaterEqual(stats["sessions"], 1)
        self.assertGreaterEqual(stats["insights"], 1)
        self.assertGreaterEqual(stats["tasks"], 1)
        self.assertGreaterEqual(stats["open_tasks"], 1)
        self.assertEqual(stats["recent_sql"][-1]["sql"], "SELECT generate_series(1, 5) AS n")
        self.assertEqual(stats["recent_pixels"][-1], "1+1; 2+2;")
        sessions = stats["sessions"]
        client.debug("POST", "/stats/reset")
        after = client.debug("GET", "/stats")
        self.assertEqual((after["requests"], after["logins"], after["recent_sql"]), (0, 0, []))
        self.assertEqual(after["sessions"], sessions)

    def test_exec_query_is_recorded(self):
        """sql_execs counts ExecQuery and recent_sql shows it as kind exec."""
        client = self.target.client()
        self.addCleanup(client.close)
        self.addCleanup(support.backend_execute, "DROP TABLE IF EXISTS emu_test_stats_exec")
        before = client.debug("GET", "/stats")["sql_execs"]
        client.exec_sql(support.ENGINE_ID, "CREATE TABLE emu_test_stats_exec (id int)")
        stats = client.debug("GET", "/stats")
        self.assertEqual(stats["sql_execs"], before + 1)
        self.assertEqual(stats["recent_sql"][-1], {"engine": support.ENGINE_ID, "kind": "exec",
                                                   "sql": "CREATE TABLE emu_test_stats_exec (id int)"})

    def test_no_secrets_in_stats(self):
        """Neither the secret key nor the Authorization value ever appears."""
        client = self.target.client()
        self.addCleanup(client.close)
        client.get("/config")
        client.run_pixel("META | true")
        raw = client.request("GET", "/_emulator/stats", with_auth=False).body.decode()
        self.assertNotIn(support.SECRET_KEY, raw)
        self.assertNotIn(client.authorization_headers()["Authorization"].split()[1], raw)

    def test_unknown_debug_endpoint(self):
        """404 JSON."""
        client = self.target.client()
        self.addCleanup(client.close)
        result = client.request("GET", "/_emulator/nothing", with_auth=False)
        self.assertEqual(result.status, 404)
        self.assertIn("error", result.json())


if __name__ == "__main__":
    unittest.main()
