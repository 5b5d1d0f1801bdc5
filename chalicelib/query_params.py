"""The query parameters each route reads: any other is a 400 that names it.

A typo (`?provinsi=`) or a filter a route does not have (`?q=` on
`/customers`) silently returning everything is how a marketer sends a
campaign to the wrong people, so the middleware refuses what is not listed
here. Routes not listed take none.
"""

from __future__ import annotations

from collections.abc import Mapping

PAGED = frozenset({"limit", "cursor"})
SEARCH = frozenset(
    {"q", "phone", "external_id", "email", "province", "zone", "consent", "city", "vehicle", "attribute"}
)
"""A customer search's parameters (`customers.schemas.CustomerFilterQuery`)."""

ALLOWED: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/webhooks/meta"): frozenset({"hub.mode", "hub.verify_token", "hub.challenge"}),
    ("GET", "/customers"): PAGED | SEARCH,
    ("GET", "/customers/export.csv"): SEARCH | {"cursor"},
    ("GET", "/customers/{customer_id}/messages"): PAGED,
    ("GET", "/audit"): PAGED | {"actor", "action", "target", "from", "to"},
    ("GET", "/campaigns"): PAGED | {"status"},
    ("GET", "/holidays"): frozenset({"year"}),
    ("GET", "/telegreeting"): PAGED | {"date", "day", "status", "kind"},
    ("GET", "/greetings/runs"): PAGED | {"year", "from", "to"},
    ("GET", "/reminders/metrics"): {"from", "to"},
    ("GET", "/widget/config"): frozenset({"site"}),
    ("GET", "/widget/demo"): frozenset({"customer", "hash"}),
    ("GET", "/leads"): PAGED,
    ("GET", "/scrm/conversations"): PAGED
    | {"status", "channel", "category", "sentiment", "topic", "priority", "assignee", "past_sla"},
    ("GET", "/scrm/conversations/{conversation_id}"): PAGED,
    ("GET", "/scrm/replies"): PAGED | {"language"},
    ("GET", "/scrm/metrics"): frozenset({"from", "to", "sla_hours", "granularity"}),
}


def unknown(method: str, path: str, params: Mapping[str, str] | None) -> list[str]:
    """The query parameters of this request its route does not read, sorted.

    The console's pages are not API routes: each reads its own query (filters, `next`, `lang`) through
    a pydantic model and ignores what it does not know, as a browser's links and forms expect.
    """
    if path == "/console" or path.startswith("/console/"):
        return []
    allowed = ALLOWED.get((method, path), frozenset())
    return sorted(name for name in (params or {}) if name not in allowed)
