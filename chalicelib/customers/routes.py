"""HTTP routes for customers, consent and the audit log (staff only)."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from chalicelib.access.authorizer import require, staff_auth
from chalicelib.access.roles import Permission
from chalicelib.core.composition import wired
from chalicelib.core.contract import api
from chalicelib.core.errors import NotFound, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from chalicelib.core.http import decode_cursor, json_object, json_response, limit_param, page, query, raw_body

# Domain modules (phonenumbers, email-validator, the CSV reader) are imported inside
# the handlers that use them: a cold start pays only for the route that runs.

bp = Blueprint(__name__)

# API Gateway refuses bodies over 10 MB; larger files go through `sapa import`.
MAX_CSV_BYTES = 10 * 1024 * 1024


def _invalid(error: Any) -> ValidationFailed:
    return ValidationFailed(dict(error.fields))


@bp.route("/customers", methods=["POST"], authorizer=staff_auth)
@api(
    summary="Create a customer, or update the one with this external_id",
    body="CustomerBody",
    responses={200: "Customer", 201: "Customer"},
)
def create_customer() -> Response:
    staff = require(bp.current_request, Permission.CUSTOMERS_WRITE)
    from chalicelib.customers.model import InvalidCustomer
    from chalicelib.customers.service import Actor

    deps = wired(bp).customers

    try:
        customer, created = deps.customer_service().upsert(json_object(bp.current_request), Actor(staff.name, "api"))
    except InvalidCustomer as error:
        raise _invalid(error) from None
    return json_response(customer, status=201 if created else 200)


@bp.route("/customers", methods=["GET"], authorizer=staff_auth)
@api(
    summary="Find customers: part of a name, a phone number, an external id or an e-mail, and filters",
    query="CustomerListQuery",
    responses={200: "Page[Customer]"},
)
def list_customers() -> Response:
    """Exact keys are index look-ups; a name or the filters page through the table (a page may be short)."""
    require(bp.current_request, Permission.CUSTOMERS_READ)
    from chalicelib.core.contract import read_query
    from chalicelib.customers.model import customer_from_item
    from chalicelib.customers.schemas import CustomerListQuery

    wanted = read_query(bp.current_request, CustomerListQuery)
    filters = search_filters(wanted)
    items, last = (
        wired(bp)
        .customers.search()
        .page(filters, wanted.limit, decode_cursor(query(bp.current_request), bp.current_request))
    )
    return json_response(page([customer_from_item(i) for i in items], last, bp.current_request))


def search_filters(wanted: Any) -> Any:
    """The query's filters, or a 400 naming a phone or e-mail that is not one."""
    try:
        return wanted.filters()
    except ValueError as error:
        field, problem = error.args
        raise ValidationFailed({field: problem}) from None


@bp.route("/customers/{customer_id}", methods=["GET"], authorizer=staff_auth)
@api(summary="One customer", responses={200: "Customer"})
def get_customer(customer_id: str) -> Response:
    require(bp.current_request, Permission.CUSTOMERS_READ)
    deps = wired(bp).customers

    customer = deps.customer_service().get(customer_id)
    if customer is None:
        raise NotFound(f"No customer {customer_id}")
    return json_response(customer)


@bp.route("/customers/{customer_id}", methods=["PUT"], authorizer=staff_auth)
@api(
    summary="Change the fields sent",
    body="CustomerBody",
    responses={200: "Customer"},
)
def update_customer(customer_id: str) -> Response:
    staff = require(bp.current_request, Permission.CUSTOMERS_WRITE)
    from chalicelib.customers.model import InvalidCustomer
    from chalicelib.customers.service import Actor

    deps = wired(bp).customers

    try:
        customer = deps.customer_service().update(
            customer_id, json_object(bp.current_request), Actor(staff.name, "api")
        )
    except InvalidCustomer as error:
        raise _invalid(error) from None
    if customer is None:
        raise NotFound(f"No customer {customer_id}")
    return json_response(customer)


@bp.route("/customers/{customer_id}", methods=["DELETE"], authorizer=staff_auth)
@api(summary="Erase a customer (UU PDP): personal data and message texts go", responses={200: "Erased"})
def erase_customer(customer_id: str) -> Response:
    staff = require(bp.current_request, Permission.CUSTOMERS_WRITE)
    from chalicelib.customers.service import Actor

    deps = wired(bp).customers

    result = deps.customer_service().erase(customer_id, Actor(staff.name, "api"))
    if result is None:
        raise NotFound(f"No customer {customer_id}")
    return json_response(result)


