"""Recursive-descent parser for the pixel subset the emulator understands.

Supported (a subset of SEMOSS's postfix2.grammar):
  configuration := routine* | ';'+
  routine       := ['META' '|'] script ';'+
  script        := expr ('|' expr)*
  expr          := component (('+'|'-'|'*'|'/'|'%') component)*
  component     := term ('^' term)*
  term          := '-' term | '+' term | number ['.' [number]] | '.' number
                 | boolean | 'null' | word | id | operation
                 | '(' expr ')' | '(' expr (',' expr)+ ')' | '(' ')' | '[' list ']'
  operation     := id '(' [input (',' input)*] ')'
  input         := id '=' '[' list ']' | id '=' scalar | expr
Syntax errors carry SableCC's "[line,col] expecting: a, b" message.
"""

from dataclasses import dataclass, field
from typing import List

from . import pixel_lexer as lx


@dataclass
class Literal:
    """A constant: kind is one of int, double, string, boolean, null, id."""

    kind: str
    value: object


@dataclass
class Operation:
    """A reactor call such as Collect(500) or Database(database=["x"])."""

    name: str
    positional: List[object] = field(default_factory=list)
    named: List[tuple] = field(default_factory=list)


@dataclass
class ListExpr:
    """A bracketed or parenthesised list of expressions."""

    items: List[object]


@dataclass
class Arithmetic:
    """operands[0] ops[0] operands[1] ...; evaluated with Java precedence."""

    operands: List[object]
    operators: List[str]


@dataclass
class Power:
    """base ^ exponent."""

    base: object
    exponent: object


@dataclass
class Negate:
    """Unary minus."""

    operand: object


@dataclass
class Routine:
    """One ';'-terminated routine: its pipe chain, META flag and source text."""

    chain: List[object]
    is_meta: bool
    text: str


class PixelSyntaxError(Exception):
    """The expression does not parse; message follows SableCC's ParserException."""

    def __init__(self, message, column):
        """Keep the message and the 1-based column SEMOSS uses for the excerpt."""
        super().__init__(message)
        self.column = column


_TERM_START = [lx.NULL, lx.NUMBER, lx.BOOLEAN, lx.ID, lx.DOT, lx.PLUS, lx.MINUS,
               lx.WORD, lx.L_PAR, lx.L_BRAC]
_BINARY_OPERATORS = [lx.PLUS, lx.MINUS, lx.MOD, lx.POW, lx.MULT, lx.DIV]
_SCALAR_START = [lx.NULL, lx.NUMBER, lx.BOOLEAN, lx.ID, lx.DOT, lx.WORD]


def parse_pixel(text):
    """Tokenize and parse text; return the list of Routine objects."""
    try:
        tokens = lx.tokenize(text)
    except lx.PixelLexerError as error:
        raise PixelSyntaxError(str(error), error.column) from None
    return _Parser(tokens).parse_configuration()


