"""Console users on the local stack: the demo team, and the pool's users brought back after a restart.

moto's cognito-idp keeps users in memory only, and the bootstrap makes a new
pool at every start, while the saved local state keeps the staff directory.
So each start re-creates, in the new pool, every console user the directory
names: the demo team with its documented password, anyone else added with
`sapa staff add --email` with a new temporary password, printed once to the
terminal that runs the stack (this is a developer's machine, never a
deployed stage).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chalicelib.access.cognito import StaffUserExists
from chalicelib.access.directory import StaffDirectory
from chalicelib.access.tokens import COGNITO, StaffExists, UnknownStaff

DEMO_PASSWORD = "Sapa-Demo-2026!"


@dataclass(frozen=True)
class DemoUser:
    name: str
    role: str

    @property
    def email(self) -> str:
        return f"{self.name}@sapa.example"


DEMO_TEAM = (
    DemoUser("admin", "admin"),
    DemoUser("maya", "marketer"),
    DemoUser("sari", "agent"),
    DemoUser("rina", "agent"),
    DemoUser("tono", "telemarketer"),
    DemoUser("vina", "viewer"),
)
"""One of each role, and two agents so round-robin routing has someone to alternate between."""


def ensure_console_users(directory: StaffDirectory, demo: bool, log: Callable[[str], None]) -> None:
    """Every console user of the directory in the (new) pool; with `demo`, the demo team first."""
    demo_names = {user.name for user in DEMO_TEAM}
    if demo:
        for user in DEMO_TEAM:
            try:
                directory.add_user(user.name, user.email, user.role, DEMO_PASSWORD)
            except StaffExists:  # kept by the saved state: only the pool's user is missing
                _recreate(directory, user.name, DEMO_PASSWORD)
        names = ", ".join(f"{u.email} ({u.role})" for u in DEMO_TEAM)
        log(f"[sapa] console users {names}; password {DEMO_PASSWORD}")
    for member in directory.list():
        if member["kind"] == COGNITO and member["name"] not in demo_names:
            temporary = _recreate(directory, member["name"], None)
            if temporary:
                log(f"[sapa] console user {member['name']} re-created for this run; temporary password: {temporary}")


def _recreate(directory: StaffDirectory, name: str, password: str | None) -> str | None:
    try:
        return directory.recreate_user(name, password)
    except (StaffUserExists, UnknownStaff):
        return None
