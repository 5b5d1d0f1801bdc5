"""The local AWS endpoint's outbox: every e-mail moto's SES accepted, readable over HTTP.

moto keeps what SES accepted (`SESBackend.sent_messages`: the raw MIME for
`SendRawEmail` and SESv2's `Content.Raw`), but its server exposes it to no
client. This module stamps each accepted message with a sequence number, the
time it was accepted, and what SESv2's `SendEmail` carried besides the MIME
(`ConfigurationSetName`, `EmailTags`: SES echoes both in its events), and
serves them at `GET /_sapa/ses/messages?after=<seq>` on the same port.

The console's mail viewer and the local runner's SES event simulator read it.
Applied only in `sapa_cli.local.aws_server`, never in Sapa's runtime or tests.
"""

from __future__ import annotations

import itertools
import json
import threading
import urllib.parse
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

OUTBOX_PATH = "/_sapa/ses/messages"
MAX_PAGE = 500

_lock = threading.Lock()
_sequence = itertools.count(1)
_extras: dict[str, dict[str, Any]] = {}
_PATCHED = False


def _stamp(message: Any) -> Any:
    with _lock:
        message.sapa_seq = next(_sequence)
    message.sapa_sent_at = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return message


def patch_moto_ses() -> None:
    """Stamp every message moto's SES accepts; remember SESv2's configuration set and tags by message id."""
    global _PATCHED
    if _PATCHED:
        return
    from moto.ses.models import SESBackend
    from moto.sesv2.responses import SESV2Response

    for name in ("send_raw_email", "send_email"):
        original = getattr(SESBackend, name)

        def stamped(self: Any, *args: Any, _original: Callable[..., Any] = original, **kwargs: Any) -> Any:
            return _stamp(_original(self, *args, **kwargs))

        setattr(SESBackend, name, stamped)

    original_v2 = SESV2Response.send_email

    def send_email_v2(self: Any) -> str:
        answer = original_v2(self)
        params = json.loads(self.body or "{}")
        extras = {
            "configuration_set": params.get("ConfigurationSetName"),
            "tags": {str(t.get("Name")): str(t.get("Value")) for t in params.get("EmailTags") or []},
        }
        with _lock:
            _extras[json.loads(answer)["MessageId"]] = extras
        return answer

    SESV2Response.send_email = send_email_v2  # type: ignore[method-assign]
    _PATCHED = True


def _raw(message: Any) -> str:
    """The MIME text SES accepted; a Simple send (not what Sapa uses) is rebuilt as one."""
    raw = getattr(message, "raw_data", None)
    if raw is not None:
        return str(raw)
    mime = EmailMessage()
    mime["From"] = str(getattr(message, "source", ""))
    mime["Subject"] = str(getattr(message, "subject", "") or "")
    mime.set_content(str(getattr(message, "body", "") or ""))
    return mime.as_string()


def _destinations(message: Any) -> list[str]:
    found = getattr(message, "destinations", None) or []
    if isinstance(found, dict):  # SendEmail keeps {"ToAddresses": [...], ...}
        found = [address for addresses in found.values() for address in addresses]
    unique: list[str] = []
    for address in found:
        if address not in unique:
            unique.append(str(address))
    return unique


def outbox(backends: Iterable[Any], after: int = 0, limit: int = MAX_PAGE) -> list[dict[str, Any]]:
    """The stamped messages with a sequence number above `after`, oldest first."""
    found = []
    for backend in backends:
        for message in getattr(backend, "sent_messages", []):
            seq = getattr(message, "sapa_seq", None)
            if seq is None or seq <= after:
                continue
            extras = _extras.get(message.id, {})
            found.append(
                {
                    "seq": seq,
                    "id": message.id,
                    "source": str(getattr(message, "source", "") or ""),
                    "destinations": _destinations(message),
                    "sent_at": message.sapa_sent_at,
                    "sending_account_id": getattr(backend, "account_id", ""),
                    "region": getattr(backend, "region_name", ""),
                    "configuration_set": extras.get("configuration_set"),
                    "tags": extras.get("tags", {}),
                    "raw": _raw(message),
                }
            )
    found.sort(key=lambda m: m["seq"])
    return found[:limit]


def ses_backends() -> list[Any]:
    from moto.ses.models import ses_backends as backends

    return [backend for _account, _region, backend in backends.iter_backends()]


def with_outbox(app: Callable[..., Any], backends: Callable[[], list[Any]] = ses_backends) -> Callable[..., Any]:
    """A WSGI app that answers the outbox path itself and passes everything else to moto."""

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != OUTBOX_PATH or environ.get("REQUEST_METHOD") != "GET":
            return app(environ, start_response)  # type: ignore[no-any-return]
        query = urllib.parse.parse_qs(environ.get("QUERY_STRING") or "")
        try:
            after = int((query.get("after") or ["0"])[0])
            limit = min(int((query.get("limit") or [str(MAX_PAGE)])[0]), MAX_PAGE)
        except ValueError:
            start_response("400 Bad Request", [("Content-Type", "application/json")])
            return [b'{"message": "after and limit are whole numbers"}']
        body = json.dumps({"messages": outbox(backends(), after, limit)}).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    return serve
