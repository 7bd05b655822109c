"""Database engines: pooled connections to the backing PostgreSQL and engine-level SQL.

Each engine owns a bounded pool (like SEMOSS's HikariCP pool, default 16
connections, 30 s wait).  Connections run in autocommit with every psycopg2
type caster replaced by a pass-through, so values arrive as PostgreSQL text
and are encoded by values.py.  Driver errors are rendered the way pgjdbc
renders them, because SEMOSS forwards pgjdbc's message text.
"""

import os
import threading
import time

import psycopg2
import psycopg2.extensions

from . import sql_scan
from .values import PgType

_RAW_TEXT = psycopg2.extensions.new_type(
    tuple(psycopg2.extensions.string_types.keys()), "SEMOSS_EMU_RAW", psycopg2.STRING
)


# application_name of every backend connection, e.g. to find them in pg_stat_activity.
APPLICATION_NAME = "semoss-emulator-%d" % os.getpid()

# Idle connections older than this are checked with SELECT 1 before reuse.
_VALIDATE_AFTER_IDLE = 5.0


class EngineError(Exception):
    """A failure reaching or using the backing database; message is pgjdbc-like."""


class PoolTimeoutError(EngineError):
    """No connection became free in time (HikariCP's message)."""


def jdbc_error_message(error, position_offset=0):
    """Render a psycopg2 error as pgjdbc's ServerErrorMessage.toString() would.

    "ERROR: <message>" followed by Detail, Hint, Position and Where lines.
    position_offset is subtracted from the reported position (the emulator
    wraps the user's SQL in DECLARE ... FOR).
    """
    diag = getattr(error, "diag", None)
    primary = diag.message_primary if diag is not None else None
    if primary is None:
        text = str(error).strip()
        return text or "An I/O error occurred while sending to the backend."
    parts = ["%s: %s" % (diag.severity or "ERROR", primary)]
    if diag.message_detail:
        parts.append("\n  Detail: " + diag.message_detail)
    if diag.message_hint:
        parts.append("\n  Hint: " + diag.message_hint)
    if diag.statement_position:
        parts.append("\n  Position: %d" % (int(diag.statement_position) - position_offset))
    if diag.context:
        parts.append("\n  Where: " + diag.context)
    return "".join(parts)


class ConnectionPool:
    """A bounded pool of autocommit psycopg2 connections to one DSN."""

    def __init__(self, dsn, timezone, max_size, timeout_seconds, pool_name):
        """Remember how to connect; connections are opened on demand."""
        self.dsn = dsn
        self.timezone = timezone
        self.max_size = max_size
        self.timeout_seconds = timeout_seconds
        self.pool_name = pool_name
        self._idle = []
        self._total = 0
        self._closed = False
        self._condition = threading.Condition()

    def checkout(self):
        """Return a live connection, waiting up to timeout_seconds when all are in use."""
        while True:
            connection, idle_since = self._reserve()
            if connection is None:
                break
            if time.monotonic() - idle_since < _VALIDATE_AFTER_IDLE or _is_alive(connection):
                return connection
            self.checkin(connection, broken=True)
        try:
            return self._connect()
        except Exception:
            with self._condition:
                self._total -= 1
                self._condition.notify()
            raise

    def _reserve(self):
        """Take an idle (connection, idle since) or reserve a slot for a new one (None, 0)."""
        deadline = time.monotonic() + self.timeout_seconds
        with self._condition:
            while True:
                if self._closed:
                    raise EngineError("The connection pool has been shut down")
                if self._idle:
                    return self._idle.pop()
                if self.max_size <= 0 or self._total < self.max_size:
                    self._total += 1
                    return None, 0.0
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise PoolTimeoutError(
                        "%s - Connection is not available, request timed out after %dms."
                        % (self.pool_name, int(self.timeout_seconds * 1000)))
                self._condition.wait(remaining)

    def checkin(self, connection, broken=False):
        """Give a connection back; broken or unusable ones are closed instead."""
        usable = not broken and not connection.closed and (
            connection.info.transaction_status == psycopg2.extensions.TRANSACTION_STATUS_IDLE)
        with self._condition:
            if usable and not self._closed:
                self._idle.append((connection, time.monotonic()))
            else:
                self._total -= 1
                _close_quietly(connection)
            self._condition.notify()

    def close_all(self):
        """Close idle connections and refuse further checkouts."""
        with self._condition:
            self._closed = True
            for connection, _ in self._idle:
                _close_quietly(connection)
            self._total -= len(self._idle)
            self._idle = []
            self._condition.notify_all()

    def _connect(self):
        """Open a connection with SEMOSS-like session settings (named after this process)."""
        try:
            connection = psycopg2.connect(self.dsn, application_name=APPLICATION_NAME)
        except psycopg2.Error as error:
            raise EngineError(jdbc_error_message(error)) from None
        connection.autocommit = True
        psycopg2.extensions.register_type(_RAW_TEXT, connection)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('TimeZone', %s, false), set_config('DateStyle', 'ISO, MDY', false),"
                " set_config('IntervalStyle', 'postgres', false),"
                " set_config('bytea_output', 'hex', false),"
                " set_config('extra_float_digits', '3', false)", (self.timezone,))
        return connection


