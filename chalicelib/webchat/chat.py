"""The website chat's socket: who may connect, what each frame does, and what the visitor is sent back.

The three websocket handlers call `connect`, `receive` and `disconnect`. A
visitor message is put on the inbound queue before it is acknowledged (the
widget resends what was not), and from there it takes the same road as a
WhatsApp message: deduplicated on the widget's id for it, matched, analysed,
answered by the bot or routed to an agent. Answers come back through the
outbound sender (`sender.WebSender`), not from here.

Nothing here logs what a visitor wrote, their name, contact or address.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.core import rendering
from chalicelib.core.observability import logger
from chalicelib.outbound.envelope import Envelope
from chalicelib.outbound.message_log import message_id
from chalicelib.scrm import conversation, times
from chalicelib.scrm.store import owner_key
from chalicelib.scrm.web import WebMessage
from chalicelib.webchat import frames
from chalicelib.webchat.frames import FrameRefused
from chalicelib.webchat.identity import Signatures
from chalicelib.webchat.sites import Sites
from chalicelib.webchat.store import Consent, WebchatStore

CONSENT_VERSION = "web-chat-2026-12"
HISTORY_LIMIT = 200
LANGUAGES = ("id", "en")


@dataclass(frozen=True)
class Limits:
    connections_per_ip_minute: int = 30
    messages_per_connection_minute: int = 20


@dataclass(frozen=True)
class Refusal:
    """A `$connect` answer other than 200: API Gateway refuses the handshake with this status."""

    status: int
    reason: str


@dataclass
class Collaborators:
    sites: Sites
    signatures: Callable[[], Signatures]  # read when a frame needs them: `$connect` never does
    store: WebchatStore
    scrm: Any  # ScrmStore: threads, events, identity links
    customers: Any  # by_external_id(id) -> item | None, get(id) -> item | None
    enqueue: Callable[[str], Any]  # a body onto the inbound queue; raises when it cannot
    dispatch: Callable[[list[Envelope]], Any]  # the transcript e-mail onto the outbound queue
    erase_chat: Callable[[str, str | None, datetime], Any]  # (owner key, conversation id or None, now)
    clock: Callable[[], datetime]
    ip_salt: Callable[[], str]
    brand: str
    limits: Limits = Limits()


def consent_wording(language: str, brand: str) -> str:
    return rendering.render(f"webchat/consent.{language}.txt.j2", {"brand": brand})


class WebChat:
    def __init__(self, collaborators: Collaborators) -> None:
        self.c = collaborators

    # -- the socket's life ------------------------------------------------------------------------------------
    def connect(self, connection_id: str, site_id: str | None, origin: str | None, source_ip: str) -> Refusal | None:
        """None: accepted. An unknown site, a foreign origin or too many sockets from one address: refused."""
        site = self.c.sites.get(site_id)
        if site is None:
            return Refusal(403, "unknown site")
        if not site.allows(origin):
            return Refusal(403, "origin not allowed")
        now, ip_hash = self.c.clock(), self._ip_hash(source_ip)
        if self.c.store.count(f"ip#{ip_hash}", now) > self.c.limits.connections_per_ip_minute:
            return Refusal(429, "too many connections from this address")
        self.c.store.open_connection(connection_id, site.id, ip_hash, now)
        return None

    def disconnect(self, connection_id: str) -> None:
        self.c.store.close_connection(connection_id)

    def receive(self, connection_id: str, body: str | None) -> list[dict[str, Any]]:
        """The frames to send back to this socket for one frame from it."""
        try:
            frame = frames.parse(body)
            socket = self.c.store.connection(connection_id)
            if socket is None:
                raise FrameRefused("hello_first", "This connection is not open; reconnect")
            if isinstance(frame, frames.Ping):
                return [{"type": "pong"}]
            if isinstance(frame, frames.Hello):
                return [self._hello(connection_id, socket, frame)]
            visitor = socket.get("visitor")
            if not visitor:
                raise FrameRefused("hello_first", "Say hello first")
            return self._act(connection_id, socket, str(visitor), frame)
        except FrameRefused as refused:
            return [refused.frame()]

    def _act(self, connection_id: str, socket: Mapping[str, Any], visitor: str, frame: Any) -> list[dict[str, Any]]:
        record = self.c.store.visitor(visitor) or {}
        if isinstance(frame, frames.Prechat):
            return [self._prechat(visitor, record, frame)]
        if isinstance(frame, frames.Message):
            return [self._message(connection_id, socket, visitor, record, frame.id, frame.text, None)]
        if isinstance(frame, frames.Csat):
            self._message(connection_id, socket, visitor, record, frame.id or uuid.uuid4().hex, "", frame.score)
            return [{"type": "csat_ok"}]
        if isinstance(frame, frames.Transcript):
            return [self._transcript(visitor, record)]
        if isinstance(frame, frames.Delete):
            return [self._delete(connection_id, visitor, record)]
        raise FrameRefused("invalid_frame", "The frame is not one the chat understands")

    # -- hello: who this is, and what they said before ----------------------------------------------------------
    def _hello(self, connection_id: str, socket: Mapping[str, Any], frame: frames.Hello) -> dict[str, Any]:
        site_id, now = str(socket["site"]), self.c.clock()
        customer_id: str | None = None
        if frame.identity is not None:
            if not self.c.signatures().identity_valid(site_id, frame.identity.id, frame.identity.hash):
                logger.warning("web chat identity refused", extra={"site": site_id, "reason": "hmac mismatch"})
                raise FrameRefused("identity_invalid", "The signed-in identity could not be verified")
            customer = self.c.customers.by_external_id(frame.identity.id)
            customer_id = str(customer["id"]) if customer else None
        visitor = self.c.signatures().visitor_of(frame.visitor)
        record = self.c.store.visitor(visitor) if visitor else None
        signed_in_as = (record or {}).get("customer_id")
        if record is None or record.get("site") != site_id or (signed_in_as and signed_in_as != customer_id):
            # New, deleted or expired; another site's; or signed in as someone else than this page says (a shared
            # computer after a portal sign-out): a fresh conversation, never someone else's history.
            visitor, record = self.c.signatures().new_visitor()[0], {}
        if customer_id and record.get("customer_id") != customer_id:
            self.c.scrm.link_identity("web", visitor, customer_id, "portal_hmac", times.iso(now))
        record = self.c.store.save_visitor(
            visitor, {"site": site_id, "language": frame.language, "customer_id": customer_id}, now
        )
        self.c.store.attach(connection_id, visitor, frame.language)
        history, agent = self._history(visitor, customer_id)
        logger.info("web chat hello", extra={"site": site_id, "identified": customer_id is not None})
        return {
            "type": "welcome",
            "visitor": self.c.signatures().token_for(visitor),
            "identified": customer_id is not None,
            "needs_prechat": customer_id is None and not record.get("name"),
            "history": history,
            "agent": agent,
        }

    def _thread(self, visitor: str, customer_id: str | None) -> dict[str, Any] | None:
        thread = self.c.scrm.thread("web", conversation.party(customer_id, visitor, ""))
        return self.c.scrm.conversation(thread) if thread else None

    def _history(self, visitor: str, customer_id: str | None) -> tuple[list[dict[str, Any]], str | None]:
        current = self._thread(visitor, customer_id)
        if current is None:
            return [], None
        items, _ = self.c.scrm.events(str(current["id"]), HISTORY_LIMIT)
        lines = [line for line in (history_frame(item) for item in items) if line is not None]
        return lines, current.get("assignee") if current.get("status") != "resolved" else None

    # -- the pre-chat form ----------------------------------------------------------------------------------
    def _prechat(self, visitor: str, record: Mapping[str, Any], frame: frames.Prechat) -> dict[str, Any]:
        kind = frame.contact_kind
        if kind is None:
            raise FrameRefused("prechat_invalid", "Check the form", {"contact": "a phone number or an e-mail address"})
        if frame.consent and frame.consent_version != CONSENT_VERSION:
            raise FrameRefused("prechat_invalid", "Reload the page", {"consent": "the wording shown is out of date"})
        language = str(record.get("language") or "id")
        now = self.c.clock()
        consent = Consent(
            granted=frame.consent,
            channel="email" if kind == "email" else "whatsapp",
            wording=consent_wording(language, self.c.brand),
            version=CONSENT_VERSION,
            language=language,
            at=times.iso(now),
        )
        contact = frame.contact.lower() if kind == "email" else _e164(frame.contact)
        self.c.store.save_visitor(
            visitor, {"name": frame.name, "contact": contact, "contact_kind": kind, "consent": consent.item()}, now
        )
        logger.info("web chat pre-chat form", extra={"contact_kind": kind, "consent": frame.consent})
        return {"type": "prechat_ok"}

    # -- a message: durably queued, then acknowledged ----------------------------------------------------------
    def _message(
        self,
        connection_id: str,
        socket: Mapping[str, Any],
        visitor: str,
        record: Mapping[str, Any],
        client_id: str,
        text: str,
        score: int | None,
    ) -> dict[str, Any]:
        if not record.get("customer_id") and not record.get("name"):
            raise FrameRefused("prechat_required", "Fill in the short form first")
        now = self.c.clock()
        if self.c.store.count(f"conn#{connection_id}", now) > self.c.limits.messages_per_connection_minute:
            raise FrameRefused("rate_limited", "Too many messages; wait a minute")
        message = WebMessage(
            site=str(socket["site"]),
            visitor=visitor,
            message_id=client_id,
            text=text,
            timestamp=int(now.timestamp()),
            name=str(record["name"]) if record.get("name") else None,
            csat=score,
        )
        try:
            self.c.enqueue(message.body())
        except Exception as error:  # noqa: BLE001 - any failure to queue: not acknowledged, the widget resends
            logger.warning("web chat message not queued", extra={"error": type(error).__name__})
            raise FrameRefused("unavailable", "The message could not be sent; it will be retried") from None
        return {"type": "ack", "id": client_id}

    # -- the visitor's rights: a copy, and deletion ---------------------------------------------------------------
    def _transcript(self, visitor: str, record: Mapping[str, Any]) -> dict[str, Any]:
        customer_id = record.get("customer_id")
        email = record.get("contact") if record.get("contact_kind") == "email" else None
        if email is None and customer_id:
            email = (self.c.customers.get(str(customer_id)) or {}).get("email")
        if not email:
            raise FrameRefused("no_email", "Leave an e-mail address in the form to get a copy")
        history, _ = self._history(visitor, str(customer_id) if customer_id else None)
        language = str(record.get("language") or "id")
        self.c.dispatch([transcript_envelope(visitor, str(email), record, history, language, self.c.brand)])
        logger.info("web chat transcript queued", extra={"lines": len(history)})
        return {"type": "transcript_sent"}

    def _delete(self, connection_id: str, visitor: str, record: Mapping[str, Any]) -> dict[str, Any]:
        customer_id = str(record["customer_id"]) if record.get("customer_id") else None
        party = conversation.party(customer_id, visitor, "")
        current = self._thread(visitor, customer_id)
        owner = owner_key("web", customer_id, party)
        # A portal customer deletes this chat only; an anonymous visitor everything they wrote to us.
        self.c.erase_chat(owner, str(current["id"]) if current and customer_id else None, self.c.clock())
        self.c.store.delete_visitor(visitor)
        self.c.store.close_connection(connection_id)
        logger.info("web chat deleted by the visitor", extra={"identified": customer_id is not None})
        return {"type": "deleted"}

    def _ip_hash(self, ip: str) -> str:
        return hashlib.sha256(f"{self.c.ip_salt()}|{ip}".encode()).hexdigest()[:32]


def history_frame(item: Mapping[str, Any]) -> dict[str, Any] | None:
    """One stored event as the widget shows it; None for what a visitor never sees (or words erased)."""
    text = item.get("text")
    if not isinstance(text, str) or not text:
        return None
    if item.get("direction") == "in" and item.get("event_kind") == "message":
        client_id = str(item.get("event_id") or "").removeprefix("web:")
        return {"type": "message", "id": client_id, "from": "visitor", "text": text, "at": item.get("at")}
    if item.get("event_kind") == "reply":
        by = str(item.get("by") or "bot")
        frame: dict[str, Any] = {
            "type": "message",
            "id": item.get("message_id"),
            "from": "bot" if by == "bot" else "agent",
            "text": text,
            "at": item.get("at"),
        }
        if by != "bot":
            frame["agent"] = by
        if item.get("occasion") == "csat":
            frame["csat"] = True
        return frame
    return None


def transcript_envelope(
    visitor: str, email: str, record: Mapping[str, Any], history: list[dict[str, Any]], language: str, brand: str
) -> Envelope:
    """The copy of the chat by e-mail; the same chat asked twice is one message (its id is the chat's length)."""
    lang = language if language in LANGUAGES else "id"
    you = "Anda" if lang == "id" else "You"
    lines = [
        {
            "at": str(line.get("at") or "")[:16].replace("T", " "),
            "who": you if line["from"] == "visitor" else (line.get("agent") or brand),
            "text": line["text"],
        }
        for line in history
    ]
    context = {"brand": brand, "name": record.get("name"), "lines": lines}
    ref = f"{visitor}:{len(history)}"
    return Envelope(
        message_id=message_id(visitor, "transcript", ref, "email"),
        channel="email",
        purpose="service",
        occasion="transcript",
        occasion_ref=ref,
        text=rendering.render(f"webchat/transcript.{lang}.txt.j2", context),
        subject=rendering.render(f"webchat/transcript.{lang}.subject.j2", context),
        recipient=email,
        language=lang,
    )


def _e164(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    if phone.strip().startswith("+"):
        return "+" + digits
    return "+62" + digits.removeprefix("0") if digits.startswith("0") else "+" + digits
