"""The widget's configuration endpoint, and the three websocket handlers' bodies (declared in app.py).

Chalice declares websocket handlers on the app only (a blueprint leaves them
unwrapped), so app.py holds three one-line handlers that call `connect`,
`message` and `disconnect` here with the container.
"""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response, WebsocketEvent

from chalicelib.core.composition import wired
from chalicelib.core.contract import api
from chalicelib.core.errors import NotFound
from chalicelib.core.observability import logger

bp = Blueprint(__name__)
HEARTBEAT_SECONDS = 240  # well inside API Gateway's 10-minute idle timeout


@bp.route("/widget/config", methods=["GET"])
@api(
    summary="The chat widget's settings for one site: its socket, languages and consent wording",
    tag="webchat",
    query="WidgetConfigQuery",
    responses={200: "WidgetConfig"},
    errors=(404,),
)
def widget_config() -> Response:
    from chalicelib.webchat.chat import CONSENT_VERSION, consent_wording

    container = wired(bp)
    query = bp.current_request.query_params or {}
    site = container.webchat.sites().get(query.get("site"))
    if site is None:
        raise NotFound("There is no chat for this site")
    brand = container.settings.options.brand_name
    origin = (bp.current_request.headers or {}).get("origin")
    headers = {"Cache-Control": "public, max-age=300", "Vary": "Origin"}
    if site.allows(origin):
        headers["Access-Control-Allow-Origin"] = str(origin)
    body = {
        "site": site.id,
        "name": site.name,
        "socket": container.settings.options.webchat_socket_url,
        "languages": ["id", "en"],
        "consent": {
            "version": CONSENT_VERSION,
            "id": consent_wording("id", brand),
            "en": consent_wording("en", brand),
        },
        "heartbeat_seconds": HEARTBEAT_SECONDS,
    }
    return Response(body=body, status_code=200, headers=headers)


# -- the socket -----------------------------------------------------------------------------------------------
def connect(container: Any, event: WebsocketEvent) -> dict[str, Any]:
    """`$connect`: a non-2xx answer makes API Gateway refuse the handshake with that status."""
    raw = event.to_dict()
    query = raw.get("queryStringParameters") or {}
    headers = {str(k).lower(): v for k, v in (raw.get("headers") or {}).items()}
    source_ip = str(((raw.get("requestContext") or {}).get("identity") or {}).get("sourceIp") or "")
    refusal = container.webchat.chat().connect(event.connection_id, query.get("site"), headers.get("origin"), source_ip)
    if refusal is not None:
        logger.info("web chat connection refused", extra={"reason": refusal.reason, "status": refusal.status})
        return {"statusCode": refusal.status, "body": refusal.reason}
    return {"statusCode": 200}


def message(container: Any, event: WebsocketEvent) -> dict[str, Any]:
    """`$default`: every answer goes back through `post_to_connection` (the route is one-way)."""
    webchat = container.webchat
    push = webchat.push()
    for frame in webchat.chat().receive(event.connection_id, event.body):
        push.send(event.connection_id, frame)
    return {"statusCode": 200}


def disconnect(container: Any, event: WebsocketEvent) -> dict[str, Any]:
    container.webchat.chat().disconnect(event.connection_id)
    return {"statusCode": 200}
