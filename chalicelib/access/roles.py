"""Staff roles and what each may do: the one table the README and tests walk."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    MARKETER = "marketer"
    AGENT = "agent"
    VIEWER = "viewer"


class Permission(StrEnum):
    CUSTOMERS_READ = "customers:read"
    CUSTOMERS_WRITE = "customers:write"
    CAMPAIGNS = "campaigns"
    HOLIDAYS = "holidays"
    GREETINGS = "greetings"
    TELEGREETING = "telegreeting"
    SCRM = "scrm"
    METRICS_READ = "metrics:read"
    AUDIT = "audit"
    SETTINGS = "settings"
    OUTBOUND_HALT = "outbound:halt"
    READ = "read"


MATRIX: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.MARKETER: frozenset(
        {
            Permission.CUSTOMERS_READ,
            Permission.CUSTOMERS_WRITE,
            Permission.CAMPAIGNS,
            Permission.HOLIDAYS,
            Permission.GREETINGS,
            Permission.TELEGREETING,
            Permission.METRICS_READ,
            Permission.READ,
        }
    ),
    Role.AGENT: frozenset(
        {Permission.CUSTOMERS_READ, Permission.SCRM, Permission.TELEGREETING, Permission.METRICS_READ, Permission.READ}
    ),
    Role.VIEWER: frozenset({Permission.CUSTOMERS_READ, Permission.METRICS_READ, Permission.READ}),
}


def allows(role: str, permission: Permission) -> bool:
    try:
        return permission in MATRIX[Role(role)]
    except ValueError:
        return False
