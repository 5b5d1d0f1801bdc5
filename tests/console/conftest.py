"""Console fixtures: real Cognito users (moto's cognito-idp) and a browser-like client that keeps cookies."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

import pytest

from tests.scrm.conftest import deliver, post_webhook  # noqa: F401 - the webhook helpers, for the inbox's tests

PASSWORD = "Rahasia-Sapa-2026!"


@dataclass
class Browser:
    """Chalice's test client with a cookie jar and the console's forms, as a browser would send them."""

    client: Any
    cookies: dict[str, str] = field(default_factory=dict)
    origin: str = "http://127.0.0.1:8000"

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Host": "127.0.0.1:8000"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers.update(extra or {})
        return headers

    def _keep(self, response: Any) -> Any:
        raw = response.headers.get("set-cookie") or response.headers.get("Set-Cookie")
        values = raw if isinstance(raw, list) else ([raw] if raw else [])
        for value in values:
            jar: SimpleCookie = SimpleCookie()
            jar.load(value)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, path: str, headers: dict[str, str] | None = None) -> Any:
        return self._keep(self.client.http.get(path, headers=self._headers(headers)))

    def post(self, path: str, fields: dict[str, str], headers: dict[str, str] | None = None) -> Any:
        body = urllib.parse.urlencode(fields)
        extra = {"Content-Type": "application/x-www-form-urlencoded", "Origin": self.origin, **(headers or {})}
        return self._keep(self.client.http.post(path, body=body, headers=self._headers(extra)))

    def csrf(self, path: str) -> str:
        """The CSRF token the page at `path` puts in its forms."""
        page = self.get(path).body.decode()
        found = re.search(r'name="csrf" value="([^"]+)"', page)
        assert found, page
        return found.group(1)

    def sign_in(self, email: str, password: str = PASSWORD, nxt: str = "") -> Any:
        token = self.csrf("/console/login")
        return self.post("/console/login", {"csrf": token, "email": email, "password": password, "next": nxt})


@pytest.fixture
def browser(client: Any) -> Browser:
    return Browser(client)


@pytest.fixture
def console_user(app: Any) -> Callable[..., str]:
    """Adds a Cognito user with a role; returns the e-mail. `permanent=False` leaves the temporary password."""
    from tests import wired

    def add(name: str, role: str, permanent: bool = True) -> tuple[str, str | None]:
        email = f"{name}@sapa.example"
        added = wired.access.directory().add_user(name, email, role, PASSWORD if permanent else None)
        return email, added.secret

    return add
