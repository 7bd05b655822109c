"""Unit tests of the pure-Python pieces: Java formatting, URL codec, pre-processor,
lexer/parser, SQL scanning and value encoders.  No database or server needed."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from semoss_emu import javacompat, pixel_parser, sql_scan, urlcodec, values  # noqa: E402
from semoss_emu.preprocess import preprocess_pixel  # noqa: E402


class JavaDoubleToStringTest(unittest.TestCase):
    """java_double_to_string matches Java's Double.toString."""

    def test_decimal_range(self):
        """1e-3 <= |x| < 1e7 uses plain decimal notation with a fraction."""
        cases = {12.0: "12.0", 0.1: "0.1", 0.001: "0.001", 9999999.0: "9999999.0",
                 -2.5: "-2.5", 123456.789: "123456.789", 1.5: "1.5"}
        for value, expected in cases.items():
            self.assertEqual(javacompat.java_double_to_string(value), expected)

    def test_scientific_range(self):
        """Below 1e-3 and from 1e7 Java switches to d.dddE±n."""
        cases = {1e20: "1.0E20", 1e-4: "1.0E-4", 1e7: "1.0E7", 1.5e-5: "1.5E-5",
                 123456789012345678.0: "1.2345678901234568E17", -3e10: "-3.0E10",
                 0.0009: "9.0E-4", 2.5e300: "2.5E300"}
        for value, expected in cases.items():
            self.assertEqual(javacompat.java_double_to_string(value), expected)

    def test_zeros(self):
        """Signed zeros."""
        self.assertEqual(javacompat.java_double_to_string(0.0), "0.0")
        self.assertEqual(javacompat.java_double_to_string(-0.0), "-0.0")


class JavaCollectionsTest(unittest.TestCase):
    """HashMap order, String.trim and String.split semantics."""

    def test_hashmap_order_of_header_info(self):
        """Java iterates the headerInfo map as dataType, alias, header, type, derived."""
        order = javacompat.java_hashmap_order(["alias", "derived", "header", "type", "dataType"])
        self.assertEqual(order, ["dataType", "alias", "header", "type", "derived"])

    def test_hashmap_order_of_task_meta_and_errors(self):
        """Collect meta keys and SEMOSS error maps in Java order."""
        self.assertEqual(javacompat.java_hashmap_order(["headerInfo", "numCollected", "sources"]),
                         ["headerInfo", "sources", "numCollected"])
        self.assertEqual(javacompat.java_hashmap_order(["errorMessage", "errorType"]),
                         ["errorType", "errorMessage"])

    def test_java_string_hash(self):
        """String.hashCode as unsigned 32-bit."""
        self.assertEqual(javacompat.java_string_hash("a"), 97)
        self.assertEqual(javacompat.java_string_hash("hello"), 99162322)
        self.assertEqual(javacompat.java_string_hash("polygenelubricants"), 2 ** 32 - 2 ** 31)

    def test_trim_and_split(self):
        """trim() strips <= U+0020 only; split drops trailing empty parts."""
        self.assertEqual(javacompat.java_trim("\t\x00 a b \n"), "a b")
        self.assertEqual(javacompat.java_trim("\u00a0a\u00a0"), "\u00a0a\u00a0")
        self.assertEqual(javacompat.java_split_no_trailing("ak:sk:", ":"), ["ak", "sk"])
        self.assertEqual(javacompat.java_split_no_trailing("ak:", ":"), ["ak"])
        self.assertEqual(javacompat.java_split_no_trailing("a:b:c", ":"), ["a", "b", "c"])
        self.assertEqual(javacompat.java_split_no_trailing(":", ":"), [])


class GsonTest(unittest.TestCase):
    """Gson string escaping (HTML escaping off) and value serialization."""

    def test_string_escapes(self):
        """Standard escapes, \\u00xx for control chars, U+2028/2029, raw non-ASCII."""
        text = 'q"b\\n\nr\rt\tb\bf\fc\x01d\x7f<>&=\'é€😀\u2028\u2029'
        expected = ('"q\\"b\\\\n\\nr\\rt\\tb\\bf\\fc\\u0001d\x7f<>&=\'é€😀'
                    '\\u2028\\u2029"')
        self.assertEqual(javacompat.gson_string(text), expected)

    def test_dumps(self):
        """Null map values are omitted, null list items kept, NaN becomes null."""
        value = {"a": 1, "b": None, "c": [None, 2.0, float("nan"), True], "d": "x"}
        self.assertEqual(javacompat.gson_dumps(value), '{"a":1,"c":[null,2.0,null,true],"d":"x"}')


