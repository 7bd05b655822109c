"""Lexical scan of SQL text the way pgjdbc's parser sees it.

SEMOSS sends ExecQuery SQL through JDBC prepareStatement(), so pgjdbc treats
every '?' outside string literals, quoted identifiers, comments and dollar
quotes as a bind placeholder ('??' is an escaped '?').  It also needs to know
how many statements a text holds and what its first keyword is.
"""

import re

_DOLLAR_TAG = re.compile(r"\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$")


def _is_identifier_char(char):
    """True for characters that can continue an SQL identifier."""
    return char.isalnum() or char in "_$"


def code_spans(sql):
    """Yield (start, end) of the parts of sql that are plain SQL code.

    Skips '...' literals ('' doubles a quote; E'...' also honours
    backslashes), "..." identifiers, -- and nested /* */ comments and
    $tag$...$tag$ strings.  An unterminated construct runs to the end.
    """
    length = len(sql)
    index = 0
    start = 0
    while index < length:
        char = sql[index]
        skip_to = None
        if char == "'":
            escapes = index > 0 and sql[index - 1] in "eE" and (
                index < 2 or not _is_identifier_char(sql[index - 2]))
            skip_to = _end_of_quoted(sql, index, "'", escapes)
        elif char == '"':
            skip_to = _end_of_quoted(sql, index, '"', False)
        elif char == "-" and sql.startswith("--", index):
            newline = sql.find("\n", index)
            skip_to = length if newline < 0 else newline
        elif char == "/" and sql.startswith("/*", index):
            skip_to = _end_of_block_comment(sql, index)
        elif char == "$" and (index == 0 or not _is_identifier_char(sql[index - 1])):
            match = _DOLLAR_TAG.match(sql, index)
            if match:
                closing = sql.find(match.group(0), match.end())
                skip_to = length if closing < 0 else closing + len(match.group(0))
        if skip_to is None:
            index += 1
            continue
        if index > start:
            yield start, index
        index = skip_to
        start = skip_to
    if start < length:
        yield start, length


def _end_of_quoted(sql, start, quote, backslash_escapes):
    """Return the offset just after the quoted text opened at start."""
    index = start + 1
    length = len(sql)
    while index < length:
        char = sql[index]
        if backslash_escapes and char == "\\":
            index += 2
            continue
        if char == quote:
            if index + 1 < length and sql[index + 1] == quote:
                index += 2
                continue
            return index + 1
        index += 1
    return length


def _end_of_block_comment(sql, start):
    """Return the offset just after the (possibly nested) /* */ comment at start."""
    depth = 0
    index = start
    length = len(sql)
    while index < length:
        if sql.startswith("/*", index):
            depth += 1
            index += 2
        elif sql.startswith("*/", index):
            depth -= 1
            index += 2
            if depth == 0:
                return index
        else:
            index += 1
    return length


def count_bind_placeholders(sql):
    """Count pgjdbc bind placeholders: '?' in code, with '??' not counting."""
    count = 0
    for start, end in code_spans(sql):
        code = sql[start:end]
        count += code.count("?") - 2 * code.count("??")
    return count


def unescape_double_question_marks(sql):
    """Replace '??' by '?' in code parts, as pgjdbc does before sending."""
    pieces = []
    previous = 0
    for start, end in code_spans(sql):
        pieces.append(sql[previous:start])
        pieces.append(sql[start:end].replace("??", "?"))
        previous = end
    pieces.append(sql[previous:])
    return "".join(pieces)


def count_statements(sql):
    """Count the non-empty ';'-separated statements of sql (comments count as empty)."""
    return sum(1 for part in _mask_non_code(sql).split(";") if part.strip())


def _mask_non_code(sql):
    """Return sql with literals kept as 'x' and comments blanked, for splitting on ';'."""
    pieces = []
    previous = 0
    for start, end in code_spans(sql):
        skipped = sql[previous:start]
        pieces.append(_placeholder_for(skipped))
        pieces.append(sql[start:end])
        previous = end
    pieces.append(_placeholder_for(sql[previous:]))
    return "".join(pieces)


def _placeholder_for(skipped):
    """Literals count as statement content; comments do not."""
    stripped = skipped.lstrip()
    if not stripped or stripped.startswith("--") or stripped.startswith("/*"):
        return " "
    return "x"


def first_keyword(sql):
    """Return the upper-cased first word of the SQL code (after '(' and comments)."""
    for start, end in code_spans(sql):
        match = re.search(r"[A-Za-z_]+|[^\s(]", sql[start:end])
        if match:
            return match.group(0).upper()
    return ""


_CATALOG_SCHEMAS = ("pg_catalog", "information_schema")
_CATALOG_WORD = re.compile(r"(?<![A-Za-z0-9_$])(pg_catalog|information_schema)(?![A-Za-z0-9_$])",
                           re.IGNORECASE)


def catalog_schema_referenced(sql):
    """The first system catalog schema (pg_catalog or information_schema) sql names, or None.

    Counts a name in code (any case) or as a quoted identifier ("pg_catalog"),
    not one inside a string literal or a comment.
    """
    previous = 0
    for start, end in list(code_spans(sql)) + [(len(sql), len(sql))]:
        skipped = sql[previous:start]
        if skipped.startswith('"') and skipped.endswith('"') \
                and skipped[1:-1].replace('""', '"') in _CATALOG_SCHEMAS:
            return skipped[1:-1]
        match = _CATALOG_WORD.search(sql, start, end)
        if match:
            return match.group(1).lower()
        previous = end
    return None
