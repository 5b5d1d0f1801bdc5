"""GET /widget.js and GET /widget/demo: the website chat widget and its demo page, public and served by Sapa itself.

The script is rendered from `templates/webchat/widget.js` with every label in
both languages from `templates/webchat/strings.json`, so the texts a visitor
reads live in templates/ like every other customer-facing text. No CDN, no
build step. The demo page exists only on the local stage: elsewhere a company
embeds the script on its own site.
"""

from __future__ import annotations

import json
from functools import lru_cache

from chalice.app import Blueprint, Response

from chalicelib.core.composition import wired
from chalicelib.core.contract import api
from chalicelib.core.errors import NotFound
from chalicelib.core.http import error_response

bp = Blueprint(__name__)

STRINGS = "webchat/strings.json"
LANGUAGES = ("id", "en")
SCRIPT_HEADERS = {
    "Content-Type": "text/javascript; charset=utf-8",
    # Short: a fixed widget reaches every embedding site within minutes, without versioned URLs on their pages.
    "Cache-Control": "public, max-age=300",
    "X-Content-Type-Options": "nosniff",
    # Host pages that require CORP (COEP require-corp) may still load the script from Sapa's origin.
    "Cross-Origin-Resource-Policy": "cross-origin",
}


@lru_cache(maxsize=1)
def strings() -> dict[str, dict[str, str]]:
    """The widget's labels by language; the same keys in each (a test holds them to it)."""
    from chalicelib.core.rendering import TEMPLATES_DIR

    loaded = json.loads((TEMPLATES_DIR / STRINGS).read_text(encoding="utf-8"))
    return {language: dict(loaded[language]) for language in LANGUAGES}


def widget_script() -> str:
    from chalicelib.core import rendering

    return rendering.render("webchat/widget.js", {"strings": strings()})


def demo_page(identity: str | None = None, identity_hash: str | None = None) -> str:
    """The demo page; with `identity`, as the company's portal renders it for a signed-in customer."""
    from chalicelib.core import rendering

    return rendering.render("webchat/demo.html", {"identity": identity, "identity_hash": identity_hash})


def demo_csp(socket_url: str) -> str:
    """The strict policy a careful host page would have: the widget must work under it, inline nothing."""
    connect = " ".join(part for part in ("'self'", socket_url.strip()) if part)
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"connect-src {connect}",
            "img-src 'self' data:",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        )
    )


@bp.route("/widget.js", methods=["GET"])
@api(summary="The website chat widget a company embeds on its site", tag="webchat", responses={200: "text/javascript"})
def widget_js() -> Response:
    return Response(body=widget_script(), status_code=200, headers=SCRIPT_HEADERS)


@bp.route("/widget/demo", methods=["GET"])
@api(
    summary="A demo page embedding the website chat widget (local stage only)",
    tag="webchat",
    query="WidgetDemoQuery",
    responses={200: "text/html", 404: "ErrorBody"},
)
def widget_demo() -> Response:
    """`?customer=DEMO-000001` plays the portal: it signs that customer number as the portal's server would
    (`&hash=` replaces the signature, to try a forged one)."""
    container = wired(bp)
    settings = container.settings
    if not settings.is_local:
        return error_response(NotFound("The widget demo page exists only on the local stage"))
    query = bp.current_request.query_params or {}
    identity = str(query.get("customer") or "")[:64] or None
    signed = container.webchat.signatures().identity_hash("demo", identity) if identity else None
    return Response(
        body=demo_page(identity, str(query.get("hash") or "")[:128] or signed if identity else None),
        status_code=200,
        headers={
            "Content-Type": "text/html; charset=utf-8",
            "Content-Security-Policy": demo_csp(settings.options.webchat_socket_url),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-cache",
        },
    )
