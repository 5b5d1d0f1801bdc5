"""One POST to Meta's Graph API, as both Meta adapters (WhatsApp, Messenger/Instagram) make it.

No retries and no redirects here: the worker owns retrying, with backoff on
the SQS message. Only codes and Graph's trace id are logged, never who or what.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import urllib3
from urllib3.exceptions import ConnectTimeoutError, HTTPError, MaxRetryError, ReadTimeoutError, SSLError

from chalicelib.core.observability import logger
from chalicelib.outbound.provider import ProviderError, SendResult
from chalicelib.outbound.whatsapp_errors import no_message_id, transport_error


def transport_code(error: Exception) -> str:
    """connection_failed: nothing was sent; timeout / connection_lost: Graph may have accepted it."""
    if isinstance(error, MaxRetryError) and error.reason is not None:
        return transport_code(error.reason)
    if isinstance(error, (ConnectTimeoutError, SSLError)):
        return "connection_failed"
    if isinstance(error, ReadTimeoutError):
        return "timeout"
    return "connection_lost"


def json_object(data: bytes | None) -> dict[str, Any] | None:
    if not data:
        return None
    try:
        parsed = json.loads(data)
    except (UnicodeDecodeError, ValueError):
        return None
    return parsed if isinstance(parsed, dict) else None


def refused(error: ProviderError, what: str, kind: str) -> ProviderError:
    log = logger.warning if error.alert else logger.info
    log(
        f"{what} not accepted",
        extra={
            "kind": kind,
            "code": error.code,
            "disposition": error.disposition.value,
            "http_status": error.http_status,
            "fbtrace_id": error.trace_id,
            "alert": error.alert,
        },
    )
    return error


def post(
    http: urllib3.PoolManager,
    url: str,
    token: str,
    payload: dict[str, Any],
    *,
    timeout: urllib3.Timeout,
    kind: str,
    what: str,
    classify: Callable[[int, dict[str, Any] | None], ProviderError],
    provider_id: Callable[[dict[str, Any] | None], str | None],
) -> SendResult:
    """Send, and return the provider's id only when Graph accepted the message."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    try:
        response = http.request("POST", url, body=body, headers=headers, timeout=timeout, retries=False, redirect=False)
    except (HTTPError, OSError) as error:
        raise refused(transport_error(transport_code(error)), what, kind) from error
    parsed = json_object(response.data)
    if 200 <= response.status < 300:
        accepted = provider_id(parsed)
        if accepted is None:
            raise refused(no_message_id(response.status), what, kind)
        logger.debug(f"{what} accepted", extra={"kind": kind, "provider_id": accepted})
        return SendResult(provider_id=accepted)
    raise refused(classify(response.status, parsed), what, kind)
