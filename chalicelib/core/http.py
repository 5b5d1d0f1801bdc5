"""Request parsing and response shaping shared by every blueprint."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, TypeVar

from chalice.app import Request, Response

from chalicelib.core.errors import ApiError, ValidationFailed, pydantic_fields

DEFAULT_LIMIT = 50
MAX_LIMIT = 500

M = TypeVar("M")


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(value: Any) -> str:
    return json.dumps(value, default=_default, ensure_ascii=False, separators=(",", ":"))


def json_response(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    merged = {"Content-Type": "application/json"}
    merged.update(headers or {})
    return Response(body=dumps(body), status_code=status, headers=merged)


def error_response(error: ApiError) -> Response:
    return json_response(error.body(), status=error.status, headers=error.headers)


def raw_body(request: Request) -> bytes:
    body = request.raw_body
    if body is None:
        return b""
    return body if isinstance(body, bytes) else str(body).encode()


def json_body(request: Request) -> Any:
    """The request's JSON body, or a 400 that says why it is not JSON."""
    raw = raw_body(request)
    if not raw.strip():
        raise ValidationFailed({"body": "a JSON body is required"})
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, ValueError) as error:
        raise ValidationFailed({"body": f"not valid JSON: {error}"}) from None


def json_object(request: Request) -> dict[str, Any]:
    body = json_body(request)
    if not isinstance(body, dict):
        raise ValidationFailed({"body": "must be a JSON object"})
    return body


def parse_model(model: type[M], data: Any) -> M:
    """Validate data with a pydantic model; errors become a 400 naming each field."""
    from pydantic import ValidationError

    try:
        return model.model_validate(data)  # type: ignore[attr-defined, no-any-return]
    except ValidationError as error:
        raise ValidationFailed(pydantic_fields(error)) from None


def query(request: Request) -> dict[str, str]:
    return dict(request.query_params or {})


def limit_param(params: Mapping[str, str], default: int = DEFAULT_LIMIT, maximum: int = MAX_LIMIT) -> int:
    raw = params.get("limit")
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationFailed({"limit": "must be an integer"}) from None
    if not 1 <= value <= maximum:
        raise ValidationFailed({"limit": f"must be between 1 and {maximum}"})
    return value


def encode_cursor(last_key: Mapping[str, Any] | None) -> str | None:
    """An opaque cursor from DynamoDB's LastEvaluatedKey."""
    if not last_key:
        return None
    return base64.urlsafe_b64encode(dumps(last_key).encode()).decode().rstrip("=")


def decode_cursor(params: Mapping[str, str]) -> dict[str, Any] | None:
    raw = params.get("cursor")
    if not raw:
        return None
    try:
        padded = raw + "=" * (-len(raw) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed({"cursor": "is not a cursor this API returned"}) from None
    if not isinstance(value, dict) or not all(isinstance(v, (str, int, float)) for v in value.values()):
        raise ValidationFailed({"cursor": "is not a cursor this API returned"})
    return value


def page(items: list[Any], last_key: Mapping[str, Any] | None) -> dict[str, Any]:
    """The one list shape every endpoint answers with."""
    return {"items": items, "next": encode_cursor(last_key)}
