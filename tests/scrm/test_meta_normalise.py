"""Meta deliveries → InboundEvent: every fixture, duplicates, ids, clocks, status order, and fuzzing."""

from __future__ import annotations

import copy
import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.scrm.meta import (
    KINDS,
    PLATFORMS,
    InboundEvent,
    MetaError,
    accepted_object,
    dedupe,
    furthest_status,
    split_delivery,
    status_rank,
)

FIXTURES = Path(__file__).parent / "fixtures" / "meta"
NOT_DELIVERIES = {"handshake.json", "wa_signature_vector.json"}
DELIVERY_NAMES = sorted(p.name for p in FIXTURES.glob("*.json") if p.name not in NOT_DELIVERIES)
DELIVERIES: dict[str, dict[str, Any]] = {name: json.loads((FIXTURES / name).read_bytes()) for name in DELIVERY_NAMES}

PNID = "109284756301928"
PAGE = "104857600123456"
IGID = "17841400987654321"
BUDI, SITI, DEWI = "6281234567890", "6285712345678", "6281398765432"
BSUID = "ID.20485730193847561029"
ANDI, RINA = "7391045628310457", "6620193847561203"
MAYA, FAJAR = "1203948571029384", "998877665544332"
POST = f"{PAGE}_122140000000000001"
COMMENT = "122140000000000001_1029384756102938"
_IGMID = (
    "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAwOTg3NjU0MzIxOjM0MDI4MjM2Njg0MTcxMDMwMDk0OTEyODUy"
    "NTYwOTEwODQ0ODU4MjozMTAyOTM4NDc1NjEwMjkzODQ3NTYxMDI5Mzg0"
)
IGMID = _IGMID + "NzUZD"
_FBMID = "m_Xk2kK9mV3qT0r1s2u3v4w5x6y7z8A9B0C1D2E3F4G5H6I7J8K9L0M1N2O3P4Q5R6S7T8U9V0W1X2"


def wamid(tail: str) -> str:
    return f"wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjA{tail}A"


def igmid(tail: str) -> str:
    return _IGMID + "N" + tail


def fbmid(tail: str) -> str:
    return _FBMID + tail


OUT_ID = wamid("yQTZCN0M4RDlFMEYxQTJCM0M0")
BUDI_WA = {"platform": "whatsapp", "sender_id": BUDI, "sender_phone": "+" + BUDI, "sender_name": "Budi Santoso"}
SITI_WA = {"platform": "whatsapp", "sender_id": SITI, "sender_phone": "+" + SITI, "sender_name": "Siti Rahmawati"}
US_WA = {"recipient_id": PNID, "is_test": False}
MAYA_IG = {"platform": "instagram", "sender_id": MAYA, "recipient_id": IGID, "is_test": False}
ANDI_FB = {"platform": "facebook", "sender_id": ANDI, "recipient_id": PAGE, "is_test": False}
RINA_FB = {"platform": "facebook", "sender_id": RINA, "recipient_id": PAGE, "is_test": False}


def wa_msg(tail: str, **fields: Any) -> dict[str, Any]:
    return {"kind": "message", "dedupe_key": f"wa:msg:{wamid(tail)}", "event_id": wamid(tail), **US_WA, **fields}


def wa_status(message_id: str, status: str, **fields: Any) -> dict[str, Any]:
    return {
        "kind": "status",
        "platform": "whatsapp",
        "dedupe_key": f"wa:status:{message_id}:{status}",
        "event_id": message_id,
        "status": status,
        "text": None,
        **US_WA,
        **fields,
    }


def err(code: int, title: str, message: str | None = None, details: str | None = None) -> MetaError:
    return MetaError(code=code, title=title, message=message, details=details)


TEMPLATE_DELIVERED = wa_status(
    OUT_ID,
    "delivered",
    sender_id=SITI,
    sender_phone="+" + SITI,
    conversation_ref="b6c4e1f0a2d94c7e8f1a3b5c7d9e0f12",
)

