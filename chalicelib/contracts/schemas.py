"""What the contracts API takes and answers, as pydantic models (the OpenAPI document's and the handlers')."""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

# The body of PUT /contracts/{no} and each row of the import: the model that validates it, named for the document.
from chalicelib.contracts.model import CONTRACT_NO, MAX_AMOUNT
from chalicelib.contracts.model import ContractBody as ContractBody
from chalicelib.contracts.model import Vehicle as Vehicle

PAYMENT_ID = r"^[A-Za-z0-9][A-Za-z0-9/._-]{0,63}$"
MAX_PAYMENTS = 500


class Payment(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    payment_id: str = Field(pattern=PAYMENT_ID, description="the financing system's id: a repeat is ignored")
    contract_no: str = Field(pattern=CONTRACT_NO)
    installment_no: Annotated[int, Field(ge=1, le=999, strict=True)]
    amount: Annotated[int, Field(ge=1, le=MAX_AMOUNT, strict=True)] = Field(description="rupiah")
    paid_at: AwareDatetime


class PaymentBatch(BaseModel):
    """`POST /payments`: payments booked by the financing system, at most 500 to a request."""

    model_config = ConfigDict(extra="forbid")

    payments: list[Payment] = Field(min_length=1, max_length=MAX_PAYMENTS)


class PaymentReport(BaseModel):
    recorded: int
    duplicates: int = Field(description="payment ids already recorded (a batch sent again)")
    settled: int = Field(description="installments these payments completed")
    rejected: list[dict[str, object]]


class ScheduledInstallment(BaseModel):
    installment_no: int
    due_date: str
    pay_by: str = Field(description="the due date, or the working day before it when it is a Sunday or holiday")
    amount: int
    paid_amount: int
    status: str = Field(description="paid, due, overdue (past the pay-by date), or the contract's status")
    paid_at: str | None = None


class Contract(BaseModel):
    """A contract as staff see it: its terms and its schedule."""

    model_config = ConfigDict(extra="allow")

    contract_no: str
    customer_external_id: str
    customer_id: str
    product: str
    vehicle: Vehicle
    status: str
    bpkb_status: str
    bpkb_ready_on: str | None = None
    schedule: list[ScheduledInstallment]


class ContractList(BaseModel):
    items: list[Contract]


class ContractImportReport(BaseModel):
    created: int
    updated: int
    unchanged: int
    rejected: list[dict[str, object]] = Field(description="the first 100: spreadsheet row and each field's problem")
    rejected_total: int
