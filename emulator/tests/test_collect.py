"""Database | Query | Collect, paging with Task | Collect, RemoveTask and DropInsight."""

import time
import unittest

import support

PEOPLE = "emu_test_collect_people"


@support.requires_backend
class CollectTest(unittest.TestCase):
    """Reading a 7-row table; a dedicated emulator keeps the task and SQL counters exact."""

    @classmethod
    def setUpClass(cls):
        """Create the test table and start the emulator."""
        cls.target = support.start_target(support.make_config())
        support.backend_execute(
            "DROP TABLE IF EXISTS %s; CREATE TABLE %s (id serial PRIMARY KEY, name text, "
            "score numeric(6,2), big bigserial, joined date, active boolean);"
            "INSERT INTO %s (name, score, joined, active) SELECT 'p' || g, g * 1.5, "
            "DATE '2024-01-01' + g, g %% 2 = 0 FROM generate_series(1, 7) g"
            % (PEOPLE, PEOPLE, PEOPLE))

    @classmethod
    def tearDownClass(cls):
        """Stop the emulator and drop the test table."""
        cls.target.stop()
        support.backend_execute("DROP TABLE IF EXISTS %s" % PEOPLE)

    def setUp(self):
        """A client and a stored insight."""
        self.client = self.target.client()
        self.addCleanup(self.client.close)
        self.insight = self.client.new_insight()

    def collect(self, sql, limit):
        """First entry of Database | Query | Collect(limit)."""
        return self.client.query(self.target.engine_id, sql, limit, self.insight)

    def next_page(self, task_id, limit):
        """First entry of Task(task_id) | Collect(limit)."""
        body = self.client.run_pixel('META | Task("%s") | Collect(%d);' % (task_id, limit),
                                     self.insight)
        return body["pixelReturn"][0]

    def open_tasks(self):
        """open_tasks from the debug stats."""
        return self.client.debug("GET", "/stats")["open_tasks"]

    def test_output_shape(self):
        """Exact keys, key order, headers, headerInfo, sources, numCollected, taskId."""
        result = self.client.run_pixel_raw(
            'META | Database(database=["%s"]) | Query("<encode>SELECT id, name FROM %s ORDER BY id'
            '</encode>") | Collect(2);' % (self.target.engine_id, PEOPLE), self.insight)
        entry = support.ordered_keys(result.body.decode())[1][1][0]
        output = dict(entry)["output"]
        self.assertEqual([key for key, _ in output],
                         ["data", "headerInfo", "sources", "numCollected", "taskId"])
        self.assertEqual([key for key, _ in dict(output)["data"]],
                         ["values", "headers", "rawHeaders"])
        self.assertEqual([key for key, _ in dict(output)["headerInfo"][0]],
                         ["dataType", "alias", "header", "type", "derived"])
        body = result.json()
        entry = body["pixelReturn"][0]
        self.assertEqual(entry["operationType"], ["TASK_DATA"])
        output = entry["output"]
        self.assertEqual(output["data"], {"values": [[1, "p1"], [2, "p2"]],
                                          "headers": ["id", "name"],
                                          "rawHeaders": ["id", "name"]})
        self.assertEqual(output["headerInfo"], [
            {"alias": "id", "header": "id", "derived": False, "type": "NUMBER", "dataType": "INT"},
            {"alias": "name", "header": "name", "derived": False, "type": "STRING",
             "dataType": "STRING"}])
        self.assertEqual(output["sources"], [{"type": "RAW_ENGINE_QUERY",
                                              "name": self.target.engine_id}])
        self.assertEqual(output["numCollected"], 2)
        self.assertEqual(output["taskId"], "task1")
        again = self.collect("SELECT 1 AS one", 5)
        self.assertEqual(again["output"]["taskId"], "task2")

    def test_header_types_follow_semoss_rules(self):
        """serial -> INT, bigserial -> STRING (prefix rules), numeric -> DOUBLE, date, boolean."""
        entry = self.collect("SELECT id, big, score, joined, active, '1 day'::interval AS iv, "
                             "now() AS ts FROM %s LIMIT 1" % PEOPLE, 1)
        types = [(info["dataType"], info["type"]) for info in entry["output"]["headerInfo"]]
        self.assertEqual(types, [("INT", "NUMBER"), ("STRING", "STRING"), ("DOUBLE", "NUMBER"),
                                 ("DATE", "DATE"), ("BOOLEAN", "STRING"), ("INT", "NUMBER"),
                                 ("TIMESTAMP", "DATE")])

    def test_paging_ends_with_a_short_page(self):
        """7 rows in pages of 3: 3, 3, 1 from the same cursor, then the task is closed."""
        before = self.open_tasks()
        first = self.collect("SELECT id FROM %s ORDER BY id" % PEOPLE, 3)
        task_id = first["output"]["taskId"]
        pages = [first["output"]["data"]["values"]]
        self.assertEqual(self.open_tasks(), before + 1)
        pages.append(self.next_page(task_id, 3)["output"]["data"]["values"])
        last = self.next_page(task_id, 3)
        pages.append(last["output"]["data"]["values"])
        self.assertEqual(pages, [[[1], [2], [3]], [[4], [5], [6]], [[7]]])
        self.assertEqual(last["output"]["taskId"], task_id)
        self.assertEqual(last["output"]["numCollected"], 3)
        self.assertEqual(self.open_tasks(), before)
        after_end = self.next_page(task_id, 3)
        self.assertEqual(after_end["output"]["data"]["values"], [])
        self.assertEqual(after_end["output"]["data"]["headers"], ["id"])

    def test_exact_multiple_ends_with_an_empty_page(self):
        """6 rows in pages of 3: the second page drains the cursor, the third is empty."""
        before = self.open_tasks()
        first = self.collect("SELECT id FROM %s WHERE id <= 6 ORDER BY id" % PEOPLE, 3)
        task_id = first["output"]["taskId"]
        second = self.next_page(task_id, 3)
        self.assertEqual(second["output"]["data"]["values"], [[4], [5], [6]])
        self.assertEqual(self.open_tasks(), before)
        third = self.next_page(task_id, 3)
        self.assertEqual(third["output"]["data"]["values"], [])
        self.assertEqual(third["operationType"], ["TASK_DATA"])

    def test_paging_does_not_re_execute(self):
        """Later pages come from the open result: one SQL execution only."""
        before = self.client.debug("GET", "/stats")["sql_queries"]
        first = self.collect("SELECT id, clock_timestamp() AS t FROM %s ORDER BY id" % PEOPLE, 2)
        task_id = first["output"]["taskId"]
        for _ in range(3):
            self.next_page(task_id, 2)
        stats = self.client.debug("GET", "/stats")
        self.assertEqual(stats["sql_queries"] - before, 1)
        self.assertEqual(stats["recent_sql"][-1], {
            "engine": self.target.engine_id, "kind": "query",
            "sql": "SELECT id, clock_timestamp() AS t FROM %s ORDER BY id" % PEOPLE})

    def test_collect_all_and_defaults(self):
        """Collect(-1) returns everything; Collect() defaults to 500; limit=[n] works."""
        everything = self.collect("SELECT id FROM %s" % PEOPLE, -1)
        self.assertEqual(len(everything["output"]["data"]["values"]), 7)
        self.assertEqual(everything["output"]["numCollected"], -1)
        body = self.client.run_pixel(
            'META | Database(database=["%s"]) | Query("<encode>SELECT 1 AS x</encode>") | Collect(); '
            'META | Database(database=["%s"]) | Query("<encode>SELECT id FROM %s</encode>") '
            '| Collect(limit=[4]);' % (self.target.engine_id, self.target.engine_id, PEOPLE),
            self.insight)
        self.assertEqual(body["pixelReturn"][0]["output"]["numCollected"], 500)
        self.assertEqual(len(body["pixelReturn"][1]["output"]["data"]["values"]), 4)

    def test_empty_result_keeps_headers(self):
        """No rows: values [] and the headers still present."""
        entry = self.collect("SELECT id, name FROM %s WHERE false" % PEOPLE, 10)
        self.assertEqual(entry["output"]["data"], {"values": [], "headers": ["id", "name"],
                                                   "rawHeaders": ["id", "name"]})

    def test_unknown_task(self):
        """Task with an unknown id is an ERROR entry."""
        entry = self.next_page("task99", 5)
        self.assertEqual(entry["output"], "Could not find task with id = task99")
        self.assertEqual(entry["operationType"], ["ERROR"])

    def test_remove_task(self):
        """RemoveTask(id, true) closes now; unknown ids fail; without dropNow it is deferred."""
        before = self.open_tasks()
        task_id = self.collect("SELECT id FROM %s" % PEOPLE, 2)["output"]["taskId"]
        self.assertEqual(self.open_tasks(), before + 1)
        body = self.client.run_pixel('META | RemoveTask("%s", true);' % task_id, self.insight)
        self.assertEqual(body["pixelReturn"][0]["output"], {"taskId": task_id})
        self.assertEqual(body["pixelReturn"][0]["operationType"], ["REMOVE_TASK"])
        self.assertEqual(self.open_tasks(), before)
        self.assertEqual(self.next_page(task_id, 2)["output"],
                         "Could not find task with id = %s" % task_id)
        body = self.client.run_pixel('META | RemoveTask("%s", true);' % task_id, self.insight)
        self.assertEqual(body["pixelReturn"][0]["output"], "Could not find task id = %s" % task_id)
        other = self.collect("SELECT id FROM %s" % PEOPLE, 2)["output"]["taskId"]
        body = self.client.run_pixel('META | RemoveTask("%s");' % other, self.insight)
        self.assertEqual(body["pixelReturn"][0]["output"], {"taskId": other})
        self.assertEqual(self.open_tasks(), before)

    def test_drained_task_stays_in_the_store(self):
        """A finished task keeps its id (tasks count) until removed."""
        stats = self.client.debug("GET", "/stats")
        task_id = self.collect("SELECT 1 AS x", 10)["output"]["taskId"]
        self.assertEqual(self.client.debug("GET", "/stats")["tasks"], stats["tasks"] + 1)
        self.assertEqual(self.next_page(task_id, 10)["output"]["data"]["values"], [])

    def test_drop_insight(self):
        """DropInsight closes the insight's tasks; the id is then unknown."""
        before = self.open_tasks()
        self.collect("SELECT id FROM %s" % PEOPLE, 2)
        body = self.client.run_pixel("DropInsight();", self.insight)
        self.assertEqual(body["pixelReturn"][0]["output"], True)
        self.assertEqual(body["pixelReturn"][0]["operationType"], ["DROP_INSIGHT"])
        self.assertEqual(self.open_tasks(), before)
        self.assertEqual(self.client.run_pixel_raw("1+1", self.insight).status, 400)

    def test_temporary_insight_tasks_do_not_survive(self):
        """Tasks of a temporary insight are closed after the request."""
        before = self.open_tasks()
        entry = self.client.query(self.target.engine_id, "SELECT id FROM %s" % PEOPLE, 2, "")
        self.assertEqual(len(entry["output"]["data"]["values"]), 2)
        self.assertEqual(self.open_tasks(), before)
        body = self.client.run_pixel('META | Task("task1") | Collect(2);', "")
        self.assertEqual(body["pixelReturn"][0]["output"], "Could not find task with id = task1")

    def test_sql_error_is_the_driver_message(self):
        """pgjdbc-style "ERROR: ...\\n  Position: N"."""
        entry = self.collect("SELECT * FROM emu_test_missing_table", 5)
        self.assertEqual(entry["operationType"], ["ERROR"])
        self.assertEqual(entry["output"],
                         'ERROR: relation "emu_test_missing_table" does not exist\n  Position: 15')

    def test_runtime_error_surfaces_before_any_row(self):
        """Errors while computing the result come back as a clean ERROR entry."""
        entry = self.collect("SELECT 1 / (id - 3) FROM %s ORDER BY id" % PEOPLE, 2)
        self.assertEqual(entry["output"], "ERROR: division by zero")

    def test_question_mark_is_harmless_when_collecting(self):
        """createStatement(): '?' is not a parameter on the Collect path."""
        entry = self.collect("""SELECT '{"a":1}'::jsonb ? 'a' AS has_a""", 5)
        self.assertEqual(entry["output"]["data"]["values"], [[True]])

    def test_dml_with_returning_is_committed(self):
        """INSERT ... RETURNING through Collect runs and commits."""
        entry = self.collect("INSERT INTO %s (name) VALUES ('returning') RETURNING name" % PEOPLE, 5)
        self.assertEqual(entry["output"]["data"]["values"], [["returning"]])
        rows = support.backend_execute("SELECT count(*) FROM %s WHERE name = 'returning'" % PEOPLE)
        self.assertEqual(rows[0][0], 1)
        support.backend_execute("DELETE FROM %s WHERE name = 'returning'" % PEOPLE)

    def test_statement_without_result(self):
        """executeQuery on a statement without rows: pgjdbc's message."""
        entry = self.collect("UPDATE %s SET name = name WHERE false" % PEOPLE, 5)
        self.assertEqual(entry["output"], "No results were returned by the query.")

    def test_database_by_name_and_unknown(self):
        """Database() accepts the engine name; unknown ids fail with SEMOSS's message."""
        body = self.client.run_pixel('META | Database(database=["no_such_db"]) | Query("<encode>'
                                     'SELECT 1</encode>") | Collect(1);', self.insight)
        self.assertEqual(body["pixelReturn"][0]["output"],
                         "Database no_such_db does not exist or user does not have access to database")


