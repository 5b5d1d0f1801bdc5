"""Bulk import: good rows land, bad rows are named, re-imports change nothing."""

from __future__ import annotations

CSV = (
    "external_id,name,phone,email,birth_date,province,consent_whatsapp,consent_email,vehicle_brand\n"
    "K-1,Siti Rahma,0812-1111-2222,siti@contoh.co.id,1990-01-05,Bali,greetings;promotions,,Daihatsu\n"
    "K-2,Agus,+62 813 2222 3333,,1980-07-17,Papua,greetings,,Toyota\n"
    "K-3,Dewi,12,dewi@contoh.co.id,1979-13-01,Jawa Barat,,greetings,Toyota\n"
    "K-4,Andi,6281344445555,andi@contoh,1991-02-02,DKI Jakarta,,,Toyota\n"
)
ADMIN = {"Authorization": "Bearer test-admin-token", "Content-Type": "text/csv"}


def _import(client, csv: str) -> tuple[int, dict]:
    import json

    response = client.http.post("/customers/import", body=csv, headers=ADMIN)
    return response.status_code, json.loads(response.body)


def test_bad_rows_are_reported_by_row_and_field_and_good_rows_land(client) -> None:
    status, report = _import(client, CSV)

    assert status == 200
    assert report["created"] == 2
    assert report["updated"] == 0
    rejected = {r["row"]: set(r["errors"]) for r in report["rejected"]}
    assert rejected == {4: {"phone", "birth_date"}, 5: {"email"}}


def test_reimporting_the_same_file_changes_nothing(client) -> None:
    _import(client, CSV)

    _, again = _import(client, CSV)

    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)


def test_a_csv_without_the_required_columns_is_refused_whole(client) -> None:
    status, body = _import(client, "name,phone\nBudi,0812\n")

    assert status == 400
    assert body["fields"]


def test_imported_zones_follow_the_province(api, client) -> None:
    _import(client, CSV)

    _, siti = api("GET", "/customers?external_id=K-1", None, {"Authorization": "Bearer test-admin-token"})
    _, agus = api("GET", "/customers?external_id=K-2", None, {"Authorization": "Bearer test-admin-token"})

    assert siti["items"][0]["timezone"] == "Asia/Makassar"
    assert agus["items"][0]["timezone"] == "Asia/Jayapura"
    assert siti["items"][0]["attributes"]["vehicle_brand"] == "Daihatsu"
