"""Offers keep OJK's hours in each customer's zone, and pause, cancel and the halt stop what they say."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.campaigns.lifecycle import Actor
from chalicelib.outbound.envelope import Envelope
from tests.campaigns.conftest import ADMIN
from tests.outbound.doubles import PassThroughDispatcher
from tests.wired import campaigns as deps
from tests.wired import customers as customer_deps
from tests.wired import outbound as outbound_deps

ZONES = {"081211110001": "Asia/Jakarta", "081211110002": "Asia/Makassar", "081211110003": "Asia/Jayapura"}


def _campaign(api, campaign_id: str) -> dict[str, Any]:
    return api("GET", f"/campaigns/{campaign_id}", None, ADMIN)[1]


def _three_zones(add_customer) -> dict[str, dict[str, Any]]:
    return {phone: add_customer(phone=phone, timezone=zone) for phone, zone in ZONES.items()}


def _not_before(customer: dict[str, Any]) -> str | None:
    [message] = customer_deps.message_log().for_customer(customer["id"], 5, None)[0]
    return message.get("not_before")


@pytest.mark.parametrize(
    ("sent_at", "wib", "wita", "wit"),
    [
        # Sunday 10:00 WIB: Monday 08:00 in each zone.
        (
            datetime(2025, 6, 15, 3, 0, tzinfo=UTC),
            "2025-06-16T01:00:00Z",
            "2025-06-16T00:00:00Z",
            "2025-06-15T23:00:00Z",
        ),
        # Tuesday 19:00 WIB: Wednesday 08:00 in each zone.
        (
            datetime(2025, 6, 17, 12, 0, tzinfo=UTC),
            "2025-06-18T01:00:00Z",
            "2025-06-18T00:00:00Z",
            "2025-06-17T23:00:00Z",
        ),
        # Monday 17 August 2026, 10:00 WIB, Hari Kemerdekaan: Tuesday 08:00 in each zone.
        (
            datetime(2026, 8, 17, 3, 0, tzinfo=UTC),
            "2026-08-18T01:00:00Z",
            "2026-08-18T00:00:00Z",
            "2026-08-17T23:00:00Z",
        ),
    ],
)
def test_an_offer_outside_ojk_hours_parks_everyone_until_their_own_next_opening(
    api, clock, add_customer, new_campaign, runner, whatsapp, fast_rates, sent_at, wib, wita, wit
) -> None:
    clock.set(sent_at)
    customers = _three_zones(add_customer)
    campaign = new_campaign(segment={})

    api("POST", f"/campaigns/{campaign['id']}/send", None, ADMIN)
    runner.drain("fan_out_audience")
    runner.drain("send_outbound")
    counts = _campaign(api, campaign["id"])["counts"]

    assert whatsapp.messages() == []
    assert [_not_before(customers[phone]) for phone in ZONES] == [wib, wita, wit]
    assert (counts["deferred"], counts["queued"]) == (3, 0)
    assert counts["not_before"] == {"earliest": wit, "latest": wib}


def test_an_offer_at_ten_on_a_weekday_goes_out_at_once(api, clock, add_customer, new_campaign, runner, whatsapp):
    _three_zones(add_customer)
    campaign = new_campaign(segment={})

    api("POST", f"/campaigns/{campaign['id']}/send", None, ADMIN)
    runner.drain("fan_out_audience")
    runner.drain("send_outbound")

    assert len(whatsapp.messages()) == 3
    assert _campaign(api, campaign["id"])["counts"]["deferred"] == 0


class PausesAfter:
    """The WhatsApp adapter, and a marketer who presses pause after the `after`-th message went out."""

    def __init__(self, after: int, campaign_id: str) -> None:
        self.inner = outbound_deps.whatsapp_sender()
        self.after = after
        self.campaign_id = campaign_id
        self.sent = 0

    def send(self, message: Any) -> Any:
        result = self.inner.send(message)
        self.sent += 1
        if self.sent == self.after:
            deps.lifecycle().pause(self.campaign_id, Actor("marketer"))
        return result


def _queued_envelopes(aws, settings) -> list[Envelope]:
    url = aws.sqs.get_queue_url(QueueName=settings.queue_name("outbound"))["QueueUrl"]
    envelopes = []
    while True:
        batch = aws.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not batch:
            return envelopes
        for message in batch:
            envelopes.append(Envelope.from_json(message["Body"]))
            aws.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def test_pause_mid_send_freezes_sent_and_resume_reaches_everyone_once(
    api, clock, add_customer, new_campaign, runner, whatsapp, fast_rates, aws, settings, tick
) -> None:
    for i in range(8):
        add_customer(phone=f"08121234000{i}")
    campaign = new_campaign(segment={})
    api("POST", f"/campaigns/{campaign['id']}/send", None, ADMIN)
    runner.drain("fan_out_audience")
    sender = PausesAfter(3, campaign["id"])
    deliverer = outbound_deps.deliverer(senders={"whatsapp": sender})

    outcomes = [deliverer.deliver(envelope).status for envelope in _queued_envelopes(aws, settings)]
    paused = _campaign(api, campaign["id"])
    resumed, _ = api("POST", f"/campaigns/{campaign['id']}/resume", None, ADMIN)
    runner.drain("send_outbound")
    tick()
    done = _campaign(api, campaign["id"])

    assert outcomes == ["sent"] * 3 + ["held"] * 5
    assert (paused["status"], paused["counts"]["sent"], paused["counts"]["held"]) == ("paused", 3, 5)
    assert resumed == 202
    assert (done["status"], done["counts"]["sent"], done["counts"]["held"]) == ("completed", 8, 0)
    assert len(whatsapp.messages()) == len({m["to"] for m in whatsapp.messages()}) == 8


def test_pause_still_works_after_the_fan_out_is_done_until_every_message_is_out(
    api, clock, add_customer, new_campaign, runner, whatsapp, fast_rates
) -> None:
    for i in range(4):
        add_customer(phone=f"08121235000{i}")
    campaign = new_campaign(segment={})
    api("POST", f"/campaigns/{campaign['id']}/send", None, ADMIN)
    runner.drain("fan_out_audience")  # every segment done, every message still on the queue

    before = _campaign(api, campaign["id"])
    status, paused = api("POST", f"/campaigns/{campaign['id']}/pause", None, ADMIN)
    runner.drain("send_outbound")

    assert (before["status"], before["fanout"]) == ("sending", {"segments": 1, "done": 1})
    assert (status, paused["status"]) == (200, "paused")
    assert whatsapp.messages() == []
    assert _campaign(api, campaign["id"])["counts"]["held"] == 4


def test_the_halt_stops_a_greeting_run_and_a_campaign_and_resume_delivers_each_once(
    api, clock, add_customer, new_campaign, runner, whatsapp, fast_rates, tick
) -> None:
    birthday = "1990-06-17"  # today, Tuesday 17 June 2025
    for i in range(3):
        add_customer(phone=f"08121236000{i}", birth_date=birthday, consents={"whatsapp": ["greetings"]})
    for i in range(2):
        add_customer(phone=f"08121237000{i}", city="Bandung")
    campaign = new_campaign(segment={"field": "city", "op": "eq", "value": "Bandung"})

    api("POST", "/outbound/halt", {"reason": "WhatsApp quality rating fell to Low"}, ADMIN)
    _, greeted = api("POST", "/greetings/runs", {"date": "2025-06-17"}, ADMIN)
    api("POST", f"/campaigns/{campaign['id']}/send", None, ADMIN)
    runner.drain("fan_out_audience")
    runner.drain("send_outbound")
    _, during = api("GET", "/outbound/status", None, ADMIN)
    sent_during = len(whatsapp.messages())
    api("POST", "/outbound/resume", None, ADMIN)
    runner.drain("send_outbound")
    outbound_deps.release().run()
    runner.drain("send_outbound")
    tick()

    phones = [m["to"] for m in whatsapp.messages()]
    assert greeted["birthday"] == 3
    assert sent_during == 0
    assert during["waiting"]["whatsapp"] == 5
    assert len(phones) == len(set(phones)) == 5
    assert _campaign(api, campaign["id"])["status"] == "completed"


def test_counts_are_right_from_the_first_chunk_while_the_sender_keeps_up(
    api, clock, add_customer, new_campaign, runner, whatsapp, fast_rates
) -> None:
    from chalicelib.campaigns.fanout import FanOut, FanOutConfig, SegmentJob

    for i in range(12):
        add_customer(phone=f"0812123800{i:02d}")
    campaign = new_campaign(segment={})
    deps.lifecycle().start(campaign["id"], Actor("marketer"))
    seen: list[dict[str, Any]] = []

    class SenderKeepsUp(PassThroughDispatcher):
        """The sender works while the fan-out is still queueing; a marketer watches the figures."""

        def enqueue(self, report, delay_seconds: int = 0) -> None:
            super().enqueue(report, delay_seconds)
            runner.drain("send_outbound")
            seen.append(_campaign(api, campaign["id"])["counts"])

    FanOut(
        store=deps.store(),
        customers=customer_deps.repository(),
        suppression=customer_deps.suppression(),
        dispatcher=SenderKeepsUp(),
        enqueue_jobs=deps.enqueue_jobs,
        unsubscribe=lambda cid, channel, message=None: "https://sapa.example/unsubscribe/x",
        clock=clock,
        rate=lambda channel: float("inf"),
        hours=outbound_deps.contact_hours(),
        has_open_messages=customer_deps.message_log().has_open,
        config=FanOutConfig(page_size=12, chunk=4),
    ).run(SegmentJob(campaign["id"], 0, 1))

    # Each figure is read right after a chunk's messages went out: a chunk is counted before it is queued.
    assert [(c["targeted"], c["queued"], c["sent"]) for c in seen] == [(4, 4, 4), (8, 8, 8), (12, 12, 12)]
    final = _campaign(api, campaign["id"])["counts"]
    assert (final["targeted"], final["queued"], final["sent"]) == (12, 12, 12)