class UrlCodecTest(unittest.TestCase):
    """URLEncoder/URLDecoder and SEMOSS's wrappers."""

    def test_encode(self):
        """Unreserved chars stay, space becomes %20, everything else %XX (UTF-8)."""
        self.assertEqual(urlcodec.encode_uri_component("a b+c*d-e_f.g~!'()é"),
                         "a%20b%2Bc*d-e_f.g%7E%21%27%28%29%C3%A9")

    def test_round_trip(self):
        """decode(encode(x)) == x for awkward text."""
        text = "SELECT 'a''b', \"q\" \\ + % ; | \n\t é 😀 %41 %20 a+b </encode>"
        self.assertEqual(urlcodec.decode_uri_component(urlcodec.encode_uri_component(text)), text)

    def test_decoding_unencoded_text(self):
        """'+' is a space and %XX is decoded even without <encode>, like the real server."""
        self.assertEqual(urlcodec.decode_uri_component("a+b%41%20c"), "a bA c")

    def test_malformed_escapes(self):
        """Java's IllegalArgumentException messages."""
        with self.assertRaisesRegex(urlcodec.UrlDecodeError, "Incomplete trailing escape"):
            urlcodec.decode_uri_component("50%")
        with self.assertRaisesRegex(urlcodec.UrlDecodeError,
                                    'Illegal hex characters in escape \\(%\\) pattern - For input '
                                    'string: "zz"'):
            urlcodec.decode_uri_component("a%zzb")
        with self.assertRaisesRegex(urlcodec.UrlDecodeError, "negative value"):
            urlcodec.decode_uri_component("%-1")

    def test_invalid_utf8_escape_is_replaced(self):
        """Bytes that are not UTF-8 decode to U+FFFD."""
        self.assertEqual(urlcodec.decode_uri_component("%FFa"), "\ufffda")


class PreprocessTest(unittest.TestCase):
    """PixelPreProcessor block handling."""

    def test_encode_block(self):
        """A block, tags included, becomes the encoded text; restore puts it back."""
        processed, blocks = preprocess_pixel('Query("<encode>a b</encode>")')
        self.assertEqual(processed, 'Query("a%20b")')
        self.assertEqual(blocks.restore(processed), 'Query("<encode>a b</encode>")')

    def test_literal_close_tag_breaks_the_block(self):
        """The first </encode> after the last <encode> ends the block."""
        processed, _ = preprocess_pixel('Q("<encode>x</encode>y</encode>")')
        self.assertEqual(processed, 'Q("xy</encode>")')

    def test_nested_blocks_keep_the_outer(self):
        """An inner block inside an outer one is not encoded separately."""
        processed, _ = preprocess_pixel("<encode>a<encode>b</encode>c</encode>")
        self.assertEqual(processed, urlcodec.encode_uri_component("a<encode>b</encode>c"))

    def test_s_encode_and_e_blocks(self):
        """<sEncode> is handled first (inner <encode> tags are encoded as text), then <e>."""
        processed, _ = preprocess_pixel("<sEncode>a <encode>b</encode></sEncode> <e>c d</e>")
        self.assertEqual(processed,
                         urlcodec.encode_uri_component("a <encode>b</encode>") + " c%20d")

    def test_trim(self):
        """The expression is trimmed Java-style first."""
        processed, _ = preprocess_pixel("\t 1+1; \n")
        self.assertEqual(processed, "1+1;")


class ParserTest(unittest.TestCase):
    """Lexer and parser of the pixel subset."""

    def test_pipe_chain_and_named_arguments(self):
        """META, pipes, named list and scalar arguments, positional numbers."""
        routines = pixel_parser.parse_pixel(
            'META | Database(database=["x"]) | Query(query="q") | Collect(-1);')
        self.assertEqual(len(routines), 1)
        routine = routines[0]
        self.assertTrue(routine.is_meta)
        self.assertEqual([node.name for node in routine.chain], ["Database", "Query", "Collect"])
        self.assertEqual(routine.chain[0].named[0][0], "database")
        self.assertEqual(routine.chain[0].named[0][1][0].value, "x")
        self.assertEqual(routine.chain[1].named[0][1][0].value, "q")
        self.assertIsInstance(routine.chain[2].positional[0], pixel_parser.Negate)
        self.assertEqual(routine.text, 'META | Database ( database = [ "x" ] ) | Query ( query = '
                                       '"q" ) | Collect ( - 1 ) ;')

    def test_strings(self):
        """Double-quoted strings unescape \\" only; single-quoted ones have no escapes."""
        routine = pixel_parser.parse_pixel(r'''A("a\"b\\n", 'c\d');''')[0]
        self.assertEqual(routine.chain[0].positional[0].value, 'a"b\\\\n')
        self.assertEqual(routine.chain[0].positional[1].value, "c\\d")

    def test_literals(self):
        """Numbers, decimals, booleans, null and bare ids."""
        values_found = [node.value for node in pixel_parser.parse_pixel(
            "A(5, 1.5, .5, 7., TRUE, false, null, abc);")[0].chain[0].positional]
        self.assertEqual(values_found, [5, 1.5, 0.5, 7, True, False, None, "abc"])

    def test_multiple_routines_and_extra_semicolons(self):
        """Each ;-terminated routine is separate; repeated ';' belong to one routine."""
        routines = pixel_parser.parse_pixel("1+1;; true; META | 2;")
        self.assertEqual(len(routines), 3)
        self.assertEqual(pixel_parser.routine_expression_text(routines[0].text), "1 + 1 ;")

    def test_syntax_error_message(self):
        """SableCC-style "[line,col] expecting: ..." with the offending token's position."""
        with self.assertRaises(pixel_parser.PixelSyntaxError) as caught:
            pixel_parser.parse_pixel("Collect(5;")
        self.assertTrue(str(caught.exception).startswith("[1,10] expecting: "))
        self.assertIn("')'", str(caught.exception))
        self.assertEqual(caught.exception.column, 10)

    def test_lexer_error(self):
        """A tab is not a pixel blank: SableCC's Unknown token."""
        with self.assertRaises(pixel_parser.PixelSyntaxError) as caught:
            pixel_parser.parse_pixel("1+\t1;")
        self.assertEqual(str(caught.exception), "[1,3] Unknown token: \t")

    def test_multiline_positions(self):
        """Lines and columns count from 1 across newlines."""
        with self.assertRaises(pixel_parser.PixelSyntaxError) as caught:
            pixel_parser.parse_pixel("1;\n  2 3;")
        self.assertTrue(str(caught.exception).startswith("[2,5] expecting: "))

    def test_only_semicolons(self):
        """';' alone is an empty configuration."""
        self.assertEqual(pixel_parser.parse_pixel(";;"), [])


