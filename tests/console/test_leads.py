"""The leads screen: what telemarketers call from, with what the customer wrote shown as text."""

from __future__ import annotations

from tests.scrm.meta_payloads import wa_text

LEAD = "Saya mau ajukan kredit mobil baru, syaratnya apa?"
XSS = "<img src=x onerror=alert(1)> Saya mau kredit mobil baru, syaratnya apa?"


def test_a_telemarketer_sees_the_lead_with_the_number_to_call(browser, console_user, deliver, make_customer) -> None:
    customer = make_customer()
    deliver(wa_text(LEAD))
    email, _ = console_user("tono", "telemarketer")
    browser.sign_in(email)

    answer = browser.get("/console/leads")

    page = answer.body.decode()
    assert answer.status_code == 200
    assert page.count('data-testid="lead-row"') == 1
    assert customer["name"] in page
    assert 'href="tel:+6281234567890"' in page
    assert "kredit mobil baru" in page
    assert f"/console/customers/{customer['id']}" not in page  # a telemarketer may not open customer records


def test_an_agent_gets_links_to_the_conversation_and_the_customer(
    browser, console_user, deliver, make_customer
) -> None:
    make_customer()
    deliver(wa_text(LEAD))
    email, _ = console_user("sari", "agent")
    browser.sign_in(email)

    page = browser.get("/console/leads").body.decode()

    assert "/console/inbox/" in page
    assert "/console/customers/" in page


def test_what_a_customer_wrote_and_their_name_are_shown_as_text(browser, console_user, deliver) -> None:
    deliver(wa_text(XSS, phone="6281299990000", name="<script>alert(2)</script>"))
    email, _ = console_user("tono", "telemarketer")
    browser.sign_in(email)

    page = browser.get("/console/leads").body.decode()

    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page
    assert "<script>alert(2)" not in page


def test_a_viewer_may_not_open_the_leads(browser, console_user) -> None:
    email, _ = console_user("vina", "viewer")
    browser.sign_in(email)

    answer = browser.get("/console/leads")

    assert answer.status_code == 403


def test_a_stale_cursor_shows_the_first_page(browser, console_user, deliver) -> None:
    deliver(wa_text(LEAD))
    email, _ = console_user("tono", "telemarketer")
    browser.sign_in(email)

    answer = browser.get("/console/leads?cursor=not-a-cursor")

    assert answer.status_code == 200
    assert answer.body.decode().count('data-testid="lead-row"') == 1
