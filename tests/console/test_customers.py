"""The customer screens: finding a customer, their record, and the acts staff do on it, as a browser sends them."""

from __future__ import annotations

import re

from tests import wired
from tests.scrm.meta_payloads import wa_text

XSS = "<img src=x onerror=alert(1)>"
LEAD = "Saya mau ajukan kredit mobil baru, syaratnya apa?"


def _signed_in(browser, console_user, role: str = "marketer") -> None:
    email, _ = console_user(f"{role}-user", role)
    browser.sign_in(email)


def _rows(page: str) -> int:
    return page.count('data-testid="customer-row"')


def test_a_customer_is_found_by_part_of_the_name_any_phone_notation_external_id_and_email(
    browser, console_user, make_customer
) -> None:
    make_customer("CUST-001", name="Budi Santoso", phone="+6281234567890", email="budi@contoh.co.id")
    make_customer("CUST-002", name="Siti Aminah", phone="+6281299990000", email="siti@contoh.co.id")
    _signed_in(browser, console_user)

    for query in ("santoso", "0812-3456-7890", "62 812 3456 7890", "CUST-001", "Budi@Contoh.co.id"):
        page = browser.get(f"/console/customers?q={query}").body.decode()
        assert _rows(page) == 1, query
        assert "Budi Santoso" in page
        assert "Siti Aminah" not in page


def test_filters_narrow_the_list_and_a_bad_filter_says_what_is_wrong(browser, console_user, make_customer) -> None:
    make_customer("CUST-001", name="Budi Santoso", consents={"whatsapp": ["greetings", "promotions"]})
    make_customer("CUST-002", name="Siti Aminah", phone="+6281299990000", consents={"whatsapp": ["greetings"]})
    _signed_in(browser, console_user)

    promotions = browser.get("/console/customers?consent=whatsapp:promotions").body.decode()
    wita = browser.get("/console/customers?zone=WITA&city=makassar").body.decode()
    wrong = browser.get("/console/customers?consent=sms:promotions")

    assert _rows(promotions) == 1
    assert "Budi Santoso" in promotions
    assert _rows(wita) == 2  # both live in Makassar (WITA)
    assert wrong.status_code == 200
    assert "consent:" in wrong.body.decode()


def test_the_record_shows_consent_with_its_history_and_the_message_timeline(
    browser, console_user, make_customer, deliver
) -> None:
    customer = make_customer()
    deliver(wa_text(LEAD))  # the bot acknowledges the lead: a message to the customer
    _signed_in(browser, console_user, "agent")

    page = browser.get(f"/console/customers/{customer['id']}").body.decode()

    assert 'data-testid="consents"' in page
    assert "Riwayat" in page
    assert "dari API" in page  # how the consent came: make_customer writes through the API's path
    assert page.count('data-testid="message-row"') >= 1
    assert "/console/inbox/" in page  # the conversation, for an agent
    assert 'data-testid="leads"' in page
    assert "lead · open" in page  # the call the lead put on the telemarketers' list


def test_recording_a_withdrawal_with_evidence_shows_in_the_history(browser, console_user, make_customer) -> None:
    customer = make_customer()
    _signed_in(browser, console_user)
    token = browser.csrf(f"/console/customers/{customer['id']}")

    answer = browser.post(
        f"/console/customers/{customer['id']}/consents",
        {"csrf": token, "channel": "whatsapp", "purpose": "promotions", "granted": "no", "evidence": "telepon 2/12"},
    )

    assert answer.status_code == 303
    page = browser.get(answer.headers["Location"]).body.decode()
    assert "ditarik oleh pelanggan" in page
    assert "telepon 2/12" in page
    assert wired.customers.customer_service().get(customer["id"])["consents"]["whatsapp"] == ["greetings"]


def test_a_consent_without_evidence_is_refused_on_the_page(browser, console_user, make_customer) -> None:
    customer = make_customer()
    _signed_in(browser, console_user)
    token = browser.csrf(f"/console/customers/{customer['id']}")

    answer = browser.post(
        f"/console/customers/{customer['id']}/consents",
        {"csrf": token, "channel": "email", "purpose": "promotions", "granted": "yes", "evidence": ""},
    )

    assert answer.status_code == 400
    assert "Sebutkan buktinya" in answer.body.decode()
    assert "promotions" not in wired.customers.customer_service().get(customer["id"])["consents"].get("email", [])


def test_editing_a_field_saves_it_and_a_bad_phone_says_so(browser, console_user, make_customer) -> None:
    customer = make_customer()
    _signed_in(browser, console_user)
    token = browser.csrf(f"/console/customers/{customer['id']}")

    saved = browser.post(f"/console/customers/{customer['id']}", {"csrf": token, "city": "Parepare"})
    refused = browser.post(f"/console/customers/{customer['id']}", {"csrf": token, "phone": "bukan nomor"})

    assert saved.status_code == 303
    assert wired.customers.customer_service().get(customer["id"])["city"] == "Parepare"
    assert refused.status_code == 400
    assert "phone" in refused.body.decode()


