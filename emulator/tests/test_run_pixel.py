"""POST /engine/runPixel: insights, entry shape, routines, errors and HTTP details."""

import re
import unittest
import uuid

import support


@support.requires_backend
class RunPixelTest(unittest.TestCase):
    """Against the shared emulator."""

    def setUp(self):
        """A logged-in client."""
        self.target = support.shared_target()
        self.client = self.target.client()
        self.addCleanup(self.client.close)

    def test_new_insight(self):
        """insightId=new creates a stored insight with a UUID that can be reused."""
        insight = self.client.new_insight()
        uuid.UUID(insight)
        body = self.client.run_pixel("1+1", insight)
        self.assertEqual(body["insightID"], insight)

    def test_temporary_insights(self):
        """Missing, "" and "undefined" give a fresh TempInsight_<uuid> each time."""
        seen = set()
        for fields in ({"expression": "1+1"}, {"expression": "1+1", "insightId": ""},
                       {"expression": "1+1", "insightId": "undefined"}):
            body = self.client.post_form("/engine/runPixel", fields).json()
            self.assertRegex(body["insightID"], r"^TempInsight_[0-9a-f-]{36}$")
            seen.add(body["insightID"])
        self.assertEqual(len(seen), 3)

    def test_unknown_insight(self):
        """400 with SEMOSS's INSIGHT_NOT_FOUND body."""
        result = self.client.run_pixel_raw("1+1", "no-such-insight")
        self.assertEqual(result.status, 400)
        self.assertEqual(result.body, b'{"errorType":"INSIGHT_NOT_FOUND",'
                                      b'"errorMessage":"Could not find the insight id"}')

    def test_missing_or_blank_expression(self):
        """400 asking for the expression key."""
        for fields in ({"insightId": "new"}, {"expression": " \t\n", "insightId": "new"}):
            result = self.client.post_form("/engine/runPixel", fields)
            self.assertEqual(result.status, 400)
            self.assertEqual(result.json(), {
                "errorMessage": "Must pass in 'expression' key containing the pixel to execute",
                "errorType": "INSIGHT_NOT_FOUND"})

    def test_entry_keys_and_order(self):
        """insightID then pixelReturn; entries keyed pixelId..operationType in order."""
        result = self.client.run_pixel_raw("META | true")
        document = support.ordered_keys(result.body.decode())
        self.assertEqual([key for key, _ in document], ["insightID", "pixelReturn"])
        entry = document[1][1][0]
        self.assertEqual([key for key, _ in entry],
                         ["pixelId", "pixelExpression", "isMeta", "timeToRun", "output",
                          "operationType"])
        entry = dict(entry)
        self.assertEqual(entry["pixelId"], "meta_unstored")
        self.assertEqual(entry["pixelExpression"], "META | true ;")
        self.assertIs(entry["isMeta"], True)
        self.assertIsInstance(entry["timeToRun"], int)
        self.assertIs(entry["output"], True)
        self.assertEqual(entry["operationType"], ["OPERATION"])

    def test_recipe_ids_for_non_meta_routines(self):
        """Non-META routines get recipe ids "0", "1"...; a failing one is not kept."""
        insight = self.client.new_insight()
        body = self.client.run_pixel("1+1; Nope(); 2*3; META | 4", insight)
        ids = [entry["pixelId"] for entry in body["pixelReturn"]]
        self.assertEqual(ids, ["0", "1", "1", "meta_unstored"])
        self.assertEqual([entry["isMeta"] for entry in body["pixelReturn"]],
                         [False, False, False, True])
        body = self.client.run_pixel("5", insight)
        self.assertEqual(body["pixelReturn"][0]["pixelId"], "2")

    def test_arithmetic_and_literals(self):
        """1+1 -> 2, precedence, decimals, division, negatives, strings, booleans, null."""
        body = self.client.run_pixel('1+1; 2+3*4; 7/2; -1; 1.5; "a b"; \'c\'; TRUE; null; 10%3; 2^10')
        outputs = [entry["output"] for entry in body["pixelReturn"]]
        self.assertEqual(outputs, [2, 14, 3.5, -1, 1.5, "a b", "c", True, None, 1, 1024.0])
        self.assertTrue(all(entry["operationType"] == ["OPERATION"]
                            for entry in body["pixelReturn"]))
        self.assertIn(b'"output":1024.0', self.client.run_pixel_raw("2^10").body)

    def test_semicolon_is_appended(self):
        """A missing final ';' is added."""
        body = self.client.run_pixel("  META | 5  ")
        self.assertEqual(body["pixelReturn"][0]["pixelExpression"], "META | 5 ;")
        self.assertEqual(body["pixelReturn"][0]["output"], 5)

    def test_syntax_error(self):
        """A single INVALID_SYNTAX entry with SableCC's message and an excerpt."""
        body = self.client.run_pixel("1+1; Collect(5;; 2+2")
        self.assertEqual(len(body["pixelReturn"]), 1)
        entry = body["pixelReturn"][0]
        self.assertEqual(entry["operationType"], ["ERROR", "INVALID_SYNTAX"])
        self.assertEqual(entry["pixelId"], "meta_unstored")
        self.assertIs(entry["isMeta"], True)
        self.assertRegex(entry["output"],
                         r"^\[1,15\] expecting: .*'\)'.*\. Error in syntax around \S")
        self.assertIn("Collect(5;", entry["output"])

    def test_unknown_reactor_and_continuation(self):
        """Runtime errors are per routine; later routines still run."""
        body = self.client.run_pixel("Nope(1); META | 1+2")
        first, second = body["pixelReturn"]
        self.assertEqual(first["output"], "Cannot find reactor for keyword = Nope")
        self.assertEqual(first["operationType"], ["ERROR"])
        self.assertEqual(second["output"], 3)

    def test_response_headers(self):
        """JSON content type, no-cache headers, exact Content-Length, no chunking."""
        result = self.client.run_pixel_raw("META | true")
        self.assertEqual(result.header("Content-Type"), "application/json;charset=utf-8")
        self.assertEqual(result.header("Cache-Control"),
                         "no-store, no-cache, must-revalidate, max-age=0, post-check=0, pre-check=0")
        self.assertEqual(result.header("Pragma"), "no-cache")
        self.assertEqual(int(result.header("Content-Length")), len(result.body))
        self.assertIsNone(result.header("Transfer-Encoding"))

    def test_only_semicolons_returns_no_entries(self):
        """";" has no routine, so pixelReturn is empty."""
        body = self.client.run_pixel(";")
        self.assertEqual(body["pixelReturn"], [])
        self.assertTrue(re.fullmatch(r"TempInsight_.+", body["insightID"]))


if __name__ == "__main__":
    unittest.main()
