"""A campaign's messages in the outbound pipeline: what still waits, releasing and cancelling them.

Messages live in the message log (owned by `outbound`); this adapter asks it
the campaign's questions: is anything unsettled (completion), how many wait
for their contact hours and until when (the figures), and it releases a
resumed campaign's held messages or cancels a cancelled one's.
"""

from __future__ import annotations

from typing import Any

from chalicelib.campaigns.gate import held_partition
from chalicelib.outbound.message_log import MessageLog
from chalicelib.outbound.release import Release

CANCEL_REASON = "campaign cancelled"


class CampaignMessages:
    def __init__(self, log: MessageLog, release: Release, budget_seconds: float = 5.0) -> None:
        self.log = log
        self.release = release
        self.budget_seconds = budget_seconds

    def has_open(self, campaign_id: str) -> bool:
        return self.log.has_open(campaign_id)

    def release_held(self, campaign_id: str) -> int:
        """A resumed campaign's held messages back on the queue (what the budget leaves waits for the sweep)."""
        return self.release.release_partition(held_partition(campaign_id), self.budget_seconds).released

    def cancel_waiting(self, campaign_id: str) -> int:
        """A cancelled campaign's held and deferred messages end `cancelled`; queued ones the sender cancels."""
        return self.release.cancel_campaign(campaign_id, CANCEL_REASON, self.budget_seconds).cancelled

    def waiting(self, campaign_id: str) -> dict[str, Any]:
        """How many wait for their contact hours (and from when to when) and how many are held."""
        deferred = self.log.waiting_summary(campaign_id, "deferred")
        held = self.log.waiting_summary(campaign_id, "held")
        return {
            "deferred": deferred["count"],
            "not_before": {"earliest": deferred["first"], "latest": deferred["last"]} if deferred["count"] else None,
            "held": held["count"],
        }
