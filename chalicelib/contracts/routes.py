"""HTTP routes of the contracts context: contracts from the financing system, and their payments."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib.access.authorizer import require, staff_auth
from chalicelib.access.roles import Permission
from chalicelib.core.composition import wired
from chalicelib.core.contract import api, read_body
from chalicelib.core.errors import NotFound, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from chalicelib.core.http import json_object, json_response, raw_body

bp = Blueprint(__name__)

MAX_CSV_BYTES = 5 * 1024 * 1024
"""A synchronous import answers within API Gateway's 30 s: some 5,000 contracts."""


@bp.route("/contracts/import", methods=["POST"], authorizer=staff_auth, content_types=["text/csv"])
@api(
    summary="Import contracts from a CSV file (UTF-8, at most 5 MB); the customers must exist",
    body="a CSV file with a header row of contract fields (vehicle_brand, vehicle_model, vehicle_year, "
    "vehicle_plate for the vehicle); each row is validated as a ContractBody",
    body_media="text/csv",
    checked_by="chalicelib.contracts.model.row_to_contract_data",
    responses={200: "ContractImportReport"},
    errors=(413,),
)
def import_contracts() -> Response:
    staff = require(bp.current_request, Permission.CONTRACTS_WRITE)
    from chalicelib.contracts.imports import import_contracts as run_import
    from chalicelib.customers.csv_rows import InvalidCsv

    body = raw_body(bp.current_request)
    if len(body) > MAX_CSV_BYTES:
        raise PayloadTooLarge("CSV over 5 MB: split the file")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnsupportedMediaType("The CSV must be UTF-8 text") from None
    try:
        report = run_import(text.splitlines(keepends=True), wired(bp).contracts.service(), staff.name)
    except InvalidCsv as error:
        raise ValidationFailed(dict(error.fields), "The CSV cannot be imported") from None
    return json_response(report.body())


@bp.route("/contracts/{contract_no}", methods=["PUT"], authorizer=staff_auth)
@api(summary="Create or replace a contract", body="ContractBody", responses={200: "Contract", 201: "Contract"})
def put_contract(contract_no: str) -> Response:
    staff = require(bp.current_request, Permission.CONTRACTS_WRITE)
    from chalicelib.contracts.model import InvalidContract

    data = json_object(bp.current_request)
    if data.setdefault("contract_no", contract_no) != contract_no:
        raise ValidationFailed({"contract_no": "must be the contract number of the path"})
    try:
        written = wired(bp).contracts.service().put(data, staff.name)
    except InvalidContract as error:
        raise ValidationFailed(dict(error.fields)) from None
    return json_response(written.contract, status=201 if written.outcome == "created" else 200)


@bp.route("/contracts/{contract_no}", methods=["GET"], authorizer=staff_auth)
@api(summary="A contract and its installment schedule, each installment's status", responses={200: "Contract"})
def get_contract(contract_no: str) -> Response:
    require(bp.current_request, Permission.CUSTOMERS_READ)
    from chalicelib.contracts.service import ContractNotFound

    try:
        return json_response(wired(bp).contracts.service().get(contract_no))
    except ContractNotFound:
        raise NotFound(f"No contract {contract_no}") from None


@bp.route("/customers/{customer_id}/contracts", methods=["GET"], authorizer=staff_auth)
@api(summary="A customer's contracts with their schedules", responses={200: "ContractList"})
def customer_contracts(customer_id: str) -> Response:
    require(bp.current_request, Permission.CUSTOMERS_READ)
    if wired(bp).customers.repository().get(customer_id) is None:
        raise NotFound(f"No customer {customer_id}")
    return json_response({"items": wired(bp).contracts.service().for_customer(customer_id)})


@bp.route("/payments", methods=["POST"], authorizer=staff_auth)
@api(
    summary="Record payments from the financing system (idempotent by payment_id)",
    body="PaymentBatch",
    responses={200: "PaymentReport"},
)
def post_payments() -> Response:
    staff = require(bp.current_request, Permission.CONTRACTS_WRITE)
    from chalicelib.contracts.payments import record_payments
    from chalicelib.contracts.schemas import PaymentBatch

    batch = read_body(bp.current_request, PaymentBatch)
    deps = wired(bp).contracts
    payments = [p.model_dump(mode="json") for p in batch.payments]
    report = record_payments(payments, deps.store(), deps.root.now)
    wired(bp).customers.audit().record(
        staff.name, "payments.recorded", "payments", deps.root.now(), recorded=report.recorded, settled=report.settled
    )
    return json_response(report.body())
