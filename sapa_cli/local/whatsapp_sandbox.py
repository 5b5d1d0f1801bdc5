"""A local stand-in for the WhatsApp Cloud API (Graph) messages endpoint.

`make run` and the end-to-end tests send real HTTP to it instead of Meta, so
the adapter, the worker and the retry policy are exercised without a business
account or a phone. It accepts what Graph accepts, answers with Graph's JSON,
keeps what it accepted (the "customer's phone": `GET /_sandbox/messages`) and
returns Graph errors on demand (`POST /_sandbox/faults`) so every failure path
can be replayed. Given a webhook URL, it also plays Meta's other half: each
accepted message gets its signed status webhooks (sent, delivered, read or
failed) posted back to Sapa (`sapa_cli/local/status_webhooks.py`).

    python -m sapa_cli.local.whatsapp_sandbox --port 8025 --webhook-url http://127.0.0.1:8000/webhooks/meta

Endpoints:
    POST   /{version}/{phone_number_id}/messages   Graph-shaped send
    POST   /{version}/me/messages                  Messenger/Instagram Send API (page token), recorded the same way
    POST   /{version}/{comment_id}/comments|replies  public comment reply (Facebook|Instagram)
    POST   /_sandbox/faults      {"code", "status", "count", "to", "kind", "message", "delay_seconds"}
                                 kind "undeliverable": accepted, then a `failed` status with `code`
    GET    /_sandbox/faults      pending faults
    DELETE /_sandbox/faults      drop pending faults
    GET    /_sandbox/messages    accepted messages (optional ?to=)
    DELETE /_sandbox/messages    forget accepted messages
    GET    /_sandbox/statuses    the status webhooks' rates and counts
    PUT    /_sandbox/statuses    {"read_rate", "fail_rate", "step_seconds", "enabled"} (any of them)
    GET    /_sandbox/health      liveness
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import socket
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from chalicelib.core.settings import LOCAL_SECRET_DEFAULTS
from sapa_cli.local.status_webhooks import (
    DEFAULT_FAIL_RATE,
    DEFAULT_READ_RATE,
    DEFAULT_STEP_SECONDS,
    StatusConfig,
    StatusConfigError,
    StatusWebhooks,
)

DEFAULT_TOKEN = LOCAL_SECRET_DEFAULTS["WHATSAPP_ACCESS_TOKEN"]
DEFAULT_PORT = 8025
MAX_BODY_BYTES = 1 << 20
MAX_DELAY_SECONDS = 60.0

MESSAGES_PATH = re.compile(r"^/(?P<version>v\d+(?:\.\d+)?)/(?P<phone_number_id>[^/]+)/messages/?$")
SEND_API_PATH = re.compile(r"^/(?P<version>v\d+(?:\.\d+)?)/me/messages/?$")
COMMENT_REPLY_PATH = re.compile(r"^/(?P<version>v\d+(?:\.\d+)?)/(?P<comment_id>[^/]+)/(?P<edge>comments|replies)/?$")

# Graph's titles for the codes Sapa cares about, so injected errors read like the real ones.
GRAPH_TITLES: dict[int, str] = {
    4: "Application request limit reached",
    100: "Invalid parameter",
    190: "Invalid OAuth access token",
    368: "Temporarily blocked for policies violations",
    80007: "Rate limit issues",
    130429: "Rate limit hit",
    131000: "Something went wrong",
    131026: "Message Undeliverable",
    131047: "Re-engagement message",
    131048: "Spam rate limit hit",
    131049: "This message was not delivered to maintain healthy ecosystem engagement",
    131051: "Unsupported message type",
    131056: "(Business Account, Consumer Account) pair rate limit hit",
    132000: "Number of parameters does not match the expected number of params",
    132001: "Template name does not exist in the translation",
}

FAULT_KINDS = ("error", "no_message_id", "delay", "undeliverable")
UNDELIVERABLE_CODE = 131026


def _digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def graph_error(code: int, message: str, *, details: str | None = None, subcode: int | None = None) -> dict[str, Any]:
    """The error body Graph sends, `fbtrace_id` included."""
    error: dict[str, Any] = {
        "message": f"(#{code}) {message}",
        "type": "OAuthException",
        "code": code,
        "error_data": {"messaging_product": "whatsapp", "details": details or message},
        "fbtrace_id": "Sbx" + secrets.token_urlsafe(12),
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


class FaultError(ValueError):
    """A fault description the sandbox cannot use; the text says why."""


@dataclass
class Fault:
    """The next `remaining` answers (for `to`, or anyone) go wrong this way; -1 means forever."""

    kind: str
    code: int | None
    status: int
    remaining: int
    to: str | None
    message: str
    delay_seconds: float

    @classmethod
    def from_json(cls, data: Any) -> Fault:
        if not isinstance(data, dict):
            raise FaultError("a fault is a JSON object")
        raw_code = data.get("code")
        raw_status = data.get("status")
        code: int | None
        if raw_code is None or raw_code == "5xx":
            code = None
        elif isinstance(raw_code, int) and not isinstance(raw_code, bool) and raw_code >= 0:
            code = raw_code
        else:
            raise FaultError('code must be a Graph error code (integer) or "5xx"')
        kind = data.get("kind") or ("error" if raw_code is not None or raw_status is not None else None)
        if kind not in FAULT_KINDS:
            raise FaultError(f"kind must be one of {', '.join(FAULT_KINDS)} (or give a code or status)")
        if raw_status is None:
            status = _default_status(kind, code)
        elif isinstance(raw_status, int) and not isinstance(raw_status, bool) and 200 <= raw_status <= 599:
            status = raw_status
        else:
            raise FaultError("status must be an HTTP status between 200 and 599")
        if kind == "error" and status < 400:
            raise FaultError("an error fault needs a 4xx or 5xx status")
        if kind == "error" and code is None and status < 500:
            raise FaultError("a 4xx error fault needs a Graph code")
        count = data.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or (count < 1 and count != -1):
            raise FaultError("count must be a positive integer, or -1 for always")
        to = data.get("to")
        if to is not None and (not isinstance(to, str) or not _digits(to)):
            raise FaultError("to must be a phone number")
        delay = data.get("delay_seconds", 0)
        if not isinstance(delay, (int, float)) or isinstance(delay, bool) or not 0 <= delay <= MAX_DELAY_SECONDS:
            raise FaultError(f"delay_seconds must be between 0 and {MAX_DELAY_SECONDS:g}")
        if kind == "undeliverable" and raw_status is not None and status != 200:
            raise FaultError("an undeliverable fault is accepted first (status 200), then fails")
        if kind == "delay" and delay <= 0:
            raise FaultError("a delay fault needs delay_seconds > 0")
        message = data.get("message")
        if message is not None and not isinstance(message, str):
            raise FaultError("message must be a string")
        default_message = _default_message(code)
        return cls(
            kind=kind,
            code=code,
            status=status,
            remaining=count,
            to=_digits(to) if to else None,
            message=message or default_message,
            delay_seconds=float(delay),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "code": self.code,
            "status": self.status,
            "count": self.remaining,
            "to": self.to,
            "message": self.message,
            "delay_seconds": self.delay_seconds,
        }

    def matches(self, to_digits: str) -> bool:
        return self.remaining != 0 and (self.to is None or self.to == to_digits)


def _default_message(code: int | None) -> str:
    return "Service Unavailable" if code is None else GRAPH_TITLES.get(code, "Sandbox injected error")


def _default_status(kind: str, code: int | None) -> int:
    if kind != "error":
        return 200
    if code is None:
        return 503
    return 401 if code == 190 else 400


class SandboxState:
    """Everything the request threads share, behind one lock."""

    def __init__(
        self,
        access_token: str = DEFAULT_TOKEN,
        phone_number_id: str | None = None,
        webhooks: StatusWebhooks | None = None,
    ) -> None:
        self.access_token = access_token
        self.phone_number_id = phone_number_id
        self.webhooks = webhooks
        self.stopping = threading.Event()
        self._changed = threading.Condition()
        self._messages: list[dict[str, Any]] = []
        self._faults: list[Fault] = []

    # -- faults ------------------------------------------------------------
    def add_fault(self, fault: Fault) -> None:
        with self._changed:
            self._faults.append(fault)

    def take_fault(self, to_digits: str) -> Fault | None:
        """The first queued fault for this recipient, counted down; exhausted faults are dropped."""
        with self._changed:
            for fault in self._faults:
                if fault.matches(to_digits):
                    if fault.remaining > 0:
                        fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def faults(self) -> list[dict[str, Any]]:
        with self._changed:
            return [fault.to_json() for fault in self._faults]

    def clear_faults(self) -> int:
        with self._changed:
            count, self._faults = len(self._faults), []
            return count

    # -- messages ----------------------------------------------------------
    def record(self, message: dict[str, Any]) -> None:
        with self._changed:
            self._messages.append(message)
            self._changed.notify_all()

    def note_status(self, message_id: str, status: str, http_status: int) -> None:
        """What the status webhooks told Sapa about a message, and what Sapa answered."""
        with self._changed:
            for message in self._messages:
                if message["id"] == message_id:
                    message.setdefault("statuses", []).append({"status": status, "http_status": http_status})
            self._changed.notify_all()

    def messages(self, to: str | None = None) -> list[dict[str, Any]]:
        wanted = _digits(to) if to else None
        with self._changed:
            return [dict(m) for m in self._messages if wanted is None or _digits(m["to"]) == wanted]

    def clear_messages(self) -> int:
        with self._changed:
            count, self._messages = len(self._messages), []
            return count

    def wait_for_messages(self, count: int, timeout: float) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self._messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(left)
            return [dict(m) for m in self._messages]


def _validate(payload: Any) -> str | None:
    """What Graph would reject about this send (as its code-100 details), or None."""
    if not isinstance(payload, dict):
        return "Request body must be a JSON object"
    if payload.get("messaging_product") != "whatsapp":
        return "The parameter messaging_product is required and must be whatsapp"
    if not isinstance(payload.get("to"), str) or not _digits(payload["to"]):
        return "The parameter to is required"
    kind = payload.get("type")
    if not isinstance(kind, str) or not kind:
        return "The parameter type is required"
    if kind == "text":
        text = payload.get("text")
        if not isinstance(text, dict) or not isinstance(text.get("body"), str) or not text["body"]:
            return "The parameter text['body'] is required"
    elif kind == "template":
        template = payload.get("template")
        if not isinstance(template, dict) or not isinstance(template.get("name"), str) or not template["name"]:
            return "The parameter template['name'] is required"
        language = template.get("language")
        if not isinstance(language, dict) or not isinstance(language.get("code"), str) or not language["code"]:
            return "The parameter template['language']['code'] is required"
        if not isinstance(template.get("components", []), list):
            return "Param template['components'] must be an array"
    elif kind == "interactive":
        problem = _validate_list(payload.get("interactive"))
        if problem is not None:
            return problem
    else:
        return f"Param type {kind!r} is not supported by the sandbox (text, template, interactive)"
    context = payload.get("context")
    if context is not None and (not isinstance(context, dict) or not isinstance(context.get("message_id"), str)):
        return "The parameter context['message_id'] must be a string"
    return None


def _validate_list(interactive: Any) -> str | None:
    """An interactive list as Graph checks it: a body, a button and 1-10 rows with unique ids."""
    if not isinstance(interactive, dict) or interactive.get("type") != "list":
        return "The parameter interactive['type'] must be list (the sandbox knows lists only)"
    body = interactive.get("body")
    if not isinstance(body, dict) or not isinstance(body.get("text"), str) or not body["text"]:
        return "The parameter interactive['body']['text'] is required"
    action = interactive.get("action")
    if not isinstance(action, dict) or not isinstance(action.get("button"), str) or not action["button"]:
        return "The parameter interactive['action']['button'] is required"
    if len(action["button"]) > 20:
        return "Param interactive['action']['button'] must be at most 20 characters"
    sections = action.get("sections")
    if not isinstance(sections, list) or not sections:
        return "The parameter interactive['action']['sections'] is required"
    rows = [row for section in sections if isinstance(section, dict) for row in section.get("rows") or []]
    if not 1 <= len(rows) <= 10:
        return "Total row count exceed max allowed count: 10"
    ids = [row.get("id") if isinstance(row, dict) else None for row in rows]
    if any(not isinstance(i, str) or not i for i in ids) or len(set(ids)) != len(ids):
        return "Row ids must be unique non-empty strings"
    if any(not isinstance(r.get("title"), str) or not 0 < len(r["title"]) <= 24 for r in rows):
        return "Row titles are required, at most 24 characters"
    return None


def _list_rows(payload: dict[str, Any]) -> list[dict[str, Any]]:
    sections = payload["interactive"]["action"]["sections"]
    return [{"id": r["id"], "title": r["title"]} for section in sections for r in section.get("rows") or []]


def _validate_social(payload: Any, comment_id: str | None) -> str | None:
    """What Graph would reject about a Send API call or a comment reply, or None."""
    if not isinstance(payload, dict):
        return "Request body must be a JSON object"
    if comment_id is not None:
        message = payload.get("message")
        return None if isinstance(message, str) and message else "The parameter message is required"
    recipient = payload.get("recipient")
    if not isinstance(recipient, dict) or not isinstance(recipient.get("id"), str) or not recipient["id"]:
        return "The parameter recipient['id'] is required"
    message = payload.get("message")
    if not isinstance(message, dict) or not isinstance(message.get("text"), str) or not message["text"]:
        return "The parameter message['text'] is required"
    if payload.get("messaging_type") not in ("RESPONSE", "UPDATE", "MESSAGE_TAG"):
        return "The parameter messaging_type is required"
    replies = message.get("quick_replies")
    if replies is not None:
        if not isinstance(replies, list) or not 1 <= len(replies) <= 13:
            return "Param message['quick_replies'] must be an array of 1 to 13 items"
        for reply in replies:
            if not isinstance(reply, dict) or reply.get("content_type") != "text":
                return "Each quick reply needs content_type text"
            if not isinstance(reply.get("title"), str) or not 0 < len(reply["title"]) <= 20:
                return "Quick reply titles are required, at most 20 characters"
            if not isinstance(reply.get("payload"), str) or not reply["payload"]:
                return "Quick reply payloads are required"
    return None


def _body_params(template: dict[str, Any]) -> list[Any]:
    params: list[Any] = []
    for component in template.get("components") or []:
        if isinstance(component, dict) and component.get("type") == "body":
            for parameter in component.get("parameters") or []:
                if isinstance(parameter, dict):
                    params.append(parameter.get("text"))
    return params


def _recorded(payload: dict[str, Any], phone_number_id: str, wamid: str) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": wamid,
        "to": payload["to"],
        "type": payload["type"],
        "phone_number_id": phone_number_id,
        "received_at": _now(),
        "template": None,
        "language": None,
        "params": [],
        "text": None,
        "context_message_id": (payload.get("context") or {}).get("message_id"),
        "payload": payload,
    }
    if payload["type"] == "template":
        template = payload["template"]
        record.update(template=template["name"], language=template["language"]["code"], params=_body_params(template))
    elif payload["type"] == "interactive":
        record.update(text=payload["interactive"]["body"]["text"], rows=_list_rows(payload))
    else:
        record["text"] = payload["text"]["body"]
    return record


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], state: SandboxState, verbose: bool) -> None:
        self.state = state
        self.verbose = verbose
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def track(self, connection: socket.socket, is_open: bool) -> None:
        with self._open_lock:
            if is_open:
                self._open.add(connection)
            else:
                self._open.discard(connection)

    def drop_connections(self) -> None:
        """Cut keep-alive connections too: a stopped sandbox must look like a dead Graph, not half of one."""
        with self._open_lock:
            connections, self._open = list(self._open), set()
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (timeout test, stopped worker) is normal here, not worth a traceback.
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like Graph, so urllib3's pool is exercised
    server: _Server
    server_version = "SapaWhatsAppSandbox/1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes; no 40 ms stall on keep-alive

    # -- plumbing ----------------------------------------------------------
    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, True)

    def finish(self) -> None:
        self.server.track(self.connection, False)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        # Paths carry no personal data; bodies are never logged.
        if self.server.verbose:
            sys.stderr.write(f"whatsapp-sandbox {self.address_string()} {format % args}\n")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, body: Any) -> None:
        self._send(status, json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json; charset=UTF-8")

    def _read_body(self) -> bytes | None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY_BYTES:
            self.close_connection = True
            return None
        return self.rfile.read(length) if length else b""

    @property
    def _path(self) -> str:
        return urlsplit(self.path).path

    def _not_found(self) -> None:
        self._json(404, graph_error(100, "Unknown path", details=f"No sandbox route for {self.command} {self._path}"))

    # -- routes ------------------------------------------------------------
    def do_GET(self) -> None:
        state = self.server.state
        if self._path == "/_sandbox/health":
            self._json(200, {"status": "ok", "messages": len(state.messages()), "faults": len(state.faults())})
        elif self._path == "/_sandbox/messages":
            to = parse_qs(urlsplit(self.path).query).get("to", [None])[0]
            self._json(200, {"messages": state.messages(to)})
        elif self._path == "/_sandbox/faults":
            self._json(200, {"faults": state.faults()})
        elif self._path == "/_sandbox/statuses":
            self._statuses()
        else:
            self._not_found()

    def _statuses(self) -> None:
        webhooks = self.server.state.webhooks
        if webhooks is None:
            self._json(200, {"webhook_url": None, "enabled": False})
            return
        self._json(200, {"webhook_url": webhooks.webhook_url, **webhooks.config.to_json(), **webhooks.counts()})

    def do_PUT(self) -> None:
        raw = self._read_body()
        if self._path != "/_sandbox/statuses":
            self._not_found()
            return
        webhooks = self.server.state.webhooks
        if webhooks is None:
            self._json(409, {"error": "the sandbox was started without --webhook-url; it sends no statuses"})
            return
        try:
            webhooks.configure(json.loads(raw or b"null"))
        except ValueError as error:
            message = str(error) if isinstance(error, StatusConfigError) else "body is not JSON"
            self._json(400, {"error": message})
            return
        self._statuses()

    def do_DELETE(self) -> None:
        state = self.server.state
        if self._path == "/_sandbox/messages":
            self._json(200, {"deleted": state.clear_messages()})
        elif self._path == "/_sandbox/faults":
            self._json(200, {"deleted": state.clear_faults()})
        else:
            self._not_found()

    def do_POST(self) -> None:
        raw = self._read_body()
        if raw is None:
            self._json(413, graph_error(100, "Invalid parameter", details="Request body is missing or too large"))
            return
        if self._path == "/_sandbox/faults":
            self._post_fault(raw)
            return
        if SEND_API_PATH.match(self._path):
            self._post_social(raw, None)
            return
        comment = COMMENT_REPLY_PATH.match(self._path)
        if comment is not None:
            self._post_social(raw, comment["comment_id"])
            return
        match = MESSAGES_PATH.match(self._path)
        if match is None:
            self._not_found()
            return
        self._post_message(raw, match["phone_number_id"])

    def _post_fault(self, raw: bytes) -> None:
        try:
            fault = Fault.from_json(json.loads(raw or b"null"))
        except (ValueError, FaultError) as error:
            self._json(400, {"error": str(error) if isinstance(error, FaultError) else "body is not JSON"})
            return
        self.server.state.add_fault(fault)
        self._json(201, {"fault": fault.to_json()})

    def _post_message(self, raw: bytes, phone_number_id: str) -> None:
        state = self.server.state
        if self.headers.get("Authorization", "") != f"Bearer {state.access_token}":
            self._json(401, graph_error(190, GRAPH_TITLES[190], details="Invalid OAuth access token - Cannot parse"))
            return
        if state.phone_number_id is not None and phone_number_id != state.phone_number_id:
            details = f"Unsupported post request. Object with ID '{phone_number_id}' does not exist"
            self._json(400, graph_error(100, "Invalid parameter", details=details, subcode=33))
            return
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = None
        problem = _validate(payload)
        if problem is not None:
            self._json(400, graph_error(100, "Invalid parameter", details=problem))
            return
        to_digits = _digits(payload["to"])
        fault = state.take_fault(to_digits)
        if fault is not None and fault.delay_seconds:
            state.stopping.wait(fault.delay_seconds)
        if fault is not None and fault.kind == "error":
            if fault.code is None:
                self._send(fault.status, fault.message.encode("utf-8"), "text/plain; charset=UTF-8")
            else:
                self._json(fault.status, graph_error(fault.code, fault.message))
            return
        contacts = [{"input": payload["to"], "wa_id": to_digits}]
        if fault is not None and fault.kind == "no_message_id":
            # Graph answered but did not say it took the message: it is not recorded as sent.
            self._json(fault.status, {"messaging_product": "whatsapp", "contacts": contacts, "messages": []})
            return
        wamid = f"wamid.SBX{uuid.uuid4().hex.upper()}"
        record = _recorded(payload, phone_number_id, wamid)
        state.record(record)
        if state.webhooks is not None:
            forced = (fault.code or UNDELIVERABLE_CODE) if fault is not None and fault.kind == "undeliverable" else None
            state.webhooks.schedule(record, forced)
        self._json(200, {"messaging_product": "whatsapp", "contacts": contacts, "messages": [{"id": wamid}]})

    def _post_social(self, raw: bytes, comment_id: str | None) -> None:
        """Messenger/Instagram: a DM through the Send API, or a public reply under a comment."""
        state = self.server.state
        if self.headers.get("Authorization", "") != f"Bearer {state.access_token}":
            self._json(401, graph_error(190, GRAPH_TITLES[190], details="Invalid OAuth access token - Cannot parse"))
            return
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = None
        problem = _validate_social(payload, comment_id)
        if problem is not None:
            self._json(400, graph_error(100, "Invalid parameter", details=problem))
            return
        to = comment_id or str(payload["recipient"]["id"])
        fault = state.take_fault(_digits(to))
        if fault is not None and fault.delay_seconds:
            state.stopping.wait(fault.delay_seconds)
        if fault is not None and fault.kind == "error":
            if fault.code is None:
                self._send(fault.status, fault.message.encode("utf-8"), "text/plain; charset=UTF-8")
            else:
                self._json(fault.status, graph_error(fault.code, fault.message))
            return
        if fault is not None and fault.kind == "no_message_id":
            self._json(fault.status, {} if comment_id else {"recipient_id": to})
            return
        provider_id = f"{comment_id}_SBX{uuid.uuid4().hex[:12]}" if comment_id else f"m_SBX{uuid.uuid4().hex.upper()}"
        text = payload["message"] if comment_id else payload["message"]["text"]
        state.record(
            {
                "id": provider_id,
                "to": to,
                "type": "comment_reply" if comment_id else "text",
                "phone_number_id": None,
                "received_at": _now(),
                "template": None,
                "language": None,
                "params": [],
                "text": text,
                "context_message_id": None,
                "payload": payload,
                "channel": "comment" if comment_id else "messenger",
                "quick_replies": [] if comment_id else list(payload["message"].get("quick_replies") or []),
            }
        )
        self._json(200, {"id": provider_id} if comment_id else {"recipient_id": to, "message_id": provider_id})


class WhatsAppSandbox:
    """The sandbox in a background thread, for tests and `make run`.

    with WhatsAppSandbox() as sandbox:
        client = WhatsAppClient(sandbox.base_url, "v21.0", "123", DEFAULT_TOKEN)
    """

    def __init__(
        self,
        access_token: str = DEFAULT_TOKEN,
        *,
        phone_number_id: str | None = None,
        verbose: bool = False,
        webhooks: StatusWebhooks | None = None,
    ) -> None:
        self.state = SandboxState(access_token, phone_number_id, webhooks)
        if webhooks is not None:
            webhooks.on_status = self.state.note_status
        self._verbose = verbose
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the sandbox is not running")
        host, port = self._server.server_address[:2]
        host = "127.0.0.1" if host in ("0.0.0.0", "") else str(host)
        return f"http://{host}:{port}"

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the sandbox is not running")
        return int(self._server.server_address[1])

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen (port 0 picks a free one) and serve in a daemon thread; returns the base URL."""
        if self._server is not None:
            return self.base_url
        self.state.stopping.clear()
        self._server = _Server((host, port), self.state, self._verbose)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="whatsapp-sandbox", daemon=True
        )
        self._thread.start()
        if self.state.webhooks is not None:
            self.state.webhooks.start()
        return self.base_url

    def stop(self) -> None:
        if self._server is None:
            return
        self.state.stopping.set()  # wake handlers sleeping on a delay fault
        if self.state.webhooks is not None:
            self.state.webhooks.stop()
        self._server.shutdown()
        self._server.server_close()
        self._server.drop_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server, self._thread = None, None

    def serve_forever(self, host: str = "127.0.0.1", port: int = DEFAULT_PORT) -> None:
        """Serve in this thread until interrupted (the `python -m` entry point)."""
        self._server = _Server((host, port), self.state, self._verbose)
        if self.state.webhooks is not None:
            self.state.webhooks.start()
        try:
            self._server.serve_forever(poll_interval=0.2)
        finally:
            self.state.stopping.set()
            if self.state.webhooks is not None:
                self.state.webhooks.stop()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> WhatsAppSandbox:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- the customer's phone ----------------------------------------------
    def messages(self, to: str | None = None) -> list[dict[str, Any]]:
        """Accepted messages, oldest first (optionally only those to one number)."""
        return self.state.messages(to)

    def wait_for_messages(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Block until at least `count` messages arrived (or timeout); for asynchronous senders."""
        return self.state.wait_for_messages(count, timeout)

    def clear(self) -> None:
        """Forget messages and pending faults: a clean phone between tests."""
        self.state.clear_messages()
        self.state.clear_faults()

    # -- failures on demand ------------------------------------------------
    def inject(
        self,
        code: int | str | None = None,
        *,
        status: int | None = None,
        count: int = 1,
        to: str | None = None,
        kind: str | None = None,
        message: str | None = None,
        delay_seconds: float = 0.0,
    ) -> dict[str, Any]:
        """Queue a fault exactly as `POST /_sandbox/faults` would; returns it as stored."""
        fault = Fault.from_json(
            {
                "code": code,
                "status": status,
                "count": count,
                "to": to,
                "kind": kind,
                "message": message,
                "delay_seconds": delay_seconds,
            }
        )
        self.state.add_fault(fault)
        return fault.to_json()

    def faults(self) -> list[dict[str, Any]]:
        return self.state.faults()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Local WhatsApp Cloud API (Graph) sandbox")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument(
        "--token",
        default=os.environ.get("WHATSAPP_ACCESS_TOKEN"),
        help="bearer token to accept (default: $WHATSAPP_ACCESS_TOKEN, else the local stage's token)",
    )
    parser.add_argument("--phone-number-id", default=None, help="only accept this phone number id (default: any)")
    parser.add_argument("--quiet", action="store_true", help="do not log requests")
    parser.add_argument(
        "--webhook-url", default=None, help="post Meta's status webhooks for accepted messages here (default: none)"
    )
    parser.add_argument(
        "--app-secret",
        default=os.environ.get("META_APP_SECRET") or LOCAL_SECRET_DEFAULTS["META_APP_SECRET"],
        help="sign the status webhooks with this app secret (default: $META_APP_SECRET, else the local stage's)",
    )
    # String defaults from the environment go through `type` too, so a bad value is a usage error.
    parser.add_argument(
        "--read-rate",
        type=float,
        default=os.environ.get("SAPA_SANDBOX_READ_RATE", str(DEFAULT_READ_RATE)),
        help=f"share of delivered messages read (default: $SAPA_SANDBOX_READ_RATE, else {DEFAULT_READ_RATE})",
    )
    parser.add_argument(
        "--fail-rate",
        type=float,
        default=os.environ.get("SAPA_SANDBOX_FAIL_RATE", str(DEFAULT_FAIL_RATE)),
        help=f"share of accepted messages that fail (default: $SAPA_SANDBOX_FAIL_RATE, else {DEFAULT_FAIL_RATE})",
    )
    parser.add_argument(
        "--status-step",
        type=float,
        default=os.environ.get("SAPA_SANDBOX_STATUS_SECONDS", str(DEFAULT_STEP_SECONDS)),
        help="seconds between a message's statuses (default: $SAPA_SANDBOX_STATUS_SECONDS, else 1)",
    )
    parser.add_argument(
        "--clock-offset",
        type=float,
        default=os.environ.get("SAPA_CLOCK_OFFSET_SECONDS", "0"),
        help="stamp the status webhooks on the local stack's shifted clock (default: $SAPA_CLOCK_OFFSET_SECONDS)",
    )
    args = parser.parse_args(argv)
    webhooks = None
    if args.webhook_url:
        try:
            config = StatusConfig().updated(
                {"read_rate": args.read_rate, "fail_rate": args.fail_rate, "step_seconds": args.status_step}
            )
        except StatusConfigError as error:
            parser.error(str(error))
        offset = args.clock_offset
        webhooks = StatusWebhooks(args.webhook_url, args.app_secret, config=config, clock=lambda: time.time() + offset)
    sandbox = WhatsAppSandbox(
        args.token or DEFAULT_TOKEN, phone_number_id=args.phone_number_id, verbose=not args.quiet, webhooks=webhooks
    )
    token_note = "default local token" if args.token is None else "custom token"
    print(f"WhatsApp sandbox on http://{args.host}:{args.port} ({token_note}); Ctrl-C to stop", flush=True)
    try:
        sandbox.serve_forever(args.host, args.port)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