# What a user of the inbox would notice about each delivery, in payload order.
EXPECTED: dict[str, list[dict[str, Any]]] = {
    # ---------------------------------------------------------------- WhatsApp messages
    "wa_text.json": [
        wa_msg(
            "xQTFCMkMzRDRFNUY2QTdCOEM5",
            **BUDI_WA,
            message_type="text",
            text="Halo, saya mau tanya sisa cicilan motor saya berapa ya?",
            timestamp=1749801600,
            errors=(),
            reply_to=None,
        )
    ],
    "wa_text_reply_context.json": [
        wa_msg(
            "yMkQ0RjZBOEIwQzJEM0U0RjVB",
            **SITI_WA,
            text="Baik kak, saya transfer besok pagi",
            reply_to=wamid("zOUU4RDdDNkI1QTQ5MzgyNzE2"),
        )
    ],
    "wa_text_bsuid_no_phone.json": [
        wa_msg(
            "aQkNEMTIzNDU2Nzg5MEFCQ0RF",
            platform="whatsapp",
            sender_id=BSUID,
            sender_phone=None,
            sender_name="Dewi L.",
            text="Kak, nomor HP saya disembunyikan, tapi saya nasabah KrediKu",
            extra={"username": "@dewilestari"},
        )
    ],
    "wa_image_caption.json": [
        wa_msg(
            "bRjRFNUY2QTdCOEM5RDBFMUYy",
            **BUDI_WA,
            message_type="image",
            text="Ini bukti transfer angsuran bulan Juni",
            extra={"media_id": "1029384756102938", "mime_type": "image/jpeg"},
        )
    ],
    "wa_document_with_url.json": [
        wa_msg(
            "cNkE3QjhDOUQwRTFGMkEzQjRD",
            **SITI_WA,
            message_type="document",
            text="Slip gaji untuk pengajuan top up",
        )
    ],
    "wa_media_mixed.json": [
        wa_msg("dMUEyQjNDNEQ1RTZGN0E4QjlD", **BUDI_WA, message_type="audio", text=None),
        wa_msg("eNUQ2RTdGOEE5QjBDMUQyRTNG", **BUDI_WA, message_type="video", text=None),
        wa_msg("fOEI5QzBEMUUyRjNBNEI1QzZE", **BUDI_WA, message_type="sticker", text=None),
    ],
    "wa_interactive_button_reply.json": [
        wa_msg(
            "gQTJCM0M0RDVFNkY3QThCOUMw",
            **SITI_WA,
            message_type="interactive",
            text="Bayar sekarang",
            reply_to=wamid("hRDVFNkY3QThCOUMwRDFFMkYz"),
        )
    ],
    "wa_interactive_list_reply.json": [
        wa_msg("iRjdBOEI5QzBEMUUyRjNBNEI1", **BUDI_WA, message_type="interactive", text="Tenor 12 bulan")
    ],
    "wa_interactive_flow_reply.json": [
        wa_msg("kRTJGM0E0QjVDNkQ3RThGOUEw", **SITI_WA, message_type="interactive", text=None)
    ],
    "wa_template_quick_reply_button.json": [
        wa_msg(
            "mQTRCNUM2RDdFOEY5QTBCMUMy",
            **BUDI_WA,
            message_type="button",
            text="Ya, hubungi saya",
            reply_to=wamid("nQjVDNkQ3RThGOUEwQjFDMkQz"),
            extra={"payload": "REMINDER_CALL_ME"},
        )
    ],
    "wa_reaction.json": [
        wa_msg(
            "oQzZEN0U4RjlBMEIxQzJEM0U0",
            **SITI_WA,
            kind="reaction",
            message_type="reaction",
            action="react",
            text=None,
            reply_to=wamid("pRDdFOEY5QTBCMUMyRDNFNEY1"),
        )
    ],
    "wa_reaction_removed.json": [
        wa_msg(
            "qRThGOUEwQjFDMkQzRTRGNUE2",
            **SITI_WA,
            kind="reaction",
            message_type="reaction",
            action="unreact",
            reply_to=wamid("pRDdFOEY5QTBCMUMyRDNFNEY1"),
        )
    ],
    "wa_location.json": [wa_msg("rRjlBMEIxQzJEM0U0RjVBNkI3", **BUDI_WA, message_type="location", text=None)],
    "wa_contacts.json": [wa_msg("sQTBCMUMyRDNFNEY1QTZCN0M4", **BUDI_WA, message_type="contacts", text=None)],
    "wa_unsupported.json": [
        wa_msg(
            "tQjFDMkQzRTRGNUE2QjdDOEQ5",
            **SITI_WA,
            message_type="unsupported",
            text=None,
            errors=(
                err(
                    131051,
                    "Message type unknown",
                    "Message type unknown",
                    "Message type is currently not supported.",
                ),
            ),
        )
    ],
    "wa_order.json": [
        wa_msg(
            "9RjdBOEI5QzBEMUUyRjNBNEI1",
            **BUDI_WA,
            message_type="order",
            text="Mau ambil paket ini kak",
            extra={"catalog_id": "2938475610293847", "item_count": 1},
        )
    ],
    "wa_unknown_type.json": [
        wa_msg("uQzJEM0U0RjVBNkI3QzhEOUUw", **BUDI_WA, message_type="unsupported", extra={"raw_type": "hologram"})
    ],
    "wa_system_changed_number.json": [
        wa_msg(
            "vRDNFNEY1QTZCN0M4RDlFMEYx",
            kind="system",
            platform="whatsapp",
            sender_id=DEWI,
            sender_phone="+" + DEWI,
            message_type="system",
            extra={"system_type": "user_changed_number", "new_wa_id": "6281311112222"},
        )
    ],
    "wa_value_level_errors.json": [
        wa_msg(
            "wRTRGNUE2QjdDOEQ5RTBGMUEy",
            **BUDI_WA,
            message_type="interactive",
            text=None,
            errors=(err(131000, "Something went wrong", "Something went wrong", "Unsupported webhook payload"),),
        )
    ],
    "wa_value_errors_only.json": [
        {
            "kind": "error",
            "platform": "whatsapp",
            "recipient_id": PNID,
            "sender_id": None,
            "errors": (
                err(
                    131047,
                    "Re-engagement message",
                    "Re-engagement message",
                    "Message failed to send because more than 24 hours have passed since the customer last "
                    "replied to this number.",
                ),
            ),
        }
    ],
    "wa_referral_ctwa.json": [
        wa_msg(
            "7RDVFNkY3QThCOUMwRDFFMkYz",
            platform="whatsapp",
            sender_id="6287812340000",
            sender_phone="+6287812340000",
            sender_name="Rudi Hartono",
            text="Halo, saya tertarik pinjaman dana tunai dari iklan ini",
        )
    ],
    "wa_signed_text.raw.json": [
        wa_msg(
            "8RTZGN0E4QjlDMEQxRTJGM0E0",
            **BUDI_WA,
            text="Terima kasih \U0001f64f cicilan Rp1.500.000 sudah lunas \u2714\ufe0f",
        )
    ],
    "wa_dashboard_test.json": [
        {
            "kind": "message",
            "platform": "whatsapp",
            "dedupe_key": "wa:msg:ABGGFlA5Fpa",
            "sender_id": "16315551181",
            "sender_phone": "+16315551181",
            "recipient_id": "123456123",
            "text": "this is a text message",
            "is_test": True,
        }
    ],
    "wa_multiple_changes_one_entry.json": [
        wa_msg("4QTJCM0M0RDVFNkY3QThCOUMw", **BUDI_WA, text="Kak, aplikasinya error waktu bayar"),
        wa_msg("5QjNDNEQ1RTZGN0E4QjlDMEQx", **SITI_WA, text="Sudah saya bayar ya"),
        {**TEMPLATE_DELIVERED, "timestamp": 1749814002},
    ],
    "wa_duplicate_messages.json": [
        wa_msg("6QzRENUU2RjdBOEI5QzBEMUUy", **BUDI_WA, text="Halo?"),
        wa_msg("6QzRENUU2RjdBOEI5QzBEMUUy", **BUDI_WA, text="Halo?"),
        # The contacts block only describes Budi; Siti's status must not borrow his name.
        wa_status(OUT_ID, "read", sender_id=SITI, sender_name=None),
        wa_status(OUT_ID, "read", sender_id=SITI, sender_name=None),
    ],
    "wa_template_status_update.json": [
        {"kind": "unsupported", "platform": "whatsapp", "extra": {"field": "message_template_status_update"}}
    ],
    # ---------------------------------------------------------------- WhatsApp statuses
    "wa_status_sent.json": [
        wa_status(
            OUT_ID,
            "sent",
            **{k: v for k, v in SITI_WA.items() if k != "platform"},
            timestamp=1749812000,
            conversation_ref="b6c4e1f0a2d94c7e8f1a3b5c7d9e0f12",
            errors=(),
            extra={
                "conversation_origin": "utility",
                "conversation_expires": 1749898400,
                "pricing_category": "utility",
                "pricing_model": "PMP",
                "pricing_type": "regular",
                "billable": True,
                "biz_opaque_callback_data": "campaign=reminder-h3;loan=KR-2025-0001842",
                "user_id": "ID.30495867102938475610",
            },
        )
    ],
    "wa_status_delivered.json": [{**TEMPLATE_DELIVERED, "sender_name": None, "timestamp": 1749812005}],
    "wa_status_read.json": [wa_status(OUT_ID, "read", sender_id=SITI, sender_name="Siti Rahmawati")],
    "wa_status_played.json": [
        wa_status(wamid("zQjdDOEQ5RTBGMUEyQjNDNEQ1"), "played", sender_id=BUDI, sender_phone="+" + BUDI)
    ],
    "wa_status_failed_131026.json": [
        wa_status(
            wamid("0QzhEOUUwRjFBMkIzQzRENUU2"),
            "failed",
            sender_id=DEWI,
            errors=(
                err(
                    131026,
                    "Message undeliverable",
                    "Message undeliverable",
                    "Unable to deliver message. Reasons can include: the recipient phone number is not a "
                    "WhatsApp phone number.",
                ),
            ),
        )
    ],
    "wa_status_failed_130472.json": [
        wa_status(
            wamid("1RDlFMEYxQTJCM0M0RDVFNkY3"),
            "failed",
            sender_id=BUDI,
            sender_name="Budi Santoso",
            errors=(
                err(
                    130472,
                    "User's number is part of an experiment",
                    "User's number is part of an experiment",
                    "Failed to send message because this user's phone number is part of an experiment",
                ),
            ),
        )
    ],
    "wa_status_failed_with_pricing.json": [
        wa_status(
            wamid("2RTBGMUEyQjNDNEQ1RTZGN0E4"),
            "failed",
            sender_id=SITI,
            conversation_ref="d8e6a3b2c4f16e9a0b3c5d7e9f1a2b34",
            errors=(err(131053, "Media upload error: https://cdn.krediku.example/promo/juni.jpg returned 404"),),
        )
    ],
    "wa_status_delivered_bsuid.json": [
        wa_status(
            wamid("3RjFBMkIzQzRENUU2RjdBOEI5"),
            "delivered",
            sender_id=BSUID,
            sender_phone=None,
            sender_name="Dewi L.",
            extra={
                "pricing_category": "marketing",
                "pricing_model": "PMP",
                "pricing_type": "regular",
                "billable": True,
            },
        )
    ],
    # ---------------------------------------------------------------- Instagram
    "ig_message_text.json": [
        {
            "kind": "message",
            **MAYA_IG,
            "dedupe_key": f"ig:msg:{IGMID}",
            "event_id": IGMID,
            "text": "Min, syarat pengajuan kredit HP apa aja?",
            "message_type": "text",
            "timestamp": 1749820000,
            "sender_phone": None,
        }
    ],
    "ig_message_image.json": [
        {"kind": "message", **MAYA_IG, "dedupe_key": f"ig:msg:{igmid('IMG1')}", "message_type": "image", "text": None}
    ],
    "ig_message_unsupported_attachment.json": [
        {"kind": "message", "platform": "instagram", "sender_id": FAJAR, "message_type": "unsupported"}
    ],
    "ig_like_heart.json": [{"kind": "message", **MAYA_IG, "message_type": "like_heart", "text": None}],
    "ig_message_unsent.json": [
        {"kind": "deleted", **MAYA_IG, "dedupe_key": f"ig:deleted:{IGMID}", "event_id": IGMID, "text": None}
    ],
    "ig_story_reply.json": [
        {
            "kind": "message",
            "platform": "instagram",
            "sender_id": FAJAR,
            "text": "Promo ini masih berlaku kak?",
            "extra": {
                "story_id": "18049586710293847",
                "story_url": "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=18049586710293847",
            },
        }
    ],
    "ig_reactions.json": [
        {
            "kind": "reaction",
            **MAYA_IG,
            "action": "react",
            "reply_to": IGMID,
            "dedupe_key": f"ig:reaction:{IGMID}:{MAYA}:react:1749820600001",
            "extra": {"emoji": "\u2764\ufe0f", "reaction": "love"},
        },
        {
            "kind": "reaction",
            **MAYA_IG,
            "action": "unreact",
            "reply_to": IGMID,
            "dedupe_key": f"ig:reaction:{IGMID}:{MAYA}:unreact:1749820660001",
            "extra": {},
        },
    ],
    "ig_seen.json": [
        {
            "kind": "read",
            **MAYA_IG,
            "status": "read",
            "event_id": igmid("OUT1"),
            "dedupe_key": f"ig:read:{MAYA}:{igmid('OUT1')}",
        }
    ],
    "ig_echo.json": [
        {
            "kind": "echo",
            **MAYA_IG,  # customer stays in sender_id even though Meta's sender is our account
            "dedupe_key": f"ig:echo:{igmid('OUT2')}",
            "text": "Halo Kak Maya, syaratnya KTP dan slip gaji ya \U0001f60a",
        }
    ],
    "ig_comment.json": [
        {
            "kind": "comment",
            "platform": "instagram",
            "dedupe_key": "ig:comment:17984756102938475:add",
            "event_id": "17984756102938475",
            "sender_id": FAJAR,
            "sender_name": "fajar.pratama_",
            "recipient_id": IGID,
            "text": "@krediku.id kok pengajuan saya belum ada kabar ya",
            "reply_to": "17983746501928374",
            "timestamp": 1749820900,
            "is_test": False,
            "extra": {"media_id": "18062938475610293", "media_product_type": "FEED"},
        }
    ],
    "ig_comment_dashboard_test.json": [
        {"kind": "comment", "platform": "instagram", "text": "This is an example.", "is_test": True}
    ],
    "ig_dashboard_test_messages_changes.json": [
        {
            "kind": "message",
            "platform": "instagram",
            "dedupe_key": "ig:msg:random_mid",
            "sender_id": "12334",
            "recipient_id": "23245",
            "text": "random_text",
            "timestamp": 1527459824,
            "is_test": True,
        }
    ],
    "ig_dashboard_test_reaction.raw.json": [
        {"kind": "reaction", "platform": "instagram", "action": "react", "is_test": True, "reply_to": "random_mid"}
    ],
    "ig_mentions_field.json": [{"kind": "unsupported", "platform": "instagram", "extra": {"field": "mentions"}}],
    # ---------------------------------------------------------------- Facebook Page / Messenger
    "fb_message_text.json": [
        {
            "kind": "message",
            **ANDI_FB,
            "dedupe_key": f"fb:msg:{fbmid('Y3Z4')}",
            "text": "Selamat siang, cara cek tagihan gimana?",
            "message_type": "text",
            "timestamp": 1749830000,
        }
    ],
    "fb_message_legacy_numeric_ids.json": [
        {
            "kind": "message",
            **ANDI_FB,
            "dedupe_key": "fb:msg:mid.1457764197618:41d102a3e1ae206a38",
            "text": "Apakah bisa bayar lewat Indomaret?",
            "timestamp": 1457764197,
        }
    ],
    "fb_message_quick_reply.json": [
        {"kind": "message", **RINA_FB, "text": "Cek tagihan", "extra": {"quick_reply_payload": "MENU_CEK_TAGIHAN"}}
    ],
    "fb_echo.json": [
        {
            "kind": "echo",
            **ANDI_FB,
            "dedupe_key": f"fb:echo:{fbmid('ECH1')}",
            "text": "Silakan buka menu Tagihan di aplikasi KrediKu ya Kak.",
            "extra": {"app_id": "1928374650192837", "metadata": "sapa:agent=cs-07"},
        }
    ],
    "fb_delivery.json": [
        {
            "kind": "delivery",
            **ANDI_FB,
            "status": "delivered",
            "dedupe_key": f"fb:delivery:{ANDI}:1749830200900",
            "extra": {"mids": [fbmid("ECH1")], "watermark": 1749830200900},
        }
    ],
    "fb_read.json": [
        {"kind": "read", **ANDI_FB, "status": "read", "dedupe_key": f"fb:read:{ANDI}:1749830200900", "event_id": None}
    ],
    "fb_reaction.json": [
        {
            "kind": "reaction",
            **ANDI_FB,
            "action": "react",
            "reply_to": fbmid("ECH1"),
            "extra": {"emoji": "👍", "reaction": "like"},
        }
    ],
    "fb_postback.json": [
        {
            "kind": "message",
            **RINA_FB,
            "message_type": "postback",
            "text": "Hubungi CS",
            "dedupe_key": f"fb:postback:{fbmid('PB01')}",
            "extra": {"payload": "GET_STARTED_CS"},
        }
    ],
    "fb_message_sticker.json": [
        {
            "kind": "message",
            **RINA_FB,
            "message_type": "sticker",
            "text": None,
            "extra": {
                "media_url": "https://scontent.xx.fbcdn.net/v/t39.1997-6/851557_369239266556155_759568595_n.png",
                "attachment_type": "image",
                "sticker_id": "369239263222822",
            },
        }
    ],
    "fb_referral.json": [{"kind": "unsupported", "platform": "facebook", "extra": {"keys": ["referral"]}}],
    "fb_standby_message.json": [
        {"kind": "message", **RINA_FB, "text": "Halo, masih ada orang?", "extra": {"standby": True}}
    ],
    "fb_duplicate_entries.json": [
        {"kind": "message", **ANDI_FB, "dedupe_key": f"fb:msg:{fbmid('DUP1')}", "text": "Tes"},
        {"kind": "message", **ANDI_FB, "dedupe_key": f"fb:msg:{fbmid('DUP1')}", "text": "Tes"},
    ],
    "fb_feed_comment_add.json": [
        {
            "kind": "comment",
            "platform": "facebook",
            "dedupe_key": f"fb:comment:{COMMENT}:add",
            "event_id": COMMENT,
            "sender_id": "8123456789012345",
            "sender_name": "Andi Wijaya",
            "recipient_id": PAGE,
            "text": "Min, kenapa denda keterlambatan saya naik terus?",
            "action": "add",
            "reply_to": None,  # top-level comment: its parent is the post itself
            "timestamp": 1749808800,
            "extra": {"post_id": POST, "parent_id": POST},
        }
    ],
    "fb_feed_comment_reply_by_page.json": [
        {
            "kind": "comment",
            "platform": "facebook",
            "sender_id": PAGE,
            "sender_name": "KrediKu Indonesia",
            "reply_to": COMMENT,
            "extra": {"post_id": POST, "parent_id": COMMENT, "by_page": True},
        }
    ],
    "fb_feed_comment_legacy_sender_fields.json": [
        {
            "kind": "comment",
            "platform": "facebook",
            "dedupe_key": "fb:comment:901097836652708_903438993085259:add",
            "sender_id": "1000123456789012",
            "sender_name": "Rina Kurnia",
            "recipient_id": "1234567890321",
            "text": "Info cicilan 0% dong",
        }
    ],
    "fb_feed_comment_edited.json": [
        {
            "kind": "comment",
            "platform": "facebook",
            "event_id": COMMENT,
            "action": "edited",
            "text": "Min, kenapa denda keterlambatan saya naik? Mohon dicek.",
        }
    ],
    "fb_feed_comment_remove.json": [
        {
            "kind": "comment",
            "platform": "facebook",
            "event_id": COMMENT,
            "action": "remove",
            "text": None,
            "dedupe_key": f"fb:comment:{COMMENT}:remove",
        }
    ],
    "fb_feed_status_dashboard_test.json": [
        {
            "kind": "post",
            "platform": "facebook",
            "dedupe_key": "fb:post:44444444_444444444:add",
            "message_type": "status",
            "sender_name": "Test Page",
            "text": "Example post content.",
            "is_test": True,
        }
    ],
    "fb_feed_reaction.json": [
        {
            "kind": "reaction",
            "platform": "facebook",
            "sender_id": "8234567890123456",
            "action": "react",
            "reply_to": POST,
            "extra": {"reaction": "angry", "post_id": POST},
        }
    ],
    "fb_feed_unknown_item.json": [
        {"kind": "unsupported", "platform": "facebook", "extra": {"item": "event", "verb": "add"}}
    ],
    "unknown_object.json": [],
}


