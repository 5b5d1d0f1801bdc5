"""Staff authentication at the gateway, authorisation by role in each route.

The authorizer resolves the bearer token to a staff member and hands name and
role to the route in the request context. A missing header is refused by the
gateway (401); an unknown token reaches the route as `anonymous`, which
`require` answers with 401, and a known token with the wrong role with 403.
Keeping the role check in the route makes 401 and 403 behave the same under
`chalice local`, in tests and in API Gateway.
"""

from __future__ import annotations

from typing import Any

from chalice.app import AuthRequest, AuthResponse, Blueprint, Request

from chalicelib.access.roles import Permission, allows
from chalicelib.access.tokens import Staff, StaffStore, matches_admin_token
from chalicelib.core.composition import wired
from chalicelib.core.errors import Forbidden, Unauthorized

bp = Blueprint(__name__)

ANONYMOUS = "anonymous"


def resolve_token(header: str | None, store: StaffStore, admin_token: str | None) -> Staff | None:
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    if matches_admin_token(token, admin_token):
        return Staff(name="local-admin", role="admin")
    return store.resolve(token)


REVOCATION_SECONDS = 5
"""API Gateway caches an authorizer's answer this long: a revoked token stops working within it."""


@bp.authorizer(ttl_seconds=REVOCATION_SECONDS)
def staff_auth(auth_request: AuthRequest) -> AuthResponse:
    container = wired(bp)
    config = container.settings
    admin_token = config.optional_secret("SAPA_ADMIN_TOKEN") if config.is_local else None
    store = StaffStore(container.table("access"))
    staff = resolve_token(auth_request.token, store, admin_token)
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
