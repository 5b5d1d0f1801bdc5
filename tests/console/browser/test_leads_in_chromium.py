"""The leads screen in Chromium: a hostile message from an unknown sender shows as text, on a laptop and a phone."""

from __future__ import annotations

from tests.console.browser.conftest import Stack, Tab
from tests.scrm.meta_payloads import wa_text

PAYLOAD = "<img src=x onerror=alert(1)> Saya mau kredit mobil baru, syaratnya apa?"
NAME = "<script>alert(2)</script>Budi"


def _lead_arrives(stack: Stack, phone: str) -> None:
    stack.webhook(wa_text(PAYLOAD, phone=phone, name=NAME, at=stack.now().timestamp()))
    stack.eventually(lambda: any(lead["phone"] == f"+{phone}" for lead in stack.call("GET", "/leads")[1]["items"]))


def test_a_hostile_lead_shows_as_text_and_runs_nothing(stack: Stack, tab: Tab) -> None:
    _lead_arrives(stack, "6281377001001")
    tab.sign_in("tono")

    tab.open("/console/leads")
    row = tab.page.locator('[data-testid="lead-row"]', has_text="+6281377001001")

    assert "<img src=x onerror=alert(1)>" in row.inner_text()
    assert "<script>alert(2)</script>Budi" in row.inner_text()
    assert tab.page.locator("main img").count() == 0
    assert tab.dialogs == []
    assert tab.csp_refusals == []


def test_the_leads_fit_a_phones_width(stack: Stack, tab: Tab) -> None:
    _lead_arrives(stack, "6281377001002")
    tab.page.set_viewport_size({"width": 390, "height": 844})
    tab.sign_in("tono")

    tab.open("/console/leads")

    overflow = tab.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    assert tab.page.locator('[data-testid="lead-row"]').first.is_visible()
