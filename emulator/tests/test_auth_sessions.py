"""Login (Basic, Bearer), session cookies, 302 redirects, expiry and logout."""

import base64
import re
import time
import unittest

import support


@support.requires_backend
class LoginTest(unittest.TestCase):
    """Authentication against an emulator with known users and bearer tokens."""

    @classmethod
    def setUpClass(cls):
        """One dedicated emulator for the class."""
        cls.target = support.start_target(support.make_config())

    @classmethod
    def tearDownClass(cls):
        """Stop it."""
        cls.target.stop()

    def client(self, **options):
        """A fresh client (no cookies)."""
        client = self.target.client(**options)
        self.addCleanup(client.close)
        return client

    def test_config_without_login(self):
        """/config works without a user: empty loginDetails, flags, timeout as a double."""
        client = self.client(auth=None)
        result = client.get("/config")
        self.assertEqual(result.status, 200)
        body = result.json()
        self.assertEqual(body["loginDetails"], {})
        self.assertEqual(body["logins"], {})
        self.assertIs(body["security"], True)
        self.assertIs(body["csrf"], False)
        self.assertIn(b'"timeout":120.0', result.body)
        self.assertIsInstance(body["version"], dict)
        self.assertEqual(result.header_values("Set-Cookie"), [])
        self.assertEqual(result.header("Content-Length"), str(len(result.body)))

    def test_config_expires_a_stale_cookie(self):
        """/config without a user expires the cookie it was sent; with a user it does not."""
        client = self.client(auth=None)
        client.cookies["monolith"] = "0123456789ABCDEF0123456789ABCDEF"
        result = client.get("/config")
        self.assertEqual(result.header("Set-Cookie"),
                         "monolith=0123456789ABCDEF0123456789ABCDEF; Path=/Monolith; Max-Age=0; "
                         "Expires=Thu, 01 Jan 1970 00:00:00 GMT")
        self.assertEqual(client.cookies, {})
        logged_in = self.client()
        logged_in.get("/config")
        self.assertEqual(logged_in.get("/config", with_auth=False).header_values("Set-Cookie"), [])

    def test_basic_login_sets_cookie_and_login_details(self):
        """A valid Basic header logs in on /config and sets the session cookie."""
        client = self.client()
        result = client.get("/config")
        body = result.json()
        self.assertEqual(body["loginDetails"], {"NATIVE": {"id": "u1", "name": "Jane Analyst"}})
        self.assertEqual(body["logins"], {"NATIVE": "Jane Analyst"})
        cookie = result.header("Set-Cookie")
        self.assertRegex(cookie, r"^monolith=[0-9A-F]{32}; Path=/Monolith$")

    def test_cookie_reuse_logs_in_once(self):
        """The same cookie keeps the session: no new cookie, one login only."""
        client = self.client()
        before = client.debug("GET", "/stats")["logins"]
        client.get("/config")
        cookie = dict(client.cookies)
        for _ in range(3):
            result = client.run_pixel_raw("META | true")
            self.assertEqual(result.status, 200)
            self.assertEqual(result.header_values("Set-Cookie"), [])
        client.send_auth = False
        self.assertEqual(client.run_pixel_raw("1+1").status, 200)
        self.assertEqual(client.cookies, cookie)
        self.assertEqual(client.debug("GET", "/stats")["logins"] - before, 1)

    def test_lowercase_basic_scheme(self):
        """The filter accepts "basic" as well as "Basic"."""
        client = self.client(auth=None)
        token = base64.b64encode(("%s:%s" % (support.ACCESS_KEY, support.SECRET_KEY)).encode()).decode()
        result = client.get("/config", headers={"Authorization": "basic " + token})
        self.assertEqual(result.json()["loginDetails"]["NATIVE"]["id"], "u1")

    def test_bad_secret_is_refused(self):
        """Wrong secret: /config shows no user and runPixel is redirected."""
        client = self.client(secret_key="wrong")
        self.assertEqual(client.get("/config").json()["loginDetails"], {})
        result = client.run_pixel_raw("META | true")
        self.assertEqual(result.status, 302)
        self.assertEqual(result.header("Location"),
                         "http://%s:%d/Monolith/noUserFail/" % (self.target.host, self.target.port))
        self.assertEqual(result.body, b"")

    def test_secret_with_colon_cannot_log_in(self):
        """"ak:sk:with:colons" splits into more than 2 parts, so the login fails."""
        client = self.client(access_key=support.COLON_ACCESS_KEY,
                             secret_key=support.COLON_SECRET_KEY)
        self.assertEqual(client.get("/config").json()["loginDetails"], {})

    def test_trailing_colon_is_ignored_like_java_split(self):
        """Java's split drops trailing empty strings: "ak:sk:" still logs in."""
        client = self.client(secret_key=support.SECRET_KEY + ":")
        self.assertEqual(client.get("/config").json()["loginDetails"]["NATIVE"]["id"], "u1")

    def test_invalid_base64_is_a_server_error(self):
        """java.util.Base64 throws; Tomcat answers 500."""
        client = self.client(auth=None)
        result = client.get("/config", headers={"Authorization": "Basic ***"})
        self.assertEqual(result.status, 500)

    def test_bearer_with_provider(self):
        """Bearer + Bearer-Provider (case-insensitive) logs in under that provider."""
        client = self.client(auth="bearer", bearer_token="emu-token-ms", bearer_provider="MS")
        body = client.get("/config").json()
        self.assertEqual(body["loginDetails"], {"MS": {"id": "u1", "name": "Jane Analyst"}})

    def test_bearer_without_provider_uses_the_only_provider(self):
        """With exactly one configured provider the header may be omitted."""
        client = self.client(auth="bearer", bearer_token="emu-token-ms")
        self.assertIn("MS", client.get("/config").json()["loginDetails"])
        self.assertEqual(client.run_pixel_raw("META | true").status, 200)

    def test_bad_bearer_token_or_provider(self):
        """Unknown token or provider: no login, 302 on the API."""
        for token, provider in (("nope", "ms"), ("emu-token-ms", "google")):
            client = self.client(auth="bearer", bearer_token=token, bearer_provider=provider)
            self.assertEqual(client.get("/config").json()["loginDetails"], {})
            self.assertEqual(client.run_pixel_raw("META | true").status, 302)

    def test_redirect_with_referer(self):
        """With a Referer: sendError(302), a "redirect" header and an HTML body, no Location."""
        client = self.client(auth=None)
        result = client.run_pixel_raw("META | true", headers={"Referer": "http://ui/app/"})
        self.assertEqual(result.status, 302)
        self.assertEqual(result.header("redirect"), "http://ui/app/#!/login")
        self.assertIsNone(result.header("Location"))
        self.assertIn(b"<html", result.body)
        self.assertTrue(result.header("Content-Type").startswith("text/html"))

    def test_login_on_any_path(self):
        """Basic logs in on runPixel directly (no /config first)."""
        client = self.client()
        result = client.run_pixel_raw("1+1")
        self.assertEqual(result.status, 200)
        self.assertRegex(result.header("Set-Cookie"), r"^monolith=")

    def test_pending_redirect_after_a_cookie_only_retry(self):
        """After a no-user 302, logging in on that session replays one 302 (SEMOSS's
        ENDPOINT_REDIRECT_KEY), then requests work."""
        client = self.client(send_auth=False)
        first = client.run_pixel_raw("META | true")
        self.assertEqual(first.status, 302)
        self.assertIn("monolith", client.cookies)
        self.assertEqual(client.get("/config", with_auth=True).json()["loginDetails"]["NATIVE"]["id"], "u1")
        second = client.run_pixel_raw("META | true")
        self.assertEqual(second.status, 302)
        self.assertEqual(second.header("redirect"), "http://%s:%d/Monolith/api/engine/runPixel"
                         % (self.target.host, self.target.port))
        self.assertEqual(client.run_pixel_raw("META | true").status, 200)

    def test_logout(self):
        """Logout: success body, expired cookie, session and insights gone."""
        client = self.client()
        insight = client.new_insight()
        client.query(support.ENGINE_ID, "select generate_series(1, 10) as n", 2, insight)
        stats_before = client.debug("GET", "/stats")
        result = client.get("/auth/logout/all?disableRedirect=true")
        self.assertEqual(result.status, 200)
        self.assertEqual(result.json(), {"success": True})
        self.assertRegex(result.header("Set-Cookie"), r"^monolith=[0-9A-F]{32}; .*Max-Age=0")
        stats_after = client.debug("GET", "/stats")
        self.assertEqual(stats_after["open_tasks"], stats_before["open_tasks"] - 1)
        self.assertEqual(stats_after["sessions"], stats_before["sessions"] - 1)
        client.send_auth = False
        self.assertEqual(client.run_pixel_raw("META | true").status, 302)
        client.send_auth = True
        replayed = client.run_pixel_raw("META | true", insight)
        self.assertEqual(replayed.status, 302)
        self.assertIsNotNone(replayed.header("redirect"))
        again = client.run_pixel_raw("META | true", insight)
        self.assertEqual(again.status, 400)

    def test_logout_without_user_is_redirected(self):
        """The no-user filter answers before the logout resource."""
        client = self.client(auth=None)
        self.assertEqual(client.get("/auth/logout/all?disableRedirect=true").status, 302)

    def test_unknown_api_path(self):
        """Unknown resources under /api give 404 once logged in."""
        client = self.client()
        self.assertEqual(client.get("/no/such/thing").status, 404)
        self.assertEqual(client.get("/engine/runPixel").status, 405)


