"""Cognito access tokens are believed only when the pool's published key, issuer, client and expiry agree."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.access.jwt_tokens import CognitoTokenVerifier, InvalidToken, jwks_url, looks_like_jwt

ISSUER = "https://cognito-idp.ap-southeast-3.amazonaws.com/ap-southeast-3_pool"
CLIENT = "console-client"


class Pool:
    """A user pool's signing key and its published JWKS, counting how often the JWKS is fetched."""

    def __init__(self) -> None:
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.fetches = 0

    def jwks(self) -> dict[str, Any]:
        self.fetches += 1
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key()))
        return {"keys": [{**public, "kid": "key-1", "alg": "RS256", "use": "sig"}]}

    def token(self, kid: str = "key-1", key: Any = None, **claims: Any) -> str:
        now = int(time.time())
        body = {
            "sub": "uuid-1",
            "username": "rina",
            "cognito:groups": ["agent"],
            "iss": ISSUER,
            "client_id": CLIENT,
            "token_use": "access",
            "iat": now,
            "exp": now + 3600,
            **claims,
        }
        return jwt.encode(body, key or self.private, algorithm="RS256", headers={"kid": kid})


@pytest.fixture
def pool() -> Pool:
    return Pool()


@pytest.fixture
def verifier(pool: Pool) -> CognitoTokenVerifier:
    return CognitoTokenVerifier(ISSUER, CLIENT, pool.jwks)


def test_a_token_the_pool_signed_names_the_user_and_their_groups(pool, verifier) -> None:
    verified = verifier.verify(pool.token())

    assert verified.username == "rina"
    assert verified.groups == ("agent",)


@pytest.mark.parametrize(
    ("claims", "why"),
    [
        ({"iss": "https://cognito-idp.ap-southeast-3.amazonaws.com/another-pool"}, "another pool"),
        ({"client_id": "another-client"}, "another app client"),
        ({"token_use": "id"}, "an id token"),
        ({"exp": int(time.time()) - 120}, "expired"),
        ({"username": ""}, "no username"),
    ],
)
def test_a_token_not_meant_for_sapa_is_refused(pool, verifier, claims, why) -> None:
    with pytest.raises(InvalidToken):
        verifier.verify(pool.token(**claims))


def test_a_token_signed_with_another_key_is_refused(pool, verifier) -> None:
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    with pytest.raises(InvalidToken):
        verifier.verify(pool.token(key=forger))


def test_an_unsigned_token_is_refused(pool, verifier) -> None:
    unsigned = jwt.encode({"username": "rina", "token_use": "access"}, None, algorithm="none")

    with pytest.raises(InvalidToken):
        verifier.verify(unsigned)


def test_the_keys_are_fetched_once_and_unknown_key_ids_cannot_make_it_fetch_again_and_again(pool, verifier) -> None:
    verifier.verify(pool.token())
    for _ in range(5):
        with pytest.raises(InvalidToken):
            verifier.verify(pool.token(kid="forged"))
    verifier.verify(pool.token())

    assert pool.fetches == 1


def test_only_three_part_tokens_are_taken_for_jwts() -> None:
    assert looks_like_jwt("eyJhbGciOi.eyJzdWIiOi.c2ln")
    assert not looks_like_jwt("sapa_api_key_1234")


def test_the_jwks_address_is_cognitos_or_the_local_endpoints() -> None:
    assert jwks_url("ap-southeast-3", "pool", None) == (
        "https://cognito-idp.ap-southeast-3.amazonaws.com/pool/.well-known/jwks.json"
    )
    assert (
        jwks_url("ap-southeast-3", "pool", "http://127.0.0.1:5000/")
        == "http://127.0.0.1:5000/pool/.well-known/jwks.json"
    )
