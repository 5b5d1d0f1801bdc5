"""Erasing a customer removes their words and contacts from every SCRM item, and forgets their accounts."""

from __future__ import annotations

from boto3.dynamodb.conditions import Key

from tests.scrm.meta_payloads import ADMIN, dm, wa_text


def scrm_items(aws, settings, customer_id: str) -> list[dict]:
    table = aws.table(settings.table_name("scrm"))
    return table.query(IndexName="gsi2", KeyConditionExpression=Key("gsi2pk").eq(f"customer#{customer_id}"))["Items"]


def test_erasure_blanks_conversations_events_and_leads_but_keeps_the_analysis(
    deliver, api, aws, settings, make_customer
) -> None:
    customer = make_customer()
    deliver(wa_text("Saya mau ajukan kredit mobil baru, syaratnya apa?", user_id="ID.555"))
    deliver(wa_text("Saya kecewa, tagihan saya salah!"))
    assert any(item.get("text") for item in scrm_items(aws, settings, customer["id"]))

    status, _ = api("DELETE", f"/customers/{customer['id']}", headers=ADMIN)

    assert status == 200
    items = scrm_items(aws, settings, customer["id"])
    assert items
    for item in items:
        assert not {"text", "preview", "sender_name", "sender_phone", "sender_id", "name", "phone"} & set(item)
        assert item["erased_at"]
    assert not [item for item in items if str(item["pk"]).startswith("identity#")]
    events = [item for item in items if item.get("kind") == "event" and item.get("direction") == "in"]
    assert all(item["analysis"]["category"] for item in events)


def test_messages_of_a_linked_instagram_sender_are_erased_with_the_customer(
    deliver, api, inbox, aws, settings, make_customer
) -> None:
    customer = make_customer()
    deliver(dm("instagram", "Nomor kontrak saya 998877, tolong dicek", sender="IG-ERASE"))
    [conversation] = inbox()
    api("POST", f"/scrm/conversations/{conversation['id']}/link", {"customer_id": customer["id"]}, ADMIN)

    api("DELETE", f"/customers/{customer['id']}", headers=ADMIN)

    texts = [item.get("text") for item in scrm_items(aws, settings, customer["id"])]
    assert texts
    assert not any(texts)
