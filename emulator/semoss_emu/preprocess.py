"""SEMOSS's PixelPreProcessor: <sEncode>, <encode> and <e> blocks.

Before lexing, SEMOSS replaces each such block (tags included) with the
URL-encoded text between the tags, so arbitrary SQL can sit inside a pixel
string.  The pairing rules are SEMOSS's own and are reproduced exactly,
including how they break on a literal "</encode>" inside the text.
"""

import re

from .javacompat import java_hashmap_order, java_trim
from .urlcodec import encode_uri_component

_S_ENCODE_BLOCK = re.compile(r"<sEncode>.+?</sEncode>", re.DOTALL)


class EncodedBlocks:
    """The encoded texts of one runPixel call and the originals they replaced.

    SEMOSS keeps one list per run and restores each encoded text at most once
    when it rebuilds pixelExpression (PixelUtility.recreateOriginalPixelExpression).
    """

    def __init__(self):
        """Start with no encoded blocks."""
        self.encoded_to_original = {}
        self.pending = []

    def add(self, encoded, original):
        """Remember that encoded replaced original (original includes its tags)."""
        self.encoded_to_original[encoded] = original
        self.pending.append(encoded)

    def original_text(self, expression):
        """Return expression with every encoded text replaced by its original (no bookkeeping)."""
        for encoded in sorted(self.encoded_to_original, key=len, reverse=True):
            expression = expression.replace(encoded, self.encoded_to_original[encoded])
        return expression

    def restore(self, expression):
        """Return expression with encoded texts put back, longest first, once each."""
        if not self.encoded_to_original:
            return expression
        self.pending.sort(key=len, reverse=True)
        remaining = []
        for encoded in self.pending:
            if encoded in expression:
                expression = expression.replace(encoded, self.encoded_to_original[encoded], 1)
            else:
                remaining.append(encoded)
        self.pending = remaining
        return expression


def preprocess_pixel(expression):
    """Apply SEMOSS's pre-processing; return (expression for the lexer, EncodedBlocks)."""
    blocks = EncodedBlocks()
    expression = java_trim(expression)
    expression = _replace_s_encode_blocks(expression)
    expression = _encode_tag_blocks(expression, blocks, "<encode>", "</encode>")
    expression = _encode_tag_blocks(expression, blocks, "<e>", "</e>")
    return expression, blocks


def _replace_s_encode_blocks(expression):
    """Encode every non-greedy <sEncode>..</sEncode> match (tags inside are dropped)."""
    changes = {}
    for match in _S_ENCODE_BLOCK.finditer(expression):
        original = match.group(0)
        inner = original.replace("<sEncode>", "").replace("</sEncode>", "")
        changes[original] = encode_uri_component(inner)
    for original in java_hashmap_order(changes):
        expression = expression.replace(original, changes[original])
    return expression


def _encode_tag_blocks(expression, blocks, start_tag, end_tag):
    """Encode the blocks delimited by start_tag/end_tag the way PixelPreProcessor does."""
    opens = _all_indexes(expression, start_tag)
    closes = _all_indexes(expression, end_tag)
    pairs = _pair_blocks(opens, closes)
    pairs = _drop_nested(pairs)
    originals = [expression[start:end + len(end_tag)] for start, end in pairs]
    originals.sort(key=len, reverse=True)
    for original in originals:
        encoded = encode_uri_component(original[len(start_tag):len(original) - len(end_tag)])
        blocks.add(encoded, original)
        expression = expression.replace(original, encoded)
    return expression


def _all_indexes(text, needle):
    """Return every index of needle in text (String.indexOf from index+1 repeatedly)."""
    found = []
    index = text.find(needle)
    while index >= 0:
        found.append(index)
        index = text.find(needle, index + 1)
    return found


def _pair_blocks(opens, closes):
    """Pair the last unpaired open tag with the first close tag after it, repeatedly."""
    opens = list(opens)
    closes = list(closes)
    pairs = []
    while opens and closes:
        start = opens.pop()
        for position, end in enumerate(closes):
            if end > start:
                pairs.append((start, end))
                del closes[position]
                break
    return pairs


def _drop_nested(pairs):
    """Drop every block that lies strictly inside another block."""
    removed = set()
    for i, (start_a, end_a) in enumerate(pairs):
        for j, (start_b, end_b) in enumerate(pairs):
            if i == j or j in removed:
                continue
            if start_b > start_a and end_a > end_b:
                removed.add(j)
    return [pair for index, pair in enumerate(pairs) if index not in removed]
