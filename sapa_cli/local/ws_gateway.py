"""The local WebSocket gateway: what API Gateway's WebSocket API does for the website chat, on one machine.

`chalice local` has no websockets. This server accepts the widget's socket and
calls the app's `@app.on_ws_connect()` / `@app.on_ws_message()` /
`@app.on_ws_disconnect()` handlers (the `$connect`, `$default` and
`$disconnect` routes) with the events API Gateway sends, and serves the
API Gateway Management API (`post_to_connection`, `get_connection`,
`delete_connection`) on a second port, so a boto3 `apigatewaymanagementapi`
client given `endpoint_url=http://127.0.0.1:<admin port>` talks to it as to
`https://<api>.execute-api.<region>.amazonaws.com/<stage>`.

What it reproduces of API Gateway:

- `$connect` runs during the HTTP upgrade; an answer whose `statusCode` is not
  2xx refuses the handshake with that status (an exception: 502, no answer in
  29 s: 504). Only then is the connection registered: a post to it before that
  is a 410, as deployed.
- Each data message is one `$default` call (binary ones base64-encoded with
  `isBase64Encoded`), one at a time per connection, in order (API Gateway does
  not promise the order; nothing should rely on it). The routes are one-way
  (`chalice package` declares no route responses), so a `body` in the handler's
  answer is not sent back: replies go through `post_to_connection`. A handler
  that raises (or takes over 29 s) makes the gateway send API Gateway's own
  error frame, `{"message": "Internal server error", "connectionId": ..., "requestId": ...}`.
- `$disconnect` is called exactly once per registered connection however it
  ends, with `disconnectStatusCode` / `disconnectReason`: the client's close
  code (1005 when its close frame had none, 1006 when the TCP connection just
  dropped) or the code the gateway closed with.
- Limits: a message over 128 KB closes the connection with 1009, a post over
  128 KB is a 413 PayloadTooLargeException; a connection idle for 10 minutes (no
  data message either way: a post counts, ping/pong frames do not) or open for
  2 hours is closed with 1001 "Going away". `SAPA_WS_IDLE_SECONDS`,
  `SAPA_WS_MAX_SECONDS` and `SAPA_WS_MAX_BYTES` shorten them for tests.

Not reproduced: the 32 KB frame quota (only whole messages are limited),
route selection on `$request.body.action` (Chalice declares only `$default`),
authorizers, and request signing (the Management API accepts any credentials).

Run as `python -m sapa_cli.local.ws_gateway --port 8767 --admin-port 8768` from
the project directory (the local stack does); it serves `app.app`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import concurrent.futures
import contextlib
import json
import os
import re
import secrets
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.frames import CloseCode
from websockets.http11 import Request, Response

from chalicelib.core.observability import mask_text
from sapa_cli.local.runner import LocalLambdaContext

ROOT = Path(__file__).resolve().parents[2]
CONNECT, MESSAGE, DISCONNECT = "$connect", "$default", "$disconnect"
EVENT_TYPES = {CONNECT: "CONNECT", MESSAGE: "MESSAGE", DISCONNECT: "DISCONNECT"}
API_ID = "sapalocal0"  # API Gateway's ids are 10 lower-case letters and digits
GOING_AWAY = "Going away"
_CONNECTIONS_PATH = re.compile(r"^(?:/[^/@]+)?/@connections/([^/?]+)$")  # with or without the stage


@dataclass(frozen=True)
class Limits:
    """API Gateway's quotas for a WebSocket API; the environment shortens them for tests."""

    max_bytes: int = 128 * 1024
    idle_seconds: float = 600.0
    max_seconds: float = 7200.0
    integration_seconds: float = 29.0  # a route's handler has this long to answer

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Limits:
        source = os.environ if env is None else env
        return cls(
            max_bytes=int(source.get("SAPA_WS_MAX_BYTES") or cls.max_bytes),
            idle_seconds=float(source.get("SAPA_WS_IDLE_SECONDS") or cls.idle_seconds),
            max_seconds=float(source.get("SAPA_WS_MAX_SECONDS") or cls.max_seconds),
        )


