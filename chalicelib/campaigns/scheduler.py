"""The per-minute schedule: start due campaigns and keep started ones moving until every message is settled.

EventBridge may deliver a scheduled event twice and runs can overlap when one
is slow; every step here is safe under that. A start is a conditional
transition that also checks the `send_at` the marker was written for, so two
runs start a campaign once and a rescheduled campaign is not started at its
old time; a stale marker (rescheduled, cancelled, started by hand) is deleted.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from typing import Any

from chalicelib.campaigns.lifecycle import Actor, Lifecycle, StateConflict
from chalicelib.campaigns.model import Status
from chalicelib.campaigns.store import CampaignStore
from chalicelib.core.observability import logger

SCHEDULE_ACTOR = Actor("schedule", "schedule")


class Scheduler:
    def __init__(self, store: CampaignStore, lifecycle: Lifecycle, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.lifecycle = lifecycle
        self.clock = clock

    def start_due(self) -> dict[str, int]:
        report = {"started": 0, "stale": 0}
        for campaign_id, send_at in self.store.due_schedules(self.clock()):
            try:
                self.lifecycle.start(campaign_id, SCHEDULE_ACTOR, scheduled_for=send_at)
            except StateConflict:
                current = self.store.get(campaign_id, consistent=True)
                if current is None or current.get("status") != Status.SCHEDULED or current.get("send_at") != send_at:
                    self.store.delete_schedule(campaign_id, send_at)
                    report["stale"] += 1
                continue
            report["started"] += 1
        return report

    def run(self, remaining_seconds: Callable[[], float] = lambda: math.inf) -> dict[str, Any]:
        report: dict[str, Any] = {"starts": self.start_due()}
        report["sweep"] = self.lifecycle.sweep()
        logger.info("campaign schedule", extra=report)
        return report
