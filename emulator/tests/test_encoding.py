"""<encode> blocks and QueryReactor's URL decoding, end to end."""

import unittest

import support
from semoss_emu.urlcodec import encode_uri_component

AWKWARD = "it's \"q\" \\ + % ; | \n\ttab é 😀 %41 %20 a+b <b>&amp; '' ?"


def literal(text):
    """An SQL string literal for text (standard_conforming_strings on)."""
    return "'" + text.replace("'", "''") + "'"


@support.requires_backend
class EncodeTest(unittest.TestCase):
    """Queries whose SQL needs <encode> (or equivalent) to survive the pixel syntax."""

    def setUp(self):
        """A client on the shared emulator."""
        self.target = support.shared_target()
        self.client = self.target.client()
        self.addCleanup(self.client.close)

    def first_entry(self, query_argument, limit=5):
        """Run Database | Query(<argument text>) | Collect and return the first entry."""
        expression = 'META | Database(database=["%s"]) | Query("%s") | Collect(%d);' % (
            self.target.engine_id, query_argument, limit)
        return self.client.run_pixel(expression)["pixelReturn"][0]

    def test_round_trip_of_awkward_sql(self):
        """Quotes, backslash, + % ; |, newline, tab, Unicode and %xx survive <encode>."""
        sql = "SELECT %s AS v, 1 + 2 AS s" % literal(AWKWARD)
        entry = self.first_entry("<encode>%s</encode>" % sql)
        self.assertEqual(entry["output"]["data"]["values"], [[AWKWARD, 3]])
        self.assertIn("<encode>" + sql + "</encode>", entry["pixelExpression"])

    def test_pre_encoded_text_without_tags(self):
        """Already URL-encoded text in a plain string is decoded the same way."""
        sql = "SELECT %s AS v" % literal(AWKWARD)
        entry = self.first_entry(encode_uri_component(sql))
        self.assertEqual(entry["output"]["data"]["values"], [[AWKWARD]])

    def test_unencoded_text_is_url_decoded_anyway(self):
        """Without <encode>, '+' turns into a space and %41 into 'A', like the real server."""
        entry = self.first_entry("SELECT 'a+b%41' AS v")
        self.assertEqual(entry["output"]["data"]["values"], [["a bA"]])

    def test_literal_close_tag_breaks_the_block(self):
        """A literal </encode> ends the block early, so the SQL arrives damaged."""
        entry = self.first_entry("<encode>SELECT '</encode>' AS v</encode>")
        self.assertEqual(entry["operationType"], ["ERROR"])
        self.assertTrue(entry["output"].startswith("ERROR: syntax error"), entry["output"])

    def test_split_close_tag_workaround(self):
        """Splitting the tag with || avoids the problem."""
        entry = self.first_entry("<encode>SELECT '</enc' || 'ode>' AS v</encode>")
        self.assertEqual(entry["output"]["data"]["values"], [["</encode>"]])

    def test_malformed_escape_is_a_pixel_error(self):
        """URLDecoder's exception message becomes the ERROR output."""
        entry = self.first_entry("SELECT 100%")
        self.assertEqual(entry["operationType"], ["ERROR"])
        self.assertEqual(entry["output"], "URLDecoder: Incomplete trailing escape (%) pattern")

    def test_double_quoted_words_unescape_quotes(self):
        """\\" inside a pixel string is an escaped quote (only that escape exists)."""
        entry = self.first_entry('SELECT \\"x\\" FROM (SELECT 1 AS x) t')
        self.assertEqual(entry["output"]["data"]["values"], [[1]])


if __name__ == "__main__":
    unittest.main()
