"""Leads found in conversations, and the telemarketer's call for each.

A lead item is written in the same transaction as the message that revealed
it, so it exists exactly once. The call-list task goes into the greetings
table (the telemarketers' one list) with a conditional put, so replaying the
action after a crash adds nothing twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.core import rendering
from chalicelib.scrm import store
from chalicelib.scrm.config import ScrmConfig

CALL_TTL_DAYS = 90
CHANNEL_LABELS = {"whatsapp": "WhatsApp", "instagram": "Instagram", "facebook": "Facebook"}
TOPIC_LABELS: dict[str, dict[str, str]] = {
    "id": {
        "installment": "angsuran",
        "due_date": "jatuh tempo",
        "bpkb": "BPKB",
        "stnk_tax": "STNK dan pajak",
        "insurance": "asuransi",
        "early_payoff": "pelunasan dipercepat",
        "promo": "promo",
        "app": "aplikasi",
        "office_hours": "jam operasional",
    },
    "en": {
        "installment": "installments",
        "due_date": "due dates",
        "bpkb": "BPKB",
        "stnk_tax": "STNK and vehicle tax",
        "insurance": "insurance",
        "early_payoff": "early payoff",
        "promo": "promotions",
        "app": "the app",
        "office_hours": "office hours",
    },
}
PUBLIC_FIELDS = (
    "id",
    "conversation_id",
    "customer_id",
    "channel",
    "name",
    "phone",
    "topics",
    "language",
    "text",
    "status",
    "created_at",
)


def lead_id_for(dedupe_key: str) -> str:
    return "ld_" + store.short_hash(dedupe_key, 20)


def public_lead(item: Mapping[str, Any]) -> dict[str, Any]:
    data = {name: item.get(name) for name in PUBLIC_FIELDS}
    data["topics"] = list(item.get("topics") or [])
    return data


def call_script(lead: Mapping[str, Any], config: ScrmConfig) -> str:
    language = lead.get("language") if lead.get("language") in ("id", "en") else "id"
    labels = TOPIC_LABELS[str(language)]
    return rendering.render(
        f"telegreeting/lead.{language}.txt.j2",
        {
            **config.template_context(),
            "name": lead.get("name"),
            "channel_label": CHANNEL_LABELS.get(str(lead.get("channel")), str(lead.get("channel"))),
            "topic_labels": [labels[t] for t in lead.get("topics") or [] if t in labels],
        },
    )


class CallTasks:
    """Writes lead calls onto the telemarketers' list in the greetings table."""

    def __init__(self, table: Any, config: ScrmConfig) -> None:
        self.table = table
        self.config = config

    def add(self, lead: Mapping[str, Any], day: date, now: datetime) -> bool:
        """One task per lead; False when it is already on the list."""
        who = str(lead.get("customer_id") or lead.get("sender_id") or lead["id"])
        item: dict[str, Any] = {
            "pk": f"calls#{day.isoformat()}",
            "sk": f"{who}#lead#{lead['id']}",
            # "<date>.<who>.<occasion>" like greeting calls; the occasion carries the lead id so the
            # greetings CallList can find the task again from its id (its sk is "<who>#<occasion>").
            "id": f"{day.isoformat()}.{who}.lead#{lead['id']}",
            "customer_id": lead.get("customer_id"),
            "lead_id": lead["id"],
            "conversation_id": lead.get("conversation_id"),
            "channel": lead.get("channel"),
            "name": lead.get("name"),
            "phone": lead.get("phone"),
            "occasion": "lead",
            "language": lead.get("language") or "id",
            "script": call_script(lead, self.config),
            "status": "open",
            "created_at": now.isoformat(),
            "expires_at": int(now.timestamp()) + CALL_TTL_DAYS * 86400,
        }
        if lead.get("customer_id"):
            item["gsi2pk"] = f"customer#{lead['customer_id']}"
        try:
            self.table.put_item(
                Item={k: v for k, v in item.items() if v is not None}, ConditionExpression="attribute_not_exists(pk)"
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True


class Leads:
    def __init__(self, scrm: store.ScrmStore) -> None:
        self.store = scrm

    def get(self, lead_id: str) -> dict[str, Any] | None:
        return self.store.lead(lead_id)

    def page(self, limit: int, start: dict[str, Any] | None) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """Newest first."""
        items, last = self.store.query_index("gsi1", "leads", forward=False, limit=limit, start=start)
        return [public_lead(item) for item in items], last
