"""The webhook's request path: prove it is Meta, check it is JSON, put the raw body on the queue.

Nothing else happens before the 200: no parsing into events, no analysis, no
table writes. The body is queued byte for byte (as text) so the worker sees
exactly what Meta signed. Bodies over the SQS limit, or with characters SQS
refuses, go to S3 and a pointer is queued instead. If the queue (or S3) cannot
be reached the answer is 503, and Meta retries the delivery.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.core.errors import ServiceUnavailable, Unauthorized, ValidationFailed
from chalicelib.core.http import parse_json
from chalicelib.scrm.meta import accepted_object, verify_signature
from chalicelib.scrm.payloads import PayloadStore, pointer_body

# Everything outside SQS's allowed set: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
_NOT_SQS_TEXT = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
RETRY_AFTER_SECONDS = "10"


@dataclass(frozen=True)
class Accepted:
    queued: bool  # False: a signed delivery for a product Sapa does not handle, acknowledged and dropped
    object: str | None = None
    stored: bool = False  # the body went to S3 and a pointer was queued


class Intake:
    def __init__(
        self,
        app_secret: str,
        send: Callable[[str], Any],
        payloads: Callable[[], PayloadStore],
        clock: Callable[[], datetime],
        max_inline_bytes: int,
    ) -> None:
        self._secret = app_secret
        self._send = send
        self._payloads = payloads
        self._clock = clock
        self._max_inline_bytes = max_inline_bytes

    def accept(self, raw: bytes, signature: str | None) -> Accepted:
        """Verify, validate and enqueue one delivery; raises the ApiError the route answers with."""
        if not verify_signature(raw, signature, self._secret):
            raise Unauthorized("Missing or invalid X-Hub-Signature-256")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationFailed({"body": "not valid JSON"}, "The webhook body is not JSON") from None
        payload = parse_json(text)  # depth and lone surrogates too: a 400, never a 500
        if not isinstance(payload, dict):
            raise ValidationFailed({"body": "must be a JSON object"}, "The webhook body is not a JSON object")
        kind = payload.get("object") if isinstance(payload.get("object"), str) else None
        if not accepted_object(payload):
            return Accepted(queued=False, object=kind)
        stored = len(raw) > self._max_inline_bytes or _NOT_SQS_TEXT.search(text) is not None
        try:
            body = pointer_body(self._payloads().put(raw, self._clock())) if stored else text
            self._send(body)
        except (BotoCoreError, ClientError) as error:
            code = (
                error.response.get("Error", {}).get("Code") if isinstance(error, ClientError) else type(error).__name__
            )
            raise ServiceUnavailable(
                f"The inbound queue is unavailable ({code}); retry later", headers={"Retry-After": RETRY_AFTER_SECONDS}
            ) from None
        return Accepted(queued=True, object=kind, stored=stored)
