"""Request parsing and response shaping shared by every blueprint.

Every body is hostile until parsed here: JSON nested deeper than any Sapa
request needs, or text that is not valid Unicode (a lone surrogate such as
"\\ud800", which DynamoDB cannot store), is a 400 naming where it is, never
a 500 from deep inside a handler. Cursors are opaque and tamper-evident: an
HMAC over the key and the list it belongs to, so a cursor made up, edited,
or taken from another list is a 400 and never reaches DynamoDB.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, TypeVar

from chalice.app import Request, Response

from chalicelib.core.errors import ApiError, ValidationFailed, pydantic_fields

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_DEPTH = 32
"""Deepest nesting any request body may have (a segment filter is the deepest Sapa takes)."""
_CURSOR_SIGNATURE_BYTES = 12

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


def parse_json(raw: bytes | str, where: str = "body") -> Any:
    """JSON from untrusted bytes, or ValidationFailed naming the problem (depth, surrogates, syntax)."""
    try:
        value = json.loads(raw)
    except RecursionError:
        raise ValidationFailed({where: f"nested deeper than {MAX_DEPTH} levels"}) from None
    except (UnicodeDecodeError, ValueError) as error:
        raise ValidationFailed({where: f"not valid JSON: {error}"}) from None
    problem = hostile_part(value)
    if problem:
        raise ValidationFailed({problem[0] if problem[0] != "$" else where: problem[1]})
    return value


def hostile_part(value: Any) -> tuple[str, str] | None:
    """(path, problem) of the first part of a parsed JSON value Sapa will not take, or None.

    Iterative, so a hostile depth cannot exhaust the stack here either.
    """
    stack: list[tuple[str, Any, int]] = [("$", value, 0)]
    while stack:
        path, node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return path, f"nested deeper than {MAX_DEPTH} levels"
        if isinstance(node, str):
            if not _valid_text(node):
                return path, "is not valid Unicode text (a lone surrogate)"
        elif isinstance(node, dict):
            for key, child in node.items():
                if not _valid_text(str(key)):
                    return path, "has a key that is not valid Unicode text"
                stack.append((str(key) if path == "$" else f"{path}.{key}", child, depth + 1))
        elif isinstance(node, list):
            stack.extend((f"{path}[{index}]", child, depth + 1) for index, child in enumerate(node))
    return None


def _valid_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def json_body(request: Request) -> Any:
    """The request's JSON body, or a 400 that says why it is not JSON."""
    raw = raw_body(request)
    if not raw.strip():
        raise ValidationFailed({"body": "a JSON body is required"})
    return parse_json(raw)


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


def _cursor_secret() -> bytes:
    from chalicelib.core import settings

    return settings.current().secret("SAPA_SIGNING_SECRET").encode()


def _scope(request: Request | str | None) -> str:
    """The list a cursor belongs to: the route's resource path."""
    if isinstance(request, str) or request is None:
        return request or ""
    return str((request.context or {}).get("resourcePath") or request.path or "")


def _cursor_signature(payload: bytes, scope: str) -> bytes:
    message = b"cursor:" + scope.encode() + b":" + payload
    return hmac.new(_cursor_secret(), message, hashlib.sha256).digest()[:_CURSOR_SIGNATURE_BYTES]


def encode_cursor(last_key: Mapping[str, Any] | None, scope: Request | str | None = None) -> str | None:
    """An opaque, signed cursor from DynamoDB's LastEvaluatedKey, valid only for the list it came from."""
    if not last_key:
        return None
    payload = dumps(last_key).encode()
    signature = _cursor_signature(payload, _scope(scope))
    return ".".join(base64.urlsafe_b64encode(part).decode().rstrip("=") for part in (payload, signature))


def decode_cursor(params: Mapping[str, str], scope: Request | str | None = None) -> dict[str, Any] | None:
    raw = params.get("cursor")
    if not raw:
        return None
    invalid = ValidationFailed({"cursor": "is not a cursor this list returned"})
    try:
        payload_text, signature_text = raw.split(".", 1)
        payload, signature = (base64.urlsafe_b64decode(t + "=" * (-len(t) % 4)) for t in (payload_text, signature_text))
    except (ValueError, UnicodeEncodeError):
        raise invalid from None
    if not hmac.compare_digest(signature, _cursor_signature(payload, _scope(scope))):
        raise invalid
    try:
        value = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        raise invalid from None
    if not isinstance(value, dict) or not all(isinstance(v, (str, int, float)) for v in value.values()):
        raise invalid
    return value


def page(items: list[Any], last_key: Mapping[str, Any] | None, scope: Request | str | None = None) -> dict[str, Any]:
    """The one list shape every endpoint answers with."""
    return {"items": items, "next": encode_cursor(last_key, scope)}
