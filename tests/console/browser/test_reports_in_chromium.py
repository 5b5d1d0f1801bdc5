"""Reports and the outbound halt in Chromium: the charts are drawn under the CSP, a CSV downloads, the halt shows."""

from __future__ import annotations

from datetime import timedelta, timezone
from pathlib import Path

from tests.console.browser.conftest import Stack, Tab
from tests.scrm.meta_payloads import wa_text

WIB = timezone(timedelta(hours=7))


def _messages_arrive(stack: Stack) -> None:
    for number, text in enumerate(("Kapan BPKB saya bisa diambil?", "Saya kecewa, masih ditagih denda!", "Halo")):
        stack.webhook(wa_text(text, phone=f"62813880010{number:02d}", at=stack.now().timestamp()))
    stack.eventually(lambda: (stack.call("GET", "/scrm/metrics")[1]["totals"]["inbound"] or 0) >= 3)


def test_a_supervisor_sees_the_period_as_charts_and_downloads_a_csv(stack: Stack, tab: Tab) -> None:
    _messages_arrive(stack)
    today = stack.today()
    start = today - timedelta(days=13)
    tab.sign_in("vina")

    tab.open(f"/console/reports?from={start}&to={today}")

    channel = tab.page.locator('[data-testid="chart-channel"] svg')
    assert channel.count() == 1
    assert channel.locator("rect.bar").count() >= 1
    assert tab.page.locator('[data-testid="chart-channel"] details tbody tr').count() == 14  # one row per day
    assert tab.page.locator("svg").count() >= 4  # those with figures: the rest say there is nothing to show
    assert "WIB" in tab.page.locator('[data-testid="zone"]').inner_text()
    bar = channel.locator("rect.bar").first.bounding_box()
    assert bar is not None
    assert bar["height"] > 0  # drawn, not blocked by the CSP
    with tab.page.expect_download() as download:
        tab.page.click('[data-testid="csv-channel"]')
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("date,")
    assert len(text.splitlines()) == 15
    tab.screenshot("reports")
    assert tab.csp_refusals == []
    assert tab.dialogs == []


def test_an_admin_halts_outbound_from_the_header_and_everyone_sees_it(stack: Stack, tab: Tab, chrome) -> None:
    tab.sign_in("admin")
    tab.open("/console")
    assert "Pengiriman berjalan" in tab.page.locator('[data-testid="outbound"]').inner_text()

    tab.page.fill('[data-testid="outbound"] input[name=reason]', "Template salah terkirim")
    tab.page.click('[data-testid="outbound"] button.danger')
    tab.page.wait_for_selector('[data-testid="outbound"][data-halted="true"]')

    assert tab.confirms  # the console asked before halting
    assert stack.call("GET", "/outbound/status")[1]["halted"] is True
    context = chrome.new_context(viewport={"width": 1280, "height": 800}, locale="id-ID")
    try:
        other = Tab(context.new_page(), stack.api)
        other.sign_in("sari")
        other.open("/console/inbox")
        state = other.page.locator('[data-testid="outbound"]').inner_text()
        assert "DIHENTIKAN oleh admin" in state
        assert "Template salah terkirim" in state
        assert other.page.locator('[data-testid="outbound"] button').count() == 0
    finally:
        context.close()

    tab.page.click('[data-testid="outbound"] button.primary')
    tab.page.wait_for_selector('[data-testid="outbound"][data-halted="false"]')
    assert stack.call("GET", "/outbound/status")[1]["halted"] is False
    assert tab.csp_refusals == []
