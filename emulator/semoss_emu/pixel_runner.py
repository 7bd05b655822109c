"""Runs a pixel expression: pre-process, parse, evaluate each routine's pipe chain.

Like SEMOSS's PixelRunner + GreedyTranslation, each ';'-terminated routine
produces one result; a runtime error becomes that routine's ERROR result and
later routines still run; a syntax error anywhere yields a single
INVALID_SYNTAX result.  Data is not read here: Collect results are streamed
when the response is written (see pixel_response.py), as in SEMOSS.
"""

import logging
import math
import time
from dataclasses import dataclass, field
from typing import List

from . import pixel_parser as pp
from .javacompat import java_trim
from .metadata_reactors import METADATA_REACTORS
from .nouns import (BOOLEAN, CONST_DECIMAL, CONST_INT, CONST_STRING, ERROR, NULL_VALUE, VECTOR,
                    Noun, PixelError)
from .preprocess import preprocess_pixel
from .query_reactors import QUERY_REACTORS
from .reactor_call import ReactorCall

REACTORS = {**QUERY_REACTORS, **METADATA_REACTORS}

_LOG = logging.getLogger("semoss_emulator")


@dataclass
class PixelEntry:
    """One pixelReturn entry before serialization."""

    pixel_id: str
    expression: str
    is_meta: bool
    time_to_run: int
    noun: Noun


@dataclass
class PixelRun:
    """All entries of one runPixel call."""

    entries: List[PixelEntry] = field(default_factory=list)
    routine_count: int = 0


def run_pixel(expression, context):
    """Run expression for context.insight and return the PixelRun."""
    processed, blocks = preprocess_pixel(expression)
    run = PixelRun()
    try:
        routines = pp.parse_pixel(processed)
    except pp.PixelSyntaxError as error:
        run.entries.append(_syntax_error_entry(error, processed, blocks))
        return run
    fault = context.faults.get("pixel_error")
    failing_index = _pixel_error_target(routines, blocks, fault)
    for index, routine in enumerate(routines):
        started = time.perf_counter()
        if index == failing_index:
            noun = Noun(fault.params["message"], ERROR, ["ERROR"])
        else:
            noun = _run_routine(routine, context)
        elapsed = int((time.perf_counter() - started) * 1000)
        text = pp.routine_expression_text(blocks.restore(routine.text))
        run.entries.append(PixelEntry(_pixel_id(routine, noun, text, context), text,
                                      routine.is_meta, elapsed, noun))
    run.routine_count = len(routines)
    return run


def _pixel_error_target(routines, blocks, fault):
    """Index of the routine a pixel_error fault replaces: the first whose text
    contains the rule's match, else the first routine (None without a fault)."""
    if fault is None or not routines:
        return None
    for index, routine in enumerate(routines):
        if fault.match in blocks.original_text(routine.text):
            return index
    return 0


def _syntax_error_entry(error, processed, blocks):
    """The single INVALID_SYNTAX entry, with SEMOSS's "Error in syntax around" excerpt."""
    message = str(error)
    if message.startswith("["):
        column = error.column
        excerpt = java_trim(processed[max(column - 10, 0):min(column + 10, len(processed))])
        message += ". Error in syntax around " + excerpt
    noun = Noun(message, ERROR, ["ERROR", "INVALID_SYNTAX"])
    return PixelEntry("meta_unstored", blocks.restore(processed), True, -1, noun)


def _pixel_id(routine, noun, text, context):
    """meta_unstored for META routines; otherwise the recipe index (failed ones not kept)."""
    if routine.is_meta:
        return "meta_unstored"
    recipe = context.insight.recipe
    pixel_id = str(len(recipe))
    if "ERROR" not in noun.op_types:
        recipe.append(text)
    return pixel_id


def _run_routine(routine, context):
    """Evaluate one routine's pipe chain; errors become ERROR nouns."""
    try:
        piped = None
        for node in routine.chain:
            piped = _evaluate(node, context, piped)
        return piped
    except PixelError as error:
        return Noun(error.message, ERROR, error.op_types)
    except Exception as error:  # a reactor failing unexpectedly is a routine error, as in SEMOSS
        _LOG.exception("routine failed: %s", routine.text)
        return Noun(str(error) or type(error).__name__, ERROR, ["ERROR"])


def _evaluate(node, context, piped=None):
    """Evaluate an AST node to a Noun (reactor calls receive the piped noun)."""
    if isinstance(node, pp.Literal):
        return _literal_noun(node)
    if isinstance(node, pp.Operation):
        reactor = REACTORS.get(node.name)
        if reactor is None:
            raise PixelError("Cannot find reactor for keyword = " + node.name)
        positional = [_evaluate(argument, context) for argument in node.positional]
        named = {}
        for key, values in node.named:
            named.setdefault(key, []).extend(_evaluate(value, context) for value in values)
        return reactor(ReactorCall(context, positional, named, piped))
    if isinstance(node, pp.ListExpr):
        return Noun([_evaluate(item, context).value for item in node.items], VECTOR)
    return _number_noun(_arithmetic(node, context))


def _literal_noun(node):
    """The noun of a constant."""
    noun_types = {"int": CONST_INT, "double": CONST_DECIMAL, "string": CONST_STRING,
                  "boolean": BOOLEAN, "null": NULL_VALUE, "id": CONST_STRING}
    return Noun(node.value, noun_types[node.kind])


def _number_noun(value):
    """Wrap an arithmetic result."""
    return Noun(value, CONST_DECIMAL if isinstance(value, float) else CONST_INT)


def _arithmetic(node, context):
    """Compute + - * / % ^ and unary minus with Java precedence (left to right)."""
    if isinstance(node, pp.Negate):
        return -_arithmetic(node.operand, context)
    if isinstance(node, pp.Power):
        return math.pow(_arithmetic(node.base, context), _arithmetic(node.exponent, context))
    if not isinstance(node, pp.Arithmetic):
        value = _evaluate(node, context).value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise PixelError("Arithmetic is only emulated on numbers")
        return value
    values = [_arithmetic(operand, context) for operand in node.operands]
    terms = [values[0]]
    signs = []
    for operator, value in zip(node.operators, values[1:]):
        if operator in "*/%":
            terms[-1] = _multiplicative(operator, terms[-1], value)
        else:
            signs.append(operator)
            terms.append(value)
    result = terms[0]
    for sign, term in zip(signs, terms[1:]):
        result = result + term if sign == "+" else result - term
    return result


def _multiplicative(operator, left, right):
    """Java * / % (division is done in doubles; int % int keeps the dividend's sign)."""
    if operator == "*":
        return left * right
    if operator == "/":
        if right == 0:
            return math.nan if left == 0 else math.copysign(math.inf, left) * math.copysign(1, right)
        return left / right
    if isinstance(left, int) and isinstance(right, int):
        if right == 0:
            raise PixelError("/ by zero")
        remainder = abs(left) % abs(right)
        return -remainder if left < 0 else remainder
    return math.fmod(left, right) if right != 0 else math.nan