def _events(name: str) -> list[InboundEvent]:
    return split_delivery(DELIVERIES[name])


def test_every_fixture_has_expectations() -> None:
    assert sorted(EXPECTED) == DELIVERY_NAMES


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_normalises_to_expected_events(name: str) -> None:
    events = _events(name)
    expected = EXPECTED[name]
    assert len(events) == len(expected), [e.to_dict() for e in events]
    for event, wanted in zip(events, expected, strict=True):
        actual = {key: getattr(event, key) for key in wanted}
        assert actual == wanted


@pytest.mark.parametrize("name", DELIVERY_NAMES)
def test_events_survive_json_round_trip(name: str) -> None:
    for event in _events(name):
        encoded = json.dumps(event.to_dict())
        assert InboundEvent.from_dict(json.loads(encoded)) == event


# ---------------------------------------------------------------- duplicates and dedupe keys


def test_duplicate_messages_and_statuses_inside_one_delivery_collapse() -> None:
    events = _events("wa_duplicate_messages.json")
    unique = dedupe(events)
    assert [e.kind for e in unique] == ["message", "status"]
    assert unique[0] is events[0]
    assert unique[1] is events[2]


def test_same_mid_in_two_entries_collapses() -> None:
    assert len(dedupe(_events("fb_duplicate_entries.json"))) == 1


