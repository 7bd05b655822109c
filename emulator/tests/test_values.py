"""Value conversions of Collect (RawRDBMSSelectWrapper + Gson quirks), one column per type."""

import json
import unittest

import support

TABLE = "emu_test_types"
MOOD = "emu_test_mood"

# column name, SQL type, SQL literal, expected JSON text of the value
COLUMNS = [
    ("c_int2", "int2", "5", '"5"'),
    ("c_int4", "int4", "42", "42"),
    ("c_int8", "int8", "9007199254740993", "9007199254740993"),
    ("c_oid", "oid", "4000000000", "4000000000"),
    ("c_num_whole", "numeric", "12", "12.0"),
    ("c_num_tenth", "numeric(10,1)", "0.1", "0.1"),
    ("c_num_big", "numeric", "123456789012345678", "1.2345678901234568E17"),
    ("c_num_nan", "numeric", "'NaN'", "null"),
    ("c_f8_big", "float8", "1e20", "1.0E20"),
    ("c_f8_inf", "float8", "'Infinity'", "null"),
    ("c_f8_negzero", "float8", "'-0'", "-0.0"),
    ("c_f4_small", "float4", "0.0001", "1.0E-4"),
    ("c_money", "money", "12.5", "12.5"),
    ("c_bool_t", "bool", "true", "true"),
    ("c_bool_f", "bool", "false", "false"),
    ("c_bit", "bit(1)", "B'1'", "true"),
    ("c_date", "date", "'2024-01-31'", '"2024-01-31"'),
    ("c_ts", "timestamp", "'2024-01-31 13:45:07.123456'", '"2024-01-31 13:45:07"'),
    ("c_tstz", "timestamptz", "'2024-07-01 12:00:00+00'", '"2024-07-01 08:00:00"'),
    ("c_time", "time", "'13:45:07.5'", '"13:45:07.5"'),
    ("c_timetz", "timetz", "'13:45:07+02'", '"13:45:07+02"'),
    ("c_text", "text", "E'q\"b\\\\n\\nr\\rt\\tb\\bf\\fc\\x01<>&=''é😀\\u2028'",
     '"q\\"b\\\\n\\nr\\rt\\tb\\bf\\fc\\u0001<>&=\'é😀\\u2028"'),
    ("c_varchar", "varchar(10)", "'abc'", '"abc"'),
    ("c_bpchar", "char(5)", "'ab'", '"ab   "'),
    ("c_bytea_utf8", "bytea", "convert_to('héllo', 'UTF8')", '"héllo"'),
    ("c_bytea_bad", "bytea", "'\\xff41'::bytea", '"\ufffdA"'),
    ("c_json", "json", "'{\"a\": [1, 2]}'", '{"type":"json","value":"{\\"a\\": [1, 2]}"}'),
    ("c_jsonb", "jsonb", "'{\"b\":1, \"a\":2}'", '{"type":"jsonb","value":"{\\"a\\": 2, \\"b\\": 1}"}'),
    ("c_interval", "interval", "'1 year 2 mons 3 days 04:05:06.5'",
     '{"years":1,"months":2,"days":3,"hours":4,"minutes":5,"wholeSeconds":6,'
     '"microSeconds":500000,"isNull":false,"type":"interval"}'),
    ("c_uuid", "uuid", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'",
     '"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"'),
    ("c_int4_arr", "int4[]", "'{1,NULL,3}'", "[1,null,3]"),
    ("c_text_arr", "text[]", "'{\"a b\",\"c\\\"d\",NULL}'", '["a b","c\\"d",null]'),
    ("c_int_matrix", "int4[]", "'{{1,2},{3,4}}'", "[[1,2],[3,4]]"),
    ("c_inet", "inet", "'192.168.0.1/24'", '{"type":"inet","value":"192.168.0.1/24"}'),
    ("c_enum", MOOD, "'happy'", '"happy"'),
    ("c_point", "point", "'(1,2)'", '"(1,2)"'),
]

EXPECTED_DATA_TYPES = {
    "c_int2": "INT", "c_int8": "INT", "c_num_whole": "DOUBLE", "c_money": "DOUBLE",
    "c_bool_t": "BOOLEAN", "c_bit": "BOOLEAN", "c_date": "DATE", "c_ts": "TIMESTAMP",
    "c_tstz": "TIMESTAMP", "c_timetz": "STRING", "c_interval": "INT", "c_int4_arr": "STRING",
    "c_uuid": "STRING", "c_json": "STRING",
}


class _RawNumber(str):
    """A JSON number kept as its exact text."""


