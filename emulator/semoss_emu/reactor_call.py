"""What a reactor receives: its inputs, the piped result and the request context."""

from dataclasses import dataclass, field
from typing import Dict, List, Optional

from .javacompat import java_double_to_string
from .nouns import Noun, PixelError


@dataclass
class PixelContext:
    """Services and state shared by the routines of one runPixel call."""

    login: object
    insight: object
    engines: object
    insights: object
    stats: object
    faults: object


@dataclass
class ReactorCall:
    """One reactor invocation: positional inputs (curRow), named inputs and the pipe."""

    context: PixelContext
    positional: List[Noun] = field(default_factory=list)
    named: Dict[str, List[Noun]] = field(default_factory=dict)
    piped: Optional[Noun] = None

    @property
    def user(self):
        """The configured user running the pixel."""
        return self.context.login.user

    def named_values(self, key):
        """The values given as key=[...] (empty list when absent)."""
        return [noun.value for noun in self.named.get(key, [])]

    def key_value(self, key, index):
        """organizeKeys(): key=[v] wins, else the positional input at index; as a Java string."""
        if self.named.get(key):
            return java_to_string(self.named[key][0].value)
        if len(self.positional) > index:
            return java_to_string(self.positional[index].value)
        return None

    def named_string(self, key):
        """The first key=[v] value as a Java string, or None when the key is absent."""
        if self.named.get(key):
            return java_to_string(self.named[key][0].value)
        return None

    def positional_value(self, index):
        """curRow.get(index); a missing input fails like Vector.get does."""
        if len(self.positional) <= index:
            raise PixelError("Array index out of range: %d" % index)
        return self.positional[index].value

    def piped_of_type(self, *noun_types):
        """The piped noun when it has one of noun_types, else None."""
        if self.piped is not None and self.piped.noun_type in noun_types:
            return self.piped
        return None


def java_to_string(value):
    """String.valueOf(value) for the values pixels produce."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        return java_double_to_string(value)
    return str(value)


def java_parse_boolean(value):
    """Boolean.parseBoolean(String.valueOf(value))."""
    return java_to_string(value).lower() == "true"
