"""Chalice middleware: Powertools around every handler, JSON errors around routes.

Every answer a route gives is Sapa's error shape `{"error", "message", "fields"?}`,
including the 405, 415 and 500 Chalice produces itself, and a request with a
query parameter its route does not read is refused by name before the
handler runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from aws_lambda_powertools.logging import correlation_paths
from chalice.app import Chalice, ConvertToMiddleware, Request, Response

from chalicelib.core.errors import ApiError, ValidationFailed
from chalicelib.core.http import error_response, json_response
from chalicelib.core.observability import logger, metrics, tracer, tracing_enabled

EVENT_TYPES = ("sqs", "scheduled", "sns", "pure_lambda")
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
    """Powertools first (outermost), then the error shape, then the query rules, for every event type."""
    app.register_middleware(
        ConvertToMiddleware(
            logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
        ),
        "http",
    )
    for event_type in EVENT_TYPES:
        app.register_middleware(ConvertToMiddleware(logger.inject_lambda_context(clear_state=True)), event_type)
    app.register_middleware(ConvertToMiddleware(metrics.log_metrics), "all")
    if tracing_enabled():
        app.register_middleware(ConvertToMiddleware(tracer().capture_lambda_handler), "all")
    app.register_middleware(json_errors, "http")
    if unknown_query is not None:
        app.register_middleware(query_rules(unknown_query), "http")
