"""Roles hold as the matrix says, on every route the app really has."""

from __future__ import annotations

import re
from typing import Any

import pytest

import app as sapa_app
from chalicelib.access.authorizer import REVOCATION_SECONDS
from chalicelib.access.roles import CONSOLE_ROUTES, MATRIX, PUBLIC, ROUTE_PERMISSIONS, Role

PARAMETERS = {
    "customer_id": "cus_nobody",
    "campaign_id": "cmp_nobody",
    "conversation_id": "cv_nobody",
    "reply_id": "rp_nobody",
    "task_id": "2025-06-17.cus_nobody.birthday",
    "day": "2025-12-25",
    "token": "not-a-token",
    "import_id": "imp_nobody",
    "contract_no": "KTR-nobody",
    "journey_id": "nobody",
}
CONTENT_TYPES = {
    ("POST", "/customers/import"): "text/csv",
    ("POST", "/customers/imports"): "text/csv",
    ("POST", "/contracts/import"): "text/csv",
}


def _app_routes() -> set[tuple[str, str]]:
    return {(method, path) for path, methods in sapa_app.app.routes.items() for method in methods}


def _url(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: PARAMETERS[m.group(1)], path)


STAFF_ROUTES = sorted(route for route, permission in ROUTE_PERMISSIONS.items() if permission is not PUBLIC)


def test_every_route_of_the_app_has_a_permission_in_the_matrix_and_no_other() -> None:
    assert _app_routes() == set(ROUTE_PERMISSIONS) | set(CONSOLE_ROUTES)
    assert not set(ROUTE_PERMISSIONS) & set(CONSOLE_ROUTES)


def test_the_console_pages_live_under_console_and_sign_in_by_cookie_not_the_gateway() -> None:
    for method, path in CONSOLE_ROUTES:
        assert path == "/console" or path.startswith("/console/"), path
        assert sapa_app.app.routes[path][method].authorizer is None, (method, path)


def test_only_the_public_routes_go_without_the_staff_authorizer() -> None:
    for path, methods in sapa_app.app.routes.items():
        for method, entry in methods.items():
            if (method, path) in CONSOLE_ROUTES:
                continue
            public = ROUTE_PERMISSIONS[(method, path)] is PUBLIC
            assert (entry.authorizer is None) == public, (method, path)


@pytest.mark.parametrize("role", [r.value for r in Role])
@pytest.mark.parametrize(("method", "path"), STAFF_ROUTES)
def test_each_role_gets_exactly_what_the_matrix_grants_on_every_route(
    client, staff_token, role: str, method: str, path: str
) -> None:
    content_type = CONTENT_TYPES.get((method, path), "application/json")
    body: Any = None if method in ("GET", "DELETE") else ("" if content_type == "text/csv" else "{}")
    response = getattr(client.http, method.lower())(
        _url(path), body=body, headers={**staff_token(role), "Content-Type": content_type}
    )

    allowed = ROUTE_PERMISSIONS[(method, path)] in MATRIX[Role(role)]
    assert response.status_code < 500, response.body
    if allowed:
        assert response.status_code not in (401, 403), response.body
    else:
        assert response.status_code == 403, response.body


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("viewer", "/leads"),
        ("viewer", "/campaigns/cmp_nobody/audience"),
        ("agent", "/campaigns"),
        ("viewer", "/scrm/conversations"),
    ],
)
def test_personal_data_is_not_for_roles_whose_work_does_not_need_it(api, staff_token, role: str, path: str) -> None:
    status, _ = api("GET", path, None, staff_token(role))

    assert status == 403


def test_a_revoked_token_stops_working_within_five_seconds_everywhere() -> None:
    authorizers = {entry.authorizer for methods in sapa_app.app.routes.values() for entry in methods.values()}
    ttls = {a.config.ttl_seconds for a in authorizers if a is not None}

    assert REVOCATION_SECONDS <= 5
    assert ttls == {REVOCATION_SECONDS}