def test_dedupe_keeps_order_and_distinct_events() -> None:
    events = _events("wa_media_mixed.json")
    assert dedupe(events) == events
    assert dedupe([]) == []


def test_status_keys_include_the_status_because_meta_reuses_the_message_id() -> None:
    names = ["wa_status_sent.json", "wa_status_delivered.json", "wa_status_read.json"]
    events = [event for name in names for event in _events(name)]
    assert {e.event_id for e in events} == {OUT_ID}
    assert len({e.dedupe_key for e in events}) == 3
    assert len(dedupe(events)) == 3


def test_react_then_unreact_are_two_events() -> None:
    events = _events("ig_reactions.json")
    assert len(dedupe(events)) == 2


def test_comment_add_edit_remove_have_distinct_keys_and_edits_differ_by_text() -> None:
    names = ["fb_feed_comment_add.json", "fb_feed_comment_edited.json", "fb_feed_comment_remove.json"]
    keys = [_events(name)[0].dedupe_key for name in names]
    assert len(set(keys)) == 3
    second_edit = copy.deepcopy(DELIVERIES["fb_feed_comment_edited.json"])
    second_edit["entry"][0]["changes"][0]["value"]["message"] = "Sudah dibalas, terima kasih."
    assert split_delivery(second_edit)[0].dedupe_key != keys[1]
    assert split_delivery(copy.deepcopy(DELIVERIES["fb_feed_comment_edited.json"]))[0].dedupe_key == keys[1]


