"""A contract from the financing system is checked field by field; a hostile cell is refused with its name."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.contracts.model import InvalidContract, row_to_contract_data, validate_contract
from chalicelib.customers.csv_rows import EXTRA


def good(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "contract_no": "KTR-0001",
        "customer_external_id": "K-0001",
        "product": "car",
        "vehicle": {"brand": "Toyota", "model": "Avanza", "year": 2021, "plate": "dd 1234  ab"},
        "start_date": "2026-01-20",
        "tenor_months": 36,
        "installment_amount": 3_500_000,
        "due_day": 5,
        "virtual_account": "8808123400001",
    }
    data.update(changes)
    return data


def errors(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(InvalidContract) as caught:
        validate_contract(data)
    return caught.value.fields


def test_a_good_contract_is_read_with_its_defaults_and_a_tidy_plate() -> None:
    contract = validate_contract(good())

    assert contract.vehicle.plate == "DD 1234 AB"
    assert (contract.status, contract.bpkb_status) == ("active", "held")
    assert contract.stnk_tax_date is None


def test_spreadsheet_amounts_are_whole_rupiah() -> None:
    assert validate_contract(good(installment_amount="3.500.000")).installment_amount == 3_500_000
    assert "installment_amount" in errors(good(installment_amount="3,5 juta"))
    assert "installment_amount" in errors(good(installment_amount=True))
    assert "installment_amount" in errors(good(installment_amount=0))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("contract_no", '=HYPERLINK("http://x")'),
        ("virtual_account", "+62 812"),
        ("product", "motorbike"),
        ("due_day", 32),
        ("tenor_months", 0),
        ("start_date", "20/01/2026"),
        ("status", "closed"),
        ("stnk_tax_date", "2026-02-30"),
    ],
)
def test_a_bad_field_is_named(field: str, value: Any) -> None:
    assert field in errors(good(**{field: value}))


def test_a_hostile_plate_is_named_inside_the_vehicle() -> None:
    assert "vehicle.plate" in errors(
        good(vehicle={"brand": "Toyota", "model": "Avanza", "year": 2021, "plate": "@SUM(A1)"})
    )


def test_unknown_fields_are_refused_not_stored() -> None:
    assert "note" in errors(good(note="x"))


def test_the_bpkb_is_held_while_the_contract_runs() -> None:
    assert "bpkb_status" in errors(good(bpkb_status="ready"))
    assert validate_contract(good(status="paid_off", bpkb_status="ready")).bpkb_status == "ready"


def test_a_csv_row_gathers_the_vehicle_columns_and_drops_empty_cells() -> None:
    row = {"contract_no": "KTR-1", "vehicle_brand": "Honda", "vehicle_plate": "B 1 A", "stnk_tax_date": ""}

    assert row_to_contract_data(row) == {"contract_no": "KTR-1", "vehicle": {"brand": "Honda", "plate": "B 1 A"}}


def test_a_csv_row_with_more_cells_than_columns_is_refused() -> None:
    with pytest.raises(InvalidContract) as caught:
        row_to_contract_data({"contract_no": "KTR-1", EXTRA: ["surplus"]})
    assert "row" in caught.value.fields
