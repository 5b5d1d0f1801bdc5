"""Adding, listing, re-roling and revoking staff of both kinds: what `sapa staff` and the admin page do.

A Cognito user is claimed in the directory first (so a name is never taken
twice), then created in the pool with their role as its one group; if Cognito
refuses, the claim is released. Revoking or re-roling closes every console
session of that person at once, and Cognito tokens issued earlier stop
working (`StaffStore.set_role`, `valid_after`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email

from chalicelib.access.cognito import CognitoStaff
from chalicelib.access.roles import Role
from chalicelib.access.sessions import SessionStore
from chalicelib.access.tokens import COGNITO, StaffStore, UnknownStaff

NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


class InvalidStaff(ValueError):
    """A name, e-mail or role Sapa does not accept; the message says which and why."""


@dataclass(frozen=True)
class Added:
    name: str
    kind: str
    secret: str | None
    """The API key, or the Cognito temporary password; None when a permanent password was set."""


def checked_name(name: str) -> str:
    if not NAME.match(name or ""):
        raise InvalidStaff("name: 1-64 characters, lower-case letters, digits, '.', '_' or '-', starting alphanumeric")
    return name


def checked_email(email: str) -> str:
    try:
        return validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise InvalidStaff(f"email: {error}") from None


def checked_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise InvalidStaff(f"role: one of {', '.join(r.value for r in Role)}") from None


class StaffDirectory:
    def __init__(
        self,
        store: StaffStore,
        cognito: Callable[[], CognitoStaff],
        sessions: SessionStore,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self._cognito = cognito
        self.sessions = sessions
        self.clock = clock

    def add_user(self, name: str, email: str, role: str, password: str | None = None) -> Added:
        name, email, checked = checked_name(name), checked_email(email), checked_role(role)
        self.store.add_cognito(name, checked, email, self.clock())
        try:
            secret = self._cognito().create(name, email, name, checked.value, password)
        except Exception:
            self.store.revoke(name)
            raise
        return Added(name, COGNITO, secret)

    def recreate_user(self, name: str, password: str | None = None) -> str | None:
        """A directory user missing from the pool (the local stack's pool is new at each start), created again.

        Returns the temporary password, or None with a permanent `password`; StaffUserExists if the pool has them.
        """
        record = self.store.get(name)
        if record is None or record.kind != COGNITO or not record.email:
            raise UnknownStaff(name)
        return self._cognito().create(name, record.email, name, record.role, password)

    def add_api_key(self, name: str, role: str) -> Added:
        name, checked = checked_name(name), checked_role(role)
        return Added(name, "api_key", self.store.add(name, checked, self.clock()))

    def list(self) -> list[dict[str, Any]]:
        return self.store.list()

    def set_role(self, name: str, role: str) -> None:
        checked = checked_role(role)
        record = self.store.get(name)
        if record is None:
            raise UnknownStaff(name)
        if record.kind == COGNITO:
            self._cognito().set_group(name, checked.value)
        self.store.set_role(name, checked, self.clock())
        self.sessions.close_all(name)

    def revoke(self, name: str) -> None:
        record = self.store.revoke(name)
        if record.kind == COGNITO:
            self._cognito().disable(name)
        self.sessions.close_all(name)
