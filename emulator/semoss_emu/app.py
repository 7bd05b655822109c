"""Wires configuration, engines, sessions, stats and faults into one application."""

import logging
import threading

from .debug_api import DebugApi
from .engines import EngineRegistry
from .faults import FaultRegistry
from .http_types import tomcat_error_page
from .semoss_api import SemossApi
from .sessions import InsightStore, SessionManager
from .stats import Stats

_LOG = logging.getLogger("semoss_emulator")


class EmulatorApp:
    """Routes requests to the SEMOSS API or the debug surface and owns shared state."""

    def __init__(self, config, context_path):
        """Build every component; no database connection is opened yet."""
        self.engines = EngineRegistry(config.engines, config.jvm_timezone)
        self.insights = InsightStore()
        self.sessions = SessionManager(config.session_timeout_seconds, self.insights)
        self.stats = Stats()
        self.faults = FaultRegistry()
        self.semoss = SemossApi(config, context_path, self.engines, self.insights,
                                self.sessions, self.stats, self.faults)
        self.debug = DebugApi(self.stats, self.faults, self.sessions, self.insights)
        self._stop = threading.Event()
        self._sweeper = threading.Thread(target=self._sweep_sessions, name="session-sweeper",
                                         daemon=True)
        self._sweep_interval = min(1.0, config.session_timeout_seconds / 4)

    def start(self):
        """Start the background session expiry."""
        self._sweeper.start()

    def dispatch(self, request):
        """Handle one request; unexpected failures become Tomcat 500 pages."""
        try:
            if self.debug.handles(request.path):
                return self.debug.handle(request)
            if self.semoss.handles(request.path):
                return self.semoss.handle(request)
            return tomcat_error_page(404, "The requested resource is not available")
        except Exception:  # the server must answer even when a handler has a bug
            _LOG.exception("request failed: %s %s", request.method, request.path)
            return tomcat_error_page(500, "Internal Server Error")

    def close(self):
        """Stop expiry, drop all sessions and insights, close database connections."""
        self._stop.set()
        self.sessions.destroy_all()
        self.insights.drop_all()
        self.engines.close()

    def _sweep_sessions(self):
        """Destroy idle sessions periodically (Tomcat's background expiry)."""
        while not self._stop.wait(self._sweep_interval):
            try:
                self.sessions.sweep()
            except Exception:  # keep sweeping even if one drop fails
                _LOG.exception("session sweep failed")
