"""Who may take a conversation, and who is at work now: what routing and assignment ask of the staff list.

An agent is a staff member whose role may work the inbox (`Permission.SCRM`);
on duty means signed in to the console with an unexpired session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Protocol

from chalicelib.access.roles import Permission, allows
from chalicelib.access.sessions import SessionStore


class Roster(Protocol):
    """The port routing and assignment depend on (tests pass a fake)."""

    def agents(self) -> list[str]:
        """Names of every staff member who may take conversations."""
        ...

    def on_duty(self) -> list[str]:
        """Names of those agents signed in now, sorted."""
        ...


class StaffRoster:
    """The roster from the staff records and the console sessions in the access table."""

    def __init__(
        self,
        staff: Callable[[], Iterable[tuple[str, str]]],
        sessions: SessionStore,
        clock: Callable[[], datetime],
    ) -> None:
        self._staff = staff
        self._sessions = sessions
        self._clock = clock

    def agents(self) -> list[str]:
        return sorted({name for name, role in self._staff() if allows(role, Permission.SCRM)})

    def on_duty(self) -> list[str]:
        agents = set(self.agents())
        return sorted({s.name for s in self._sessions.live(self._clock()) if s.name in agents})
