"""Database | Query | ExecQuery: effects, prepared-statement quirks, errors, permissions."""

import unittest

import support

TABLE = "emu_test_exec"


@support.requires_backend
class ExecQueryTest(unittest.TestCase):
    """Writes through the shared emulator, checked directly in the backend database."""

    def setUp(self):
        """A client; the test table does not exist yet."""
        self.target = support.shared_target()
        self.client = self.target.client()
        self.addCleanup(self.client.close)
        support.backend_execute("DROP TABLE IF EXISTS %s" % TABLE)
        self.addCleanup(support.backend_execute, "DROP TABLE IF EXISTS %s" % TABLE)

    def exec_sql(self, sql):
        """Run ExecQuery and return the first entry."""
        return self.client.exec_sql(self.target.engine_id, sql)

    def test_create_and_insert_are_committed(self):
        """Output true / ALTER_DATABASE; rows visible to another connection immediately."""
        entry = self.exec_sql("CREATE TABLE %s (id int PRIMARY KEY, doc jsonb, note text)" % TABLE)
        self.assertIs(entry["output"], True)
        self.assertEqual(entry["operationType"], ["ALTER_DATABASE"])
        body = self.client.run_pixel(
            'META | Database(database=["%s"]) | Query("<encode>INSERT INTO %s VALUES (1, \'{}\', '
            '\'a;b|c\')</encode>") | ExecQuery(commit=[false]);' % (self.target.engine_id, TABLE))
        self.assertIs(body["pixelReturn"][0]["output"], True)
        rows = support.backend_execute("SELECT id, note FROM %s" % TABLE)
        self.assertEqual(rows, [(1, "a;b|c")])

    def test_unquoted_question_mark_is_an_unbound_parameter(self):
        """PreparedStatement: '?' fails, '??' is the jsonb ? operator, '?' in a literal is text."""
        self.exec_sql("CREATE TABLE %s (id int, doc jsonb, note text)" % TABLE)
        entry = self.exec_sql("""INSERT INTO %s SELECT 1, '{"a":1}', 'x' WHERE '{"a":1}'::jsonb ? 'a'"""
                              % TABLE)
        self.assertEqual(entry["operationType"], ["ERROR"])
        self.assertEqual(entry["output"], "An error occurred trying to execute the query in the "
                                          "database: No value specified for parameter 1.")
        entry = self.exec_sql("""INSERT INTO %s SELECT 2, '{"a":1}', 'why?' WHERE '{"a":1}'::jsonb ?? 'a'"""
                              % TABLE)
        self.assertIs(entry["output"], True)
        self.assertEqual(support.backend_execute("SELECT id, note FROM %s" % TABLE), [(2, "why?")])

    def test_create_statements_skip_parameter_parsing(self):
        """Text starting with CREATE runs as a plain Statement, so '?' is an operator there."""
        entry = self.exec_sql("""CREATE TABLE %s AS SELECT '{"a":1}'::jsonb ? 'a' AS has_a""" % TABLE)
        self.assertIs(entry["output"], True)
        self.assertEqual(support.backend_execute("SELECT has_a FROM %s" % TABLE), [(True,)])

    def test_sql_error(self):
        """Driver message wrapped in SEMOSS's prefix."""
        entry = self.exec_sql("INSERT INTO emu_test_no_such_table VALUES (1)")
        self.assertEqual(entry["operationType"], ["ERROR"])
        self.assertEqual(entry["output"],
                         "An error occurred trying to execute the query in the database: ERROR: "
                         'relation "emu_test_no_such_table" does not exist\n  Position: 13')

    def test_multiple_statements_run_together(self):
        """A multi-statement text is sent as is."""
        entry = self.exec_sql("CREATE TABLE %s (id int); INSERT INTO %s VALUES (1), (2);"
                              % (TABLE, TABLE))
        self.assertIs(entry["output"], True)
        self.assertEqual(support.backend_execute("SELECT count(*) FROM %s" % TABLE), [(2,)])

    def test_exec_without_query_struct(self):
        """ExecQuery alone has no query struct."""
        body = self.client.run_pixel("META | ExecQuery();")
        self.assertEqual(body["pixelReturn"][0]["output"], "Input to exec query requires a query struct")


@support.requires_backend
class PermissionTest(unittest.TestCase):
    """View-only and no-access users."""

    @classmethod
    def setUpClass(cls):
        """Dedicated emulator with the test users."""
        cls.target = support.start_target(support.make_config())

    @classmethod
    def tearDownClass(cls):
        """Stop it."""
        cls.target.stop()

    def test_view_user_can_read_but_not_exec(self):
        """SEMOSS's permission message for ExecQuery; Collect works."""
        client = self.target.client(access_key=support.VIEW_ACCESS_KEY,
                                    secret_key=support.VIEW_SECRET_KEY)
        self.addCleanup(client.close)
        entry = client.exec_sql(support.ENGINE_ID, "CREATE TABLE emu_test_never (id int)")
        self.assertEqual(entry["operationType"], ["ERROR"])
        self.assertEqual(entry["output"], "User does not have permission to exec query for this app")
        self.assertEqual(support.backend_execute(
            "SELECT count(*) FROM pg_class WHERE relname = 'emu_test_never'"), [(0,)])
        entry = client.query(support.ENGINE_ID, "SELECT 1 AS one", 1, "")
        self.assertEqual(entry["output"]["data"]["values"], [[1]])

    def test_no_access_engine(self):
        """permission none: Database() fails with SEMOSS's message."""
        client = self.target.client()
        self.addCleanup(client.close)
        entry = client.query(support.HIDDEN_ENGINE_ID, "SELECT 1", 1, "")
        self.assertEqual(entry["operationType"], ["ERROR"])
        self.assertEqual(entry["output"], "Database %s does not exist or user does not have "
                                          "access to database" % support.HIDDEN_ENGINE_ID)


if __name__ == "__main__":
    unittest.main()
