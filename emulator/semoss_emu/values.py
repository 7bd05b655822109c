"""How SEMOSS turns PostgreSQL result columns into JSON (RawRDBMSSelectWrapper + Gson).

pgjdbc reports a java.sql.Types code per column; SEMOSS picks a getter by
that code and Gson prints the Java value.  Every value reaches the emulator
as PostgreSQL's text form (psycopg2 casters are disabled), so each column
gets one encoder that maps a column of texts to JSON fragments.  The header
metadata (headerInfo dataType/type) follows SEMOSS's prefix rules on the
pgjdbc type name.
"""

import json
import math
import re
from dataclasses import dataclass
from typing import Optional

from .javacompat import RawJson, gson_dumps, gson_string, java_double_to_string, java_hashmap

# pgjdbc TypeInfoCache's fixed table: type name -> java.sql.Types name.
_PGJDBC_SQL_TYPES = {
    "int2": "SMALLINT", "int4": "INTEGER", "oid": "BIGINT", "int8": "BIGINT",
    "money": "DOUBLE", "numeric": "NUMERIC", "float4": "REAL", "float8": "DOUBLE",
    "char": "CHAR", "bpchar": "CHAR", "varchar": "VARCHAR", "text": "VARCHAR",
    "name": "VARCHAR", "bytea": "BINARY", "bool": "BIT", "bit": "BIT",
    "date": "DATE", "time": "TIME", "timetz": "TIME", "timestamp": "TIMESTAMP",
    "timestamptz": "TIMESTAMP", "refcursor": "REF_CURSOR", "json": "OTHER",
    "point": "OTHER",
}

_GEOMETRIC_TYPES = frozenset(["point", "line", "lseg", "box", "path", "polygon", "circle"])

_ESCAPE_STRING = json.encoder.encode_basestring
_TIMESTAMP_PREFIX = re.compile(r"^(\d{4,}-\d\d-\d\d \d\d:\d\d:\d\d)")


class ValueConversionError(Exception):
    """A value pgjdbc/SEMOSS could not convert; the message is what SEMOSS reports."""


@dataclass(frozen=True)
class PgType:
    """What pg_type says about a column type."""

    oid: int
    name: str
    typtype: str
    element_oid: int
    is_array: bool

    @property
    def sql_type(self):
        """The java.sql.Types name pgjdbc reports (TypeInfoCache.getSQLType)."""
        if self.name in _PGJDBC_SQL_TYPES:
            return _PGJDBC_SQL_TYPES[self.name]
        if self.is_array:
            return "ARRAY"
        return {"c": "STRUCT", "d": "DISTINCT", "e": "VARCHAR"}.get(self.typtype, "OTHER")


def semoss_data_type(type_name):
    """SemossDataType.convertStringToDataType: prefix rules on the JDBC type name."""
    upper = type_name.upper().strip()
    if upper.startswith("TYPE:"):
        upper = upper[len("TYPE:"):]
    if upper.startswith(("BOOL", "BIT")):
        return "BOOLEAN"
    if upper.startswith(("IDENTITY", "LONG", "INT", "MEDIUMINT", "SIGNED", "SERIAL",
                         "TINYINT", "SMALLINT", "YEAR", "BIGINT")) or "DTYPE('INT64')" in upper:
        return "INT"
    if upper.startswith(("NUMBER", "MONEY", "SMALLMONEY", "DEC", "NUMERIC", "DOUBLE",
                         "PRECISION", "FLOAT", "REAL")) or "DTYPE('FLOAT64')" in upper:
        return "DOUBLE"
    if upper == "DATE":
        return "DATE"
    if upper.startswith(("TIMESTAMP", "DATETIME")):
        return "TIMESTAMP"
    if upper.startswith(("FACTOR", "ORDER")):
        return "FACTOR"
    return "STRING"


def clean_ui_type(data_type):
    """The coarse headerInfo "type": NUMBER, DATE (also TIMESTAMP) or STRING."""
    if data_type in ("INT", "DOUBLE"):
        return "NUMBER"
    if data_type in ("DATE", "TIMESTAMP"):
        return "DATE"
    return "STRING"


