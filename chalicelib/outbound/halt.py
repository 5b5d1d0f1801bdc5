"""The outbound halt: the incident switch that stops every message before it reaches a provider.

A wrong template went out, or WhatsApp's quality rating is falling: an admin
halts all outbound at once. The switch is one item in the settings table;
the sender's claim of each message is a transaction that also checks the
item, so once `halt` returns no message is handed to a provider except one
already inside a provider call. Halted messages are held, not dropped, and
`resume` releases every one of them, once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.core.dynamo import conditional_failed
from chalicelib.outbound.delivery import Hold, ItemKey
from chalicelib.outbound.envelope import Envelope

KEY = {"pk": "outbound", "sk": "halt"}


@dataclass(frozen=True)
class HaltState:
    halted: bool
    since: str | None = None
    by: str | None = None
    reason: str | None = None

    def public(self) -> dict[str, Any]:
        return {"halted": self.halted, "since": self.since, "by": self.by, "reason": self.reason}


class OutboundSwitch:
    def __init__(self, table: Any) -> None:
        self.table = table

    def state(self) -> HaltState:
        item = self.table.get_item(Key=KEY, ConsistentRead=True).get("Item") or {}
        if not item.get("halted_at"):
            return HaltState(False)
        return HaltState(True, str(item["halted_at"]), str(item.get("halted_by") or ""), item.get("reason"))

    def halt(self, by: str, reason: str, now: datetime) -> tuple[HaltState, bool]:
        """Halt, unless already halted (then the first halt stands); returns (state, whether this call halted)."""
        try:
            self.table.put_item(
                Item={**KEY, "halted_at": now.isoformat(), "halted_by": by, "reason": reason},
                ConditionExpression="attribute_not_exists(halted_at)",
            )
        except ClientError as error:
            if conditional_failed(error):
                return self.state(), False
            raise
        return HaltState(True, now.isoformat(), by, reason), True

    def resume(self) -> tuple[HaltState, bool]:
        """Lift the halt; returns (the state it ended, whether this call resumed)."""
        try:
            old = self.table.delete_item(
                Key=KEY, ConditionExpression="attribute_exists(halted_at)", ReturnValues="ALL_OLD"
            ).get("Attributes", {})
        except ClientError as error:
            if conditional_failed(error):
                return HaltState(False), False
            raise
        return HaltState(True, str(old["halted_at"]), str(old.get("halted_by") or ""), old.get("reason")), True

    def is_halted(self) -> bool:
        return self.state().halted


class HaltGate:
    """The sender's gate: while halted, every message is held per channel until resume."""

    def __init__(self, table_name: str) -> None:
        self.table_name = table_name

    def probe(self, envelope: Envelope) -> ItemKey:
        return ItemKey.of(self.table_name, KEY)

    def verdict(self, envelope: Envelope, item: Any) -> Hold | None:
        if item and item.get("halted_at"):
            return Hold(f"halt#{envelope.channel}", "outbound halted")
        return None


class OutboundHalt:
    """Halting and resuming as staff do it, from the API or the console's header: audited, held messages released.

    The switch decides; this records who pressed it and, on resume, hands back what the halt held.
    """

    def __init__(
        self,
        switch: OutboundSwitch,
        audit: Any,
        release: Callable[[], Any],
        channels: Iterable[str],
        clock: Callable[[], datetime],
    ) -> None:
        self.switch = switch
        self.audit = audit
        self._release = release
        self.channels = tuple(channels)
        self.clock = clock

    def halt(self, by: str, reason: str) -> HaltState:
        """Halt now (the first halt stands when one is already in force); audited only when this call halted."""
        now = self.clock()
        state, changed = self.switch.halt(by, reason, now)
        if changed:
            self.audit.record(by, "outbound.halt", "outbound", now, reason=reason)
        return state

    def resume(self, by: str) -> tuple[HaltState, int]:
        """Lift the halt and release what it held now; returns the state after and how many were released."""
        ended, changed = self.switch.resume()
        released = 0
        if changed:
            self.audit.record(
                by, "outbound.resume", "outbound", self.clock(), halted_since=ended.since, halted_by=ended.by
            )
            release = self._release()
            released = sum(release.release_partition(f"halt#{channel}", 2.0).released for channel in self.channels)
        return self.switch.state(), released
