"""The contracts API: the financing system's feed in, staff's view out, a JSON 4xx for anything malformed."""

from __future__ import annotations

from tests.contracts.conftest import ADMIN, contract

CSV = {**ADMIN, "Content-Type": "text/csv"}


def test_put_then_get_a_contract_and_the_customers_list(api, add_customer) -> None:
    customer = add_customer()

    status, created = api("PUT", "/contracts/KTR-0001", contract(), ADMIN)
    assert status == 201, created
    assert api("PUT", "/contracts/KTR-0001", contract(), ADMIN)[0] == 200

    status, shown = api("GET", "/contracts/KTR-0001", None, ADMIN)
    assert status == 200
    assert shown["schedule"][1] == {
        "installment_no": 2,
        "due_date": "2025-07-05",
        "pay_by": "2025-07-05",
        "amount": 3_500_000,
        "paid_amount": 0,
        "status": "due",
        "paid_at": None,
    }
    status, listed = api("GET", f"/customers/{customer['id']}/contracts", None, ADMIN)
    assert (status, [c["contract_no"] for c in listed["items"]]) == (200, ["KTR-0001"])


def test_bad_contracts_are_a_400_naming_the_field(api, add_customer) -> None:
    add_customer()

    status, body = api("PUT", "/contracts/KTR-0001", contract(due_day="tiga puluh"), ADMIN)
    assert status == 400
    assert "due_day" in body["fields"]
    status, body = api("PUT", "/contracts/KTR-0001", contract(contract_no="KTR-0002"), ADMIN)
    assert (status, list(body["fields"])) == (400, ["contract_no"])
    assert api("PUT", "/contracts/KTR-0001", "[1, 2", ADMIN)[0] == 400
    assert api("GET", "/contracts/NOPE", None, ADMIN)[0] == 404
    assert api("GET", "/customers/cus_nobody/contracts", None, ADMIN)[0] == 404


def test_import_answers_the_report_and_refuses_an_unreadable_file(api, add_customer) -> None:
    add_customer()
    from chalicelib.contracts.imports import EXAMPLE_CSV

    status, report = api("POST", "/contracts/import", EXAMPLE_CSV, CSV)
    assert (status, report["created"], report["rejected_total"]) == (200, 1, 0)

    status, body = api("POST", "/contracts/import", "name\r\nBudi\r\n", CSV)
    assert status == 400
    assert "contract_no" in body["fields"]
    assert api("POST", "/contracts/import", b"\xff\xfe\x00bad", CSV)[0] == 415


def test_payments_are_recorded_once_and_bad_batches_refused(api, add_customer) -> None:
    add_customer()
    api("PUT", "/contracts/KTR-0001", contract(), ADMIN)
    batch = {
        "payments": [
            {
                "payment_id": "P-1",
                "contract_no": "KTR-0001",
                "installment_no": 2,
                "amount": 3_500_000,
                "paid_at": "2025-06-16T10:00:00+07:00",
            }
        ]
    }

    assert api("POST", "/payments", batch, ADMIN)[1]["recorded"] == 1
    assert api("POST", "/payments", batch, ADMIN)[1] == {"recorded": 0, "duplicates": 1, "settled": 0, "rejected": []}
    assert api("GET", "/contracts/KTR-0001", None, ADMIN)[1]["schedule"][1]["status"] == "paid"

    naive = {"payments": [{**batch["payments"][0], "paid_at": "2025-06-16T10:00:00"}]}
    status, body = api("POST", "/payments", naive, ADMIN)
    assert status == 400
    assert "payments.0.paid_at" in body["fields"]
    assert api("POST", "/payments", {"payments": []}, ADMIN)[0] == 400
