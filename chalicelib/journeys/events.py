"""The port the contracts context (and the daily date run) drives journeys through.

The financing system's contracts live in another context; journeys only need
to hear that something happened to a customer: a contract approved (created
active), a contract paid off, a contract's anniversary, a customer attribute
date (a birthday, a custom date field). `JourneyEvent` is that message, and
`DateEventSource` is what the daily run asks for the day's date events.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, Protocol

EventKind = Literal["contract_approved", "paid_off", "terminated", "contract_anniversary", "attribute_date"]
EVENT_KINDS: tuple[str, ...] = ("contract_approved", "paid_off", "terminated", "contract_anniversary", "attribute_date")
EXIT_EVENTS: tuple[str, ...] = ("paid_off", "terminated")
"""Events that end a contract: a journey may stop its remaining steps on them (`terminated` starts none)."""

FACT_KEYS: tuple[str, ...] = (
    "product",
    "vehicle",
    "start_date",
    "tenor_months",
    "installment_amount",
    "due_day",
    "virtual_account",
    "bpkb_status",
    "insurance_end_date",
    "field",
    "years",
)
"""What a journey keeps of an event's facts for its templates; anything else the caller sends is dropped."""
CONTRACT_FIELDS: tuple[str, ...] = tuple(f"contract_{k}" for k in FACT_KEYS)
"""The names step conditions and exit segments read the enrolment's facts by (`contract_product` eq "car")."""


@dataclass(frozen=True)
class JourneyEvent:
    """Something that happened to a customer which may start (or end) a journey.

    `contract_no` is None for attribute dates; `facts` carries what templates
    and conditions may read (the contract's product, installment, due day,
    virtual account; for an attribute date the `field` it is about).
    """

    kind: EventKind
    customer_id: str
    at: datetime
    contract_no: str | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in EVENT_KINDS:
            raise ValueError(f"unknown journey event kind {self.kind!r}")
        if not self.customer_id:
            raise ValueError("a journey event needs its customer")
        if self.at.tzinfo is None:
            raise ValueError("a journey event's time must carry its time zone")

    def occurrence(self) -> str:
        """What makes two deliveries of this event the same one: the contract, and the year of a yearly date."""
        if self.kind in ("contract_anniversary", "attribute_date"):
            subject = self.contract_no or str(self.facts.get("field") or "date")
            return f"{subject}@{self.at.date().year}"
        return self.contract_no or "-"

    def kept_facts(self) -> dict[str, Any]:
        kept = {k: _plain(self.facts[k]) for k in FACT_KEYS if self.facts.get(k) is not None}
        if self.contract_no:
            kept["contract_no"] = self.contract_no
        return kept


def _plain(value: Any) -> Any:
    """Facts are stored in DynamoDB and rendered: dates as ISO text, numbers as they are."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, float):
        return str(value)
    return value


class DateEventSource(Protocol):
    """The date events of one local day (anniversaries, attribute dates), read from an index, never a scan."""

    def events_on(self, day: date, at: datetime) -> Iterable[JourneyEvent]: ...
