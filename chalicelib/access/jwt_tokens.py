"""Cognito's access tokens, verified: RS256 against the pool's published keys, issuer, client and expiry.

Imported only when a request carries a JWT, so PyJWT and cryptography cost
nothing at an API cold start that serves API keys or the console. The keys
(JWKS) are fetched once per process and again only when a token names a key
id not seen yet (Cognito rotates rarely). On the local stage the JWKS comes
from moto's cognito-idp, which publishes it as Cognito does: the token is
verified the same way, never trusted unchecked.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt

LEEWAY_SECONDS = 30
"""Clock skew tolerated between Cognito and the Lambda host."""


@dataclass(frozen=True)
class VerifiedToken:
    username: str
    groups: tuple[str, ...]
    issued_at: int


class InvalidToken(Exception):
    pass


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2 and token.startswith("eyJ")


REFETCH_SECONDS = 60
"""An unknown key id refetches the JWKS at most this often, so forged key ids cannot hammer Cognito."""

JwksFetch = Callable[[], dict[str, Any]]


def http_jwks(url: str, timeout: float = 5) -> JwksFetch:
    def fetch() -> dict[str, Any]:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return dict(json.loads(answer.read()))

    return fetch


class CognitoTokenVerifier:
    def __init__(self, issuer: str, client_id: str, fetch_jwks: JwksFetch, clock: Callable[[], float] = time.time):
        self.issuer = issuer
        self.client_id = client_id
        self._fetch = fetch_jwks
        self._clock = clock
        self._keys: dict[str, Any] = {}
        self._fetched_at: float | None = None

    def _key(self, kid: str) -> Any:
        if kid not in self._keys and (self._fetched_at is None or self._clock() - self._fetched_at > REFETCH_SECONDS):
            self._fetched_at = self._clock()
            keys = jwt.PyJWKSet.from_dict(self._fetch())
            self._keys = {str(k.key_id): k.key for k in keys.keys}
        if kid not in self._keys:
            raise InvalidToken("signed with a key the user pool does not publish")
        return self._keys[kid]

    def verify(self, token: str) -> VerifiedToken:
        try:
            kid = str(jwt.get_unverified_header(token).get("kid") or "")
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key(kid),
                algorithms=["RS256"],
                issuer=self.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "token_use"], "verify_aud": False},
            )
        except (jwt.PyJWTError, ValueError) as error:
            raise InvalidToken(str(error)) from None
        if claims.get("token_use") != "access" or claims.get("client_id") != self.client_id:
            raise InvalidToken("not an access token of Sapa's app client")
        username = claims.get("username")
        if not isinstance(username, str) or not username:
            raise InvalidToken("no username")
        groups = claims.get("cognito:groups") or []
        return VerifiedToken(username, tuple(str(g) for g in groups), int(claims["iat"]))


def cognito_issuer(region: str, pool_id: str) -> str:
    return f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"


def jwks_url(region: str, pool_id: str, endpoint: str | None) -> str:
    """Cognito's JWKS address; moto's in server mode is `<endpoint>/<pool>/.well-known/jwks.json`."""
    base = endpoint.rstrip("/") if endpoint else cognito_issuer(region, pool_id)
    return f"{base}/{pool_id}/.well-known/jwks.json" if endpoint else f"{base}/.well-known/jwks.json"
