"""The widget in a real browser against a fake Sapa started here: the widget script, the demo page, a config, a socket.

The HTTP side serves the script and the demo page exactly as the routes render
them (same functions, same CSP); the socket side is a small scripted server
speaking docs/webchat-protocol.md, recording every frame the widget sends.

The widget's shadow root is closed, so no page script (and no test tool) can
reach into it. Tests open it with an init script that turns `attachShadow`'s
mode to "open" before the widget runs; one test pins that without it the root
stays closed.

Set SAPA_SCREENSHOTS=docs/screenshots to refresh the README's picture.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from chalicelib.webchat import widget_routes

ROOT = Path(__file__).resolve().parents[3]
SCREENSHOTS = os.environ.get("SAPA_SCREENSHOTS")
CONSENT = {
    "version": "web-chat-2026-12",
    "id": "Saya setuju Sapa Finance menghubungi saya kembali tentang pertanyaan ini.",
    "en": "I agree that Sapa Finance may contact me again about this question.",
}
OPEN_SHADOW = """
(() => {
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) { return attach.call(this, { ...init, mode: "open" }); };
})();
"""
WATCH_CSP = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class FakeSapa:
    """Sapa's side of the protocol, scripted by each test."""

    http_url: str = ""
    socket_url: str = ""
    needs_prechat: bool = False
    drop_next_message: bool = False
    """Close the socket on the next visitor message, before acknowledging it (a lost connection)."""
    answer: Callable[[str], str] = lambda text: f"Terima kasih! Pertanyaan Anda: {text}"
    then: list[dict[str, Any]] = field(default_factory=list)
    """Frames pushed after the next answer (an agent joining, typing, a satisfaction question)."""
    heartbeat_seconds: int = 240
    answer_pings: bool = True
    frames: list[dict[str, Any]] = field(default_factory=list)
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    visitors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def sent(self, kind: str) -> list[dict[str, Any]]:
        with self.lock:
            return [frame for frame in self.frames if frame.get("type") == kind]

    def wait_for(self, kind: str, count: int = 1, timeout: float = 10) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.sent(kind)) < count:
            if time.monotonic() > deadline:
                pytest.fail(f"the widget sent {len(self.sent(kind))} {kind} frame(s), not {count}: {self.frames}")
            time.sleep(0.05)
        return self.sent(kind)

    # -- the socket ------------------------------------------------------------------------------------------
    def converse(self, socket: Any) -> None:
        visitor: str | None = None
        for raw in socket:
            frame = json.loads(raw)
            with self.lock:
                self.frames.append(frame)
            kind = frame.get("type")
            if kind == "hello":
                visitor = frame.get("visitor")
                with self.lock:
                    if visitor not in self.history:
                        self.visitors += 1
                        visitor = f"visitor-{self.visitors}"
                        self.history[visitor] = []
                    history = list(self.history[visitor])
                socket.send(
                    json.dumps(
                        {
                            "type": "welcome",
                            "visitor": visitor,
                            "identified": False,
                            "needs_prechat": self.needs_prechat,
                            "history": history,
                            "agent": None,
                        }
                    )
                )
            elif visitor is None:
                socket.send(json.dumps({"type": "error", "code": "hello_first", "message": "hello first"}))
            elif kind == "message":
                if self.drop_next_message:
                    self.drop_next_message = False
                    socket.close()
                    return
                self._answer(socket, visitor, frame)
            elif kind == "prechat":
                if "@" not in frame["contact"] and not any(ch.isdigit() for ch in frame["contact"]):
                    socket.send(
                        json.dumps(
                            {
                                "type": "error",
                                "code": "prechat_invalid",
                                "message": "Periksa isian Anda",
                                "fields": {"contact": "Bukan nomor HP atau alamat e-mail"},
                            }
                        )
                    )
                else:
                    self.needs_prechat = False
                    socket.send(json.dumps({"type": "prechat_ok"}))
            elif kind == "ping":
                if self.answer_pings:
                    socket.send(json.dumps({"type": "pong"}))
            elif kind == "csat":
                socket.send(json.dumps({"type": "csat_ok"}))
            elif kind == "delete":
                with self.lock:
                    self.history.pop(visitor, None)
                socket.send(json.dumps({"type": "deleted"}))
            elif kind == "transcript":
                socket.send(json.dumps({"type": "transcript_sent"}))

    def _answer(self, socket: Any, visitor: str, frame: dict[str, Any]) -> None:
        with self.lock:
            log = self.history[visitor]
            if any(item["id"] == frame["id"] for item in log):  # a resend: acknowledged again, answered once
                socket.send(json.dumps({"type": "ack", "id": frame["id"]}))
                return
            log.append({"type": "message", "id": frame["id"], "from": "visitor", "text": frame["text"], "at": _now()})
        socket.send(json.dumps({"type": "ack", "id": frame["id"]}))
        answer = {
            "type": "message",
            "id": f"bot-{frame['id']}",
            "from": "bot",
            "text": self.answer(frame["text"]),
            "at": _now(),
        }
        with self.lock:
            log.append(answer)
            pushed, self.then = self.then, []
        socket.send(json.dumps(answer))
        for frame in pushed:
            socket.send(json.dumps(frame))

    # -- HTTP ------------------------------------------------------------------------------------------------
    def config(self) -> dict[str, Any]:
        return {
            "site": "demo",
            "name": "Sapa Finance",
            "socket": self.socket_url,
            "languages": ["id", "en"],
            "consent": CONSENT,
            "heartbeat_seconds": self.heartbeat_seconds,
        }


