"""The SEMOSS REST surface: Tomcat filter chain plus the /config, /auth and
/engine/runPixel resources, with fault injection around them.

Filter order follows Monolith's web.xml: CSRF filter (only when enabled),
UserAccessKeyFilter (Basic/Bearer login on any path when the session has no
user), NoUserInSessionFilter (302 on /api/* without a user, except /config
paths), then the resource.
"""

import html
import secrets
import time

from .auth import InvalidBase64Error, login_from_authorization
from .fault_responses import CSRF_HEADER, canned_fault_response, damage_body
from .http_types import Response, error_map_response, json_response, tomcat_error_page
from .javacompat import gson_dumps, java_hashmap, java_trim
from .pixel_response import render_pixel_response
from .pixel_runner import run_pixel
from .reactor_call import PixelContext

# ResourceUtility.allowAccessWithoutLogin (matched with endsWith on the URL).
_ALLOW_WITHOUT_LOGIN = (
    "session/active", "session/cleanSession", "session/cancelCleanSession",
    "session/invalidateSession", "config", "config/fetchCsrf", "auth/logins",
    "auth/loginsAllowed", "auth/login", "auth/whoami",
)
_MODIFYING_METHODS = ("POST", "PUT", "DELETE", "PATCH")
_RUN_PIXEL_HEADERS = [
    ("Cache-Control", "no-store, no-cache, must-revalidate, max-age=0, post-check=0, pre-check=0"),
    ("Pragma", "no-cache"),
]
_EXPIRED = "Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"


class _Exchange:
    """Per-request state: the session in use and the cookies to send back."""

    def __init__(self, request, sessions, fault_plan):
        """Start without a session; attach_session() looks it up."""
        self.request = request
        self.sessions = sessions
        self.faults = fault_plan
        self.session = None
        self.session_created = False
        self.extra_headers = []

    def attach_session(self, cookie_name):
        """Look up the session cookie(s); the first live one wins, like Tomcat."""
        for value in self.request.cookie_values(cookie_name):
            session = self.sessions.find(value)
            if session is not None:
                self.session = session
                return

    def get_session(self, create):
        """request.getSession(create)."""
        if self.session is None and create:
            self.session = self.sessions.create()
            self.session_created = True
        return self.session

    def invalidate(self):
        """session.invalidate(): destroy it (dropping its insights)."""
        if self.session is not None:
            self.sessions.destroy(self.session)
            self.session = None
            self.session_created = False

    @property
    def login(self):
        """The logged-in identity of the current session, or None."""
        return self.session.login if self.session is not None else None


