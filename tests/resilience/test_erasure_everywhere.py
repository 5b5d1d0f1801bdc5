"""UU PDP's right to erasure: after DELETE /customers/{id}, no table and no bucket holds the person's data.

One customer is seeded into every store Sapa has (import, greeting, campaign,
WhatsApp messages to and from them, a lead and its call task, a webhook body
big enough to go through S3), erased, and then every item of every table and
every object of every bucket is searched for their phone, e-mail and name.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.core import resources
from tests.scrm.meta_payloads import body_of, signed_headers, wa_text

ADMIN = {"Authorization": "Bearer test-admin-token"}
NAME = "Siti Rahmawati"
PHONE_LOCAL = "081377778888"
PHONE_E164 = "+6281377778888"
PHONE_WA = "6281377778888"
EMAIL = "siti.rahmawati@contoh.co.id"
NEEDLES = (NAME, "Rahmawati", PHONE_LOCAL, PHONE_E164, PHONE_WA, "81377778888", EMAIL)
LEAD = "Saya mau ambil kredit mobil baru, bisa dibantu simulasinya?"


def _everything(aws: Any, settings: Any) -> Iterator[tuple[str, str]]:
    """(where, text) for every item of every table and every object of every bucket."""
    for table in resources.TABLES:
        name = settings.table_name(table.logical)
        kwargs: dict[str, Any] = {"TableName": name}
        while True:
            page = aws.dynamodb.scan(**kwargs)
            for item in page["Items"]:
                yield name, json.dumps(item, ensure_ascii=False)
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    s3 = aws.client("s3")
    for bucket in resources.BUCKETS:
        name = f"{resources.prefix(settings.stage)}-{bucket.logical}"
        for listed in s3.list_objects_v2(Bucket=name).get("Contents", []):
            body = s3.get_object(Bucket=name, Key=listed["Key"])["Body"].read().decode("utf-8", "replace")
            yield f"s3://{name}/{listed['Key']}", body


def _hits(aws: Any, settings: Any) -> list[str]:
    return sorted(
        {f"{where}: {needle}" for where, text in _everything(aws, settings) for needle in NEEDLES if needle in text}
    )


@pytest.fixture
def seeded(client, api, runner, whatsapp, monkeypatch, clock) -> dict[str, Any]:
    """One customer in every store: their record, greetings, a campaign, messages both ways, a lead, a call."""
    monkeypatch.setenv("SAPA_WHATSAPP_RATE", "1000000")
    monkeypatch.setenv("SAPA_SES_RATE", "1000000")
    monkeypatch.setenv("SAPA_SQS_MAX_MESSAGE_BYTES", "2048")  # so the big delivery below goes through S3
    csv = (
        "external_id,name,phone,email,birth_date,province,city,consent_whatsapp,consent_email\n"
        f"ERASE-1,{NAME},{PHONE_LOCAL},{EMAIL},1990-06-17,DKI Jakarta,Jakarta,greetings;promotions,promotions\n"
    )
    imported = client.http.post("/customers/import", body=csv, headers={**ADMIN, "Content-Type": "text/csv"})
    assert imported.status_code == 200, imported.body
    _, found = api("GET", "/customers?external_id=ERASE-1", None, ADMIN)
    [customer] = found["items"]

    _, run = api("POST", "/greetings/runs", {"date": "2025-06-17"}, ADMIN)
    assert run["birthday"] == 1
    status, campaign = api(
        "POST",
        "/campaigns",
        {
            "name": "Promo servis",
            "channel": "email",
            "template": {
                "subject": "{{ customer.first_name }}, promo servis",
                "body": "Halo {{ customer.name }}, servis hemat. Berhenti: {{ unsubscribe_url }}",
            },
            "segment": {"field": "city", "op": "eq", "value": "Jakarta"},
        },
        ADMIN,
    )
    assert status == 201, campaign
    api("POST", f"/campaigns/{campaign['id']}/send", None, ADMIN)
    runner.drain("fan_out_audience")

    small = wa_text(LEAD, phone=PHONE_WA, name=NAME)
    big = wa_text(
        f"Halo, saya {NAME} ({PHONE_E164}, {EMAIL}). " + "Tolong cek angsuran saya. " * 120, phone=PHONE_WA, name=NAME
    )
    for payload in (small, big):
        body = body_of(payload)
        response = client.http.post("/webhooks/meta", body=body, headers=signed_headers(body))
        assert response.status_code == 200, response.body
    runner.drain("analyse_inbound")
    runner.drain("send_outbound")

    _, leads = api("GET", "/leads", None, ADMIN)
    assert [lead["customer_id"] for lead in leads["items"]] == [customer["id"]]
    return customer


def test_before_erasure_the_customer_is_in_every_store(aws, settings, seeded) -> None:
    stores = {where.split(":")[0].rsplit("-", 1)[-1] for where in _hits(aws, settings)}

    assert {"customers", "messages", "scrm", "greetings"} <= stores


def test_erasure_leaves_no_phone_email_or_name_in_any_table_or_bucket(api, aws, settings, seeded) -> None:
    status, erased = api("DELETE", f"/customers/{seeded['id']}", None, ADMIN)

    assert status == 200
    assert erased["erased"] is True
    hits = _hits(aws, settings)
    assert hits == [], "\n".join(hits)


def test_queues_that_can_hold_personal_data_keep_it_no_longer_than_72_hours() -> None:
    for queue in resources.QUEUES:
        assert queue.retention_seconds <= 72 * 3600, queue.logical
        assert queue.dlq_retention_seconds <= 72 * 3600, queue.logical
    for bucket in resources.BUCKETS:
        assert bucket.expire_days <= 3, bucket.logical
