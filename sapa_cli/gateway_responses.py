"""What API Gateway itself answers, before any Sapa function runs, in Sapa's error shape.

API Gateway answers some requests on its own: a path or method the API does not
have (as a 403 "Missing Authentication Token", or "Authorization header requires
'Credential'" when the request carries a token), a refused or failed
authorizer, a body over its limit, throttling. Left alone those bodies are
`{"message": ...}` and the unknown route is a 403, which tells an integrator
nothing. Each answer here becomes an `AWS::ApiGateway::GatewayResponse` in the
packaged template, and the local API server (`sapa_cli.local.api_server`) gives
the same status and body, so a client sees one shape everywhere:
`{"error": code, "message": text}`.

Bodies are fixed text: a gateway response template that echoed the path would
let a crafted URL break the JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

JSON = "application/json"


@dataclass(frozen=True)
class GatewayAnswer:
    """One of API Gateway's response types, with the status and Sapa body it answers with."""

    response_type: str
    status: int | None  # None keeps the status API Gateway chose (the DEFAULT_* catch-alls)
    error: str
    message: str

    def body(self) -> dict[str, str]:
        return {"error": self.error, "message": self.message}

    def template(self) -> str:
        """The response mapping template: the body as JSON text (no Velocity variables: see the module doc)."""
        return json.dumps(self.body(), ensure_ascii=False)


UNKNOWN_ROUTE = GatewayAnswer(
    "MISSING_AUTHENTICATION_TOKEN",
    404,
    "not_found",
    "No such route: this method and path are not part of Sapa's API",
)
UNAUTHORIZED = GatewayAnswer(
    "UNAUTHORIZED",
    401,
    "unauthorized",
    "A valid staff token is required: send it as 'Authorization: Bearer <token>'",
)
ACCESS_DENIED = GatewayAnswer(
    "ACCESS_DENIED",
    403,
    "forbidden",
    "This staff token is not allowed to do this",
)
AUTHORIZER_FAILED = GatewayAnswer(
    "AUTHORIZER_FAILURE",
    500,
    "internal_error",
    "The staff token could not be checked; try again",
)
TOO_LARGE = GatewayAnswer(
    "REQUEST_TOO_LARGE",
    413,
    "payload_too_large",
    "The request is larger than the API accepts",
)
THROTTLED = GatewayAnswer(
    "THROTTLED",
    429,
    "too_many_requests",
    "Too many requests; slow down and retry",
)
DEFAULT_4XX = GatewayAnswer(
    "DEFAULT_4XX",
    None,
    "bad_request",
    "The API refused this request before it reached Sapa",
)
DEFAULT_5XX = GatewayAnswer(
    "DEFAULT_5XX",
    None,
    "internal_error",
    "An internal error occurred",
)

ANSWERS: tuple[GatewayAnswer, ...] = (
    UNKNOWN_ROUTE,
    UNAUTHORIZED,
    ACCESS_DENIED,
    AUTHORIZER_FAILED,
    TOO_LARGE,
    THROTTLED,
    DEFAULT_4XX,
    DEFAULT_5XX,
)


def answer_for_status(status: int) -> GatewayAnswer:
    """The answer the local server gives for a status chalice local raised on its own."""
    for answer in ANSWERS:
        if answer.status == status:
            return answer
    return DEFAULT_5XX if status >= 500 else DEFAULT_4XX
