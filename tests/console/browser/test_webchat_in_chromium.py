"""The website chat end to end in Chromium, on `make run`: a visitor on the demo page, an agent in the console.

The visitor asks about BPKB and gets the bot's answer in the widget, then
complains; in a second browser context an agent signed in to the console sees
the complaint arrive, types (the widget shows it) and replies, and the reply
appears in the widget. A reload keeps the conversation. A portal sign-in with a
forged signature is refused: the visitor chats on as a stranger, with the form.

The widget's shadow root is closed to page scripts; the visitor's context opens
it with an init script before the widget runs, so the test can read it
(tests/webchat/browser/conftest.py explains).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.console.browser.conftest import Stack, Tab
from tests.webchat.browser.conftest import OPEN_SHADOW, WATCH_CSP, screenshot

BPKB = "Halo, saya mau tanya soal pengambilan BPKB"
COMPLAINT = "Saya kecewa sekali, sudah bayar angsuran tapi masih ditagih terus. Tolong!"
REPLY = "Mohon maaf, Bu Wulan. Saya cek pembayaran Ibu sekarang."


class WidgetTab:
    """A visitor's tab on the company's demo page."""

    def __init__(self, page: Any, base: str) -> None:
        self.page, self.base = page, base
        self.console: list[str] = []
        page.on("console", lambda message: self.console.append(f"{message.type}: {message.text}"))

    def visit(self, query: str = "") -> None:
        self.page.goto(f"{self.base}/widget/demo{query}")

    @property
    def panel(self) -> Any:
        return self.page.get_by_role("dialog")

    @property
    def log(self) -> Any:
        return self.panel.get_by_role("log")

    @property
    def textbox(self) -> Any:
        return self.panel.get_by_role("textbox", name="Pesan Anda")

    def open_chat(self) -> None:
        """The panel, opened unless the widget reopened it itself (it remembers an open panel across a reload)."""
        launcher = self.page.get_by_role("button", name="Chat", exact=True)
        expect(launcher).to_be_visible()
        if not self.panel.is_visible():
            launcher.click()
        expect(self.panel).to_be_visible()

    def fill_in_the_form(self, name: str, contact: str) -> None:
        self.panel.get_by_role("textbox", name="Nama").fill(name)
        self.panel.get_by_role("textbox", name="Nomor HP atau e-mail").fill(contact)
        self.panel.get_by_role("button", name="Mulai chat").click()
        expect(self.textbox).to_be_visible()

    def say(self, text: str) -> None:
        self.textbox.fill(text)
        self.textbox.press("Enter")

    def screenshot(self, name: str) -> None:
        screenshot(self.page, name)

    def violations(self) -> list[str]:
        reported = self.page.evaluate("window.__violations || []")
        return reported + [line for line in self.console if "Content Security Policy" in line]


@pytest.fixture
def widget(chrome: Any, stack: Stack) -> Iterator[WidgetTab]:
    context = chrome.new_context(viewport={"width": 1280, "height": 800}, locale="id-ID")
    context.add_init_script(OPEN_SHADOW)
    context.add_init_script(WATCH_CSP)
    yield WidgetTab(context.new_page(), stack.api)
    context.close()


def _web_conversation(stack: Stack, text: str) -> dict[str, Any]:
    def found() -> Any:
        items = stack.call("GET", "/scrm/conversations?channel=web&status=open")[1]["items"]
        return next((c for c in items if text[:20] in str(c.get("preview") or "")), None)

    return stack.eventually(found)


def test_a_visitor_gets_the_bots_answer_then_an_agents_reply_and_a_reload_keeps_it(
    stack: Stack, widget: WidgetTab, tab: Tab
) -> None:
    widget.visit()
    widget.open_chat()
    widget.fill_in_the_form("Wulan Sari", "wulan.sari@example.co.id")

    widget.say(BPKB)
    bot = widget.log.locator(".from-bot .text")
    expect(bot.first).to_contain_text("BPKB", timeout=15_000)

    widget.say(COMPLAINT)
    expect(bot.last).to_contain_text("Petugas", timeout=15_000)  # the bot says a person will answer here
    conversation = _web_conversation(stack, COMPLAINT)

    tab.sign_in("sari")
    tab.open("/console/inbox")
    row = tab.page.locator('[data-testid="conversation-row"]', has_text="ditagih terus")
    expect(row).to_have_count(1, timeout=20_000)
    row.locator("a").first.click()
    tab.page.wait_for_url(f"**/console/inbox/{conversation['id']}")
    expect(tab.page.locator(".thread")).to_contain_text(COMPLAINT)
    tab.page.locator("textarea[name=text]").press_sequentially("Mohon maaf", delay=20)
    expect(widget.panel).to_contain_text("sedang mengetik", timeout=10_000)
    tab.page.fill("textarea[name=text]", REPLY)
    tab.page.click('[data-testid="send-reply"]')

    agent = widget.log.locator(".from-agent .text")
    expect(agent.last).to_have_text(REPLY, timeout=15_000)
    expect(widget.log).to_contain_text("bergabung")
    tab.screenshot("inbox-web-chat")
    widget.screenshot("widget-agent-reply")

    widget.page.reload()
    widget.open_chat()
    expect(widget.log).to_contain_text(BPKB)
    expect(widget.log).to_contain_text(COMPLAINT)
    expect(widget.log.locator(".from-agent .text").last).to_have_text(REPLY)
    expect(widget.panel.get_by_role("textbox", name="Nama")).to_have_count(0)  # no form again after a reload
    assert widget.violations() == []
    assert tab.csp_refusals == []


def test_a_portal_customer_is_recognised_and_a_forged_signature_is_not(stack: Stack, widget: WidgetTab) -> None:
    widget.visit("?customer=DEMO-000001")
    widget.open_chat()
    expect(widget.textbox).to_be_visible()  # signed in through the portal: no form
    expect(widget.panel.get_by_role("textbox", name="Nama")).to_be_hidden()

    widget.page.context.clear_cookies()
    widget.page.evaluate("localStorage.clear()")
    widget.visit("?customer=DEMO-000001&hash=" + "0" * 64)
    widget.open_chat()

    expect(widget.panel.get_by_role("textbox", name="Nama")).to_be_visible()  # a stranger: the form first
