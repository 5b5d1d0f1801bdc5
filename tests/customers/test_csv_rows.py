"""Streaming customer CSVs: headers, quoting, BOM/CRLF, row numbers and the mapping to customer data."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from chalicelib.customers.csv_rows import EXTRA, InvalidCsv, normalize_header, read_csv_rows, row_to_customer_data
from chalicelib.customers.model import InvalidCustomer, validate_customer


def rows(text: str) -> list[tuple[int, dict[str, Any]]]:
    return list(read_csv_rows(io.StringIO(text, newline="")))


def import_report(text: str) -> tuple[dict[int, str], dict[int, dict[str, str]]]:
    """What an importer does with the three functions: row -> external_id, or row -> errors."""
    good: dict[int, str] = {}
    bad: dict[int, dict[str, str]] = {}
    for number, row in read_csv_rows(io.StringIO(text, newline="")):
        try:
            customer = validate_customer(row_to_customer_data(row), today=date(2024, 6, 15))
        except InvalidCustomer as error:
            bad[number] = error.fields
        else:
            good[number] = customer.external_id or ""
    return good, bad


def test_basic_rows_and_numbering() -> None:
    text = "external_id,name,phone\nA1,Budi,081234567890\nA2,Sari,\n"
    assert rows(text) == [
        (2, {"external_id": "A1", "name": "Budi", "phone": "081234567890"}),
        (3, {"external_id": "A2", "name": "Sari", "phone": ""}),
    ]


def test_bom_crlf_and_header_spelling() -> None:
    text = "\ufeffExternal ID,NAME,Birth Date,Consent WhatsApp\r\nA1,Budi,1985-08-17,greetings\r\n"
    assert rows(text) == [
        (2, {"external_id": "A1", "name": "Budi", "birth_date": "1985-08-17", "consent_whatsapp": "greetings"})
    ]


def test_quoted_fields_with_commas_quotes_and_newlines_keep_spreadsheet_numbering() -> None:
    text = (
        "external_id,name,city\r\n"
        'A1,"Santoso, Budi","Jakarta ""Selatan"""\r\n'
        'A2,"Sari\r\nDewi",Bogor\r\n'
        "A3,Rina,Depok\r\n"
    )
    assert rows(text) == [
        (2, {"external_id": "A1", "name": "Santoso, Budi", "city": 'Jakarta "Selatan"'}),
        (3, {"external_id": "A2", "name": "Sari\r\nDewi", "city": "Bogor"}),
        (4, {"external_id": "A3", "name": "Rina", "city": "Depok"}),
    ]


def test_blank_rows_are_skipped_but_counted() -> None:
    text = "external_id,name\n\nA1,Budi\n,\n  ,  \nA2,Sari\n"
    assert [number for number, _ in rows(text)] == [3, 6]


def test_lines_without_endings_are_accepted() -> None:
    lines = ["external_id,name", "A1,Budi", "A2,Sari"]
    assert [row["external_id"] for _, row in read_csv_rows(lines)] == ["A1", "A2"]


def test_semicolon_delimited_excel_export() -> None:
    text = 'external_id;name;consent_whatsapp\nA1;Budi;"greetings;promotions"\n'
    assert rows(text) == [(2, {"external_id": "A1", "name": "Budi", "consent_whatsapp": "greetings;promotions"})]


def test_short_rows_leave_cells_absent_and_long_rows_keep_extras() -> None:
    text = "external_id,name,phone,,\nA1,Budi\nA2,Sari,,,,,surplus,\nA3,Rina,,,\n"
    assert rows(text) == [
        (2, {"external_id": "A1", "name": "Budi"}),
        (3, {"external_id": "A2", "name": "Sari", "phone": "", EXTRA: ["surplus"]}),
        (4, {"external_id": "A3", "name": "Rina", "phone": ""}),
    ]


def test_export_columns_are_ignored() -> None:
    text = "id,external_id,name,created_at,updated_at\ncus_x,A1,Budi,2024-01-01,2024-01-02\n"
    assert rows(text) == [(2, {"external_id": "A1", "name": "Budi"})]


def test_streams_without_reading_ahead() -> None:
    consumed: list[str] = []

    def lines() -> Iterator[str]:
        yield "external_id,name\n"
        for index in range(1_000_000):
            consumed.append("x")
            yield f"A{index},Name {index}\n"

    iterator = read_csv_rows(lines())
    assert next(iterator) == (2, {"external_id": "A0", "name": "Name 0"})
    assert len(consumed) <= 2


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("", "file"),
        ("\n\n", "file"),
        ("name,phone\nBudi,0812\n", "external_id"),
        ("external_id,phone\nA1,0812\n", "name"),
        ("external_id,name,Phone,phone\n", "phone"),
        ("external_id,name,attributes\n", "attributes"),
        ("external_id,name,2nd phone\n", "2nd_phone"),
        ("external_id,name," + "x" * 41 + "\n", "x" * 41),
    ],
)
def test_bad_files_raise_with_the_problem_named(text: str, field: str) -> None:
    with pytest.raises(InvalidCsv) as caught:
        rows(text)
    assert field in caught.value.fields