def _is_alive(connection):
    """A cheap round trip proving an idle connection still works (Hikari-style validation)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except psycopg2.Error:
        return False


def _close_quietly(connection):
    """Close a connection, ignoring errors (it may already be dead)."""
    try:
        connection.close()
    except psycopg2.Error:
        pass


class Engine:
    """One configured engine: its pool plus caches of catalog information."""

    def __init__(self, config, timezone, pool_number):
        """Create the engine and its (lazy) connection pool."""
        self.config = config
        self.pool = ConnectionPool(config.dsn, timezone, config.pool_max_size,
                                   config.pool_timeout_seconds, "HikariPool-%d" % pool_number)
        self._lock = threading.Lock()
        self._types = {}
        self._autoincrement = {}
        self._metadata = None

    @property
    def id(self):
        """The engine id."""
        return self.config.id

    def execute_update(self, sql):
        """Run SQL the way RDBMSNativeEngine.insertData does (always committed).

        Text starting with "CREATE" (but not "CREATE DATABASE") goes through a
        plain Statement; anything else through a PreparedStatement, where an
        unquoted '?' is an unbound parameter and '??' stands for '?'.
        """
        if sql.startswith("CREATE") and not sql.startswith("CREATE DATABASE"):
            to_run = sql
        else:
            if sql_scan.count_bind_placeholders(sql):
                raise EngineError("No value specified for parameter 1.")
            to_run = sql_scan.unescape_double_question_marks(sql)
        connection = self.pool.checkout()
        broken = False
        try:
            with connection.cursor() as cursor:
                cursor.execute(to_run)
        except psycopg2.Error as error:
            broken = isinstance(error, (psycopg2.OperationalError, psycopg2.InterfaceError))
            raise EngineError(jdbc_error_message(error)) from None
        finally:
            self.pool.checkin(connection, broken)
        with self._lock:
            self._autoincrement.clear()

    def pg_types(self, connection, oids):
        """Return {oid: PgType} for oids (and their array element types), cached."""
        with self._lock:
            missing = [oid for oid in set(oids) if oid not in self._types]
        while missing:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT oid, typname, typtype, typelem, typinput = 'array_in'::regproc"
                    " FROM pg_catalog.pg_type WHERE oid = ANY(%s::oid[])", (missing,))
                rows = cursor.fetchall()
            found = {}
            for oid, name, typtype, element, is_array in rows:
                found[int(oid)] = PgType(int(oid), name, typtype, int(element), is_array == "t")
            for oid in missing:
                found.setdefault(oid, PgType(oid, "unknown", "b", 0, False))
            with self._lock:
                self._types.update(found)
                missing = [t.element_oid for t in found.values()
                           if t.is_array and t.element_oid and t.element_oid not in self._types]
        with self._lock:
            result = {oid: self._types[oid] for oid in oids}
            for pg_type in list(result.values()):
                if pg_type.is_array and pg_type.element_oid in self._types:
                    result[pg_type.element_oid] = self._types[pg_type.element_oid]
            return result

    def autoincrement_columns(self, connection, columns):
        """Return the subset of (table_oid, attnum) pairs that are serial/identity columns.

        pgjdbc reports such int4/int8 columns as "serial"/"bigserial" in
        getColumnTypeName (nextval default or identity column).
        """
        with self._lock:
            unknown = [pair for pair in columns if pair not in self._autoincrement]
        if unknown:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT v.rel, v.num, (a.attidentity <> '' OR"
                    " coalesce(pg_catalog.pg_get_expr(d.adbin, d.adrelid), '') LIKE '%%nextval(%%')"
                    " FROM unnest(%s::oid[], %s::int2[]) AS v(rel, num)"
                    " JOIN pg_catalog.pg_attribute a ON a.attrelid = v.rel AND a.attnum = v.num"
                    " LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum",
                    ([pair[0] for pair in unknown], [pair[1] for pair in unknown]))
                rows = cursor.fetchall()
            with self._lock:
                for pair in unknown:
                    self._autoincrement[pair] = False
                for rel, num, flag in rows:
                    self._autoincrement[(int(rel), int(num))] = flag == "t"
        with self._lock:
            return {pair for pair in columns if self._autoincrement.get(pair)}

    def capture_catalog(self):
        """Take the metamodel snapshot on the engine's first use (retried later on failure)."""
        try:
            self.catalog_snapshot()
        except EngineError:
            pass

    def catalog_snapshot(self):
        """Return the engine's cached metamodel (tables, columns, types, foreign keys).

        SEMOSS serves GetDatabaseTableStructure/GetDatabaseMetamodel from the
        metamodel registered for the engine, not from the live database, so it
        is read once, on first use, and then kept.
        """
        with self._lock:
            if self._metadata is not None:
                return self._metadata
        connection = self.pool.checkout()
        try:
            with connection.cursor() as cursor:
                cursor.execute(_COLUMNS_SQL)
                columns = cursor.fetchall()
                cursor.execute(_FOREIGN_KEYS_SQL)
                foreign_keys = cursor.fetchall()
        except psycopg2.Error as error:
            self.pool.checkin(connection, broken=True)
            raise EngineError(jdbc_error_message(error)) from None
        self.pool.checkin(connection)
        snapshot = CatalogSnapshot(columns, foreign_keys)
        with self._lock:
            if self._metadata is None:
                self._metadata = snapshot
            return self._metadata

    def close(self):
        """Close the pool's idle connections."""
        self.pool.close_all()


