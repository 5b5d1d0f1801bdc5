"""WhatsApp Cloud API adapter: one HTTP call per message, every failure classified.

Plain urllib3 (already shipped with botocore) keeps the Lambda package small.
The client never retries (urllib3 retries are off too): whether and when to
try again is the worker's decision, made from `ProviderError.disposition`.
Phone numbers and message texts are never logged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import urllib3

from chalicelib.outbound import graph
from chalicelib.outbound.provider import Disposition, OutboundWhatsApp, ProviderError, SendResult
from chalicelib.outbound.whatsapp_errors import classify

MIN_PHONE_DIGITS = 8
MAX_PHONE_DIGITS = 15  # E.164
LIST_BUTTON_CHARS = 20  # Graph's limits for an interactive list
LIST_TITLE_CHARS = 24


def recipient_digits(to: str) -> str:
    """E.164 `+6281234567890` as Graph wants it: `6281234567890`.

    Anything else is refused before any call, so a malformed number can never
    reach a different person.
    """
    digits = to.strip().removeprefix("+")
    if not digits.isascii() or not digits.isdigit() or not MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS:
        raise ProviderError("invalid_recipient", "recipient is not an E.164 phone number", Disposition.PERMANENT)
    return digits


class WhatsAppClient:
    """Sends template and free-form messages from one WhatsApp business number."""

    def __init__(
        self,
        graph_url: str,
        api_version: str,
        phone_number_id: str,
        access_token: str,
        http: urllib3.PoolManager | None = None,
        timeout: float = 10.0,
    ) -> None:
        if not graph_url.startswith(("http://", "https://")):
            raise ValueError("graph_url must be an http(s) URL")
        self.messages_url = f"{graph_url.rstrip('/')}/{api_version.strip('/')}/{phone_number_id.strip('/')}/messages"
        self._token = access_token
        self._http = http or urllib3.PoolManager()
        self._timeout = urllib3.Timeout(total=timeout)

    def __repr__(self) -> str:
        return f"WhatsAppClient({self.messages_url!r})"

    # -- the Sender port ---------------------------------------------------
    def send(self, message: OutboundWhatsApp) -> SendResult:
        if message.template_name is not None:
            return self.send_template(
                message.to,
                message.template_name,
                message.language_code,
                message.body_parameters,
                callback_data=message.callback_data,
            )
        if message.list_rows:
            return self.send_list(
                message.to,
                message.text or "",
                message.list_button or "Pilih",
                message.list_rows,
                callback_data=message.callback_data,
            )
        return self.send_text(
            message.to, message.text or "", reply_to=message.context_message_id, callback_data=message.callback_data
        )

    # -- message kinds -----------------------------------------------------
    def send_template(
        self,
        to: str,
        template_name: str,
        language_code: str,
        body_parameters: list[str] | None = None,
        callback_data: str | None = None,
    ) -> SendResult:
        """A pre-approved template: the only kind allowed outside the 24-hour window."""
        template: dict[str, Any] = {"name": template_name, "language": {"code": language_code}}
        if body_parameters:
            template["components"] = [
                {"type": "body", "parameters": [{"type": "text", "text": str(value)} for value in body_parameters]}
            ]
        return self._post(to, {"type": "template", "template": template}, kind="template", callback_data=callback_data)

    def send_text(
        self, to: str, text: str, reply_to: str | None = None, callback_data: str | None = None
    ) -> SendResult:
        """Free-form text, accepted by Meta only within 24 hours of the customer's last message."""
        payload: dict[str, Any] = {"type": "text", "text": {"preview_url": False, "body": text}}
        if reply_to:
            payload["context"] = {"message_id": reply_to}
        return self._post(to, payload, kind="text", callback_data=callback_data)

    def send_list(
        self,
        to: str,
        body: str,
        button: str,
        rows: Sequence[tuple[str, str]],
        callback_data: str | None = None,
    ) -> SendResult:
        """An interactive list (up to 10 rows; reply buttons allow only 3), inside the 24-hour window only."""
        interactive = {
            "type": "list",
            "body": {"text": body},
            "action": {
                "button": button[:LIST_BUTTON_CHARS],
                "sections": [{"rows": [{"id": row_id, "title": title[:LIST_TITLE_CHARS]} for row_id, title in rows]}],
            },
        }
        return self._post(
            to, {"type": "interactive", "interactive": interactive}, kind="interactive", callback_data=callback_data
        )

    # -- transport ---------------------------------------------------------
    def _post(self, to: str, content: dict[str, Any], *, kind: str, callback_data: str | None = None) -> SendResult:
        payload = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": recipient_digits(to)}
        payload.update(content)
        if callback_data:
            payload["biz_opaque_callback_data"] = callback_data
        return graph.post(
            self._http,
            self.messages_url,
            self._token,
            payload,
            timeout=self._timeout,
            kind=kind,
            what="whatsapp send",
            classify=classify,
            provider_id=_message_id,
        )


def _message_id(body: dict[str, Any] | None) -> str | None:
    messages = body.get("messages") if body else None
    if not isinstance(messages, list) or not messages or not isinstance(messages[0], dict):
        return None
    provider_id = messages[0].get("id")
    return provider_id if isinstance(provider_id, str) and provider_id.strip() else None