def test_erasure_names_what_goes_then_erases(browser, console_user, make_customer) -> None:
    customer = make_customer()
    _signed_in(browser, console_user)

    confirm = browser.get(f"/console/customers/{customer['id']}/erase").body.decode()
    token = re.search(r'name="csrf" value="([^"]+)"', confirm).group(1)
    answer = browser.post(f"/console/customers/{customer['id']}/erase", {"csrf": token})

    assert 'data-testid="erase-summary"' in confirm
    assert "percakapan" in confirm
    assert answer.status_code == 303
    assert wired.customers.customer_service().get(customer["id"]) is None
    assert "Budi Santoso" not in browser.get("/console/customers?q=budi").body.decode()


def test_a_hostile_name_is_text_on_the_list_and_the_record(browser, console_user, make_customer) -> None:
    customer = make_customer(name=f"{XSS} Budi")
    _signed_in(browser, console_user)

    listed = browser.get("/console/customers?q=budi").body.decode()
    record = browser.get(f"/console/customers/{customer['id']}").body.decode()

    for page in (listed, record):
        assert "&lt;img src=x onerror=alert(1)&gt; Budi" in page
        assert "<img src=x" not in page


def test_a_post_without_the_token_or_from_another_site_changes_nothing(browser, console_user, make_customer) -> None:
    customer = make_customer()
    _signed_in(browser, console_user)
    token = browser.csrf(f"/console/customers/{customer['id']}")
    path = f"/console/customers/{customer['id']}/erase"

    without_token = browser.post(path, {})
    other_site = browser.post(path, {"csrf": token}, headers={"Origin": "https://evil.example"})

    assert without_token.status_code == other_site.status_code == 403
    assert wired.customers.customer_service().get(customer["id"])["name"] == "Budi Santoso"


def test_each_role_gets_what_it_may(browser, console_user, make_customer) -> None:
    customer = make_customer()
    for role, listing, record, erase in (
        ("viewer", 200, 200, 403),
        ("telemarketer", 403, 403, 403),
        ("agent", 200, 200, 403),
        ("marketer", 200, 200, 200),
    ):
        browser.cookies.clear()
        email, _ = console_user(f"{role}-x", role)
        browser.sign_in(email)
        assert browser.get("/console/customers").status_code == listing, role
        assert browser.get(f"/console/customers/{customer['id']}").status_code == record, role
        assert browser.get(f"/console/customers/{customer['id']}/erase").status_code == erase, role


def test_an_unknown_customer_is_a_404_page(browser, console_user) -> None:
    _signed_in(browser, console_user)

    answer = browser.get("/console/customers/c_nobody")

    assert answer.status_code == 404
    assert "Pelanggan ini tidak ada." in answer.body.decode()


def test_a_page_that_fails_answers_an_html_apology_without_a_trace(browser, console_user, make_customer, app) -> None:
    customer = make_customer()
    _signed_in(browser, console_user)

    class Broken:
        def __getattr__(self, name: str):
            raise RuntimeError("the table is gone")

    app.container.customers.__dict__["customer_service"] = lambda: Broken()
    answer = browser.get(f"/console/customers/{customer['id']}")

    assert answer.status_code == 500
    assert answer.headers["Content-Type"].startswith("text/html")
    assert "Terjadi kesalahan" in answer.body.decode()
    assert "the table is gone" not in answer.body.decode()
    assert "Traceback" not in answer.body.decode()


def test_the_export_is_the_current_search_with_formulas_neutralised(browser, console_user, make_customer) -> None:
    make_customer("CUST-001", name='=HYPERLINK("http://evil.example","klik") Budi')
    make_customer("CUST-002", name="Siti Aminah", phone="+6281299990000")
    _signed_in(browser, console_user)

    listed = browser.get("/console/customers?q=budi").body.decode()
    answer = browser.get("/console/customers/export.csv?q=budi")

    assert 'href="/console/customers/export.csv?q=budi"' in listed
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/csv")
    text = answer.body.decode()
    assert "'=HYPERLINK" in text
    assert "Siti Aminah" not in text
    assert any(e["action"] == "customers.exported" for e in wired.customers.audit().page(10, None)[0])


def test_an_agent_may_not_export(browser, console_user, make_customer) -> None:
    make_customer()
    _signed_in(browser, console_user, "agent")

    assert "export.csv" not in browser.get("/console/customers").body.decode()
    assert browser.get("/console/customers/export.csv").status_code == 403
