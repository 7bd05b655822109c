"""Collect tasks: one raw SQL query, executed lazily, read page by page.

Like SEMOSS's BasicIteratorTask over RawRDBMSSelectWrapper, a task runs its
SQL on the first Collect and keeps the open result for the next
Task(..) | Collect(..) calls.  pgjdbc materialises the whole result at
executeQuery (autocommit, no fetch size), so the emulator declares a WITH
HOLD cursor in autocommit: PostgreSQL computes the full result when the
DECLARE commits (errors and the query timeout surface there, and no lock is
held afterwards), and pages are then FETCHed from it on the task's own
pooled connection.  Like the real iterator, the task peeks one row ahead and
closes itself as soon as no row is left.
"""

import itertools
import threading

import psycopg2
import psycopg2.errorcodes

from . import sql_scan
from .engines import EngineError, jdbc_error_message
from .javacompat import (fix_line_separators, gson_dumps, gson_string, java_hashmap,
                         java_hashmap_order)
from .values import ValueConversionError, column_encoder, header_info

_CURSOR_NUMBERS = itertools.count(1)
_META_KEY_ORDER = java_hashmap_order(["headerInfo", "numCollected", "sources"])
_CURSOR_KEYWORDS = frozenset(["SELECT", "VALUES", "TABLE", "WITH"])


class TaskError(Exception):
    """Executing or reading a task failed; the message is what SEMOSS prints."""


class Page:
    """One Collect result: encoded cells per column, headers and metadata."""

    def __init__(self, columns, row_count, headers, header_infos):
        """columns: one list of JSON fragments per column (all of length row_count)."""
        self.columns = columns
        self.row_count = row_count
        self.headers = headers
        self.header_infos = header_infos

    def replace_first_string_cell(self, text):
        """Put text in the first string cell of the first row (fault injection)."""
        if not self.row_count:
            return
        for column in self.columns:
            if column[0].startswith('"'):
                column[0] = gson_string(text)
                return
        self.columns[0][0] = gson_string(text)

    def values_json(self):
        """The "values" array: rows of cells."""
        if not self.row_count:
            return "[]"
        return "[[" + "],[".join(map(",".join, zip(*self.columns))) + "]]"


