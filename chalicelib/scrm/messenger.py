"""Replies on Instagram and Facebook: the Graph Send API for DMs, the comments edge for public replies.

The outbound worker hands every adapter the same dict for these channels:
{"recipient", "text", "reply_to", "channel"}, and "quick_replies" ((payload, title) pairs)
for a question. A recipient "comment:<id>" is a
public reply under that comment (Facebook: POST /<id>/comments, Instagram:
POST /<id>/replies); any other recipient is a page- or Instagram-scoped user
id and gets a DM with messaging_type RESPONSE (inside the 24-hour window).
Like the WhatsApp adapter it never retries and never logs texts or ids of people.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import urllib3

from chalicelib.outbound import graph
from chalicelib.outbound.provider import Disposition, ProviderError, SendResult
from chalicelib.outbound.whatsapp_errors import classify

COMMENT_PREFIX = "comment:"
QUICK_REPLY_TITLE_CHARS = 20  # the Send API's limit
# Messenger-specific answers Graph gives with generic codes; checked before the shared table.
_MESSENGER_ERRORS: dict[tuple[int, int | None], tuple[Disposition, str]] = {
    (10, 2018278): (Disposition.PERMANENT, "outside the 24-hour messaging window"),
    (10, 2018065): (Disposition.PERMANENT, "outside the 24-hour messaging window"),
    (551, None): (Disposition.PERMANENT, "this person is not available to receive messages"),
    (100, 2018001): (Disposition.PERMANENT, "no matching user found for this recipient"),
    (613, None): (Disposition.RETRY, "Messenger send rate limit reached"),
}


def classify_messenger(status: int, body: dict[str, Any] | None) -> ProviderError:
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and isinstance(error.get("code"), int):
        subcode = error.get("error_subcode") if isinstance(error.get("error_subcode"), int) else None
        rule = _MESSENGER_ERRORS.get((error["code"], subcode)) or _MESSENGER_ERRORS.get((error["code"], None))
        if rule is not None:
            trace = error.get("fbtrace_id") if isinstance(error.get("fbtrace_id"), str) else None
            return ProviderError(str(error["code"]), rule[1], rule[0], http_status=status, trace_id=trace)
    return classify(status, body)


class MessengerClient:
    """Sends as one Facebook Page (and its linked Instagram account) with the page access token."""

    def __init__(
        self,
        graph_url: str,
        api_version: str,
        token: Callable[[], str | None],
        http: urllib3.PoolManager | None = None,
        timeout: float = 10.0,
    ) -> None:
        if not graph_url.startswith(("http://", "https://")):
            raise ValueError("graph_url must be an http(s) URL")
        self.base_url = f"{graph_url.rstrip('/')}/{api_version.strip('/')}"
        self._token = token
        self._http = http or urllib3.PoolManager()
        self._timeout = urllib3.Timeout(total=timeout)

    def __repr__(self) -> str:
        return f"MessengerClient({self.base_url!r})"

    def send(self, message: Mapping[str, Any]) -> SendResult:
        recipient = str(message.get("recipient") or "").strip()
        text = str(message.get("text") or "")
        channel = str(message.get("channel") or "facebook")
        if not recipient or not text:
            raise ProviderError("invalid_message", "a reply needs a recipient and a text", Disposition.PERMANENT)
        if recipient.startswith(COMMENT_PREFIX):
            comment_id = recipient.removeprefix(COMMENT_PREFIX)
            if not comment_id or "/" in comment_id:
                raise ProviderError("invalid_recipient", "not a comment id", Disposition.PERMANENT)
            edge = "replies" if channel == "instagram" else "comments"
            return self._post(f"{self.base_url}/{comment_id}/{edge}", {"message": text}, kind="comment")
        content: dict[str, Any] = {"text": text}
        choices = message.get("quick_replies") or ()
        if choices:
            content["quick_replies"] = [
                {"content_type": "text", "title": str(title)[:QUICK_REPLY_TITLE_CHARS], "payload": str(choice_id)}
                for choice_id, title in choices
            ]
        payload: dict[str, Any] = {"recipient": {"id": recipient}, "messaging_type": "RESPONSE", "message": content}
        return self._post(f"{self.base_url}/me/messages", payload, kind="dm")

    def _post(self, url: str, payload: dict[str, Any], *, kind: str) -> SendResult:
        token = self._token()
        if not token:
            raise ProviderError(
                "no_token", "META_PAGE_ACCESS_TOKEN is not configured", Disposition.PERMANENT, alert=True
            )
        return graph.post(
            self._http,
            url,
            token,
            payload,
            timeout=self._timeout,
            kind=kind,
            what="meta reply",
            classify=classify_messenger,
            provider_id=_provider_id,
        )


def _provider_id(body: dict[str, Any] | None) -> str | None:
    if not body:
        return None
    for name in ("message_id", "id"):
        value = body.get(name)
        if isinstance(value, str) and value.strip():
            return value
    return None
