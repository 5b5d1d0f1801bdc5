"""Privacy: a full scenario's logs — API, workers, webhooks — hold no seeded personal data."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import date

import pytest

from chalicelib.core.observability import logger
from chalicelib.scrm.meta.signature import sign

ADMIN = {"Authorization": "Bearer test-admin-token"}
PEOPLE = [
    ("PRIV-1", "Bambang Susilo", "081311112222", "bambang.susilo@contoh.co.id"),
    ("PRIV-2", "Ayu Lestari", "+62 813 3333 4444", "ayu.lestari@contoh.co.id"),
    ("PRIV-3", "Yohanes Rumbiak", "6281355556666", "yohanes.rumbiak@contoh.co.id"),
]
SECRET_TEXT = "angsuran saya bulan ini kok dobel, tolong dicek ya kak"


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """Everything Sapa's logger and the root logger write during the scenario."""
    stream = io.StringIO()
    handler = logger.registered_handler
    original, handler.stream = handler.stream, stream
    root = logging.StreamHandler(stream)
    logging.getLogger().addHandler(root)
    try:
        yield stream
    finally:
        handler.stream = original
        logging.getLogger().removeHandler(root)


def _whatsapp_text(phone_digits: str, text: str, message_id: str) -> bytes:
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
                            "contacts": [{"profile": {"name": "Bambang Susilo"}, "wa_id": phone_digits}],
                            "messages": [
                                {
                                    "from": phone_digits,
                                    "id": message_id,
                                    "timestamp": "1780000000",
                                    "type": "text",
                                    "text": {"body": text},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
    return json.dumps(payload).encode()


def test_a_full_scenario_logs_no_phone_email_name_or_message_text(api, client, whatsapp, runner, captured_logs) -> None:
    for external_id, name, phone, email in PEOPLE:
        status, _ = api(
            "POST",
            "/customers",
            {
                "external_id": external_id,
                "name": name,
                "phone": phone,
                "email": email,
                "birth_date": "1979-06-15",
                "consents": {"whatsapp": ["greetings"], "email": ["greetings"]},
            },
            ADMIN,
        )
        assert status == 201
    api("GET", "/customers?phone=081311112222", None, ADMIN)
    api("POST", "/customers", {"external_id": "PRIV-9", "name": "Bad", "phone": "0813-bad"}, ADMIN)
    api("POST", "/greetings/runs", {"date": date(2027, 6, 15).isoformat()}, ADMIN)
    runner.drain()
    body = _whatsapp_text("6281311112222", SECRET_TEXT, "wamid.PRIVACY1")
    response = client.http.post(
        "/webhooks/meta",
        body=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, "test-meta-app-secret")},
    )
    assert response.status_code == 200
    runner.drain("analyse_inbound")
    runner.drain()

    logs = captured_logs.getvalue()
    assert len(whatsapp.messages()) >= 3  # the scenario really ran
    assert logs, "nothing was logged: the check would prove nothing"
    for _, name, phone, email in PEOPLE:
        digits = "".join(ch for ch in phone if ch.isdigit()).removeprefix("0").removeprefix("62")
        assert digits not in logs.replace("-", "").replace(" ", "")
        assert email not in logs
        assert name not in logs
    assert SECRET_TEXT not in logs
    assert "Selamat ulang tahun" not in logs
