"""Total readers for untrusted webhook JSON.

Every accessor returns a safe default instead of raising, because one odd field
must not turn a whole delivery into a 500: Meta then retries it for a day and
eventually disables the subscription.
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import datetime
from typing import Any

from chalicelib.scrm.meta.events import InboundEvent, MetaError, Platform

# Values above this are milliseconds (1e11 s is the year 5138; 1e11 ms is 1973).
_MS_THRESHOLD = 100_000_000_000
# 9999-12-31T23:59:59Z: anything later is garbage and would overflow datetime downstream.
_MAX_EPOCH = 253_402_300_799
_MAX_NUMBER_CHARS = 20
# Bigger ints are not ids or times; refusing them also avoids 3.11's int-to-str digit limit.
_MAX_INT = 10**_MAX_NUMBER_CHARS

# Ids the App Dashboard "Test" button and Meta's docs use; no real account has them.
TEST_ENTRY_IDS = frozenset({"0"})


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def dicts(value: Any) -> list[dict[str, Any]]:
    """Dict items of a list, skipping anything else."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def as_str(value: Any) -> str | None:
    """Non-empty string or None; text is kept verbatim (no stripping) because it is the customer's words."""
    return value if isinstance(value, str) and value else None


def as_id(value: Any) -> str | None:
    """Ids as strings: legacy Messenger payloads send them as JSON numbers."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    number = as_int(value)
    return None if number is None else str(number)


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if abs(value) < _MAX_INT else None
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() and abs(value) < _MAX_INT else None
    if isinstance(value, str):
        text = value.strip()
        if 0 < len(text) <= _MAX_NUMBER_CHARS and text.lstrip("-").isascii() and text.lstrip("-").isdigit():
            return int(text)
    return None


def as_float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def as_bool(value: Any) -> bool:
    """Only a real JSON true counts: "false" strings and 1s are not Meta's format."""
    return value is True


def epoch_seconds(value: Any) -> int | None:
    """Epoch seconds from Meta's mix of second/millisecond numbers, numeric strings and ISO times."""
    number = as_int(value)
    if number is None and isinstance(value, float) and math.isfinite(value):
        number = int(value)
    if number is None and isinstance(value, str):
        number = _iso_seconds(value)
    if number is None or number < 0:
        return None
    if number >= _MS_THRESHOLD:
        number //= 1000
    return number if number <= _MAX_EPOCH else None


def e164(value: Any) -> str | None:
    """'+<digits>' for a plausible WhatsApp wa_id, else None (business-scoped ids have no phone)."""
    text = as_id(value)
    if text is None:
        return None
    digits = text.removeprefix("+")
    if digits.isascii() and digits.isdigit() and 6 <= len(digits) <= 15 and not digits.startswith("0"):
        return "+" + digits
    return None


def errors(value: Any) -> tuple[MetaError, ...]:
    return tuple(
        MetaError(
            code=as_int(error.get("code")),
            title=as_str(error.get("title")),
            message=as_str(error.get("message")),
            details=as_str(as_dict(error.get("error_data")).get("details")),
        )
        for error in dicts(value)
    )


def digest(value: Any) -> str:
    """Short content hash for events without an id; retries resend identical JSON, so it is stable."""
    try:
        blob = json.dumps(value, default=repr, skipkeys=True, ensure_ascii=True)
    except (TypeError, ValueError, RecursionError):
        blob = type(value).__name__
    return hashlib.sha256(blob.encode("ascii", "replace")).hexdigest()[:16]


def compact(**values: Any) -> dict[str, Any]:
    """Drop empty values so `extra` stays small and only says what Meta actually sent."""
    return {key: value for key, value in values.items() if value is not None and value != [] and value != {}}


def unsupported(
    platform: Platform,
    prefix: str,
    raw: Any,
    *,
    recipient_id: str | None = None,
    timestamp: int | None = None,
    is_test: bool = False,
    **extra: Any,
) -> InboundEvent:
    """Record what we could not interpret instead of raising, so it can be logged and ignored."""
    return InboundEvent(
        kind="unsupported",
        platform=platform,
        dedupe_key=f"{prefix}:unsupported:{digest(raw)}",
        recipient_id=recipient_id,
        timestamp=timestamp,
        message_type="unsupported",
        is_test=is_test,
        extra=compact(**extra),
    )


def _iso_seconds(value: str) -> int | None:
    for fmt in ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z"):
        try:
            return int(datetime.strptime(value.strip(), fmt).timestamp())
        except (ValueError, OverflowError):
            continue
    return None
