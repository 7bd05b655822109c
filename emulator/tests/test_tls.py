"""The optional HTTPS listener: configuration, certificates, keep-alive over TLS.

Certificates are made for the test run with the openssl command (a CA, a
server certificate it signed for 127.0.0.1 and localhost, and an unrelated
CA); without openssl these tests are skipped.
"""

import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import unittest

import support

from semoss_emu import config as emulator_config

SCRIPT = os.path.join(support.EMULATOR_DIR, "semoss_emulator.py")
OPENSSL = shutil.which("openssl")


def openssl(*arguments):
    """Run the openssl command; fail the test with its output on error."""
    result = subprocess.run([OPENSSL, *arguments], capture_output=True, text=True,
                            timeout=60, check=False)
    if result.returncode != 0:
        raise RuntimeError("openssl %s failed: %s" % (arguments[0], result.stderr))


def make_certificates(directory):
    """ca.pem, server.pem + server.key (127.0.0.1, localhost) and wrong-ca.pem in directory."""
    key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    ca_extensions = ["-addext", "basicConstraints=critical,CA:TRUE",
                     "-addext", "keyUsage=critical,keyCertSign,cRLSign"]
    path = lambda name: os.path.join(directory, name)  # noqa: E731
    for name, subject in (("ca", "emulator test CA"), ("wrong-ca", "emulator wrong CA")):
        openssl("req", "-x509", *key, "-keyout", path(name + ".key"), "-out", path(name + ".pem"),
                "-days", "2", "-subj", "/CN=" + subject, *ca_extensions)
    openssl("req", "-new", *key, "-keyout", path("server.key"), "-out", path("server.csr"),
            "-subj", "/CN=127.0.0.1")
    with open(path("server.ext"), "w", encoding="ascii") as handle:
        handle.write("subjectAltName = IP:127.0.0.1, DNS:localhost\n"
                     "basicConstraints = critical, CA:FALSE\n"
                     "keyUsage = critical, digitalSignature\n"
                     "extendedKeyUsage = serverAuth\n")
    openssl("x509", "-req", "-in", path("server.csr"), "-CA", path("ca.pem"),
            "-CAkey", path("ca.key"), "-set_serial", "0x%s" % os.urandom(8).hex(), "-days", "2",
            "-extfile", path("server.ext"), "-out", path("server.pem"))


def client_context(ca_file):
    """A verifying client context (host name checked) trusting only ca_file."""
    return ssl.create_default_context(cafile=ca_file)


def no_backend_config(**overrides):
    """A configuration without engines: everything here but SQL works without a database."""
    return support.make_config(engines=[], bearer_tokens=[], **overrides)


class PkiTestCase(unittest.TestCase):
    """Makes the certificates once per class and removes them afterwards."""

    @classmethod
    def setUpClass(cls):
        """Make the certificates."""
        if OPENSSL is None:
            raise unittest.SkipTest("the openssl command is not installed")
        cls.pki = tempfile.mkdtemp(prefix="emu-tls-")
        cls.addClassCleanup(shutil.rmtree, cls.pki, True)
        make_certificates(cls.pki)
        cls.ca_file = os.path.join(cls.pki, "ca.pem")
        cls.wrong_ca_file = os.path.join(cls.pki, "wrong-ca.pem")
        cls.tls = {"cert_file": os.path.join(cls.pki, "server.pem"),
                   "key_file": os.path.join(cls.pki, "server.key")}


