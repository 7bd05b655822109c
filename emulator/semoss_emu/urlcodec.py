"""Java URLEncoder/URLDecoder and SEMOSS's encodeURIComponent/decodeURIComponent.

SEMOSS's pixel pre-processor replaces every <encode> block with
Utility.encodeURIComponent(text), and QueryReactor undoes it with
Utility.decodeURIComponent.  Both are thin wrappers over java.net.URLEncoder /
URLDecoder, whose exact rules (which bytes stay literal, '+' handling, the
messages of malformed escapes) are reproduced here.
"""

_URL_SAFE = frozenset(
    b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-*_"
)


class UrlDecodeError(ValueError):
    """A malformed %-escape; the message is Java's IllegalArgumentException text."""


def java_url_encode(text):
    """Return URLEncoder.encode(text, "UTF-8"): unreserved bytes kept, space to '+'."""
    out = []
    for byte in text.encode("utf-8", "surrogatepass"):
        if byte in _URL_SAFE:
            out.append(chr(byte))
        elif byte == 0x20:
            out.append("+")
        else:
            out.append("%%%02X" % byte)
    return "".join(out)


def encode_uri_component(text):
    """Return SEMOSS Utility.encodeURIComponent(text): URLEncoder with '+' turned into %20."""
    return java_url_encode(text).replace("+", "%20")


def java_url_decode(text):
    """Return URLDecoder.decode(text, "UTF-8"), raising UrlDecodeError like Java does.

    '+' becomes a space; runs of %XX escapes are collected as bytes and decoded
    as UTF-8 with U+FFFD for malformed sequences (Java's replacement policy).
    """
    out = []
    length = len(text)
    index = 0
    while index < length:
        char = text[index]
        if char == "+":
            out.append(" ")
            index += 1
        elif char == "%":
            collected = bytearray()
            while index + 2 < length and text[index] == "%":
                collected.append(_parse_hex_byte(text[index + 1:index + 3]))
                index += 3
            if index < length and text[index] == "%":
                raise UrlDecodeError("URLDecoder: Incomplete trailing escape (%) pattern")
            out.append(collected.decode("utf-8", "replace"))
        else:
            out.append(char)
            index += 1
    return "".join(out)


def _parse_hex_byte(pair):
    """Parse two chars with Java's Integer.parseInt(pair, 16) rules (sign allowed)."""
    body = pair[1:] if pair[:1] in ("+", "-") else pair
    if not body or any(c not in "0123456789abcdefABCDEF" for c in body):
        raise UrlDecodeError(
            'URLDecoder: Illegal hex characters in escape (%%) pattern - '
            'For input string: "%s" under radix 16' % pair
        )
    value = int(pair, 16)
    if value < 0:
        raise UrlDecodeError(
            "URLDecoder: Illegal hex characters in escape (%) pattern - negative value"
        )
    return value


def decode_uri_component(text):
    """Return SEMOSS Utility.decodeURIComponent(text).

    %20 becomes '+' first (so it survives as a space), %21 %27 %28 %29 %7E are
    mapped back to their characters, then URLDecoder.decode runs.  Text that
    was never encoded is decoded anyway, exactly like on the real server.
    """
    mapped = (
        text.replace("%20", "+")
        .replace("%21", "!")
        .replace("%27", "'")
        .replace("%28", "(")
        .replace("%29", ")")
        .replace("%7E", "~")
    )
    return java_url_decode(mapped)