class Task:
    """A stored Collect task bound to one engine and one SQL text."""

    def __init__(self, task_id, engine, sql, stats):
        """Create an unexecuted task; nothing touches the database yet."""
        self.id = task_id
        self.engine = engine
        self.sql = sql
        self.stats = stats
        self.num_collect = 500
        self._lock = threading.Lock()
        self._connection = None
        self._cursor = None
        self._buffer = []
        self._executed = False
        self._closed = False
        self._encoders = None
        self._headers = []
        self._header_infos = []

    @property
    def is_open(self):
        """True while the task holds an open cursor (and a pooled connection)."""
        return self._cursor is not None

    def collect(self, limit):
        """Return the next Page of up to limit rows (-1: all); runs the SQL the first time."""
        with self._lock:
            if not self._executed and not self._closed:
                self._execute()
            if self._cursor is None:
                return Page([[] for _ in self._headers], 0, self._headers, self._header_infos)
            try:
                rows = self._fetch(limit)
                if self._encoders is None:
                    self._describe()
                page = self._encode(rows)
            except (ValueConversionError, psycopg2.Error) as error:
                self._close_locked()
                message = error.args[0] if isinstance(error, ValueConversionError) \
                    else jdbc_error_message(error)
                raise TaskError("Error occurred grabbing next row for query. Detailed message = "
                                + message) from None
            if not self._buffer:
                self._close_locked()
            self.stats.add_rows(page.row_count)
            return page

    def close(self):
        """Close the cursor and give the connection back (task stays usable: empty pages)."""
        with self._lock:
            self._close_locked()
            self._closed = True

    def meta_json(self, page):
        """The task-meta keys after "data": headerInfo, numCollected, sources (HashMap order)."""
        values = {
            "headerInfo": page.header_infos,
            "numCollected": self.num_collect,
            "sources": [java_hashmap([("name", self.engine.id), ("type", "RAW_ENGINE_QUERY")])],
        }
        return ",".join('"%s":%s' % (key, gson_dumps(values[key])) for key in _META_KEY_ORDER)

    def _execute(self):
        """Run the SQL; on failure the task stays unexecuted (a later Collect retries)."""
        self.stats.record_sql(self.engine.id, "query", self.sql)
        if self.engine.config.deny_catalog:
            schema = sql_scan.catalog_schema_referenced(self.sql)
            if schema is not None:
                # what the engine's PostgreSQL says to a role without access
                raise TaskError("ERROR: permission denied for schema " + schema)
        try:
            connection = self.engine.pool.checkout()
        except EngineError as error:
            raise TaskError(str(error)) from None
        try:
            self._cursor = self._open_cursor(connection)
        except TaskError:
            self.engine.pool.checkin(connection, broken=connection.closed != 0)
            raise
        self._connection = connection
        self._executed = True

    def _open_cursor(self, connection):
        """Execute the SQL; a held server-side cursor when PostgreSQL allows one.

        The engine's query timeout is enforced with a cancel request: a held
        cursor is computed while its implicit transaction commits, where
        statement_timeout no longer applies.
        """
        timeout = self.engine.config.query_timeout_seconds
        timer = threading.Timer(timeout, connection.cancel) if timeout > 0 else None
        if timer is not None:
            timer.daemon = True
            timer.start()
        statements = sql_scan.count_statements(self.sql)
        try:
            if statements <= 1 and sql_scan.first_keyword(self.sql) in _CURSOR_KEYWORDS:
                cursor = self._declare(connection)
                if cursor is not None:
                    return cursor
            cursor = connection.cursor()
            cursor.execute(self.sql)
            if statements > 1:
                raise TaskError("Multiple ResultSets were returned by the query.")
            if cursor.description is None:
                raise TaskError("No results were returned by the query.")
            return cursor
        except psycopg2.extensions.QueryCanceledError as error:
            if timer is not None:
                raise TaskError(
                    "Query execution cancelled - processing time took longer than set limit of "
                    "%d seconds" % timeout) from None
            raise TaskError(jdbc_error_message(error)) from None
        except psycopg2.Error as error:
            raise TaskError(jdbc_error_message(error)) from None
        finally:
            if timer is not None:
                timer.cancel()

    def _declare(self, connection):
        """DECLARE ... WITH HOLD; None when a data-modifying WITH forbids a cursor."""
        cursor = connection.cursor("semoss_task_%d" % next(_CURSOR_NUMBERS), withhold=True)
        try:
            cursor.execute(self.sql)
        except psycopg2.Error as error:
            if error.pgcode == psycopg2.errorcodes.FEATURE_NOT_SUPPORTED:
                return None
            offset = len(cursor.query or b"") - len(self.sql.encode("utf-8"))
            if isinstance(error, psycopg2.extensions.QueryCanceledError):
                raise
            raise TaskError(jdbc_error_message(error, position_offset=max(offset, 0))) from None
        return cursor

    def _describe(self):
        """Work out headers, headerInfo and one encoder per column (after the first fetch,
        when a server-side cursor's description is known)."""
        description = self._cursor.description
        types = self.engine.pg_types(self._connection, [column.type_code for column in description])
        serial_candidates = [
            (column.table_oid, column.table_column) for column in description
            if column.table_oid and types[column.type_code].name in ("int4", "int8")]
        serials = self.engine.autoincrement_columns(self._connection, serial_candidates) \
            if serial_candidates else set()
        self._headers = [column.name for column in description]
        self._header_infos = []
        encoders = []
        for column in description:
            pg_type = types[column.type_code]
            type_name = pg_type.name
            if (column.table_oid, column.table_column) in serials:
                type_name = "serial" if type_name == "int4" else "bigserial"
            self._header_infos.append(header_info(column.name, type_name))
            encoders.append(column_encoder(pg_type, types.get(pg_type.element_oid)))
        self._encoders = encoders

    def _fetch(self, limit):
        """Return up to limit rows, keeping one more row buffered (the iterator's peek)."""
        if limit == -1:
            rows = self._buffer + self._cursor.fetchall()
            self._buffer = []
            return rows
        wanted = max(limit, 0)
        needed = wanted + 1 - len(self._buffer)
        rows = self._buffer + (self._cursor.fetchmany(needed) if needed > 0 else [])
        page, self._buffer = rows[:wanted], rows[wanted:]
        return page

    def _encode(self, rows):
        """Encode rows column by column into a Page."""
        if not rows:
            return Page([[] for _ in self._headers], 0, self._headers, self._header_infos)
        columns = [encoder(values) for encoder, values in zip(self._encoders, zip(*rows))]
        return Page(columns, len(rows), self._headers, self._header_infos)

    def _close_locked(self):
        """Close the cursor and release the connection (caller holds the lock)."""
        if self._cursor is None:
            return
        cursor, connection = self._cursor, self._connection
        self._cursor = None
        self._connection = None
        self._buffer = []
        broken = False
        try:
            cursor.close()
        except psycopg2.Error:
            broken = True
        self.engine.pool.checkin(connection, broken)


def page_values_text(page):
    """The values JSON of a page with U+2028/U+2029 escaped as Gson does."""
    return fix_line_separators(page.values_json())