class TlsListenerTest(PkiTestCase):
    """One emulator with HTTP and HTTPS listeners, shared by the tests of this class."""

    @classmethod
    def setUpClass(cls):
        """Start the emulator with TLS."""
        super().setUpClass()
        cls.process = support.EmulatorProcess(no_backend_config(tls=cls.tls))
        cls.addClassCleanup(cls.process.stop)

    def https_client(self, host="127.0.0.1", **options):
        """A SemossClient on the HTTPS listener trusting the test CA."""
        options.setdefault("access_key", support.ACCESS_KEY)
        options.setdefault("secret_key", support.SECRET_KEY)
        client = support.SemossClient(host, self.process.tls_port, support.CONTEXT_PATH,
                                      ssl_context=client_context(self.ca_file), **options)
        self.addCleanup(client.close)
        return client

    def http_client(self, **options):
        """A SemossClient on the plain HTTP listener."""
        options.setdefault("access_key", support.ACCESS_KEY)
        options.setdefault("secret_key", support.SECRET_KEY)
        client = support.SemossClient("127.0.0.1", self.process.port, support.CONTEXT_PATH,
                                      **options)
        self.addCleanup(client.close)
        return client

    def stats(self):
        """The emulator's counters (read over HTTP)."""
        client = self.http_client(send_auth=False)
        return client.debug("GET", "/stats")

    def test_ports_differ(self):
        """The HTTPS listener has its own ephemeral port."""
        self.assertIsNotNone(self.process.tls_port)
        self.assertNotEqual(self.process.tls_port, self.process.port)

    def test_certificate_verifies_for_ip_and_localhost(self):
        """A client trusting the CA accepts the certificate for 127.0.0.1 and for localhost."""
        for host in ("127.0.0.1", "localhost"):
            with self.subTest(host=host):
                result = self.https_client(host).get("/config")
                self.assertEqual(result.status, 200)
                self.assertIn("loginDetails", result.json())

    def test_both_listeners_serve_one_application(self):
        """A session made over HTTPS is the same session over HTTP."""
        secure = self.https_client()
        self.assertEqual(secure.get("/config").json()["loginDetails"]["NATIVE"]["id"], "u1")
        plain = self.http_client(send_auth=False)
        plain.cookies = dict(secure.cookies)
        result = plain.get("/config")
        self.assertEqual(result.json()["loginDetails"]["NATIVE"]["id"], "u1")
        self.assertEqual(plain.run_pixel("META | true")["pixelReturn"][0]["output"], True)

    def test_keep_alive_without_nagle_stalls(self):
        """20 runPixel calls on one TLS connection, one handshake, no delayed-ACK stalls."""
        client = self.https_client()
        client.get("/config")
        socket_before = client.connection.sock
        handshakes_before = self.stats()["tls_handshakes"]
        started = time.perf_counter()
        for _ in range(20):
            result = client.run_pixel_raw("META | true")
            self.assertEqual(result.status, 200)
            self.assertIsNone(result.header("Connection"))
            self.assertEqual(int(result.header("Content-Length")), len(result.body))
        elapsed = time.perf_counter() - started
        self.assertIs(client.connection.sock, socket_before)
        self.assertEqual(self.stats()["tls_handshakes"], handshakes_before)
        self.assertLess(elapsed / 20, 0.03)

    def test_alpn_selects_http_1_1(self):
        """A client offering h2 and http/1.1 gets http/1.1."""
        context = client_context(self.ca_file)
        context.set_alpn_protocols(["h2", "http/1.1"])
        with socket.create_connection(("127.0.0.1", self.process.tls_port), timeout=10) as raw:
            with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                self.assertEqual(tls.selected_alpn_protocol(), "http/1.1")
                self.assertGreaterEqual(tls.version(), "TLSv1.2")

    def test_untrusted_certificate_is_refused_and_counted(self):
        """A client trusting another CA refuses the handshake; the emulator counts it."""
        failures_before = self.stats()["tls_handshake_failures"]
        client = support.SemossClient("127.0.0.1", self.process.tls_port, support.CONTEXT_PATH,
                                      ssl_context=client_context(self.wrong_ca_file))
        with self.assertRaises(ssl.SSLCertVerificationError):
            client.get("/config")
        client.connection.close()
        self.assertTrue(support.wait_for(
            lambda: self.stats()["tls_handshake_failures"] == failures_before + 1))
        self.assertEqual(self.https_client().get("/config").status, 200)

    def test_plain_http_on_the_tls_port(self):
        """Plain HTTP to the HTTPS port gets no HTTP answer, and the listener keeps working."""
        failures_before = self.stats()["tls_handshake_failures"]
        with socket.create_connection(("127.0.0.1", self.process.tls_port), timeout=10) as raw:
            raw.sendall(b"GET /Monolith/api/config HTTP/1.1\r\nHost: x\r\n\r\n")
            try:
                answer = raw.recv(100)
            except ConnectionResetError:
                answer = b""
        self.assertFalse(answer.startswith(b"HTTP/"))
        self.assertTrue(support.wait_for(
            lambda: self.stats()["tls_handshake_failures"] == failures_before + 1))
        self.assertEqual(self.https_client().get("/config").status, 200)

    def test_no_user_redirect_uses_https(self):
        """The no-user 302 points to an https:// URL on the HTTPS listener."""
        client = self.https_client(send_auth=False)
        result = client.run_pixel_raw("META | true")
        self.assertEqual(result.status, 302)
        self.assertEqual(result.header("Location"),
                         "https://127.0.0.1:%d/Monolith/noUserFail/" % self.process.tls_port)

    def test_reset_fault_over_tls(self):
        """The reset fault drops a TLS connection too; the next connection works."""
        controller = self.http_client(send_auth=False)
        controller.debug("POST", "/faults", {"kind": "reset", "match": "/config/fetchCsrf"})
        self.addCleanup(controller.debug, "POST", "/faults/clear")
        client = self.https_client()
        with self.assertRaises((ConnectionError, ssl.SSLError, http.client.HTTPException)):
            client.get("/config/fetchCsrf")
        client.connection.close()
        self.assertEqual(self.https_client().get("/config").status, 200)


