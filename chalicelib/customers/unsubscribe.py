"""Signed one-click unsubscribe tokens (RFC 8058).

The token names customer, channel and purpose (and, in a campaign's e-mail,
the message that carried the link) and carries an HMAC over all of them, so it
cannot be forged or edited to unsubscribe someone else, nor to credit another
campaign with the withdrawal. It never expires: an old e-mail's link must
still work, and so do the links made before tokens named their message.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass

_SIGNATURE_BYTES = 16


@dataclass(frozen=True)
class UnsubscribeGrant:
    customer_id: str
    channel: str
    purpose: str
    message_id: str | None = None
    """The message whose link this is: its campaign is credited with the unsubscribe (once)."""


class InvalidToken(ValueError):
    pass


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, payload: bytes) -> bytes:
    return hmac.new(secret.encode(), b"unsubscribe:" + payload, hashlib.sha256).digest()[:_SIGNATURE_BYTES]


def make_token(secret: str, grant: UnsubscribeGrant) -> str:
    fields = [grant.customer_id, grant.channel, grant.purpose]
    if grant.message_id:
        fields.append(grant.message_id)
    payload = json.dumps(fields, separators=(",", ":")).encode()
    return f"{_b64(payload)}.{_b64(_sign(secret, payload))}"


def read_token(secret: str, token: str) -> UnsubscribeGrant:
    try:
        payload_text, signature_text = token.split(".", 1)
        payload, signature = _unb64(payload_text), _unb64(signature_text)
    except (ValueError, TypeError):
        raise InvalidToken("malformed") from None
    if not hmac.compare_digest(signature, _sign(secret, payload)):
        raise InvalidToken("bad signature")
    try:
        fields = json.loads(payload)
        if not isinstance(fields, list) or len(fields) not in (3, 4):
            raise ValueError("fields")
        customer_id, channel, purpose = fields[:3]
        message = fields[3] if len(fields) == 4 else None
    except (ValueError, TypeError, KeyError):
        raise InvalidToken("malformed") from None
    return UnsubscribeGrant(str(customer_id), str(channel), str(purpose), str(message) if message else None)


def unsubscribe_url(base_url: str, secret: str, grant: UnsubscribeGrant) -> str:
    return f"{base_url.rstrip('/')}/unsubscribe/{make_token(secret, grant)}"
