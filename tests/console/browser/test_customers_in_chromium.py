"""Customers in Chromium: a marketer finds a customer and reads their record; a hostile name runs nothing."""

from __future__ import annotations

from tests.console.browser.conftest import Stack, Tab


def _customer(stack: Stack, external_id: str, name: str) -> dict:
    status, body = stack.call(
        "POST",
        "/customers",
        {
            "external_id": external_id,
            "name": name,
            "phone": "+62813" + external_id[-8:].rjust(8, "0"),
            "email": f"{external_id.lower()}@contoh.co.id",
            "province": "Sulawesi Selatan",
            "city": "Makassar",
            "birth_date": "1988-04-12",
            "consents": {"whatsapp": ["greetings", "promotions"], "email": ["greetings"]},
        },
    )
    assert status in (200, 201), body
    return body


def test_a_marketer_finds_a_customer_by_phone_and_reads_the_record(stack: Stack, tab: Tab) -> None:
    customer = _customer(stack, "BRW-00000001", "Andi Wijaya")
    tab.sign_in("maya")

    tab.open("/console/customers")
    tab.page.fill("input[name=q]", "0813 0000 0001")
    tab.page.click("form[role=search] button[type=submit]")
    tab.page.click('[data-testid="customer-row"] a')
    tab.page.wait_for_url(f"**/console/customers/{customer['id']}")

    consents = tab.page.locator('[data-testid="consents"]').inner_text()
    assert "Andi Wijaya" in tab.page.inner_text("h1")
    assert "diberikan" in consents
    assert "Riwayat" in consents
    assert tab.csp_refusals == []
    tab.screenshot("customer")


def test_recording_a_withdrawal_in_the_browser_shows_it_at_once(stack: Stack, tab: Tab) -> None:
    customer = _customer(stack, "BRW-00000002", "Sri Lestari")
    tab.sign_in("maya")

    tab.open(f"/console/customers/{customer['id']}")
    form = tab.page.locator('[data-testid="consent-form"]')
    form.locator("select[name=channel]").select_option("whatsapp")
    form.locator("select[name=purpose]").select_option("promotions")
    form.locator("select[name=granted]").select_option("no")
    form.locator("input[name=evidence]").fill("telepon cabang 2/12")
    form.locator("button[type=submit]").click()
    tab.page.wait_for_selector("text=Persetujuan telah dicatat.")

    assert "ditarik oleh pelanggan" in tab.page.locator('[data-testid="consents"]').inner_text()
    assert "telepon cabang 2/12" in tab.page.locator('[data-testid="consent-history"]').inner_text()


def test_a_hostile_customer_name_shows_as_text_and_runs_nothing(stack: Stack, tab: Tab) -> None:
    customer = _customer(stack, "BRW-00000003", "<img src=x onerror=alert(1)><script>alert(2)</script>Rudi")
    tab.sign_in("maya")

    tab.open("/console/customers?q=rudi")
    listed = tab.page.locator('[data-testid="customer-row"]').inner_text()
    tab.open(f"/console/customers/{customer['id']}")

    assert "<img src=x onerror=alert(1)>" in listed
    assert "<script>alert(2)</script>Rudi" in tab.page.inner_text("h1")
    assert tab.page.locator("main img").count() == 0
    assert tab.dialogs == []


def test_erasing_asks_first_and_names_what_goes(stack: Stack, tab: Tab) -> None:
    customer = _customer(stack, "BRW-00000004", "Dedi Kurniawan")
    tab.sign_in("maya")

    tab.open(f"/console/customers/{customer['id']}")
    tab.page.click('[data-testid="erase"]')
    summary = tab.page.locator('[data-testid="erase-summary"]').inner_text()
    tab.page.click('[data-testid="erase-confirm"]')  # the confirm dialog is accepted by the tab
    tab.page.wait_for_url("**/console/customers?done=erased")

    assert tab.confirms == ["Hapus Dedi Kurniawan untuk selamanya?"]
    assert "percakapan" in summary
    assert stack.call("GET", f"/customers/{customer['id']}")[0] == 404