class TlsShutdownTest(PkiTestCase):
    """Process-level behaviour with the HTTPS listener."""

    def test_sigterm_stops_both_listeners(self):
        """SIGTERM closes both ports and exits 0."""
        process = support.EmulatorProcess(no_backend_config(tls=self.tls))
        self.addCleanup(process.stop)
        ports = (process.port, process.tls_port)
        process.process.send_signal(signal.SIGTERM)
        self.assertEqual(process.process.wait(15), 0)
        for port in ports:
            with self.assertRaises(ConnectionRefusedError):
                socket.create_connection(("127.0.0.1", port), timeout=5).close()

    def run_emulator(self, config, *arguments):
        """Run the emulator command with config written to a file; return the result."""
        directory = tempfile.mkdtemp(prefix="emu-tls-cli-")
        self.addCleanup(shutil.rmtree, directory, True)
        path = os.path.join(directory, "config.json")
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(config, handle)
        return subprocess.run(["/usr/bin/python3", SCRIPT, "--config", path, "--port", "0",
                               *arguments], capture_output=True, text=True, timeout=30,
                              check=False)

    def test_unreadable_certificate_exits_with_a_message(self):
        """A certificate that cannot be loaded is reported with exit status 2."""
        result = self.run_emulator(no_backend_config(tls={"cert_file": "/nonexistent/cert.pem"}))
        self.assertEqual(result.returncode, 2)
        self.assertIn("cannot load the TLS certificate /nonexistent/cert.pem", result.stderr)
        wrong_key = dict(self.tls, key_file=os.path.join(self.pki, "ca.key"))
        result = self.run_emulator(no_backend_config(tls=wrong_key))
        self.assertEqual(result.returncode, 2)
        self.assertIn("cannot load the TLS certificate", result.stderr)

    def test_tls_port_file_needs_tls(self):
        """--tls-port-file without "tls" in the configuration is an error."""
        result = self.run_emulator(no_backend_config(), "--tls-port-file", "/tmp/unused")
        self.assertEqual(result.returncode, 2)
        self.assertIn("--tls-port-file needs", result.stderr)

    def test_help_documents_the_option(self):
        """--help lists --tls-port-file."""
        result = subprocess.run(["/usr/bin/python3", SCRIPT, "--help"], capture_output=True,
                                text=True, timeout=30, check=False)
        self.assertIn("--tls-port-file", result.stdout)


@support.requires_backend
class TlsQueryTest(PkiTestCase):
    """SQL through Collect over HTTPS."""

    def test_collect_over_https(self):
        """A paged query runs over the HTTPS listener exactly as over HTTP."""
        process = support.EmulatorProcess(support.make_config(tls=self.tls))
        self.addCleanup(process.stop)
        client = support.SemossClient("127.0.0.1", process.tls_port, support.CONTEXT_PATH,
                                      access_key=support.ACCESS_KEY,
                                      secret_key=support.SECRET_KEY,
                                      ssl_context=client_context(self.ca_file))
        self.addCleanup(client.close)
        insight = client.new_insight()
        entry = client.query(support.ENGINE_ID, "SELECT generate_series(1, 10) AS n", 4, insight)
        values = entry["output"]["data"]["values"]
        self.assertEqual(values, [[1], [2], [3], [4]])
        task_id = entry["output"]["taskId"]
        page = client.run_pixel('META | Task("%s") | Collect(100);' % task_id,
                                insight)["pixelReturn"][0]
        self.assertEqual(page["output"]["data"]["values"], [[n] for n in range(5, 11)])


class TlsConfigTest(unittest.TestCase):
    """The "tls" configuration object."""

    def test_absent_means_no_listener(self):
        """Without "tls" (or with null) there is no HTTPS listener."""
        self.assertIsNone(emulator_config.parse_config({}).tls)
        self.assertIsNone(emulator_config.parse_config({"tls": None}).tls)

    def test_fields_and_defaults(self):
        """cert_file is required; key_file may be left out (key in cert_file); port 0."""
        tls = emulator_config.parse_config({"tls": {"cert_file": "/c.pem"}}).tls
        self.assertEqual((tls.cert_file, tls.key_file, tls.port), ("/c.pem", None, 0))
        tls = emulator_config.parse_config(
            {"tls": {"cert_file": "/c.pem", "key_file": "/k.pem", "port": 8443}}).tls
        self.assertEqual((tls.cert_file, tls.key_file, tls.port), ("/c.pem", "/k.pem", 8443))

    def test_relative_paths_follow_the_config_file(self):
        """Relative file names are taken from the configuration file's directory."""
        directory = tempfile.mkdtemp(prefix="emu-tls-config-")
        self.addCleanup(shutil.rmtree, directory, True)
        path = os.path.join(directory, "config.json")
        with open(path, "w", encoding="utf-8") as handle:
            json.dump({"tls": {"cert_file": "server.pem", "key_file": "/abs/server.key"}}, handle)
        tls = emulator_config.load_config(path).tls
        self.assertEqual(tls.cert_file, os.path.join(directory, "server.pem"))
        self.assertEqual(tls.key_file, "/abs/server.key")

    def test_invalid_values(self):
        """Wrong shapes and values are configuration errors."""
        for tls in ("server.pem", [], {}, {"cert_file": ""}, {"cert_file": 5},
                    {"cert_file": "c", "key_file": ""}, {"cert_file": "c", "port": -1},
                    {"cert_file": "c", "port": 65536}, {"cert_file": "c", "port": 1.5},
                    {"cert_file": "c", "port": True}, {"cert_file": "c", "certfile": "x"}):
            with self.subTest(tls=tls):
                with self.assertRaises(emulator_config.ConfigError):
                    emulator_config.parse_config({"tls": tls})


if __name__ == "__main__":
    unittest.main()
