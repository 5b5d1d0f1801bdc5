"""The telemarketers' call attempts: what each outcome means for the task, and what a filter may ask for.

Every outcome a telemarketer records is kept as an attempt (who, when,
outcome, note, callback time); the task's status follows the latest one. A
"no answer" leaves the task open for another try, a "call back" puts it on
the list again at the time the customer asked for, anything else closes it.
Pure rules: the call list (`greetings.store.CallList`) stores them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

OUTCOMES = ("reached", "no_answer", "wrong_number", "callback", "not_interested")
STATUSES = ("open", "done", "callback")
KINDS = ("telegreeting", "lead", "reminder")
MAX_ATTEMPTS = 20
"""A task called twenty times is not a task any more: the twenty-first attempt is refused (409)."""
CALLBACK_HORIZON = timedelta(days=60)
"""A callback further ahead would outlive the task (call tasks expire after 90 days)."""
NOTE_MAX = 1000

STATUS_AFTER = {
    "reached": "done",
    "wrong_number": "done",
    "not_interested": "done",
    "no_answer": "open",
    "callback": "callback",
}


class InvalidAttempt(ValueError):
    """An attempt that cannot be recorded as given; `fields` names what was wrong."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


@dataclass(frozen=True)
class Attempt:
    """One call a telemarketer made, and how it went."""

    outcome: str
    by: str
    at: datetime
    note: str = ""
    callback_at: datetime | None = None

    @property
    def status(self) -> str:
        return STATUS_AFTER[self.outcome]

    def to_item(self) -> dict[str, Any]:
        item: dict[str, Any] = {"outcome": self.outcome, "by": self.by, "at": self.at.isoformat(), "note": self.note}
        if self.callback_at is not None:
            item["callback_at"] = self.callback_at.isoformat()
        return item


def attempt(
    outcome: str, by: str, now: datetime, note: str | None = None, callback_at: datetime | None = None
) -> Attempt:
    """A checked attempt: a callback needs a time ahead (and not too far); other outcomes take none."""
    if outcome not in STATUS_AFTER:
        raise InvalidAttempt({"outcome": f"must be one of {', '.join(OUTCOMES)}"})
    if outcome == "callback":
        if callback_at is None:
            raise InvalidAttempt({"callback_at": "required when the customer asked to be called back"})
        if callback_at.tzinfo is None:
            raise InvalidAttempt({"callback_at": "must carry its time zone"})
        if callback_at <= now:
            raise InvalidAttempt({"callback_at": "must be in the future"})
        if callback_at > now + CALLBACK_HORIZON:
            raise InvalidAttempt({"callback_at": f"must be within {CALLBACK_HORIZON.days} days"})
    elif callback_at is not None:
        raise InvalidAttempt({"callback_at": "only for the outcome callback"})
    text = (note or "").strip()
    if len(text) > NOTE_MAX:
        raise InvalidAttempt({"notes": f"must be at most {NOTE_MAX} characters"})
    return Attempt(outcome=outcome, by=by, at=now, note=text, callback_at=callback_at)


def kind_of(item: Mapping[str, Any]) -> str:
    """A task's kind: stored on newer tasks; older ones are told apart by their occasion."""
    stored = item.get("kind")
    if stored in KINDS:
        return str(stored)
    return "lead" if item.get("occasion") == "lead" else "telegreeting"


def callback_day(callback_at: datetime) -> date:
    """The list a callback appears on again: its date on the clock it was given in (the caller's zone)."""
    return callback_at.date()
