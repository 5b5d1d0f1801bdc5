"""A marketer's campaign in Chromium: built with the wizard (no JSON typed), sent, watched, paused and exported.

The stack's clock runs in office hours (`sapa local --at`, set by the
conftest), inside the offer window (Monday to Saturday, 08.00-18.00 WIB), so
the messages are sent, then delivered and read: the WhatsApp sandbox posts
Meta's status webhooks back, and the funnel moves by itself.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from tests.console.browser.conftest import Stack, Tab

CITY = "Kota Uji Kampanye"
HOSTILE = "<img src=x onerror=alert(1)> Rina"
BODY = "Halo {{ customer.first_name }}, servis hemat di {{ customer.city }} minggu ini!"


def _customers(stack: Stack, count: int) -> None:
    for n in range(count):
        status, body = stack.call(
            "POST",
            "/customers",
            {
                "external_id": f"KMP-{n:03d}",
                "name": HOSTILE if n == 0 else f"Pelanggan Kampanye {n}",
                "phone": f"08137700{n:04d}",
                "city": CITY,
                "province": "DKI Jakarta",
                "language": "id",
                "consents": {"whatsapp": ["promotions"]},
            },
        )
        assert status in (200, 201), body


def _figure(tab: Tab, name: str) -> int:
    text = tab.page.locator(f'[data-testid="n-{name}"]').inner_text()
    return int(re.match(r"[0-9.]+", text.strip()).group(0).replace(".", ""))


def test_a_marketer_builds_sends_watches_pauses_and_exports_a_whatsapp_campaign(
    stack: Stack, tab: Tab, tmp_path: Path
) -> None:
    _customers(stack, 6)
    tab.sign_in("maya")
    page = tab.page

    # Channel and message, with the live preview rendered as the marketer types.
    tab.open("/console/campaigns")
    page.click('[data-testid="new-campaign"]')
    page.fill("input[name=name]", "Promo Servis Kota Uji")
    page.check("input[name=channel][value=whatsapp]")
    page.fill('[data-testid="template-body"]', BODY)
    page.wait_for_selector('[data-testid="preview-text"]:has-text("servis hemat di Bandung")')
    page.click("#template-form button.primary")
    page.wait_for_url(re.compile(r".*/console/campaigns/cmp_[0-9a-f]+/audience$"))
    campaign_path = page.url.rsplit("/", 1)[0].replace(stack.api, "")

    # The audience from rows: a field, an operator and a value; the count follows the typing.
    page.select_option("select[name=field_0]", "city")
    page.select_option("select[name=op_0]", "eq")
    page.fill("input[name=value_0]", CITY.lower())
    page.wait_for_selector('[data-testid="matching"]:text-is("6 pelanggan cocok")')
    assert page.locator('[data-testid="consenting"]').inner_text().startswith("6 di antaranya")
    page.click("button[name=action][value=save]")
    page.wait_for_url(f"**{campaign_path}/schedule")

    # The schedule shows the contact policy's effect, then the review names the count in its confirmation.
    assert "6 pelanggan" in page.locator('[data-testid="timing"]').inner_text()
    page.click("form button.primary")
    page.wait_for_url(f"**{campaign_path}/review**")
    page.click('[data-testid="send"]')
    page.wait_for_url(f"**{campaign_path}")
    assert tab.confirms == ["Kirim kampanye ini sekarang ke 6 pelanggan?"]

    # The funnel moves by itself (htmx polls its fragment): sent, then delivered and read by the sandbox's webhooks,
    # which keep coming for what went out before the pause.
    page.wait_for_function(
        "() => parseInt(document.querySelector('[data-testid=n-sent]').textContent, 10) > 0", timeout=60_000
    )
    page.click('[data-testid="pause"]')
    page.wait_for_selector('[data-testid="status"]:has-text("dijeda")')
    assert page.locator('[data-testid="resume"]').is_visible()
    page.wait_for_function(
        "() => parseInt(document.querySelector('[data-testid=n-read]').textContent, 10) > 0", timeout=60_000
    )
    assert _figure(tab, "sent") >= _figure(tab, "delivered") >= _figure(tab, "read") > 0
    assert _figure(tab, "deferred") == 0
    page.reload()
    assert HOSTILE in page.locator('[data-testid="recipient-row"]', has_text="Rina").inner_text()
    assert page.locator("main img").count() == 0
    assert page.locator('[data-testid="chart"] rect').count() >= 1
    tab.screenshot("campaign")

    # The recipients as CSV: one row per message, with its status.
    with page.expect_download() as download:
        page.click('[data-testid="export"]')
    target = tmp_path / "recipients.csv"
    download.value.save_as(target)
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert len(rows) == page.locator('[data-testid="recipient-row"]').count() > 0
    assert {row["status"] for row in rows} <= {"queued", "sending", "sent", "delivered", "read", "deferred", "held"}
    assert any(row["name"] == HOSTILE for row in rows)
    assert tab.dialogs == []
    assert tab.csp_refusals == []
