"""The sender's campaign gate: a paused campaign's messages wait, a cancelled one's end `cancelled`.

Read in the sender's one consistent BatchGetItem right after it claims a
message, so a pause or cancel that has returned stops every message not
already past that read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.campaigns.model import Status
from chalicelib.campaigns.store import CAMPAIGN_SK, campaign_pk
from chalicelib.outbound.delivery import Cancel, Hold, ItemKey, Verdict
from chalicelib.outbound.envelope import Envelope

CAMPAIGN_OCCASION = "campaign"


def held_partition(campaign_id: str) -> str:
    """Where a paused campaign's messages wait in the message log's parked index."""
    return f"campaign#{campaign_id}"


class CampaignGate:
    def __init__(self, table_name: str) -> None:
        self.table_name = table_name

    def probe(self, envelope: Envelope) -> ItemKey | None:
        if envelope.occasion != CAMPAIGN_OCCASION or not envelope.campaign_id:
            return None  # greetings, replies and test sends belong to no campaign
        key = {"pk": campaign_pk(envelope.campaign_id), "sk": CAMPAIGN_SK}
        return ItemKey.of(self.table_name, key, ("status",))

    def verdict(self, envelope: Envelope, item: Mapping[str, Any] | None) -> Verdict | None:
        status = (item or {}).get("status")
        if status == Status.PAUSED:
            return Hold(held_partition(str(envelope.campaign_id)), "campaign paused")
        if status is None or status == Status.CANCELLED:
            return Cancel("campaign cancelled")
        return None
