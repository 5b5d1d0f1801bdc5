"""What became of a date's greetings: the delivery pipeline's reports, counted on the date's run record.

The sender reports each outcome (sent, failed, parked to wait for contact
hours or a halt), the release reports a greeting that waited since its run,
and status webhooks and SES events report delivered, read and failed. The
message log only passes on a status that moved a message forward
(`STATUS_RANK`), so each message's status is counted once however often a
provider repeats it. Observers never raise into the sender: a lost count is
better than a resent greeting.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from chalicelib.core.observability import logger
from chalicelib.outbound.delivery import Outcome
from chalicelib.outbound.envelope import Envelope
from chalicelib.outbound.message_log import STATUS_RANK

GREETING_OCCASIONS = ("birthday", "holiday")


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def outcome_deltas(outcome: Outcome) -> dict[str, int]:
    """The counters one sender or release outcome moves."""
    if outcome.status == "sent":
        return {"sent": 1}
    if outcome.status in ("failed", "unconfirmed"):
        return {"failed": 1}
    if outcome.status in ("deferred", "held"):
        return {"parked": 1}
    if outcome.status == "released" and outcome.reason == "first":
        return {"parked": 1}  # queued by its run to wait for the greeting hours: parked since
    return {}


def status_deltas(message: Mapping[str, Any], status: str) -> dict[str, int]:
    """The counters one provider status moves, from the message's status before it."""
    previous = str(message.get("status"))
    undo_failure = -1 if previous == "failed" else 0  # the provider gave up, then delivered after all
    if status == "delivered":
        return {"delivered": 1, "failed": undo_failure}
    if status == "read":
        proves_delivery = int(STATUS_RANK.get(previous, 0) < STATUS_RANK["delivered"])
        return {"read": 1, "delivered": proves_delivery, "failed": undo_failure}
    if status == "failed":
        return {"failed": 1}
    return {}


class GreetingCounters:
    """Observers for `chalicelib.wiring.outbound`: greeting messages only, keyed by their greeting date."""

    def __init__(self, add: Callable[[date, Mapping[str, int], datetime], None], clock: Callable[[], datetime]) -> None:
        self.add = add
        self.clock = clock

    def on_outcome(self, envelope: Envelope, outcome: Outcome) -> None:
        if envelope.purpose != "greeting" or envelope.occasion not in GREETING_OCCASIONS:
            return
        self._count(envelope.occasion_ref, outcome_deltas(outcome))

    def on_status(self, message: dict[str, Any], status: str) -> None:
        if message.get("purpose") != "greeting" or message.get("occasion") not in GREETING_OCCASIONS:
            return
        self._count(message.get("occasion_date"), status_deltas(message, status))

    def _count(self, ref: Any, deltas: Mapping[str, int]) -> None:
        day = _day(ref)
        moved = {k: v for k, v in deltas.items() if v}
        if day is None or not moved:
            return
        try:
            self.add(day, moved, self.clock())
        except Exception:  # noqa: BLE001 - failing the record would only resend a sent greeting
            logger.exception("greeting counter update failed", extra={"day": day.isoformat()})
