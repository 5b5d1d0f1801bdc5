"""Who takes a conversation that needs a person: round robin among the agents on duty with room for it.

The round robin's state is one item in the scrm table (the last agent given a
conversation), moved by a conditional update: two workers routing at once, or
a cold start, never give the same turn twice nor forget whose turn it is. An
agent holding `max_open` open conversations is passed by; when nobody on duty
has room the conversation stays unassigned, in the team queue.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.scrm import conversation, store, times

if TYPE_CHECKING:  # pragma: no cover - typing only
    from chalicelib.access.roster import Roster

ATTEMPTS = 6
ROUTER = "sapa:routing"


def next_agent(eligible: list[str], last: str | None) -> str:
    """The first agent after `last` in name order, wrapping round (`eligible` is sorted and not empty)."""
    return next((name for name in eligible if last is None or name > last), eligible[0])


class Router:
    def __init__(
        self,
        scrm: store.ScrmStore,
        roster: Roster,
        max_open: int,
        clock: Callable[[], datetime],
        audit: Callable[[str, str, str, datetime], Any],
    ) -> None:
        self.store = scrm
        self.roster = roster
        self.max_open = max_open
        self.clock = clock
        self.audit = audit

    def open_load(self) -> Counter[str]:
        """Open conversations per agent: the open partition of gsi1, one attribute read."""
        load: Counter[str] = Counter()
        start = None
        while True:
            items, start = self.store.query_index(
                "gsi1", "inbox#open", limit=500, start=start, projection=("assignee",)
            )
            load.update(str(i["assignee"]) for i in items if i.get("assignee"))
            if not start:
                return load

    def route(self, conversation_id: str) -> str | None:
        """The agent given the conversation, or None (someone holds it already, or nobody has room)."""
        on_duty = self.roster.on_duty()
        if not on_duty:
            return None
        load = self.open_load()
        eligible = sorted(a for a in on_duty if load[a] < self.max_open)
        if not eligible:
            return None
        for _attempt in range(ATTEMPTS):
            last = self.store.last_routed()
            agent = next_agent(eligible, last)
            if self.store.take_turn(last, agent, times.iso(self.clock())):
                return self._give(conversation_id, agent)
        return None

    def _give(self, conversation_id: str, agent: str) -> str | None:
        now = self.clock()
        for _attempt in range(ATTEMPTS):
            current = self.store.conversation(conversation_id)
            if current is None or current.get("assignee") or current.get("status") != "open":
                return None
            item = conversation.with_keys(conversation.assigned(current, agent=agent, at=times.iso(now)))
            if self.store.save_conversation(item, int(current["version"])):
                self.audit(ROUTER, "conversation.assign", conversation_id, now, agent=agent, how="round_robin")
                return agent
        return None