def api_gateway_id() -> str:
    """An id shaped like API Gateway's connection and request ids (16 characters, e.g. `JC1dgf9yoAMCK-g=`)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(11)).decode()


def epoch_ms(moment: float) -> int:
    return int(moment * 1000)


def request_time(moment: float) -> str:
    """`$context.requestTime`: the CLF-formatted time, `09/Feb/2019:18:11:43 +0000`."""
    return datetime.fromtimestamp(moment, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")


def iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def is_websocket_upgrade(request: Request) -> bool:
    headers = request.headers
    return (
        headers.get("Upgrade", "").lower() == "websocket"
        and bool(headers.get("Sec-WebSocket-Key"))
        and headers.get("Sec-WebSocket-Version") == "13"
    )


def answer_status(answer: Any) -> int | None:
    """The HTTP status of a `$connect` handler's answer (200 when it gives none), None when it is no status."""
    if not isinstance(answer, dict):
        return 200
    try:
        return int(HTTPStatus(int(answer.get("statusCode", 200))))
    except (TypeError, ValueError):
        return None


@dataclass
class Connection:
    """One registered socket: what API Gateway knows about it."""

    id: str
    socket: ServerConnection
    source_ip: str
    user_agent: str
    domain_name: str
    connected_at: float  # epoch seconds
    last_active_at: float
    last_active: float  # monotonic, for the idle timer
    opened: float  # monotonic, for the maximum duration
    closing: tuple[int, str] | None = None  # the code and reason the gateway closed it with
    gone: bool = False  # after a delete_connection or once closed: posts are 410
    messages: int = 0

    def touch(self, now: float, monotonic: float) -> None:
        self.last_active_at, self.last_active = now, monotonic


@dataclass
class _Pending:
    """A connection whose `$connect` answered 2xx, waiting for the handshake to finish."""

    id: str
    source_ip: str
    user_agent: str
    domain_name: str
    connected_at: float


@dataclass(frozen=True)
class ManagementAnswer:
    status: int
    body: dict[str, Any] | None = None
    error: str | None = None  # the exception name boto3 maps (x-amzn-ErrorType)


GONE = ManagementAnswer(410, {"message": None}, "GoneException")


