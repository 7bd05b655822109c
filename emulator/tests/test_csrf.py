"""CSRF protection (Tomcat RestCsrfPreventionFilter) on and off."""

import re
import unittest

import support


@support.requires_backend
class CsrfOnTest(unittest.TestCase):
    """An emulator configured with csrf=true."""

    @classmethod
    def setUpClass(cls):
        """Start it."""
        cls.target = support.start_target(support.make_config(csrf=True))

    @classmethod
    def tearDownClass(cls):
        """Stop it."""
        cls.target.stop()

    def setUp(self):
        """A logged-in client without a token yet."""
        self.client = self.target.client()
        self.addCleanup(self.client.close)
        self.assertEqual(self.client.get("/config").json()["csrf"], True)

    def fetch_token(self):
        """GET /config/fetchCsrf with X-CSRF-Token: Fetch; return the nonce."""
        result = self.client.get("/config/fetchCsrf", headers={"X-CSRF-Token": "fetch"})
        self.assertEqual(result.status, 200)
        self.assertEqual(result.body, b"true")
        token = result.header("X-CSRF-Token")
        self.assertRegex(token or "", r"^[0-9A-F]{32}$")
        return token

    def test_post_without_token_is_forbidden(self):
        """403 with X-CSRF-Token: Required."""
        result = self.client.run_pixel_raw("META | true")
        self.assertEqual(result.status, 403)
        self.assertEqual(result.header("X-CSRF-Token"), "Required")

    def test_token_in_header(self):
        """The fetched nonce in the header is accepted, repeatedly."""
        self.client.csrf_token = self.fetch_token()
        for _ in range(2):
            self.assertEqual(self.client.run_pixel_raw("META | true").status, 200)

    def test_token_as_form_field(self):
        """pathsAcceptingParams=/*: the nonce may be a form parameter."""
        token = self.fetch_token()
        result = self.client.post_form("/engine/runPixel",
                                       {"expression": "1+1", "X-CSRF-Token": token})
        self.assertEqual(result.status, 200)

    def test_same_nonce_until_rejected_then_new(self):
        """Fetching twice gives the same nonce; a rejected POST clears it."""
        first = self.fetch_token()
        self.assertEqual(self.fetch_token(), first)
        self.client.csrf_token = "0" * 32
        self.assertEqual(self.client.run_pixel_raw("1+1").status, 403)
        self.client.csrf_token = first
        self.assertEqual(self.client.run_pixel_raw("1+1").status, 403)
        renewed = self.fetch_token()
        self.assertNotEqual(renewed, first)
        self.client.csrf_token = renewed
        self.assertEqual(self.client.run_pixel_raw("1+1").status, 200)

    def test_get_requests_are_exempt(self):
        """GET needs no token."""
        self.assertEqual(self.client.get("/config").status, 200)


@support.requires_backend
class CsrfOffTest(unittest.TestCase):
    """The shared emulator runs with csrf off."""

    def test_no_token_needed_and_none_returned(self):
        """POST works without a token; fetchCsrf returns no nonce header."""
        client = support.shared_target().client()
        self.addCleanup(client.close)
        self.assertIs(client.get("/config").json()["csrf"], False)
        self.assertEqual(client.run_pixel_raw("META | true").status, 200)
        result = client.get("/config/fetchCsrf", headers={"X-CSRF-Token": "Fetch"})
        self.assertEqual(result.body, b"true")
        self.assertFalse(re.fullmatch(r"[0-9A-F]{32}", result.header("X-CSRF-Token") or ""))


if __name__ == "__main__":
    unittest.main()
