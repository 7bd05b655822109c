"""Fault injection rules (POST /_emulator/faults) and their selection per request.

A rule applies to requests whose path, or whose decoded runPixel
expression, contains its "match" substring: it skips the first "after"
matching requests, then applies to the next "count" ones.
"""

import threading
from dataclasses import dataclass, field
from typing import Dict

# kind -> (required parameters, optional parameters with defaults)
FAULT_KINDS = {
    "delay": ({"seconds"}, {}),
    "trickle": ({"seconds"}, {}),
    "reset": (set(), {}),
    "status": (set(), {"status": 500,
                       "body": "<html><body><h1>HTTP Status 500 - Internal Server Error</h1>"
                               "</body></html>",
                       "content_type": "text/html;charset=utf-8"}),
    "expire_session": (set(), {}),
    "csrf_required": (set(), {}),
    "insight_not_found": (set(), {}),
    "non_json": (set(), {"body": "<html><body>Service Unavailable</body></html>"}),
    "truncated_json": (set(), {}),
    "invalid_utf8": (set(), {}),
    "huge_cell": ({"bytes"}, {}),
    "pixel_error": (set(), {"message": "Emulated pixel failure"}),
}


class FaultError(ValueError):
    """A fault rule in the request body is malformed."""


@dataclass
class FaultRule:
    """One active rule."""

    kind: str
    match: str
    remaining: int
    after: int
    params: Dict[str, object] = field(default_factory=dict)
    seen: int = 0

    def describe(self):
        """JSON-ready description for GET /_emulator/faults."""
        return dict(kind=self.kind, match=self.match, remaining=self.remaining,
                    after=max(self.after - self.seen, 0), **self.params)


class FaultPlan:
    """The rules selected for one request, looked up by kind."""

    def __init__(self, rules):
        """Keep the selected rules."""
        self.rules = rules

    def get(self, kind):
        """Return the selected rule of this kind, or None."""
        for rule in self.rules:
            if rule.kind == kind:
                return rule
        return None


class FaultRegistry:
    """The list of active rules."""

    def __init__(self):
        """Start without rules."""
        self._lock = threading.Lock()
        self._rules = []

    def add(self, spec):
        """Validate a rule specification (a dict) and activate it; return the rule."""
        if not isinstance(spec, dict):
            raise FaultError("the fault must be a JSON object")
        kind = spec.get("kind")
        if kind not in FAULT_KINDS:
            raise FaultError("unknown fault kind %r; known: %s" % (kind, ", ".join(sorted(FAULT_KINDS))))
        required, optional = FAULT_KINDS[kind]
        params = dict(optional)
        for name in required | set(optional):
            if name in spec:
                params[name] = spec[name]
        missing = required - set(params)
        if missing:
            raise FaultError("fault %s needs %s" % (kind, ", ".join(sorted(missing))))
        for name in ("seconds", "bytes", "status"):
            if name in params and (isinstance(params[name], bool)
                                   or not isinstance(params[name], (int, float))
                                   or params[name] < 0):
                raise FaultError("%s must be a non-negative number" % name)
        rule = FaultRule(kind=kind, match=str(spec.get("match", "")),
                         remaining=_non_negative_int(spec, "count", 1),
                         after=_non_negative_int(spec, "after", 0), params=params)
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self):
        """Remove every rule."""
        with self._lock:
            self._rules = []

    def describe(self):
        """Active rules with their remaining counts."""
        with self._lock:
            return [rule.describe() for rule in self._rules if rule.remaining > 0]

    def select(self, path, expression):
        """Return the FaultPlan for a request, consuming the rules' counts."""
        selected = []
        with self._lock:
            for rule in self._rules:
                if rule.remaining <= 0:
                    continue
                if rule.match not in path and (expression is None or rule.match not in expression):
                    continue
                rule.seen += 1
                if rule.seen > rule.after:
                    rule.remaining -= 1
                    selected.append(rule)
            self._rules = [rule for rule in self._rules if rule.remaining > 0]
        return FaultPlan(selected)


def _non_negative_int(spec, name, default):
    """Read an optional non-negative integer field."""
    value = spec.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise FaultError("%s must be a non-negative integer" % name)
    return value
