"""The local stage's mail viewer: every e-mail the local SES accepted, as its recipient would get it.

Nothing is sent for real on the local stage, so this is where staff check a
campaign's or a test e-mail's subject, bodies and headers (`List-Unsubscribe`
included). Only on the local stage: elsewhere every route answers 404. The
HTML body is someone's template: it is served from its own route under a CSP
`sandbox` (no script, no network, an opaque origin) and shown in a sandboxed
iframe; the detail page's CSP allows framing that route only.
"""

from __future__ import annotations

from chalice.app import Response

from chalicelib.access.roles import Permission
from chalicelib.console import i18n, security
from chalicelib.console.pages import Visit, page
from chalicelib.outbound.local_mail import Mail, OutboxUnavailable

LIST_LIMIT = 200
BODY_CSP = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'"
"""The HTML body's own page: inert (sandboxed, nothing loads), framable only by the console itself."""
DETAIL_CSP = security.CSP + "; frame-src 'self'"
"""The detail page may frame the body route (same origin); every other page keeps `security.CSP`."""


def _not_here(visit: Visit) -> Response:
    translate = i18n.gettext(visit.language)
    return visit.refuse(404, translate("Not found"), translate("The mail viewer exists only on the local stage."))


def _no_such_mail(visit: Visit) -> Response:
    translate = i18n.gettext(visit.language)
    return visit.refuse(404, translate("Not found"), translate("There is no such e-mail."))


def _find(visit: Visit, mail_id: str) -> Mail | Response:
    mailbox = visit.container.outbound.mailbox() if visit.local else None
    if mailbox is None:
        return _not_here(visit)
    try:
        found = mailbox.get(mail_id)
    except OutboxUnavailable:
        found = None
    return found if found is not None else _no_such_mail(visit)


@page(Permission.CAMPAIGNS)
def mail_list(visit: Visit) -> Response:
    mailbox = visit.container.outbound.mailbox() if visit.local else None
    if mailbox is None:
        return _not_here(visit)
    unavailable = False
    try:
        mails = mailbox.recent(LIST_LIMIT)
    except OutboxUnavailable:
        mails, unavailable = [], True
    return visit.render("mail.html", section="mail", mails=mails, unavailable=unavailable, limit=LIST_LIMIT)


@page(Permission.CAMPAIGNS)
def mail_page(visit: Visit, mail_id: str) -> Response:
    found = _find(visit, mail_id)
    if isinstance(found, Response):
        return found
    response = visit.render("mail_message.html", section="mail", mail=found)
    response.headers["Content-Security-Policy"] = DETAIL_CSP
    return response


@page(Permission.CAMPAIGNS)
def mail_body(visit: Visit, mail_id: str) -> Response:
    found = _find(visit, mail_id)
    if isinstance(found, Response):
        return found
    if found.html is None:
        return _no_such_mail(visit)
    headers = {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": BODY_CSP,
        "X-Frame-Options": "SAMEORIGIN",
    }
    return visit.respond(found.html, 200, headers)
