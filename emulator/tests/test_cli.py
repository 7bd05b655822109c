"""Command line, configuration errors and clean shutdown."""

import json
import os
import signal
import subprocess
import tempfile
import unittest

import support

SCRIPT = os.path.join(support.EMULATOR_DIR, "semoss_emulator.py")


class CommandLineTest(unittest.TestCase):
    """Process-level behaviour."""

    def test_help(self):
        """--help documents every option."""
        result = subprocess.run(["/usr/bin/python3", SCRIPT, "--help"], capture_output=True,
                                text=True, timeout=30, check=False)
        self.assertEqual(result.returncode, 0)
        for option in ("--config", "--host", "--port", "--port-file", "--context-path", "--quiet"):
            self.assertIn(option, result.stdout)

    def test_invalid_config_exits_with_a_message(self):
        """A config error is reported on stderr with exit status 2."""
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump({"engines": [{"id": "x"}]}, handle)
        self.addCleanup(os.unlink, handle.name)
        result = subprocess.run(["/usr/bin/python3", SCRIPT, "--config", handle.name],
                                capture_output=True, text=True, timeout=30, check=False)
        self.assertEqual(result.returncode, 2)
        self.assertIn("dsn is required", result.stderr)

    @support.requires_backend
    def test_sigterm_closes_database_connections(self):
        """SIGTERM stops the server and closes every backend connection, open tasks included."""
        target = support.start_target(support.make_config())
        self.addCleanup(target.stop)
        client = target.client()
        insight = client.new_insight()
        entry = client.query(target.engine_id, "SELECT generate_series(1, 100) AS n", 5, insight)
        self.assertEqual(len(entry["output"]["data"]["values"]), 5)
        client.connection.close()
        process = target.process.process
        application = "semoss-emulator-%d" % process.pid
        count_sql = "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s"
        self.assertGreaterEqual(support.backend_execute(count_sql, (application,))[0][0], 1)
        process.send_signal(signal.SIGTERM)
        self.assertEqual(process.wait(15), 0)
        self.assertTrue(support.wait_for(
            lambda: support.backend_execute(count_sql, (application,))[0][0] == 0, timeout=5))


if __name__ == "__main__":
    unittest.main()
