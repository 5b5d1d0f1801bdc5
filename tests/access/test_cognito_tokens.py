"""The API takes the same Cognito access tokens the console's staff sign in with, beside API keys."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from moto.utilities.utils import load_resource

from chalicelib.access.authorizer import resolve_token
from chalicelib.access.jwt_tokens import CognitoTokenVerifier, VerifiedToken, cognito_issuer
from chalicelib.access.roles import Role
from chalicelib.access.tokens import StaffStore
from tests import wired
from tests.conftest import WEEKDAY_MORNING
from tests.console.conftest import PASSWORD


@pytest.fixture
def cognito_api(app: Any) -> Any:
    """The authorizer's verifier given the pool's published keys as moto publishes them (no HTTP in-process)."""
    pool_id, client_id = wired.access.pool
    region = str(app.container.aws.session.region_name)
    public = load_resource("cognitoidp/resources/jwks-public.json")
    verifier = CognitoTokenVerifier(cognito_issuer(region, pool_id), client_id, lambda: dict(public))
    app.container.access.__dict__["token_verifier"] = verifier
    return verifier


def _signed_in(name: str, role: str) -> str:
    wired.access.directory().add_user(name, f"{name}@sapa.example", role, PASSWORD)
    return wired.access.cognito().sign_in(f"{name}@sapa.example", PASSWORD).access_token


def test_a_console_users_access_token_opens_the_api_with_their_role(api, cognito_api) -> None:
    token = _signed_in("dewi", "marketer")

    status, _ = api("GET", "/customers", headers={"Authorization": f"Bearer {token}"})
    refused, body = api("GET", "/audit", headers={"Authorization": f"Bearer {token}"})

    assert status == 200
    assert refused == 403, body


def test_a_revoked_users_token_stops_opening_the_api(api, cognito_api) -> None:
    token = _signed_in("dewi", "marketer")

    wired.access.directory().revoke("dewi")
    status, body = api("GET", "/customers", headers={"Authorization": f"Bearer {token}"})

    assert status == 401, body


def test_a_forged_token_with_a_valid_shape_is_refused(api, cognito_api) -> None:
    token = _signed_in("dewi", "admin")
    header, claims, signature = token.split(".")
    forged = f"{header}.{claims}.{signature[::-1]}"

    status, _ = api("GET", "/customers", headers={"Authorization": f"Bearer {forged}"})

    assert status == 401


class OneToken:
    def __init__(self, issued_at: datetime) -> None:
        self.issued_at = int(issued_at.timestamp())

    def verify(self, token: str) -> VerifiedToken:
        return VerifiedToken("dewi", ("admin",), self.issued_at)


def test_a_token_issued_before_a_role_change_no_longer_works(aws, settings) -> None:
    store = StaffStore(aws.table(settings.table_name("access")))
    store.add_cognito("dewi", Role.ADMIN, "dewi@sapa.example", WEEKDAY_MORNING)
    before = OneToken(WEEKDAY_MORNING + timedelta(minutes=5))
    assert resolve_token("Bearer a.b.c", store, None, lambda: before) is not None

    store.set_role("dewi", Role.VIEWER, WEEKDAY_MORNING + timedelta(minutes=10))
    after = OneToken(WEEKDAY_MORNING + timedelta(minutes=11))

    assert resolve_token("Bearer a.b.c", store, None, lambda: before) is None
    staff = resolve_token("Bearer a.b.c", store, None, lambda: after)
    assert staff is not None
    assert staff.role == "viewer"


def test_an_api_key_cannot_pass_for_a_cognito_user(aws, settings) -> None:
    store = StaffStore(aws.table(settings.table_name("access")))
    store.add("machine", Role.ADMIN, WEEKDAY_MORNING)

    class Machine:
        def verify(self, token: str) -> VerifiedToken:
            return VerifiedToken("machine", ("admin",), int(WEEKDAY_MORNING.timestamp()) + 60)

    assert resolve_token("Bearer a.b.c", store, None, lambda: Machine()) is None


def test_the_published_keys_are_json(cognito_api) -> None:
    assert json.loads(json.dumps(cognito_api._fetch()))["keys"]
