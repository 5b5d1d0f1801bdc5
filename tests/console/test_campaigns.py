"""The campaign screens as a browser uses them: the list, the wizard, a campaign's page, its buttons and export."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest

from tests import wired

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def customers(aws) -> Any:
    """Adds customers through the customers service (Jakarta, consenting to WhatsApp promotions by default)."""
    from chalicelib.customers.service import Actor

    made = {"n": 0}

    def add(**overrides: Any) -> dict[str, Any]:
        made["n"] += 1
        n = made["n"]
        data: dict[str, Any] = {
            "external_id": f"CON-{n:04d}",
            "name": f"Budi Santoso {n}",
            "phone": f"0812{n:08d}",
            "email": f"budi{n}@contoh.co.id",
            "province": "DKI Jakarta",
            "city": "Jakarta",
            "language": "id",
            "consents": {"whatsapp": ["promotions"], "email": ["promotions"]},
        }
        data.update(overrides)
        customer, _created = wired.customers.customer_service().upsert(data, Actor("test", "api"))
        return customer

    return add


def _htmx(browser, path: str, fields: dict[str, str]) -> Any:
    """An htmx request as the page makes it: its CSRF token in the header that `base.html` sets."""
    token = browser.csrf("/console/campaigns/new")
    return browser.post(path, fields, {"HX-Request": "true", "X-CSRF-Token": token})


def _signed_in(browser, console_user, role: str = "marketer") -> Any:
    email, _ = console_user(f"{role}-user", role)
    browser.sign_in(email)
    return browser


def _template_fields(**overrides: str) -> dict[str, str]:
    fields = {
        "name": "Promo Servis Desember",
        "channel": "whatsapp",
        "kind": "inline",
        "body": "Halo {{ customer.first_name }}, servis hemat di {{ customer.city }}!",
        "wa_name": "promo_teks",
        "wa_language": "id",
    }
    fields.update(overrides)
    return fields


def _draft(browser, **overrides: str) -> str:
    """Step 1 of the wizard: a draft; returns its id."""
    token = browser.csrf("/console/campaigns/new")
    answer = browser.post("/console/campaigns/new", {"csrf": token, **_template_fields(**overrides)})
    assert answer.status_code == 303, answer.body
    found = re.fullmatch(r"/console/campaigns/(cmp_[0-9a-f]+)/audience", answer.headers["Location"])
    assert found, answer.headers["Location"]
    return found.group(1)


def _rows(campaign_id: str, *rows: tuple[str, str, str], action: str = "save") -> dict[str, str]:
    fields = {"action": action}
    for index, (field, op, value) in enumerate(rows):
        fields.update({f"field_{index}": field, f"op_{index}": op, f"value_{index}": value})
    return fields


def _audience(browser, campaign_id: str, *rows: tuple[str, str, str]) -> Any:
    token = browser.csrf(f"/console/campaigns/{campaign_id}/audience")
    return browser.post(f"/console/campaigns/{campaign_id}/audience", {"csrf": token, **_rows(campaign_id, *rows)})


def _send_now(browser, campaign_id: str) -> Any:
    review = browser.get(f"/console/campaigns/{campaign_id}/review?when=now").body.decode()
    token = re.search(r'name="csrf" value="([^"]+)"', review).group(1)
    return browser.post(f"/console/campaigns/{campaign_id}/send", {"csrf": token, "send_at": ""})


def _sent_campaign(browser, runner, campaign_id: str) -> None:
    assert _audience(browser, campaign_id, ("city", "eq", "Jakarta")).status_code == 303
    assert _send_now(browser, campaign_id).status_code == 303
    runner.drain("fan_out_audience")
    runner.drain("send_outbound")


# -- the wizard --------------------------------------------------------------------------------------------------------


def test_the_wizard_makes_a_draft_counts_its_audience_shows_the_policy_and_sends_it(
    browser, console_user, customers, runner, whatsapp, clock
) -> None:
    for _ in range(3):
        customers()
    customers(city="Bandung")
    customers(consents={"whatsapp": [], "email": []})
    marketer = _signed_in(browser, console_user)

    form = marketer.get("/console/campaigns/new").body.decode()
    campaign_id = _draft(marketer)
    audience_page = marketer.get(f"/console/campaigns/{campaign_id}/audience").body.decode()
    count = _htmx(
        marketer,
        f"/console/campaigns/{campaign_id}/audience/count",
        _rows(campaign_id, ("city", "eq", "jakarta")),
    ).body.decode()
    saved = _audience(marketer, campaign_id, ("city", "eq", "Jakarta"))
    schedule = marketer.get(f"/console/campaigns/{campaign_id}/schedule").body.decode()
    review = marketer.get(f"/console/campaigns/{campaign_id}/review?when=now").body.decode()
    sent = _send_now(marketer, campaign_id)
    runner.drain("fan_out_audience")
    runner.drain("send_outbound")
    page = marketer.get(f"/console/campaigns/{campaign_id}").body.decode()

    assert 'hx-post="/console/campaigns/preview"' in form
    assert "delay:400ms" in form
    assert 'name="field_0"' in audience_page  # rows, not JSON
    assert "<html" not in count
    assert "4 pelanggan cocok" in count  # "jakarta" matches "Jakarta"
    assert "3 di antaranya boleh menerima promosi" in count
    assert "&#34;field&#34;: &#34;city&#34;" in count  # the filter it makes, shown read-only
    assert saved.headers["Location"] == f"/console/campaigns/{campaign_id}/schedule"
    assert "Dikirim sekarang untuk 3 pelanggan" in schedule
    assert "Kirim ke 3 pelanggan" in review
    assert 'data-confirm="Kirim kampanye ini sekarang ke 3 pelanggan?"' in review
    assert sent.headers["Location"] == f"/console/campaigns/{campaign_id}"
    assert len(whatsapp.messages()) == 3
    assert re.search(r'data-testid="n-sent">3<', page)
    assert page.count('data-testid="recipient-row"') == 3
    assert "<svg" in page
    assert page.count("<rect") == 12  # this hour's sends against the half day ahead
    assert re.search(r"<title>[^<]*: 3</title>", page)
    assert "style=" not in page


def test_a_schedule_outside_the_offer_window_says_when_and_for_whom(browser, console_user, customers, clock) -> None:
    customers()
    customers(timezone="Asia/Makassar", city="Jakarta")
    marketer = _signed_in(browser, console_user)
    campaign_id = _draft(marketer)
    _audience(marketer, campaign_id, ("city", "eq", "Jakarta"))

    # Sunday 21:00 WIB (Sunday 22:00 WITA): nobody may be offered anything before Monday 08.00 in their zone.
    timing = marketer.get(
        f"/console/campaigns/{campaign_id}/schedule?when=later&send_at=2025-06-22T21:00", {"HX-Request": "true"}
    ).body.decode()

    assert "<html" not in timing
    assert "Dikirim Sen 23/06 08.00 WIB untuk 1 pelanggan yang ditahan oleh jam penawaran" in timing
    assert "Dikirim Sen 23/06 08.00 WITA untuk 1 pelanggan yang ditahan oleh jam penawaran" in timing


def test_a_scheduled_send_confirms_the_time_and_schedules(browser, console_user, customers, clock) -> None:
    customers()
    marketer = _signed_in(browser, console_user)
    campaign_id = _draft(marketer)
    _audience(marketer, campaign_id, ("city", "eq", "Jakarta"))
    review = marketer.get(f"/console/campaigns/{campaign_id}/review?when=later&send_at=2025-06-18T09:00").body.decode()
    token = re.search(r'name="csrf" value="([^"]+)"', review).group(1)
    send_at = re.search(r'name="send_at" value="([^"]+)"', review).group(1)

    answer = marketer.post(f"/console/campaigns/{campaign_id}/send", {"csrf": token, "send_at": send_at})
    page = marketer.get(f"/console/campaigns/{campaign_id}").body.decode()

    assert send_at == "2025-06-18T02:00:00Z"
    assert "Jadwalkan untuk 1 pelanggan" in review
    assert answer.status_code == 303
    assert "terjadwal" in page
    assert 'data-testid="pause"' not in page
    assert 'data-testid="cancel"' in page


def test_the_live_preview_escapes_hostile_template_text_and_names_and_shows_errors_with_their_line(
    browser, console_user, customers, clock
) -> None:
    hostile = customers(name=XSS)
    marketer = _signed_in(browser, console_user)

    shown = _htmx(
        marketer,
        "/console/campaigns/preview",
        {**_template_fields(body=f"{XSS} Halo {{{{ customer.name }}}}"), "customer_id": hostile["id"]},
    ).body.decode()
    broken = _htmx(
        marketer,
        "/console/campaigns/preview",
        _template_fields(body="Halo\n{{ customer.first_name }\n"),
    ).body.decode()
    unknown = _htmx(
        marketer, "/console/campaigns/preview", _template_fields(body="Halo {{ customer.nama }}")
    ).body.decode()

    assert XSS not in shown
    assert shown.count("&lt;img src=x onerror=alert(1)&gt;") >= 2  # the template's own text and the name
    assert 'data-testid="preview-error"' in broken
    assert "line 2" in broken
    assert "nama" in unknown
    assert 'data-testid="preview-error"' in unknown


def test_a_bad_template_is_refused_beside_the_form_not_with_a_500(browser, console_user, clock) -> None:
    marketer = _signed_in(browser, console_user)
    token = marketer.csrf("/console/campaigns/new")

    answer = marketer.post(
        "/console/campaigns/new", {"csrf": token, **_template_fields(name="", body="Halo {{ customer.nama }}")}
    )

    assert answer.status_code == 400
    page = answer.body.decode()
    assert 'data-testid="template-error"' in page
    assert "template.body" in page


def test_an_invalid_segment_is_a_message_beside_its_row_not_a_500(browser, console_user, customers, clock) -> None:
    customers()
    marketer = _signed_in(browser, console_user)
    campaign_id = _draft(marketer)

    saved = _audience(marketer, campaign_id, ("city", "eq", "Jakarta"), ("age", "gte", "tua"))
    counted = _htmx(
        marketer,
        f"/console/campaigns/{campaign_id}/audience/count",
        _rows(campaign_id, ("city", "bogus", "x")),
    )
    token = marketer.csrf(f"/console/campaigns/{campaign_id}/audience")
    bad_json = marketer.post(
        f"/console/campaigns/{campaign_id}/audience", {"csrf": token, "action": "json", "segment_json": "{nope"}
    )

    assert saved.status_code == 400
    page = saved.body.decode()
    assert 'data-testid="segment-error"' in page
    assert "must be a number" in page
    assert counted.status_code == 200
    assert "Syarat 1" in counted.body.decode()
    assert bad_json.status_code == 400
    assert "bukan JSON yang valid" in bad_json.body.decode()


def test_rows_are_added_and_removed_and_json_may_replace_them(browser, console_user, customers, clock) -> None:
    customers()
    customers(city="Bandung")
    marketer = _signed_in(browser, console_user)
    campaign_id = _draft(marketer)
    token = marketer.csrf(f"/console/campaigns/{campaign_id}/audience")
    path = f"/console/campaigns/{campaign_id}/audience"

    added = marketer.post(path, {"csrf": token, **_rows(campaign_id, ("city", "eq", "Jakarta"), action="add")})
    removed = marketer.post(
        path,
        {"csrf": token, **_rows(campaign_id, ("city", "eq", "Jakarta"), ("branch", "eq", "x"), action="remove:1")},
    )
    as_json = marketer.post(
        path,
        {
            "csrf": token,
            "action": "json",
            "segment_json": '{"any": [{"field": "city", "op": "eq", "value": "Bandung"}, '
            '{"field": "city", "op": "eq", "value": "Medan"}]}',
        },
    )
    audience = wired.campaigns.service().audience(campaign_id)

    assert added.body.decode().count('data-testid="segment-row"') == 2
    assert removed.body.decode().count('data-testid="segment-row"') == 1
    assert as_json.status_code == 303
    assert audience["count"] == 1
    assert "sebagai JSON" in marketer.get(path).body.decode()


# -- a campaign's page ---------------------------------------------------------------------------------------------


def test_the_list_shows_status_channel_and_funnel(browser, console_user, customers, runner, whatsapp, clock) -> None:
    customers()
    marketer = _signed_in(browser, console_user)
    campaign_id = _draft(marketer, name=f"Promo {XSS}")
    _sent_campaign(marketer, runner, campaign_id)

    page = marketer.get("/console/campaigns").body.decode()

    assert page.count('data-testid="campaign-row"') == 1
    assert f"/console/campaigns/{campaign_id}" in page
    assert "Promo &lt;img src=x onerror=alert(1)&gt;" in page
    assert XSS not in page
    assert "1 terkirim" in page
    assert "WhatsApp" in page
    assert 'href="/console/campaigns"' in page  # the menu


def test_the_funnel_fragment_polls_and_the_recipient_list_escapes_names_and_filters(
    browser, console_user, customers, runner, whatsapp, clock
) -> None:
    customers(name=XSS)
    customers(consents={"whatsapp": [], "email": []})
    marketer = _signed_in(browser, console_user)
    campaign_id = _draft(marketer)
    _sent_campaign(marketer, runner, campaign_id)

    page = marketer.get(f"/console/campaigns/{campaign_id}").body.decode()
    fragment = marketer.get(f"/console/campaigns/{campaign_id}/funnel", {"HX-Request": "true"}).body.decode()
    sent = marketer.get(f"/console/campaigns/{campaign_id}?status=sent").body.decode()
    failed = marketer.get(f"/console/campaigns/{campaign_id}?status=failed").body.decode()

    assert XSS not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert 'hx-trigger="every 3s"' in fragment
    assert "<html" not in fragment
    assert "Dilewati: tanpa persetujuan" in fragment
    assert sent.count('data-testid="recipient-row"') == 1  # the one without consent got no message at all
    assert failed.count('data-testid="recipient-row"') == 0


def test_pause_resume_cancel_and_retry_follow_the_state(browser, console_user, customers, runner, whatsapp, clock):
    customers()
    customers(phone="081299990000")
    marketer = _signed_in(browser, console_user)
    campaign_id = _draft(marketer)
    _audience(marketer, campaign_id, ("city", "eq", "Jakarta"))
    whatsapp.inject(131049, count=1)  # Meta holds one message for 24 hours: a retryable failure
    _send_now(marketer, campaign_id)
    path = f"/console/campaigns/{campaign_id}"

    sending = marketer.get(path).body.decode()
    token = marketer.csrf(path)
    paused = marketer.post(f"{path}/pause", {"csrf": token})
    paused_page = marketer.get(path).body.decode()
    again = marketer.post(f"{path}/pause", {"csrf": token})
    resumed = marketer.post(f"{path}/resume", {"csrf": token})
    runner.drain("fan_out_audience")
    runner.drain("send_outbound")
    runner.drain("fan_out_audience")
    done = marketer.get(path).body.decode()
    retried = marketer.post(f"{path}/retry-failed", {"csrf": token})
    runner.drain("fan_out_audience")
    runner.drain("send_outbound")
    cancelled = marketer.post(f"{path}/cancel", {"csrf": token})

    assert 'data-testid="pause"' in sending
    assert paused.headers["Location"] == f"{path}?done=pause"
    assert 'data-testid="resume"' in paused_page
    assert 'data-testid="pause"' not in paused_page
    assert again.status_code == 409
    assert "dijeda" in again.body.decode()
    assert resumed.status_code == 303
    assert 'data-testid="retry-failed"' in done
    assert 'data-confirm="Kirim ulang 1 pesan yang gagal?"' in done
    assert "Gagal: " in done  # by the provider's error code
    assert retried.status_code == 303
    assert cancelled.status_code in (303, 409)
    assert wired.campaigns.store().get(campaign_id)["n_retried"] == 1


def test_a_state_change_without_csrf_or_from_another_site_is_refused(browser, console_user, customers, clock) -> None:
    customers()
    marketer = _signed_in(browser, console_user)
    campaign_id = _draft(marketer)
    token = marketer.csrf(f"/console/campaigns/{campaign_id}")

    forged = marketer.post(f"/console/campaigns/{campaign_id}/send", {"csrf": "forged", "send_at": ""})
    cross_site = marketer.post(
        f"/console/campaigns/{campaign_id}/cancel", {"csrf": token}, {"Origin": "https://evil.example"}
    )
    no_token = marketer.post("/console/campaigns/new", _template_fields())

    assert forged.status_code == 403
    assert cross_site.status_code == 403
    assert no_token.status_code == 403
    assert wired.campaigns.store().get(campaign_id)["status"] == "draft"


def test_a_viewer_sees_the_campaign_but_no_buttons_and_cannot_send(
    browser, console_user, customers, runner, whatsapp, clock, client
) -> None:
    from tests.console.conftest import Browser

    customers()
    marketer = _signed_in(browser, console_user)
    campaign_id = _draft(marketer)
    _audience(marketer, campaign_id, ("city", "eq", "Jakarta"))
    viewer = _signed_in(Browser(client), console_user, "viewer")
    path = f"/console/campaigns/{campaign_id}"

    page = viewer.get(path).body.decode()
    token = viewer.csrf(path)
    send = viewer.post(f"{path}/send", {"csrf": token, "send_at": ""})
    wizard = viewer.get("/console/campaigns/new")
    export = viewer.get(f"{path}/recipients.csv")

    assert "Promo Servis Desember" in page
    assert 'data-testid="cancel"' not in page
    assert "Lanjutkan draf" not in page
    assert "Kampanye baru" not in viewer.get("/console/campaigns").body.decode()
    assert send.status_code == 403
    assert wizard.status_code == 403
    assert export.status_code == 403
    assert wired.campaigns.store().get(campaign_id)["status"] == "draft"


def test_the_recipients_export_has_every_row_with_formulas_neutralised(
    browser, console_user, customers, runner, whatsapp, clock
) -> None:
    customers(name='=HYPERLINK("https://evil.example")')
    customers()
    customers(consents={"whatsapp": [], "email": []})
    marketer = _signed_in(browser, console_user)
    campaign_id = _draft(marketer)
    _sent_campaign(marketer, runner, campaign_id)

    answer = marketer.get(f"/console/campaigns/{campaign_id}/recipients.csv")
    failed_only = marketer.get(f"/console/campaigns/{campaign_id}/recipients.csv?status=failed")

    assert answer.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in answer.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.body.decode())))
    assert len(rows) == 2  # the customer without consent was never sent a message
    assert sorted(row["status"] for row in rows) == ["sent", "sent"]
    assert any(row["name"].startswith("'=HYPERLINK") for row in rows)
    assert list(csv.DictReader(io.StringIO(failed_only.body.decode()))) == []


def test_an_unknown_campaign_is_a_404_page(browser, console_user) -> None:
    marketer = _signed_in(browser, console_user)

    assert marketer.get("/console/campaigns/cmp_nope").status_code == 404
    assert marketer.get("/console/campaigns/cmp_nope/audience").status_code == 404


def test_a_drafts_message_can_be_changed_before_it_goes(browser, console_user, customers, clock) -> None:
    marketer = _signed_in(browser, console_user)
    campaign_id = _draft(marketer)
    path = f"/console/campaigns/{campaign_id}/template"

    form = marketer.get(path).body.decode()
    token = marketer.csrf(path)
    changed = marketer.post(path, {"csrf": token, **_template_fields(name="Promo Baru", body="Halo lagi")})
    refused = marketer.post(path, {"csrf": token, **_template_fields(body="Halo {{ customer.nama }}")})

    assert "servis hemat di {{ customer.city }}" in form.replace("&#34;", '"')
    assert f'action="{path}"' in form
    assert changed.headers["Location"] == f"/console/campaigns/{campaign_id}/audience"
    assert wired.campaigns.service().get(campaign_id)["name"] == "Promo Baru"
    assert refused.status_code == 400
    assert 'data-testid="template-error"' in refused.body.decode()
