"""Staff roles, what each may do, and which permission every route needs: the tables the README and tests walk.

`ROUTE_PERMISSIONS` names every route the app has (a test fails when one is
missing) and the permission its handler requires (a test walks every role
against every route). Personal data (customers, leads, conversations, the
audience sample) is readable only by the roles whose work needs it.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    MARKETER = "marketer"
    AGENT = "agent"
    TELEMARKETER = "telemarketer"
    VIEWER = "viewer"


class Permission(StrEnum):
    CUSTOMERS_READ = "customers:read"
    CUSTOMERS_WRITE = "customers:write"
    # A file of many people's personal data leaves Sapa: only the roles whose work loads and segments customers.
    CUSTOMERS_EXPORT = "customers:export"
    # The financing system's feed (contracts, payments): an integration key, not a person's daily work.
    CONTRACTS_WRITE = "contracts:write"
    REMINDERS = "reminders"
    CAMPAIGNS_READ = "campaigns:read"
    CAMPAIGNS = "campaigns"
    HOLIDAYS = "holidays"
    GREETINGS = "greetings"
    TELEGREETING = "telegreeting"
    SCRM = "scrm"
    LEADS = "leads"
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
            Permission.CUSTOMERS_EXPORT,
            Permission.CAMPAIGNS_READ,
            Permission.CAMPAIGNS,
            Permission.HOLIDAYS,
            Permission.GREETINGS,
            Permission.REMINDERS,
            Permission.TELEGREETING,
            Permission.LEADS,
            Permission.METRICS_READ,
            Permission.READ,
        }
    ),
    Role.AGENT: frozenset(
        {
            Permission.CUSTOMERS_READ,
            Permission.SCRM,
            Permission.TELEGREETING,
            Permission.LEADS,
            Permission.METRICS_READ,
            Permission.READ,
        }
    ),
    # The call desk: the day's call list and the leads to call, nothing else.
    Role.TELEMARKETER: frozenset({Permission.TELEGREETING, Permission.LEADS}),
    # Supervisors and compliance: figures, campaigns, the customer record; no leads, inbox or audience sample.
    Role.VIEWER: frozenset(
        {Permission.CUSTOMERS_READ, Permission.CAMPAIGNS_READ, Permission.METRICS_READ, Permission.READ}
    ),
}

PUBLIC = None
"""No staff token: Meta's webhooks, the unsubscribe and consent page, the health check, the API reference, the
website chat widget and its demo page."""

ROUTE_PERMISSIONS: dict[tuple[str, str], Permission | None] = {
    ("GET", "/health"): PUBLIC,
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/docs/style.css"): PUBLIC,
    ("GET", "/webhooks/meta"): PUBLIC,
    ("POST", "/webhooks/meta"): PUBLIC,
    ("GET", "/unsubscribe/{token}"): PUBLIC,
    ("POST", "/unsubscribe/{token}"): PUBLIC,
    ("GET", "/widget/config"): PUBLIC,
    ("POST", "/unsubscribe/{token}/resubscribe"): PUBLIC,
    ("GET", "/widget.js"): PUBLIC,
    ("GET", "/widget/demo"): PUBLIC,
    ("GET", "/customers"): Permission.CUSTOMERS_READ,
    ("POST", "/customers"): Permission.CUSTOMERS_WRITE,
    ("POST", "/customers/import"): Permission.CUSTOMERS_WRITE,
    ("GET", "/customers/import/example.csv"): Permission.CUSTOMERS_READ,
    ("POST", "/customers/imports"): Permission.CUSTOMERS_WRITE,
    ("GET", "/customers/imports/{import_id}"): Permission.CUSTOMERS_WRITE,
    ("GET", "/customers/imports/{import_id}/rejected.csv"): Permission.CUSTOMERS_WRITE,
    ("GET", "/customers/export.csv"): Permission.CUSTOMERS_EXPORT,
    ("GET", "/customers/{customer_id}"): Permission.CUSTOMERS_READ,
    ("PUT", "/customers/{customer_id}"): Permission.CUSTOMERS_WRITE,
    ("DELETE", "/customers/{customer_id}"): Permission.CUSTOMERS_WRITE,
    ("GET", "/customers/{customer_id}/consents"): Permission.CUSTOMERS_READ,
    ("POST", "/customers/{customer_id}/consents"): Permission.CUSTOMERS_WRITE,
    ("GET", "/customers/{customer_id}/messages"): Permission.CUSTOMERS_READ,
    ("GET", "/customers/{customer_id}/contracts"): Permission.CUSTOMERS_READ,
    ("POST", "/contracts/import"): Permission.CONTRACTS_WRITE,
    ("PUT", "/contracts/{contract_no}"): Permission.CONTRACTS_WRITE,
    ("GET", "/contracts/{contract_no}"): Permission.CUSTOMERS_READ,
    ("POST", "/payments"): Permission.CONTRACTS_WRITE,
    ("GET", "/customers/{customer_id}/journeys"): Permission.CUSTOMERS_READ,
    ("GET", "/audit"): Permission.AUDIT,
    # Journeys are marketing's automation: those who write campaigns write them, those who read campaigns read them.
    ("POST", "/journeys"): Permission.CAMPAIGNS,
    ("GET", "/journeys"): Permission.CAMPAIGNS_READ,
    ("POST", "/journeys/defaults"): Permission.CAMPAIGNS,
    ("GET", "/journeys/{journey_id}"): Permission.CAMPAIGNS_READ,
    ("PUT", "/journeys/{journey_id}"): Permission.CAMPAIGNS,
    ("POST", "/journeys/{journey_id}/pause"): Permission.CAMPAIGNS,
    ("POST", "/journeys/{journey_id}/resume"): Permission.CAMPAIGNS,
    ("GET", "/journeys/{journey_id}/metrics"): Permission.CAMPAIGNS_READ,
    ("GET", "/campaigns"): Permission.CAMPAIGNS_READ,
    ("POST", "/campaigns"): Permission.CAMPAIGNS,
    ("GET", "/campaigns/{campaign_id}"): Permission.CAMPAIGNS_READ,
    ("PATCH", "/campaigns/{campaign_id}"): Permission.CAMPAIGNS,
    ("GET", "/campaigns/{campaign_id}/audience"): Permission.CAMPAIGNS,
    ("POST", "/campaigns/{campaign_id}/preview"): Permission.CAMPAIGNS,
    ("POST", "/campaigns/{campaign_id}/test"): Permission.CAMPAIGNS,
    ("POST", "/campaigns/{campaign_id}/send"): Permission.CAMPAIGNS,
    ("POST", "/campaigns/{campaign_id}/pause"): Permission.CAMPAIGNS,
    ("POST", "/campaigns/{campaign_id}/resume"): Permission.CAMPAIGNS,
    ("POST", "/campaigns/{campaign_id}/cancel"): Permission.CAMPAIGNS,
    ("POST", "/campaigns/{campaign_id}/retry-failed"): Permission.CAMPAIGNS,
    ("GET", "/holidays"): Permission.READ,
    ("PUT", "/holidays/{day}"): Permission.HOLIDAYS,
    ("DELETE", "/holidays/{day}"): Permission.HOLIDAYS,
    ("POST", "/greetings/runs"): Permission.GREETINGS,
    ("GET", "/greetings/runs"): Permission.READ,
    ("GET", "/greetings/runs/{day}"): Permission.READ,
    ("POST", "/reminders/runs"): Permission.REMINDERS,
    ("GET", "/reminders/ladder"): Permission.READ,
    ("PUT", "/reminders/ladder"): Permission.REMINDERS,
    ("GET", "/reminders/metrics"): Permission.METRICS_READ,
    ("GET", "/telegreeting"): Permission.TELEGREETING,
    ("POST", "/telegreeting/{task_id}"): Permission.TELEGREETING,
    ("GET", "/leads"): Permission.LEADS,
    ("GET", "/scrm/conversations"): Permission.SCRM,
    ("GET", "/scrm/conversations/{conversation_id}"): Permission.SCRM,
    ("GET", "/scrm/inbox/summary"): Permission.SCRM,
    ("POST", "/scrm/conversations/{conversation_id}/reply"): Permission.SCRM,
    ("POST", "/scrm/conversations/{conversation_id}/assign"): Permission.SCRM,
    ("POST", "/scrm/conversations/{conversation_id}/link"): Permission.SCRM,
    ("POST", "/scrm/conversations/{conversation_id}/resolve"): Permission.SCRM,
    ("POST", "/scrm/conversations/{conversation_id}/reopen"): Permission.SCRM,
    ("POST", "/scrm/conversations/{conversation_id}/lead"): Permission.SCRM,
    ("GET", "/scrm/replies"): Permission.SCRM,
    ("GET", "/scrm/templates"): Permission.SCRM,
    ("POST", "/scrm/replies"): Permission.SCRM,
    ("DELETE", "/scrm/replies/{reply_id}"): Permission.SCRM,
    ("GET", "/scrm/metrics"): Permission.METRICS_READ,
    ("GET", "/outbound/status"): Permission.READ,
    ("POST", "/outbound/halt"): Permission.OUTBOUND_HALT,
    ("POST", "/outbound/resume"): Permission.OUTBOUND_HALT,
    ("GET", "/settings/contact-policy"): Permission.READ,
    ("PUT", "/settings/contact-policy"): Permission.SETTINGS,
}


CONSOLE_ROUTES: dict[tuple[str, str], Permission | None] = {
    ("GET", "/console"): PUBLIC,
    ("GET", "/console/login"): PUBLIC,
    ("POST", "/console/login"): PUBLIC,
    ("GET", "/console/password"): PUBLIC,
    ("POST", "/console/password"): PUBLIC,
    ("POST", "/console/logout"): PUBLIC,
    ("POST", "/console/preferences"): PUBLIC,
    ("GET", "/console/static/{name}"): PUBLIC,
    ("GET", "/console/leads"): Permission.LEADS,
    ("GET", "/console/customers"): Permission.CUSTOMERS_READ,
    ("GET", "/console/customers/export.csv"): Permission.CUSTOMERS_EXPORT,
    ("GET", "/console/customers/import"): Permission.CUSTOMERS_WRITE,
    ("POST", "/console/customers/import"): Permission.CUSTOMERS_WRITE,
    ("GET", "/console/customers/import/example.csv"): Permission.CUSTOMERS_READ,
    ("GET", "/console/customers/imports/{import_id}"): Permission.CUSTOMERS_WRITE,
    ("GET", "/console/customers/imports/{import_id}/rejected.csv"): Permission.CUSTOMERS_WRITE,
    ("GET", "/console/customers/{customer_id}"): Permission.CUSTOMERS_READ,
    ("POST", "/console/customers/{customer_id}"): Permission.CUSTOMERS_WRITE,
    ("POST", "/console/customers/{customer_id}/consents"): Permission.CUSTOMERS_WRITE,
    ("GET", "/console/customers/{customer_id}/erase"): Permission.CUSTOMERS_WRITE,
    ("POST", "/console/customers/{customer_id}/erase"): Permission.CUSTOMERS_WRITE,
    ("GET", "/console/inbox"): Permission.SCRM,
    ("GET", "/console/inbox/rows"): Permission.SCRM,
    ("GET", "/console/inbox/{conversation_id}"): Permission.SCRM,
    ("POST", "/console/inbox/{conversation_id}/reply"): Permission.SCRM,
    ("POST", "/console/inbox/{conversation_id}/assign"): Permission.SCRM,
    ("POST", "/console/inbox/{conversation_id}/typing"): Permission.SCRM,
    ("POST", "/console/inbox/{conversation_id}/resolve"): Permission.SCRM,
    ("POST", "/console/inbox/{conversation_id}/reopen"): Permission.SCRM,
    ("POST", "/console/inbox/{conversation_id}/lead"): Permission.SCRM,
    ("POST", "/console/inbox/{conversation_id}/link"): Permission.SCRM,
    # The local stage's mail viewer (404 on every other stage): those who write campaigns check them here.
    ("GET", "/console/mail"): Permission.CAMPAIGNS,
    ("GET", "/console/mail/{mail_id}"): Permission.CAMPAIGNS,
    ("GET", "/console/mail/{mail_id}/body"): Permission.CAMPAIGNS,
    ("GET", "/console/calls"): Permission.TELEGREETING,
    ("POST", "/console/calls/{task_id}"): Permission.TELEGREETING,
    ("GET", "/console/greetings"): Permission.GREETINGS,
    ("POST", "/console/greetings/holidays"): Permission.HOLIDAYS,
    ("POST", "/console/greetings/holidays/{day}"): Permission.HOLIDAYS,
    ("POST", "/console/greetings/holidays/{day}/cancel"): Permission.HOLIDAYS,
    ("GET", "/console/journeys"): Permission.CAMPAIGNS_READ,
    ("GET", "/console/journeys/{journey_id}"): Permission.CAMPAIGNS_READ,
    ("GET", "/console/campaigns"): Permission.CAMPAIGNS_READ,
    ("GET", "/console/campaigns/new"): Permission.CAMPAIGNS,
    ("POST", "/console/campaigns/new"): Permission.CAMPAIGNS,
    ("POST", "/console/campaigns/preview"): Permission.CAMPAIGNS,
    ("GET", "/console/campaigns/{campaign_id}"): Permission.CAMPAIGNS_READ,
    ("GET", "/console/campaigns/{campaign_id}/funnel"): Permission.CAMPAIGNS_READ,
    ("GET", "/console/campaigns/{campaign_id}/template"): Permission.CAMPAIGNS,
    ("POST", "/console/campaigns/{campaign_id}/template"): Permission.CAMPAIGNS,
    ("GET", "/console/campaigns/{campaign_id}/audience"): Permission.CAMPAIGNS,
    ("POST", "/console/campaigns/{campaign_id}/audience"): Permission.CAMPAIGNS,
    ("POST", "/console/campaigns/{campaign_id}/audience/count"): Permission.CAMPAIGNS,
    ("GET", "/console/campaigns/{campaign_id}/schedule"): Permission.CAMPAIGNS,
    ("GET", "/console/campaigns/{campaign_id}/review"): Permission.CAMPAIGNS,
    ("POST", "/console/campaigns/{campaign_id}/send"): Permission.CAMPAIGNS,
    ("POST", "/console/campaigns/{campaign_id}/pause"): Permission.CAMPAIGNS,
    ("POST", "/console/campaigns/{campaign_id}/resume"): Permission.CAMPAIGNS,
    ("POST", "/console/campaigns/{campaign_id}/cancel"): Permission.CAMPAIGNS,
    ("POST", "/console/campaigns/{campaign_id}/retry-failed"): Permission.CAMPAIGNS,
    ("GET", "/console/campaigns/{campaign_id}/recipients.csv"): Permission.CUSTOMERS_EXPORT,
    # the outbound halt in every page's header, the reports and the admin page
    ("POST", "/console/outbound/halt"): Permission.OUTBOUND_HALT,
    ("POST", "/console/outbound/resume"): Permission.OUTBOUND_HALT,
    ("GET", "/console/reports"): Permission.METRICS_READ,
    ("GET", "/console/reminders"): Permission.METRICS_READ,
    ("GET", "/console/reports/{chart}"): Permission.METRICS_READ,
    ("GET", "/console/admin"): Permission.SETTINGS,
    ("POST", "/console/admin/contact-policy"): Permission.SETTINGS,
}
"""The console's pages: no gateway authorizer (the session cookie signs them in, `console.pages.page`); the
permission each page's role needs, or PUBLIC for the sign-in pages, the assets and those any signed-in person
may open (the home page, signing out, preferences)."""


def allows(role: str, permission: Permission) -> bool:
    try:
        return permission in MATRIX[Role(role)]
    except ValueError:
        return False
