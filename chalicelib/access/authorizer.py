"""Staff authentication at the gateway, authorisation by role in each route.

The authorizer resolves the bearer token (an API key, or an access token
from Sapa's Cognito user pool) to a staff member and hands name and
role to the route in the request context. A missing header is refused by the
gateway (401); an unknown token reaches the route as `anonymous`, which
`require` answers with 401, and a known token with the wrong role with 403.
Keeping the role check in the route makes 401 and 403 behave the same under
`chalice local`, in tests and in API Gateway.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice.app import AuthRequest, AuthResponse, Blueprint, Request

from chalicelib.access.roles import Permission, allows
from chalicelib.access.tokens import COGNITO, Staff, StaffStore, matches_admin_token
from chalicelib.core.composition import wired
from chalicelib.core.errors import Forbidden, Unauthorized

bp = Blueprint(__name__)

ANONYMOUS = "anonymous"
MAX_TOKEN = 8192
"""Longer than any Cognito access token or API key: refused before any parsing."""


def resolve_token(
    header: str | None,
    store: StaffStore,
    admin_token: str | None,
    verifier: Callable[[], Any] | None = None,
) -> Staff | None:
    """The staff member behind a bearer token: an API key, or a Cognito access token `verifier` checks."""
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN:
        return None
    if matches_admin_token(token, admin_token):
        return Staff(name="local-admin", role="admin")
    if verifier is not None and token.count(".") == 2:
        return _cognito_staff(token, store, verifier)
    return store.resolve(token)


def _cognito_staff(token: str, store: StaffStore, verifier: Callable[[], Any]) -> Staff | None:
    from chalicelib.access.jwt_tokens import InvalidToken  # PyJWT is imported only when a JWT arrives

    try:
        verified = verifier().verify(token)
    except InvalidToken:
        return None
    record = store.get(verified.username)
    if record is None or record.kind != COGNITO or verified.issued_at < record.valid_after:
        return None  # revoked, re-roled since the token was issued, or never a Sapa staff member
    return Staff(name=record.name, role=record.role)


REVOCATION_SECONDS = 5
"""API Gateway caches an authorizer's answer this long: a revoked token stops working within it."""


@bp.authorizer(ttl_seconds=REVOCATION_SECONDS)
def staff_auth(auth_request: AuthRequest) -> AuthResponse:
    container = wired(bp)
    config = container.settings
    admin_token = config.optional_secret("SAPA_ADMIN_TOKEN") if config.is_local else None
    access = container.access
    staff = resolve_token(auth_request.token, access.staff(), admin_token, lambda: access.token_verifier)
    if staff is None:
        return AuthResponse(routes=["*"], principal_id=ANONYMOUS, context={"name": ANONYMOUS, "role": ""})
    return AuthResponse(routes=["*"], principal_id=staff.name, context={"name": staff.name, "role": staff.role})


def current_staff(request: Request) -> Staff:
    context: dict[str, Any] = (request.context or {}).get("authorizer") or {}
    return Staff(name=str(context.get("name") or ANONYMOUS), role=str(context.get("role") or ""))


def require(request: Request, permission: Permission) -> Staff:
    """The staff member behind this request, if their role grants the permission."""
    staff = current_staff(request)
    if staff.name == ANONYMOUS or not staff.role:
        raise Unauthorized("A valid staff token is required: Authorization: Bearer <token>")
    if not allows(staff.role, permission):
        raise Forbidden(f"Role '{staff.role}' may not do this ({permission.value})")
    return staff