def test_unsupported_keys_are_stable_across_retries() -> None:
    first = _events("ig_mentions_field.json")[0].dedupe_key
    again = split_delivery(json.loads((FIXTURES / "ig_mentions_field.json").read_bytes()))[0].dedupe_key
    assert first == again
    assert first.startswith("ig:unsupported:")


# ---------------------------------------------------------------- identities and clocks


def test_business_scoped_user_without_phone() -> None:
    (event,) = _events("wa_text_bsuid_no_phone.json")
    assert event.sender_id == BSUID
    assert event.sender_phone is None
    assert "user_id" not in event.extra  # sender_id already is the BSUID


def test_business_scoped_id_is_kept_alongside_the_phone() -> None:
    (event,) = _events("wa_text_reply_context.json")
    assert event.sender_phone == "+" + SITI
    assert event.extra["user_id"] == "ID.30495867102938475610"


@pytest.mark.parametrize("name", ["fb_message_legacy_numeric_ids.json", "fb_feed_comment_legacy_sender_fields.json"])
def test_legacy_numeric_ids_become_strings(name: str) -> None:
    for event in _events(name):
        for value in (event.sender_id, event.recipient_id, event.event_id):
            assert isinstance(value, str)


def test_numeric_and_string_ids_normalise_identically() -> None:
    numeric = _events("fb_message_legacy_numeric_ids.json")[0]
    stringly = copy.deepcopy(DELIVERIES["fb_message_legacy_numeric_ids.json"])
    item = stringly["entry"][0]["messaging"][0]
    item["sender"]["id"] = str(item["sender"]["id"])
    item["recipient"]["id"] = str(item["recipient"]["id"])
    assert split_delivery(stringly)[0] == numeric


