"""The local stage's mail viewer: what Sapa's SES adapter sent, as the recipient would see it, shown safely."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from chalicelib.outbound.email import OutboundEmail
from tests import wired
from tests.console.conftest import Browser

XSS = "<img src=x onerror=alert(1)>"
ACCOUNT, REGION = "123456789012", "ap-southeast-3"


def moto_outbox(after: int) -> list[dict[str, Any]]:
    """The outbox the local AWS endpoint serves, read from this test's in-process moto instead."""
    from moto.ses.models import ses_backends

    sent = ses_backends[ACCOUNT][REGION].sent_messages
    return [
        {
            "seq": seq,
            "id": message.id,
            "source": message.source,
            "destinations": list(dict.fromkeys(message.destinations)),
            "sent_at": f"2025-06-17T03:00:{seq:02d}.000Z",
            "tags": {},
            "raw": message.raw_data,
        }
        for seq, message in enumerate(sent, start=1)
        if seq > after
    ]


@pytest.fixture
def outbox(app: Any) -> None:
    wired.wired().outbound.outbox_source = moto_outbox


def send(subject: str = "Promo Lebaran", html: str | None = "<p>Halo <b>Rina</b></p>", text: str = "Halo Rina") -> str:
    message = OutboundEmail(
        to="rina@example.com",
        subject=subject,
        text=text,
        html=html,
        unsubscribe_url="http://127.0.0.1:8000/u/abc",
        message_id="msg_1",
    )
    return wired.outbound.email_sender().send(message).provider_id


def signed_in(browser: Any, console_user: Any, role: str = "marketer") -> Any:
    email, _ = console_user("mira", role)
    browser.sign_in(email)
    return browser


def test_the_list_shows_sent_mail_newest_first(browser, console_user, outbox) -> None:
    send("Yang pertama")
    send("Yang kedua")
    signed_in(browser, console_user)

    answer = browser.get("/console/mail")

    page = answer.body.decode()
    assert answer.status_code == 200
    assert page.count('data-testid="mail-row"') == 2
    assert page.index("Yang kedua") < page.index("Yang pertama")
    assert "halo@sapa.example" in page
    assert "rina@example.com" in page


def test_the_detail_shows_headers_bodies_and_frames_the_html_from_its_own_route(browser, console_user, outbox) -> None:
    mail_id = send()
    signed_in(browser, console_user, "admin")

    answer = browser.get(f"/console/mail/{mail_id}")

    page = answer.body.decode()
    assert answer.status_code == 200
    assert "List-Unsubscribe" in page
    assert "&lt;http://127.0.0.1:8000/u/abc&gt;" in page
    assert "List-Unsubscribe-Post" in page
    assert "List-Unsubscribe=One-Click" in page
    assert "Halo Rina" in page
    assert f'<iframe class="mail-html" sandbox src="/console/mail/{mail_id}/body"' in page
    assert "frame-src 'self'" in answer.headers["Content-Security-Policy"]


def test_a_hostile_subject_and_text_are_shown_escaped(browser, console_user, outbox) -> None:
    mail_id = send(subject=f"Promo {XSS}", text=f"Halo {XSS}", html=f"<p>{XSS}</p>")
    signed_in(browser, console_user)

    listing = browser.get("/console/mail").body.decode()
    detail = browser.get(f"/console/mail/{mail_id}").body.decode()

    for page in (listing, detail):
        assert "&lt;img src=x onerror=alert(1)&gt;" in page
        assert "<img src=x" not in page


def test_the_html_body_is_served_inert_under_a_sandbox_csp(browser, console_user, outbox) -> None:
    mail_id = send(html=f"<p>Halo</p>{XSS}<script>alert(2)</script>")
    signed_in(browser, console_user)

    answer = browser.get(f"/console/mail/{mail_id}/body")

    csp = answer.headers["Content-Security-Policy"]
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/html")
    assert csp.startswith("sandbox;")
    assert "default-src 'none'" in csp
    assert "img-src data:" in csp
    assert "script-src" not in csp
    assert "frame-ancestors 'self'" in csp
    assert answer.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "<p>Halo</p>" in answer.body.decode()


def test_every_other_console_page_keeps_its_csp(browser, console_user, outbox) -> None:
    signed_in(browser, console_user)

    for path in ("/console", "/console/mail", "/console/customers"):
        csp = browser.get(path).headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp
        assert "frame-src" not in csp


def test_an_unknown_mail_is_a_404(browser, console_user, outbox) -> None:
    signed_in(browser, console_user)

    assert browser.get("/console/mail/nope").status_code == 404
    assert browser.get("/console/mail/nope/body").status_code == 404


def test_agents_and_viewers_may_not_read_the_mail(browser, console_user, outbox) -> None:
    send()
    for name, role in (("sari", "agent"), ("vina", "viewer")):
        email, _ = console_user(name, role)
        browser = Browser(browser.client)
        browser.sign_in(email)

        answer = browser.get("/console/mail")

        assert answer.status_code == 403
        assert "Promo Lebaran" not in answer.body.decode()
        assert 'href="/console/mail"' not in browser.get("/console").body.decode()


def test_the_menu_offers_the_mail_viewer_to_a_marketer_on_the_local_stage(browser, console_user, outbox) -> None:
    signed_in(browser, console_user)

    assert 'href="/console/mail"' in browser.get("/console").body.decode()


# -- outside the local stage ----------------------------------------------------------------------------------------


def _staging() -> Any:
    from chalicelib.core.settings import Settings

    return Settings.from_env(
        {
            "SAPA_STAGE": "staging",
            "SAPA_PUBLIC_URL": "https://crm.bank.example",
            "SAPA_EMAIL_SENDER": "halo@bank.example",
        }
    )


def test_there_is_no_mailbox_outside_the_local_stage() -> None:
    from chalicelib.core.aws import AwsClients
    from chalicelib.wiring.container import Container

    container = Container(AwsClients(), environ=_staging().environ)

    assert container.outbound.mailbox() is None


@pytest.mark.parametrize("handler", ["mail_list", "mail_page", "mail_body"])
def test_every_mail_route_is_a_404_outside_the_local_stage(handler: str) -> None:
    from chalicelib.access.sessions import Session
    from chalicelib.console import mail
    from chalicelib.console.pages import Visit
    from chalicelib.outbound.halt import HaltState

    class Outbound:
        def mailbox(self) -> Any:
            raise AssertionError("no outbox is read outside the local stage")

        def switch(self) -> Any:  # the header's outbound state: sending
            return SimpleNamespace(state=lambda: HaltState(False))

    now = datetime(2025, 6, 17, 3, tzinfo=UTC)
    container = SimpleNamespace(settings=_staging(), outbound=Outbound(), now=lambda: now)
    request = SimpleNamespace(path="/console/mail", method="GET", headers={}, query_params={})
    session = Session("key", "ayu", "admin", "csrf", now, now)
    visit = Visit(request, container, session, "en", "Asia/Jakarta")  # type: ignore[arg-type]
    params = {} if handler == "mail_list" else {"mail_id": "anything"}

    answer = getattr(mail, handler).__wrapped__(visit, **params)

    assert answer.status_code == 404
    assert "only on the local stage" in answer.body
    assert "Strict-Transport-Security" in answer.headers  # answered as a deployed stage answers


def test_the_indonesian_page_has_no_untranslated_words(browser, console_user, outbox) -> None:
    mail_id = send()
    signed_in(browser, console_user)

    page = browser.get(f"/console/mail/{mail_id}").body.decode()

    assert re.search(r">\s*(Text body|Headers|All mail)\s*<", page) is None
