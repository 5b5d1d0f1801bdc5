"""A contracts CSV from the financing system: the customer import's reading rules and report."""

from __future__ import annotations

import pytest

from chalicelib.contracts.imports import EXAMPLE_CSV, import_contracts
from chalicelib.customers.csv_rows import InvalidCsv
from tests.wired import contracts as deps

HEADER = (
    "contract_no;customer_external_id;product;vehicle_brand;vehicle_model;vehicle_year;vehicle_plate;start_date;"
    "tenor_months;installment_amount;due_day;virtual_account\r\n"
)


def lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def test_the_example_file_imports(add_customer) -> None:
    add_customer()

    report = import_contracts(lines(EXAMPLE_CSV), deps.service(), "financing")

    assert report.body()["created"] == 1
    assert deps.service().get("KTR-0001")["vehicle"]["plate"] == "DD 1234 AB"


def test_bad_rows_are_reported_by_spreadsheet_row_and_column_and_the_good_ones_imported(add_customer) -> None:
    add_customer()
    text = (
        "\ufeff"
        + HEADER
        + "KTR-1;K-0001;car;Toyota;Avanza;2021;B 1 XY;2025-05-20;12;3.500.000;5;8808123400001\r\n"
        + "\r\n"
        + "KTR-2;K-0001;car;Toyota;Avanza;2021;=cmd|' /C calc'!A0;2025-05-20;12;3500000;5;8808123400002\r\n"
        + "KTR-3;NOBODY;car;Toyota;Avanza;2021;B 2 XY;2025-05-20;12;3500000;5;8808123400003\r\n"
        + "KTR-1;K-0001;car;Toyota;Avanza;2021;B 1 XY;2025-05-20;12;3500000;5;8808123400001\r\n"
    )

    body = import_contracts(lines(text), deps.service(), "financing").body()

    assert body["created"] == 1
    assert body["rejected_total"] == 3
    assert [(r["row"], sorted(r["errors"])) for r in body["rejected"]] == [
        (4, ["vehicle_plate"]),
        (5, ["customer_external_id"]),
        (6, ["contract_no"]),
    ]
    assert deps.store().get("KTR-2") is None


def test_importing_the_same_file_again_changes_nothing(add_customer) -> None:
    add_customer()
    import_contracts(lines(EXAMPLE_CSV), deps.service(), "financing")

    again = import_contracts(lines(EXAMPLE_CSV), deps.service(), "financing").body()

    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 1)


def test_a_file_without_the_contract_columns_is_refused_whole(aws) -> None:
    with pytest.raises(InvalidCsv) as caught:
        import_contracts(lines("external_id,name\r\nK-1,Budi\r\n"), deps.service(), "financing")
    assert set(caught.value.fields) == {"contract_no", "customer_external_id"}
