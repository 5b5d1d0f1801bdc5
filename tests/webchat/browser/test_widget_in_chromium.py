"""The website chat widget as a visitor meets it in Chromium, on the demo page under its strict CSP."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.webchat.browser.conftest import CONSENT, FakeSapa, Visitor

pytestmark = pytest.mark.slow

QUESTION = "Berapa sisa cicilan saya?"
HOSTILE = '<img src=x onerror="window.__pwned = true">'


def test_the_chat_button_opens_a_panel_where_a_question_gets_the_bots_answer(visitor: Visitor) -> None:
    visitor.visit()
    expect(visitor.launcher).to_be_visible()
    expect(visitor.panel).to_be_hidden()

    visitor.open_chat()

    expect(visitor.panel).to_be_visible()
    expect(visitor.panel).to_have_attribute("aria-label", "Chat dengan Sapa Finance")
    expect(visitor.panel.get_by_role("textbox")).to_have_count(1)
    textbox = visitor.panel.get_by_role("textbox", name="Pesan Anda")
    expect(textbox).to_be_focused()
    expect(visitor.panel.get_by_role("button", name="Kirim", exact=True)).to_be_visible()
    expect(visitor.log).to_have_attribute("aria-live", "polite")

    textbox.fill(QUESTION)
    textbox.press("Enter")

    expect(visitor.log).to_contain_text(QUESTION)
    expect(visitor.log).to_contain_text(f"Terima kasih! Pertanyaan Anda: {QUESTION}")
    expect(visitor.log.locator(".from-visitor .who")).to_have_text("Anda")
    expect(visitor.log.locator(".from-bot .who")).to_have_text("Asisten virtual")
    expect(visitor.log.locator(".from-bot time")).to_have_text(re.compile(r"^\d\d[.:]\d\d$"))
    expect(textbox).to_have_value("")
    [sent] = visitor.fake.sent("message")
    assert sent["text"] == QUESTION
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", sent["id"])
    [hello] = visitor.fake.sent("hello")
    assert hello == {"type": "hello", "visitor": None, "language": "id"}
    visitor.screenshot("widget")
    assert visitor.violations() == []


def test_html_in_an_answer_stays_text(visitor: Visitor) -> None:
    visitor.fake.answer = lambda text: HOSTILE
    visitor.visit()
    visitor.open_chat()

    visitor.panel.get_by_role("textbox").fill("halo")
    visitor.panel.get_by_role("button", name="Kirim", exact=True).click()

    expect(visitor.log.locator(".from-bot .text")).to_have_text(HOSTILE)
    expect(visitor.log.locator("img")).to_have_count(0)
    assert visitor.page.evaluate("window.__pwned === undefined")


def test_a_message_over_2000_characters_is_refused_before_it_is_sent(visitor: Visitor) -> None:
    visitor.visit()
    visitor.open_chat()
    textbox = visitor.panel.get_by_role("textbox")

    textbox.fill("a" * 2001)
    textbox.press("Enter")

    expect(visitor.panel).to_contain_text("Pesan terlalu panjang: paling banyak 2.000 karakter (sekarang 2.001).")
    expect(textbox).to_have_value("a" * 2001)
    assert visitor.fake.sent("message") == []


def test_shift_enter_writes_a_new_line_and_enter_sends_both_lines(visitor: Visitor) -> None:
    visitor.visit()
    visitor.open_chat()
    textbox = visitor.panel.get_by_role("textbox")

    textbox.type("baris satu")
    textbox.press("Shift+Enter")
    textbox.type("baris dua")
    assert visitor.fake.sent("message") == []
    textbox.press("Enter")

    [sent] = visitor.fake.wait_for("message")
    assert sent["text"] == "baris satu\nbaris dua"


def test_the_pre_chat_form_asks_consent_separately_unticked_and_shows_the_servers_field_errors(
    visitor: Visitor,
) -> None:
    visitor.fake.needs_prechat = True
    visitor.visit()
    visitor.open_chat()

    name = visitor.panel.get_by_role("textbox", name="Nama")
    contact = visitor.panel.get_by_role("textbox", name="Nomor HP atau e-mail")
    consent = visitor.panel.get_by_role("checkbox", name=CONSENT["id"])
    expect(name).to_be_focused()
    expect(consent).not_to_be_checked()
    expect(visitor.panel.get_by_role("textbox", name="Pesan Anda")).to_be_hidden()

    name.fill("Rina Wulandari")
    contact.fill("rina di rumah")
    visitor.panel.get_by_role("button", name="Mulai chat").click()

    expect(visitor.panel.locator("#prechat-contact-error")).to_have_text(
        "Isi nomor HP atau alamat e-mail yang benar."
    )  # the widget's words, not the server's
    expect(contact).to_have_attribute("aria-invalid", "true")

    contact.fill("0812 3456 7890")
    visitor.panel.get_by_role("button", name="Mulai chat").click()

    textbox = visitor.panel.get_by_role("textbox", name="Pesan Anda")
    expect(textbox).to_be_focused()
    expect(name).to_be_hidden()
    assert visitor.fake.sent("prechat")[-1] == {
        "type": "prechat",
        "name": "Rina Wulandari",
        "contact": "0812 3456 7890",
        "consent": False,
        "consent_version": CONSENT["version"],
    }


def test_a_message_lost_with_the_connection_is_sent_again_with_the_same_id(visitor: Visitor) -> None:
    visitor.fake.drop_next_message = True
    visitor.visit()
    visitor.open_chat()

    visitor.panel.get_by_role("textbox").fill(QUESTION)
    visitor.panel.get_by_role("textbox").press("Enter")

    expect(visitor.panel.get_by_role("status").first).to_have_text("Menghubungkan kembali…")
    expect(visitor.log).to_contain_text("Mengirim…")
    first, again = visitor.fake.wait_for("message", 2)
    assert again == first
    expect(visitor.log).to_contain_text(f"Terima kasih! Pertanyaan Anda: {QUESTION}")
    expect(visitor.log).not_to_contain_text("Mengirim…")
    expect(visitor.panel.get_by_role("status").first).to_have_text("")
    hellos = visitor.fake.sent("hello")
    assert [hello["visitor"] for hello in hellos] == [None, "visitor-1"]
    assert visitor.page.evaluate("localStorage.getItem('sapa-webchat:demo:pending')") == "[]"


def test_a_reload_brings_the_conversation_back_once(visitor: Visitor) -> None:
    visitor.visit()
    visitor.open_chat()
    visitor.panel.get_by_role("textbox").fill(QUESTION)
    visitor.panel.get_by_role("textbox").press("Enter")
    expect(visitor.log.locator(".from-bot")).to_have_count(1)

    visitor.page.reload()

    expect(visitor.panel).to_be_visible()
    expect(visitor.log.locator(".message")).to_have_count(2)
    expect(visitor.log.locator(".from-visitor .text")).to_have_text(QUESTION)
    assert [hello["visitor"] for hello in visitor.fake.sent("hello")] == [None, "visitor-1"]


def test_escape_closes_the_panel_and_gives_focus_back_to_the_chat_button(visitor: Visitor) -> None:
    visitor.visit()
    visitor.launcher.focus()
    visitor.page.keyboard.press("Enter")
    expect(visitor.panel).to_be_visible()
    expect(visitor.launcher).to_have_attribute("aria-expanded", "true")
    expect(visitor.panel.get_by_role("textbox")).to_be_focused()

    visitor.page.keyboard.press("Shift+Tab")  # back through the log to the header's close button
    visitor.page.keyboard.press("Shift+Tab")
    expect(visitor.panel.get_by_role("button", name="Tutup chat")).to_be_focused()
    visitor.page.keyboard.press("Escape")

    expect(visitor.panel).to_be_hidden()
    expect(visitor.launcher).to_be_focused()
    expect(visitor.launcher).to_have_attribute("aria-expanded", "false")


def test_data_language_en_speaks_english_and_the_switch_remembers_the_visitors_choice(visitor: Visitor) -> None:
    visitor.visit("/widget/demo-en")
    visitor.open_chat()

    expect(visitor.launcher).to_have_text("Chat")
    expect(visitor.panel).to_have_attribute("aria-label", "Chat with Sapa Finance")
    expect(visitor.panel.get_by_role("button", name="Send", exact=True)).to_be_visible()
    expect(visitor.panel.get_by_role("textbox", name="Your message")).to_be_visible()
    assert visitor.fake.sent("hello")[0]["language"] == "en"

    visitor.panel.get_by_role("button", name="ID", exact=True).click()
    expect(visitor.panel.get_by_role("button", name="Kirim", exact=True)).to_be_visible()
    visitor.visit("/widget/demo-en")
    expect(visitor.panel.get_by_role("button", name="Kirim", exact=True)).to_be_visible()


def test_deleting_the_chat_asks_inside_the_panel_then_forgets_the_visitor(visitor: Visitor) -> None:
    visitor.visit()
    visitor.open_chat()
    visitor.panel.get_by_role("textbox").fill(QUESTION)
    visitor.panel.get_by_role("textbox").press("Enter")
    expect(visitor.log.locator(".from-bot")).to_have_count(1)

    visitor.panel.get_by_role("button", name="Menu chat").click()
    visitor.panel.get_by_role("button", name="Kirim transkrip ke e-mail saya").click()
    expect(visitor.panel).to_contain_text("Transkrip sedang dikirim ke e-mail Anda.")
    visitor.panel.get_by_role("button", name="Menu chat").click()
    visitor.panel.get_by_role("button", name="Hapus chat ini").click()
    expect(visitor.panel).to_contain_text("Hapus seluruh percakapan ini")
    assert visitor.fake.sent("delete") == []
    visitor.panel.get_by_role("button", name="Ya, hapus").click()

    expect(visitor.log.locator(".message")).to_have_count(0)
    expect(visitor.panel).to_contain_text("Chat ini sudah dihapus")
    assert len(visitor.fake.wait_for("delete")) == 1
    assert visitor.page.evaluate("localStorage.getItem('sapa-webchat:demo:visitor')") is None


def test_an_agent_joins_types_and_asks_for_a_rating_the_visitor_gives(visitor: Visitor) -> None:
    visitor.fake.then = [
        {"type": "agent_joined", "name": "Dewi"},
        {"type": "typing", "name": "Dewi"},
    ]
    visitor.visit()
    visitor.open_chat()
    visitor.panel.get_by_role("textbox").fill("mau bicara dengan CS")
    visitor.panel.get_by_role("textbox").press("Enter")

    expect(visitor.log).to_contain_text("Dewi bergabung")
    expect(visitor.panel).to_contain_text("Dewi sedang mengetik…")
    expect(visitor.panel).not_to_contain_text("Dewi sedang mengetik…", timeout=7000)  # gone after 5 s

    visitor.fake.then = [
        {
            "type": "message",
            "id": "a-1",
            "from": "agent",
            "agent": "Dewi",
            "text": "Sudah saya bantu.",
            "at": "2026-12-03T08:00:00Z",
        },
        {
            "type": "message",
            "id": "a-2",
            "from": "agent",
            "agent": "Dewi",
            "text": "Bagaimana layanan kami?",
            "csat": True,
            "at": "2026-12-03T08:00:05Z",
        },
    ]
    visitor.panel.get_by_role("textbox").fill("terima kasih")
    visitor.panel.get_by_role("textbox").press("Enter")
    expect(visitor.log.locator(".from-agent .who").first).to_have_text("Dewi")
    rating = visitor.log.get_by_role("group", name="Seberapa puas Anda dengan layanan kami?")
    expect(rating.get_by_role("button")).to_have_count(5)
    rating.get_by_role("button", name="4 dari 5").click()

    expect(visitor.log).to_contain_text("Terima kasih atas penilaian Anda.")
    assert visitor.fake.wait_for("csat")[0] == {"type": "csat", "score": 4}


def test_no_pong_within_10_seconds_replaces_the_socket(visitor: Visitor) -> None:
    visitor.fake.heartbeat_seconds = 1
    visitor.fake.answer_pings = False
    visitor.visit()
    visitor.open_chat()

    visitor.fake.wait_for("ping")
    hellos = visitor.fake.wait_for("hello", 2, timeout=15)

    assert hellos[1]["visitor"] == "visitor-1"
    assert len(visitor.fake.sent("ping")) < 13, "one ping a second, then a new socket after 10 s without pong"


def test_a_signed_in_portal_user_says_who_they_are_in_hello(visitor: Visitor) -> None:
    visitor.visit("/widget/demo-signed-in")
    visitor.open_chat()

    assert visitor.fake.sent("hello")[0]["identity"] == {"id": "CUST-0042", "hash": "ab" * 32}


def test_the_shadow_root_is_closed_to_the_page_and_the_button_is_still_there_for_assistive_technology(
    plain_visitor: Visitor, fake_sapa: FakeSapa
) -> None:
    plain_visitor.visit()
    plain_visitor.page.wait_for_function("document.querySelector('sapa-webchat') !== null")

    assert plain_visitor.page.evaluate("document.querySelector('sapa-webchat').shadowRoot") is None
    cdp = plain_visitor.page.context.new_cdp_session(plain_visitor.page)
    tree = cdp.send("Accessibility.getFullAXTree")["nodes"]
    buttons = [
        node["name"]["value"] for node in tree if node.get("role", {}).get("value") == "button" and "name" in node
    ]
    assert "Chat" in buttons
    assert plain_visitor.violations() == []
