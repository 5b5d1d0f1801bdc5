"""Start, pause, resume and cancel a campaign: one conditional transition each, then its side effects.

The transition is the guard: whoever wins it (an HTTP `send`, one of two
overlapping schedule runs) does the follow-up work, everyone else gets
Conflict. Follow-up work that a crash could interrupt (writing segment items,
enqueueing fan-out jobs) is idempotent and re-done by the schedule's sweep of
the `active` markers, so a started campaign never stays stuck.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from chalicelib.campaigns import model
from chalicelib.campaigns.fanout import DEFAULT_CONFIG, FanOutConfig, SegmentJob, segment_count, try_complete
from chalicelib.campaigns.model import CANCELLABLE, RETRYABLE, STARTABLE, Status
from chalicelib.campaigns.store import CampaignStore, Conflict

STUCK_AFTER = timedelta(minutes=2)
"""A start whose fan-out jobs are not enqueued after this long was interrupted; the sweep re-enqueues."""


class Audit(Protocol):
    def record(self, actor: str, action: str, target: str, now: datetime, **details: Any) -> None: ...


class Messages(Protocol):
    """The campaign's messages in the outbound pipeline (`CampaignMessages`)."""

    def has_open(self, campaign_id: str) -> bool: ...

    def release_held(self, campaign_id: str) -> int: ...

    def cancel_waiting(self, campaign_id: str) -> int: ...


class StateConflict(Exception):
    """The campaign is not in a state that allows this; `status` is what it is in."""

    def __init__(self, campaign_id: str, status: str | None, action: str) -> None:
        super().__init__(f"campaign {campaign_id} is {status or 'missing'}: cannot {action}")
        self.campaign_id = campaign_id
        self.status = status
        self.action = action


@dataclass(frozen=True)
class Actor:
    name: str
    how: str = "api"  # api, schedule, sapa (automatic)


