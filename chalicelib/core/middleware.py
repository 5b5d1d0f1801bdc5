"""Chalice middleware: Powertools around every handler, JSON errors around routes."""

from __future__ import annotations

from collections.abc import Callable

from aws_lambda_powertools.logging import correlation_paths
from chalice.app import Chalice, ConvertToMiddleware, Request, Response

from chalicelib.core.errors import ApiError
from chalicelib.core.http import error_response, json_response
from chalicelib.core.observability import logger, metrics, tracer, tracing_enabled

EVENT_TYPES = ("sqs", "scheduled", "sns", "pure_lambda")


def json_errors(event: Request, get_response: Callable[[Request], Response]) -> Response:
    """Turn ApiError into its JSON 4xx and never leak a stack trace."""
    try:
        response = get_response(event)
    except ApiError as error:
        response = error_response(error)
    if response.status_code == 500 and isinstance(response.body, dict) and "Code" in response.body:
        # Chalice's own catch-all: keep the status, use Sapa's error shape.
        response = json_response({"error": "internal_error", "message": "An internal error occurred"}, status=500)
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


def register(app: Chalice) -> None:
    """Powertools first (outermost), then the error shape, for every event type."""
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
