"""The emulator's own debug surface under /_emulator (JSON in, JSON out)."""

import json

from .faults import FaultError
from .http_types import json_response
from .javacompat import gson_dumps


class DebugApi:
    """Stats, fault rules and session expiry, outside the SEMOSS API."""

    PREFIX = "/_emulator"

    def __init__(self, stats, faults, sessions, insights):
        """Keep the shared state the endpoints report on or change."""
        self.stats = stats
        self.faults = faults
        self.sessions = sessions
        self.insights = insights

    def handles(self, path):
        """True for /_emulator and below."""
        return path == self.PREFIX or path.startswith(self.PREFIX + "/")

    def handle(self, request):
        """Route a debug request."""
        routes = {
            ("GET", "/_emulator/stats"): self._stats,
            ("POST", "/_emulator/stats/reset"): self._reset_stats,
            ("GET", "/_emulator/faults"): self._list_faults,
            ("POST", "/_emulator/faults"): self._add_fault,
            ("POST", "/_emulator/faults/clear"): self._clear_faults,
            ("POST", "/_emulator/sessions/expire"): self._expire_sessions,
        }
        handler = routes.get((request.method, request.path.rstrip("/")))
        if handler is None:
            return _json(404, {"error": "unknown debug endpoint %s %s" % (request.method, request.path)})
        return handler(request)

    def _stats(self, _request):
        """GET /_emulator/stats."""
        snapshot = self.stats.snapshot()
        insights, tasks, open_tasks = self.insights.counts()
        snapshot.update(sessions=self.sessions.count(), insights=insights, tasks=tasks,
                        open_tasks=open_tasks)
        return _json(200, snapshot)

    def _reset_stats(self, _request):
        """POST /_emulator/stats/reset."""
        self.stats.reset()
        return _json(200, {"reset": True})

    def _list_faults(self, _request):
        """GET /_emulator/faults."""
        return _json(200, {"faults": self.faults.describe()})

    def _add_fault(self, request):
        """POST /_emulator/faults with a JSON rule."""
        try:
            spec = json.loads(request.body.decode("utf-8") or "null")
            rule = self.faults.add(spec)
        except (ValueError, FaultError) as error:
            return _json(400, {"error": str(error)})
        return _json(200, {"added": rule.describe()})

    def _clear_faults(self, _request):
        """POST /_emulator/faults/clear."""
        self.faults.clear()
        return _json(200, {"cleared": True})

    def _expire_sessions(self, _request):
        """POST /_emulator/sessions/expire: destroy every session now."""
        return _json(200, {"expired": self.sessions.destroy_all()})


def _json(status, payload):
    """A JSON response."""
    return json_response(status, gson_dumps(payload))
