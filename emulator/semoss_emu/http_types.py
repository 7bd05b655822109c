"""Transport-independent request/response objects and Tomcat-like canned responses."""

import html
from dataclasses import dataclass, field
from functools import cached_property
from typing import List, Optional, Tuple
from urllib.parse import parse_qs

from .javacompat import gson_dumps, java_hashmap

_REASONS = {200: "OK", 302: "Found", 400: "Bad Request", 401: "Unauthorized",
            403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
            500: "Internal Server Error"}


@dataclass
class Request:
    """One HTTP request as the application sees it."""

    method: str
    path: str
    query_string: str
    headers: object
    body: bytes
    host: str
    scheme: str = "http"

    def header(self, name):
        """A request header (case-insensitive), or None."""
        return self.headers.get(name)

    def query_params(self):
        """Query-string parameters (first value of each)."""
        return self._query

    def form_params(self):
        """application/x-www-form-urlencoded body parameters, UTF-8 (first value of each)."""
        return self._form

    @cached_property
    def _query(self):
        """Parsed query string (parsed once)."""
        return {key: values[0] for key, values in
                parse_qs(self.query_string, keep_blank_values=True).items()}

    @cached_property
    def _form(self):
        """Parsed form body (parsed once); empty unless the body is form-encoded."""
        content_type = (self.header("Content-Type") or "").lower()
        if not self.body or "application/x-www-form-urlencoded" not in content_type:
            return {}
        text = self.body.decode("utf-8", "replace")
        return {key: values[0] for key, values in
                parse_qs(text, keep_blank_values=True, encoding="utf-8", errors="replace").items()}

    def parameter(self, name):
        """getParameter(): query string first, then the form body."""
        query = self.query_params()
        if name in query:
            return query[name]
        return self.form_params().get(name)

    def cookie_values(self, name):
        """Every value sent for cookie name, in order."""
        values = []
        for header in self.headers.get_all("Cookie") or []:
            for part in header.split(";"):
                key, _, value = part.strip().partition("=")
                if key == name:
                    values.append(value)
        return values


@dataclass
class Response:
    """An HTTP response, plus transport faults the server must act out."""

    status: int
    body: bytes = b""
    content_type: Optional[str] = None
    headers: List[Tuple[str, str]] = field(default_factory=list)
    reset_connection: bool = False
    trickle_seconds: float = 0.0

    @property
    def reason(self):
        """The reason phrase for the status line."""
        return _REASONS.get(self.status, "Unknown")


def json_response(status, json_text, content_type="application/json", headers=()):
    """A JSON response with an exact Content-Length."""
    return Response(status, json_text.encode("utf-8"), content_type, list(headers))


def error_map_response(status, message, error_type=None):
    """SEMOSS's {"errorMessage":..,"errorType":..} bodies (HashMap key order)."""
    pairs = [("errorMessage", message)]
    if error_type is not None:
        pairs.append(("errorType", error_type))
    return json_response(status, gson_dumps(java_hashmap(pairs)), "application/json;charset=utf-8")


def tomcat_error_page(status, message, headers=()):
    """Tomcat's HTML error report (what HttpServletResponse.sendError produces)."""
    reason = _REASONS.get(status, "Error")
    title = "HTTP Status %d – %s" % (status, reason)
    page = (
        '<!doctype html><html lang="en"><head><title>%s</title></head><body>'
        "<h1>%s</h1><hr class=\"line\" /><p><b>Type</b> Status Report</p>"
        "<p><b>Message</b> %s</p><hr class=\"line\" /><h3>Apache Tomcat</h3></body></html>"
        % (title, title, html.escape(message or reason, quote=False)))
    response = Response(status, page.encode("utf-8"), "text/html;charset=utf-8", list(headers))
    response.headers.append(("Content-Language", "en"))
    return response

