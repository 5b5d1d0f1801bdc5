"""One-click unsubscribe (RFC 8058): public, no auth, no cookies, answers 200."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib.core import settings
from chalicelib.customers.consent import CHANNELS, PURPOSES
from chalicelib.customers.unsubscribe import InvalidToken, UnsubscribeGrant, read_token

bp = Blueprint(__name__)

LABELS = {
    "id": {"whatsapp": "WhatsApp", "email": "email", "greetings": "ucapan", "promotions": "promosi"},
    "en": {"whatsapp": "WhatsApp", "email": "email", "greetings": "greetings", "promotions": "promotions"},
}


def _grant(token: str) -> UnsubscribeGrant | None:
    try:
        grant = read_token(settings.current().secret("SAPA_SIGNING_SECRET"), token)
    except InvalidToken:
        return None
    if grant.channel not in CHANNELS or grant.purpose not in PURPOSES:
        return None
    return grant


def _page(token: str, grant: UnsubscribeGrant | None, language: str, *, done: bool, status: int = 200) -> Response:
    from chalicelib.core import rendering

    language = language if language in LABELS else "id"
    labels = LABELS[language]
    html = rendering.render(
        f"unsubscribe/page.{language}.html.j2",
        {
            "done": done,
            "invalid": grant is None,
            "action": f"/unsubscribe/{token}",
            "channel_label": labels.get(grant.channel, "") if grant else "",
            "purpose_label": labels.get(grant.purpose, "") if grant else "",
        },
    )
    return Response(
        body=html, status_code=status, headers={"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}
    )


@bp.route("/unsubscribe/{token}", methods=["GET"])
def unsubscribe_page(token: str) -> Response:
    from chalicelib.customers import deps

    grant = _grant(token)
    customer = deps.repository().get(grant.customer_id) if grant else None
    language = str((customer or {}).get("language") or "id")
    return _page(token, grant, language, done=False, status=200 if grant else 404)


@bp.route(
    "/unsubscribe/{token}",
    methods=["POST"],
    content_types=["application/x-www-form-urlencoded", "multipart/form-data", "text/plain", "application/json"],
)
def unsubscribe(token: str) -> Response:
    from chalicelib.customers import deps
    from chalicelib.customers.service import Actor

    grant = _grant(token)
    if grant is None:
        return _page(token, None, "id", done=False, status=404)
    service = deps.customer_service()
    customer = service.get(grant.customer_id)
    service.withdraw(grant.customer_id, grant.channel, [grant.purpose], Actor("customer", "unsubscribe"))
    # An erased customer has nothing left to withdraw: still a success for the mailbox provider.
    return _page(token, grant, str((customer or {}).get("language") or "id"), done=True)
