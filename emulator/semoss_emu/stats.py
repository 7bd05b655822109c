"""Counters exposed on GET /_emulator/stats (never any credential)."""

import collections
import threading

RECENT_LIMIT = 200


class Stats:
    """Thread-safe request, login, pixel, SQL and traffic counters."""

    def __init__(self):
        """Start with everything at zero."""
        self._lock = threading.Lock()
        self._in_flight = 0
        self._reset_locked()

    def request_started(self):
        """A SEMOSS API request is being handled (gauge, not reset)."""
        with self._lock:
            self._in_flight += 1

    def request_finished(self):
        """A SEMOSS API request has been answered, or given up."""
        with self._lock:
            self._in_flight -= 1

    def _reset_locked(self):
        """Zero every counter (caller holds the lock or is the constructor)."""
        self.requests = 0
        self.requests_by_path = collections.Counter()
        self.logins = 0
        self.pixels = 0
        self.sql_queries = 0
        self.sql_execs = 0
        self.rows_sent = 0
        self.bytes_sent = 0
        self.tls_handshakes = 0
        self.tls_handshake_failures = 0
        self.recent_sql = collections.deque(maxlen=RECENT_LIMIT)
        self.recent_pixels = collections.deque(maxlen=RECENT_LIMIT)

    def reset(self):
        """Zero the counters and forget recent SQL and pixels."""
        with self._lock:
            self._reset_locked()

    def count_request(self, path):
        """Count one HTTP request to the SEMOSS API."""
        with self._lock:
            self.requests += 1
            self.requests_by_path[path] += 1

    def count_login(self):
        """Count one successful login."""
        with self._lock:
            self.logins += 1

    def record_pixel(self, expression, routines):
        """Count the routines of one runPixel call and remember its expression."""
        with self._lock:
            self.pixels += routines
            self.recent_pixels.append(expression)

    def record_sql(self, engine_id, kind, sql):
        """Count one SQL text sent to an engine ("query" for Collect, "exec" for ExecQuery)."""
        with self._lock:
            if kind == "query":
                self.sql_queries += 1
            else:
                self.sql_execs += 1
            self.recent_sql.append({"engine": engine_id, "kind": kind, "sql": sql})

    def add_rows(self, count):
        """Count rows sent in Collect pages."""
        with self._lock:
            self.rows_sent += count

    def add_bytes(self, count):
        """Count response body bytes sent by the SEMOSS API."""
        with self._lock:
            self.bytes_sent += count

    def count_tls_handshake(self, succeeded):
        """Count one TLS handshake on the HTTPS listener, completed or failed."""
        with self._lock:
            if succeeded:
                self.tls_handshakes += 1
            else:
                self.tls_handshake_failures += 1

    def snapshot(self):
        """Return the counters as a JSON-ready dict (live gauges are added by the caller)."""
        with self._lock:
            return {
                "requests": self.requests,
                "requests_by_path": dict(self.requests_by_path),
                "logins": self.logins,
                "pixels": self.pixels,
                "sql_queries": self.sql_queries,
                "sql_execs": self.sql_execs,
                "rows_sent": self.rows_sent,
                "bytes_sent": self.bytes_sent,
                "tls_handshakes": self.tls_handshakes,
                "tls_handshake_failures": self.tls_handshake_failures,
                "in_flight": self._in_flight,
                "recent_sql": list(self.recent_sql),
                "recent_pixels": list(self.recent_pixels),
            }
