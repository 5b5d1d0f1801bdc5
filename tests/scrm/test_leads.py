"""A message showing purchase intent becomes a lead and a call on the telemarketers' list."""

from __future__ import annotations

from datetime import timedelta, timezone

from boto3.dynamodb.conditions import Key

from tests import clocks
from tests.scrm.meta_payloads import ADMIN, dm, wa_text

LEAD = "Saya mau ajukan kredit mobil baru, syaratnya apa?"


def calls_today(aws, settings) -> list[dict]:
    day = clocks.now().astimezone(timezone(timedelta(hours=7))).date().isoformat()
    table = aws.table(settings.table_name("greetings"))
    return table.query(KeyConditionExpression=Key("pk").eq(f"calls#{day}"))["Items"]


def test_a_lead_message_creates_a_lead_and_a_call_task(deliver, api, aws, settings, make_customer) -> None:
    customer = make_customer()

    deliver(wa_text(LEAD))

    status, body = api("GET", "/leads", headers=ADMIN)
    assert status == 200
    [lead] = body["items"]
    assert (lead["customer_id"], lead["channel"], lead["phone"], lead["status"]) == (
        customer["id"],
        "whatsapp",
        "+6281234567890",
        "open",
    )
    [task] = calls_today(aws, settings)
    assert task["occasion"] == "lead"
    assert task["customer_id"] == customer["id"]
    assert task["sk"] == f"{customer['id']}#lead#{lead['id']}"
    assert task["status"] == "open"
    assert "Budi Santoso" in task["script"]
    assert "WhatsApp" in task["script"]


def test_a_repeated_lead_delivery_makes_one_lead_and_one_call(deliver, api, aws, settings) -> None:
    payload = wa_text(LEAD, wamid="wamid.LEAD1")

    deliver(payload)
    deliver(payload)

    assert len(api("GET", "/leads", headers=ADMIN)[1]["items"]) == 1
    assert len(calls_today(aws, settings)) == 1


def test_the_lead_is_acknowledged_to_the_customer(deliver, runner, whatsapp) -> None:
    deliver(wa_text(LEAD))
    runner.drain("send_outbound")

    [ack] = whatsapp.messages()
    assert "menghubungi" in ack["text"]


def test_a_lead_from_an_unknown_instagram_user_is_still_listed(deliver, api) -> None:
    deliver(dm("instagram", "I want to apply for a new car loan, what are the requirements?", sender="IG-LEAD"))

    [lead] = api("GET", "/leads", headers=ADMIN)[1]["items"]
    assert (lead["customer_id"], lead["channel"], lead["language"]) == (None, "instagram", "en")


def test_leads_are_for_the_staff_who_work_them(api, staff_token, client) -> None:
    """A lead holds a name, a phone and the message: telemarketing and agents, not viewers."""
    assert api("GET", "/leads", headers=staff_token("agent"))[0] == 200
    assert api("GET", "/leads", headers=staff_token("marketer"))[0] == 200
    assert api("GET", "/leads", headers=staff_token("viewer"))[0] == 403
    assert client.http.get("/leads").status_code == 401


def test_linking_the_sender_to_a_customer_fills_the_lead_and_its_call(deliver, api, make_customer) -> None:
    customer = make_customer(name="Dewi Lestari", phone="+6281377770000")
    deliver(dm("instagram", "I want to apply for a new car loan, what are the requirements?", sender="IG-LEAD"))
    [conversation] = api("GET", "/scrm/conversations", headers=ADMIN)[1]["items"]

    status, _ = api(
        "POST", f"/scrm/conversations/{conversation['id']}/link", {"customer_id": customer["id"]}, headers=ADMIN
    )

    assert status == 200
    [lead] = api("GET", "/leads", headers=ADMIN)[1]["items"]
    assert (lead["customer_id"], lead["name"], lead["phone"]) == (customer["id"], "Dewi Lestari", "+6281377770000")
    [call] = api("GET", "/telegreeting?kind=lead", headers=ADMIN)[1]["items"]
    assert (call["customer_id"], call["name"], call["phone"]) == (customer["id"], "Dewi Lestari", "+6281377770000")
    # Erasing the customer now takes the call off the list too (it is filed under them).
    api("DELETE", f"/customers/{customer['id']}", headers=ADMIN)
    assert api("GET", "/telegreeting?kind=lead", headers=ADMIN)[1]["items"] == []
