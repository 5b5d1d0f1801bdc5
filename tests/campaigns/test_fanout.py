"""The fan-out: from a started campaign to one outbound message per eligible customer, exactly once."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from chalicelib.campaigns.counters import Thresholds
from chalicelib.campaigns.fanout import DEFAULT_THRESHOLDS, FanOut, FanOutConfig, Pacer, SegmentJob
from chalicelib.campaigns.lifecycle import Actor
from chalicelib.campaigns.store import EMPTY_LEDGER
from tests import clocks
from tests.campaigns.conftest import ADMIN, MORNING
from tests.outbound.doubles import PassThroughDispatcher
from tests.wired import campaigns as deps
from tests.wired import customers as customer_deps
from tests.wired import outbound as outbound_deps


def _campaign(api, campaign_id: str) -> dict[str, Any]:
    status, body = api("GET", f"/campaigns/{campaign_id}", None, ADMIN)
    assert status == 200
    return body


def _send(api, campaign_id: str) -> None:
    status, body = api("POST", f"/campaigns/{campaign_id}/send", None, ADMIN)
    assert status == 202, body


def _phones(whatsapp) -> list[str]:
    return sorted(m["to"] for m in whatsapp.messages())


def test_a_marketer_sends_a_campaign_and_watches_the_counts_converge(
    api, clock, add_customer, new_campaign, runner, whatsapp, fast_rates, tick
) -> None:
    reachable = [add_customer(phone=f"08121111000{i}") for i in range(3)]
    add_customer(consents={"whatsapp": [], "email": ["promotions"]})
    suppressed = add_customer(phone="081222220000")
    customer_deps.suppression().add("phone", suppressed["phone"], "complaint", MORNING)
    capped = add_customer(phone="081233330000")
    ledger = deps.store()
    ledger.record_promotion(capped["id"], "cmp_earlier1", MORNING - timedelta(days=1), EMPTY_LEDGER, timedelta(days=7))
    ledger.record_promotion(
        capped["id"], "cmp_earlier2", MORNING - timedelta(days=2), ledger.ledger(capped["id"]), timedelta(days=7)
    )
    no_phone = add_customer(phone=None, consents={"whatsapp": [], "email": ["promotions"]})
    customer_deps.repository().put(
        {**customer_deps.repository().get(no_phone["id"]), "consents": {"whatsapp": ["promotions"]}}
    )
    add_customer(city="Bandung")
    campaign = new_campaign()

    _, preview = api("POST", f"/campaigns/{campaign['id']}/preview", {"customer_id": reachable[0]["id"]}, ADMIN)
    _send(api, campaign["id"])
    runner.drain("fan_out_audience")
    queued = _campaign(api, campaign["id"])
    runner.drain("send_outbound")
    tick()
    final = _campaign(api, campaign["id"])

    assert preview["text"] == "Halo Budi, promo servis Avanza!"
    assert queued["counts"]["queued"] == 3
    assert queued["counts"]["sent"] == 0
    assert queued["status"] == "sending"  # the fan-out is done, the messages are not
    assert final["status"] == "completed"
    assert final["counts"] == {
        "targeted": 7,
        "skipped": {"no_consent": 1, "suppressed": 1, "frequency_cap": 1, "invalid_contact": 1},
        "deferred": 0,
        "not_before": None,
        "held": 0,
        "queued": 3,
        "sent": 3,
        "delivered": 0,
        "read": 0,
        "failed": 0,
        "cancelled": 0,
    }
    assert _phones(whatsapp) == ["6281211110000", "6281211110001", "6281211110002"]


def test_the_frequency_cap_counts_promotions_across_campaigns(
    api, clock, add_customer, new_campaign, runner, whatsapp, fast_rates
) -> None:
    add_customer()
    for day in range(3):
        campaign = new_campaign(name=f"Promo {day}")
        _send(api, campaign["id"])
        runner.drain("fan_out_audience")
        clock.set(clock.now + timedelta(days=1))
    runner.drain("send_outbound")
    third = _campaign(api, campaign["id"])

    clock.set(MORNING + timedelta(days=7, seconds=1))  # the first promotion has aged out
    fourth = new_campaign(name="Promo minggu depan")
    _send(api, fourth["id"])
    runner.drain("fan_out_audience")

    assert third["counts"]["skipped"]["frequency_cap"] == 1
    assert len(whatsapp.messages()) == 2
    assert _campaign(api, fourth["id"])["counts"]["queued"] == 1


def test_a_redelivered_fan_out_job_sends_nothing_twice(
    api, clock, add_customer, new_campaign, runner, whatsapp, aws, fast_rates
) -> None:
    for _ in range(4):
        add_customer()
    campaign = new_campaign()
    _send(api, campaign["id"])
    runner.drain("fan_out_audience")

    job = SegmentJob(campaign["id"], 0, 1).to_dict()
    for _ in range(2):  # SQS at-least-once: the same job again, twice
        aws.sqs.send_message(QueueUrl=outbound_deps.queue_url("fanout"), MessageBody=json.dumps(job))
    runner.drain("fan_out_audience")
    runner.drain("send_outbound")

    counts = _campaign(api, campaign["id"])["counts"]
    assert len(whatsapp.messages()) == 4
    assert (counts["targeted"], counts["queued"], counts["sent"]) == (4, 4, 4)


def test_large_audiences_fan_out_in_parallel_segments(
    api, clock, add_customer, new_campaign, runner, whatsapp, monkeypatch, fast_rates
) -> None:
    monkeypatch.setenv("SAPA_FANOUT_SEGMENT_SIZE", "3")
    for _ in range(10):
        add_customer()
    campaign = new_campaign()

    _send(api, campaign["id"])
    jobs = runner.drain("fan_out_audience")
    runner.drain("send_outbound")

    body = _campaign(api, campaign["id"])
    assert jobs == 4
    assert body["fanout"] == {"segments": 4, "done": 4}
    assert body["counts"]["targeted"] == 10
    assert len(set(_phones(whatsapp))) == 10


def test_cancel_stops_further_sends_and_ends_the_queued_ones_cancelled(
    api, clock, add_customer, new_campaign, runner, whatsapp, monkeypatch, fast_rates
):
    monkeypatch.setenv("SAPA_FANOUT_SEGMENT_SIZE", "4")
    for _ in range(12):
        add_customer()
    campaign = new_campaign()
    _send(api, campaign["id"])

    first_segment = runner.drain("fan_out_audience", rounds=1)
    status, _ = api("POST", f"/campaigns/{campaign['id']}/cancel", None, ADMIN)
    runner.drain("fan_out_audience")
    runner.drain("send_outbound")

    body = _campaign(api, campaign["id"])
    statuses = {m["status"] for m in customer_deps.message_log().for_campaign(campaign["id"])}
    assert first_segment == 1
    assert status == 200
    assert body["status"] == "cancelled"
    assert whatsapp.messages() == []
    assert 0 < body["counts"]["queued"] < 12
    assert body["counts"]["cancelled"] == body["counts"]["queued"]
    assert statuses == {"cancelled"}


def test_pause_then_resume_reaches_everyone_once(
    api, clock, add_customer, new_campaign, runner, whatsapp, monkeypatch, fast_rates, tick
) -> None:
    monkeypatch.setenv("SAPA_FANOUT_SEGMENT_SIZE", "4")
    for _ in range(12):
        add_customer()
    campaign = new_campaign()
    _send(api, campaign["id"])

    runner.drain("fan_out_audience", rounds=1)
    api("POST", f"/campaigns/{campaign['id']}/pause", None, ADMIN)
    runner.drain("fan_out_audience")
    while_paused = _campaign(api, campaign["id"])
    api("POST", f"/campaigns/{campaign['id']}/resume", None, ADMIN)
    runner.drain("fan_out_audience")
    runner.drain("send_outbound")
    tick()

    done = _campaign(api, campaign["id"])
    assert while_paused["status"] == "paused"
    assert while_paused["fanout"]["done"] < 3
    assert done["status"] == "completed"
    assert done["counts"]["targeted"] == 12
    assert done["counts"]["sent"] == 12
    assert len(set(_phones(whatsapp))) == len(whatsapp.messages()) == 12


def test_render_errors_skip_only_the_recipients_they_affect(
    api, clock, add_customer, new_campaign, runner, whatsapp, fast_rates
) -> None:
    from tests.campaigns.conftest import inline_whatsapp

    add_customer(attributes={"vehicle_model": "Avanza", "sisa_angsuran": 3})
    add_customer(attributes={"vehicle_model": "Avanza"})
    campaign = new_campaign(template=inline_whatsapp("Sisa {{ customer.attributes.sisa_angsuran }} angsuran"))

    _send(api, campaign["id"])
    runner.drain("fan_out_audience")
    runner.drain("send_outbound")

    counts = _campaign(api, campaign["id"])["counts"]
    assert counts["skipped"]["render_error"] == 1
    assert counts["sent"] == 1
    assert whatsapp.messages()[0]["params"] == ["Sisa 3 angsuran"]


def _many_lacking_an_attribute(add_customer, having: int, lacking: int) -> None:
    for _ in range(having):
        add_customer(attributes={"vehicle_model": "Avanza", "sisa_angsuran": 3})
    for _ in range(lacking):
        add_customer(attributes={"vehicle_model": "Avanza"})


SISA_ANGSURAN = "Sisa {{ customer.attributes.sisa_angsuran }} angsuran"  # fine for the sample; fails for most


def test_render_errors_past_the_threshold_pause_the_campaign_with_the_reason(
    api, clock, add_customer, new_campaign, runner, whatsapp, fast_rates, tick
) -> None:
    from tests.campaigns.conftest import inline_whatsapp

    _many_lacking_an_attribute(add_customer, having=5, lacking=20)
    campaign = new_campaign(template=inline_whatsapp(SISA_ANGSURAN))

    _send(api, campaign["id"])
    runner.drain("fan_out_audience")
    runner.drain("send_outbound")
    tick()
    paused = _campaign(api, campaign["id"])
    _, audit = api("GET", "/audit", None, ADMIN)

    assert paused["status"] == "paused"
    assert paused["status_reason"] == (
        "auto-paused: the template failed for 20 of 25 recipients (80.0%, limit 5.0%); for example "
        "template.body: line 1: the template uses 'sisa_angsuran', which this recipient does not have "
        "(add | default('...'))"
    )
    assert paused["counts"]["skipped"]["render_error"] == 20
    assert paused["counts"]["held"] == 5  # queued before the pause, held by the sender since
    assert whatsapp.messages() == []
    assert any(e["action"] == "campaign.pause" and e["actor"] == "sapa" for e in audit["items"])


def test_the_render_error_threshold_is_a_setting(
    api, clock, add_customer, new_campaign, runner, whatsapp, fast_rates, tick, monkeypatch
) -> None:
    from tests.campaigns.conftest import inline_whatsapp

    monkeypatch.setenv("SAPA_CAMPAIGN_MAX_RENDER_ERROR_RATE", "0.9")
    _many_lacking_an_attribute(add_customer, having=5, lacking=20)
    campaign = new_campaign(template=inline_whatsapp(SISA_ANGSURAN))

    _send(api, campaign["id"])
    runner.drain("fan_out_audience")
    runner.drain("send_outbound")
    tick()
    done = _campaign(api, campaign["id"])

    assert done["status"] == "completed"
    assert done["counts"]["skipped"]["render_error"] == 20
    assert done["counts"]["sent"] == 5


def test_an_email_campaign_goes_out_with_subject_html_and_unsubscribe_link(
    api, clock, add_customer, new_campaign, runner, fast_rates
) -> None:
    customer = add_customer(consents={"whatsapp": [], "email": ["promotions"]})
    campaign = new_campaign(channel="email", template="promo_dp_ringan")

    _send(api, campaign["id"])
    runner.drain("fan_out_audience")
    runner.drain("send_outbound")

    [record] = list(customer_deps.message_log().for_campaign(campaign["id"]))
    body = _campaign(api, campaign["id"])
    assert record["customer_id"] == customer["id"]
    assert record["status"] == "sent"
    assert record["subject"].startswith("Budi, promo DP ringan")
    assert "/unsubscribe/" in record["text"]
    assert body["counts"]["sent"] == 1
    assert body["counts"]["clicked"] == 0


# -- the fan-out job itself: crashes, leases and stops ------------------------------------


class CrashingDispatcher(PassThroughDispatcher):
    """The real dispatcher, until the Lambda dies after `after` batches."""

    def __init__(self, after: int) -> None:
        super().__init__()
        self.after = after
        self.batches = 0

    def prepare(self, envelopes):
        if self.batches == self.after:
            raise RuntimeError("Lambda timed out")
        self.batches += 1
        return super().prepare(envelopes)


class DiesBeforeQueueing(PassThroughDispatcher):
    """Logs and counts the `after`-th batch, then the Lambda dies before it reaches the queue."""

    def __init__(self, after: int) -> None:
        super().__init__()
        self.after = after
        self.batches = 0

    def enqueue(self, report, delay_seconds: int = 0) -> None:
        self.batches += 1
        if self.batches == self.after:
            raise RuntimeError("Lambda timed out")
        super().enqueue(report, delay_seconds)


class RecordingCustomers:
    def __init__(self) -> None:
        self.inner = customer_deps.repository()
        self.starts: list[Any] = []

    def segment(self, segment, total_segments, start=None, page_size=500, filter_kwargs=None):
        self.starts.append(start)
        return self.inner.segment(segment, total_segments, start, page_size, filter_kwargs)


def _fanout(
    dispatcher: Any,
    customers: Any = None,
    pause: Callable[[str, str], None] | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    **config: Any,
) -> FanOut:
    return FanOut(
        store=deps.store(),
        customers=customers or customer_deps.repository(),
        suppression=customer_deps.suppression(),
        dispatcher=dispatcher,
        enqueue_jobs=deps.enqueue_jobs,
        unsubscribe=lambda cid, channel, message=None: f"https://sapa.example/unsubscribe/{cid}",
        clock=clocks.now,
        rate=lambda channel: float("inf"),
        hours=outbound_deps.contact_hours(),
        has_open_messages=customer_deps.message_log().has_open,
        config=FanOutConfig(**{"page_size": 5, "chunk": 5, **config}),
        pause=pause,
        thresholds=thresholds,
    )


def _started(api, add_customer, new_campaign, count: int) -> dict[str, Any]:
    for _ in range(count):
        add_customer()
    campaign = new_campaign()
    deps.lifecycle().start(campaign["id"], Actor("test"))
    return campaign


def test_a_crashed_fan_out_resumes_from_its_last_checkpoint_and_counts_once(
    api, clock, add_customer, new_campaign, runner, whatsapp
) -> None:
    campaign = _started(api, add_customer, new_campaign, 12)
    job = SegmentJob(campaign["id"], 0, 1)

    with pytest.raises(RuntimeError, match="timed out"):
        _fanout(CrashingDispatcher(after=1)).run(job)  # dies in the second page
    blocked = _fanout(outbound_deps.dispatcher()).run(job)
    clock.set(clock.now + timedelta(minutes=5))  # the dead worker's lease runs out
    customers = RecordingCustomers()
    resumed = _fanout(outbound_deps.dispatcher(), customers).run(job)
    runner.drain("send_outbound")

    counts = _campaign(api, campaign["id"])["counts"]
    assert blocked == "busy_or_done"
    assert resumed == "done"
    assert customers.starts[0] is not None  # not from the start of the table
    assert (counts["targeted"], counts["queued"], counts["sent"]) == (12, 12, 12)
    assert len(set(_phones(whatsapp))) == len(whatsapp.messages()) == 12


@pytest.mark.parametrize("dies_at", [1, 3])  # the first chunk; the segment's last, after its last checkpoint
def test_a_fan_out_that_dies_between_counting_and_queueing_loses_nobody(
    api, clock, add_customer, new_campaign, runner, whatsapp, dies_at
) -> None:
    campaign = _started(api, add_customer, new_campaign, 12)
    job = SegmentJob(campaign["id"], 0, 1)

    with pytest.raises(RuntimeError, match="timed out"):
        _fanout(DiesBeforeQueueing(after=dies_at)).run(job)
    clock.set(clock.now + timedelta(minutes=5))  # the dead worker's lease runs out; SQS delivers the job again
    _fanout(outbound_deps.dispatcher()).run(job)
    runner.drain("send_outbound")

    counts = _campaign(api, campaign["id"])["counts"]
    assert (counts["targeted"], counts["queued"], counts["sent"]) == (12, 12, 12)
    assert len(set(_phones(whatsapp))) == len(whatsapp.messages()) == 12


def test_the_job_stops_between_chunks_when_the_campaign_is_paused(api, clock, add_customer, new_campaign) -> None:
    campaign = _started(api, add_customer, new_campaign, 12)

    class PausingDispatcher(CrashingDispatcher):
        """A marketer presses pause while the first batch is being queued."""

        def prepare(self, envelopes):
            if self.batches == 0:
                deps.lifecycle().pause(campaign["id"], Actor("marketer"))
            self.batches += 1
            return self.inner.prepare(envelopes)

    outcome = _fanout(PausingDispatcher(after=99), status_every_seconds=0).run(SegmentJob(campaign["id"], 0, 1))

    counts = _campaign(api, campaign["id"])["counts"]
    assert outcome == "stopped:paused"
    # Pause lands while the first page is queued; the check before the next chunk stops the job.
    assert counts["targeted"] == 5
    assert counts["queued"] == 5


def test_the_job_that_pauses_for_render_errors_stops_at_the_next_chunk(api, clock, add_customer, new_campaign) -> None:
    from tests.campaigns.conftest import inline_whatsapp

    _many_lacking_an_attribute(add_customer, having=0, lacking=12)
    campaign = new_campaign(template=inline_whatsapp(SISA_ANGSURAN))
    deps.lifecycle().start(campaign["id"], Actor("test"))
    reasons: list[str] = []

    def pause(campaign_id: str, reason: str) -> None:
        reasons.append(reason)
        deps.lifecycle().pause(campaign_id, Actor("sapa", "auto"), reason)

    fanout = _fanout(outbound_deps.dispatcher(), pause=pause, thresholds=Thresholds(min_render_sample=5))
    outcome = fanout.run(SegmentJob(campaign["id"], 0, 1))

    counts = _campaign(api, campaign["id"])["counts"]
    assert outcome == "stopped:paused"
    assert counts["targeted"] == 5  # one chunk of five, then the pause
    assert counts["skipped"]["render_error"] == 5
    assert len(reasons) == 1
    assert reasons[0].startswith("auto-paused: the template failed for 5 of 5 recipients (100.0%, limit 5.0%)")


def test_render_errors_under_the_minimum_sample_do_not_pause(api, clock, add_customer, new_campaign) -> None:
    from tests.campaigns.conftest import inline_whatsapp

    _many_lacking_an_attribute(add_customer, having=0, lacking=4)
    campaign = new_campaign(template=inline_whatsapp(SISA_ANGSURAN))
    deps.lifecycle().start(campaign["id"], Actor("test"))
    reasons: list[str] = []

    fanout = _fanout(outbound_deps.dispatcher(), pause=lambda cid, reason: reasons.append(reason))
    outcome = fanout.run(SegmentJob(campaign["id"], 0, 1))

    assert outcome == "done"
    assert reasons == []


def test_near_the_deadline_the_job_checkpoints_and_continues_in_a_new_job(
    api, clock, add_customer, new_campaign, runner, whatsapp, fast_rates
) -> None:
    campaign = _started(api, add_customer, new_campaign, 8)

    outcome = _fanout(outbound_deps.dispatcher()).run(SegmentJob(campaign["id"], 0, 1), remaining_seconds=lambda: 5.0)
    before_handover = _campaign(api, campaign["id"])["counts"]
    runner.drain("fan_out_audience")  # the start's job and the continuation: one resumes, one finds it done
    runner.drain("send_outbound")

    assert outcome == "continued"
    assert before_handover["targeted"] == 5  # one chunk, then the checkpoint
    assert _campaign(api, campaign["id"])["counts"]["sent"] == 8
    assert len(set(_phones(whatsapp))) == len(whatsapp.messages()) == 8


def test_the_pacer_spreads_batches_at_the_rate() -> None:
    slept: list[float] = []
    now = [0.0]
    pacer = Pacer(20.0, clock=lambda: now[0], sleep=slept.append)

    for _ in range(3):
        pacer.wait(10)

    assert slept == [0.5, 1.0]  # 10 messages at 20/s take half a second each; nothing moved the clock
