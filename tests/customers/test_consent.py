"""Consent: one-click unsubscribe, erasure, and suppression of re-imports."""

from __future__ import annotations

from chalicelib.customers.unsubscribe import UnsubscribeGrant, make_token

ADMIN = {"Authorization": "Bearer test-admin-token"}


def test_unsubscribe_round_trip_withdraws_at_once(api, client, customer_data) -> None:
    _, created = api("POST", "/customers", customer_data(consents={"email": ["greetings", "promotions"]}), ADMIN)
    token = make_token("test-signing-secret", UnsubscribeGrant(created["id"], "email", "promotions"))

    page = client.http.get(f"/unsubscribe/{token}")
    done = client.http.post(
        f"/unsubscribe/{token}",
        body="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    _, after = api("GET", f"/customers/{created['id']}", None, ADMIN)

    assert page.status_code == 200
    assert "Berhenti berlangganan" in page.body.decode()
    assert done.status_code == 200
    assert after["consents"]["email"] == ["greetings"]


def test_the_unsubscribe_page_speaks_the_customers_language(api, client, customer_data) -> None:
    _, created = api("POST", "/customers", customer_data(language="en"), ADMIN)
    token = make_token("test-signing-secret", UnsubscribeGrant(created["id"], "email", "greetings"))

    page = client.http.get(f"/unsubscribe/{token}")

    assert "Unsubscribe?" in page.body.decode()


def test_a_forged_or_edited_token_unsubscribes_nobody(api, client, customer_data) -> None:
    _, victim = api("POST", "/customers", customer_data("V-1"), ADMIN)
    forged = make_token("guessed-secret", UnsubscribeGrant(victim["id"], "whatsapp", "greetings"))
    mine = make_token("test-signing-secret", UnsubscribeGrant("cus_other", "whatsapp", "greetings"))
    edited = forged.split(".")[0] + "." + mine.split(".")[1]

    for token in (forged, edited):
        assert (
            client.http.post(f"/unsubscribe/{token}", body="", headers={"Content-Type": "text/plain"}).status_code
            == 404
        )

    _, after = api("GET", f"/customers/{victim['id']}", None, ADMIN)
    assert after["consents"]["whatsapp"] == ["greetings", "promotions"]


def test_erasure_removes_personal_data_and_a_reimport_is_not_messaged(api, client, customer_data) -> None:
    _, created = api("POST", "/customers", customer_data("E-1"), ADMIN)

    status, erased = api("DELETE", f"/customers/{created['id']}", None, ADMIN)
    gone, _ = api("GET", f"/customers/{created['id']}", None, ADMIN)
    csv = (
        "external_id,name,phone,email,consent_whatsapp,consent_email\n"
        "E-1,Budi Santoso,081234567890,budi.santoso@contoh.co.id,greetings;promotions,greetings\n"
    )
    client.http.post("/customers/import", body=csv, headers={**ADMIN, "Content-Type": "text/csv"})
    _, reimported = api("GET", f"/customers/{created['id']}", None, ADMIN)

    assert status == 200
    assert erased["erased"] is True
    assert gone == 404
    assert reimported["consents"] == {"email": [], "whatsapp": []}


def test_only_consent_staff_record_with_evidence_lifts_the_suppression(api, client, customer_data) -> None:
    _, created = api("POST", "/customers", customer_data("E-2"), ADMIN)
    api("DELETE", f"/customers/{created['id']}", None, ADMIN)
    api("POST", "/customers", customer_data("E-2", consents={}), ADMIN)

    _, by_put = api("PUT", f"/customers/{created['id']}", {"consents": {"whatsapp": ["greetings"]}}, ADMIN)
    status, recorded = api(
        "POST",
        f"/customers/{created['id']}/consents",
        {"channel": "whatsapp", "purposes": ["greetings"], "granted": True, "evidence": "signed form 2026/11/0042"},
        ADMIN,
    )
    csv = "external_id,name,phone,consent_whatsapp\nE-2,Budi Santoso,081234567890,greetings\n"
    client.http.post("/customers/import", body=csv, headers={**ADMIN, "Content-Type": "text/csv"})
    _, after = api("GET", f"/customers/{created['id']}", None, ADMIN)

    assert by_put["consents"]["whatsapp"] == []
    assert by_put["consent_kept_withdrawn"] == {"whatsapp": ["greetings"]}
    assert status == 201
    assert recorded["consents"]["whatsapp"] == ["greetings"]
    assert after["consents"]["whatsapp"] == ["greetings"]
