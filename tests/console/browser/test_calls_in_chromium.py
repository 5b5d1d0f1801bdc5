"""The call list and the greetings year view in Chromium: a telemarketer's two attempts, a marketer's edit in place."""

from __future__ import annotations

import time

from tests.console.browser.conftest import Stack, Tab

NAME = "<img src=x onerror=alert(1)> Ibu Telepon"


def _call_for_today(stack: Stack, phone: str) -> None:
    """A customer with today's birthday and no consent to message: the greeting run puts them on the call list."""
    today = stack.today().isoformat()  # the stack's day: its clock runs in office hours
    status, body = stack.call(
        "POST",
        "/customers",
        {
            "external_id": f"CALL-{phone.lstrip('+')}",
            "name": NAME,
            "phone": phone,
            "birth_date": f"1980-{today[5:]}",  # a leap year: 29 February too
            "province": "DKI Jakarta",
            "consents": {},
        },
    )
    assert status in (200, 201), body
    status, body = stack.call("POST", "/greetings/runs", {"date": today})
    assert status == 200, body
    stack.eventually(
        lambda: any(t["phone"] == phone for t in stack.call("GET", f"/telegreeting?day={today}&limit=200")[1]["items"])
    )


def test_a_telemarketer_records_no_answer_then_reached(stack: Stack, tab: Tab) -> None:
    phone = f"+62813{int(time.time()) % 100_000_000:08d}"
    _call_for_today(stack, phone)
    tab.sign_in("tono")

    tab.open("/console/calls")
    row = tab.page.locator('[data-testid="call-row"]', has_text=phone)
    assert row.locator('[data-testid="call-status"]').inner_text() == "terbuka"
    row.locator("input[name=notes]").fill("tidak diangkat, coba lagi sore")
    row.locator('button[value="no_answer"]').click()
    row.locator('[data-testid="attempt"]').first.wait_for()
    assert row.locator('[data-testid="call-status"]').inner_text() == "terbuka"  # open for another attempt

    row.locator('button[value="reached"]').click()
    row.locator('[data-testid="attempt"]').nth(1).wait_for()

    assert row.locator('[data-testid="attempt"]').count() == 2
    assert row.locator('[data-testid="call-status"]').inner_text() == "selesai"
    attempts = row.locator('[data-testid="attempts"]').inner_text()
    assert "tidak diangkat, coba lagi sore" in attempts
    assert "tono" in attempts
    assert NAME in row.locator('[data-testid="call-name"]').inner_text()  # shown as text, never run
    assert tab.page.locator("main img").count() == 0
    assert tab.dialogs == []
    assert tab.csp_refusals == []
    row.scroll_into_view_if_needed()
    tab.screenshot("calls")


def test_the_call_list_fits_a_phones_width(stack: Stack, tab: Tab) -> None:
    phone = f"+62814{int(time.time()) % 100_000_000:08d}"
    _call_for_today(stack, phone)
    tab.page.set_viewport_size({"width": 390, "height": 844})
    tab.sign_in("tono")

    tab.open("/console/calls?status=open")

    overflow = tab.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    assert tab.page.locator('[data-testid="call-row"]', has_text=phone).is_visible()


def test_a_marketer_edits_a_holiday_in_place_on_the_year_view(stack: Stack, tab: Tab) -> None:
    year = stack.today().year + 1
    tab.sign_in("maya")

    tab.open(f"/console/greetings?year={year}")
    assert tab.page.locator('[data-testid="holiday-row"]').count() >= 10
    assert tab.page.locator('[data-testid="holiday-row"][data-source="estimate"]').count() >= 1
    row = tab.page.locator(f"#holiday-{year}-12-25")
    assert row.get_attribute("data-source") == "library"
    url = tab.page.url
    row.locator("summary").click()
    row.locator("input[name=name]").fill("Hari Raya Natal")
    row.locator("input[name=channel_whatsapp]").check()
    row.locator('[data-testid="holiday-form"] button[type=submit]').click()

    tab.page.locator(f'#holiday-{year}-12-25[data-source="override"]').wait_for()
    assert tab.page.url == url  # swapped in place, no page load
    edited = tab.page.locator(f"#holiday-{year}-12-25")
    assert "Hari Raya Natal" in edited.inner_text()
    assert "whatsapp" in edited.inner_text()
    assert tab.dialogs == []
    assert tab.csp_refusals == []
    _, body = stack.call("GET", f"/holidays?year={year}")
    assert any(h["date"] == f"{year}-12-25" and h["source"] == "override" for h in body["items"]), body
    tab.open(f"/console/greetings?year={year}")
    tab.screenshot("greetings")
