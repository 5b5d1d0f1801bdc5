"""The local mail viewer in Chromium: a campaign's test e-mail, its headers and its HTML body framed inert."""

from __future__ import annotations

from typing import Any

from tests.console.browser.conftest import Stack, Tab

SUBJECT = "Promo servis Juni untuk {{ customer.first_name }} <img src=x onerror=alert(1)>"
BODY = (
    '<p style="color:#0a5">Halo {{ customer.first_name }}, servis berkala diskon 20%.</p>'
    '<img src="https://tracker.example/pixel.gif" alt="">'
    "<script>alert(2)</script>"
    '<p><a href="{{ unsubscribe_url }}">Berhenti berlangganan</a></p>'
)


def _test_email_sent(stack: Stack) -> dict[str, Any]:
    status, customer = stack.call(
        "POST",
        "/customers",
        {
            "external_id": "MAIL-BROWSER-1",
            "name": "Dewi Lestari",
            "email": "dewi.lestari@example.com",
            "city": "Jakarta",
            "test_recipient": True,
            "consents": {"email": ["promotions"]},
        },
    )
    assert status in (200, 201), customer
    status, campaign = stack.call(
        "POST",
        "/campaigns",
        {
            "name": "Servis Juni (e-mail)",
            "channel": "email",
            "template": {"subject": SUBJECT, "body": BODY},
            "segment": {"field": "city", "op": "eq", "value": "Jakarta"},
        },
    )
    assert status == 201, campaign
    status, sent = stack.call("POST", f"/campaigns/{campaign['id']}/test", {"customer_ids": [customer["id"]]})
    assert status == 202, sent
    return customer


def test_a_marketer_reads_the_test_email_with_its_unsubscribe_headers(stack: Stack, tab: Tab) -> None:
    customer = _test_email_sent(stack)
    tab.sign_in("maya")

    def arrived() -> bool:
        tab.open("/console/mail")
        return tab.page.locator('[data-testid="mail-row"]', has_text="dewi.lestari@example.com").count() > 0

    stack.eventually(arrived)
    row = tab.page.locator('[data-testid="mail-row"]', has_text="dewi.lestari@example.com").first
    assert "Promo servis Juni untuk Dewi <img src=x onerror=alert(1)>" in row.inner_text()
    row.locator("a").click()
    tab.page.wait_for_selector('[data-testid="mail-headers"]')

    headers = tab.page.locator('[data-testid="mail-headers"]').inner_text()
    assert "List-Unsubscribe" in headers
    assert "List-Unsubscribe=One-Click" in headers
    assert "Halo Dewi" in tab.page.locator('[data-testid="mail-text"]').inner_text()
    frame = tab.page.frame_locator("iframe.mail-html")
    assert "servis berkala diskon 20%" in frame.locator("body").inner_text()
    assert tab.page.locator("main img").count() == 0  # the subject's markup is text
    tab.screenshot("mail")
    assert tab.dialogs == []  # neither the subject nor the body's script ran

    _, messages = stack.call("GET", f"/customers/{customer['id']}/messages")
    assert messages["items"][0]["channel"] == "email"
    stack.eventually(
        lambda: stack.call("GET", f"/customers/{customer['id']}/messages")[1]["items"][0]["status"] == "delivered"
    )
