"""The engine flag deny_catalog: Collect SQL naming pg_catalog or
information_schema fails like a permission error; everything else works."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import support  # noqa: E402
from semoss_emu import config, sql_scan  # noqa: E402

TABLE = "emu_test_deny_catalog"


class CatalogReferenceTest(unittest.TestCase):
    """sql_scan.catalog_schema_referenced: code and quoted identifiers count."""

    def test_references(self):
        """Names in code (any case) and as quoted identifiers are found."""
        cases = {
            "SELECT relname FROM pg_catalog.pg_class": "pg_catalog",
            "select * from PG_CATALOG.pg_class": "pg_catalog",
            "SELECT (x)::pg_catalog.text FROM t": "pg_catalog",
            'SELECT * FROM "pg_catalog"."pg_class"': "pg_catalog",
            "SELECT table_name FROM information_schema.tables": "information_schema",
            "SELECT 1 FROM t JOIN Information_Schema.columns c ON true": "information_schema",
        }
        for sql, expected in cases.items():
            self.assertEqual(sql_scan.catalog_schema_referenced(sql), expected, sql)

    def test_non_references(self):
        """Literals, comments, other quoted names and longer words do not count."""
        for sql in ("SELECT 1", "SELECT 'pg_catalog'", "-- pg_catalog\nSELECT 1",
                    "/* information_schema */ SELECT 1", 'SELECT "Pg_Catalog" FROM t',
                    "SELECT my_pg_catalog, pg_catalog_x FROM t", "SELECT $$pg_catalog$$"):
            self.assertIsNone(sql_scan.catalog_schema_referenced(sql), sql)

    def test_config_flag(self):
        """deny_catalog defaults to false and must be a boolean."""
        base = {"users": [], "engines": [{"id": "e1", "dsn": "dbname=x"}]}
        self.assertFalse(config.parse_config(base).engines[0].deny_catalog)
        base["engines"][0]["deny_catalog"] = True
        self.assertTrue(config.parse_config(base).engines[0].deny_catalog)
        base["engines"][0]["deny_catalog"] = "yes"
        with self.assertRaises(config.ConfigError):
            config.parse_config(base)


@support.requires_backend
class DenyCatalogTest(unittest.TestCase):
    """The main engine denies catalog access; the second (same database) does not."""

    @classmethod
    def setUpClass(cls):
        """Create a small table and start an emulator whose main engine denies the catalog."""
        support.backend_execute(
            "DROP TABLE IF EXISTS %s; CREATE TABLE %s (id int PRIMARY KEY, note text);"
            "INSERT INTO %s VALUES (1, 'pg_catalog'), (2, 'x')" % (TABLE, TABLE, TABLE))
        cls.target = support.start_target(support.make_config(engine={"deny_catalog": True}))

    @classmethod
    def tearDownClass(cls):
        """Stop the emulator and drop the table."""
        cls.target.stop()
        support.backend_execute("DROP TABLE IF EXISTS %s" % TABLE)

    def setUp(self):
        """A client with a stored insight."""
        self.client = self.target.client()
        self.addCleanup(self.client.close)
        self.insight = self.client.new_insight()

    def collect(self, engine_id, sql):
        """First pixelReturn entry of Database | Query | Collect(10)."""
        return self.client.query(engine_id, sql, 10, self.insight)

    def test_catalog_queries_refused(self):
        """An ERROR entry with PostgreSQL's permission message, for either schema."""
        entry = self.collect(self.target.engine_id,
                             "SELECT c.relname::text FROM pg_catalog.pg_class c LIMIT 1")
        self.assertEqual(entry["operationType"], ["ERROR"])
        self.assertEqual(entry["output"], "ERROR: permission denied for schema pg_catalog")
        entry = self.collect(self.target.engine_id,
                             "SELECT table_name FROM information_schema.tables")
        self.assertEqual(entry["operationType"], ["ERROR"])
        self.assertEqual(entry["output"],
                         "ERROR: permission denied for schema information_schema")

    def test_other_queries_work(self):
        """Plain SQL, and catalog names inside literals, still run on that engine."""
        entry = self.collect(self.target.engine_id,
                             "SELECT id, note FROM %s WHERE note = 'pg_catalog'" % TABLE)
        self.assertEqual(entry["operationType"], ["TASK_DATA"])
        self.assertEqual(entry["output"]["data"]["values"], [[1, "pg_catalog"]])

    def test_other_engine_unaffected(self):
        """The same catalog query works on an engine without the flag."""
        entry = self.collect(support.SECOND_ENGINE_ID,
                             "SELECT count(*) > 0 FROM pg_catalog.pg_class")
        self.assertEqual(entry["operationType"], ["TASK_DATA"])
        self.assertEqual(entry["output"]["data"]["values"], [[True]])

    def test_semoss_metadata_still_served(self):
        """SEMOSS's own metadata does not go through the engine's SQL permissions."""
        entry = self.client.run_pixel(
            'META | GetDatabaseTableStructure(database=["%s"]);' % self.target.engine_id,
            self.insight)["pixelReturn"][0]
        self.assertEqual(entry["operationType"], ["DATABASE_TABLE_STRUCTURE"])
        ours = [row for row in entry["output"] if row[0] == TABLE]
        self.assertEqual(ours, [[TABLE, "id", "NUMBER", False, "id", TABLE],
                                [TABLE, "note", "STRING", False, "note", TABLE]])


if __name__ == "__main__":
    unittest.main()