@dataclass
class LocalWsGateway:
    """The gateway's state and its three routes; `start()` runs it on its own event loop thread."""

    app: Any
    limits: Limits = field(default_factory=Limits.from_env)
    stage: str = "local"
    log: Callable[[str], None] = print
    clock: Callable[[], float] = time.time
    workers: int = 16

    def __post_init__(self) -> None:
        self.connections: dict[str, Connection] = {}
        self._pending: dict[ServerConnection, _Pending] = {}
        self._executor = concurrent.futures.ThreadPoolExecutor(self.workers, thread_name_prefix="ws-handler")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: Server | None = None
        self._admin: ThreadingHTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0
        self.admin_port = 0

    # -- the app's handlers ---------------------------------------------------------
    def handler_for(self, route_key: str) -> tuple[str, Callable[..., Any]] | None:
        """The wrapped handler Chalice registered for this route (`app.websocket_handlers` names it)."""
        config = getattr(self.app, "websocket_handlers", {}).get(route_key)
        if config is None:
            return None
        return config.name, self.app.handler_map[config.name]

    async def _invoke(self, route_key: str, event: dict[str, Any]) -> Any:
        """The route's handler on a worker thread (it is synchronous and calls AWS), within the integration timeout."""
        found = self.handler_for(route_key)
        if found is None:
            return None
        name, handler = found
        context = LocalLambdaContext(f"{getattr(self.app, 'app_name', 'app')}-{self.stage}-{name}", 30)
        loop = asyncio.get_running_loop()
        return await asyncio.wait_for(
            loop.run_in_executor(self._executor, handler, event, context), self.limits.integration_seconds
        )

    # -- events, as API Gateway builds them ---------------------------------------------
    def _context(self, route_key: str, connection_id: str, domain_name: str, connected_at: float) -> dict[str, Any]:
        now = self.clock()
        request_id = api_gateway_id()
        return {
            "routeKey": route_key,
            "eventType": EVENT_TYPES.get(route_key, "MESSAGE"),
            "extendedRequestId": request_id,
            "requestTime": request_time(now),
            "messageDirection": "IN",
            "stage": self.stage,
            "connectedAt": epoch_ms(connected_at),
            "requestTimeEpoch": epoch_ms(now),
            "requestId": request_id,
            "domainName": domain_name,
            "connectionId": connection_id,
            "apiId": API_ID,
        }

    def connect_event(self, pending: _Pending, request: Request) -> dict[str, Any]:
        headers: dict[str, str] = {}
        multi: dict[str, list[str]] = {}
        for name, value in request.headers.raw_items():
            multi.setdefault(name, []).append(value)
        forwarded = request.headers.get_all("X-Forwarded-For")
        multi["X-Forwarded-For"] = [", ".join([*forwarded, pending.source_ip])]  # API Gateway appends the peer
        multi["X-Forwarded-Port"] = [str(self.port)]
        multi["X-Forwarded-Proto"] = ["http"]
        for name, values in multi.items():
            headers[name] = values[-1]
        query = parse_qsl(urlsplit(request.path).query, keep_blank_values=True)
        context = self._context(CONNECT, pending.id, pending.domain_name, pending.connected_at)
        context["identity"] = {"sourceIp": pending.source_ip, "userAgent": pending.user_agent}
        event: dict[str, Any] = {"headers": headers, "multiValueHeaders": multi}
        if query:  # API Gateway leaves both out when the URL has no query string
            values: dict[str, list[str]] = {}
            for key, value in query:
                values.setdefault(key, []).append(value)
            event["queryStringParameters"] = {key: found[-1] for key, found in values.items()}
            event["multiValueQueryStringParameters"] = values
        event.update({"requestContext": context, "isBase64Encoded": False})
        return event

    def message_event(self, connection: Connection, data: str | bytes) -> dict[str, Any]:
        context = self._context(MESSAGE, connection.id, connection.domain_name, connection.connected_at)
        context["messageId"] = api_gateway_id()
        context["identity"] = {"sourceIp": connection.source_ip}
        binary = isinstance(data, bytes)
        body = base64.b64encode(data).decode() if binary else data
        return {"requestContext": context, "body": body, "isBase64Encoded": binary}

    def disconnect_event(self, connection: Connection, code: int, reason: str) -> dict[str, Any]:
        # What API Gateway sends on $disconnect: these four headers, blank but for the host.
        headers = {"Host": connection.domain_name, "x-api-key": "", "X-Forwarded-For": "", "x-restapi": ""}
        context = self._context(DISCONNECT, connection.id, connection.domain_name, connection.connected_at)
        context["disconnectStatusCode"] = code
        context["disconnectReason"] = reason
        context["identity"] = {"sourceIp": connection.source_ip, "userAgent": connection.user_agent}
        return {
            "headers": headers,
            "multiValueHeaders": {name: [value] for name, value in headers.items()},
            "requestContext": context,
            "isBase64Encoded": False,
        }

    # -- $connect: during the upgrade ---------------------------------------------------
    async def _process_request(self, socket: ServerConnection, request: Request) -> Response | None:
        if not is_websocket_upgrade(request):  # refused before any route runs, as API Gateway does
            return socket.respond(HTTPStatus.UPGRADE_REQUIRED, "WebSocket connections only\n")
        peer = socket.remote_address or ("", 0)
        pending = _Pending(
            id=api_gateway_id(),
            source_ip=str(peer[0]),
            user_agent=request.headers.get("User-Agent", ""),
            domain_name=request.headers.get("Host", f"127.0.0.1:{self.port}"),
            connected_at=self.clock(),
        )
        event = self.connect_event(pending, request)
        try:
            answer = await self._invoke(CONNECT, event)
        except TimeoutError:
            return self._refuse(socket, pending, 504, "Endpoint request timed out")
        except Exception as error:  # noqa: BLE001 - a failed $connect refuses the socket, as deployed
            self.log(f"[ws] $connect failed: {type(error).__name__}")
            return self._refuse(socket, pending, 502, "Internal server error")
        status = answer_status(answer)
        if status is None:  # not an HTTP status: API Gateway's "malformed Lambda proxy response"
            return self._refuse(socket, pending, 502, "Internal server error")
        if not 200 <= status < 300:
            body = answer.get("body") if isinstance(answer, dict) else None
            return self._refuse(socket, pending, status, body if isinstance(body, str) else "")
        self._pending[socket] = pending
        return None

    async def _process_response(self, socket: ServerConnection, _request: Request, response: Response) -> None:
        if response.status_code != HTTPStatus.SWITCHING_PROTOCOLS:  # the handshake failed after $connect
            self._pending.pop(socket, None)

    def _refuse(self, socket: ServerConnection, pending: _Pending, status: int, text: str) -> Response:
        self.log(f"[ws] refused {pending.id} with {status}")
        response = socket.respond(status, text)
        response.headers["Content-Type"] = "application/json" if text.startswith("{") else "text/plain"
        return response

    # -- the connection's life ----------------------------------------------------------
    async def _handle(self, socket: ServerConnection) -> None:
        pending = self._pending.pop(socket, None)
        if pending is None:  # only a socket whose $connect answered 2xx gets here
            await socket.close(CloseCode.INTERNAL_ERROR)
            return
        now, monotonic = self.clock(), time.monotonic()
        connection = Connection(
            id=pending.id,
            socket=socket,
            source_ip=pending.source_ip,
            user_agent=pending.user_agent,
            domain_name=pending.domain_name,
            connected_at=pending.connected_at,
            last_active_at=now,
            last_active=monotonic,
            opened=monotonic,
        )
        self.connections[connection.id] = connection
        origin = mask_text(socket.request.headers.get("Origin", "-") if socket.request else "-")
        self.log(f"[ws] connect {connection.id} from origin {origin} ({len(self.connections)} open)")
        watchdog = asyncio.create_task(self._watch(connection))
        try:
            async for data in socket:
                connection.touch(self.clock(), time.monotonic())
                connection.messages += 1
                await self._message(connection, data)
        except ConnectionClosed:
            pass
        finally:
            watchdog.cancel()
            await self._disconnected(connection)

    async def _message(self, connection: Connection, data: str | bytes) -> None:
        event = self.message_event(connection, data)
        request_id = event["requestContext"]["requestId"]
        if self.handler_for(MESSAGE) is None:
            await self._error_frame(connection, "Forbidden", request_id)
            return
        try:
            await self._invoke(MESSAGE, event)  # one-way route: the answer's body goes nowhere
        except TimeoutError:
            await self._error_frame(connection, "Endpoint request timed out", request_id)
        except Exception as error:  # noqa: BLE001 - API Gateway tells the client and keeps the socket
            self.log(f"[ws] $default failed on {connection.id}: {type(error).__name__}")
            await self._error_frame(connection, "Internal server error", request_id)

    async def _error_frame(self, connection: Connection, message: str, request_id: str) -> None:
        frame = {"message": message, "connectionId": connection.id, "requestId": request_id}
        with contextlib.suppress(ConnectionClosed):
            await connection.socket.send(json.dumps(frame))

    async def _watch(self, connection: Connection) -> None:
        """Close with 1001 "Going away" after the idle timeout or the maximum duration, as API Gateway does."""
        while True:
            idle_end = connection.last_active + self.limits.idle_seconds
            end = min(idle_end, connection.opened + self.limits.max_seconds)
            wait = end - time.monotonic()
            if wait <= 0:
                await self._close(connection, CloseCode.GOING_AWAY, GOING_AWAY)
                return
            await asyncio.sleep(wait)

    async def _close(self, connection: Connection, code: int, reason: str) -> None:
        if connection.closing is None:
            connection.closing = (code, reason)
        connection.gone = True
        await connection.socket.close(code, reason)

    async def _disconnected(self, connection: Connection) -> None:
        """$disconnect, once, with the code that ended the socket."""
        connection.gone = True
        if self.connections.pop(connection.id, None) is None:
            return
        code, reason = self._close_status(connection)
        seconds = time.monotonic() - connection.opened
        self.log(
            f"[ws] disconnect {connection.id} {code} after {seconds:.0f} s, "
            f"{connection.messages} message(s) ({len(self.connections)} open)"
        )
        try:
            await self._invoke(DISCONNECT, self.disconnect_event(connection, code, reason))
        except Exception as error:  # noqa: BLE001 - the socket is gone either way
            self.log(f"[ws] $disconnect failed on {connection.id}: {type(error).__name__}")

    @staticmethod
    def _close_status(connection: Connection) -> tuple[int, str]:
        protocol = connection.socket.protocol
        sent, received = protocol.close_sent, protocol.close_rcvd
        if received is not None and protocol.close_rcvd_then_sent:  # the client closed first
            if received.code == CloseCode.NO_STATUS_RCVD:
                return 1005, "Client-side close frame status not set"
            return int(received.code), received.reason
        if sent is not None:  # the gateway closed first, or failed the connection (1009)
            return int(sent.code), sent.reason
        if connection.closing is not None:
            return connection.closing
        return 1006, "Connection closed abnormally"

    # -- the Management API, called from the admin server's threads ------------------------
    def _on_loop(self, coroutine: Any, timeout: float = 10.0) -> Any:
        if self._loop is None:
            coroutine.close()
            raise RuntimeError("the gateway is not running")
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def post(self, connection_id: str, data: bytes) -> ManagementAnswer:
        if len(data) > self.limits.max_bytes:
            return ManagementAnswer(413, {"message": "Message too long"}, "PayloadTooLargeException")
        return self._on_loop(self._post(connection_id, data))

    async def _post(self, connection_id: str, data: bytes) -> ManagementAnswer:
        connection = self.connections.get(connection_id)
        if connection is None or connection.gone:
            return GONE
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            message: str | bytes = data
        else:
            message = text
        try:
            await connection.socket.send(message)
        except ConnectionClosed:
            return GONE
        connection.touch(self.clock(), time.monotonic())  # data towards the client counts as activity
        return ManagementAnswer(200)

    def info(self, connection_id: str) -> ManagementAnswer:
        return self._on_loop(self._info(connection_id))

    async def _info(self, connection_id: str) -> ManagementAnswer:
        connection = self.connections.get(connection_id)
        if connection is None or connection.gone:
            return GONE
        body = {
            "connectedAt": iso(connection.connected_at),
            "identity": {"sourceIp": connection.source_ip, "userAgent": connection.user_agent},
            "lastActiveAt": iso(connection.last_active_at),
        }
        return ManagementAnswer(200, body)

    def delete(self, connection_id: str) -> ManagementAnswer:
        return self._on_loop(self._delete(connection_id))

    async def _delete(self, connection_id: str) -> ManagementAnswer:
        connection = self.connections.get(connection_id)
        if connection is None or connection.gone:
            return GONE
        connection.gone = True
        task = asyncio.create_task(self._close(connection, CloseCode.NORMAL_CLOSURE, ""))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return ManagementAnswer(204)

    def open_connections(self) -> int:
        return len(self.connections)

    # -- running ---------------------------------------------------------------------
    def start(self, host: str = "127.0.0.1", port: int = 0, admin_port: int = 0) -> LocalWsGateway:
        """The socket server on its own loop thread, then the Management API; port 0 picks a free one."""
        started = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                self._server = loop.run_until_complete(self._serve(host, port))
            except BaseException as error:  # noqa: BLE001 - reported to the starting thread
                failure.append(error)
                started.set()
                return
            started.set()
            loop.run_forever()
            loop.close()

        thread = threading.Thread(target=run, name="ws-gateway", daemon=True)
        thread.start()
        started.wait(30)
        if failure:
            raise failure[0]
        self._admin = ThreadingHTTPServer((host, admin_port), _management_handler(self))
        self._admin.daemon_threads = True
        self.admin_port = int(self._admin.server_address[1])
        admin = threading.Thread(target=self._admin.serve_forever, args=(0.1,), name="ws-admin", daemon=True)
        admin.start()
        self._threads = [thread, admin]
        return self

    async def _serve(self, host: str, port: int) -> Server:
        server = await serve(
            self._handle,
            host,
            port,
            process_request=self._process_request,
            process_response=self._process_response,
            max_size=self.limits.max_bytes,
            ping_interval=None,  # API Gateway does not ping clients; the widget sends its own heartbeat
            open_timeout=self.limits.integration_seconds + 5,  # the handshake waits for $connect
            server_header=None,
        )
        self.port = int(next(iter(server.sockets)).getsockname()[1])
        return server

    def stop(self, timeout: float = 10.0) -> None:
        """Close every socket with 1001 "Going away" (each gets its $disconnect), then the servers."""
        if self._admin is not None:
            self._admin.shutdown()
            self._admin.server_close()
            self._admin = None
        if self._loop is not None and self._server is not None:
            with contextlib.suppress(concurrent.futures.TimeoutError):
                self._on_loop(self._shutdown(), timeout)
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._loop = self._server = None
        for thread in self._threads:
            thread.join(timeout)
        self._threads = []
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def _shutdown(self) -> None:
        assert self._server is not None
        self._server.close(close_connections=False)  # no new sockets
        closing = [self._close(c, CloseCode.GOING_AWAY, GOING_AWAY) for c in list(self.connections.values())]
        await asyncio.gather(*closing, return_exceptions=True)
        await self._server.wait_closed()  # every handler, and so every $disconnect, has finished

    def __enter__(self) -> LocalWsGateway:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def _management_handler(gateway: LocalWsGateway) -> type[BaseHTTPRequestHandler]:
    class ManagementHandler(BaseHTTPRequestHandler):
        """`POST|GET|DELETE /@connections/{id}` (optionally under `/<stage>`), as boto3 calls them."""

        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet: the gateway logs its own lines
            pass

        def _connection_id(self) -> str | None:
            match = _CONNECTIONS_PATH.match(urlsplit(self.path).path)
            return unquote(match.group(1)) if match else None

        def _answer(self, answer: ManagementAnswer) -> None:
            body = b"" if answer.body is None else json.dumps(answer.body).encode()
            self.send_response(answer.status)
            if answer.error:
                self.send_header("x-amzn-ErrorType", answer.error)
            self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
            if answer.status != 204:
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if answer.status != 204:
                self.wfile.write(body)

        def _dispatch(self, operation: Callable[[str], ManagementAnswer]) -> None:
            connection_id = self._connection_id()
            if connection_id is None:
                self._answer(ManagementAnswer(403, {"message": "Forbidden"}, "ForbiddenException"))
                return
            self._answer(operation(connection_id))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            data = self.rfile.read(length)
            self._dispatch(lambda connection_id: gateway.post(connection_id, data))

        def do_GET(self) -> None:
            if urlsplit(self.path).path == "/":  # the local stack's readiness check; not an AWS operation
                self._answer(ManagementAnswer(200, {"connections": gateway.open_connections()}))
                return
            self._dispatch(gateway.info)

        def do_DELETE(self) -> None:
            self._dispatch(gateway.delete)

    return ManagementHandler


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("SAPA_WS_PORT", "8767")))
    parser.add_argument("--admin-port", type=int, default=int(os.environ.get("SAPA_WS_ADMIN_PORT", "8768")))
    parser.add_argument("--stage", default="local")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import app as sapa_app

    def log(line: str) -> None:
        print(mask_text(line), flush=True)

    stopped = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: stopped.set())
    gateway = LocalWsGateway(sapa_app.app, stage=args.stage, log=log)
    gateway.start(args.host, args.port, args.admin_port)
    routes = sorted(getattr(sapa_app.app, "websocket_handlers", {}))
    log(
        f"[ws] gateway on ws://{args.host}:{gateway.port}, management API on "
        f"http://{args.host}:{gateway.admin_port} (routes {', '.join(routes) or 'none'})"
    )
    stopped.wait()
    gateway.stop()


if __name__ == "__main__":
    main()
