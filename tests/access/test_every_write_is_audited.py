"""Every staff write lands in the audit log: who did what to which record, on every write route the app has."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from chalicelib.access.roles import PUBLIC, ROUTE_PERMISSIONS
from tests.scrm.meta_payloads import body_of, signed_headers, wa_text

ADMIN = {"Authorization": "Bearer test-admin-token"}

# Each write route and the audit action its success records.
AUDITED = {
    ("POST", "/customers"): "customer.create",
    ("PUT", "/customers/{customer_id}"): "customer.update",
    ("DELETE", "/customers/{customer_id}"): "customer.erased",
    ("POST", "/customers/import"): "customers.imported",
    ("POST", "/customers/imports"): "customers.import_started",
    ("POST", "/customers/{customer_id}/consents"): "customer.consent",
    ("PUT", "/contracts/{contract_no}"): "contract.create",
    ("POST", "/contracts/import"): "contracts.imported",
    ("POST", "/payments"): "payments.recorded",
    ("POST", "/campaigns"): "campaign.create",
    ("PATCH", "/campaigns/{campaign_id}"): "campaign.update",
    ("POST", "/campaigns/{campaign_id}/test"): "campaign.test",
    ("POST", "/campaigns/{campaign_id}/send"): "campaign.send",
    ("POST", "/campaigns/{campaign_id}/pause"): "campaign.pause",
    ("POST", "/campaigns/{campaign_id}/resume"): "campaign.resume",
    ("POST", "/campaigns/{campaign_id}/retry-failed"): "campaign.retry_failed",
    ("POST", "/campaigns/{campaign_id}/cancel"): "campaign.cancel",
    ("POST", "/journeys"): "journey.created",
    ("PUT", "/journeys/{journey_id}"): "journey.updated",
    ("POST", "/journeys/{journey_id}/pause"): "journey.paused",
    ("POST", "/journeys/{journey_id}/resume"): "journey.resumed",
    ("POST", "/journeys/defaults"): "journey.defaults_seeded",
    ("PUT", "/holidays/{day}"): "holiday.set",
    ("DELETE", "/holidays/{day}"): "holiday.cancelled",
    ("POST", "/greetings/runs"): "greetings.run",
    ("POST", "/reminders/runs"): "reminders.run",
    ("PUT", "/reminders/ladder"): "reminders.ladder",
    ("POST", "/telegreeting/{task_id}"): "call.outcome",
    ("POST", "/scrm/conversations/{conversation_id}/reply"): "conversation.reply",
    ("POST", "/scrm/conversations/{conversation_id}/assign"): "conversation.assign",
    ("POST", "/scrm/conversations/{conversation_id}/link"): "conversation.link",
    ("POST", "/scrm/conversations/{conversation_id}/resolve"): "conversation.resolve",
    ("POST", "/scrm/conversations/{conversation_id}/reopen"): "conversation.reopen",
    ("POST", "/scrm/conversations/{conversation_id}/lead"): "conversation.lead",
    ("POST", "/scrm/replies"): "reply.create",
    ("DELETE", "/scrm/replies/{reply_id}"): "reply.delete",
    ("POST", "/outbound/halt"): "outbound.halt",
    ("POST", "/outbound/resume"): "outbound.resume",
    ("PUT", "/settings/contact-policy"): "settings.contact_policy",
}
# Writes that change nothing: previews render, they store nothing.
NOT_WRITES = {("POST", "/campaigns/{campaign_id}/preview")}


def test_every_staff_write_route_is_known_to_be_audited() -> None:
    writes = {
        route
        for route, permission in ROUTE_PERMISSIONS.items()
        if permission is not PUBLIC and route[0] != "GET" and route not in NOT_WRITES
    }

    assert writes == set(AUDITED)


def _ok(result: tuple[int, Any]) -> Any:
    status, body = result
    assert status < 300, body
    return body


def test_each_write_records_who_did_what_to_which_record(api, client, runner, clock, whatsapp, roster_agent) -> None:
    customer = _ok(api("POST", "/customers", {"external_id": "AUD-1", "name": "Agus", "phone": "081355550000"}, ADMIN))
    cid = customer["id"]
    _ok(api("PUT", f"/customers/{cid}", {"test_recipient": True}, ADMIN))
    _ok(
        api(
            "POST",
            f"/customers/{cid}/consents",
            {
                "channel": "whatsapp",
                "purposes": ["greetings", "promotions"],
                "granted": True,
                "evidence": "form 7/2025",
            },
            ADMIN,
        )
    )
    response = client.http.post(
        "/customers/import", body="external_id,name\nAUD-2,Dewi\n", headers={**ADMIN, "Content-Type": "text/csv"}
    )
    assert response.status_code == 200
    response = client.http.post(
        "/customers/imports", body="external_id,name\nAUD-3,Rina\n", headers={**ADMIN, "Content-Type": "text/csv"}
    )
    assert response.status_code == 202
    contract = {
        "customer_external_id": "AUD-1",
        "product": "car",
        "vehicle": {"brand": "Toyota", "model": "Avanza", "year": 2021, "plate": "B 1 XY"},
        "start_date": "2025-05-20",
        "tenor_months": 12,
        "installment_amount": 3500000,
        "due_day": 5,
        "virtual_account": "8808123400001",
    }
    _ok(api("PUT", "/contracts/AUD-K1", contract, ADMIN))
    response = client.http.post(
        "/contracts/import",
        body="contract_no,customer_external_id\nAUD-K2,AUD-1\n",
        headers={**ADMIN, "Content-Type": "text/csv"},
    )
    assert response.status_code == 200
    payment = {"payment_id": "AUD-P1", "contract_no": "AUD-K1", "installment_no": 1, "amount": 3500000}
    _ok(api("POST", "/payments", {"payments": [{**payment, "paid_at": "2025-06-16T10:00:00+07:00"}]}, ADMIN))
    campaign = _ok(
        api(
            "POST",
            "/campaigns",
            {
                "name": "Promo",
                "channel": "whatsapp",
                "template": {
                    "body": "Halo {{ customer.first_name }}",
                    "whatsapp_template": {"name": "p", "language": "id"},
                },
                "segment": {},
            },
            ADMIN,
        )
    )
    kid = campaign["id"]
    _ok(api("PATCH", f"/campaigns/{kid}", {"name": "Promo Juni"}, ADMIN))
    _ok(api("POST", f"/campaigns/{kid}/test", {"customer_ids": [cid]}, ADMIN))
    _ok(api("POST", f"/campaigns/{kid}/send", None, ADMIN))
    _ok(api("POST", f"/campaigns/{kid}/pause", None, ADMIN))
    _ok(api("POST", f"/campaigns/{kid}/resume", None, ADMIN))
    runner.drain("fan_out_audience")
    runner.drain("send_outbound")
    _ok(api("POST", f"/campaigns/{kid}/retry-failed", None, ADMIN))
    _ok(api("POST", f"/campaigns/{kid}/cancel", None, ADMIN))
    _ok(api("POST", "/journeys/defaults", None, ADMIN))
    welcome = _ok(api("GET", "/journeys/welcome", None, ADMIN))
    edited = {k: welcome[k] for k in ("name", "trigger", "steps", "exit", "version")}
    _ok(api("PUT", "/journeys/welcome", {**edited, "name": "Selamat datang"}, ADMIN))
    _ok(api("POST", "/journeys/welcome/pause", None, ADMIN))
    _ok(api("POST", "/journeys/welcome/resume", None, ADMIN))
    copy = {k: v for k, v in edited.items() if k != "version"}
    _ok(api("POST", "/journeys", {**copy, "id": "welcome-copy"}, ADMIN))
    _ok(api("PUT", "/holidays/2025-12-24", {"name": "Malam Natal", "greet": False}, ADMIN))
    _ok(api("DELETE", "/holidays/2025-12-24", None, ADMIN))
    _ok(api("POST", "/greetings/runs", {"date": "2025-06-17"}, ADMIN))
    _ok(api("POST", "/reminders/runs", {"date": "2025-06-17"}, ADMIN))
    ladder = _ok(api("GET", "/reminders/ladder", None, ADMIN))
    _ok(api("PUT", "/reminders/ladder", {"steps": ladder["steps"][:3], "version": ladder["version"]}, ADMIN))
    body = body_of(wa_text("Saya mau ambil kredit mobil baru", phone="6281355550000", name="Agus"))
    assert client.http.post("/webhooks/meta", body=body, headers=signed_headers(body)).status_code == 200
    runner.drain("analyse_inbound")
    [task] = _ok(api("GET", "/telegreeting?date=2025-06-17", None, ADMIN))["items"]
    _ok(api("POST", f"/telegreeting/{quote(task['id'], safe='')}", {"outcome": "reached"}, ADMIN))
    [conversation] = _ok(api("GET", "/scrm/conversations", None, ADMIN))["items"]
    vid = conversation["id"]
    _ok(api("POST", f"/scrm/conversations/{vid}/reply", {"text": "Baik, kami hubungi"}, ADMIN))
    _ok(api("POST", f"/scrm/conversations/{vid}/assign", {"agent": roster_agent("rina")}, ADMIN))
    _ok(api("POST", f"/scrm/conversations/{vid}/link", {"customer_id": cid}, ADMIN))
    _ok(api("POST", f"/scrm/conversations/{vid}/resolve", None, ADMIN))
    _ok(api("POST", f"/scrm/conversations/{vid}/reopen", None, ADMIN))
    _ok(api("POST", f"/scrm/conversations/{vid}/lead", None, ADMIN))
    reply = _ok(api("POST", "/scrm/replies", {"title": "Salam", "text": "Terima kasih"}, ADMIN))
    status, _ = api("DELETE", f"/scrm/replies/{reply['id']}", None, ADMIN)
    assert status == 204
    _ok(api("POST", "/outbound/halt", {"reason": "latihan insiden"}, ADMIN))
    _ok(api("POST", "/outbound/resume", None, ADMIN))
    policy = _ok(api("GET", "/settings/contact-policy", None, ADMIN))
    purposes = {n: {k: v for k, v in w.items() if k != "regulation"} for n, w in policy["purposes"].items()}
    _ok(api("PUT", "/settings/contact-policy", {"purposes": purposes}, ADMIN))
    _ok(api("DELETE", f"/customers/{cid}", None, ADMIN))

    audit = _ok(api("GET", "/audit?limit=500", None, ADMIN))["items"]
    actions = {entry["action"] for entry in audit}
    assert set(AUDITED.values()) <= actions, set(AUDITED.values()) - actions
    assert {entry["actor"] for entry in audit if entry["action"] in AUDITED.values()} == {"local-admin"}
    targets = {entry["action"]: entry["target"] for entry in audit}
    assert (targets["conversation.resolve"], targets["campaign.cancel"], targets["customer.erased"]) == (vid, kid, cid)
