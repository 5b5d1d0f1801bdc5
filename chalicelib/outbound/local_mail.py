"""The e-mail the local stack's SES accepted, as a person reads it: for the console's mail viewer.

On the local stage nothing leaves the machine: moto's SES keeps each message,
and the local AWS endpoint serves them (`/_sapa/ses/messages`, see
`sapa_cli.local.ses_outbox`). This module reads that outbox and parses the raw
MIME with the standard library, so staff can check what a campaign or a test
e-mail looks like: sender, recipient, subject, the text and HTML bodies and
headers such as `List-Unsubscribe`. Deployed stages have no outbox.
"""

from __future__ import annotations

import email
import email.policy
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

OUTBOX_PATH = "/_sapa/ses/messages"
MAX_BODY_CHARS = 1_000_000
"""A body longer than this is cut in the viewer (test data; a browser need not choke on it)."""

OutboxSource = Callable[[int], list[dict[str, Any]]]
"""Returns the outbox's records after a sequence number, oldest first."""


class OutboxUnavailable(RuntimeError):
    """The local AWS endpoint's outbox did not answer."""


@dataclass(frozen=True)
class Mail:
    id: str
    seq: int
    sender: str
    to: tuple[str, ...]
    subject: str
    sent_at: str
    headers: tuple[tuple[str, str], ...]
    text: str | None
    html: str | None
    tags: dict[str, str]

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    def __repr__(self) -> str:
        return f"Mail(id={self.id!r}, to=***)"


def _body(message: EmailMessage, subtype: str) -> str | None:
    part = message.get_body(preferencelist=(subtype,))
    if part is None:
        return None
    try:
        content = part.get_content()
    except (LookupError, ValueError):  # an unknown charset or a broken transfer encoding
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else str(payload)
    text = str(content)
    return text if len(text) <= MAX_BODY_CHARS else text[:MAX_BODY_CHARS]


def parse(record: dict[str, Any]) -> Mail:
    """One outbox record: its raw MIME parsed, headers decoded (RFC 2047), bodies as text."""
    message = email.message_from_string(str(record.get("raw") or ""), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    headers = tuple((str(key), str(value)) for key, value in message.items())
    to = tuple(str(d) for d in record.get("destinations") or ()) or tuple(
        a.addr_spec for a in getattr(message["To"], "addresses", ())
    )
    return Mail(
        id=str(record.get("id") or ""),
        seq=int(record.get("seq") or 0),
        sender=str(message["From"] or record.get("source") or ""),
        to=to,
        subject=str(message["Subject"] or ""),
        sent_at=str(record.get("sent_at") or ""),
        headers=headers,
        text=_body(message, "plain"),
        html=_body(message, "html"),
        tags={str(k): str(v) for k, v in (record.get("tags") or {}).items()},
    )


def http_outbox(endpoint_url: str, timeout: float = 5.0) -> OutboxSource:
    """The local AWS endpoint's outbox over HTTP."""

    def fetch(after: int) -> list[dict[str, Any]]:
        url = endpoint_url.rstrip("/") + OUTBOX_PATH + "?" + urllib.parse.urlencode({"after": after})
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                body = json.loads(response.read())
        except (OSError, ValueError) as error:
            raise OutboxUnavailable(f"the local outbox did not answer: {type(error).__name__}") from None
        messages = body.get("messages") if isinstance(body, dict) else None
        return [m for m in messages or [] if isinstance(m, dict)]

    return fetch


class Mailbox:
    """Every message SES accepted on this stack, newest first."""

    def __init__(self, source: OutboxSource) -> None:
        self.source = source

    def _all(self) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        after = 0
        while True:
            page = self.source(after)
            if not page:
                return records
            records += page
            after = max(int(r.get("seq") or 0) for r in page)
            if after <= 0:
                return records

    def recent(self, limit: int = 200) -> list[Mail]:
        records = sorted(self._all(), key=lambda r: int(r.get("seq") or 0), reverse=True)
        return [parse(record) for record in records[:limit]]

    def get(self, mail_id: str) -> Mail | None:
        found = next((r for r in self._all() if str(r.get("id")) == mail_id), None)
        return parse(found) if found else None
