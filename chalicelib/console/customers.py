"""The customer screens: search with filters, one customer's record, and the acts staff do on it.

They call the services the API routes call (`container.customers`), so the
console keeps every rule the API keeps: a withdrawal the customer gave is
never undone by an edit, a consent staff record needs its evidence, erasure
reaches every copy. The record page also shows what the other contexts hold
for the customer (conversations and leads, call tasks), read from their
stores by the customer's id.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from chalice.app import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from chalicelib.access.roles import Permission, allows
from chalicelib.console import i18n
from chalicelib.console.pages import FormInvalid, Visit, page
from chalicelib.core import zones
from chalicelib.core.errors import ValidationFailed
from chalicelib.core.http import decode_cursor, encode_cursor

PAGE_SIZE = 25
CURSOR_SCOPE = "/console/customers"
SEARCH_FIELDS = ("q", "province", "zone", "consent", "city", "vehicle", "attribute")
CHANNELS = ("whatsapp", "email")
PURPOSES = ("greetings", "promotions")
EDITABLE = ("name", "phone", "email", "birth_date", "province", "city", "language")


class ConsentForm(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    channel: str = Field(max_length=20)
    purpose: str = Field(max_length=20)
    granted: str = Field(max_length=5)
    evidence: str = Field(default="", max_length=500)


class EditForm(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    name: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=40)
    email: str = Field(default="", max_length=320)
    birth_date: str = Field(default="", max_length=10)
    province: str = Field(default="", max_length=100)
    city: str = Field(default="", max_length=100)
    language: str = Field(default="", max_length=5)


def _search(visit: Visit) -> tuple[dict[str, str], Any, dict[str, str]]:
    """(the form's values, the validated filters or None, problems by field)."""
    from chalicelib.customers.schemas import CustomerFilterQuery

    values = {name: visit.query.get(name, "").strip()[:200] for name in SEARCH_FIELDS}
    try:
        wanted = CustomerFilterQuery.model_validate({k: v for k, v in values.items() if v})
        return values, wanted.filters(), {}
    except ValidationError as error:
        return values, None, {str(e["loc"][0]): str(e["msg"]) for e in error.errors()}
    except ValueError as error:
        field, problem = error.args
        return values, None, {str(field): str(problem)}


@page(Permission.CUSTOMERS_READ)
def customers_page(visit: Visit) -> Response:
    values, filters, problems = _search(visit)
    customers: list[dict[str, Any]] = []
    next_cursor = None
    if filters is not None:
        from chalicelib.customers.model import customer_from_item

        try:
            start = decode_cursor(visit.query, CURSOR_SCOPE)
        except ValidationFailed:
            start = None
        items, last = visit.container.customers.search().page(filters, PAGE_SIZE, start)
        customers = [customer_from_item(item) for item in items]
        next_cursor = encode_cursor(last, CURSOR_SCOPE)
    searched = {k: v for k, v in values.items() if v}
    return visit.render(
        "customers.html",
        section="customers",
        values=values,
        problems=problems,
        customers=customers,
        zone_of=_zone_label,
        next_url=(
            "/console/customers?" + urllib.parse.urlencode({**searched, "cursor": next_cursor}) if next_cursor else None
        ),
        export_url=_export_url(visit, searched),
        channels=CHANNELS,
        purposes=PURPOSES,
        zone_labels=zones.ZONE_LABELS,
        notice=ERASED if visit.query.get("done") == "erased" else None,
    )


def _export_url(visit: Visit, searched: dict[str, str]) -> str | None:
    if visit.session is None or not allows(visit.session.role, Permission.CUSTOMERS_EXPORT):
        return None
    return "/console/customers/export.csv" + ("?" + urllib.parse.urlencode(searched) if searched else "")


def _zone_label(zone: str | None) -> str:
    return zones.ZONE_LABELS.get(zone or "", zone or "—")


def _record(visit: Visit, customer_id: str) -> dict[str, Any] | None:
    """Everything the record page shows about one customer, from each context that holds some of it."""
    from chalicelib.outbound.message_log import public_message
    from chalicelib.scrm.conversation import public as public_conversation
    from chalicelib.scrm.leads import public_lead

    container = visit.container
    service = container.customers.customer_service()
    customer = service.get(customer_id)
    if customer is None:
        return None
    messages, more = container.customers.message_log().for_customer(customer_id, 50, None)
    role = visit.session.role if visit.session else ""
    record: dict[str, Any] = {
        "customer": customer,
        "history": service.consent_history(customer_id),
        "messages": [public_message(m) for m in messages],
        "more_messages": more is not None,
        "conversations": [],
        "leads": [],
        "calls": [],
    }
    if allows(role, Permission.SCRM) or allows(role, Permission.LEADS):
        store = container.scrm.scrm_store()
        record["conversations"] = [public_conversation(c) for c in store.owned_by(customer_id, "conversation")]
        record["leads"] = [public_lead(lead) for lead in store.owned_by(customer_id, "lead")]
    if allows(role, Permission.TELEGREETING):
        record["calls"] = container.greetings.call_list().for_customer(customer_id)
    return record


def _not_found(visit: Visit) -> Response:
    translate = i18n.gettext(visit.language)
    return visit.refuse(404, translate("Not found"), translate("There is no such customer."))


def _customer_view(
    visit: Visit, customer_id: str, status: int = 200, problems: dict[str, str] | None = None, **extra: Any
) -> Response:
    record = _record(visit, customer_id)
    if record is None:
        return _not_found(visit)
    return visit.render(
        "customer.html",
        status=status,
        section="customers",
        problems=problems or {},
        notice=extra.pop("notice", None) or _notice(visit),
        channels=CHANNELS,
        purposes=PURPOSES,
        editable=EDITABLE,
        zone_of=_zone_label,
        form=extra.pop("form", None) or {},
        **record,
        **extra,
    )


ERASED = (
    "The customer's personal data and message texts are erased; a salted hash keeps a re-import from restoring them."
)
NOTICES = {
    "consent": "The consent is recorded.",
    "saved": "The changes are saved.",
}


def _notice(visit: Visit) -> str | None:
    return NOTICES.get(visit.query.get("done", ""))


@page(Permission.CUSTOMERS_READ)
def customer_page(visit: Visit, customer_id: str) -> Response:
    return _customer_view(visit, customer_id)


@page(Permission.CUSTOMERS_WRITE)
def record_consent(visit: Visit, customer_id: str) -> Response:
    """A grant or withdrawal the customer gave staff, with its evidence (a grant lifts an earlier withdrawal)."""
    from chalicelib.customers.model import InvalidCustomer
    from chalicelib.customers.service import Actor

    translate = i18n.gettext(visit.language)
    try:
        form = visit.parse(ConsentForm)
    except FormInvalid as invalid:
        return _customer_view(visit, customer_id, 400, invalid.problems)
    problems: dict[str, str] = {}
    if form.channel not in CHANNELS:
        problems["channel"] = translate("Choose WhatsApp or e-mail.")
    if form.purpose not in PURPOSES:
        problems["purpose"] = translate("Choose greetings or promotions.")
    if form.granted not in ("yes", "no"):
        problems["granted"] = translate("Say whether the customer gave or withdrew consent.")
    if len(form.evidence) < 3:
        problems["evidence"] = translate("Name the evidence (a signed form's number, a call recording's id).")
    if problems:
        return _customer_view(visit, customer_id, 400, problems, form=form.model_dump())
    assert visit.session is not None
    actor = Actor(visit.session.name, "staff_recorded", form.evidence)
    try:
        customer = visit.container.customers.customer_service().record_consent(
            customer_id, form.channel, [form.purpose], form.granted == "yes", actor
        )
    except InvalidCustomer as error:
        return _customer_view(visit, customer_id, 400, {k: str(v) for k, v in error.fields.items()})
    if customer is None:
        return _not_found(visit)
    return visit.redirect(f"/console/customers/{customer_id}?done=consent#consents")


@page(Permission.CUSTOMERS_WRITE)
def edit_customer(visit: Visit, customer_id: str) -> Response:
    """The fields staff may correct; an emptied field is left as it was (the financing system owns the record)."""
    from chalicelib.customers.model import InvalidCustomer
    from chalicelib.customers.service import Actor

    try:
        form = visit.parse(EditForm)
    except FormInvalid as invalid:
        return _customer_view(visit, customer_id, 400, invalid.problems)
    patch = {name: value for name, value in form.model_dump().items() if value}
    assert visit.session is not None
    try:
        customer = visit.container.customers.customer_service().update(
            customer_id, patch, Actor(visit.session.name, "api")
        )
    except InvalidCustomer as error:
        problems = {str(k): str(v) for k, v in error.fields.items()}
        return _customer_view(visit, customer_id, 400, problems, form=form.model_dump())
    if customer is None:
        return _not_found(visit)
    return visit.redirect(f"/console/customers/{customer_id}?done=saved")


@page(Permission.CUSTOMERS_WRITE)
def erase_confirm(visit: Visit, customer_id: str) -> Response:
    """What erasure will delete, counted, before the button that does it."""
    record = _record(visit, customer_id)
    if record is None:
        return _not_found(visit)
    return visit.render("customer_erase.html", section="customers", **record)


@page(Permission.CUSTOMERS_WRITE)
def erase(visit: Visit, customer_id: str) -> Response:
    from chalicelib.customers.service import Actor

    assert visit.session is not None
    result = visit.container.customers.customer_service().erase(customer_id, Actor(visit.session.name, "api"))
    if result is None:
        return _not_found(visit)
    return visit.redirect("/console/customers?done=erased")


@page(Permission.CUSTOMERS_EXPORT)
def export(visit: Visit) -> Response:
    """The current search as CSV (the API's export: spreadsheet-safe cells, audited, at most 20,000 rows)."""
    from chalicelib.customers.export import export_csv

    _values, filters, problems = _search(visit)
    if filters is None:
        translate = i18n.gettext(visit.language)
        detail = "; ".join(f"{field}: {problem}" for field, problem in problems.items())
        return visit.refuse(400, translate("The search is not valid"), detail)
    assert visit.session is not None
    deps = visit.container.customers
    text, _rows, _more = export_csv(deps.search(), deps.audit(), filters, None, visit.session.name, visit.now)
    return visit.respond(
        text,
        200,
        {"Content-Type": "text/csv; charset=utf-8", "Content-Disposition": 'attachment; filename="customers.csv"'},
    )