@bp.route("/customers/{customer_id}/messages", methods=["GET"], authorizer=staff_auth)
@api(summary="A customer's messages, newest first", query="PageQuery", responses={200: "Page[Message]"})
def customer_messages(customer_id: str) -> Response:
    require(bp.current_request, Permission.CUSTOMERS_READ)
    from chalicelib.outbound.message_log import public_message

    deps = wired(bp).customers

    params = query(bp.current_request)
    items, last = deps.message_log().for_customer(
        customer_id, limit_param(params), decode_cursor(params, bp.current_request)
    )
    return json_response(page([public_message(i) for i in items], last, bp.current_request))


@bp.route("/customers/{customer_id}/consents", methods=["GET"], authorizer=staff_auth)
@api(responses={200: "ConsentHistory"})
def customer_consent_history(customer_id: str) -> Response:
    """Proof of consent (UU PDP Pasal 22 and 24): every grant and withdrawal, newest first, and the state now."""
    require(bp.current_request, Permission.CUSTOMERS_READ)
    deps = wired(bp).customers

    service = deps.customer_service()
    customer = service.get(customer_id)
    body = page(service.consent_history(customer_id), None, bp.current_request)
    body["consents"] = customer["consents"] if customer else None
    body["consents_withdrawn"] = customer["consents_withdrawn"] if customer else None
    return json_response(body)


@bp.route("/customers/{customer_id}/consents", methods=["POST"], authorizer=staff_auth)
@api(body="ConsentRecord", responses={201: "Customer"})
def record_customer_consent(customer_id: str) -> Response:
    """Staff record one customer's consent or withdrawal with its evidence; a grant lifts an earlier withdrawal."""
    staff = require(bp.current_request, Permission.CUSTOMERS_WRITE)
    from chalicelib.core.contract import read_body
    from chalicelib.customers.model import InvalidCustomer
    from chalicelib.customers.schemas import ConsentRecord
    from chalicelib.customers.service import Actor

    deps = wired(bp).customers

    record = read_body(bp.current_request, ConsentRecord)
    actor = Actor(staff.name, "staff_recorded", record.evidence)
    try:
        customer = deps.customer_service().record_consent(
            customer_id, record.channel, record.purposes, record.granted, actor
        )
    except InvalidCustomer as error:
        raise _invalid(error) from None
    if customer is None:
        raise NotFound(f"No customer {customer_id}")
    return json_response(customer, status=201)


@bp.route("/customers/import", methods=["POST"], authorizer=staff_auth, content_types=["text/csv"])
@api(
    summary="Import customers from a CSV file (UTF-8, at most 10 MB)",
    body="a CSV file with a header row of customer fields; each row is validated as a CustomerBody",
    body_media="text/csv",
    checked_by="chalicelib.customers.csv_rows.row_to_customer_data",
    responses={200: "ImportReport"},
    errors=(413,),
)
def import_customers() -> Response:
    staff = require(bp.current_request, Permission.CUSTOMERS_WRITE)
    from chalicelib.customers.csv_rows import InvalidCsv
    from chalicelib.customers.service import Actor

    deps = wired(bp).customers

    body = raw_body(bp.current_request)
    if len(body) > MAX_CSV_BYTES:
        raise PayloadTooLarge("CSV over 10 MB: use `sapa import FILE.csv`")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnsupportedMediaType("The CSV must be UTF-8 text") from None
    try:
        report = deps.customer_service().import_rows(
            csv_import_rows(text.splitlines(keepends=True)), Actor(staff.name, "import")
        )
    except InvalidCsv as error:
        raise ValidationFailed(dict(error.fields), "The CSV cannot be imported") from None
    return json_response(report.body())


@bp.route("/customers/imports", methods=["POST"], authorizer=staff_auth, content_types=["text/csv"])
@api(
    summary="Start an import job for a CSV file (UTF-8, at most 10 MB): the rows are imported in chunks",
    body="a CSV file with the columns of POST /customers/import (see GET /customers/import/example.csv)",
    body_media="text/csv",
    checked_by="chalicelib.customers.csv_rows.row_to_customer_data",
    responses={202: "ImportJob"},
    errors=(413,),
)
def start_customer_import() -> Response:
    staff = require(bp.current_request, Permission.CUSTOMERS_WRITE)
    from chalicelib.customers.csv_rows import InvalidCsv
    from chalicelib.customers.service import Actor

    body = raw_body(bp.current_request)
    if len(body) > MAX_CSV_BYTES:
        raise PayloadTooLarge("CSV over 10 MB: use `sapa import FILE.csv`")
    try:
        job = wired(bp).customers.imports().start(body, Actor(staff.name, "import"))
    except UnicodeDecodeError:
        raise UnsupportedMediaType("The CSV must be UTF-8 text") from None
    except InvalidCsv as error:
        raise ValidationFailed(dict(error.fields), "The CSV cannot be imported") from None
    return json_response(job, status=202, headers={"Location": f"/customers/imports/{job['id']}"})


