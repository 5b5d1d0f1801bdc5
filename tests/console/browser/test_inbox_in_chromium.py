"""The inbox in Chromium: a complaint by webhook, answered with a template outside the window, resolved, rated."""

from __future__ import annotations

from typing import Any

from tests.console.browser.conftest import Stack, Tab
from tests.scrm.meta_payloads import wa_text

COMPLAINT = "Saya kecewa sekali, sudah bayar angsuran tapi masih ditagih denda!"


def _customer(stack: Stack, phone: str, name: str) -> dict[str, Any]:
    status, body = stack.call(
        "POST",
        "/customers",
        {
            "external_id": f"INBOX-{phone[-6:]}",
            "name": name,
            "phone": f"+{phone}",
            "province": "DKI Jakarta",
            "city": "Jakarta",
            "consents": {"whatsapp": ["greetings"]},
        },
    )
    assert status in (200, 201), body
    return body


def _conversation(stack: Stack, customer_id: str) -> dict[str, Any]:
    def found() -> Any:
        items = stack.call("GET", "/scrm/conversations?status=open")[1]["items"]
        return next((c for c in items if c.get("customer_id") == customer_id), None)

    return stack.eventually(found)


def test_an_agent_answers_a_late_complaint_with_a_template_and_resolves_it(stack: Stack, tab: Tab) -> None:
    phone = "6281377003001"
    customer = _customer(stack, phone, "Ratna Sari Dewi")
    stack.webhook(wa_text(COMPLAINT, phone=phone, name="Ratna", at=stack.now().timestamp() - 25 * 3600))
    conversation = _conversation(stack, customer["id"])
    tab.sign_in("sari")

    tab.open("/console/inbox")
    tab.page.locator('[data-testid="conversation-row"]', has_text="denda").first.locator("a").click()
    tab.page.wait_for_url(f"**/console/inbox/{conversation['id']}")
    assert tab.page.locator("textarea[name=text]").count() == 0  # the window is closed: no free text
    tab.page.select_option("select[name=template]", "sapa_tindak_lanjut")
    tab.page.fill("textarea[name=parameters]", "Ibu Ratna\ndenda")
    tab.page.click('[data-testid="send-template"]')
    tab.page.wait_for_load_state("networkidle")
    sent = stack.eventually(lambda: [m for m in stack.sandbox_messages(phone) if m["type"] == "template"])
    tab.page.click('[data-testid="resolve"]')
    tab.page.wait_for_load_state("networkidle")

    survey = stack.eventually(
        lambda: [m for m in stack.sandbox_messages(phone) if m.get("template") == "sapa_survei_kepuasan"]
    )  # the window is closed, so the satisfaction question goes out as the approved template
    stack.webhook(wa_text("5", phone=phone, at=stack.now().timestamp()))
    stack.eventually(lambda: stack.call("GET", f"/scrm/conversations/{conversation['id']}")[1].get("csat") == 5)
    tab.page.reload()

    assert (sent[0]["template"], sent[0]["params"]) == ("sapa_tindak_lanjut", ["Ibu Ratna", "denda"])
    assert len(survey) == 1
    assert stack.call("GET", f"/scrm/conversations/{conversation['id']}")[1]["status"] == "resolved"
    assert tab.page.inner_text('[data-testid="csat"]') == "Kepuasan: 5 dari 5"
    assert tab.csp_refusals == []


def test_the_queue_shows_new_messages_without_a_reload_and_the_tab_counts_them(stack: Stack, tab: Tab) -> None:
    tab.sign_in("rina")
    tab.open("/console/inbox")
    before = tab.page.locator('[data-testid="conversation-row"]', has_text="tagihan ganda").count()

    phone = "6281377003002"
    customer = _customer(stack, phone, "Joko Susilo")
    stack.webhook(
        wa_text(
            "Saya kecewa sekali, ada tagihan ganda padahal angsuran sudah saya bayar!",
            phone=phone,
            at=stack.now().timestamp(),
        )
    )
    _conversation(stack, customer["id"])
    tab.page.wait_for_selector('[data-testid="conversation-row"] >> text=tagihan ganda', timeout=25_000)

    assert before == 0
    assert tab.page.title().startswith("(")
    tab.screenshot("inbox")


def test_a_hostile_message_and_sender_name_show_as_text(stack: Stack, tab: Tab) -> None:
    phone = "6281377003003"
    customer = _customer(stack, phone, "Nur Hidayah")
    payload = "<img src=x onerror=alert(1)> saya kecewa, ditagih denda padahal sudah bayar! <script>alert(2)</script>"
    stack.webhook(wa_text(payload, phone=phone, name="<img src=y onerror=alert(3)>", at=stack.now().timestamp()))
    conversation = _conversation(stack, customer["id"])
    tab.sign_in("sari")

    tab.open("/console/inbox")
    tab.open(f"/console/inbox/{conversation['id']}")

    assert "<img src=x onerror=alert(1)>" in tab.page.inner_text("main")
    assert tab.page.locator("main img").count() == 0
    assert tab.dialogs == []
    assert tab.csp_refusals == []


def test_the_inbox_and_a_customer_page_fit_a_phones_width(stack: Stack, tab: Tab) -> None:
    phone = "6281377003004"
    customer = _customer(stack, phone, "Wahyu Pratama")
    stack.webhook(wa_text(COMPLAINT, phone=phone, at=stack.now().timestamp()))
    conversation = _conversation(stack, customer["id"])
    tab.page.set_viewport_size({"width": 390, "height": 844})
    tab.sign_in("admin")

    overflows = {}
    for path in (
        "/console/inbox",
        f"/console/inbox/{conversation['id']}",
        "/console/customers",
        f"/console/customers/{customer['id']}",
    ):
        tab.open(path)
        overflows[path] = tab.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")

    assert all(extra <= 0 for extra in overflows.values()), overflows
