"""Lexer for the pixel subset, following SEMOSS's postfix2.grammar token rules.

Tokens are matched longest-first; on equal length the token declared first in
the grammar wins (so "true" is a boolean, "123" a number, "META" the meta
keyword and "123abc" an id).  Only ' ', CR and LF are blanks; any other
character outside a string (a tab, '$', '#', non-ASCII...) is a lexer error,
as in SableCC.  Positions are 1-based [line, column] like SableCC's.
"""

from dataclasses import dataclass

# Token kinds, in grammar declaration order (used to order "expecting:" lists).
NULL = "null"
NUMBER = "number"
BOOLEAN = "boolean"
META = "meta"
ID = "id"
DOT = "dot"
SEMICOLON = "semicolon"
COLON = "colon"
PLUS = "plus"
MINUS = "minus"
MOD = "mod"
POW = "pow"
WORD = "word"
MULT = "mult"
COMMA = "comma"
DIV = "div"
COMPARATOR = "comparator"
EQUAL = "equal"
L_PAR = "l_par"
R_PAR = "r_par"
L_BRAC = "l_brac"
R_BRAC = "r_brac"
L_CURL = "l_curl"
R_CURL = "r_curl"
CUSTOM = "custom"
EOF = "EOF"

TOKEN_ORDER = [
    NULL, NUMBER, BOOLEAN, META, ID, DOT, SEMICOLON, COLON, PLUS, MINUS, MOD, POW,
    WORD, MULT, COMMA, DIV, COMPARATOR, EQUAL, L_PAR, R_PAR, L_BRAC, R_BRAC,
    L_CURL, R_CURL, CUSTOM, EOF,
]

# How SableCC names a token in "expecting:" messages: fixed-text tokens are
# quoted, the others use their grammar name.
TOKEN_DISPLAY = {
    NULL: "'null'", META: "'META'", DOT: "'.'", SEMICOLON: "';'", COLON: "':'",
    PLUS: "'+'", MINUS: "'-'", MOD: "'%'", POW: "'^'", MULT: "'*'", COMMA: "','",
    DIV: "'/'", EQUAL: "'='", L_PAR: "'('", R_PAR: "')'", L_BRAC: "'['",
    R_BRAC: "']'", L_CURL: "'{'", R_CURL: "'}'", CUSTOM: "'|'",
    NUMBER: "number", BOOLEAN: "boolean", ID: "id", WORD: "word",
    COMPARATOR: "comparator", EOF: "EOF",
}

_SINGLE_CHAR = {
    ".": DOT, ";": SEMICOLON, ":": COLON, "+": PLUS, "-": MINUS, "%": MOD,
    "^": POW, "*": MULT, ",": COMMA, "/": DIV, "(": L_PAR, ")": R_PAR,
    "[": L_BRAC, "]": R_BRAC, "{": L_CURL, "}": R_CURL, "|": CUSTOM,
}

_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_COMPARATORS = ("?nbegins", "?begins", "?nlike", "?nends", "?like", "?ends",
                "<=", ">=", "!=", "==", "<>", "<", ">")
_BLANKS = frozenset(" \r\n")


@dataclass(frozen=True)
class Token:
    """One token: its kind, exact text, 1-based line/column and offset in the text."""

    kind: str
    text: str
    line: int
    column: int
    offset: int


class PixelLexerError(Exception):
    """A character sequence that is no token; message is SableCC's LexerException text."""

    def __init__(self, line, column, text):
        """Build the '[line,col] Unknown token: x' message."""
        super().__init__("[%d,%d] Unknown token: %s" % (line, column, text))
        self.line = line
        self.column = column


def tokenize(text):
    """Return the list of tokens of text (blanks dropped), ending with an EOF token."""
    tokens = []
    index = 0
    line = 1
    line_start = 0
    length = len(text)
    while index < length:
        char = text[index]
        column = index - line_start + 1
        if char in _BLANKS:
            if char == "\n" or (char == "\r" and text[index + 1:index + 2] != "\n"):
                line += 1
                line_start = index + 1
            index += 1
            continue
        kind, end = _match_token(text, index)
        if kind is None:
            raise PixelLexerError(line, column, char)
        token_text = text[index:end]
        tokens.append(Token(kind, token_text, line, column, index))
        for offset, inner in enumerate(token_text):
            if inner == "\n":
                line += 1
                line_start = index + offset + 1
        index = end
    tokens.append(Token(EOF, "", line, length - line_start + 1, length))
    return tokens


def _match_token(text, index):
    """Return (kind, end offset) of the longest token starting at index, or (None, index)."""
    char = text[index]
    if char in _ID_CHARS:
        end = index
        while end < len(text) and text[end] in _ID_CHARS:
            end += 1
        return _classify_word_chars(text[index:end]), end
    if char == '"':
        end = _double_quoted_end(text, index)
        return (WORD, end) if end else (None, index)
    if char == "'":
        end = text.find("'", index + 1)
        return (WORD, end + 1) if end >= 0 else (None, index)
    for comparator in _COMPARATORS:
        if text.startswith(comparator, index):
            return COMPARATOR, index + len(comparator)
    if char == "=":
        return EQUAL, index + 1
    if char in _SINGLE_CHAR:
        return _SINGLE_CHAR[char], index + 1
    return None, index


def _classify_word_chars(run):
    """Classify a run of [A-Za-z0-9_] chars (same length: first declared token wins)."""
    if run == "null":
        return NULL
    if run.isdigit():
        return NUMBER
    if run in ("TRUE", "FALSE", "true", "false"):
        return BOOLEAN
    if run == "META":
        return META
    return ID


def _double_quoted_end(text, start):
    """Return the end offset of the longest "..." word starting at start, or 0.

    Inside, any char but '"' is allowed, and '\\"' is an escaped quote.  The
    longest match therefore runs to the first quote not preceded by a
    backslash; without one it ends at the last escaped quote.
    """
    last_escaped_end = 0
    position = text.find('"', start + 1)
    while position >= 0:
        if text[position - 1] == "\\" and position - 1 > start:
            last_escaped_end = position + 1
            position = text.find('"', position + 1)
            continue
        return position + 1
    return last_escaped_end
