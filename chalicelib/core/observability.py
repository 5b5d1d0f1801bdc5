"""Logger and Metrics shared by every handler, the correlation ids, and the privacy mask.

UU PDP forbids personal data in logs, and log lines outlive any retention
promise, so masking happens in the formatter: whatever a handler logs, phone
numbers, e-mail addresses and message texts never reach stdout.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote_plus

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
        # A page cursor is base64 of the last key read, and on the phone index that key is a phone.
        "cursor",
    }
)
MASK = "***"
PHONE_MASK = "<phone>"
EMAIL_MASK = "<email>"

# -- masking by value ---------------------------------------------------------------
# Personal data shows up where no key names it: in a message, a URL path, an
# access line's query string, a traceback. These patterns find it by its shape.
# URL-encoded forms count (`%40` for @, `%2B` for +, `%20` and `+` for spaces).
_EMAIL = re.compile(r"[\w.+%-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+")
# Between two digits of a phone: at most one space, dot, dash or bracket, spelt plainly or URL-encoded.
_SEP = r"(?:\)?(?:[ .\-+]|%20)?\(?)"
_PHONE = re.compile(
    # Not inside a word, an id (`cus_…`, `msg_…`, wamids) or a dash-joined token such as a UUID.
    r"(?<![\w%+])(?<!\w[-.])"
    r"(?:"
    rf"(?:\+|%2[Bb])\(?\d(?:{_SEP}\d){{7,14}}"  # E.164 with its plus: 8 to 15 digits, any country
    rf"|\(?62{_SEP}8(?:{_SEP}\d){{7,12}}"  # Indonesian mobile without the plus: 628…
    rf"|\(?08\d(?:{_SEP}\d){{7,10}}"  # Indonesian mobile, national form: 08… with 10 to 13 digits
    r")"
    # …and not running on into more word characters (a longer number, an id, a UUID's next group).
    r"(?![\w])(?![-.]\w)"
)
# Sensitive keys in a query string inside text: `?phone=…&name=…`; their value goes whatever it looks like.
_QUERY_PARAM = re.compile(r"(?<=[?&;])([\w.%\[\]-]+)=([^&;\s\"'#]*)")


def _mask_query_param(match: re.Match[str]) -> str:
    key = unquote_plus(match.group(1))
    return f"{match.group(1)}={MASK}" if key.lower() in SENSITIVE_KEYS and match.group(2) else match.group(0)


def mask_text(value: str) -> str:
    """Free text with e-mails, phone numbers and sensitive query parameters replaced.

    Dates, ISO timestamps, epoch seconds, Meta's numeric ids and Sapa's ids are
    left readable: none of them has a phone's prefix (+, 62 8 or 08) standing alone.
    """
    value = _QUERY_PARAM.sub(_mask_query_param, value)
    value = _EMAIL.sub(EMAIL_MASK, value)
    return _PHONE.sub(PHONE_MASK, value)


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
            "linked_trace_ids",
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