_COLUMNS_SQL = """
SELECT c.table_name, c.column_name, c.udt_name, c.character_maximum_length,
       c.numeric_precision, c.numeric_scale, coalesce(c.column_default, '')
FROM information_schema.columns c
JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
WHERE c.table_schema = 'public' AND t.table_type IN ('BASE TABLE', 'VIEW')
ORDER BY c.table_name, c.ordinal_position
"""

_FOREIGN_KEYS_SQL = """
SELECT src.relname, sa.attname, tgt.relname, ta.attname
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_class src ON src.oid = con.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid = src.relnamespace
JOIN pg_catalog.pg_class tgt ON tgt.oid = con.confrelid
CROSS JOIN LATERAL unnest(con.conkey, con.confkey) AS k(src_num, tgt_num)
JOIN pg_catalog.pg_attribute sa ON sa.attrelid = con.conrelid AND sa.attnum = k.src_num
JOIN pg_catalog.pg_attribute ta ON ta.attrelid = con.confrelid AND ta.attnum = k.tgt_num
WHERE con.contype = 'f' AND n.nspname = 'public'
ORDER BY src.relname, con.conname, k.src_num
"""


class CatalogSnapshot:
    """Tables, columns and foreign keys of schema public, as registered metamodel."""

    def __init__(self, columns, foreign_keys):
        """Build from the rows of _COLUMNS_SQL and _FOREIGN_KEYS_SQL."""
        self.columns = []
        for table, column, udt, char_length, precision, scale, default in columns:
            type_name = udt
            if "nextval(" in default and udt in ("int4", "int8"):
                type_name = "serial" if udt == "int4" else "bigserial"
            self.columns.append(CatalogColumn(
                table=table, column=column, type_name=type_name,
                physical_type=_physical_type(udt, char_length, precision, scale)))
        self.foreign_keys = [tuple(row) for row in foreign_keys]


class CatalogColumn:
    """One column of the registered metamodel."""

    def __init__(self, table, column, type_name, physical_type):
        """Keep table, column, the JDBC type name and the physical type text."""
        self.table = table
        self.column = column
        self.type_name = type_name
        self.physical_type = physical_type


def _physical_type(udt, char_length, precision, scale):
    """The ORIGINAL_TYPE text SEMOSS keeps, e.g. VARCHAR(255), NUMERIC(10,2), INT4."""
    name = udt.upper()
    if char_length and udt in ("varchar", "bpchar"):
        return "%s(%s)" % (name, char_length)
    if udt == "numeric" and precision:
        return "%s(%s,%s)" % (name, precision, scale or 0)
    return name


class EngineRegistry:
    """All configured engines, by id, with SEMOSS's alias (name) resolution."""

    def __init__(self, engine_configs, timezone):
        """Create one Engine per configuration entry."""
        self.engines = {}
        for number, config in enumerate(engine_configs, start=1):
            self.engines[config.id] = Engine(config, timezone, number)

    def get(self, engine_id):
        """Return the engine with this id, or None."""
        return self.engines.get(engine_id)

    def resolve_alias(self, name_or_id, user):
        """testUserEngineIdForAlias: a name the user can see maps to its id, else unchanged."""
        if name_or_id in self.engines:
            return name_or_id
        matches = [engine.id for engine in self.engines.values()
                   if engine.config.name == name_or_id and user.can_view(engine.id)]
        return matches[0] if len(matches) == 1 else name_or_id

    def close(self):
        """Close every engine's pool."""
        for engine in self.engines.values():
            engine.close()