@bp.route("/customers/imports/{import_id}", methods=["GET"], authorizer=staff_auth)
@api(summary="An import job's progress: rows total and done, created, updated, rejected", responses={200: "ImportJob"})
def customer_import_progress(import_id: str) -> Response:
    require(bp.current_request, Permission.CUSTOMERS_WRITE)
    from chalicelib.customers.imports import ImportNotFound

    try:
        return json_response(wired(bp).customers.imports().progress(import_id))
    except ImportNotFound:
        raise NotFound(f"No import {import_id}") from None


@bp.route("/customers/imports/{import_id}/rejected.csv", methods=["GET"], authorizer=staff_auth)
@api(summary="An import job's rejected rows: row number, reasons, the cells as sent", responses={200: "text/csv"})
def customer_import_rejected(import_id: str) -> Response:
    require(bp.current_request, Permission.CUSTOMERS_WRITE)
    from chalicelib.customers.imports import ImportNotFound

    try:
        text = wired(bp).customers.imports().rejected_csv(import_id)
    except ImportNotFound:
        raise NotFound(f"No import {import_id}") from None
    return _csv_file(text, f"rejected-{import_id}.csv")


@bp.route("/customers/import/example.csv", methods=["GET"], authorizer=staff_auth)
@api(summary="An example import file with every column", responses={200: "text/csv"})
def customer_import_example() -> Response:
    require(bp.current_request, Permission.CUSTOMERS_READ)
    from chalicelib.customers.imports import EXAMPLE_CSV

    return _csv_file(EXAMPLE_CSV, "sapa-customers-example.csv")


@bp.route("/customers/export.csv", methods=["GET"], authorizer=staff_auth)
@api(
    summary="The customers a search matches, as CSV (audited; cells made safe for spreadsheets)",
    query="CustomerExportQuery",
    responses={200: "text/csv"},
)
def export_customers() -> Response:
    """At most 20,000 rows per answer; a `Sapa-Export-Next` header then gives the cursor for the rest."""
    staff = require(bp.current_request, Permission.CUSTOMERS_EXPORT)
    from chalicelib.core.contract import read_query
    from chalicelib.core.http import encode_cursor
    from chalicelib.customers.export import export_csv
    from chalicelib.customers.schemas import CustomerExportQuery

    wanted = read_query(bp.current_request, CustomerExportQuery)
    deps = wired(bp).customers
    text, _rows, last = export_csv(
        deps.search(),
        deps.audit(),
        search_filters(wanted),
        decode_cursor(query(bp.current_request), bp.current_request),
        staff.name,
        deps.utc_now(),
    )
    headers = {"Sapa-Export-Next": str(encode_cursor(last, bp.current_request))} if last else {}
    return _csv_file(text, "customers.csv", headers)


def _csv_file(text: str, filename: str, headers: dict[str, str] | None = None) -> Response:
    return Response(
        body=text,
        status_code=200,
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
            **(headers or {}),
        },
    )


def csv_import_rows(lines: Any) -> Any:
    """(row number, customer data or None, errors or None) for each CSV row."""
    from chalicelib.customers.csv_rows import read_csv_rows, row_to_customer_data
    from chalicelib.customers.model import InvalidCustomer

    for row_number, row in read_csv_rows(lines):
        try:
            yield row_number, row_to_customer_data(row), None
        except InvalidCustomer as error:
            yield row_number, None, dict(error.fields)


@bp.route("/audit", methods=["GET"], authorizer=staff_auth)
@api(
    summary="The audit log, newest first, filtered by actor, action, target and days (WIB)",
    query="AuditQuery",
    responses={200: "Page[AuditEntry]"},
)
def audit_log() -> Response:
    require(bp.current_request, Permission.AUDIT)
    from chalicelib.core.contract import read_query
    from chalicelib.customers.schemas import AuditQuery

    deps = wired(bp).customers
    wanted = read_query(bp.current_request, AuditQuery)
    params = query(bp.current_request)
    items, last = deps.audit().page(wanted.limit, decode_cursor(params, bp.current_request), wanted.wanted())
    return json_response(page(items, last, bp.current_request))
