"""Signatures the chat trusts: a portal user's identity, and the visitor token the widget keeps.

A signed-in user of the company's portal is identified without the pre-chat
form when the host page passes the user's identifier and an HMAC-SHA256 of it
made with the site's identity secret (Chatwoot's identity validation works the
same way). Each site's secret is derived from one deployment secret, so a leak
of one site's secret does not let anyone sign for another. Every comparison is
constant-time (`hmac.compare_digest`).

A visitor token (`v1.<visitor id>.<signature>`) lets a reloaded page continue
its conversation; only Sapa can make one, so nobody continues another
visitor's chat by guessing an id.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_VERSION = "v1"
MAX_IDENTIFIER = 200


def _mac(key: bytes, message: str) -> str:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


class Signatures:
    def __init__(self, root_secret: str) -> None:
        self._root = root_secret.encode("utf-8")

    def site_secret(self, site_id: str) -> str:
        """The secret a site's portal signs its users' identifiers with (given to that site's developers)."""
        return _mac(self._root, f"webchat-identity:{site_id}")

    def identity_hash(self, site_id: str, identifier: str) -> str:
        return _mac(self.site_secret(site_id).encode("utf-8"), identifier)

    def identity_valid(self, site_id: str, identifier: str, given: str) -> bool:
        if not identifier or len(identifier) > MAX_IDENTIFIER or not isinstance(given, str):
            return False
        return hmac.compare_digest(self.identity_hash(site_id, identifier), given.strip().lower())

    # -- visitor tokens ------------------------------------------------------------------------------------
    def new_visitor(self) -> tuple[str, str]:
        """(visitor id, its token)."""
        visitor = "wv_" + secrets.token_hex(12)
        return visitor, self.token_for(visitor)

    def token_for(self, visitor: str) -> str:
        return f"{TOKEN_VERSION}.{visitor}.{_mac(self._root, 'webchat-visitor:' + visitor)}"

    def visitor_of(self, token: str | None) -> str | None:
        """The visitor a token names, or None for a token Sapa did not make."""
        if not isinstance(token, str) or token.count(".") != 2 or len(token) > 200:
            return None
        version, visitor, _signature = token.split(".")
        if version != TOKEN_VERSION or not visitor.startswith("wv_"):
            return None
        return visitor if hmac.compare_digest(self.token_for(visitor), token) else None