class Lifecycle:
    def __init__(
        self,
        store: CampaignStore,
        audit: Audit,
        enqueue_jobs: Callable[[list[dict[str, Any]]], None],
        estimate_customers: Callable[[], int],
        clock: Callable[[], datetime],
        messages: Messages,
        config: FanOutConfig = DEFAULT_CONFIG,
    ) -> None:
        self.store = store
        self.audit = audit
        self.enqueue_jobs = enqueue_jobs
        self.estimate_customers = estimate_customers
        self.clock = clock
        self.messages = messages
        self.config = config

    def _conflict(self, campaign_id: str, action: str) -> StateConflict:
        item = self.store.get(campaign_id, consistent=True)
        return StateConflict(campaign_id, str(item["status"]) if item else None, action)

    def start(self, campaign_id: str, actor: Actor, *, scheduled_for: str | None = None) -> dict[str, Any]:
        """draft|scheduled -> sending, exactly once; then the fan-out jobs. `scheduled_for` is the schedule's guard."""
        now = self.clock()
        self.store.put_active(campaign_id, now)  # first: a crash after the transition still leaves a trace to sweep
        expect = {"send_at": scheduled_for} if scheduled_for else None
        allowed = [Status.SCHEDULED] if scheduled_for else list(STARTABLE)
        try:
            item = self.store.transition(
                campaign_id,
                allowed,
                Status.SENDING,
                now,
                set_values={"started_at": model.stamp(now), "started_by": actor.name, "started_how": actor.how},
                expect=expect,
            )
        except Conflict:
            raise self._conflict(campaign_id, "send") from None
        if item.get("send_at"):
            self.store.delete_schedule(campaign_id, str(item["send_at"]))
        self.audit.record(
            actor.name,
            "campaign.send",
            campaign_id,
            now,
            how=actor.how,
            scheduled_by=item.get("scheduled_by") if actor.how == "schedule" else None,
            name=item.get("name"),
            channel=item.get("channel"),
        )
        return self.enqueue_fanout(item)

    def enqueue_fanout(self, item: dict[str, Any]) -> dict[str, Any]:
        """Segment items, then one job per segment not yet done; safe to repeat (leases drop duplicates)."""
        campaign_id = str(item["id"])
        total = int(item.get("segments_total") or 0)
        if not total:
            total = segment_count(self.estimate_customers(), self.config)
            try:
                item = self.store.transition(
                    campaign_id, [Status.SENDING], Status.SENDING, self.clock(), set_values={"segments_total": total}
                )
            except Conflict:
                return self.store.get(campaign_id, consistent=True) or item  # paused or cancelled meanwhile
        self.store.create_segments(campaign_id, total, self.clock())
        pending = [s for s in self.store.segments(campaign_id) if not s.get("done")]
        self.enqueue_jobs([SegmentJob(campaign_id, int(s["segment"]), total).to_dict() for s in pending])
        try:
            return self.store.transition(
                campaign_id,
                [Status.SENDING],
                Status.SENDING,
                self.clock(),
                set_values={"fanout_enqueued_at": model.stamp(self.clock())},
            )
        except Conflict:
            return self.store.get(campaign_id, consistent=True) or item  # paused or cancelled meanwhile

    def pause(self, campaign_id: str, actor: Actor, reason: str | None = None) -> dict[str, Any]:
        now = self.clock()
        why = reason or f"paused by {actor.name}"
        try:
            item = self.store.transition(
                campaign_id,
                [Status.SENDING],
                Status.PAUSED,
                now,
                set_values={"status_reason": why, "paused_at": model.stamp(now), "paused_by": actor.name},
            )
        except Conflict:
            raise self._conflict(campaign_id, "pause") from None
        self.audit.record(actor.name, "campaign.pause", campaign_id, now, how=actor.how, reason=why)
        return item

    def resume(self, campaign_id: str, actor: Actor) -> dict[str, Any]:
        now = self.clock()
        try:
            item = self.store.transition(
                campaign_id,
                [Status.PAUSED],
                Status.SENDING,
                now,
                set_values={"resumed_at": model.stamp(now), "resumed_by": actor.name},
                remove=["status_reason", "fanout_enqueued_at"],
            )
        except Conflict:
            raise self._conflict(campaign_id, "resume") from None
        self.store.put_active(campaign_id, now)
        self.audit.record(actor.name, "campaign.resume", campaign_id, now, how=actor.how)
        item = self.enqueue_fanout(item)
        self.messages.release_held(campaign_id)  # what a short budget leaves, the sweep releases within a minute
        try_complete(self.store, campaign_id, self.clock(), self.messages.has_open)
        return self.store.get(campaign_id, consistent=True) or item

    def cancel(self, campaign_id: str, actor: Actor) -> dict[str, Any]:
        now = self.clock()
        try:
            item = self.store.transition(
                campaign_id,
                list(CANCELLABLE),
                Status.CANCELLED,
                now,
                set_values={"cancelled_at": model.stamp(now), "cancelled_by": actor.name},
            )
        except Conflict:
            raise self._conflict(campaign_id, "cancel") from None
        if item.get("send_at"):
            self.store.delete_schedule(campaign_id, str(item["send_at"]))
        self.audit.record(actor.name, "campaign.cancel", campaign_id, now, how=actor.how)
        # Waiting messages end `cancelled` now; queued ones when the sender reaches them. The active
        # marker stays until nothing is left, so the sweep finishes what a short budget does not.
        self.messages.cancel_waiting(campaign_id)
        if not self.messages.has_open(campaign_id):
            self.store.delete_active(campaign_id)
        return item

    def retry_failed(self, campaign_id: str, actor: Actor) -> dict[str, Any]:
        item = self.store.get(campaign_id, consistent=True)
        if item is None or item.get("status") not in RETRYABLE:
            raise StateConflict(campaign_id, str(item["status"]) if item else None, "retry failed messages")
        now = self.clock()
        if item.get("status") == Status.COMPLETED:
            # Retries are messages again: the campaign is sending until they settle.
            try:
                item = self.store.transition(
                    campaign_id, [Status.COMPLETED], Status.SENDING, now, remove=["completed_at"]
                )
            except Conflict:
                raise self._conflict(campaign_id, "retry failed messages") from None
            self.store.put_active(campaign_id, now)
        self.enqueue_jobs([{"kind": "campaign_retry", "campaign_id": campaign_id}])
        self.audit.record(actor.name, "campaign.retry_failed", campaign_id, now, how=actor.how)
        return item

    def sweep(self) -> dict[str, int]:
        """For each started campaign: re-enqueue an interrupted start, release, cancel, complete, or forget it."""
        report = {"reenqueued": 0, "completed": 0, "forgotten": 0, "released": 0, "cancelled": 0}
        now = self.clock()
        for campaign_id, marked_at in self.store.active():
            item = self.store.get(campaign_id, consistent=True)
            status = item.get("status") if item else None
            marked = model.parse_time(marked_at)
            if status == Status.CANCELLED:
                report["cancelled"] += self.messages.cancel_waiting(campaign_id)
                if not self.messages.has_open(campaign_id):
                    self.store.delete_active(campaign_id)
                    report["forgotten"] += 1
                continue
            settled = status in (None, Status.COMPLETED)
            never_started = status in (Status.DRAFT, Status.SCHEDULED) and (not marked or now - marked > STUCK_AFTER)
            if settled or never_started:  # a `send` that lost its race leaves a marker too
                self.store.delete_active(campaign_id)
                report["forgotten"] += 1
                continue
            if status != Status.SENDING or item is None:
                continue
            started = model.parse_time(item.get("resumed_at") or item.get("started_at"))
            if not item.get("fanout_enqueued_at") and started and now - started > STUCK_AFTER:
                self.enqueue_fanout(item)
                report["reenqueued"] += 1
                continue
            # A message held by a pause that raced the resume waits no longer than a minute.
            report["released"] += self.messages.release_held(campaign_id)
            if try_complete(self.store, campaign_id, now, self.messages.has_open):
                report["completed"] += 1
        return report
