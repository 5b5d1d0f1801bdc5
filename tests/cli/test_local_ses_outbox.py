"""The local AWS endpoint's outbox: what moto's SES accepted, readable over HTTP, parsed as a person reads it."""

from __future__ import annotations

import io
import json
from types import SimpleNamespace
from typing import Any

from chalicelib.outbound.email import OutboundEmail, build_mime
from chalicelib.outbound.local_mail import Mailbox, parse
from sapa_cli.local.ses_outbox import OUTBOX_PATH, outbox, with_outbox


def raw_message(seq: int, subject: str = "Promo", to: str = "rina@example.com") -> Any:
    mime = build_mime(
        OutboundEmail(to=to, subject=subject, text="Halo Rina", html="<p>Halo</p>", unsubscribe_url="http://x/u/1"),
        "halo@sapa.example",
        "Sapa",
    )
    return SimpleNamespace(
        id=f"ses-{seq}",
        source="halo@sapa.example",
        destinations=[to, to],  # moto adds the To header's address to the API's
        raw_data=mime.decode(),
        sapa_seq=seq,
        sapa_sent_at="2025-06-17T03:00:00.000Z",
    )


def backend(*messages: Any) -> Any:
    return SimpleNamespace(sent_messages=list(messages), account_id="123456789012", region_name="ap-southeast-3")


def call(app: Any, path: str, query: str = "") -> tuple[str, Any]:
    answer: dict[str, str] = {}

    def start(status: str, _headers: list[tuple[str, str]]) -> None:
        answer["status"] = status

    body = b"".join(
        app({"PATH_INFO": path, "REQUEST_METHOD": "GET", "QUERY_STRING": query, "wsgi.input": io.BytesIO()}, start)
    )
    return answer["status"], body


def test_the_outbox_lists_messages_after_a_cursor_with_each_recipient_once() -> None:
    found = outbox([backend(raw_message(1), raw_message(2)), backend(raw_message(3))], after=1)

    assert [m["seq"] for m in found] == [2, 3]
    assert found[0]["destinations"] == ["rina@example.com"]
    assert found[0]["region"] == "ap-southeast-3"
    assert "List-Unsubscribe" in found[0]["raw"]


def test_the_endpoint_answers_the_outbox_path_and_passes_everything_else_to_moto() -> None:
    moto_calls: list[str] = []

    def moto(environ: dict[str, Any], start: Any) -> list[bytes]:
        moto_calls.append(environ["PATH_INFO"])
        start("200 OK", [])
        return [b"moto"]

    app = with_outbox(moto, lambda: [backend(raw_message(1))])

    status, body = call(app, OUTBOX_PATH, "after=0")
    assert status.startswith("200")
    assert [m["id"] for m in json.loads(body)["messages"]] == ["ses-1"]
    assert call(app, OUTBOX_PATH, "after=x")[0].startswith("400")
    assert call(app, "/")[1] == b"moto"
    assert moto_calls == ["/"]


def test_a_record_parses_into_what_the_viewer_shows() -> None:
    mail = parse(outbox([backend(raw_message(1, subject="Diskon =?utf-8?q?Rp?= 50%"))])[0])

    assert mail.sender == "Sapa <halo@sapa.example>"
    assert mail.to == ("rina@example.com",)
    assert mail.header("list-unsubscribe") == "<http://x/u/1>"
    assert mail.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    assert mail.text is not None
    assert mail.text.strip() == "Halo Rina"
    assert mail.html is not None
    assert "<p>Halo</p>" in mail.html
    assert "rina" not in repr(mail)


def test_the_mailbox_pages_through_the_outbox_newest_first() -> None:
    records = outbox([backend(*(raw_message(i, subject=f"S{i}") for i in range(1, 8)))])

    def source(after: int) -> list[dict[str, Any]]:
        return [r for r in records if r["seq"] > after][:3]

    mailbox = Mailbox(source)

    assert [m.subject for m in mailbox.recent(limit=4)] == ["S7", "S6", "S5", "S4"]
    assert mailbox.get("ses-2").subject == "S2"
    assert mailbox.get("nope") is None
