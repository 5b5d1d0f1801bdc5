"""The console's scripts and styles, served by Sapa itself: no CDN, so it works offline and under a strict CSP.

Only files in `templates/console/static/` with a known type are served; URLs
carry a content hash (`pages.asset`), so they are cached for a year.
"""

from __future__ import annotations

from chalice.app import Response

from chalicelib.console import security
from chalicelib.console.pages import STATIC_DIR

TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
}


def serve(name: str, local: bool) -> Response:
    path = STATIC_DIR / name
    suffix = path.suffix
    headers = security.security_headers(local)
    if "/" in name or name.startswith(".") or suffix not in TYPES or not path.is_file():
        return Response(body="not found", status_code=404, headers={**headers, "Content-Type": "text/plain"})
    return Response(
        body=path.read_text(encoding="utf-8"),
        status_code=200,
        headers={**headers, "Content-Type": TYPES[suffix], "Cache-Control": "public, max-age=31536000, immutable"},
    )
