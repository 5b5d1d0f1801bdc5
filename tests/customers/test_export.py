"""Exporting customers: the search's matches as CSV, safe to open in a spreadsheet, audited, for the roles allowed."""

from __future__ import annotations

import csv
import io
from typing import Any

from chalicelib.customers import export as export_module

ADMIN = {"Authorization": "Bearer test-admin-token"}


def _export(client: Any, query: str = "", headers: dict[str, str] | None = None) -> Any:
    return client.http.get("/customers/export.csv" + query, headers=headers or ADMIN)


def _rows(answer: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(answer.body.decode())))


def test_an_export_neutralises_cells_a_spreadsheet_would_run(client, api, customer_data) -> None:
    api("POST", "/customers", customer_data("K-1", name='=HYPERLINK("http://evil.example","klik")'), ADMIN)
    api("POST", "/customers", customer_data("K-2", name="@SUM(A1)", city="-2+3", phone="081398765432"), ADMIN)

    answer = _export(client)

    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in answer.headers["Content-Disposition"]
    by_id = {row["external_id"]: row for row in _rows(answer)}
    assert by_id["K-1"]["name"] == '\'=HYPERLINK("http://evil.example","klik")'
    assert by_id["K-2"]["name"] == "'@SUM(A1)"
    assert by_id["K-2"]["city"] == "'-2+3"
    assert by_id["K-2"]["phone"] == "'+6281398765432"
    assert by_id["K-1"]["vehicle_brand"] == "Toyota"
    assert by_id["K-1"]["consent_whatsapp"] == "greetings;promotions"


def test_an_export_takes_the_search_filters(client, api, customer_data) -> None:
    api("POST", "/customers", customer_data("K-1"), ADMIN)
    api("POST", "/customers", customer_data("K-2", name="Siti", province="Papua", phone="081398765432"), ADMIN)

    rows = _rows(_export(client, "?zone=WIT"))

    assert [row["name"] for row in rows] == ["Siti"]
    assert _export(client, "?provinsi=Papua").status_code == 400


def test_an_export_re_imports_without_changing_anyone(client, api, customer_data) -> None:
    api("POST", "/customers", customer_data("K-1"), ADMIN)
    exported = _export(client).body.decode()

    response = client.http.post("/customers/import", body=exported, headers={**ADMIN, "Content-Type": "text/csv"})

    import json

    report = json.loads(response.body)
    assert (report["unchanged"], report["rejected_total"]) == (1, 0)


def test_an_export_is_audited_with_who_how_many_and_which_filters_not_their_values(client, api, customer_data) -> None:
    api("POST", "/customers", customer_data("K-1"), ADMIN)

    _export(client, "?q=0812-3456-7890")

    _, audit = api("GET", "/audit", None, ADMIN)
    entry = next(e for e in audit["items"] if e["action"] == "customers.exported")
    assert entry["details"] == {"rows": 1, "filters": "q"}
    assert "3456" not in str(entry)


def test_a_long_export_is_cut_and_goes_on_from_its_cursor(client, api, customer_data, monkeypatch) -> None:
    for n in range(5):
        api("POST", "/customers", customer_data(f"K-{n}", phone=f"08139876540{n}"), ADMIN)
    monkeypatch.setattr(export_module, "MAX_ROWS", 2)
    monkeypatch.setattr(export_module.export_csv, "__defaults__", (2,))

    seen: list[str] = []
    answer = _export(client)
    while True:
        seen += [row["external_id"] for row in _rows(answer)]
        cursor = answer.headers.get("Sapa-Export-Next")
        if not cursor:
            break
        answer = _export(client, f"?cursor={cursor}")

    assert sorted(seen) == [f"K-{n}" for n in range(5)]


def test_exporting_needs_the_export_permission(client, staff_token) -> None:
    assert _export(client, headers=staff_token("marketer")).status_code == 200
    assert _export(client, headers=staff_token("viewer")).status_code == 403
    assert _export(client, headers=staff_token("agent")).status_code == 403