def header_info(column_name, type_name):
    """One headerInfo map, keys in the order Java's HashMap prints them."""
    data_type = semoss_data_type(type_name)
    return java_hashmap([
        ("alias", column_name),
        ("derived", False),
        ("header", column_name),
        ("type", clean_ui_type(data_type)),
        ("dataType", data_type),
    ])


def column_encoder(pg_type: PgType, element_type: Optional[PgType]):
    """Return a function mapping a sequence of texts (or None) to JSON fragments.

    Strings are escaped by the C JSON encoder here; U+2028/U+2029 are fixed
    once per page (tasks.page_values_text), which keeps this loop cheap.
    """
    scalar = _scalar_encoder(pg_type, element_type)
    if scalar is _identity:
        return lambda column: ["null" if value is None else value for value in column]
    if scalar is _quoted:
        return lambda column: ["null" if value is None else '"' + value + '"' for value in column]
    if scalar is gson_string:
        escape = _ESCAPE_STRING
        return lambda column: ["null" if value is None else escape(value) for value in column]
    return lambda column: ["null" if value is None else scalar(value) for value in column]


def _scalar_encoder(pg_type, element_type):
    """Return the text -> JSON fragment function for one non-null value."""
    sql_type = pg_type.sql_type
    if sql_type in ("INTEGER", "BIGINT"):
        return _identity
    if sql_type == "SMALLINT":
        return _quoted
    if sql_type in ("DOUBLE", "NUMERIC", "REAL"):
        return _encode_money if pg_type.name == "money" else _encode_double
    if sql_type == "BIT":
        return _encode_boolean
    if sql_type == "DATE":
        return _quoted
    if sql_type == "TIMESTAMP":
        return _encode_timestamp
    if sql_type == "BINARY":
        return _encode_bytea
    if sql_type == "ARRAY" and element_type is not None:
        element = _scalar_encoder(element_type, None)
        return lambda text: _encode_array(text, element)
    if sql_type == "OTHER":
        return _other_encoder(pg_type.name)
    return gson_string


def _other_encoder(type_name):
    """rs.getObject for Types.OTHER: UUID, PGInterval, String for "unknown", else PGobject."""
    if type_name == "uuid":
        return _quoted
    if type_name == "unknown":
        return gson_string
    if type_name == "interval":
        return _encode_interval
    if type_name in _GEOMETRIC_TYPES:
        return gson_string
    prefix = '{"type":' + gson_string(type_name) + ',"value":'
    return lambda text: prefix + gson_string(text) + "}"


def _identity(text):
    """Integer text is already a JSON number."""
    return text


def _quoted(text):
    """Texts that never need escaping (digits, dates, UUIDs) just get quotes."""
    return '"' + text + '"'


def _encode_double(text):
    """rs.getDouble then Gson: Double.toString, NaN/Infinity -> null."""
    value = float(text)
    if 1e-3 <= value < 1e7 or -1e7 < value <= -1e-3:
        return repr(value)
    if math.isnan(value) or math.isinf(value):
        return "null"
    return java_double_to_string(value)


def _encode_money(text):
    """pgjdbc getDouble on money: strips '$' / '(..)' but not ',' (then parseDouble fails)."""
    fixed = text
    if len(text) >= 2 and text[0] <= "-":
        if text[0] == "(":
            inner = text[1:-1] if text.endswith(")") else text
            fixed = "-" + inner[1:]
        elif text[0] == "$":
            fixed = text[1:]
        elif text[0] == "-" and text[1] == "$":
            fixed = "-" + text[2:]
    fixed = fixed.strip()
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?(NaN|Infinity)", fixed):
        raise ValueConversionError("Bad value for type double : " + fixed)
    return _encode_double(fixed)


def _encode_boolean(text):
    """rs.getBoolean: bool 't'/'f', bit '1'/'0'; longer bit strings fail in pgjdbc."""
    if text in ("t", "1"):
        return "true"
    if text in ("f", "0"):
        return "false"
    raise ValueConversionError('Cannot cast to boolean: "%s"' % text)


def _encode_timestamp(text):
    """SemossDate "yyyy-MM-dd HH:mm:ss": fractions and offsets dropped."""
    if len(text) >= 19 and text[4] == "-" and text[10] == " " and not text.endswith(" BC"):
        return '"' + text[:19] + '"'
    match = _TIMESTAMP_PREFIX.match(text)
    if not match:
        return gson_string(text)
    suffix = " BC" if text.endswith(" BC") else ""
    return '"' + match.group(1) + suffix + '"'


