"""How WhatsApp Cloud API (Graph) errors map to what the outbound worker should do.

The table is data so it can be reviewed against Meta's error-code reference
(developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes) without
reading control flow. A known code decides by itself, whatever HTTP status came
with it; an unknown code falls back to the status: 5xx, 408 and 429 are
transient, any other 4xx is permanent. Reasons are fixed text: Graph's own
message and details can echo parameters, so they are never copied.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.outbound.provider import Disposition, ProviderError

PAIR_RATE_LIMIT_RETRY_SECONDS = 60
SPAM_RATE_LIMIT_RETRY_SECONDS = 15 * 60
HOLD_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class Rule:
    disposition: Disposition
    reason: str
    retry_after_seconds: int | None = None
    alert: bool = False  # no retry helps; a person has to act (token, account, template)


def _retry(reason: str) -> Rule:
    return Rule(Disposition.RETRY, reason)


def _permanent(reason: str, *, alert: bool = False) -> Rule:
    return Rule(Disposition.PERMANENT, reason, alert=alert)


GRAPH_ERRORS: dict[int, Rule] = {
    # Authorization, permissions, account: permanent, and someone must fix the setup.
    0: _permanent("WhatsApp authentication failed", alert=True),
    3: _permanent("app lacks the capability or permission for this call", alert=True),
    10: _permanent("permission denied for this WhatsApp number", alert=True),
    190: _permanent("WhatsApp access token is invalid or expired", alert=True),
    200: _permanent("permission denied for this WhatsApp number", alert=True),
    368: _permanent("WhatsApp number temporarily blocked for policy violations", alert=True),
    131005: _permanent("access denied by WhatsApp", alert=True),
    131031: _permanent("WhatsApp business account is locked", alert=True),
    131042: _permanent("WhatsApp business account has a payment problem", alert=True),
    131045: _permanent("WhatsApp number is not registered correctly (certificate)", alert=True),
    133010: _permanent("WhatsApp number is not registered with the Cloud API", alert=True),
    # Throttling and transient failures: retry with backoff.
    1: _retry("WhatsApp API unknown error"),
    2: _retry("WhatsApp API temporarily unavailable"),
    4: _retry("WhatsApp app request limit reached"),
    80007: _retry("WhatsApp business account rate limit reached"),
    130429: _retry("WhatsApp throughput limit reached"),
    131000: _retry("WhatsApp reported an internal error"),
    131016: _retry("WhatsApp service temporarily unavailable"),
    131057: _retry("WhatsApp business account is in maintenance"),
    # Limits tied to this recipient or this number: retry, but not soon.
    131056: Rule(
        Disposition.RETRY_LATER, "too many messages to this recipient in a short time", PAIR_RATE_LIMIT_RETRY_SECONDS
    ),
    131048: Rule(Disposition.RETRY_LATER, "spam rate limit reached for this number", SPAM_RATE_LIMIT_RETRY_SECONDS),
    131049: Rule(
        Disposition.HOLD_24H, "not delivered to keep a healthy ecosystem (marketing limit per user)", HOLD_SECONDS
    ),
    # The message, the recipient or the template is wrong: retrying sends the same failure.
    100: _permanent("invalid parameter in the request"),
    130472: _permanent("recipient is part of a Meta experiment; message not sent"),
    131008: _permanent("a required parameter is missing"),
    131009: _permanent("a parameter value is not valid"),
    131021: _permanent("recipient is the sending number"),
    131026: _permanent("message undeliverable to this recipient (not on WhatsApp or cannot receive)"),
    131047: _permanent("more than 24 hours since the customer's last message; a template is required"),
    131050: _permanent("recipient stopped marketing messages from this business"),
    131051: _permanent("unsupported message type"),
    131052: _permanent("media could not be downloaded"),
    131053: _permanent("media could not be uploaded"),
    132000: _permanent("template parameter count does not match the template"),
    132001: _permanent("template does not exist in this language or is not approved", alert=True),
    132005: _permanent("template text is too long after filling parameters"),
    132007: _permanent("template content violates WhatsApp policy"),
    132012: _permanent("template parameter format does not match the template"),
    132015: _permanent("template is paused for low quality", alert=True),
    132016: _permanent("template is disabled", alert=True),
    135000: _permanent("WhatsApp rejected the request (generic user error)"),
}

TRANSIENT_STATUSES = frozenset({408, 429})


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _graph_error(body: dict[str, Any] | None) -> dict[str, Any]:
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def classify(status: int, body: dict[str, Any] | None) -> ProviderError:
    """Turn a non-accepted Graph response (status and parsed JSON, if any) into a `ProviderError`."""
    error = _graph_error(body)
    code = _as_int(error.get("code"))
    trace_id = error.get("fbtrace_id") if isinstance(error.get("fbtrace_id"), str) else None
    rule = GRAPH_ERRORS.get(code) if code is not None else None
    if rule is not None:
        return ProviderError(
            str(code),
            rule.reason,
            rule.disposition,
            retry_after_seconds=rule.retry_after_seconds,
            alert=rule.alert,
            http_status=status,
            trace_id=trace_id,
        )
    label = str(code) if code is not None else f"http_{status}"
    if status >= 500 or status in TRANSIENT_STATUSES:
        disposition, reason = Disposition.RETRY, f"WhatsApp API unavailable (HTTP {status})"
    elif 400 <= status < 500:
        disposition, reason = Disposition.PERMANENT, f"WhatsApp API rejected the request (HTTP {status})"
    else:
        # A 1xx/3xx or anything else Graph never sends: not accepted, and maybe a proxy's doing.
        disposition, reason = Disposition.RETRY, f"unexpected HTTP {status} from WhatsApp API"
    if code is not None:
        reason = f"unrecognised WhatsApp error {code} ({reason})"
    return ProviderError(label, reason, disposition, http_status=status, trace_id=trace_id)


# No HTTP answer at all. "connection_failed" means the request never left, so a
# retry cannot duplicate; after a "timeout" or "connection_lost" Graph may have
# accepted the message, which the worker can weigh (Graph has no idempotency key).
TRANSPORT_ERRORS: dict[str, str] = {
    "connection_failed": "could not connect to WhatsApp API",
    "timeout": "no answer from WhatsApp API in time",
    "connection_lost": "connection to WhatsApp API lost before an answer",
}


def transport_error(code: str) -> ProviderError:
    """A send with no HTTP answer (refused, timed out, reset): transient, retry with backoff."""
    reason = TRANSPORT_ERRORS.get(code, TRANSPORT_ERRORS["connection_lost"])
    return ProviderError(code, reason, Disposition.RETRY)


def no_message_id(status: int) -> ProviderError:
    """A 2xx without `messages[0].id`: Graph did not confirm it took the message, so it is not sent."""
    reason = "WhatsApp API answered without a message id"
    return ProviderError("no_message_id", reason, Disposition.RETRY, http_status=status)
