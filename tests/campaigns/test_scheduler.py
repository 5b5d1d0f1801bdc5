"""The per-minute schedules: scheduled starts, contact-hours releases and the sweep of started campaigns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.campaigns.lifecycle import Actor
from chalicelib.campaigns.model import Status
from chalicelib.campaigns.scheduler import Scheduler
from chalicelib.campaigns.store import CampaignStore
from tests import clocks
from tests.campaigns.conftest import ADMIN
from tests.wiring import campaigns as deps
from tests.wiring import customers as customer_deps
from tests.wiring import outbound as outbound_deps

# Tuesday 17:30 WIB = 18:30 WITA = 19:30 WIT: Jakarta may still get an offer, Makassar and Jayapura may not.
EVENING = datetime(2025, 6, 17, 10, 30, tzinfo=UTC)
WIT_MORNING = datetime(2025, 6, 17, 23, 0, tzinfo=UTC)  # Wednesday 08:00 in Jayapura
WITA_MORNING = datetime(2025, 6, 18, 0, 0, tzinfo=UTC)  # Wednesday 08:00 in Makassar


def _campaign(api, campaign_id: str) -> dict[str, Any]:
    return api("GET", f"/campaigns/{campaign_id}", None, ADMIN)[1]


def _fanout_jobs(aws, settings) -> int:
    url = aws.sqs.get_queue_url(QueueName=settings.queue_name("fanout"))["QueueUrl"]
    attributes = aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def test_a_scheduled_campaign_starts_at_its_time_and_not_before(api, clock, new_campaign, aws, settings) -> None:
    clock.set(datetime(2025, 6, 17, 2, 0, tzinfo=UTC))
    campaign = new_campaign(send_at="2025-06-17T10:00:00+07:00")  # 03:00 UTC
    clock.set(datetime(2025, 6, 17, 2, 59, tzinfo=UTC))

    early = deps.scheduler().start_due()
    clock.set(datetime(2025, 6, 17, 3, 0, 30, tzinfo=UTC))
    due = deps.scheduler().start_due()

    body = _campaign(api, campaign["id"])
    assert early == {"started": 0, "stale": 0}
    assert due == {"started": 1, "stale": 0}
    assert body["status"] == "sending"
    assert body["started_by"] == "schedule"
    assert _fanout_jobs(aws, settings) == 1


def test_two_overlapping_schedule_runs_start_the_campaign_once(api, clock, new_campaign, aws, settings) -> None:
    clock.set(datetime(2025, 6, 17, 2, 0, tzinfo=UTC))
    campaign = new_campaign(send_at="2025-06-17T03:00:00Z")
    clock.set(datetime(2025, 6, 17, 3, 0, tzinfo=UTC))
    seen_by_both = deps.store().due_schedules(clock.now)

    class Overlapping(CampaignStore):
        def due_schedules(self, now: datetime) -> list[tuple[str, str]]:
            return seen_by_both  # both runs listed the marker before either started the campaign

    store = Overlapping(deps.store().table)
    runs = [Scheduler(store, deps.lifecycle(), clocks.now).start_due() for _ in range(2)]

    _, audit = api("GET", "/audit", None, ADMIN)
    assert sorted(r["started"] for r in runs) == [0, 1]
    assert _fanout_jobs(aws, settings) == 1
    assert [e["target"] for e in audit["items"] if e["action"] == "campaign.send"] == [campaign["id"]]


def test_a_rescheduled_campaign_does_not_start_at_its_old_time(api, clock, new_campaign) -> None:
    campaign = new_campaign(send_at="2025-06-17T04:00:00Z")
    api("PATCH", f"/campaigns/{campaign['id']}", {"send_at": "2025-06-17T06:00:00Z"}, ADMIN)

    clock.set(datetime(2025, 6, 17, 4, 1, tzinfo=UTC))
    at_old_time = deps.scheduler().start_due()
    clock.set(datetime(2025, 6, 17, 6, 1, tzinfo=UTC))
    at_new_time = deps.scheduler().start_due()

    assert at_old_time["started"] == 0
    assert at_new_time["started"] == 1


def test_a_cancelled_scheduled_campaign_never_starts(api, clock, new_campaign) -> None:
    campaign = new_campaign(send_at="2025-06-17T04:00:00Z")
    api("POST", f"/campaigns/{campaign['id']}/cancel", None, ADMIN)

    clock.set(datetime(2025, 6, 17, 5, 0, tzinfo=UTC))
    report = deps.scheduler().start_due()

    assert report["started"] == 0
    assert _campaign(api, campaign["id"])["status"] == "cancelled"


def test_customers_outside_the_offer_window_get_the_message_when_it_opens_in_their_zone(
    api, clock, add_customer, new_campaign, runner, whatsapp, fast_rates, tick
) -> None:
    clock.set(EVENING)
    add_customer(phone="081211110001", timezone="Asia/Jakarta")
    add_customer(phone="081211110002", timezone="Asia/Makassar")
    add_customer(phone="081211110003", timezone="Asia/Jayapura")
    campaign = new_campaign(segment={})
    api("POST", f"/campaigns/{campaign['id']}/send", None, ADMIN)
    runner.drain("fan_out_audience")
    runner.drain("send_outbound")
    evening = _campaign(api, campaign["id"])

    clock.set(WIT_MORNING - timedelta(seconds=1))
    early = outbound_deps.release().run().released
    clock.set(WIT_MORNING)
    outbound_deps.release().run()
    runner.drain("send_outbound")
    after_wit = _campaign(api, campaign["id"])
    clock.set(WITA_MORNING)
    outbound_deps.release().run()
    runner.drain("send_outbound")
    tick()
    done = _campaign(api, campaign["id"])

    assert [m["to"] for m in whatsapp.messages()] == ["6281211110001", "6281211110003", "6281211110002"]
    assert (evening["status"], evening["counts"]["deferred"], evening["counts"]["sent"]) == ("sending", 2, 1)
    assert evening["counts"]["not_before"] == {"earliest": "2025-06-17T23:00:00Z", "latest": "2025-06-18T00:00:00Z"}
    assert early == 0  # never early
    assert (after_wit["counts"]["deferred"], after_wit["counts"]["queued"]) == (1, 2)
    assert done["status"] == "completed"
    assert (done["counts"]["deferred"], done["counts"]["queued"], done["counts"]["sent"]) == (0, 3, 3)


def test_deferred_recipients_of_a_cancelled_campaign_end_cancelled(
    api, clock, add_customer, new_campaign, runner, whatsapp, fast_rates
) -> None:
    clock.set(EVENING)
    add_customer(timezone="Asia/Jayapura")
    campaign = new_campaign(segment={})
    api("POST", f"/campaigns/{campaign['id']}/send", None, ADMIN)
    runner.drain("fan_out_audience")
    api("POST", f"/campaigns/{campaign['id']}/cancel", None, ADMIN)

    clock.set(WIT_MORNING)
    released = outbound_deps.release().run().released
    runner.drain("send_outbound")

    counts = _campaign(api, campaign["id"])["counts"]
    [message] = list(customer_deps.message_log().for_campaign(campaign["id"]))
    assert whatsapp.messages() == []
    assert released == 0
    assert (counts["deferred"], counts["cancelled"]) == (0, 1)
    assert message["status"] == "cancelled"


def test_deferred_recipients_of_a_paused_campaign_wait_for_resume(
    api, clock, add_customer, new_campaign, runner, whatsapp, fast_rates, tick
) -> None:
    clock.set(EVENING)
    add_customer(timezone="Asia/Jayapura")
    campaign = new_campaign(segment={})
    api("POST", f"/campaigns/{campaign['id']}/send", None, ADMIN)
    runner.drain("fan_out_audience")
    api("POST", f"/campaigns/{campaign['id']}/pause", None, ADMIN)

    clock.set(WIT_MORNING)
    outbound_deps.release().run()
    runner.drain("send_outbound")  # the sender sees the pause and holds it
    while_paused = _campaign(api, campaign["id"])
    api("POST", f"/campaigns/{campaign['id']}/resume", None, ADMIN)
    runner.drain("send_outbound")
    tick()

    assert (while_paused["counts"]["held"], while_paused["counts"]["sent"]) == (1, 0)
    assert len(whatsapp.messages()) == 1
    assert _campaign(api, campaign["id"])["status"] == "completed"


def test_the_sweep_finishes_a_start_that_was_interrupted(
    api, clock, add_customer, new_campaign, runner, whatsapp, fast_rates, tick
) -> None:
    add_customer()
    campaign = new_campaign()
    store = deps.store()
    store.put_active(campaign["id"], clock.now)  # the start died right after its transition:
    store.transition(
        campaign["id"], [Status.DRAFT], Status.SENDING, clock.now, set_values={"started_at": "2025-06-17T03:00:00Z"}
    )

    soon = deps.scheduler().run()["sweep"]
    clock.set(clock.now + timedelta(minutes=3))
    later = deps.scheduler().run()["sweep"]
    runner.drain("fan_out_audience")
    runner.drain("send_outbound")
    tick()

    assert soon["reenqueued"] == 0
    assert later["reenqueued"] == 1
    assert len(whatsapp.messages()) == 1
    assert _campaign(api, campaign["id"])["status"] == "completed"


def test_the_schedule_handler_is_wired_to_the_app(app, runner, clock, new_campaign, api) -> None:
    campaign = new_campaign(send_at="2025-06-17T03:00:30Z")
    clock.set(datetime(2025, 6, 17, 3, 1, tzinfo=UTC))
    source = next(s for s in runner.schedules if s.name == "start_scheduled_campaigns")

    report = runner.fire(source, clock.now)

    assert report["starts"]["started"] == 1
    assert _campaign(api, campaign["id"])["status"] == "sending"


def test_an_actor_pressing_send_on_a_scheduled_campaign_starts_it_now(api, clock, new_campaign) -> None:
    campaign = new_campaign(send_at="2025-06-18T03:00:00Z")

    deps.lifecycle().start(campaign["id"], Actor("marketer"))
    clock.set(datetime(2025, 6, 18, 3, 1, tzinfo=UTC))
    report = deps.scheduler().start_due()

    assert report == {"started": 0, "stale": 0}  # the marker went with the manual start
    assert _campaign(api, campaign["id"])["started_by"] == "marketer"