class SemossApi:
    """Handles every request under the servlet context (e.g. /Monolith/...)."""

    def __init__(self, config, api_prefix, engines, insights, sessions, stats, faults):
        """api_prefix is the base path of the API, e.g. /Monolith/api."""
        self.config = config
        self.api_prefix = api_prefix.rstrip("/")
        self.servlet_context = self.api_prefix[:-4] if self.api_prefix.endswith("/api") \
            else self.api_prefix
        self.cookie_path = self.servlet_context or "/"
        self.engines = engines
        self.insights = insights
        self.sessions = sessions
        self.stats = stats
        self.faults = faults

    def handles(self, path):
        """True for paths under the servlet context."""
        return path == self.servlet_context or path.startswith(self.servlet_context + "/")

    def handle(self, request):
        """Run faults, filters and the resource for one request."""
        self.stats.count_request(request.path)
        expression = None
        if request.method == "POST" and request.path.endswith("/engine/runPixel"):
            expression = request.form_params().get("expression")
        plan = self.faults.select(request.path, expression)
        delay = plan.get("delay")
        if delay is not None:
            time.sleep(float(delay.params["seconds"]))
        response = canned_fault_response(plan)
        if response is None:
            exchange = _Exchange(request, self.sessions, plan)
            exchange.attach_session(self.config.session_cookie_name)
            if plan.get("expire_session") is not None:
                exchange.invalidate()
            response = self._filters(exchange)
            response.headers.extend(exchange.extra_headers)
            self._finish_session(exchange, response)
            damage_body(response, plan)
        self.stats.add_bytes(len(response.body))
        return response

    def _finish_session(self, exchange, response):
        """Send the cookie of a session created during this request; record activity."""
        if exchange.session is None:
            return
        if exchange.session_created:
            response.headers.append(("Set-Cookie", "%s=%s; Path=%s" % (
                self.config.session_cookie_name, exchange.session.id, self.cookie_path)))
        self.sessions.touch(exchange.session)

    def _filters(self, exchange):
        """CSRF filter, access-key filter, no-user filter, then the resource."""
        request = exchange.request
        if self.config.csrf:
            denied = self._csrf_filter(exchange)
            if denied is not None:
                return denied
        if exchange.login is None:
            failed = self._access_key_filter(exchange)
            if failed is not None:
                return failed
        if request.path.startswith(self.api_prefix + "/") and \
                not request.path.endswith(_ALLOW_WITHOUT_LOGIN):
            rejected = self._no_user_filter(exchange)
            if rejected is not None:
                return rejected
        return self._resource(exchange)

    def _csrf_filter(self, exchange):
        """Tomcat RestCsrfPreventionFilter (denyStatus 403, nonce accepted as a parameter)."""
        request = exchange.request
        session = exchange.get_session(create=True)
        if request.method in _MODIFYING_METHODS:
            nonce = request.header(CSRF_HEADER) or request.parameter(CSRF_HEADER)
            if not nonce or session.csrf_nonce is None or nonce != session.csrf_nonce:
                session.csrf_nonce = None
                return tomcat_error_page(403, "CSRF nonce validation failed",
                                         [(CSRF_HEADER, "Required")])
        elif (request.header(CSRF_HEADER) or "").lower() == "fetch":
            if session.csrf_nonce is None:
                session.csrf_nonce = _new_nonce()
            exchange.extra_headers.append((CSRF_HEADER, session.csrf_nonce))
        return None

    def _access_key_filter(self, exchange):
        """UserAccessKeyFilter: log in with Basic or Bearer when the session has no user."""
        request = exchange.request
        authorization = request.header("Authorization")
        if authorization is None:
            return None
        try:
            login = login_from_authorization(authorization, request.header("Bearer-Provider"),
                                             self.config)
        except InvalidBase64Error as error:
            return tomcat_error_page(500, str(error))
        if login is not None:
            exchange.get_session(create=True).login = login
            self.stats.count_login()
        return None

    def _no_user_filter(self, exchange):
        """NoUserInSessionFilter: 302 without a user; a pending endpoint redirect once after."""
        request = exchange.request
        full_url = "%s://%s%s" % (request.scheme, request.host, request.path)
        if exchange.login is None:
            referer = request.header("Referer")
            if referer is None:
                exchange.get_session(create=True).endpoint_redirect = full_url
                location = "%s://%s%s/noUserFail/" % (request.scheme, request.host,
                                                      self.servlet_context)
                return Response(302, b"", None, [("Location", location)])
            target = referer + ("#/login" if "/public_home/" in referer else "#!/login")
            encoded = _encode_for_html(target)
            exchange.invalidate()
            return tomcat_error_page(302, "Need to redirect to " + encoded, [("redirect", encoded)])
        pending = exchange.session.endpoint_redirect
        if pending:
            exchange.session.endpoint_redirect = None
            return tomcat_error_page(302, "Need to redirect to " + pending, [("redirect", pending)])
        return None

    def _resource(self, exchange):
        """Route to the resource method; unknown paths get Tomcat's 404."""
        request = exchange.request
        path = request.path[len(self.api_prefix):] if request.path.startswith(self.api_prefix) \
            else None
        routes = {
            "/config": ("GET", self._config),
            "/config/fetchCsrf": ("GET", self._fetch_csrf),
            "/engine/runPixel": ("POST", self._run_pixel),
        }
        if path is not None and path.startswith("/auth/logout/"):
            routes[path] = ("GET", self._logout)
        if path not in routes:
            return tomcat_error_page(404, "The requested resource is not available")
        method, handler = routes[path]
        if request.method != method:
            return tomcat_error_page(405, "Method Not Allowed")
        return handler(exchange)

    def _expired_cookie_headers(self, exchange):
        """Set-Cookie headers expiring the session cookie the request carried, if any."""
        name = self.config.session_cookie_name
        return [("Set-Cookie", "%s=%s; Path=%s; %s" % (name, value, self.cookie_path, _EXPIRED))
                for value in exchange.request.cookie_values(name)[:1]]

    def _config(self, exchange):
        """GET /config: server configuration and who is logged in."""
        login = exchange.login
        headers = [("Cache-Control", "private")]
        if login is None:
            headers.extend(self._expired_cookie_headers(exchange))
            exchange.invalidate()
        body = gson_dumps(java_hashmap(self._config_pairs(login)))
        return json_response(200, body, "application/json", headers)

    def _config_pairs(self, login):
        """The keys of ServerConfigurationResource's map."""
        login_details = {}
        login_names = {}
        if login is not None:
            login_details[login.provider] = java_hashmap([("id", login.user.id),
                                                          ("name", login.user.name)])
            login_names[login.provider] = login.user.name
        providers = sorted({user.provider.lower() for user in self.config.users} |
                           {token.provider.lower() for token in self.config.bearer_tokens})
        return [
            ("r", False), ("python", False), ("security", True), ("anonymousUsers", False),
            ("anonymousUserUploadData", False), ("adminOnlyProjectAdd", False),
            ("adminOnlyProjectDelete", False), ("adminOnlyEngineAdd", False),
            ("adminOnlyEngineDelete", False), ("useLogoutPage", False),
            ("version", java_hashmap(self.config.version.items())),
            ("defaultFrameType", "GRID"), ("defaultScriptingLanguage", "R"),
            ("localDeployment", False), ("cacheInsightByDefault", False),
            ("timeout", self.sessions.timeout_seconds / 60.0),
            ("loginsAllowed", java_hashmap((name, True) for name in providers)),
            ("logins", java_hashmap(login_names.items())),
            ("loginDetails", java_hashmap(login_details.items())),
            ("csrf", self.config.csrf),
        ]

    def _fetch_csrf(self, exchange):
        """GET /config/fetchCsrf: creates the session; the filter put the nonce header."""
        exchange.get_session(create=True)
        return json_response(200, "true")

    def _logout(self, exchange):
        """GET /auth/logout/{provider}[?disableRedirect=true]."""
        request = exchange.request
        provider = request.path.rsplit("/", 1)[1]
        login = exchange.login
        if provider.lower() not in ("all", login.provider.lower()):
            return json_response(200, '{"success":false}')
        headers = self._expired_cookie_headers(exchange)
        exchange.invalidate()
        if (request.query_params().get("disableRedirect") or "").lower() != "true":
            target = _encode_for_html("%s#!/login" % request.header("Referer"))
            return tomcat_error_page(302, "Need to redirect to " + target,
                                     [("redirect", target)] + headers)
        return json_response(200, '{"success":true}', "application/json", headers)

    def _run_pixel(self, exchange):
        """POST /engine/runPixel: run the expression on a temporary, new or stored insight."""
        request = exchange.request
        expression = request.parameter("expression")
        if expression is None or not java_trim(expression):
            return error_map_response(
                400, "Must pass in 'expression' key containing the pixel to execute",
                "INSIGHT_NOT_FOUND")
        expression = java_trim(expression)
        if not expression.endswith(";"):
            expression += ";"
        insight_id = request.parameter("insightId")
        if insight_id in (None, "", "undefined"):
            insight = self.insights.create(temporary=True)
        elif insight_id == "new":
            insight = self.insights.create(temporary=False)
        else:
            insight = self.insights.get(insight_id)
            if insight is None:
                return error_map_response(400, "Could not find the insight id", "INSIGHT_NOT_FOUND")
        if not insight.temporary:
            exchange.session.insight_ids.add(insight.id)
        with insight.lock:
            context = PixelContext(login=exchange.login, insight=insight, engines=self.engines,
                                   insights=self.insights, stats=self.stats,
                                   faults=exchange.faults)
            run = run_pixel(expression, context)
            self.stats.record_pixel(expression, run.routine_count)
            body = render_pixel_response(run, context)
        if insight.temporary or self.insights.get(insight.id) is not insight:
            insight.close_all_tasks()
        return json_response(200, body, "application/json;charset=utf-8", _RUN_PIXEL_HEADERS)


def _new_nonce():
    """A Tomcat-style CSRF nonce (32 upper-case hex digits)."""
    return secrets.token_hex(16).upper()


def _encode_for_html(text):
    """OWASP Encode.forHtml for the redirect header."""
    return html.escape(text, quote=True).replace("&#x27;", "&#39;").replace("&quot;", "&#34;")