def _encode_bytea(text):
    """new String(bytes, "UTF-8") of the raw bytes (connections use bytea_output=hex)."""
    return gson_string(bytes.fromhex(text[2:]).decode("utf-8", "replace"))


def _encode_interval(text):
    """Gson reflection of pgjdbc's PGInterval (its fields, then PGobject's "type")."""
    fields = parse_pg_interval(text)
    if fields is None:
        return "null"
    years, months, days, hours, minutes, seconds = fields
    total_micros = math.floor(seconds * 1000000 + 0.5)
    whole = -(-total_micros // 1000000) if total_micros < 0 else total_micros // 1000000
    micros = total_micros - whole * 1000000
    return gson_dumps({
        "years": years, "months": months, "days": days, "hours": hours,
        "minutes": minutes, "wholeSeconds": whole, "microSeconds": micros,
        "isNull": False, "type": "interval",
    })


def parse_pg_interval(text):
    """Parse an IntervalStyle=postgres interval like pgjdbc's PGInterval.setValue.

    Returns (years, months, days, hours, minutes, seconds) or None when pgjdbc
    would fail (SEMOSS then leaves the cell null).
    """
    years = months = days = hours = minutes = 0
    seconds = 0.0
    pending = None
    try:
        for index, token in enumerate(text.replace("+", " ").replace("@", " ").lower().split()):
            if index % 2 == 0:
                if ":" not in token:
                    pending = token
                    continue
                negative = token.startswith("-")
                body = token[1:] if negative else token
                parts = body.split(":")
                hours, minutes = int(parts[0]), int(parts[1][:2])
                seconds = float(parts[2]) if len(parts) > 2 else 0.0
                if negative:
                    hours, minutes, seconds = -hours, -minutes, -seconds
                pending = None
            elif token.startswith("year"):
                years = int(pending)
            elif token.startswith("mon"):
                months = int(pending)
            elif token.startswith("day"):
                days = int(pending)
            elif token.startswith("hour"):
                hours = int(pending)
            elif token.startswith("min"):
                minutes = int(pending)
            elif token.startswith("sec"):
                seconds = float(pending)
    except (TypeError, ValueError, IndexError):
        return None
    if any(abs(value) > 2147483647 for value in (years, months, days, hours, minutes)):
        return None
    return years, months, days, hours, minutes, seconds


def _encode_array(text, element_encoder):
    """Array.getArray() printed by Gson: nested JSON arrays of encoded elements."""
    parsed = parse_pg_array(text)
    return gson_dumps(_encode_array_items(parsed, element_encoder))


def _encode_array_items(items, element_encoder):
    """Recursively wrap encoded elements as RawJson for gson_dumps."""
    encoded = []
    for item in items:
        if item is None:
            encoded.append(None)
        elif isinstance(item, list):
            encoded.append(_encode_array_items(item, element_encoder))
        else:
            encoded.append(RawJson(element_encoder(item)))
    return encoded


def parse_pg_array(text):
    """Parse PostgreSQL's array output ({a,"b c",NULL,{1,2}}) into nested lists."""
    if text.startswith("["):
        text = text[text.index("=") + 1:]
    items, _ = _parse_array_level(text, 0)
    return items


def _parse_array_level(text, index):
    """Parse one {...} level starting at text[index] == '{'; return (items, next index)."""
    items = []
    index += 1
    if text[index] == "}":
        return items, index + 1
    while True:
        char = text[index]
        if char == "{":
            value, index = _parse_array_level(text, index)
            items.append(value)
        elif char == '"':
            value, index = _parse_quoted_element(text, index)
            items.append(value)
        else:
            end = index
            while text[end] not in ",;}":
                end += 1
            raw = text[index:end]
            items.append(None if raw == "NULL" else raw)
            index = end
        if text[index] == "}":
            return items, index + 1
        index += 1


def _parse_quoted_element(text, index):
    """Parse a "..." array element with backslash escapes; return (value, next index)."""
    out = []
    index += 1
    while text[index] != '"':
        if text[index] == "\\":
            index += 1
        out.append(text[index])
        index += 1
    return "".join(out), index + 1