def test_millisecond_and_second_clocks_agree() -> None:
    """Messenger/IG send milliseconds, WhatsApp seconds; both must land in 2025, in seconds."""
    for name in ["ig_message_text.json", "fb_message_text.json", "wa_text.json", "fb_feed_comment_add.json"]:
        (event,) = _events(name)
        assert event.timestamp is not None
        assert 1_735_689_600 <= event.timestamp < 1_767_225_600, name


def test_delivery_without_timestamp_falls_back_to_entry_time() -> None:
    (event,) = _events("fb_delivery.json")
    assert event.timestamp == 1749830000


def test_real_deliveries_are_not_flagged_as_tests() -> None:
    flagged = {name for name in DELIVERY_NAMES for event in _events(name) if event.is_test}
    assert flagged == {
        "wa_dashboard_test.json",
        "ig_comment_dashboard_test.json",
        "ig_dashboard_test_messages_changes.json",
        "ig_dashboard_test_reaction.raw.json",
        "fb_feed_status_dashboard_test.json",
    }


def test_contacts_and_location_details_are_kept() -> None:
    (contacts,) = _events("wa_contacts.json")
    assert contacts.extra["contacts"] == [
        {"name": "Ahmad Santoso", "phones": ["+62 812-9876-5432"], "wa_ids": ["6281298765432"]},
        {"name": "Rina", "phones": ["+62 21 5551234"]},
    ]
    (location,) = _events("wa_location.json")
    assert location.extra["latitude"] == pytest.approx(-6.2250138)
    assert location.extra["longitude"] == pytest.approx(106.8029957)
    assert location.extra["forwarded"] is True