def _http_handler(fake: FakeSapa) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def _reply(self, status: int, body: str, content_type: str, headers: dict[str, str] | None = None) -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            page_headers = {"Content-Security-Policy": widget_routes.demo_csp(fake.socket_url)}
            if url.path == "/widget.js":
                self._reply(200, widget_routes.widget_script(), widget_routes.SCRIPT_HEADERS["Content-Type"])
            elif url.path == "/widget/demo":
                self._reply(200, widget_routes.demo_page(), "text/html; charset=utf-8", page_headers)
            elif url.path == "/widget/demo-en":
                page = widget_routes.demo_page().replace('data-site="demo"', 'data-site="demo" data-language="en"')
                self._reply(200, page, "text/html; charset=utf-8", page_headers)
            elif url.path == "/widget/demo-signed-in":
                signed = f'data-site="demo" data-identity="CUST-0042" data-identity-hash="{"ab" * 32}"'
                page = widget_routes.demo_page().replace('data-site="demo"', signed)
                self._reply(200, page, "text/html; charset=utf-8", page_headers)
            elif url.path == "/widget/config" and parse_qs(url.query).get("site") == ["demo"]:
                self._reply(200, json.dumps(fake.config()), "application/json")
            else:
                self._reply(404, '{"error": "not_found", "message": "no such page"}', "application/json")

    return Handler


@pytest.fixture
def fake_sapa() -> Iterator[FakeSapa]:
    from websockets.sync.server import serve

    fake = FakeSapa()
    socket_server = serve(fake.converse, "127.0.0.1", 0)
    http_server = ThreadingHTTPServer(("127.0.0.1", 0), _http_handler(fake))
    fake.socket_url = f"ws://127.0.0.1:{socket_server.socket.getsockname()[1]}"
    fake.http_url = f"http://127.0.0.1:{http_server.server_address[1]}"
    threads = [
        threading.Thread(target=socket_server.serve_forever, daemon=True),
        threading.Thread(target=http_server.serve_forever, daemon=True),
    ]
    for thread in threads:
        thread.start()
    yield fake
    socket_server.shutdown()
    http_server.shutdown()
    http_server.server_close()


def screenshot(page: Any, name: str) -> None:
    """Into the README's folder when SAPA_SCREENSHOTS names it."""
    if SCREENSHOTS:
        target = ROOT / SCREENSHOTS
        target.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target / f"{name}.png"), full_page=False)


@dataclass
class Visitor:
    """A visitor's tab on the company's site, with what a security review watches: console lines and CSP refusals."""

    page: Any
    fake: FakeSapa
    console: list[str] = field(default_factory=list)

    def visit(self, path: str = "/widget/demo") -> None:
        self.page.goto(f"{self.fake.http_url}{path}")

    @property
    def launcher(self) -> Any:
        return self.page.get_by_role("button", name="Chat", exact=True)

    @property
    def panel(self) -> Any:
        return self.page.get_by_role("dialog")

    @property
    def log(self) -> Any:
        return self.panel.get_by_role("log")

    def open_chat(self) -> None:
        self.launcher.click()
        self.fake.wait_for("hello")

    def violations(self) -> list[str]:
        reported = self.page.evaluate("window.__violations || []")
        return reported + [line for line in self.console if "Content Security Policy" in line]

    def screenshot(self, name: str) -> None:
        screenshot(self.page, name)


def _visitor(chrome: Any, fake: FakeSapa, *, open_shadow: bool) -> Iterator[Visitor]:
    context = chrome.new_context(viewport={"width": 1280, "height": 800}, locale="id-ID")
    if open_shadow:
        context.add_init_script(OPEN_SHADOW)
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    visitor = Visitor(page, fake)
    page.on("console", lambda message: visitor.console.append(f"{message.type}: {message.text}"))
    yield visitor
    context.close()


@pytest.fixture
def visitor(chrome: Any, fake_sapa: FakeSapa) -> Iterator[Visitor]:
    yield from _visitor(chrome, fake_sapa, open_shadow=True)


@pytest.fixture
def plain_visitor(chrome: Any, fake_sapa: FakeSapa) -> Iterator[Visitor]:
    """No init script opening the shadow root: the widget as every page script sees it."""
    yield from _visitor(chrome, fake_sapa, open_shadow=False)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/webchat/browser" in str(item.fspath):
            item.add_marker(pytest.mark.slow)
