"""Waiting messages back onto the queue when they may go: contact hours open, halt or pause lifted.

Run every minute by the release schedule (and right away, for a moment, by
`resume`). Each message waits in the message log with its envelope; the
release puts the envelope on the outbound queue first and only then marks
the record `queued`, conditioned on it still waiting where it was found.
A crash in between queues the envelope again on the next run, and the
sender's claim makes that duplicate harmless: nothing lost, nothing twice.

While outbound is halted nothing is released. The `due#<hour>` partitions
are walked from a cursor (the oldest hour that may still hold messages) to
the current hour, so a run costs one query per hour that has passed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.outbound.delivery import Observer, Outcome
from chalicelib.outbound.dispatch import OutboundQueue
from chalicelib.outbound.envelope import CHANNELS, Envelope, InvalidEnvelope
from chalicelib.outbound.halt import OutboundSwitch
from chalicelib.outbound.message_log import MessageLog

BATCH = 100
FIRST_LOOKBACK = timedelta(days=7)
"""With no cursor yet, hours this far back are looked at once."""
CURSOR_KEY = {"pk": "release", "sk": "cursor"}


def hour_of(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


class ReleaseCursor:
    """The oldest UTC hour whose due partition may still hold messages (in the settings table)."""

    def __init__(self, table: Any) -> None:
        self.table = table

    def get(self) -> datetime | None:
        item = self.table.get_item(Key=CURSOR_KEY, ConsistentRead=True).get("Item")
        return datetime.fromisoformat(str(item["hour"])) if item else None

    def set(self, hour: datetime) -> None:
        self.table.put_item(Item={**CURSOR_KEY, "hour": hour.isoformat()})


@dataclass
class ReleaseReport:
    released: int = 0
    cancelled: int = 0
    halted: bool = False
    partitions: dict[str, int] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        return {
            "released": self.released,
            "cancelled": self.cancelled,
            "halted": self.halted,
            "partitions": {k: v for k, v in self.partitions.items() if v},
        }


class Release:
    def __init__(
        self,
        log: MessageLog,
        queue: OutboundQueue,
        switch: OutboundSwitch,
        cursor: ReleaseCursor,
        clock: Callable[[], datetime],
        observers: Iterable[Observer] = (),
        budget_seconds: float = 40.0,
        reserve_seconds: float = 8.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.log = log
        self.queue = queue
        self.switch = switch
        self.cursor = cursor
        self.clock = clock
        self.observers = list(observers)
        self.budget_seconds = budget_seconds
        self.reserve_seconds = reserve_seconds
        self.monotonic = monotonic

    def _deadline(self, budget: float, remaining: Callable[[], float]) -> Callable[[], bool]:
        started = self.monotonic()
        return lambda: self.monotonic() - started < budget and remaining() > self.reserve_seconds

    def run(self, remaining_seconds: Callable[[], float] = lambda: math.inf) -> ReleaseReport:
        """The schedule's run: halted messages (when no longer halted), then every due hour."""
        report = ReleaseReport()
        if self.switch.is_halted():
            report.halted = True
            return report
        time_left = self._deadline(self.budget_seconds, remaining_seconds)
        for channel in CHANNELS:
            self._release(f"halt#{channel}", None, time_left, report)
        now = self.clock()
        current = hour_of(now)
        start = self.cursor.get() or current - FIRST_LOOKBACK
        hour, oldest_waiting = start - timedelta(hours=1), None
        while hour <= current:
            drained = self._release("due#" + hour.strftime("%Y-%m-%dT%H"), now, time_left, report)
            if not drained and oldest_waiting is None:
                oldest_waiting = hour
            hour += timedelta(hours=1)
        # Nothing is ever parked in an hour that has passed, so the cursor only moves forward.
        self.cursor.set(oldest_waiting or current)
        return report

    def release_partition(self, partition: str, budget_seconds: float = 5.0) -> ReleaseReport:
        """Release one held partition now (a resumed campaign or halt), for at most `budget_seconds`."""
        report = ReleaseReport()
        if self.switch.is_halted() and not partition.startswith("halt#"):
            report.halted = True
            return report
        self._release(partition, None, self._deadline(budget_seconds, lambda: math.inf), report)
        return report

    def cancel_campaign(self, campaign_id: str, reason: str, budget_seconds: float = 5.0) -> ReleaseReport:
        """A cancelled campaign's waiting messages (held or deferred) end `cancelled`; True-ish when none is left."""
        report = ReleaseReport()
        time_left = self._deadline(budget_seconds, lambda: math.inf)
        for state in ("held", "deferred", "queued"):
            while time_left():
                keys = self.log.open_messages(campaign_id, state, BATCH)
                if not keys:
                    break
                items = self.log.get_many([str(k["id"]) for k in keys])
                now = self.clock()
                for item in items.values():
                    # Queued ones are also on the queue: the sender's gate cancels those; these never reach it.
                    if item.get("status") in ("held", "deferred") and self.log.cancel(str(item["id"]), reason, now):
                        report.cancelled += 1
                        self._notify(item, Outcome("cancelled", reason))
                if state == "queued":
                    break  # never loop on queued ones: the sender settles them
        return report

    def _release(
        self, partition: str, until: datetime | None, time_left: Callable[[], bool], report: ReleaseReport
    ) -> bool:
        """Release what is due in one partition; True when it is drained (up to `until`)."""
        while time_left():
            keys = self.log.parked(partition, until, BATCH)
            if not keys:
                return True
            items = self.log.get_many([str(k["id"]) for k in keys])
            waiting, envelopes = [], []
            for item in items.values():
                if item.get("parked") != partition or not item.get("envelope"):
                    continue
                try:
                    envelopes.append(Envelope.from_json(str(item["envelope"])))
                except InvalidEnvelope as error:  # never loop on a record that cannot be sent
                    self.log.mark_failed(
                        str(item["id"]), f"unreadable waiting envelope: {error}", "poison", False, self.clock()
                    )
                    continue
                waiting.append(item)
            if envelopes:
                self.queue.send(envelopes)
            moved = set(self.log.unpark(waiting, self.clock()))
            for item, envelope in zip(waiting, envelopes, strict=True):
                if str(item["id"]) in moved:
                    # "first": deferred by its producer, never on the queue before; "again": parked by the sender.
                    outcome = Outcome("released", "again" if item.get("attempts") else "first")
                    for observer in self.observers:
                        observer(envelope, outcome)
            report.released += len(moved)
            report.partitions[partition] = report.partitions.get(partition, 0) + len(moved)
            if not waiting and not envelopes:
                return False  # the index lags the table: look again next run
        return False

    def _notify(self, item: Mapping[str, Any], outcome: Outcome) -> None:
        raw = item.get("envelope")
        if not raw:
            return
        envelope = Envelope.from_json(str(raw))
        for observer in self.observers:
            observer(envelope, outcome)