@support.requires_backend
class QueryTimeoutTest(unittest.TestCase):
    """An engine with CONNECTION_QUERY_TIMEOUT = 1 second."""

    @classmethod
    def setUpClass(cls):
        """Start an emulator whose engine has a 1 s timeout."""
        cls.target = support.start_target(support.make_config(engine={"query_timeout_seconds": 1}))

    @classmethod
    def tearDownClass(cls):
        """Stop it."""
        cls.target.stop()

    def test_slow_query_is_cancelled(self):
        """The Collect path reports SEMOSS's timeout message; fast queries still work."""
        client = self.target.client()
        self.addCleanup(client.close)
        insight = client.new_insight()
        entry = client.query(self.target.engine_id, "SELECT pg_sleep(3)", 1, insight)
        self.assertEqual(entry["operationType"], ["ERROR"])
        self.assertEqual(entry["output"], "Query execution cancelled - processing time took "
                                          "longer than set limit of 1 seconds")
        entry = client.query(self.target.engine_id, "SELECT 42 AS answer", 1, insight)
        self.assertEqual(entry["output"]["data"]["values"], [[42]])

    def test_database_by_name(self):
        """The engine name works as an alias."""
        client = self.target.client()
        self.addCleanup(client.close)
        entry = client.query(support.ENGINE_NAME, "SELECT 7 AS n", 1, "")
        self.assertEqual(entry["output"]["data"]["values"], [[7]])
        self.assertEqual(entry["output"]["sources"][0]["name"], support.ENGINE_ID)


