"""Signed Meta deliveries for the SCRM tests, stamped with Sapa's clock (now) so the 24-hour window is open."""

from __future__ import annotations

import json
import uuid
from typing import Any

from chalicelib.scrm.meta import sign
from tests import clocks

APP_SECRET = "test-meta-app-secret"
ADMIN = {"Authorization": "Bearer test-admin-token"}
OUR_WA_NUMBER_ID = "109284756301928"
OUR_PAGE_ID = "104857600123456"
OUR_IG_ID = "17841400987654321"


def _epoch() -> float:
    return clocks.now().timestamp()


def body_of(payload: Any) -> bytes:
    if isinstance(payload, bytes):
        return payload
    return json.dumps(payload, separators=(",", ":")).encode()


def signed_headers(body: bytes, secret: str = APP_SECRET) -> dict[str, str]:
    return {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, secret)}


def wa_text(
    text: str,
    *,
    phone: str | None = "6281234567890",
    wamid: str | None = None,
    at: float | None = None,
    name: str = "Budi Santoso",
    user_id: str | None = None,
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "id": wamid or f"wamid.{uuid.uuid4().hex}",
        "timestamp": str(int(at if at is not None else _epoch())),
        "type": "text",
        "text": {"body": text},
    }
    contact: dict[str, Any] = {"profile": {"name": name}}
    if phone:
        message["from"] = phone
        contact["wa_id"] = phone
    if user_id:
        message["from_user_id"] = user_id
        contact["user_id"] = user_id
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "110398475620184",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "6282130001234", "phone_number_id": OUR_WA_NUMBER_ID},
                            "contacts": [contact],
                            "messages": [message],
                        },
                    }
                ],
            }
        ],
    }


def wa_status(wamid: str, status: str, *, at: float | None = None, callback: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": wamid,
        "status": status,
        "timestamp": str(int(at if at is not None else _epoch())),
        "recipient_id": "6281234567890",
    }
    if callback:
        entry["biz_opaque_callback_data"] = callback
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "110398475620184",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "6282130001234", "phone_number_id": OUR_WA_NUMBER_ID},
                            "statuses": [entry],
                        },
                    }
                ],
            }
        ],
    }


def dm(platform: str, text: str, *, sender: str = "7391045628310457", mid: str | None = None) -> dict[str, Any]:
    """A Messenger ("facebook") or Instagram DM."""
    ours = OUR_PAGE_ID if platform == "facebook" else OUR_IG_ID
    now_ms = int(_epoch() * 1000)
    return {
        "object": "page" if platform == "facebook" else "instagram",
        "entry": [
            {
                "id": ours,
                "time": now_ms,
                "messaging": [
                    {
                        "sender": {"id": sender},
                        "recipient": {"id": ours},
                        "timestamp": now_ms,
                        "message": {"mid": mid or f"m_{uuid.uuid4().hex}", "text": text},
                    }
                ],
            }
        ],
    }


def ig_comment(text: str, *, comment_id: str | None = None, author: str = "998877665544332") -> dict[str, Any]:
    return {
        "object": "instagram",
        "entry": [
            {
                "id": OUR_IG_ID,
                "time": int(_epoch()),
                "changes": [
                    {
                        "field": "comments",
                        "value": {
                            "from": {"id": author, "username": "fajar.pratama_"},
                            "media": {"id": "18062938475610293", "media_product_type": "FEED"},
                            "id": comment_id or str(uuid.uuid4().int)[:17],
                            "text": text,
                        },
                    }
                ],
            }
        ],
    }


def wa_list_reply(row_id: str, title: str, *, phone: str = "6281234567890", context: str | None = None) -> dict:
    """The customer picked a row of an interactive list (shape of Meta's list_reply sample)."""
    payload = wa_text("", phone=phone)
    message = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    del message["text"]
    message.update(
        type="interactive",
        interactive={"type": "list_reply", "list_reply": {"id": row_id, "title": title}},
        context={"from": OUR_WA_NUMBER_ID, "id": context or f"wamid.{uuid.uuid4().hex}"},
    )
    return payload


def dm_quick_reply(platform: str, title: str, payload: str, *, sender: str = "7391045628310457") -> dict:
    """A tap on one of our quick replies: the title as text, our payload under quick_reply."""
    delivery = dm(platform, title, sender=sender)
    delivery["entry"][0]["messaging"][0]["message"]["quick_reply"] = {"payload": payload}
    return delivery