@support.requires_backend
class SessionExpiryTest(unittest.TestCase):
    """Session timeout of 2 seconds."""

    @classmethod
    def setUpClass(cls):
        """An emulator whose sessions expire after 2 idle seconds."""
        cls.target = support.start_target(support.make_config(session_timeout_minutes=2 / 60))

    @classmethod
    def tearDownClass(cls):
        """Stop it."""
        cls.target.stop()

    def test_timeout_is_reported_in_minutes(self):
        """2 s -> 0.03333333333333333 minutes, as a double."""
        client = self.target.client()
        self.addCleanup(client.close)
        self.assertIn(b'"timeout":0.03333333333333333', client.get("/config").body)

    def test_expiry_redirects_then_basic_relogin_loses_insight(self):
        """Idle past the timeout: Basic on every request logs in again on a new session
        and the old insight is gone (400 INSIGHT_NOT_FOUND)."""
        client = self.target.client()
        self.addCleanup(client.close)
        insight = client.new_insight()
        old_cookie = client.cookies["monolith"]
        time.sleep(2.5)
        result = client.run_pixel_raw("META | true", insight)
        self.assertEqual(result.status, 400)
        self.assertEqual(result.json(), {"errorMessage": "Could not find the insight id",
                                         "errorType": "INSIGHT_NOT_FOUND"})
        self.assertNotEqual(client.cookies["monolith"], old_cookie)
        self.assertEqual(client.run_pixel_raw("META | true", "new").status, 200)

    def test_expiry_without_auth_is_redirected(self):
        """A cookie-only request after expiry gets the no-user 302."""
        client = self.target.client(send_auth=False)
        self.addCleanup(client.close)
        client.get("/config", with_auth=True)
        self.assertEqual(client.run_pixel_raw("META | true").status, 200)
        time.sleep(2.5)
        self.assertEqual(client.run_pixel_raw("META | true").status, 302)

    def test_activity_keeps_the_session(self):
        """Requests within the timeout keep it alive."""
        client = self.target.client(send_auth=False)
        self.addCleanup(client.close)
        client.get("/config", with_auth=True)
        for _ in range(4):
            time.sleep(0.8)
            self.assertEqual(client.run_pixel_raw("META | true").status, 200)

    def test_expired_session_closes_its_cursors(self):
        """The sweeper destroys idle sessions, dropping insights and closing task cursors."""
        client = self.target.client()
        self.addCleanup(client.close)
        insight = client.new_insight()
        entry = client.query(self.target.engine_id, "select generate_series(1, 10) as n", 2, insight)
        self.assertEqual(entry["operationType"], ["TASK_DATA"])
        self.assertGreaterEqual(client.debug("GET", "/stats")["open_tasks"], 1)
        self.assertTrue(support.wait_for(
            lambda: client.debug("GET", "/stats")["open_tasks"] == 0, timeout=6))

    def test_expire_all_sessions_now(self):
        """POST /_emulator/sessions/expire destroys every session at once."""
        client = self.target.client(send_auth=False)
        self.addCleanup(client.close)
        client.get("/config", with_auth=True)
        self.assertEqual(client.run_pixel_raw("1+1").status, 200)
        self.assertGreaterEqual(client.debug("POST", "/sessions/expire")["expired"], 1)
        self.assertEqual(client.run_pixel_raw("1+1").status, 302)
        stats = client.debug("GET", "/stats")
        self.assertTrue(re.fullmatch(r"\d+", str(stats["sessions"])))


if __name__ == "__main__":
    unittest.main()
