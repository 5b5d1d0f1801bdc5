"""One-click unsubscribe (RFC 8058) and its consent page: public, no auth, no cookies, answers 200.

The signed token in the link is the only credential. After unsubscribing, the
page offers to subscribe again: pressing that button is the customer's own,
explicit act (`web_form`), recorded with the wording the button showed.
"""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib.core import settings
from chalicelib.core.composition import wired
from chalicelib.core.contract import api
from chalicelib.customers.consent import CHANNELS, PURPOSES
from chalicelib.customers.unsubscribe import InvalidToken, UnsubscribeGrant, read_token

bp = Blueprint(__name__)

LABELS = {
    "id": {"whatsapp": "WhatsApp", "email": "email", "greetings": "ucapan", "promotions": "promosi"},
    "en": {"whatsapp": "WhatsApp", "email": "email", "greetings": "greetings", "promotions": "promotions"},
}
RESUBSCRIBE = {
    "id": "Saya ingin kembali menerima {purpose} melalui {channel}",
    "en": "I want to receive {purpose} by {channel} again",
}
FORM_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain", "application/json"]


def _grant(token: str) -> UnsubscribeGrant | None:
    try:
        grant = read_token(settings.current().secret("SAPA_SIGNING_SECRET"), token)
    except InvalidToken:
        return None
    if grant.channel not in CHANNELS or grant.purpose not in PURPOSES:
        return None
    return grant


def _wording(grant: UnsubscribeGrant, language: str) -> str:
    labels = LABELS[language]
    return RESUBSCRIBE[language].format(purpose=labels[grant.purpose], channel=labels[grant.channel])


def _page(
    token: str,
    grant: UnsubscribeGrant | None,
    language: str,
    *,
    done: bool,
    resubscribed: bool = False,
    status: int = 200,
) -> Response:
    from chalicelib.core import rendering

    language = language if language in LABELS else "id"
    labels = LABELS[language]
    html = rendering.render(
        f"unsubscribe/page.{language}.html.j2",
        {
            "done": done,
            "resubscribed": resubscribed,
            "invalid": grant is None,
            "action": f"/unsubscribe/{token}",
            "resubscribe_action": f"/unsubscribe/{token}/resubscribe",
            "resubscribe_wording": _wording(grant, language) if grant else "",
            "channel_label": labels.get(grant.channel, "") if grant else "",
            "purpose_label": labels.get(grant.purpose, "") if grant else "",
        },
    )
    return Response(
        body=html, status_code=status, headers={"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}
    )


@bp.route("/unsubscribe/{token}", methods=["GET"])
@api(
    summary="The consent page of an unsubscribe link", tag="unsubscribe", responses={200: "text/html", 404: "text/html"}
)
def unsubscribe_page(token: str) -> Response:
    deps = wired(bp).customers

    grant = _grant(token)
    customer = deps.repository().get(grant.customer_id) if grant else None
    language = str((customer or {}).get("language") or "id")
    return _page(token, grant, language, done=False, status=200 if grant else 404)


@bp.route("/unsubscribe/{token}", methods=["POST"], content_types=FORM_TYPES)
@api(
    summary="One-click unsubscribe (RFC 8058)",
    tag="unsubscribe",
    body="any form or none: the signed token in the path is the only input",
    body_media="application/x-www-form-urlencoded",
    body_required=False,
    responses={200: "text/html", 404: "text/html"},
)
def unsubscribe(token: str) -> Response:
    from chalicelib.customers.service import Actor

    deps = wired(bp).customers

    grant = _grant(token)
    if grant is None:
        return _page(token, None, "id", done=False, status=404)
    service = deps.customer_service()
    customer = service.get(grant.customer_id)
    service.withdraw(grant.customer_id, grant.channel, [grant.purpose], Actor("customer", "unsubscribe_link"))
    if grant.message_id:  # a campaign's link: that campaign counts the unsubscribe, once per message
        container = wired(bp)
        container.outbound.status_updater().unsubscribed(grant.message_id, container.now())
    # An erased customer has nothing left to withdraw: still a success for the mailbox provider.
    return _page(token, grant, str((customer or {}).get("language") or "id"), done=True)


@bp.route("/unsubscribe/{token}/resubscribe", methods=["POST"], content_types=FORM_TYPES)
@api(
    summary="Subscribe again from the consent page",
    tag="unsubscribe",
    body="any form or none: the signed token in the path is the only input",
    body_media="application/x-www-form-urlencoded",
    body_required=False,
    responses={200: "text/html", 404: "text/html"},
)
def resubscribe(token: str) -> Response:
    """The customer presses "subscribe again" on the consent page: a new, explicit grant (UU PDP Pasal 22)."""
    from chalicelib.customers.model import InvalidCustomer
    from chalicelib.customers.service import Actor

    deps = wired(bp).customers

    grant = _grant(token)
    service = deps.customer_service()
    customer = service.get(grant.customer_id) if grant else None
    if grant is None or customer is None:
        return _page(token, None, "id", done=False, status=404)
    language = str(customer.get("language") or "id")
    language = language if language in LABELS else "id"
    actor = Actor("customer", "web_form", f"consent page: {_wording(grant, language)}")
    try:
        service.record_consent(grant.customer_id, grant.channel, [grant.purpose], True, actor)
    except InvalidCustomer:
        return _page(token, None, language, done=False, status=404)
    return _page(token, grant, language, done=True, resubscribed=True)
