"""The access context's collaborators: staff, console sessions and the roster routing reads."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from chalicelib.access.roster import StaffRoster
from chalicelib.access.sessions import SessionStore
from chalicelib.access.tokens import StaffStore

if TYPE_CHECKING:  # pragma: no cover - typing only
    from chalicelib.wiring.container import Container


class AccessWiring:
    def __init__(self, root: Container) -> None:
        self.root = root

    def staff(self) -> StaffStore:
        return StaffStore(self.root.table("access"))

    def sessions(self) -> SessionStore:
        return SessionStore(self.root.table("access"))

    def roster(self) -> StaffRoster:
        def members() -> Iterator[tuple[str, str]]:
            return ((str(m["name"]), str(m["role"])) for m in self.staff().list())

        return StaffRoster(members, self.sessions(), self.root.now)
