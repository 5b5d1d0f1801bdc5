"""The console's defences: security headers, cookies, CSRF and same-origin checks.

- A strict Content-Security-Policy: scripts and styles only from Sapa itself
  (no inline script, no inline style, no eval: htmx runs with `allowEval`
  off), nothing may frame the console, forms post only to Sapa.
- The session cookie is HttpOnly and SameSite=Strict, Secure outside the
  local stage (where it is also `__Host-` prefixed, so no subdomain can set it).
- Every state change carries the session's CSRF token (a form field or the
  `X-CSRF-Token` header htmx sends) and must come from the console's own
  origin (`Sec-Fetch-Site` / `Origin`): a form on another site cannot post.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from http.cookies import SimpleCookie

CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    )
)

BASE_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
PAGE_CACHE = {"Cache-Control": "no-store"}
"""Pages hold personal data: never kept by the browser or a proxy."""
HSTS = {"Strict-Transport-Security": "max-age=31536000; includeSubDomains"}

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def security_headers(local: bool) -> dict[str, str]:
    return {**BASE_HEADERS, **({} if local else HSTS)}


def cookie_name(base: str, local: bool) -> str:
    return base if local else f"__Host-{base}"


def set_cookie(name: str, value: str, max_age: int, local: bool) -> str:
    """A Set-Cookie value: HttpOnly, SameSite=Strict, Path=/, Secure outside the local stage."""
    parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Strict", f"Max-Age={max(max_age, 0)}"]
    if not local:
        parts.append("Secure")
    return "; ".join(parts)


def cookies(headers: Mapping[str, str]) -> dict[str, str]:
    raw = headers.get("cookie") or ""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # noqa: BLE001 - a malformed Cookie header is just no cookies
        return {}
    return {key: morsel.value for key, morsel in jar.items()}


def same_origin(headers: Mapping[str, str], host: str | None) -> bool:
    """False when the browser says the request came from another site."""
    site = (headers.get("sec-fetch-site") or "").lower()
    if site and site not in ("same-origin", "none"):
        return False
    origin = headers.get("origin")
    if origin and origin != "null" and host:
        return origin.split("://", 1)[-1].rstrip("/") == host
    return origin != "null"


def token_matches(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), str(given).encode())