@pytest.mark.parametrize(
    ("header", "normalised"),
    [
        ("External ID", "external_id"),
        (" BIRTH-DATE ", "birth_date"),
        ("No. Kontrak", "no_kontrak"),
        ("\ufeffname", "name"),
        ("Consent  WhatsApp", "consent_whatsapp"),
    ],
)
def test_normalize_header(header: str, normalised: str) -> None:
    assert normalize_header(header) == normalised


def test_row_to_customer_data() -> None:
    row = {
        "external_id": "A1",
        "name": " Budi ",
        "phone": "",
        "email": "budi@example.com",
        "consent_whatsapp": "Greetings; promotions",
        "consent_email": "",
        "vehicle_brand": "Toyota",
        "branch": "007",
        "religion": "",
    }
    assert row_to_customer_data(row) == {
        "external_id": "A1",
        "name": "Budi",
        "email": "budi@example.com",
        "consents": {"whatsapp": ["greetings", "promotions"]},
        "attributes": {"vehicle_brand": "Toyota", "branch": "007"},
    }


@pytest.mark.parametrize(
    ("cell", "consents"),
    [
        ("", None),  # empty: no change, the channel is not mentioned at all
        ("none", {"email": []}),  # the documented value that withdraws every purpose
        ("NONE", {"email": []}),
        ("greetings", {"email": ["greetings"]}),
    ],
)
def test_an_empty_consent_cell_changes_nothing_and_none_withdraws(cell: str, consents: dict | None) -> None:
    data = row_to_customer_data({"external_id": "A1", "name": "Budi", "consent_email": cell})

    assert data.get("consents") == consents


@pytest.mark.parametrize(
    "cell", ["greetings;promotions", "greetings,promotions", " greetings , promotions ", "greetings|promotions"]
)
def test_consent_cell_separators(cell: str) -> None:
    data = row_to_customer_data({"external_id": "A1", "name": "B", "consent_email": cell})
    assert data["consents"] == {"email": ["greetings", "promotions"]}


def test_consents_absent_when_no_consent_columns() -> None:
    assert "consents" not in row_to_customer_data({"external_id": "A1", "name": "B"})


def test_row_to_customer_data_normalises_hand_built_keys() -> None:
    data = row_to_customer_data({"External ID": "A1", "Name": "B", "Vehicle Model": "Avanza"})
    assert data == {"external_id": "A1", "name": "B", "attributes": {"vehicle_model": "Avanza"}}


def test_extra_cells_reject_the_row() -> None:
    with pytest.raises(InvalidCustomer) as caught:
        row_to_customer_data({"external_id": "A1", "name": "B", EXTRA: ["x"]})
    assert set(caught.value.fields) == {"row"}


def test_end_to_end_with_bad_rows() -> None:
    text = (
        "\ufeffExternal ID,Name,Phone,Email,Birth Date,Province,"
        "Consent WhatsApp,Consent Email,Vehicle Brand,Contract Start\r\n"
        'K1,"Santoso, Budi",0812-3456-7890,budi@example.com,1985-08-17,Jabar,'
        "greetings;promotions,greetings,Toyota,2021-03-01\r\n"
        "K2,Sari,12345,not-an-email,1985-02-30,Bali,,,Honda,\r\n"
        "K3,Rina,,,,Papua Pegunungan,greetings,,,\r\n"
        "K4,Dewi,,,,,,,,,oops\r\n"
        ",NoId,,,,,,,,\r\n"
        "K6,Agus,+62 813 1111 2222,,,Sulsel,sms,,,2021-13-01\r\n"
    )
    good, bad = import_report(text)
    assert good == {2: "K1"}
    assert bad == {
        3: {
            "phone": "not a valid Indonesian or international phone number",
            "email": bad[3]["email"],
            "birth_date": "must be a date YYYY-MM-DD",
        },
        4: {"consents.whatsapp": "requires a phone number"},
        5: {"row": bad[5]["row"]},
        6: {"external_id": "is required"},
        7: {"attributes.contract_start": "must be a date YYYY-MM-DD", "consents.whatsapp": bad[7]["consents.whatsapp"]},
    }
    assert bad[3]["email"].startswith("not a valid email address")


def test_csv_row_becomes_the_same_customer_as_json() -> None:
    text = (
        "external_id,name,phone,province,consent_whatsapp,vehicle_brand\nK1,Budi,6281234567890,DKI,greetings,Toyota\n"
    )
    [(_, row)] = rows(text)
    from_csv = validate_customer(row_to_customer_data(row))
    from_json = validate_customer(
        {
            "external_id": "K1",
            "name": "Budi",
            "phone": "+62 812-3456-7890",
            "province": "DKI Jakarta",
            "attributes": {"vehicle_brand": "Toyota"},
            "consents": {"whatsapp": ["greetings"], "email": []},
        }
    )
    assert from_csv.public() == from_json.public()
