"""Customers over HTTP: what CRM staff and integrations see."""

from __future__ import annotations


def test_creating_a_customer_normalises_phone_and_derives_the_zone(api, customer_data) -> None:
    status, body = api("POST", "/customers", customer_data(), {"Authorization": "Bearer test-admin-token"})

    assert status == 201
    assert body["phone"] == "+6281234567890"
    assert body["timezone"] == "Asia/Makassar"
    assert body["consents"] == {"email": ["greetings"], "whatsapp": ["greetings", "promotions"]}


def test_posting_the_same_external_id_again_updates_with_200(api, customer_data) -> None:
    admin = {"Authorization": "Bearer test-admin-token"}
    api("POST", "/customers", customer_data(), admin)

    status, body = api("POST", "/customers", customer_data(city="Parepare"), admin)

    assert status == 200
    assert body["city"] == "Parepare"


def test_three_phone_formats_are_the_same_person(api, customer_data) -> None:
    admin = {"Authorization": "Bearer test-admin-token"}
    ids = set()
    for external_id, phone in (("A-1", "081234567890"), ("A-2", "+62 812 3456 7890"), ("A-3", "6281234567890")):
        status, body = api("POST", "/customers", customer_data(external_id, phone=phone), admin)
        assert status == 201
        ids.add(body["phone"])

    status, found = api("GET", "/customers?phone=0812-3456-7890", None, admin)

    assert ids == {"+6281234567890"}
    assert status == 200
    assert sorted(c["external_id"] for c in found["items"]) == ["A-1", "A-2", "A-3"]
    assert found["next"] is None


def test_bad_fields_are_each_named_in_a_400(api, customer_data) -> None:
    status, body = api(
        "POST",
        "/customers",
        customer_data(phone="12", email="not-an-email", birth_date="1985-02-30"),
        {"Authorization": "Bearer test-admin-token"},
    )

    assert status == 400
    assert body["error"] == "validation_error"
    assert {"phone", "email", "birth_date"} <= set(body["fields"])


def test_a_body_that_is_not_json_is_a_400_with_a_reason(api) -> None:
    status, body = api("POST", "/customers", "{not json", {"Authorization": "Bearer test-admin-token"})

    assert status == 400
    assert "body" in body["fields"]


def test_lookup_by_external_id_and_unknown_customer(api, customer_data) -> None:
    admin = {"Authorization": "Bearer test-admin-token"}
    _, created = api("POST", "/customers", customer_data("EXT-9"), admin)

    _, found = api("GET", "/customers?external_id=EXT-9", None, admin)
    status, missing = api("GET", "/customers/cus_nope", None, admin)

    assert [c["id"] for c in found["items"]] == [created["id"]]
    assert status == 404
    assert missing["error"] == "not_found"


def test_listing_pages_with_a_cursor(api, customer_data) -> None:
    admin = {"Authorization": "Bearer test-admin-token"}
    for n in range(5):
        api("POST", "/customers", customer_data(f"P-{n}"), admin)

    _, first = api("GET", "/customers?limit=3", None, admin)
    _, second = api("GET", f"/customers?limit=3&cursor={first['next']}", None, admin)
    status, bad = api("GET", "/customers?cursor=%%%", None, admin)

    assert len(first["items"]) == 3
    assert {c["external_id"] for c in first["items"] + second["items"]} == {f"P-{n}" for n in range(5)}
    assert status == 400
    assert "cursor" in bad["fields"]


def test_put_updates_fields_and_records_consent_history(api, customer_data) -> None:
    admin = {"Authorization": "Bearer test-admin-token"}
    _, created = api("POST", "/customers", customer_data(), admin)

    status, updated = api("PUT", f"/customers/{created['id']}", {"consents": {"whatsapp": ["greetings"]}}, admin)
    _, history = api("GET", f"/customers/{created['id']}/consents", None, admin)

    assert status == 200
    assert updated["consents"]["whatsapp"] == ["greetings"]
    withdrawn = [h for h in history["items"] if not h["granted"]]
    assert withdrawn == [
        {
            "channel": "whatsapp",
            "purpose": "promotions",
            "granted": False,
            "how": "api",
            "by": "local-admin",
            "evidence": None,
            "at": withdrawn[0]["at"],
        }
    ]
