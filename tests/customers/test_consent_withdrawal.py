"""A customer's "no" stays no: no import, PUT or race restores a withdrawal; only a new explicit act does."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.customers import consent
from chalicelib.customers.consent import ConsentLedger
from chalicelib.customers.repository import CustomerRepository
from chalicelib.customers.service import Actor, CustomerService
from chalicelib.customers.unsubscribe import UnsubscribeGrant, make_token
from tests.wiring import customers as customer_deps

ADMIN = {"Authorization": "Bearer test-admin-token"}
CSV_HEADERS = {**ADMIN, "Content-Type": "text/csv"}
CSV = (
    "external_id,name,phone,email,consent_whatsapp,consent_email\n"
    "W-1,Siti Rahma,0812-1111-2222,siti@contoh.co.id,greetings;promotions,greetings;promotions\n"
)


def _import(client, csv: str = CSV) -> dict[str, Any]:
    response = client.http.post("/customers/import", body=csv, headers=CSV_HEADERS)
    assert response.status_code == 200, response.body
    return json.loads(response.body)


def _customer(api, external_id: str = "W-1") -> dict[str, Any]:
    _, found = api("GET", f"/customers?external_id={external_id}", None, ADMIN)
    [customer] = found["items"]
    return customer


def _unsubscribe(client, customer_id: str, channel: str, purpose: str) -> None:
    token = make_token("test-signing-secret", UnsubscribeGrant(customer_id, channel, purpose))
    response = client.http.post(
        f"/unsubscribe/{token}", body="List-Unsubscribe=One-Click", headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 200


def _record(api, customer_id: str, **body: Any) -> tuple[int, Any]:
    data = {"channel": "whatsapp", "purposes": ["greetings", "promotions"], "granted": True, **body}
    return api("POST", f"/customers/{customer_id}/consents", data, ADMIN)


def test_an_unsubscribe_stays_withdrawn_when_the_same_csv_is_imported_again(api, client) -> None:
    _import(client)
    siti = _customer(api)
    _unsubscribe(client, siti["id"], "email", "promotions")

    report = _import(client)
    after = _customer(api)

    assert after["consents"]["email"] == ["greetings"]
    assert after["consents_withdrawn"]["email"] == ["promotions"]
    assert report["consent_kept_withdrawn"] == [{"row": 2, "consents": {"email": ["promotions"]}}]
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 0, 1)


def test_a_put_from_the_financing_system_cannot_restore_a_withdrawal(api, client) -> None:
    _import(client)
    siti = _customer(api)
    _unsubscribe(client, siti["id"], "email", "promotions")

    status, put = api("PUT", f"/customers/{siti['id']}", {"consents": {"email": ["greetings", "promotions"]}}, ADMIN)

    assert status == 200
    assert put["consents"]["email"] == ["greetings"]
    assert put["consent_kept_withdrawn"] == {"email": ["promotions"]}


def test_an_empty_consent_cell_keeps_what_staff_recorded_and_none_withdraws(api, client) -> None:
    _import(client, "external_id,name,phone,email\nW-1,Siti Rahma,0812-1111-2222,siti@contoh.co.id\n")
    siti = _customer(api)
    _record(api, siti["id"], evidence="signed form 2026/11/0042")

    header = "external_id,name,phone,email,consent_whatsapp,consent_email\n"
    kept = _import(client, header + "W-1,Siti Rahma,0812-1111-2222,siti@contoh.co.id,,\n")
    after_empty = _customer(api)
    _import(client, header + "W-1,Siti Rahma,0812-1111-2222,siti@contoh.co.id,none,\n")
    after_none = _customer(api)

    assert kept["unchanged"] == 1
    assert after_empty["consents"]["whatsapp"] == ["greetings", "promotions"]
    assert after_none["consents"]["whatsapp"] == []
    # Staff withdrawing by file is data, not the customer's word: a later file may grant again.
    assert after_none["consents_withdrawn"]["whatsapp"] == []


def test_staff_grant_back_only_with_evidence_and_it_is_audited(api, client) -> None:
    _import(client)
    siti = _customer(api)
    _unsubscribe(client, siti["id"], "email", "promotions")

    missing, problem = _record(api, siti["id"], channel="email", purposes=["promotions"])
    status, granted = _record(
        api, siti["id"], channel="email", purposes=["promotions"], evidence="signed form 2026/11/0042"
    )
    reimport = _import(client)
    _, history = api("GET", f"/customers/{siti['id']}/consents", None, ADMIN)
    _, audit = api("GET", "/audit", None, ADMIN)

    assert missing == 400
    assert "evidence" in problem["fields"]
    assert status == 201
    assert granted["consents"]["email"] == ["greetings", "promotions"]
    assert granted["consents_withdrawn"]["email"] == []
    assert reimport["consent_kept_withdrawn"] == []
    newest = history["items"][0]
    assert (newest["how"], newest["by"], newest["evidence"], newest["granted"]) == (
        "staff_recorded",
        "local-admin",
        "signed form 2026/11/0042",
        True,
    )
    recorded = [entry for entry in audit["items"] if entry["action"] == "customer.consent"]
    assert recorded[0]["details"]["evidence"] == "signed form 2026/11/0042"


def test_a_hard_bounce_or_complaint_stays_withdrawn_on_reimport(api, client) -> None:
    _import(client)
    siti = _customer(api)
    customer_deps.customer_service().withdraw(
        siti["id"], "email", ["greetings", "promotions"], Actor("ses", "email_complaint")
    )

    report = _import(client)

    assert _customer(api)["consents"]["email"] == []
    assert report["consent_kept_withdrawn"] == [{"row": 2, "consents": {"email": ["greetings", "promotions"]}}]


def _history_adds_up(api, customer_id: str) -> bool:
    _, history = api("GET", f"/customers/{customer_id}/consents", None, ADMIN)
    oldest_first = list(reversed(history["items"]))
    current = history["consents"] or {"whatsapp": [], "email": []}
    return consent.fold(oldest_first) == current


def test_the_history_always_adds_up_to_the_current_consents(api, client) -> None:
    _import(client)
    siti = _customer(api)
    checks = [_history_adds_up(api, siti["id"])]
    _unsubscribe(client, siti["id"], "email", "promotions")
    checks.append(_history_adds_up(api, siti["id"]))
    _import(client)
    checks.append(_history_adds_up(api, siti["id"]))
    _record(api, siti["id"], channel="email", purposes=["promotions"], evidence="call 2026-11-30 #8812")
    checks.append(_history_adds_up(api, siti["id"]))
    api("DELETE", f"/customers/{siti['id']}", None, ADMIN)
    checks.append(_history_adds_up(api, siti["id"]))
    _import(client)  # the same person again: suppressed, so nothing is granted
    checks.append(_history_adds_up(api, siti["id"]))

    _, history = api("GET", f"/customers/{siti['id']}/consents", None, ADMIN)
    assert checks == [True] * 6
    assert history["consents"] == {"whatsapp": [], "email": []}
    assert {entry["how"] for entry in history["items"]} >= {"import", "unsubscribe_link", "staff_recorded", "erasure"}


class _RacingRepository(CustomerRepository):
    """Reads the batch, then lets the customer's STOP land before the import writes its stale copy."""

    def __init__(self, table: Any, before_write: Any) -> None:
        super().__init__(table)
        self.before_write = before_write

    def save_many(self, writes: list[Any]) -> set[str]:
        hook, self.before_write = self.before_write, None
        if hook:
            hook()
        return super().save_many(writes)


