"""MyEngines, GetDatabaseList, GetDatabaseTableStructure and GetDatabaseMetamodel."""

import unittest

import support

CUSTOMERS = "emu_test_meta_customers"
ORDERS = "emu_test_meta_orders"
LATER = "emu_test_meta_later"


@support.requires_backend
class MetadataTest(unittest.TestCase):
    """A dedicated emulator, so the engine's metamodel cache starts empty."""

    @classmethod
    def setUpClass(cls):
        """Create two related tables and start the emulator."""
        support.backend_execute(
            "DROP TABLE IF EXISTS %s, %s, %s; "
            "CREATE TABLE %s (id int PRIMARY KEY, name text); "
            "CREATE TABLE %s (id serial PRIMARY KEY, customer_id int REFERENCES %s(id), "
            "amount numeric(10,2), placed timestamptz, shipped date, paid boolean, "
            "note varchar(20), weight float8)"
            % (ORDERS, CUSTOMERS, LATER, CUSTOMERS, ORDERS, CUSTOMERS))
        cls.target = support.start_target(support.make_config())

    @classmethod
    def tearDownClass(cls):
        """Stop the emulator and drop the tables."""
        cls.target.stop()
        support.backend_execute("DROP TABLE IF EXISTS %s, %s, %s" % (ORDERS, CUSTOMERS, LATER))

    def setUp(self):
        """A logged-in client."""
        self.client = self.target.client()
        self.addCleanup(self.client.close)

    def output(self, pixel):
        """Run a META pixel; return (output, operationType) of the first entry."""
        entry = self.client.run_pixel("META | " + pixel)["pixelReturn"][0]
        return entry["output"], entry["operationType"]

    def test_my_engines(self):
        """Visible engines with legacy and newer keys; permission codes; no hidden engine."""
        engines, op_types = self.output('MyEngines(engineTypes=["DATABASE"])')
        self.assertEqual(op_types, ["DATABASE_INFO"])
        by_id = {engine["engine_id"]: engine for engine in engines}
        self.assertEqual(set(by_id), {support.ENGINE_ID, support.SECOND_ENGINE_ID})
        main = by_id[support.ENGINE_ID]
        for key in ("app_id", "database_id", "engine_id"):
            self.assertEqual(main[key], support.ENGINE_ID)
        for key in ("app_name", "database_name", "engine_name", "engine_display_name"):
            self.assertEqual(main[key], support.ENGINE_NAME)
        self.assertEqual(main["database_type"], "DATABASE")
        self.assertEqual(main["engine_subtype"], "POSTGRES")
        self.assertEqual(main["low_database_name"], support.ENGINE_NAME.lower())
        self.assertEqual(main["user_permission"], 2)
        self.assertEqual(by_id[support.SECOND_ENGINE_ID]["user_permission"], 3)
        self.assertEqual(main["description"], "emulator test engine")
        self.assertEqual(main["tags"], "test")
        plain, _ = self.output('MyEngines(noMeta=[true])')
        self.assertNotIn("description", plain[0])
        models, _ = self.output('MyEngines(engineTypes=["MODEL"])')
        self.assertEqual(models, [])

    def test_get_database_list(self):
        """Same maps, DATABASE_LIST, no metadata keys, limit works."""
        engines, op_types = self.output("GetDatabaseList()")
        self.assertEqual(op_types, ["DATABASE_LIST"])
        self.assertEqual(sorted(engine["database_id"] for engine in engines),
                         sorted([support.ENGINE_ID, support.SECOND_ENGINE_ID]))
        self.assertTrue(all("description" not in engine for engine in engines))
        limited, _ = self.output("GetDatabaseList(limit=[1])")
        self.assertEqual(len(limited), 1)

    def test_table_structure_is_cached(self):
        """Rows [table, column, type, false, column, table]; later tables do not appear."""
        rows, op_types = self.output('GetDatabaseTableStructure(database=["%s"])' % support.ENGINE_ID)
        self.assertEqual(op_types, ["DATABASE_TABLE_STRUCTURE"])
        ours = [row for row in rows if row[0].startswith("emu_test_meta_")]
        self.assertEqual(ours, [
            [CUSTOMERS, "id", "NUMBER", False, "id", CUSTOMERS],
            [CUSTOMERS, "name", "STRING", False, "name", CUSTOMERS],
            [ORDERS, "amount", "NUMBER", False, "amount", ORDERS],
            [ORDERS, "customer_id", "NUMBER", False, "customer_id", ORDERS],
            [ORDERS, "id", "NUMBER", False, "id", ORDERS],
            [ORDERS, "note", "STRING", False, "note", ORDERS],
            [ORDERS, "paid", "STRING", False, "paid", ORDERS],
            [ORDERS, "placed", "TIMESTAMP", False, "placed", ORDERS],
            [ORDERS, "shipped", "DATE", False, "shipped", ORDERS],
            [ORDERS, "weight", "NUMBER", False, "weight", ORDERS],
        ])
        entry = self.client.exec_sql(support.ENGINE_ID, "CREATE TABLE %s (id int)" % LATER)
        self.assertIs(entry["output"], True)
        again, _ = self.output('GetDatabaseTableStructure(database=["%s"])' % support.ENGINE_NAME)
        self.assertFalse([row for row in again if row[0] == LATER])

    def test_metamodel(self):
        """Nodes with sorted propSet, FK edges, physical and SEMOSS data types."""
        model, op_types = self.output(
            'GetDatabaseMetamodel(database=["%s"], options=["datatypes"])' % support.ENGINE_ID)
        self.assertEqual(op_types, ["DATABASE_METAMODEL"])
        nodes = {node["conceptualName"]: node["propSet"] for node in model["nodes"]}
        self.assertEqual(nodes[CUSTOMERS], ["id", "name"])
        self.assertEqual(nodes[ORDERS], ["amount", "customer_id", "id", "note", "paid", "placed",
                                         "shipped", "weight"])
        edges = [edge for edge in model["edges"] if edge["source"] == ORDERS]
        self.assertEqual(edges, [{"sourceColumn": "customer_id", "targetColumn": "id",
                                  "relation": "%s.customer_id.%s.id" % (ORDERS, CUSTOMERS),
                                  "source": ORDERS, "target": CUSTOMERS}])
        self.assertEqual(model["dataTypes"][ORDERS + "__amount"], "DOUBLE")
        self.assertEqual(model["dataTypes"][ORDERS + "__id"], "INT")
        self.assertEqual(model["dataTypes"][ORDERS + "__paid"], "STRING")
        self.assertEqual(model["dataTypes"][ORDERS + "__placed"], "TIMESTAMP")
        self.assertEqual(model["physicalTypes"][ORDERS + "__note"], "VARCHAR(20)")
        self.assertEqual(model["physicalTypes"][ORDERS + "__amount"], "NUMERIC(10,2)")
        self.assertEqual(model["additionalDataTypes"], {})

    def test_access_checks(self):
        """No access and unknown databases are refused with SEMOSS's message."""
        for database in (support.HIDDEN_ENGINE_ID, "nope"):
            output, op_types = self.output('GetDatabaseTableStructure(database=["%s"])' % database)
            self.assertEqual(op_types, ["ERROR"])
            self.assertEqual(output, "Database does not exist or user does not have access to database")


if __name__ == "__main__":
    unittest.main()