def parse_keeping_number_text(text):
    """json.loads with numbers kept as their literal text (to check Java formatting)."""
    return json.loads(text, parse_int=_RawNumber, parse_float=_RawNumber,
                      parse_constant=_RawNumber)


def to_json_text(value):
    """Serialize a value parsed by parse_keeping_number_text back with compact separators."""
    if isinstance(value, _RawNumber):
        return str(value)
    if isinstance(value, list):
        return "[" + ",".join(to_json_text(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(key) + ":" + to_json_text(item)
                              for key, item in value.items()) + "}"
    return json.dumps(value, ensure_ascii=False).replace("\u2028", "\\u2028")


@support.requires_backend
class ValueConversionTest(unittest.TestCase):
    """One row with a value of every type, one row of NULLs."""

    @classmethod
    def setUpClass(cls):
        """Create the table with both rows."""
        columns = ", ".join("%s %s" % (name, sql_type) for name, sql_type, _, _ in COLUMNS)
        values = ", ".join(value for _, _, value, _ in COLUMNS)
        support.backend_execute(
            "DROP TABLE IF EXISTS %s; DROP TYPE IF EXISTS %s; "
            "CREATE TYPE %s AS ENUM ('sad', 'happy'); CREATE TABLE %s (row_no int, %s); "
            "INSERT INTO %s VALUES (1, %s); INSERT INTO %s (row_no) VALUES (2);"
            % (TABLE, MOOD, MOOD, TABLE, columns, TABLE, values.replace("%", "%%"), TABLE))

    @classmethod
    def tearDownClass(cls):
        """Drop the table and the enum type."""
        support.backend_execute("DROP TABLE IF EXISTS %s; DROP TYPE IF EXISTS %s" % (TABLE, MOOD))

    def setUp(self):
        """A client on the shared emulator."""
        self.target = support.shared_target()
        self.client = self.target.client()
        self.addCleanup(self.client.close)

    def collect_raw(self, sql, limit=10):
        """The raw HTTP result of one Collect."""
        return self.client.run_pixel_raw(
            'META | Database(database=["%s"]) | Query("<encode>%s</encode>") | Collect(%d);'
            % (self.target.engine_id, sql, limit))

    def test_every_type(self):
        """Each column's JSON text is exactly what SEMOSS would send."""
        names = ", ".join(name for name, _, _, _ in COLUMNS)
        result = self.collect_raw("SELECT %s FROM %s ORDER BY row_no" % (names, TABLE))
        document = parse_keeping_number_text(result.body.decode("utf-8"))
        output = document["pixelReturn"][0]["output"]
        self.assertIsInstance(output, dict, output)
        first, second = output["data"]["values"]
        for index, (name, _, _, expected) in enumerate(COLUMNS):
            with self.subTest(column=name):
                self.assertEqual(to_json_text(first[index]), expected)
                self.assertIsNone(second[index])
        data_types = {info["alias"]: info["dataType"] for info in output["headerInfo"]}
        for name, expected in EXPECTED_DATA_TYPES.items():
            self.assertEqual(data_types[name], expected, name)

    def test_wire_escaping(self):
        """Gson escapes U+2028 and control chars but leaves <, >, &, = and non-ASCII raw."""
        result = self.collect_raw("SELECT c_text FROM %s WHERE row_no = 1" % TABLE)
        self.assertIn('\\u2028'.encode(), result.body)
        self.assertIn('\\u0001'.encode(), result.body)
        self.assertIn("<>&='é😀".encode("utf-8"), result.body)
        self.assertNotIn("\u2028".encode("utf-8"), result.body)

    def test_money_with_thousands_separator_fails_like_pgjdbc(self):
        """pgjdbc's getDouble cannot parse "1,234.50" (it strips only the currency sign)."""
        result = self.collect_raw("SELECT 1234.5::money AS m")
        entry = result.json()["pixelReturn"][0]
        self.assertEqual(entry["operationType"], ["ERROR"])
        self.assertEqual(entry["output"], "Error occurred grabbing next row for query. "
                                          "Detailed message = Bad value for type double : 1,234.50")

    def test_bit_string_cannot_be_a_boolean(self):
        """bit(3) is reported as BIT, and getBoolean fails on it."""
        entry = self.collect_raw("SELECT B'101' AS b").json()["pixelReturn"][0]
        self.assertEqual(entry["output"], 'Error occurred grabbing next row for query. '
                                          'Detailed message = Cannot cast to boolean: "101"')

    def test_large_bigint_is_exact(self):
        """int8 beyond 2^53 is sent as an exact integer."""
        result = self.collect_raw("SELECT 9223372036854775807::int8 AS m")
        self.assertIn(b"[[9223372036854775807]]", result.body)


if __name__ == "__main__":
    unittest.main()
