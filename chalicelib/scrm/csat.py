"""Customer satisfaction: the one question a resolved conversation asks, and how an answer is recognised.

Pure rules; the inbox asks (in the resolve's own transaction, so a retried or
repeated resolve never asks twice) and the inbound worker stores the answer on
the conversation instead of treating it as a new message.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from chalicelib.outbound.envelope import Envelope
from chalicelib.outbound.message_log import message_id
from chalicelib.scrm import templates, times
from chalicelib.scrm.meta import InboundEvent

PREFIX = "csat:"
SCORES = (1, 2, 3, 4, 5)
ANSWER_WINDOW = timedelta(days=3)  # a bare digit later than this is just a message
OCCASION = "csat"
CLOCK_SLACK = timedelta(minutes=1)  # Meta's timestamps are whole seconds, and clocks differ a little

QUESTION = {
    "id": "Terima kasih sudah menghubungi kami. Seberapa puas Anda dengan layanan kami? Pilih 1 sampai 5.",
    "en": "Thank you for contacting us. How satisfied are you with our service? Choose 1 to 5.",
}
BUTTON = {"id": "Beri nilai", "en": "Rate us"}
LABELS = {
    "id": ("Sangat tidak puas", "Tidak puas", "Biasa saja", "Puas", "Sangat puas"),
    "en": ("Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied"),
}


def _language(language: Any) -> str:
    return "en" if language == "en" else "id"


def rows(language: Any) -> list[tuple[str, str]]:
    """The list's rows: ids `csat:1`..`csat:5`, titles "1 – Sangat tidak puas" … "5 – Sangat puas"."""
    labels = LABELS[_language(language)]
    return [(f"{PREFIX}{score}", f"{score} – {label}") for score, label in zip(SCORES, labels, strict=True)]


def quick_replies() -> list[tuple[str, str]]:
    """Messenger / Instagram quick replies: titles are at most 20 characters, so the digit alone."""
    return [(f"{PREFIX}{score}", str(score)) for score in SCORES]


def question(
    current: Mapping[str, Any], recipient: str, now: datetime, window: timedelta
) -> tuple[Envelope, str] | None:
    """The satisfaction question for a conversation being resolved, and the text the thread shows; None when
    the customer cannot be asked: a public comment, nobody wrote to us, or a DM outside its window."""
    channel = str(current.get("channel"))
    if current.get("reply_target") != "dm" or not current.get("last_inbound_at"):
        return None
    opened = times.parse(current.get("window_at"))
    inside = opened is not None and now - opened <= window
    language = _language(current.get("language"))
    conversation_id = str(current["id"])
    party = str(current.get("customer_id") or current.get("party"))
    template: dict[str, Any] | None = None
    extra: dict[str, Any] = {}
    text = QUESTION[language]
    if channel == "whatsapp" and not inside:
        approved = templates.for_occasion(templates.CSAT_OCCASION, language)
        template = {"name": approved.name, "language": approved.language, "params": []}
        text = approved.render([])
    elif not inside:
        return None  # Messenger and Instagram refuse messages outside the window; there is no template
    elif channel == "whatsapp":
        extra = {"choices": rows(language), "choices_button": BUTTON[language]}
    else:
        extra = {"choices": quick_replies()}
    envelope = Envelope(
        message_id=message_id(party, OCCASION, conversation_id, channel),
        channel=channel,
        purpose="service",
        occasion=OCCASION,
        occasion_ref=conversation_id,
        text=text,
        customer_id=current.get("customer_id"),
        recipient=recipient,
        conversation_id=conversation_id,
        language=language,
        whatsapp_template=template,
        extra=extra,
    )
    return envelope, text


def _score(value: Any) -> int | None:
    if isinstance(value, str) and value.startswith(PREFIX):
        digit = value.removeprefix(PREFIX)
        if digit.isdigit() and int(digit) in SCORES:
            return int(digit)
    return None


def chosen(event: InboundEvent) -> int | None:
    """A score the customer picked from our question (a list row or a quick reply), whenever it arrives."""
    if event.kind != "message":
        return None
    return _score(event.extra.get("reply_id")) or _score(event.extra.get("quick_reply_payload"))


def typed(event: InboundEvent) -> int | None:
    """A bare digit 1-5: an answer only while a question waits for one."""
    if event.kind != "message" or not isinstance(event.text, str):
        return None
    text = event.text.strip().rstrip(".!")
    return int(text) if text.isascii() and text.isdigit() and int(text) in SCORES else None


def awaiting(conversation: Mapping[str, Any], at: datetime) -> bool:
    """The conversation asked and has no answer yet, and the question is recent enough to be the one answered."""
    asked = times.parse(conversation.get("csat_asked_at"))
    return asked is not None and conversation.get("csat") is None and -CLOCK_SLACK <= at - asked <= ANSWER_WINDOW


def answered(conversation: Mapping[str, Any], score: int, at: str) -> dict[str, Any]:
    item = dict(conversation)
    item["csat"] = score
    item["csat_at"] = at
    item["version"] = int(item.get("version", 0)) + 1
    return item
