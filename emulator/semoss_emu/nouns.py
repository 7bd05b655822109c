"""Values passed between reactors (SEMOSS's NounMetadata) and pixel errors."""

from dataclasses import dataclass, field
from typing import List


# Noun types (PixelDataType names) used by the emulator.
CONST_INT = "CONST_INT"
CONST_DECIMAL = "CONST_DECIMAL"
CONST_STRING = "CONST_STRING"
BOOLEAN = "BOOLEAN"
NULL_VALUE = "NULL_VALUE"
VECTOR = "VECTOR"
MAP = "MAP"
QUERY_STRUCT = "QUERY_STRUCT"
TASK = "TASK"
FORMATTED_DATA_SET = "FORMATTED_DATA_SET"
REMOVE_TASK = "REMOVE_TASK"
DROP_INSIGHT = "DROP_INSIGHT"
CUSTOM_DATA_STRUCTURE = "CUSTOM_DATA_STRUCTURE"
ERROR = "ERROR"


@dataclass
class Noun:
    """A reactor result: value, noun type, operationType list and additional outputs."""

    value: object
    noun_type: str
    op_types: List[str] = field(default_factory=lambda: ["OPERATION"])
    additional: List["Noun"] = field(default_factory=list)


@dataclass
class QueryStruct:
    """What Database | Query build: the engine and, once Query ran, the raw SQL."""

    engine_id: str
    query: str = None

    @property
    def qs_type(self):
        """ENGINE before Query(...) set a raw query, RAW_ENGINE_QUERY after."""
        return "ENGINE" if self.query is None else "RAW_ENGINE_QUERY"


class PixelError(Exception):
    """A routine failed; the message becomes the entry's output."""

    def __init__(self, message, op_types=None):
        """Keep the message and the operationType list (default ["ERROR"])."""
        super().__init__(message)
        self.message = message
        self.op_types = op_types or ["ERROR"]
