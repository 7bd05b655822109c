"""Writes the runPixel JSON body the way SEMOSS's PixelStreamUtility does.

Keys come in SEMOSS's order (pixelId, pixelExpression, isMeta, timeToRun,
output, operationType[, additionalOutput]).  Collect data is read from the
task while writing (lazy execution, as in SEMOSS), deferred RemoveTask and
DropInsight take effect here, and top-level ids are concatenated unescaped
like the Java code does.
"""

from .javacompat import gson_dumps, gson_string
from .nouns import DROP_INSIGHT, FORMATTED_DATA_SET, QUERY_STRUCT, REMOVE_TASK, TASK
from .tasks import TaskError, page_values_text


class _HugeCellFault:
    """Applies a huge_cell fault to the first Collect page of the response."""

    def __init__(self, rule):
        """rule is the selected huge_cell FaultRule, or None."""
        self.rule = rule

    def apply(self, page):
        """Replace the page's first string cell once."""
        if self.rule is not None and page.row_count:
            page.replace_first_string_cell("x" * int(self.rule.params["bytes"]))
            self.rule = None


def render_pixel_response(run, context):
    """Return the complete JSON text of a runPixel response."""
    huge_cell = _HugeCellFault(context.faults.get("huge_cell"))
    parts = ['{"insightID":"', context.insight.id, '","pixelReturn":[']
    for index, entry in enumerate(run.entries):
        if index:
            parts.append(",")
        parts.append(_render_entry(entry, context, huge_cell))
    parts.append("]}")
    return "".join(parts)


def _render_entry(entry, context, huge_cell):
    """One pixelReturn object."""
    head = '{"pixelId":"%s","pixelExpression":%s,"isMeta":%s,"timeToRun":%d,' % (
        entry.pixel_id, gson_string(entry.expression), "true" if entry.is_meta else "false",
        entry.time_to_run)
    return head + _render_noun(entry.noun, context, huge_cell) + "}"


def _render_noun(noun, context, huge_cell):
    """The "output":..,"operationType":.. part (plus additionalOutput when present)."""
    if noun.noun_type == FORMATTED_DATA_SET:
        return _render_collect(noun, huge_cell)
    if noun.noun_type == DROP_INSIGHT:
        _drop_insight(context)
        return '"output":true,"operationType":["DROP_INSIGHT"]'
    if noun.noun_type == REMOVE_TASK:
        if context.insight.remove_task(noun.value) is None:
            return ('"output":{"taskId":"Could not find task id = %s"},"operationType":["ERROR"]'
                    % noun.value)
        return '"output":{"taskId":"%s"},"operationType":%s' % (noun.value, gson_dumps(noun.op_types))
    text = '"output":%s,"operationType":%s' % (gson_dumps(_output_value(noun)),
                                               gson_dumps(noun.op_types))
    if noun.additional:
        text += ',"additionalOutput":[%s]' % ",".join(
            "{" + _render_noun(extra, context, huge_cell) + "}" for extra in noun.additional)
    return text


def _render_collect(noun, huge_cell):
    """Read the task's next page and print data, task meta and taskId."""
    task = noun.value
    try:
        page = task.collect(task.num_collect)
    except TaskError as error:
        return '"output":%s,"operationType":["ERROR"]' % gson_string(str(error))
    huge_cell.apply(page)
    headers = gson_dumps(page.headers)
    return ('"output":{"data":{"values":%s,"headers":%s,"rawHeaders":%s},%s,"taskId":"%s"},'
            '"operationType":%s' % (page_values_text(page), headers, headers,
                                    task.meta_json(page), task.id, gson_dumps(noun.op_types)))


def _drop_insight(context):
    """InsightUtility.dropInsight: remove the insight and close its tasks."""
    insight = context.insight
    if insight.temporary:
        insight.close_all_tasks()
    else:
        context.insights.drop(insight.id)


def _output_value(noun):
    """The value Gson prints for nouns that are not plain JSON values."""
    if noun.noun_type == QUERY_STRUCT:
        query = noun.value
        return {"qsType": query.qs_type, "engineName": query.engine_id, "query": query.query}
    if noun.noun_type == TASK:
        return {"taskId": noun.value.id}
    return noun.value
