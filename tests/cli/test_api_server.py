"""The local API server answers what API Gateway answers on its own in Sapa's shape, over real HTTP."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from sapa_cli.gateway_responses import UNAUTHORIZED, UNKNOWN_ROUTE


def _call(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> tuple[int, str, Any]:
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers["Content-Type"], json.loads(response.read())
    except urllib.error.HTTPError as refused:
        return refused.code, refused.headers["Content-Type"], json.loads(refused.read())


def test_it_serves_the_api(local_api_url: str) -> None:
    status, _, body = _call(f"{local_api_url}/health")

    assert status == 200
    assert body["status"] == "ok"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer test-admin-token"}], ids=["no token", "token"])
def test_an_unknown_route_is_the_gateway_404(local_api_url: str, headers: dict[str, str]) -> None:
    status, content_type, body = _call(f"{local_api_url}/campaign/x", headers=headers)

    assert (status, content_type, body) == (404, "application/json", UNKNOWN_ROUTE.body())


def test_a_missing_token_is_the_gateway_401(local_api_url: str) -> None:
    status, _, body = _call(f"{local_api_url}/customers")

    assert (status, body) == (401, UNAUTHORIZED.body())


def test_a_wrong_method_on_a_known_path_is_sapas_405(local_api_url: str) -> None:
    status, _, body = _call(f"{local_api_url}/health", method="DELETE")

    assert status == 405
    assert body["error"] == "method_not_allowed"
