"""HTTP/1.1 transport: a threading stdlib server with working keep-alive.

Every response carries an exact Content-Length (no chunking), Nagle is off
(otherwise each keep-alive response stalls ~40 ms on delayed ACKs), and the
transport faults "reset" (TCP RST without an answer) and "trickle" (headers,
then one byte every 0.5 s, then close) are acted out here.

Given an ssl.SSLContext the same server speaks HTTPS: each accepted
connection is wrapped (TLS handshake included) in its own handler thread, so
a slow or broken handshake never holds up the accept loop; everything above
(keep-alive, no Nagle, the faults) works unchanged over TLS.
"""

import socket
import ssl
import struct
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .http_types import Request

_TRICKLE_DECLARED_LENGTH = 1000000
_TRICKLE_INTERVAL = 0.5


class EmulatorHTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer holding the application object."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, app, quiet, ssl_context=None):
        """Bind to address; requests are handed to app.dispatch.

        With ssl_context (a server-side ssl.SSLContext) connections are TLS.
        """
        self.app = app
        self.quiet = quiet
        self.ssl_context = ssl_context
        self.scheme = "https" if ssl_context is not None else "http"
        super().__init__(address, RequestHandler)

    def finish_request(self, request, client_address):
        """Handle one connection; over TLS, shake hands first (in this handler thread)."""
        if self.ssl_context is None:
            super().finish_request(request, client_address)
            return
        try:
            # wrap_socket takes over the descriptor (request is detached) and
            # closes it itself when the handshake fails
            connection = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as error:
            # a client that does not trust us, or does not speak TLS
            self.app.stats.count_tls_handshake(False)
            if not self.quiet:
                sys.stderr.write("%s - TLS handshake failed: %s\n" % (client_address[0], error))
            return
        self.app.stats.count_tls_handshake(True)
        try:
            super().finish_request(connection, client_address)
        finally:
            # socketserver only closes `request`, now detached: close the TLS socket
            self.shutdown_request(connection)

    def handle_error(self, request, client_address):
        """Ignore clients that went away mid-response; report anything else."""
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError, ssl.SSLError)):
            return
        super().handle_error(request, client_address)


class RequestHandler(BaseHTTPRequestHandler):
    """Turns HTTP requests into Request objects and writes Response objects."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "SemossEmulator"

    def do_GET(self):
        """Handle GET."""
        self._handle()

    def do_POST(self):
        """Handle POST."""
        self._handle()

    def do_PUT(self):
        """Handle PUT."""
        self._handle()

    def do_DELETE(self):
        """Handle DELETE."""
        self._handle()

    def do_PATCH(self):
        """Handle PATCH."""
        self._handle()

    def _handle(self):
        """Count the request as in flight (SEMOSS API only) while it is handled."""
        stats = self.server.app.stats
        counted = not self.path.startswith("/_emulator")
        if counted:
            stats.request_started()
        try:
            self._handle_counted()
        finally:
            if counted:
                stats.request_finished()

    def _handle_counted(self):
        """Read the body, dispatch, write the response."""
        path, _, query = self.path.partition("?")
        body = self._read_body()
        host = self.headers.get("Host") or "%s:%d" % self.server.server_address[:2]
        request = Request(self.command, path, query, self.headers, body, host, self.server.scheme)
        response = self.server.app.dispatch(request)
        if response.reset_connection:
            self._reset()
        elif response.trickle_seconds:
            self._trickle(response)
        else:
            self._send(response)

    def _read_body(self):
        """Read a Content-Length or chunked request body."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, response):
        """Write status, headers (with Content-Length) and body."""
        self.send_response(response.status, response.reason)
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if response.body:
            self.wfile.write(response.body)

    def _reset(self):
        """Close the TCP connection with a RST and send nothing."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def _trickle(self, response):
        """Send headers announcing a large body, then a byte every 0.5 s, then close."""
        self.send_response(200, "OK")
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(_TRICKLE_DECLARED_LENGTH))
        self.end_headers()
        deadline = time.monotonic() + response.trickle_seconds
        position = 0
        try:
            while time.monotonic() < deadline:
                self.wfile.write(response.body[position % len(response.body):][:1])
                position += 1
                time.sleep(_TRICKLE_INTERVAL)
        except OSError:
            pass
        self.close_connection = True

    def log_message(self, format, *args):  # noqa: A002 - signature fixed by the base class
        """Log requests to stderr unless --quiet."""
        if not self.server.quiet:
            super().log_message(format, *args)
