"""Java and Gson behaviour that SEMOSS responses depend on.

SEMOSS is a Java server: numbers are printed by Double.toString, maps are
usually java.util.HashMap (so their JSON key order is the HashMap iteration
order), strings are escaped by Gson with HTML escaping off, and String.trim
and String.split have their own semantics.  This module reproduces exactly
those pieces so that the emulator's bytes look like the real server's.
"""

import json
import math

_GSON_BASIC_ESCAPE = json.encoder.encode_basestring


def java_trim(text):
    """Return text without leading/trailing chars <= U+0020, like String.trim()."""
    start = 0
    end = len(text)
    while start < end and text[start] <= " ":
        start += 1
    while end > start and text[end - 1] <= " ":
        end -= 1
    return text[start:end]


def java_split_no_trailing(text, separator):
    """Split on a literal separator and drop trailing empty strings.

    This is what Java's String.split(":") does; SEMOSS's Basic-auth filter
    relies on it ("ak:sk:" has 2 parts, "ak:" has 1).
    """
    parts = text.split(separator)
    while parts and parts[-1] == "":
        parts.pop()
    if not parts:
        return [] if text != "" else [""]
    return parts


def java_string_hash(text):
    """Return Java's String.hashCode() of text as an unsigned 32-bit int."""
    value = 0
    for unit in _utf16_units(text):
        value = (31 * value + unit) & 0xFFFFFFFF
    return value


def _utf16_units(text):
    """Yield the UTF-16 code units of text (Java strings are UTF-16)."""
    for char in text:
        code = ord(char)
        if code > 0xFFFF:
            code -= 0x10000
            yield 0xD800 + (code >> 10)
            yield 0xDC00 + (code & 0x3FF)
        else:
            yield code


def java_hashmap_order(keys, initial_capacity=16):
    """Return keys in the iteration order of a java.util.HashMap filled in this order.

    Buckets are indexed by (h ^ (h >>> 16)) & (capacity - 1); a bucket keeps
    insertion order; the table doubles when size exceeds 0.75 * capacity.
    (Tree bins only appear with 8+ colliding keys and are not modelled.)
    """
    keys = list(keys)
    capacity = initial_capacity
    while len(keys) > capacity * 0.75:
        capacity *= 2
    buckets = {}
    for key in keys:
        hashed = java_string_hash(key)
        hashed ^= hashed >> 16
        buckets.setdefault(hashed & (capacity - 1), []).append(key)
    return [key for index in sorted(buckets) for key in buckets[index]]


def java_hashmap(pairs, initial_capacity=16):
    """Build a dict whose key order is what a Java HashMap would iterate."""
    source = dict(pairs)
    return {key: source[key] for key in java_hashmap_order(source, initial_capacity)}


def java_double_to_string(value):
    """Format a float exactly like Java's Double.toString (shortest repr digits).

    Decimal notation for 1e-3 <= |x| < 1e7 (always with a fractional part),
    otherwise computerized scientific notation such as 1.0E20 or 1.0E-4.
    NaN and infinities are not handled here (Gson's NumberAdapter nulls them).
    """
    if value == 0.0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    magnitude = abs(value)
    if 1e-3 <= magnitude < 1e7:
        text = repr(value)
        if "e" not in text:
            return text
    digits, point = _shortest_digits(magnitude)
    sign = "-" if value < 0 else ""
    if 1e-3 <= magnitude < 1e7:
        if point <= 0:
            body = "0." + "0" * (-point) + digits
        elif point >= len(digits):
            body = digits + "0" * (point - len(digits)) + ".0"
        else:
            body = digits[:point] + "." + digits[point:]
        return sign + body
    return sign + digits[0] + "." + (digits[1:] or "0") + "E" + str(point - 1)


def _shortest_digits(magnitude):
    """Return (significant digits, decimal point position) of repr(magnitude).

    The value equals 0.<digits> * 10**point.
    """
    text = repr(magnitude)
    exponent = 0
    if "e" in text:
        text, exp_text = text.split("e")
        exponent = int(exp_text)
    if "." in text:
        whole, fraction = text.split(".")
    else:
        whole, fraction = text, ""
    all_digits = whole + fraction
    stripped = all_digits.lstrip("0")
    point = len(whole) + exponent - (len(all_digits) - len(stripped))
    stripped = stripped.rstrip("0") or "0"
    return stripped, point


def gson_string(text):
    """Return text as a JSON string literal escaped the way Gson does (HTML escaping off).

    Python's encoder matches Gson for quotes, backslashes, \\n \\r \\t \\b \\f and
    other control characters (lowercase \\u00xx); Gson additionally escapes
    U+2028 and U+2029.
    """
    encoded = _GSON_BASIC_ESCAPE(text)
    if "\u2028" in encoded or "\u2029" in encoded:
        encoded = fix_line_separators(encoded)
    return encoded


def fix_line_separators(json_text):
    """Escape raw U+2028/U+2029 in already-encoded JSON text (they only occur in strings)."""
    return json_text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


class RawJson:
    """A JSON fragment that is already serialized and must be emitted verbatim."""

    __slots__ = ("text",)

    def __init__(self, text):
        """Wrap an already-serialized JSON text."""
        self.text = text


def gson_dumps(value):
    """Serialize a Python value the way SEMOSS's default Gson would.

    dicts keep their (already Java-ordered) key order and omit None values
    (Gson does not serialize null map entries by default); lists keep None as
    null; floats use Double.toString and NaN/Infinity become null (SEMOSS's
    NumberAdapter); booleans and ints are plain JSON.
    """
    parts = []
    _write_json(value, parts)
    return "".join(parts)


def _write_json(value, parts):
    """Append the JSON text of value to parts (helper of gson_dumps)."""
    if value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif isinstance(value, str):
        parts.append(gson_string(value))
    elif isinstance(value, int):
        parts.append(str(value))
    elif isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            parts.append("null")
        else:
            parts.append(java_double_to_string(value))
    elif isinstance(value, RawJson):
        parts.append(value.text)
    elif isinstance(value, dict):
        parts.append("{")
        first = True
        for key, item in value.items():
            if item is None:
                continue
            if not first:
                parts.append(",")
            first = False
            parts.append(gson_string(str(key)))
            parts.append(":")
            _write_json(item, parts)
        parts.append("}")
    elif isinstance(value, (list, tuple)):
        parts.append("[")
        for index, item in enumerate(value):
            if index:
                parts.append(",")
            _write_json(item, parts)
        parts.append("]")
    else:
        raise TypeError("cannot serialize %r" % (type(value),))