def test_a_stop_that_lands_while_an_import_is_in_flight_is_not_overwritten(api, client, aws, settings) -> None:
    _import(client)
    siti = _customer(api)
    plain = customer_deps.customer_service()

    def stop() -> None:
        plain.withdraw(siti["id"], "whatsapp", ["greetings", "promotions"], Actor("customer", "whatsapp_keyword"))

    table = aws.table(settings.table_name("customers"))
    racing = CustomerService(
        repository=_RacingRepository(table, stop),
        ledger=ConsentLedger(aws.table(settings.table_name("consent"))),
        suppression=customer_deps.suppression(),
        audit=customer_deps.audit(),
        messages=customer_deps.message_log(),
        clock=customer_deps.utc_now,
    )
    changed = CSV.replace("Siti Rahma", "Siti Rahmawati")
    from chalicelib.customers.routes import csv_import_rows

    report = racing.import_rows(csv_import_rows(changed.splitlines(keepends=True)), Actor("finance", "import"))
    after = _customer(api)

    assert after["name"] == "Siti Rahmawati"  # the import still landed, on top of the STOP
    assert after["consents"]["whatsapp"] == []
    assert report.body()["consent_kept_withdrawn"] == [
        {"row": 2, "consents": {"whatsapp": ["greetings", "promotions"]}}
    ]
    assert _history_adds_up(api, siti["id"])


def test_the_customer_can_subscribe_again_on_the_consent_page(api, client) -> None:
    _import(client)
    siti = _customer(api)
    _unsubscribe(client, siti["id"], "email", "promotions")
    token = make_token("test-signing-secret", UnsubscribeGrant(siti["id"], "email", "promotions"))

    done_page = client.http.post(f"/unsubscribe/{token}", body="", headers={"Content-Type": "text/plain"})
    again = client.http.post(f"/unsubscribe/{token}/resubscribe", body="", headers={"Content-Type": "text/plain"})
    _, history = api("GET", f"/customers/{siti['id']}/consents", None, ADMIN)

    assert "Saya ingin kembali menerima promosi melalui email" in done_page.body.decode()
    assert again.status_code == 200
    assert "kembali menerima" in again.body.decode()
    assert _customer(api)["consents"]["email"] == ["greetings", "promotions"]
    newest = history["items"][0]
    assert (newest["how"], newest["by"], newest["granted"]) == ("web_form", "customer", True)
    assert newest["evidence"] == "consent page: Saya ingin kembali menerima promosi melalui email"
