"""Webhook bodies too big for an SQS message: kept in S3, with a small pointer on the queue.

The object key is the body's SHA-256, so Meta's retries of the same delivery
overwrite one object instead of piling up copies. The worker deletes the
object once the delivery's events are stored (they are what erasure can
find); the bucket's lifecycle rule expires what a failing delivery leaves
within three days. The pointer is a JSON object no Meta delivery can look like.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

POINTER_KEY = "sapa_payload_ref"


class PayloadStore:
    def __init__(self, s3: Any, bucket: str) -> None:
        self.s3 = s3
        self.bucket = bucket

    @property
    def missing(self) -> type[Exception]:
        """The exception `get` raises for a body that is no longer there."""
        return self.s3.exceptions.NoSuchKey  # type: ignore[no-any-return]

    def put(self, raw: bytes, now: datetime) -> dict[str, Any]:
        digest = hashlib.sha256(raw).hexdigest()
        key = f"meta/{now:%Y/%m/%d}/{digest}.json"
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=raw, ContentType="application/json")
        return {"bucket": self.bucket, "key": key, "sha256": digest, "bytes": len(raw)}

    def get(self, pointer: dict[str, Any]) -> bytes:
        body = self.s3.get_object(Bucket=pointer["bucket"], Key=pointer["key"])["Body"].read()
        expected = pointer.get("sha256")
        if expected and hashlib.sha256(body).hexdigest() != expected:
            raise ValueError("stored webhook body does not match its pointer")
        return bytes(body)

    def delete(self, pointer: dict[str, Any]) -> None:
        self.s3.delete_object(Bucket=pointer["bucket"], Key=pointer["key"])


def pointer_body(pointer: dict[str, Any]) -> str:
    return json.dumps({POINTER_KEY: pointer}, separators=(",", ":"))


def pointer_of(payload: Any) -> dict[str, Any] | None:
    """The S3 pointer in a queue message, or None when the message is the delivery itself."""
    if isinstance(payload, dict) and isinstance(payload.get(POINTER_KEY), dict) and len(payload) == 1:
        return payload[POINTER_KEY]
    return None
