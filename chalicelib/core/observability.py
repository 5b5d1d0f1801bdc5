"""Logger, Metrics and Tracer shared by every handler, and the privacy mask.

UU PDP forbids personal data in logs, and log lines outlive any retention
promise, so masking happens in the formatter: whatever a handler logs, phone
numbers, e-mail addresses and message texts never reach stdout.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

SERVICE = "sapa"
NAMESPACE = "Sapa"

# Keys whose values are personal data or customer-written text: always masked.
SENSITIVE_KEYS = frozenset(
    {
        "phone",
        "email",
        "text",
        "body",
        "message_text",
        "caption",
        "name",
        "to",
        "wa_id",
        "from",
        "address",
        "recipient",
        "raw",
        "hub.verify_token",
        "sender_name",
        "sender_phone",
    }
)
MASK = "***"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Phone-like runs: an optional +, then 9 or more digits allowing spaces or dashes
# (Indonesian numbers have 10 to 13; ISO dates, with 8, are left readable).
_PHONE = re.compile(r"(?<![\w])\+?\d(?:[\s-]?\d){8,}(?![\w])")


def mask_text(value: str) -> str:
    value = _EMAIL.sub("<email>", value)
    return _PHONE.sub("<phone>", value)


def mask(value: Any, key: str | None = None) -> Any:
    """Mask personal data in any JSON-like value, recursively."""
    if key is not None and key.lower() in SENSITIVE_KEYS and value not in (None, ""):
        return MASK
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, Mapping):
        return {k: mask(v, str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask(v) for v in value]
    return value


class MaskingFormatter(LambdaPowertoolsFormatter):
    """Powertools' JSON formatter with personal data removed before serialising."""

    # Keys Powertools itself writes; never personal data, left untouched.
    _OWN_KEYS = frozenset(
        {
            "level",
            "location",
            "timestamp",
            "service",
            "cold_start",
            "function_name",
            "function_memory_size",
            "function_arn",
            "function_request_id",
            "correlation_id",
            "xray_trace_id",
            "sampling_rate",
        }
    )

    def serialize(self, log: dict[str, Any]) -> str:  # type: ignore[override]
        cleaned = {k: (v if k in self._OWN_KEYS else mask(v, k)) for k, v in log.items()}
        if "message" in log:
            cleaned["message"] = mask(log["message"])
        return super().serialize(cleaned)


logger = Logger(service=SERVICE, logger_formatter=MaskingFormatter())
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)


def tracing_enabled() -> bool:
    return os.environ.get("POWERTOOLS_TRACE_DISABLED", "false").lower() not in ("true", "1")


@lru_cache(maxsize=1)
def tracer() -> Any:
    """The Powertools Tracer, created only where tracing is on: the X-Ray SDK costs ~150 ms to import."""
    from aws_lambda_powertools import Tracer

    return Tracer(service=SERVICE)