class _Parser:
    """Parser state: the token list and the current position."""

    def __init__(self, tokens):
        """Start at the first token."""
        self.tokens = tokens
        self.position = 0

    @property
    def current(self):
        """The token being looked at."""
        return self.tokens[self.position]

    def peek(self, distance=1):
        """The token distance places ahead (EOF when past the end)."""
        index = min(self.position + distance, len(self.tokens) - 1)
        return self.tokens[index]

    def advance(self):
        """Consume and return the current token."""
        token = self.current
        self.position += 1
        return token

    def expect(self, kind, expected):
        """Consume a token of kind, or fail listing the expected kinds."""
        if self.current.kind != kind:
            self.fail(expected)
        return self.advance()

    def fail(self, expected):
        """Raise the SableCC-style syntax error for the current token."""
        token = self.current
        names = [lx.TOKEN_DISPLAY[kind] for kind in lx.TOKEN_ORDER if kind in set(expected)]
        message = "[%d,%d] expecting: %s" % (token.line, token.column, ", ".join(names))
        raise PixelSyntaxError(message, token.column)

    def parse_configuration(self):
        """configuration := routine* | ';'+ (an expression of only ';' has no routines)."""
        if all(token.kind in (lx.SEMICOLON, lx.EOF) for token in self.tokens):
            return []
        routines = []
        while self.current.kind != lx.EOF:
            routines.append(self.parse_routine())
        return routines

    def parse_routine(self):
        """routine := ['META' '|'] script ';'+."""
        start = self.position
        is_meta = False
        if self.current.kind == lx.META:
            self.advance()
            self.expect(lx.CUSTOM, [lx.CUSTOM])
            is_meta = True
        elif self.current.kind not in _TERM_START:
            self.fail(_TERM_START + [lx.META, lx.SEMICOLON, lx.EOF])
        chain = [self.parse_expression()]
        while self.current.kind == lx.CUSTOM:
            self.advance()
            chain.append(self.parse_expression())
        self.expect(lx.SEMICOLON, [lx.SEMICOLON, lx.CUSTOM] + _BINARY_OPERATORS)
        while self.current.kind == lx.SEMICOLON:
            self.advance()
        text = " ".join(token.text for token in self.tokens[start:self.position])
        return Routine(chain=chain, is_meta=is_meta, text=text)

    def parse_expression(self):
        """expr := component (binary-operator component)*."""
        operands = [self.parse_component()]
        operators = []
        while self.current.kind in (lx.PLUS, lx.MINUS, lx.MULT, lx.DIV, lx.MOD):
            operators.append(self.advance().text)
            operands.append(self.parse_component())
        if not operators:
            return operands[0]
        return Arithmetic(operands=operands, operators=operators)

    def parse_component(self):
        """component := term ('^' term)*."""
        node = self.parse_term()
        while self.current.kind == lx.POW:
            self.advance()
            node = Power(base=node, exponent=self.parse_term())
        return node

    def parse_term(self):
        """term := '-' term | '+' term | scalar | operation | group | list."""
        kind = self.current.kind
        if kind == lx.MINUS:
            self.advance()
            return Negate(operand=self.parse_term())
        if kind == lx.PLUS:
            self.advance()
            return self.parse_term()
        if kind == lx.ID and self.peek().kind == lx.L_PAR:
            return self.parse_operation()
        if kind in _SCALAR_START:
            return self.parse_scalar()
        if kind == lx.L_PAR:
            return self.parse_parenthesised()
        if kind == lx.L_BRAC:
            return ListExpr(items=self.parse_bracket_list())
        self.fail(_TERM_START)
        return None

    def parse_scalar(self):
        """scalar := decimal | boolean | 'null' | word | id."""
        token = self.current
        if token.kind in (lx.NUMBER, lx.DOT):
            return self.parse_decimal()
        self.advance()
        if token.kind == lx.BOOLEAN:
            return Literal("boolean", token.text.lower() == "true")
        if token.kind == lx.NULL:
            return Literal("null", None)
        if token.kind == lx.WORD:
            return Literal("string", token.text[1:-1].replace('\\"', '"'))
        return Literal("id", token.text)

    def parse_decimal(self):
        """decimal := number ['.' [number]] | '.' number (a fraction makes it a double)."""
        if self.current.kind == lx.DOT:
            self.advance()
            fraction = self.expect(lx.NUMBER, [lx.NUMBER]).text
            return Literal("double", float("0." + fraction))
        whole = self.advance().text
        if self.current.kind != lx.DOT:
            return Literal("int", int(whole))
        self.advance()
        if self.current.kind == lx.NUMBER:
            return Literal("double", float(whole + "." + self.advance().text))
        return Literal("int", int(whole))

    def parse_parenthesised(self):
        """'(' ')' | '(' expr ')' | '(' expr (',' expr)+ ')'."""
        self.advance()
        if self.current.kind == lx.R_PAR:
            self.advance()
            return ListExpr(items=[])
        items = [self.parse_expression()]
        while self.current.kind == lx.COMMA:
            self.advance()
            items.append(self.parse_expression())
        self.expect(lx.R_PAR, [lx.COMMA, lx.R_PAR] + _BINARY_OPERATORS)
        if len(items) == 1:
            return items[0]
        return ListExpr(items=items)

    def parse_bracket_list(self):
        """'[' [expr (',' expr)*] ']' -> list of expressions."""
        self.advance()
        items = []
        if self.current.kind != lx.R_BRAC:
            items.append(self.parse_expression())
            while self.current.kind == lx.COMMA:
                self.advance()
                items.append(self.parse_expression())
        self.expect(lx.R_BRAC, [lx.COMMA, lx.R_BRAC] + _BINARY_OPERATORS)
        return items

    def parse_operation(self):
        """operation := id '(' [input (',' input)*] ')'."""
        operation = Operation(name=self.advance().text)
        self.advance()
        if self.current.kind != lx.R_PAR:
            self.parse_operation_input(operation)
            while self.current.kind == lx.COMMA:
                self.advance()
                self.parse_operation_input(operation)
        self.expect(lx.R_PAR, [lx.COMMA, lx.R_PAR] + _BINARY_OPERATORS)
        return operation

    def parse_operation_input(self, operation):
        """input := id '=' '[' list ']' | id '=' scalar | expr (added to operation)."""
        if self.current.kind == lx.ID and self.peek().kind == lx.EQUAL:
            key = self.advance().text
            self.advance()
            if self.current.kind == lx.L_BRAC:
                operation.named.append((key, self.parse_bracket_list()))
            elif self.current.kind in _SCALAR_START:
                operation.named.append((key, [self.parse_scalar()]))
            else:
                self.fail([lx.L_BRAC] + _SCALAR_START)
            return
        operation.positional.append(self.parse_expression())


def routine_expression_text(raw_text):
    """Return the pixelExpression text SEMOSS prints: trimmed, one trailing ';'."""
    text = raw_text.strip()
    while text.endswith("; ;"):
        text = text[:-2]
    return text

