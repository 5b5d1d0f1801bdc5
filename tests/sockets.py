"""API Gateway's Management API for tests: what each open socket was sent; a closed one answers 410 Gone."""

from __future__ import annotations

import contextlib
import json
import re
import threading
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_PATH = re.compile(r"^/@connections/([^/?]+)$")


def _connection(path: str) -> str | None:
    match = _PATH.match(path)
    return urllib.parse.unquote(match.group(1)) if match else None


@dataclass
class Sockets:
    """API Gateway's side of the open sockets: what each one was sent; a closed one answers 410 Gone."""

    url: str
    open: set[str] = field(default_factory=set)
    sent: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    closed: list[str] = field(default_factory=list)

    def frames(self, connection_id: str, kind: str | None = None) -> list[dict[str, Any]]:
        return [f for f in self.sent.get(connection_id, []) if kind is None or f.get("type") == kind]


def _handler(sockets: Sockets) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _gone(self) -> None:
            body = json.dumps({"message": "Gone"}).encode()
            self.send_response(410)
            self.send_header("x-amzn-ErrorType", "GoneException")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _ok(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_POST(self) -> None:
            connection = _connection(self.path)
            data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if connection not in sockets.open:
                return self._gone()
            sockets.sent.setdefault(connection, []).append(json.loads(data))
            return self._ok()

        def do_DELETE(self) -> None:
            connection = _connection(self.path)
            if connection not in sockets.open:
                return self._gone()
            sockets.open.discard(connection)
            sockets.closed.append(connection)
            return self._ok()

        def log_message(self, *_args: Any) -> None:
            pass

    return Handler


@contextlib.contextmanager
def management_api() -> Iterator[Sockets]:
    """A real HTTP endpoint a boto3 `apigatewaymanagementapi` client posts to (moto passes it through)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(Sockets("")))
    sockets = Sockets(f"http://127.0.0.1:{server.server_address[1]}")
    server.RequestHandlerClass = _handler(sockets)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield sockets
    finally:
        server.shutdown()
        server.server_close()


def ws_event(route: str, connection_id: str, **extra: Any) -> dict[str, Any]:
    """An API Gateway WebSocket event for one route (`$connect`, `$default`, `$disconnect`)."""
    event_type = {"$connect": "CONNECT", "$default": "MESSAGE", "$disconnect": "DISCONNECT"}[route]
    return {
        "requestContext": {
            "routeKey": route,
            "eventType": event_type,
            "connectionId": connection_id,
            "domainName": "wsapi.execute-api.ap-southeast-3.amazonaws.com",
            "stage": "api",
            "apiId": "wsapi",
            "requestId": uuid.uuid4().hex,
            "identity": {"sourceIp": extra.pop("ip", "203.0.113.7"), "userAgent": "Mozilla/5.0"},
        },
        "isBase64Encoded": False,
        **extra,
    }
