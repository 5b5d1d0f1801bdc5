"""Chalice middleware: Powertools and correlation ids around every handler, JSON errors around routes.

Every log line of an invocation carries the X-Ray trace id (Powertools reads
`_X_AMZN_TRACE_ID`, which Lambda sets per invocation) and a correlation id:
the API Gateway request id, the EventBridge event id, the SNS message id or
the SQS message ids of the batch (see `correlation_id`).

Every answer a route gives is Sapa's error shape `{"error", "message", "fields"?}`,
including the 405, 415 and 500 Chalice produces itself, and a request with a
query parameter its route does not read is refused by name before the
handler runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from chalice.app import Chalice, ConvertToMiddleware, Request, Response

from chalicelib.core.errors import ApiError, ValidationFailed
from chalicelib.core.http import error_response, json_response
from chalicelib.core.observability import logger, metrics

EVENT_TYPES = ("sqs", "scheduled", "sns", "pure_lambda", "websocket")
CHALICE_ERRORS = {
    "BadRequestError": "bad_request",
    "UnauthorizedError": "unauthorized",
    "ForbiddenError": "forbidden",
    "NotFoundError": "not_found",
    "MethodNotAllowedError": "method_not_allowed",
    "RequestTimeoutError": "timeout",
    "ConflictError": "conflict",
    "UnprocessableEntityError": "unprocessable",
    "UnsupportedMediaType": "unsupported_media_type",
    "TooManyRequestsError": "too_many_requests",
}
UnknownQuery = Callable[[str, str, Mapping[str, str] | None], list[str]]
Middleware = Callable[[Any, Callable[[Any], Any]], Any]


def _trace_root(header: object) -> str | None:
    """The Root of an X-Ray trace header (`Root=1-…;Parent=…;Sampled=1`)."""
    for part in str(header or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == "Root" and value:
            return value
    return None


def correlation_id(event_type: str, event: Mapping[str, Any], request_id: str | None) -> str | None:
    """What ties this invocation's log lines to what triggered it; the Lambda request id when nothing does.

    http: API Gateway's request id (in its access logs and the `x-amzn-requestid` answer header);
    scheduled: the EventBridge event id; sns: the message id; sqs: the message ids of the batch, comma-joined.
    """
    found: str | None = None
    records = event.get("Records") if isinstance(event.get("Records"), list) else []
    if event_type == "http":
        context = event.get("requestContext")
        found = context.get("requestId") if isinstance(context, Mapping) else None
    elif event_type == "scheduled":
        found = event.get("id")
    elif event_type == "sns" and records:
        found = (records[0].get("Sns") or {}).get("MessageId")
    elif event_type == "sqs" and records:
        found = ",".join(str(r["messageId"]) for r in records if r.get("messageId")) or None
    return str(found) if found else request_id


def linked_trace_ids(event: Mapping[str, Any]) -> list[str]:
    """The traces that queued these SQS messages (their AWSTraceHeader), in order, without repeats."""
    roots: list[str] = []
    for record in event.get("Records") or []:
        root = _trace_root(((record or {}).get("attributes") or {}).get("AWSTraceHeader"))
        if root and root not in roots:
            roots.append(root)
    return roots


def correlate(event_type: str) -> Middleware:
    """Set the correlation id (and, for SQS, the producers' trace ids) on every log line of the invocation."""

    def middleware(event: Any, get_response: Callable[[Any], Any]) -> Any:
        if isinstance(event, Request):
            raw, context = event.to_original_event(), event.lambda_context
        else:
            raw, context = event.to_dict(), event.context
        raw = raw if isinstance(raw, Mapping) else {}
        logger.set_correlation_id(correlation_id(event_type, raw, getattr(context, "aws_request_id", None)))
        if event_type == "sqs":
            linked = linked_trace_ids(raw)
            if linked:
                logger.append_keys(linked_trace_ids=linked)
        return get_response(event)

    return middleware


def sapa_shape(response: Response) -> Response:
    """Chalice's own error bodies ({"Code", "Message"}) in Sapa's shape, status kept; a 500 says nothing more."""
    body = response.body
    if response.status_code < 400 or not isinstance(body, dict) or "Code" not in body:
        return response
    if response.status_code >= 500:
        return json_response({"error": "internal_error", "message": "An internal error occurred"}, status=500)
    code = CHALICE_ERRORS.get(str(body.get("Code")), "bad_request")
    return json_response({"error": code, "message": str(body.get("Message") or code)}, status=response.status_code)


def query_rules(unknown: UnknownQuery) -> Callable[[Request, Callable[[Request], Response]], Response]:
    """Refuse, by name, query parameters a route does not read (a typo must not widen a list)."""

    def check(event: Request, get_response: Callable[[Request], Response]) -> Response:
        path = str((event.context or {}).get("resourcePath") or "")
        names = unknown(event.method, path, event.query_params)
        if names:
            return error_response(
                ValidationFailed(dict.fromkeys(names, "unknown query parameter"), "This route does not take these")
            )
        return get_response(event)

    return check


def json_errors(event: Request, get_response: Callable[[Request], Response]) -> Response:
    """Turn ApiError into its JSON 4xx and never leak a stack trace."""
    try:
        response = get_response(event)
    except ApiError as error:
        response = error_response(error)
    response = sapa_shape(response)
    # One access line per request; the formatter masks phone numbers and e-mails in the query.
    logger.info(
        "request",
        extra={
            "method": event.method,
            "path": event.context.get("resourcePath") if event.context else None,
            "query": dict(event.query_params) if event.query_params else None,
            "status": response.status_code,
        },
    )
    return response


def register(app: Chalice, unknown_query: UnknownQuery | None = None) -> None:
    """Powertools' Lambda context first (outermost), then the correlation id, metrics, the error shape
    and the query rules. Tracing is Lambda's own (active tracing in the deployed stages): nothing to wrap."""
    for event_type in ("http", *EVENT_TYPES):
        app.register_middleware(ConvertToMiddleware(logger.inject_lambda_context(clear_state=True)), event_type)
        app.register_middleware(correlate(event_type), event_type)
    app.register_middleware(ConvertToMiddleware(metrics.log_metrics), "all")
    app.register_middleware(json_errors, "http")
    if unknown_query is not None:
        app.register_middleware(query_rules(unknown_query), "http")
