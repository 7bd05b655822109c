"""Reactors for querying and changing data: Database, Query, Collect, Task,
RemoveTask, ExecQuery and DropInsight, with SEMOSS's messages."""

from .engines import EngineError
from .nouns import (BOOLEAN, DROP_INSIGHT, FORMATTED_DATA_SET, MAP, QUERY_STRUCT,
                    REMOVE_TASK, TASK, Noun, PixelError, QueryStruct)
from .reactor_call import java_parse_boolean, java_to_string
from .urlcodec import UrlDecodeError, decode_uri_component

DEFAULT_COLLECT_LIMIT = 500


def database_reactor(call):
    """Database(database=["id or name"]): resolve the alias and check view permission."""
    requested = call.key_value("database", 0) or "null"
    engine_id = call.context.engines.resolve_alias(requested, call.user)
    engine = call.context.engines.get(engine_id)
    if engine is None or not call.user.can_view(engine_id):
        raise PixelError("Database %s does not exist or user does not have access to database"
                         % engine_id)
    engine.capture_catalog()
    return Noun(QueryStruct(engine_id), QUERY_STRUCT)


def query_reactor(call):
    """Query("<encode>sql</encode>"): URL-decode the text and attach it to the piped query."""
    raw = call.key_value("query", 0)
    if raw is None:
        raise PixelError(None)
    try:
        sql = decode_uri_component(raw)
    except UrlDecodeError as error:
        raise PixelError(str(error)) from None
    piped = call.piped_of_type(QUERY_STRUCT)
    engine_id = piped.value.engine_id if piped is not None else None
    return Noun(QueryStruct(engine_id, sql), QUERY_STRUCT)


def collect_reactor(call):
    """Collect(n): create a task from the piped query, or continue a piped task."""
    limit = _collect_limit(call)
    task = _input_task(call)
    if task is None:
        query = call.piped_of_type(QUERY_STRUCT)
        if query is None:
            raise PixelError("Could not find a task or a query to collect from")
        task = _new_task(call, query.value)
    task.num_collect = limit
    return Noun(task, FORMATTED_DATA_SET, ["TASK_DATA"])


def _collect_limit(call):
    """limit=[n], else the first numeric positional input, else 500 (Number.intValue())."""
    if call.named.get("limit"):
        value = call.named["limit"][0].value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise PixelError("class java.lang.%s cannot be cast to class java.lang.Number"
                             % _java_class_name(value))
        return _int_value(value)
    for noun in call.positional:
        if isinstance(noun.value, (int, float)) and not isinstance(noun.value, bool):
            return _int_value(noun.value)
    return DEFAULT_COLLECT_LIMIT


def _int_value(number):
    """Java Number.intValue(): truncate toward zero, wrap to 32 bits."""
    truncated = int(number)
    return (truncated + 2 ** 31) % 2 ** 32 - 2 ** 31


def _java_class_name(value):
    """The simple Java class name of a pixel value (for ClassCastException texts)."""
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, str):
        return "String"
    if isinstance(value, list):
        return "Vector"
    return "Object"


def _input_task(call):
    """A task piped in (Task(..) | Collect) or given positionally, else None."""
    piped = call.piped_of_type(TASK, FORMATTED_DATA_SET)
    if piped is not None:
        return piped.value
    for noun in call.positional:
        if noun.noun_type in (TASK, FORMATTED_DATA_SET):
            return noun.value
    return None


def _new_task(call, query):
    """Store a new task for a raw engine query in the insight."""
    if query.engine_id is None:
        raise PixelError("Query(...) must follow Database(...): frame queries are not emulated")
    if query.query is None:
        raise PixelError("Only raw queries are emulated: use Database(...) | Query(...) | Collect(n)")
    engine = call.context.engines.get(query.engine_id)
    return call.context.insight.new_task(engine, query.query, call.context.stats)


def task_reactor(call):
    """Task("taskN"): the stored task (its id is read positionally)."""
    task_id = java_to_string(call.positional_value(0))
    task = call.context.insight.get_task(task_id)
    if task is None:
        raise PixelError("Could not find task with id = " + task_id)
    return Noun(task, TASK, ["TASK"])


def remove_task_reactor(call):
    """RemoveTask("taskN"[, dropNow]): close now, or when the response is written."""
    first = call.positional_value(0)
    task_id = first.id if call.positional[0].noun_type in (TASK, FORMATTED_DATA_SET) \
        else java_to_string(first)
    if call.context.insight.get_task(task_id) is None:
        raise PixelError("Could not find task id = " + task_id)
    drop_now = len(call.positional) > 1 and java_parse_boolean(call.positional[1].value)
    if drop_now:
        call.context.insight.remove_task(task_id)
        return Noun({"taskId": task_id}, MAP, ["REMOVE_TASK"])
    return Noun(task_id, REMOVE_TASK, ["REMOVE_TASK"])


def exec_query_reactor(call):
    """Database | Query | ExecQuery(commit=[..]): run DML/DDL, always committed."""
    piped = call.piped_of_type(QUERY_STRUCT)
    if piped is None:
        raise PixelError("Input to exec query requires a query struct")
    query = piped.value
    if query.engine_id is None:
        raise PixelError("Query update/deletes only works for sql frames")
    if not call.user.can_edit(query.engine_id):
        raise PixelError("User does not have permission to exec query for this app")
    if query.query is None:
        raise PixelError("Only raw queries are emulated: use Database(...) | Query(...) | ExecQuery()")
    engine = call.context.engines.get(query.engine_id)
    call.context.stats.record_sql(engine.id, "exec", query.query)
    try:
        engine.execute_update(query.query)
    except EngineError as error:
        message = "An error occurred trying to execute the query in the database"
        if str(error):
            message += ": " + str(error)
        raise PixelError(message) from None
    noun = Noun(True, BOOLEAN, ["ALTER_DATABASE"])
    success = call.named_values("customSuccessMessage")
    if success:
        noun.additional.append(Noun(java_to_string(success[0]), "CONST_STRING", ["SUCCESS"]))
    return noun


def drop_insight_reactor(_call):
    """DropInsight(): the insight is dropped when the response is written."""
    return Noun(True, DROP_INSIGHT, ["DROP_INSIGHT"])


QUERY_REACTORS = {
    "Database": database_reactor,
    "Query": query_reactor,
    "Collect": collect_reactor,
    "Task": task_reactor,
    "RemoveTask": remove_task_reactor,
    "ExecQuery": exec_query_reactor,
    "DropInsight": drop_insight_reactor,
}