@support.requires_backend
class PoolLimitTest(unittest.TestCase):
    """An engine whose pool holds a single connection."""

    @classmethod
    def setUpClass(cls):
        """Start an emulator with pool_max_size 1 and a short wait."""
        cls.target = support.start_target(support.make_config(
            engine={"pool_max_size": 1, "pool_timeout_seconds": 0.5}))

    @classmethod
    def tearDownClass(cls):
        """Stop it."""
        cls.target.stop()

    def test_open_task_holds_the_connection(self):
        """While a task is open the pool is exhausted (HikariCP's message); RemoveTask frees it."""
        client = self.target.client()
        self.addCleanup(client.close)
        insight = client.new_insight()
        first = client.query(self.target.engine_id, "SELECT generate_series(1, 10) AS n", 2, insight)
        self.assertEqual(len(first["output"]["data"]["values"]), 2)
        blocked = client.query(self.target.engine_id, "SELECT 1 AS n", 2, insight)
        self.assertEqual(blocked["operationType"], ["ERROR"])
        self.assertEqual(blocked["output"],
                         "HikariPool-1 - Connection is not available, request timed out after 500ms.")
        client.run_pixel('META | RemoveTask("%s", true);' % first["output"]["taskId"], insight)
        works = client.query(self.target.engine_id, "SELECT 1 AS n", 2, insight)
        self.assertEqual(works["output"]["data"]["values"], [[1]])


    def test_dead_idle_connection_is_replaced(self):
        """A pooled connection killed while idle is detected and replaced transparently."""
        client = self.target.client()
        self.addCleanup(client.close)
        self.assertEqual(client.query(self.target.engine_id, "SELECT 1 AS n", 1, "")
                         ["output"]["data"]["values"], [[1]])
        killed = support.backend_execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            ("semoss-emulator-%d" % self.target.process.process.pid,))
        self.assertTrue(killed)
        time.sleep(5.2)
        entry = client.query(self.target.engine_id, "SELECT 2 AS n", 1, "")
        self.assertEqual(entry["output"]["data"]["values"], [[2]])


if __name__ == "__main__":
    unittest.main()
