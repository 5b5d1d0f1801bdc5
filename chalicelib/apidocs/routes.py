"""GET /openapi.json, GET /docs and its stylesheet: public, served by Sapa itself (no CDN, no script)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from chalice.app import Blueprint, Chalice, Response

from chalicelib.core.contract import api
from chalicelib.core.http import json_response

bp = Blueprint(__name__)


@lru_cache(maxsize=4)
def _document(app_id: int, app: Chalice) -> dict[str, Any]:
    from chalicelib.access.roles import ROUTE_PERMISSIONS
    from chalicelib.core.openapi import document

    return document(app, ROUTE_PERMISSIONS)


def app_document(app: Chalice) -> dict[str, Any]:
    """The document of the running app with each route's permission, built once per container."""
    return _document(id(app), app)


CSP = "; ".join(
    (
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
HTML_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}


@bp.route("/openapi.json", methods=["GET"])
@api(summary="This API's OpenAPI 3.1 document", tag="reference", responses={200: "OpenApiDocument"})
def openapi_document() -> Response:
    return json_response(app_document(bp.current_app), headers={"Cache-Control": "no-cache"})


@bp.route("/docs", methods=["GET"])
@api(summary="The API reference, readable", tag="reference", responses={200: "text/html"})
def api_reference() -> Response:
    from chalicelib.apidocs.reference import render_reference

    return Response(body=render_reference(app_document(bp.current_app)), status_code=200, headers=HTML_HEADERS)


@bp.route("/docs/style.css", methods=["GET"])
@api(summary="The reference page's stylesheet", tag="reference", responses={200: "text/css"})
def api_reference_stylesheet() -> Response:
    from chalicelib.apidocs.reference import stylesheet

    return Response(
        body=stylesheet(),
        status_code=200,
        headers={"Content-Type": "text/css; charset=utf-8", "X-Content-Type-Options": "nosniff"},
    )
