"""How selected fault rules turn into HTTP responses or damage real ones."""

from .http_types import Response, error_map_response, tomcat_error_page

CSRF_HEADER = "X-CSRF-Token"


def canned_fault_response(plan):
    """A response replacing the request entirely (no filters, no resource), or None."""
    if plan.get("reset") is not None:
        return Response(0, reset_connection=True)
    trickle = plan.get("trickle")
    if trickle is not None:
        return Response(200, b'{"insightID":"', "application/json;charset=utf-8",
                        trickle_seconds=float(trickle.params["seconds"]))
    status = plan.get("status")
    if status is not None:
        return Response(int(status.params["status"]), str(status.params["body"]).encode("utf-8"),
                        str(status.params["content_type"]))
    if plan.get("csrf_required") is not None:
        return tomcat_error_page(403, "CSRF nonce validation failed", [(CSRF_HEADER, "Required")])
    if plan.get("insight_not_found") is not None:
        return error_map_response(400, "Could not find the insight id", "INSIGHT_NOT_FOUND")
    non_json = plan.get("non_json")
    if non_json is not None:
        return Response(200, str(non_json.params["body"]).encode("utf-8"), "text/html;charset=utf-8")
    return None


def damage_body(response, plan):
    """Apply body-damaging faults to a real response: truncation and invalid UTF-8."""
    if plan.get("truncated_json") is not None:
        response.body = response.body[:len(response.body) // 2]
    if plan.get("invalid_utf8") is not None:
        response.body = _inject_invalid_utf8(response.body)


def _inject_invalid_utf8(body):
    """Insert bytes that are not UTF-8 right after the opening quote of the first string value."""
    marker = body.find(b'":"')
    if marker < 0:
        return body + b"\xff\xfe"
    position = marker + 3
    return body[:position] + b"\xff\xfe\xc3" + body[position:]
