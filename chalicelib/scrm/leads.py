"""Leads found in conversations, and the telemarketer's call for each.

A lead item is written in the same transaction as the message that revealed
it, so it exists exactly once. The call for it goes onto the telemarketers'
one list, which the greetings context's call list owns (`CallBook`, wired in
`chalicelib.wiring.scrm`); its put is conditional, so replaying the action
after a crash adds nothing twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from chalicelib.core import rendering
from chalicelib.scrm import store, times
from chalicelib.scrm.config import ScrmConfig

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


@dataclass(frozen=True)
class LeadCall:
    """A telemarketer's call about a lead: who to call, about what, with the script to read."""

    day: date
    who: str  # the customer, else the platform sender, else the lead: one call per person and lead
    lead_id: str
    customer_id: str | None
    conversation_id: str | None
    channel: str | None
    name: str | None
    phone: str | None
    language: str
    script: str


class CallBook(Protocol):
    """The telemarketers' call list (the greetings context's `CallList`)."""

    def add_lead_call(self, call: LeadCall, now: datetime) -> bool: ...

    def fill_lead_call(
        self, day: date, who: str, lead_id: str, customer_id: str, name: str | None, phone: str | None
    ) -> bool: ...


class CallTasks:
    """Puts a call for each lead on the telemarketers' list."""

    def __init__(self, book: CallBook, config: ScrmConfig) -> None:
        self.book = book
        self.config = config

    @staticmethod
    def who(lead: Mapping[str, Any]) -> str:
        """Whom the lead's call is keyed by: the customer, else the platform sender, else the lead."""
        return str(lead.get("customer_id") or lead.get("sender_id") or lead["id"])

    def add(self, lead: Mapping[str, Any], day: date, now: datetime) -> bool:
        """One task per lead; False when it is already on the list."""
        call = LeadCall(
            day=day,
            who=self.who(lead),
            lead_id=str(lead["id"]),
            customer_id=lead.get("customer_id"),
            conversation_id=lead.get("conversation_id"),
            channel=lead.get("channel"),
            name=lead.get("name"),
            phone=lead.get("phone"),
            language=str(lead.get("language") or "id"),
            script=call_script(lead, self.config),
        )
        return self.book.add_lead_call(call, now)

    def fill(self, lead: Mapping[str, Any], customer: Mapping[str, Any]) -> bool:
        """The lead's call (on the day the lead was found) shows the customer it turned out to be."""
        found = times.parse(lead.get("created_at"))
        if found is None:
            return False
        return self.book.fill_lead_call(
            times.local_day(found, self.config.utc_offset_hours),
            self.who(lead),
            str(lead["id"]),
            str(customer["id"]),
            customer.get("name"),
            customer.get("phone"),
        )


class Leads:
    def __init__(self, scrm: store.ScrmStore) -> None:
        self.store = scrm

    def get(self, lead_id: str) -> dict[str, Any] | None:
        return self.store.lead(lead_id)

    def page(self, limit: int, start: dict[str, Any] | None) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """Newest first."""
        items, last = self.store.query_index("gsi1", "leads", forward=False, limit=limit, start=start)
        return [public_lead(item) for item in items], last
