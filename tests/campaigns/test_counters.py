"""Delivery figures flowing back into a campaign, and the automatic pause when they look bad."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.campaigns import model
from chalicelib.campaigns.counters import Thresholds, breach
from tests import clocks
from tests.campaigns.conftest import ADMIN
from tests.outbound.doubles import PassThroughDispatcher
from tests.wired import customers as customer_deps
from tests.wired import outbound as outbound_deps

LIMITS = Thresholds(min_sample=100)


def _campaign(api, campaign_id: str) -> dict[str, Any]:
    return api("GET", f"/campaigns/{campaign_id}", None, ADMIN)[1]


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({model.OUTCOMES: 99, model.FAILED_PERMANENT: 99}, None),  # too few sends to judge
        ({model.OUTCOMES: 100, model.FAILED_PERMANENT: 10}, None),  # exactly at the limit
        ({model.OUTCOMES: 100, model.FAILED_PERMANENT: 11}, "permanent failures at 11.0%"),
        ({"channel": "email", model.SENT: 100, model.BOUNCED: 3}, None),
        ({"channel": "email", model.SENT: 100, model.BOUNCED: 4}, "bounces at 4.00%"),
        ({"channel": "email", model.SENT: 1250, model.COMPLAINED: 1}, "complaints at 0.08%"),
        ({"channel": "whatsapp", model.SENT: 100, model.BOUNCED: 50}, None),
    ],
)
def test_breach_rules(item: dict[str, Any], expected: str | None) -> None:
    reason = breach(item, LIMITS)

    if expected is None:
        assert reason is None
    else:
        assert reason is not None
        assert expected in reason


def _sent_campaign(api, add_customer, new_campaign, runner, count: int, **campaign: Any) -> dict[str, Any]:
    for _ in range(count):
        add_customer()
    created = new_campaign(**campaign)
    api("POST", f"/campaigns/{created['id']}/send", None, ADMIN)
    runner.drain("fan_out_audience")
    runner.drain("send_outbound")
    return created


def test_delivered_and_read_statuses_are_counted_once_each(
    api, clock, add_customer, new_campaign, runner, whatsapp, fast_rates
) -> None:
    campaign = _sent_campaign(api, add_customer, new_campaign, runner, 2)
    first, second = whatsapp.messages()
    updater = outbound_deps.status_updater()
    at = datetime(2025, 6, 15, 3, 5, tzinfo=UTC)

    updater.apply(first["id"], "delivered", at)
    updater.apply(first["id"], "delivered", at)  # Meta retries webhooks
    updater.apply(first["id"], "read", at)
    updater.apply(second["id"], "read", at)  # "read" overtook "delivered"
    updater.apply(second["id"], "delivered", at)

    counts = _campaign(api, campaign["id"])["counts"]
    assert (counts["sent"], counts["delivered"], counts["read"]) == (2, 2, 2)


def test_a_permanent_failure_rate_over_the_limit_pauses_the_campaign_with_its_reason(
    api, clock, add_customer, new_campaign, runner, whatsapp, monkeypatch
) -> None:
    from chalicelib.campaigns.fanout import FanOut, FanOutConfig, SegmentJob
    from chalicelib.campaigns.lifecycle import Actor
    from tests.wired import campaigns as deps

    monkeypatch.setenv("SAPA_CAMPAIGN_MIN_SAMPLE", "2")
    for _ in range(8):
        add_customer()
    campaign = new_campaign()
    whatsapp.inject(131026, count=-1)  # every number is undeliverable
    deps.lifecycle().start(campaign["id"], Actor("marketer"))

    class SenderKeepsUp(PassThroughDispatcher):
        """The sender works while the fan-out is still queueing, as it does in production."""

        def enqueue(self, report, delay_seconds: int = 0) -> None:
            super().enqueue(report, delay_seconds)
            runner.drain("send_outbound")

    fanout = FanOut(
        store=deps.store(),
        customers=customer_deps.repository(),
        suppression=customer_deps.suppression(),
        dispatcher=SenderKeepsUp(),
        enqueue_jobs=deps.enqueue_jobs,
        unsubscribe=lambda cid, channel, message=None: "https://sapa.example/unsubscribe/x",
        clock=clocks.now,
        rate=lambda channel: float("inf"),
        hours=outbound_deps.contact_hours(),
        has_open_messages=customer_deps.message_log().has_open,
        config=FanOutConfig(page_size=4, chunk=4, status_every_seconds=0),
    )
    outcome = fanout.run(SegmentJob(campaign["id"], 0, 1))

    body = _campaign(api, campaign["id"])
    assert outcome == "stopped:paused"
    assert body["status"] == "paused"
    assert body["status_reason"].startswith("auto-paused: permanent failures at 100.0%")
    assert body["counts"]["failed"] == 2  # the pause lands after the second failure ...
    assert body["counts"]["held"] == 2  # ... and the sender holds the rest of the page: nothing more fails
    assert body["counts"]["queued"] == 4  # the second page was never queued
    _, audit = api("GET", "/audit", None, ADMIN)
    assert any(e["action"] == "campaign.pause" and e["actor"] == "sapa" for e in audit["items"])


def test_email_bounces_complaints_and_clicks_reach_the_campaign(
    api, clock, add_customer, new_campaign, runner, monkeypatch, fast_rates
) -> None:
    from chalicelib.outbound.email_events import EmailEvent
    from tests.wired import outbound

    monkeypatch.setenv("SAPA_CAMPAIGN_MIN_SAMPLE", "1000")
    campaign = _sent_campaign(
        api,
        add_customer,
        new_campaign,
        runner,
        3,
        channel="email",
        template="promo_dp_ringan",
        segment={},
    )
    messages = list(customer_deps.message_log().for_campaign(campaign["id"]))
    recorder = outbound.email_recorder()
    at = datetime(2025, 6, 15, 3, 5, tzinfo=UTC)

    recorder.record(EmailEvent("bounce", messages[0]["provider_id"], messages[0]["id"], at, permanent=True))
    recorder.record(EmailEvent("delivery", messages[1]["provider_id"], messages[1]["id"], at))
    for _ in range(2):
        recorder.record(EmailEvent("click", messages[1]["provider_id"], messages[1]["id"], at))

    counts = _campaign(api, campaign["id"])["counts"]
    assert counts["bounced"] == 1
    assert counts["failed"] == 1
    assert counts["delivered"] == 1
    assert counts["clicked"] == 1


def test_test_sends_never_touch_campaign_counts(api, clock, add_customer, new_campaign, runner, whatsapp) -> None:
    tester = add_customer(test_recipient=True)
    campaign = new_campaign()

    api("POST", f"/campaigns/{campaign['id']}/test", {"customer_ids": [tester["id"]]}, ADMIN)
    runner.drain("send_outbound")
    outbound_deps.status_updater().apply(whatsapp.messages()[0]["id"], "delivered", datetime.now(UTC))

    counts = _campaign(api, campaign["id"])["counts"]
    assert (counts["sent"], counts["delivered"]) == (0, 0)


def test_sends_are_also_counted_per_hour_on_the_campaign_item(
    api, clock, add_customer, new_campaign, runner, whatsapp, fast_rates
) -> None:
    from tests.wired import campaigns as deps

    campaign = _sent_campaign(api, add_customer, new_campaign, runner, 3)

    item = deps.store().get(campaign["id"])
    hours = model.sent_hours(item)
    assert [count for _hour, count in hours] == [3]
    assert hours[0][0] == clocks.now().replace(minute=0, second=0, microsecond=0)
    assert _campaign(api, campaign["id"])["counts"]["sent"] == 3
