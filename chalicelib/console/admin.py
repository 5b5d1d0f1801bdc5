"""The admin page: the contact policy (viewed and edited), the other settings (read only), staff, the audit log.

The policy is changed through the same editor as `PUT /settings/contact-policy` (validated against the
regulation, version-checked, audited old and new); the audit log is read with the same filters as
`GET /audit`. Settings are shown from the validated options model: secrets are never part of it.
"""

from __future__ import annotations

import json
from typing import Any

from chalice.app import Response
from pydantic import ValidationError

from chalicelib.access.roles import Permission
from chalicelib.console import i18n
from chalicelib.console.pages import Visit, page
from chalicelib.core import zones
from chalicelib.core.errors import Conflict, ValidationFailed
from chalicelib.core.http import decode_cursor, encode_cursor

AUDIT_PAGE = 50
AUDIT_SCOPE = "/console/admin"
AUDIT_FILTERS = ("actor", "action", "target", "from", "to")


def _settings(visit: Visit) -> list[dict[str, Any]]:
    """Every plain option with its value and what it does (the options model holds no secret)."""
    options = visit.container.settings.options
    rows = [{"name": "SAPA_STAGE", "value": visit.container.settings.stage, "doc": "The stage"}]
    for name, spec in type(options).model_fields.items():
        rows.append({"name": spec.alias or name, "value": getattr(options, name), "doc": spec.description or ""})
    return rows


def _audit(visit: Visit) -> tuple[list[dict[str, Any]], str | None, dict[str, str], dict[str, str]]:
    from chalicelib.customers.schemas import AuditQuery

    wanted = {k: v for k, v in visit.query.items() if k in AUDIT_FILTERS and v}
    try:
        query = AuditQuery.model_validate(wanted)
    except ValidationError as error:
        problems = {".".join(str(p) for p in e["loc"]) or "filter": str(e["msg"]) for e in error.errors()}
        return [], None, wanted, problems
    try:
        start = decode_cursor(visit.query, AUDIT_SCOPE)
    except ValidationFailed:
        start = None
    items, last = visit.container.customers.audit().page(AUDIT_PAGE, start, query.wanted())
    for item in items:  # shown as text, escaped like every other value
        item["details_text"] = json.dumps(item["details"], default=str, ensure_ascii=False, sort_keys=True)
    return items, encode_cursor(last, AUDIT_SCOPE), wanted, {}


def _render(
    visit: Visit, status: int = 200, problems: dict[str, str] | None = None, notice: str | None = None
) -> Response:
    from chalicelib.outbound.contact_policy import DAYS, PURPOSES

    stored = visit.container.outbound.contact_policy_store().read()
    entries, next_cursor, filters, audit_problems = _audit(visit)
    next_query = {**filters, "cursor": next_cursor} if next_cursor else None
    return visit.render(
        "admin.html",
        status=status if not audit_problems else 400,
        section="admin",
        policy=stored.public(),
        purposes=PURPOSES,
        days=DAYS,
        problems=problems or {},
        notice=notice,
        settings=_settings(visit),
        zone_names=zones.ZONE_LABELS,
        staff=visit.container.access.directory().list(),
        entries=entries,
        filters=filters,
        audit_problems=audit_problems,
        next_query=next_query,
    )


@page(Permission.SETTINGS)
def admin_page(visit: Visit) -> Response:
    translate = i18n.gettext(visit.language)
    notice = translate("The contact policy is saved.") if visit.query.get("saved") == "policy" else None
    return _render(visit, notice=notice)


def _policy_from_form(form: dict[str, str]) -> dict[str, Any]:
    from chalicelib.outbound.contact_policy import DAYS, PURPOSES

    purposes = {
        purpose: {
            "days": [day for day in DAYS if form.get(f"{purpose}.day.{day}")],
            "start": form.get(f"{purpose}.start", ""),
            "end": form.get(f"{purpose}.end", ""),
            "exclude_national_holidays": bool(form.get(f"{purpose}.exclude_national_holidays")),
        }
        for purpose in PURPOSES
    }
    version = form.get("version", "")
    return {"purposes": purposes, "version": int(version) if version.isdigit() else None}


@page(Permission.SETTINGS)
def save_policy(visit: Visit) -> Response:
    from chalicelib.outbound.schemas import ContactPolicyChange

    translate = i18n.gettext(visit.language)
    try:
        change = ContactPolicyChange.model_validate(_policy_from_form(visit.form()))
    except ValidationError as error:
        problems = {".".join(str(p) for p in e["loc"][1:] if p) or "policy": str(e["msg"]) for e in error.errors()}
        return _render(visit, 400, problems)
    name = visit.session.name if visit.session else "-"
    try:
        visit.container.outbound.policy_editor().change(change.purposes, change.version, name)
    except Conflict:
        message = translate("Someone saved the policy since you opened this page. Here it is as saved now.")
        return _render(visit, 409, {"version": message})
    return visit.redirect("/console/admin?saved=policy")