class SqlScanTest(unittest.TestCase):
    """pgjdbc-style SQL scanning."""

    def test_placeholders(self):
        """'?' counts only in code; '??' is an escaped '?'."""
        self.assertEqual(sql_scan.count_bind_placeholders("select ?"), 1)
        self.assertEqual(sql_scan.count_bind_placeholders("select '?', \"?\", $$?$$, $a$?$a$"), 0)
        self.assertEqual(sql_scan.count_bind_placeholders("select 1 -- ?\n/* ? /* ? */ */"), 0)
        self.assertEqual(sql_scan.count_bind_placeholders("select j ?? 'a', E'\\'?' "), 0)
        self.assertEqual(sql_scan.count_bind_placeholders("select j ?| array['a']"), 1)

    def test_unescape_and_statements(self):
        """'??' becomes '?' outside literals; statements are counted outside literals."""
        self.assertEqual(sql_scan.unescape_double_question_marks("a ?? '??'"), "a ? '??'")
        self.assertEqual(sql_scan.count_statements("select ';'; select 2;"), 2)
        self.assertEqual(sql_scan.count_statements("select 1; -- done"), 1)
        self.assertEqual(sql_scan.first_keyword(" /* c */ (with x as (select 1) select 1)"), "WITH")


class ValueRulesTest(unittest.TestCase):
    """Type-name rules and value parsers."""

    def test_semoss_data_types(self):
        """SemossDataType prefix rules, including their quirks."""
        cases = {"int4": "INT", "serial": "INT", "bigserial": "STRING", "interval": "INT",
                 "numeric": "DOUBLE", "money": "DOUBLE", "float8": "DOUBLE", "bool": "BOOLEAN",
                 "bit": "BOOLEAN", "varbit": "STRING", "date": "DATE", "daterange": "STRING",
                 "timestamptz": "TIMESTAMP", "timetz": "STRING", "_int4": "STRING",
                 "text": "STRING", "uuid": "STRING", "int2": "INT", "inet": "STRING"}
        for type_name, expected in cases.items():
            self.assertEqual(values.semoss_data_type(type_name), expected, type_name)
        self.assertEqual(values.clean_ui_type("TIMESTAMP"), "DATE")
        self.assertEqual(values.clean_ui_type("BOOLEAN"), "STRING")

    def test_interval_parser(self):
        """PGInterval parsing of IntervalStyle=postgres output."""
        self.assertEqual(values.parse_pg_interval("1 year 2 mons 3 days 04:05:06.5"),
                         (1, 2, 3, 4, 5, 6.5))
        self.assertEqual(values.parse_pg_interval("-1 days +02:00:00"), (0, 0, -1, 2, 0, 0.0))
        self.assertEqual(values.parse_pg_interval("-00:00:01.25"), (0, 0, 0, 0, 0, -1.25))

    def test_array_parser(self):
        """Array output with quotes, escapes, NULL and nesting."""
        self.assertEqual(values.parse_pg_array('{1,NULL,"NULL","a \\"b\\"",{x,y}}'),
                         ["1", None, "NULL", 'a "b"', ["x", "y"]])
        self.assertEqual(values.parse_pg_array("[0:1]={5,6}"), ["5", "6"])
        self.assertEqual(values.parse_pg_array("{}"), [])


if __name__ == "__main__":
    unittest.main()
