"""Prove a webhook really came from Meta, and answer its subscription handshake.

Meta signs every delivery with HMAC-SHA256 of the *raw* request bytes, keyed by
the app secret, and sends it as ``X-Hub-Signature-256: sha256=<hex>``. The body
escapes non-ASCII as ``\\uXXXX``, so parsing and re-encoding it (even with the
same key order) produces different bytes and a different MAC: always verify the
bytes exactly as received, before any JSON work.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

SIGNATURE_HEADER = "X-Hub-Signature-256"
_PREFIX = "sha256="
_HEX_DIGITS = frozenset("0123456789abcdef")
_DIGEST_HEX_LEN = hashlib.sha256().digest_size * 2
# Meta sends a numeric challenge; anything long is not a handshake we should echo back.
_MAX_CHALLENGE_LEN = 256


def sign(raw_body: bytes, app_secret: str) -> str:
    """Header value Meta would send for this body; for tests, replay tools and local simulators."""
    digest = hmac.new(app_secret.encode("utf-8"), _as_bytes(raw_body), hashlib.sha256).hexdigest()
    return _PREFIX + digest


def verify_signature(raw_body: bytes, header: str | None, app_secret: str) -> bool:
    """True only for a well-formed ``sha256=`` header matching the raw body.

    An empty app secret never verifies: an HMAC keyed with "" is forgeable by anyone,
    so a missing configuration must fail closed rather than accept everything.
    """
    if not app_secret or not isinstance(header, str):
        return False
    value = header.strip()
    if value[: len(_PREFIX)].lower() != _PREFIX:
        return False
    received = value[len(_PREFIX) :].lower()
    if len(received) != _DIGEST_HEX_LEN or not set(received) <= _HEX_DIGITS:
        return False
    expected = sign(raw_body, app_secret)[len(_PREFIX) :]
    return hmac.compare_digest(expected.encode("ascii"), received.encode("ascii"))


def verify_handshake(params: Mapping[str, str] | None, verify_token: str) -> str | None:
    """The ``hub.challenge`` to echo when Meta's subscribe request carries our verify token.

    Returns None for anything else so the route can answer 403. The caller must send the
    challenge back as ``text/plain``: it is attacker-controllable text until the token matched.
    """
    if not params or not verify_token:
        return None
    mode = params.get("hub.mode")
    token = params.get("hub.verify_token")
    challenge = params.get("hub.challenge")
    if mode != "subscribe" or not isinstance(token, str) or not isinstance(challenge, str):
        return None
    if not challenge or len(challenge) > _MAX_CHALLENGE_LEN:
        return None
    # Bytes, because compare_digest rejects non-ASCII str instead of returning False.
    if not hmac.compare_digest(token.encode("utf-8"), verify_token.encode("utf-8")):
        return None
    return challenge


def _as_bytes(raw_body: bytes) -> bytes:
    """Refuse str loudly: a decoded body invites re-encoding, which breaks the MAC silently."""
    if isinstance(raw_body, bytes | bytearray | memoryview):
        return bytes(raw_body)
    raise TypeError(f"raw_body must be the request bytes, got {type(raw_body).__name__}")
