"""Campaigns over HTTP: what a marketer sees when creating, checking and steering a campaign."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.campaigns.conftest import ADMIN, inline_whatsapp

HOSTILE_TEMPLATES = {
    "nested range loops": "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}"
    "{% endfor %}{% endfor %}{% endfor %}",
    "a 5,000,000-wide center": "Halo {{ customer.name|center(5000000) }}",
    "a 50,000,000-wide format": "Halo {{ '%50000000s'|format('x') }}",
    "a division by zero": "Halo {{ 10 / 0 }}",
}


def test_creating_a_campaign_answers_201_with_a_draft(api, clock) -> None:
    status, body = api(
        "POST",
        "/campaigns",
        {
            "name": "Promo Servis Juni",
            "channel": "whatsapp",
            "template": inline_whatsapp(),
            "segment": {"all": [{"field": "city", "op": "in", "value": ["Jakarta", "Bandung"]}]},
        },
        ADMIN,
    )

    assert status == 201
    assert body["id"].startswith("cmp_")
    assert body["status"] == "draft"
    assert body["created_by"] == "local-admin"
    assert body["counts"]["targeted"] == 0


def test_a_campaign_with_send_at_is_scheduled(new_campaign, clock) -> None:
    body = new_campaign(send_at="2025-06-18T09:00:00+07:00")

    assert body["status"] == "scheduled"
    assert body["send_at"] == "2025-06-18T02:00:00Z"


def test_validation_errors_name_each_field(api, clock) -> None:
    status, body = api(
        "POST",
        "/campaigns",
        {
            "name": "",
            "channel": "sms",
            "template": 42,
            "segment": {"field": "hobi", "op": "eq", "value": "golf"},
            "send_at": "2020-01-01T00:00:00Z",
        },
        ADMIN,
    )

    assert status == 400
    assert body["error"] == "validation_error"
    assert set(body["fields"]) == {"name", "channel", "template", "segment.field", "send_at"}


def test_an_unknown_segment_op_is_a_400(api, clock) -> None:
    status, body = api(
        "POST",
        "/campaigns",
        {
            "name": "x",
            "channel": "whatsapp",
            "template": inline_whatsapp(),
            "segment": {"field": "city", "op": "sounds_like", "value": "Jakarta"},
        },
        ADMIN,
    )

    assert status == 400
    assert "sounds_like" in body["fields"]["segment.op"]


def test_a_template_that_cannot_render_safely_is_refused_when_saved(api, clock) -> None:
    status, body = api(
        "POST",
        "/campaigns",
        {
            "name": "x",
            "channel": "whatsapp",
            "template": inline_whatsapp("Halo {{ customer.__class__ }} {{ nama }}"),
            "segment": {},
        },
        ADMIN,
    )

    assert status == 400
    assert "template.body" in body["fields"]


def _timed(api, method: str, path: str, body: Any) -> tuple[int, Any, float]:
    started = time.monotonic()
    status, answer = api(method, path, body, ADMIN)
    return status, answer, time.monotonic() - started


@pytest.mark.parametrize("body", HOSTILE_TEMPLATES.values(), ids=HOSTILE_TEMPLATES.keys())
def test_a_hostile_template_is_refused_quickly_when_created_or_patched(api, clock, new_campaign, body: str) -> None:
    campaign = new_campaign()
    spec = {"name": "Promo", "channel": "whatsapp", "template": inline_whatsapp(body), "segment": {}}

    created_status, created, create_seconds = _timed(api, "POST", "/campaigns", spec)
    patched_status, patched, patch_seconds = _timed(
        api, "PATCH", f"/campaigns/{campaign['id']}", {"template": inline_whatsapp(body)}
    )

    assert (created_status, patched_status) == (400, 400)
    assert created["error"] == patched["error"] == "validation_error"
    assert created["fields"]["template.body"].startswith("line 1: ")
    assert patched["fields"] == created["fields"]
    assert create_seconds < 1.0
    assert patch_seconds < 1.0


def test_a_division_by_zero_is_refused_with_its_line_when_saved(api, clock) -> None:
    spec = {"name": "Promo", "channel": "whatsapp", "template": inline_whatsapp("Halo\n{{ 10 / 0 }}"), "segment": {}}

    status, body = api("POST", "/campaigns", spec, ADMIN)

    assert status == 400
    assert body["fields"] == {
        "template.body": "line 2: the template failed: division by zero (rendering for a sample customer)"
    }


def test_a_promotional_email_without_the_unsubscribe_link_is_refused(api, clock, new_campaign) -> None:
    template = {"subject": "Promo Juni", "body": "Halo {{ customer.first_name }}, ada promo DP ringan!"}
    with_link = {**template, "body": template["body"] + "\nBerhenti: {{ unsubscribe_url }}"}

    status, body = api(
        "POST", "/campaigns", {"name": "Promo", "channel": "email", "template": template, "segment": {}}, ADMIN
    )
    campaign = new_campaign(channel="email", template=with_link)
    patched_status, patched = api("PATCH", f"/campaigns/{campaign['id']}", {"template": template}, ADMIN)

    assert status == patched_status == 400
    assert "{{ unsubscribe_url }}" in body["fields"]["template.body"]
    assert patched["fields"] == body["fields"]


def _saved_before_templates_were_checked(campaign_id: str, template: dict[str, Any]) -> None:
    """A campaign stored before save-time rendering existed: its template goes straight to the table."""
    from chalicelib.campaigns.model import EDITABLE, Status
    from tests import clocks
    from tests.wiring import campaigns as deps

    attributes = {"template_json": json.dumps(template)}
    deps.store().update_spec(campaign_id, attributes, Status.DRAFT, EDITABLE, clocks.now())


@pytest.mark.parametrize("body", HOSTILE_TEMPLATES.values(), ids=HOSTILE_TEMPLATES.keys())
def test_preview_of_a_hostile_template_answers_400_quickly(api, clock, add_customer, new_campaign, body: str) -> None:
    customer = add_customer()
    campaign = new_campaign()
    _saved_before_templates_were_checked(campaign["id"], inline_whatsapp(body))

    status, answer, seconds = _timed(
        api, "POST", f"/campaigns/{campaign['id']}/preview", {"customer_id": customer["id"]}
    )

    assert status == 400
    assert answer["fields"]["template.body"].startswith("line 1: ")
    assert seconds < 1.0


def test_preview_of_a_stored_template_that_todays_checks_refuse_is_a_400(
    api, clock, add_customer, new_campaign
) -> None:
    customer = add_customer()
    campaign = new_campaign()
    _saved_before_templates_were_checked(
        campaign["id"], inline_whatsapp("{% for x in [[1]] recursive %}{{ loop(x) }}{% endfor %}")
    )

    status, answer = api("POST", f"/campaigns/{campaign['id']}/preview", {"customer_id": customer["id"]}, ADMIN)

    assert status == 400
    assert answer["fields"] == {"template.body": "line 1: recursive loops are not supported"}


def test_campaigns_are_listed_newest_first_and_filtered_by_status(api, clock, new_campaign) -> None:
    from datetime import timedelta

    first = new_campaign(name="Satu")
    clock.set(clock.now + timedelta(minutes=1))
    second = new_campaign(name="Dua", send_at="2025-06-20T02:00:00Z")

    status, listed = api("GET", "/campaigns?limit=1", None, ADMIN)
    _, rest = api("GET", f"/campaigns?limit=1&cursor={listed['next']}", None, ADMIN)
    _, scheduled = api("GET", "/campaigns?status=scheduled", None, ADMIN)
    bad_status, bad = api("GET", "/campaigns?status=unknown", None, ADMIN)

    assert status == 200
    assert [c["id"] for c in listed["items"]] == [second["id"]]
    assert [c["id"] for c in rest["items"]] == [first["id"]]
    assert [c["id"] for c in scheduled["items"]] == [second["id"]]
    assert bad_status == 400
    assert "status" in bad["fields"]


def test_an_unknown_campaign_is_a_404(api) -> None:
    status, body = api("GET", "/campaigns/cmp_doesnotexist", None, ADMIN)

    assert status == 404
    assert body["error"] == "not_found"


def test_a_draft_can_be_edited_and_scheduled_then_unscheduled(api, clock, new_campaign) -> None:
    campaign = new_campaign()

    status, scheduled = api(
        "PATCH", f"/campaigns/{campaign['id']}", {"name": "Promo Baru", "send_at": "2025-06-18T02:00:00Z"}, ADMIN
    )
    _, draft = api("PATCH", f"/campaigns/{campaign['id']}", {"send_at": None}, ADMIN)

    assert status == 200
    assert scheduled["name"] == "Promo Baru"
    assert scheduled["status"] == "scheduled"
    assert draft["status"] == "draft"
    assert draft["send_at"] is None
    assert draft["name"] == "Promo Baru"


def test_a_campaign_that_is_sending_cannot_be_edited(api, clock, new_campaign) -> None:
    campaign = new_campaign()
    api("POST", f"/campaigns/{campaign['id']}/send", None, ADMIN)

    status, body = api("PATCH", f"/campaigns/{campaign['id']}", {"name": "Terlambat"}, ADMIN)

    assert status == 409
    assert body["fields"] == {"status": "is sending"}


def test_preview_renders_the_message_for_one_customer(api, clock, add_customer, new_campaign) -> None:
    customer = add_customer(name="Ibu Siti Rahma", attributes={"vehicle_model": "Xenia"})
    campaign = new_campaign()

    status, body = api("POST", f"/campaigns/{campaign['id']}/preview", {"customer_id": customer["id"]}, ADMIN)

    assert status == 200
    assert body["text"] == "Halo Siti, promo servis Xenia!"
    assert body["whatsapp_template"]["params"] == ["Halo Siti, promo servis Xenia!"]
    assert body["in_segment"] is True
    assert body["would_send"] == {"decision": "send"}


def test_preview_says_when_a_customer_would_be_skipped_or_deferred(api, clock, add_customer, new_campaign) -> None:
    from tests.campaigns.conftest import EVENING

    unconsented = add_customer(consents={"whatsapp": [], "email": []})
    campaign = new_campaign()
    _, skipped = api("POST", f"/campaigns/{campaign['id']}/preview", {"customer_id": unconsented["id"]}, ADMIN)
    clock.set(EVENING)
    consented = add_customer()
    _, deferred = api("POST", f"/campaigns/{campaign['id']}/preview", {"customer_id": consented["id"]}, ADMIN)

    assert skipped["would_send"] == {"decision": "skip", "reason": "no_consent"}
    assert deferred["would_send"] == {"decision": "defer", "until": "2025-06-18T01:00:00Z"}  # Wed 08:00 WIB


def test_preview_names_a_missing_customer_or_a_render_error(api, clock, add_customer, new_campaign) -> None:
    customer = add_customer()
    campaign = new_campaign(template=inline_whatsapp("Sisa {{ customer.attributes.sisa_angsuran }}"))

    missing_status, missing = api("POST", f"/campaigns/{campaign['id']}/preview", {"customer_id": "cus_x"}, ADMIN)
    render_status, render = api("POST", f"/campaigns/{campaign['id']}/preview", {"customer_id": customer["id"]}, ADMIN)

    assert missing_status == 400
    assert missing["fields"] == {"customer_id": "no such customer"}
    assert render_status == 400
    assert "sisa_angsuran" in render["fields"]["template.body"]


def test_the_audience_has_a_count_and_a_small_sample_without_contacts(api, clock, add_customer, new_campaign) -> None:
    for _ in range(7):
        add_customer()
    add_customer(consents={"whatsapp": [], "email": []})
    add_customer(city="Surabaya")
    campaign = new_campaign()

    status, body = api("GET", f"/campaigns/{campaign['id']}/audience", None, ADMIN)

    assert status == 200
    assert body["count"] == 8
    assert body["with_consent"] == 7
    assert body["exact"] is True
    assert len(body["sample"]) == 5
    assert all("phone" not in c and "email" not in c for c in body["sample"])


def test_a_test_send_goes_only_to_the_named_test_recipients(
    api, clock, add_customer, new_campaign, runner, whatsapp
) -> None:
    tester = add_customer(phone="081299990001", test_recipient=True)
    add_customer(phone="081299990002")
    campaign = new_campaign()

    status, body = api("POST", f"/campaigns/{campaign['id']}/test", {"customer_ids": [tester["id"]]}, ADMIN)
    runner.drain("send_outbound")

    assert status == 202
    assert [r["status"] for r in body["results"]] == ["queued"]
    assert [m["to"] for m in whatsapp.messages()] == ["6281299990001"]
    _, after = api("GET", f"/campaigns/{campaign['id']}", None, ADMIN)
    assert after["status"] == "draft"
    assert after["counts"]["sent"] == 0  # tests never count towards the campaign


def test_a_test_never_reaches_a_real_customer(api, clock, add_customer, new_campaign, runner, whatsapp) -> None:
    real = add_customer(phone="081299990003")
    campaign = new_campaign()

    status, body = api("POST", f"/campaigns/{campaign['id']}/test", {"customer_ids": [real["id"]]}, ADMIN)
    none_marked, problem = api("POST", f"/campaigns/{campaign['id']}/test", {}, ADMIN)

    assert status == 400
    assert "not a test recipient" in body["fields"]["customer_ids[0]"]
    assert none_marked == 400
    assert "test recipient" in problem["fields"]["customer_ids"]
    assert whatsapp.messages() == []


def test_a_test_at_four_in_the_morning_reaches_staff_at_once(
    api, clock, add_customer, new_campaign, runner, whatsapp
) -> None:
    from datetime import UTC, datetime

    staff_phone = add_customer(phone="081299990004", test_recipient=True)
    add_customer(phone="081299990005")
    campaign = new_campaign()
    clock.set(datetime(2025, 6, 16, 21, 0, tzinfo=UTC))  # Tuesday 04:00 WIB

    status, body = api("POST", f"/campaigns/{campaign['id']}/test", None, ADMIN)
    runner.drain("send_outbound")

    assert status == 202
    assert [r["customer_id"] for r in body["results"]] == [staff_phone["id"]]
    assert [m["to"] for m in whatsapp.messages()] == ["6281299990004"]


def test_a_test_send_takes_at_most_five_known_customers(api, clock, add_customer, new_campaign) -> None:
    campaign = new_campaign()
    known = add_customer(test_recipient=True)

    too_many, body = api(
        "POST", f"/campaigns/{campaign['id']}/test", {"customer_ids": [f"c{i}" for i in range(6)]}, ADMIN
    )
    unknown, named = api("POST", f"/campaigns/{campaign['id']}/test", {"customer_ids": [known["id"], "cus_x"]}, ADMIN)

    assert too_many == 400
    assert "at most 5" in body["fields"]["customer_ids"]
    assert unknown == 400
    assert named["fields"] == {"customer_ids[1]": "no such customer"}


def test_two_send_calls_start_the_campaign_once(api, clock, new_campaign, aws, settings) -> None:
    campaign = new_campaign()

    first, started = api("POST", f"/campaigns/{campaign['id']}/send", None, ADMIN)
    second, refused = api("POST", f"/campaigns/{campaign['id']}/send", None, ADMIN)

    assert first == 202
    assert started["status"] == "sending"
    assert second == 409
    assert refused["fields"] == {"status": "is sending"}
    url = aws.sqs.get_queue_url(QueueName=settings.queue_name("fanout"))["QueueUrl"]
    attributes = aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "1"


def test_pause_resume_and_cancel_follow_the_states(api, clock, new_campaign) -> None:
    campaign = new_campaign()
    path = f"/campaigns/{campaign['id']}"

    early, _ = api("POST", f"{path}/pause", None, ADMIN)
    api("POST", f"{path}/send", None, ADMIN)
    paused_status, paused = api("POST", f"{path}/pause", {"reason": "cek stok dealer"}, ADMIN)
    resumed_status, resumed = api("POST", f"{path}/resume", None, ADMIN)
    cancelled_status, cancelled = api("POST", f"{path}/cancel", None, ADMIN)
    again, _ = api("POST", f"{path}/cancel", None, ADMIN)
    restart, _ = api("POST", f"{path}/send", None, ADMIN)

    assert early == 409
    assert (paused_status, paused["status"], paused["status_reason"]) == (200, "paused", "cek stok dealer")
    assert (resumed_status, resumed["status"], resumed["status_reason"]) == (202, "sending", None)
    assert (cancelled_status, cancelled["status"]) == (200, "cancelled")
    assert again == 409
    assert restart == 409


def test_sending_is_audited_with_who_pressed_the_button(api, clock, new_campaign, staff_token) -> None:
    marketer = staff_token("marketer")
    status, campaign = api(
        "POST",
        "/campaigns",
        {"name": "x", "channel": "whatsapp", "template": inline_whatsapp(), "segment": {}},
        marketer,
    )
    api("POST", f"/campaigns/{campaign['id']}/send", None, marketer)

    _, audit = api("GET", "/audit", None, ADMIN)

    sends = [entry for entry in audit["items"] if entry["action"] == "campaign.send"]
    assert status == 201
    assert [(e["actor"], e["target"]) for e in sends] == [("marketer-user", campaign["id"])]


def test_roles_decide_who_may_read_and_who_may_send(api, clock, new_campaign, staff_token) -> None:
    campaign = new_campaign()
    viewer, agent = staff_token("viewer"), staff_token("agent")

    read, _ = api("GET", f"/campaigns/{campaign['id']}", None, viewer)
    send, body = api("POST", f"/campaigns/{campaign['id']}/send", None, viewer)
    create, _ = api("POST", "/campaigns", {"name": "x"}, agent)
    anonymous, _ = api("GET", "/campaigns", None, {"Authorization": "Bearer nope"})

    assert read == 200
    assert send == 403
    assert body["error"] == "forbidden"
    assert create == 403
    assert anonymous == 401
