"""Errors a client can act on, and how they become JSON responses.

Every 4xx Sapa returns has the same body: `{"error": code, "message": text}`
plus `"fields": {name: problem}` when input was invalid, so integrations can
show the user exactly what to fix. Anything unexpected becomes a plain 500
without a stack trace; the trace goes to the (masked) log instead.
"""

from __future__ import annotations

from typing import Any

from chalice.app import ChaliceUnhandledError


class ApiError(ChaliceUnhandledError):
    """Chalice lets this subclass reach middleware, where it becomes JSON."""

    status = 400
    code = "bad_request"

    def __init__(
        self, message: str, *, fields: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return body


class ValidationFailed(ApiError):
    status = 400
    code = "validation_error"

    def __init__(self, fields: dict[str, str], message: str = "Some fields are invalid") -> None:
        super().__init__(message, fields=fields)


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"


class Forbidden(ApiError):
    status = 403
    code = "forbidden"


class NotFound(ApiError):
    status = 404
    code = "not_found"


class Conflict(ApiError):
    status = 409
    code = "conflict"


class Unprocessable(ApiError):
    """Well-formed, but it cannot be done as asked (an Idempotency-Key reused for a different request)."""

    status = 422
    code = "unprocessable"


class PayloadTooLarge(ApiError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(ApiError):
    status = 415
    code = "unsupported_media_type"


class ServiceUnavailable(ApiError):
    status = 503
    code = "unavailable"


PYDANTIC_MESSAGES = {"missing": "required", "extra_forbidden": "unknown field"}
"""Pydantic's wording for the two commonest problems, in the words Sapa's other validators use."""


NAME_PART_MAX = 50
"""A client's key longer than this is shortened where an error names it (error bodies end up in logs)."""


def _name_part(part: Any) -> str:
    text = str(part)
    return text if len(text) <= NAME_PART_MAX else text[: NAME_PART_MAX - 3] + "..."


def pydantic_fields(error: Any) -> dict[str, str]:
    """Flatten a pydantic ValidationError into {"a.b": "problem"}."""
    fields: dict[str, str] = {}
    for item in error.errors(include_url=False, include_input=False):
        name = ".".join(_name_part(part) for part in item.get("loc", ())) or "body"
        message = PYDANTIC_MESSAGES.get(str(item.get("type")), str(item.get("msg", "invalid")))
        fields.setdefault(name, message.removeprefix("Value error, "))
    return fields