def test_media_url_and_flow_answers_are_exposed() -> None:
    (doc,) = _events("wa_document_with_url.json")
    assert doc.extra["filename"] == "slip_gaji_juni_2025.pdf"
    assert doc.extra["media_url"].startswith("https://lookaside.fbsbx.com/")
    audio = _events("wa_media_mixed.json")[0]
    assert audio.extra["voice"] is True
    (flow,) = _events("wa_interactive_flow_reply.json")
    assert json.loads(flow.extra["flow_response"])["flow_token"] == "restructure-8841"


def test_click_to_whatsapp_referral_is_kept_for_attribution() -> None:
    (event,) = _events("wa_referral_ctwa.json")
    assert event.extra["referral_source_type"] == "ad"
    assert event.extra["referral_source_id"] == "120210000000000001"
    assert event.extra["ctwa_clid"].startswith("ARAkLkA8")


def test_echo_direction_follows_entry_id_not_meta_sample_order() -> None:
    """Meta's old doc sample has the echo's sender = user; real echoes have sender = page. Both mean the same."""
    swapped = copy.deepcopy(DELIVERIES["fb_echo.json"])
    item = swapped["entry"][0]["messaging"][0]
    item["sender"], item["recipient"] = item["recipient"], item["sender"]
    (event,) = split_delivery(swapped)
    assert (event.kind, event.sender_id, event.recipient_id) == ("echo", ANDI, PAGE)


def _wa_value(**value: Any) -> dict[str, Any]:
    metadata = {"display_phone_number": "6282130001234", "phone_number_id": PNID}
    change = {"field": "messages", "value": {"messaging_product": "whatsapp", "metadata": metadata, **value}}
    return {"object": "whatsapp_business_account", "entry": [{"id": "110398475620184", "changes": [change]}]}


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(_wa_value(statuses=[{"id": OUT_ID, "timestamp": "1749812000"}]), id="status-without-status"),
        pytest.param(_wa_value(statuses=[{"status": "read"}]), id="status-without-id"),
        pytest.param(_wa_value(contacts=[{"wa_id": BUDI}]), id="contacts-only"),
        pytest.param(
            {
                "object": "instagram",
                "entry": [{"id": IGID, "changes": [{"field": "comments", "value": {"text": "x"}}]}],
            },
            id="ig-comment-without-id",
        ),
    ],
)
def test_incomplete_items_become_unsupported(payload: dict[str, Any]) -> None:
    (event,) = split_delivery(payload)
    assert event.kind == "unsupported"


def test_message_without_id_still_gets_a_stable_key() -> None:
    payload = _wa_value(messages=[{"from": BUDI, "timestamp": "1749801600", "type": "text", "text": {"body": "hi"}}])
    first, again = split_delivery(payload), split_delivery(copy.deepcopy(payload))
    assert first[0].dedupe_key == again[0].dedupe_key
    assert first[0].dedupe_key.startswith("wa:msg:#")


# ---------------------------------------------------------------- objects and (de)serialisation


@pytest.mark.parametrize(
    ("payload", "accepted"),
    [
        ({"object": "whatsapp_business_account"}, True),
        ({"object": "instagram"}, True),
        ({"object": "page"}, True),
        ({"object": "permissions"}, False),
        ({"object": ["page"]}, False),
        ({}, False),
        ([], False),
        (None, False),
    ],
)
def test_accepted_object(payload: Any, accepted: bool) -> None:
    assert accepted_object(payload) is accepted


def test_from_dict_rejects_what_it_cannot_trust() -> None:
    good = _events("wa_text.json")[0].to_dict()
    with pytest.raises(ValueError):
        InboundEvent.from_dict({**good, "kind": "telegram"})
    with pytest.raises(ValueError):
        InboundEvent.from_dict({**good, "platform": "x"})
    with pytest.raises(ValueError):
        InboundEvent.from_dict({**good, "dedupe_key": ""})
    assert InboundEvent.from_dict({**good, "added_later": 1}) == _events("wa_text.json")[0]


# ---------------------------------------------------------------- status ordering


def test_status_rank_order() -> None:
    assert status_rank("sent") < status_rank("failed") < status_rank("delivered") < status_rank("read")
    assert status_rank("played") == status_rank("read")
    assert status_rank("READ") == status_rank("read")
    assert status_rank("deleted") == status_rank(None) == status_rank(7) == 0  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("statuses", "final"),
    [
        (["sent", "delivered", "read"], "read"),
        (["sent", "failed"], "failed"),
        (["failed", "delivered"], "delivered"),
        (["sent", "delivered", "played"], "delivered-or-read"),
    ],
)
def test_furthest_status_is_order_independent(statuses: list[str], final: str) -> None:
    outcomes = set()
    for order in itertools.permutations(statuses):
        current: str | None = None
        for status in order:
            current = furthest_status(current, status)
        outcomes.add(current)
    if final == "delivered-or-read":
        assert outcomes == {"played"}
    else:
        assert outcomes == {final}


