"""Retry-failed resends only what failed for a reason the provider may get over."""

from __future__ import annotations

from typing import Any

from tests.campaigns.conftest import ADMIN
from tests.wiring import customers as customer_deps


def _campaign(api, campaign_id: str) -> dict[str, Any]:
    return api("GET", f"/campaigns/{campaign_id}", None, ADMIN)[1]


def test_retry_failed_resends_held_messages_but_not_permanent_failures(
    api, clock, add_customer, new_campaign, runner, whatsapp, fast_rates
) -> None:
    add_customer(phone="081244440001")
    add_customer(phone="081244440002")
    add_customer(phone="081244440003")
    whatsapp.inject(131049, to="6281244440002")  # Meta's per-user marketing limit: try again another day
    whatsapp.inject(131026, to="6281244440003")  # not on WhatsApp: never
    campaign = new_campaign()
    api("POST", f"/campaigns/{campaign['id']}/send", None, ADMIN)
    runner.drain("fan_out_audience")
    runner.drain("send_outbound")
    before = _campaign(api, campaign["id"])["counts"]

    status, _ = api("POST", f"/campaigns/{campaign['id']}/retry-failed", None, ADMIN)
    runner.drain("fan_out_audience")
    runner.drain("send_outbound")
    after = _campaign(api, campaign["id"])["counts"]

    statuses = sorted(m["status"] for m in customer_deps.message_log().for_campaign(campaign["id"]))
    assert (before["sent"], before["failed"]) == (1, 2)
    assert status == 202
    assert (after["sent"], after["failed"]) == (2, 1)
    assert statuses == ["failed", "sent", "sent"]
    assert sorted(m["to"] for m in whatsapp.messages()) == ["6281244440001", "6281244440002"]


def test_retrying_twice_resends_each_message_once(
    api, clock, add_customer, new_campaign, runner, whatsapp, fast_rates
) -> None:
    add_customer(phone="081255550001")
    whatsapp.inject(131049, to="6281255550001")
    campaign = new_campaign()
    api("POST", f"/campaigns/{campaign['id']}/send", None, ADMIN)
    runner.drain("fan_out_audience")
    runner.drain("send_outbound")

    api("POST", f"/campaigns/{campaign['id']}/retry-failed", None, ADMIN)
    api("POST", f"/campaigns/{campaign['id']}/retry-failed", None, ADMIN)
    runner.drain("fan_out_audience")
    runner.drain("send_outbound")

    assert len(whatsapp.messages()) == 1
    assert _campaign(api, campaign["id"])["counts"]["sent"] == 1


def test_a_draft_has_nothing_to_retry(api, clock, new_campaign) -> None:
    campaign = new_campaign()

    status, body = api("POST", f"/campaigns/{campaign['id']}/retry-failed", None, ADMIN)

    assert status == 409
    assert body["fields"] == {"status": "is draft"}


def test_a_retry_outside_the_offer_window_waits_for_the_customers_morning(
    api, clock, add_customer, new_campaign, runner, whatsapp, fast_rates
) -> None:
    from datetime import UTC, datetime

    from tests.wiring import outbound as outbound_deps

    add_customer(phone="081266660001")
    whatsapp.inject(131049, to="6281266660001")
    campaign = new_campaign()
    api("POST", f"/campaigns/{campaign['id']}/send", None, ADMIN)
    runner.drain("fan_out_audience")
    runner.drain("send_outbound")

    clock.set(datetime(2025, 6, 17, 16, 0, tzinfo=UTC))  # 23:00 WIB
    api("POST", f"/campaigns/{campaign['id']}/retry-failed", None, ADMIN)
    runner.drain("fan_out_audience")
    runner.drain("send_outbound")
    at_night = len(whatsapp.messages())
    clock.set(datetime(2025, 6, 18, 1, 0, tzinfo=UTC))  # 08:00 WIB
    outbound_deps.release().run()
    runner.drain("send_outbound")

    assert at_night == 0
    assert len(whatsapp.messages()) == 1
    assert _campaign(api, campaign["id"])["counts"]["failed"] == 0
