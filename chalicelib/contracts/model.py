"""A financing contract as Sapa keeps it: the terms the financing system sends, validated.

The same model checks `PUT /contracts/{no}` and every row of
`POST /contracts/import`, so a field means the same on both paths. Every
value is untrusted: a plate or a virtual account is matched against its
shape (a cell starting like a spreadsheet formula cannot pass), the amount
is whole rupiah ("3.500.000" as typed in a spreadsheet is read as 3500000).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from chalicelib.core.errors import pydantic_fields

PRODUCTS = ("car", "fleet", "multipurpose")
STATUSES = ("active", "paid_off", "terminated")
BPKB_STATUSES = ("held", "ready", "picked_up")
CONTRACT_NO = r"^[A-Za-z0-9][A-Za-z0-9/._-]{0,39}$"
EXTERNAL_ID = r"^[A-Za-z0-9][A-Za-z0-9/._-]{0,63}$"
PLATE = r"^[A-Z]{1,2} ?[0-9]{1,4} ?[A-Z]{0,3}$"
VIRTUAL_ACCOUNT = r"^[0-9]{8,20}$"
FIRST_YEAR, LAST_YEAR = 1990, 2100
MAX_TENOR = 96
MAX_AMOUNT = 10**12
_GROUPED = re.compile(r"^\d{1,3}([.,]\d{3})+$")

DATE_FIELDS = ("start_date", "stnk_tax_date", "stnk_renewal_date", "insurance_end_date")
VEHICLE_FIELDS = ("brand", "model", "year", "plate")


class InvalidContract(ValueError):
    """A contract that cannot be stored; `.fields` says which field and why."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        self.fields: dict[str, str] = dict(fields)
        super().__init__("; ".join(f"{name}: {problem}" for name, problem in self.fields.items()))


def _day(value: Any) -> Any:
    if isinstance(value, date):
        return value
    try:
        day = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise PydanticCustomError("date", "must be a date YYYY-MM-DD")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise PydanticCustomError("date_range", f"must be a date between {FIRST_YEAR} and {LAST_YEAR}")
    return day


def _rupiah(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip().removeprefix("Rp").strip()
        if _GROUPED.fullmatch(text):
            text = text.replace(".", "").replace(",", "")
        if not text.isdigit():
            raise PydanticCustomError("rupiah", "must be whole rupiah, digits only (3500000 or 3.500.000)")
        return int(text)
    return value


def _whole(value: Any) -> Any:
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value


def _plate(value: Any) -> Any:
    return re.sub(r"\s+", " ", value.strip().upper()) if isinstance(value, str) else value


Day = Annotated[date, BeforeValidator(_day)]
Rupiah = Annotated[int, BeforeValidator(_rupiah), Field(ge=1, le=MAX_AMOUNT, strict=True)]
Whole = BeforeValidator(_whole)


class Vehicle(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    brand: str = Field(min_length=1, max_length=40, pattern=r"^[\w .-]+$")
    model: str = Field(min_length=1, max_length=60, pattern=r"^[\w .()/-]+$")
    year: Annotated[int, Whole, Field(ge=1980, le=LAST_YEAR, strict=True)]
    plate: Annotated[str, BeforeValidator(_plate), Field(pattern=PLATE)]


class ContractBody(BaseModel):
    """One contract from the financing system (`PUT /contracts/{no}`, one row of the import)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    contract_no: str = Field(pattern=CONTRACT_NO)
    customer_external_id: str = Field(pattern=EXTERNAL_ID)
    product: Literal["car", "fleet", "multipurpose"]
    vehicle: Vehicle
    start_date: Day
    tenor_months: Annotated[int, Whole, Field(ge=1, le=MAX_TENOR, strict=True)]
    installment_amount: Rupiah
    due_day: Annotated[int, Whole, Field(ge=1, le=31, strict=True)]
    virtual_account: str = Field(pattern=VIRTUAL_ACCOUNT)
    status: Literal["active", "paid_off", "terminated"] = "active"
    bpkb_status: Literal["held", "ready", "picked_up"] = "held"
    stnk_tax_date: Day | None = None
    stnk_renewal_date: Day | None = None
    insurance_end_date: Day | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ContractBody:
        if self.bpkb_status != "held" and self.status == "active":
            raise ValueError("bpkb_status: the BPKB is held until the contract is paid off or terminated")
        return self


def validate_contract(data: Mapping[str, Any]) -> ContractBody:
    """The stored form of a contract; InvalidContract naming each bad field."""
    try:
        return ContractBody.model_validate(dict(data))
    except ValidationError as error:
        fields = pydantic_fields(error)
        # A model-level rule names its field in the message ("bpkb_status: ..."): say it under that field.
        for name, problem in list(fields.items()):
            if name == "body" and ": " in problem:
                field, _, text = problem.partition(": ")
                del fields[name]
                fields[field] = text
        raise InvalidContract(fields) from None


def row_to_contract_data(row: Mapping[str, Any]) -> dict[str, Any]:
    """A CSV row ({column: cell}) as the body `validate_contract` takes: `vehicle_*` columns make `vehicle`.

    Empty cells are left out (an optional date not known yet); cells with no column are refused.
    """
    from chalicelib.customers.csv_rows import EXTRA

    if row.get(EXTRA):
        raise InvalidContract(
            {"row": f"has {len(row[EXTRA])} more non-empty cell(s) than named columns; is a comma missing its quotes?"}
        )
    data: dict[str, Any] = {}
    vehicle: dict[str, Any] = {}
    for key, value in row.items():
        if key == EXTRA or value in (None, ""):
            continue
        if key.startswith("vehicle_") and key.removeprefix("vehicle_") in VEHICLE_FIELDS:
            vehicle[key.removeprefix("vehicle_")] = value
        else:
            data[key] = value
    if vehicle:
        data["vehicle"] = vehicle
    return data


def public_fields(body: ContractBody) -> dict[str, Any]:
    """The contract's fields as JSON values (dates as YYYY-MM-DD), what the store keeps and GET shows."""
    return body.model_dump(mode="json")