def test_replayed_old_status_does_not_move_back() -> None:
    assert furthest_status("read", "sent") == "read"
    assert furthest_status("failed", "sent") == "failed"
    assert furthest_status("read", "played") == "read"
    assert furthest_status(None, "sent") == "sent"
    assert furthest_status("sent", "mystery") == "sent"


def test_messenger_receipts_carry_comparable_statuses() -> None:
    (delivery,) = _events("fb_delivery.json")
    (read,) = _events("fb_read.json")
    assert status_rank(delivery.status) < status_rank(read.status)


# ---------------------------------------------------------------- fuzzing: never raise

VOCAB = [
    "object", "entry", "id", "time", "changes", "field", "value", "messaging", "standby", "sender", "recipient",
    "timestamp", "message", "mid", "text", "attachments", "type", "payload", "url", "is_echo", "is_deleted",
    "is_unsupported", "reaction", "action", "emoji", "read", "delivery", "mids", "watermark", "postback", "title",
    "reply_to", "story", "quick_reply", "sticker_id", "app_id", "metadata", "messaging_product", "phone_number_id",
    "display_phone_number", "contacts", "profile", "name", "username", "wa_id", "user_id", "from", "from_user_id",
    "messages", "statuses", "status", "recipient_id", "recipient_user_id", "errors", "code", "message_id",
    "error_data", "details", "conversation", "origin", "expiration_timestamp", "pricing", "billable", "category",
    "context", "forwarded", "interactive", "button_reply", "list_reply", "nfm_reply", "button", "image", "document",
    "audio", "voice", "location", "latitude", "longitude", "system", "referral", "item", "verb", "comment_id",
    "post_id", "parent_id", "created_time", "sender_id", "sender_name", "media", "body", "caption", "phones",
    "formatted_name", "unsupported", "post", "group_id",
]  # fmt: skip
WORDS = [
    "whatsapp_business_account", "instagram", "page", "messages", "feed", "comments", "live_comments", "comment",
    "status", "post", "reaction", "like", "add", "edited", "remove", "react", "unreact", "text", "image",
    "interactive", "button_reply", "list_reply", "nfm_reply", "button", "location", "contacts", "system",
    "unsupported", "sent", "delivered", "read", "failed", "played", "0", "12334", "23245", "123456123",
    "16505551111", "1749801600", "1749801600000", "2025-06-13T09:59:58+0000", "6281234567890", "+62 812",
    "\u2764\ufe0f", "",
]  # fmt: skip

leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(WORDS),
)
keys = st.one_of(st.sampled_from(VOCAB), st.text(max_size=6))
json_values = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(keys, children, max_size=6),
    ),
    max_leaves=40,
)
deliveries = st.fixed_dictionaries(
    {
        "object": st.sampled_from(["whatsapp_business_account", "instagram", "page"]),
        "entry": st.lists(st.dictionaries(keys, json_values, max_size=6), max_size=3) | json_values,
    }
)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _assert_well_formed(events: list[InboundEvent]) -> None:
    assert isinstance(events, list)
    for event in events:
        assert event.kind in KINDS
        assert event.platform in PLATFORMS
        assert isinstance(event.dedupe_key, str)
        assert event.dedupe_key
        assert event.timestamp is None or isinstance(event.timestamp, int)
        for value in (event.event_id, event.sender_id, event.recipient_id, event.text, event.status):
            assert value is None or isinstance(value, str)
        encoded = json.dumps(event.to_dict())
        assert InboundEvent.from_dict(json.loads(encoded)) == event
    dedupe(events)


@FUZZ
@given(payload=json_values)
def test_arbitrary_json_never_raises(payload: Any) -> None:
    _assert_well_formed(split_delivery(payload))


@FUZZ
@given(payload=deliveries)
def test_arbitrary_deliveries_of_known_objects_never_raise(payload: dict[str, Any]) -> None:
    _assert_well_formed(split_delivery(payload))


def _slots(node: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) pair below the root, so a mutation can hit any depth."""
    found: list[tuple[Any, Any]] = []
    stack = [node]
    while stack:
        current = stack.pop()
        pairs = (
            current.items() if isinstance(current, dict) else enumerate(current) if isinstance(current, list) else ()
        )
        for key, child in pairs:
            found.append((current, key))
            stack.append(child)
    return found


@st.composite
def mutated_fixtures(draw: st.DrawFn) -> dict[str, Any]:
    payload = copy.deepcopy(DELIVERIES[draw(st.sampled_from(DELIVERY_NAMES))])
    for _ in range(draw(st.integers(1, 6))):
        slots = _slots(payload)
        if not slots:
            break
        container, key = draw(st.sampled_from(slots))
        operation = draw(st.sampled_from(["replace", "delete", "duplicate", "stringify"]))
        if operation == "replace":
            container[key] = draw(json_values)
        elif operation == "delete":
            del container[key]
        elif operation == "duplicate" and isinstance(container, list):
            container.append(copy.deepcopy(container[key]))
        elif operation == "stringify":
            container[key] = json.dumps(container[key]) if draw(st.booleans()) else str(container[key])
    return payload


@FUZZ
@given(payload=mutated_fixtures())
def test_mutated_real_fixtures_never_raise(payload: dict[str, Any]) -> None:
    _assert_well_formed(split_delivery(payload))
