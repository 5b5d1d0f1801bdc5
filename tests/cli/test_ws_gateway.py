"""The local WebSocket gateway does what API Gateway's WebSocket API does for a Chalice app.

A small app of the test's own (not Sapa's chat) records the events its three
handlers get and echoes every message back through a real boto3
`apigatewaymanagementapi` client pointed at the gateway's Management API.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.parser.models.apigw_websocket import (
    APIGatewayWebSocketConnectEventModel,
    APIGatewayWebSocketDisconnectEventModel,
    APIGatewayWebSocketMessageEventModel,
)
from chalice.app import Chalice, Response, WebsocketEvent
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from sapa_cli.local.ws_gateway import Limits, LocalWsGateway, answer_status

CONNECTION_ID = re.compile(r"^[A-Za-z0-9_-]{15}=$")
ORIGIN = "https://www.example-finance.co.id"
slow = pytest.mark.slow
"""The tests that wait out a timeout (a second or more)."""


@dataclass
class EchoApp:
    """A Chalice app with the three websocket routes; what its handlers were given, in order."""

    app: Chalice
    events: list[dict[str, Any]] = field(default_factory=list)
    posts_during_connect: list[str] = field(default_factory=list)  # what a post from inside $connect met
    admin_url: str = ""
    _client: Any = None

    def management(self) -> Any:
        if self._client is None:
            self._client = boto3.client(
                "apigatewaymanagementapi",
                endpoint_url=self.admin_url,
                region_name="ap-southeast-3",
                aws_access_key_id="x",
                aws_secret_access_key="x",
            )
        return self._client

    def of(self, route_key: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["requestContext"]["routeKey"] == route_key]


def echo_app() -> EchoApp:
    app = Chalice(app_name="ws-echo")
    app.experimental_feature_flags.update(["WEBSOCKETS"])
    echo = EchoApp(app)
    lock = threading.Lock()

    def record(event: WebsocketEvent) -> dict[str, Any]:
        raw = event.to_dict()
        with lock:
            echo.events.append(raw)
        return raw

    @app.on_ws_connect()
    def connect_route(event: WebsocketEvent) -> Any:
        raw = record(event)
        site = (raw.get("queryStringParameters") or {}).get("site")
        if site == "unknown":
            return Response(body="", status_code=403)
        if site == "broken":
            raise RuntimeError("the handler failed")
        if site == "slow":
            time.sleep(0.5)
        if site == "greet":
            client = echo.management()
            try:
                client.post_to_connection(ConnectionId=event.connection_id, Data=b"welcome")
                echo.posts_during_connect.append("sent")
            except client.exceptions.GoneException:
                echo.posts_during_connect.append("gone")
        return {"statusCode": 200}

    @app.on_ws_message()
    def message_route(event: WebsocketEvent) -> Any:
        raw = record(event)
        if raw["body"] == "fail":
            raise RuntimeError("the handler failed")
        if raw["body"] == "slow":
            time.sleep(0.5)
            return {"statusCode": 200}
        echo.management().post_to_connection(ConnectionId=event.connection_id, Data=f"echo:{raw['body']}".encode())
        return {"statusCode": 200, "body": "not sent: the route is one-way"}

    @app.on_ws_disconnect()
    def disconnect_route(event: WebsocketEvent) -> Any:
        record(event)
        return {"statusCode": 200}

    return echo


@dataclass
class Running:
    gateway: LocalWsGateway
    echo: EchoApp
    log: list[str]

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.gateway.port}"

    def connect(self, query: str = "?site=demo", **kwargs: Any) -> ClientConnection:
        headers = {"Origin": ORIGIN, "User-Agent": "Mozilla/5.0 (widget test)"}
        return connect(f"{self.url}/{query}", additional_headers=headers, user_agent_header=None, **kwargs)

    def management(self) -> Any:
        return self.echo.management()


@pytest.fixture
def start() -> Iterator[Callable[..., Running]]:
    started: list[LocalWsGateway] = []

    def run(limits: Limits | None = None) -> Running:
        echo, log = echo_app(), []
        gateway = LocalWsGateway(echo.app, limits=limits or Limits(), log=log.append).start()
        started.append(gateway)
        echo.admin_url = f"http://127.0.0.1:{gateway.admin_port}"
        return Running(gateway, echo, log)

    yield run
    for gateway in started:
        gateway.stop()


@pytest.fixture
def running(start: Callable[..., Running]) -> Running:
    return start()


def wait_until(condition: Callable[[], Any], timeout: float = 5.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.02)
    raise AssertionError("the condition did not hold in time")


def received_close(closed: pytest.ExceptionInfo[ConnectionClosed]) -> tuple[int, str]:
    """The close frame the client got from the gateway."""
    frame = closed.value.rcvd
    assert frame is not None, "the gateway sent no close frame"
    return int(frame.code), frame.reason


def keep_busy(socket: ClientConnection) -> None:
    """Messages back and forth until the gateway closes the socket."""
    while True:
        socket.send("busy")
        socket.recv(timeout=5)
        time.sleep(0.05)


def disconnects(running: Running, count: int = 1) -> list[dict[str, Any]]:
    return wait_until(lambda: len(running.echo.of("$disconnect")) >= count and running.echo.of("$disconnect"))


# -- events -------------------------------------------------------------------------------


def test_connect_gets_api_gateways_event_with_origin_query_and_source_ip(running: Running) -> None:
    with running.connect("?site=demo&lang=id"):
        pass

    (event,) = running.echo.of("$connect")
    context = event["requestContext"]
    assert context["eventType"] == "CONNECT"
    assert CONNECTION_ID.match(context["connectionId"])
    assert context["stage"] == "local"
    assert context["identity"] == {"sourceIp": "127.0.0.1", "userAgent": "Mozilla/5.0 (widget test)"}
    assert event["headers"]["Origin"] == ORIGIN
    assert event["multiValueHeaders"]["Origin"] == [ORIGIN]
    assert event["queryStringParameters"] == {"site": "demo", "lang": "id"}
    assert abs(context["connectedAt"] - time.time() * 1000) < 5000
    assert event["isBase64Encoded"] is False
    APIGatewayWebSocketConnectEventModel.model_validate(event)  # the shape Powertools parses


def test_one_connection_keeps_its_id_through_connect_messages_and_disconnect(running: Running) -> None:
    with running.connect() as socket:
        socket.send("one")
        assert socket.recv(timeout=5) == "echo:one"
        socket.send("two")
        assert socket.recv(timeout=5) == "echo:two"
        socket.close(code=1000, reason="bye")
    (gone,) = disconnects(running)

    ids = {e["requestContext"]["connectionId"] for e in running.echo.events}
    assert len(ids) == 1
    messages = running.echo.of("$default")
    assert [m["body"] for m in messages] == ["one", "two"]
    assert all(m["requestContext"]["eventType"] == "MESSAGE" for m in messages)
    assert len({m["requestContext"]["messageId"] for m in messages}) == 2
    for message in messages:
        APIGatewayWebSocketMessageEventModel.model_validate(message)
    assert gone["requestContext"]["eventType"] == "DISCONNECT"
    assert gone["requestContext"]["disconnectStatusCode"] == 1000
    APIGatewayWebSocketDisconnectEventModel.model_validate(gone)


def test_two_sockets_get_two_ids(running: Running) -> None:
    with running.connect() as first, running.connect() as second:
        first.send("a")
        second.send("b")
        assert (first.recv(timeout=5), second.recv(timeout=5)) == ("echo:a", "echo:b")

    assert len({e["requestContext"]["connectionId"] for e in running.echo.of("$connect")}) == 2


def test_a_binary_frame_arrives_base64_encoded(running: Running) -> None:
    with running.connect() as socket:
        socket.send(b"\x00\xffbinary")
        wait_until(lambda: running.echo.of("$default"))

    (message,) = running.echo.of("$default")
    assert message["isBase64Encoded"] is True
    assert base64.b64decode(message["body"]) == b"\x00\xffbinary"


def test_the_handlers_answer_body_is_not_sent_back(running: Running) -> None:
    with running.connect() as socket:
        socket.send("hello")
        assert socket.recv(timeout=5) == "echo:hello"
        with pytest.raises(TimeoutError):
            socket.recv(timeout=0.3)


def test_a_failing_message_handler_gets_api_gateways_error_frame_and_the_socket_stays(running: Running) -> None:
    with running.connect() as socket:
        socket.send("fail")
        error = json.loads(socket.recv(timeout=5))
        socket.send("still here")
        assert socket.recv(timeout=5) == "echo:still here"

    assert error["message"] == "Internal server error"
    assert error["connectionId"] == running.echo.of("$connect")[0]["requestContext"]["connectionId"]
    assert error["requestId"]


# -- $connect refusal ------------------------------------------------------------------------


def test_a_non_2xx_connect_answer_refuses_the_handshake_with_its_status(running: Running) -> None:
    with pytest.raises(InvalidStatus) as refused:
        running.connect("?site=unknown")

    assert refused.value.response.status_code == 403
    assert len(running.echo.of("$connect")) == 1
    time.sleep(0.1)
    assert running.echo.of("$disconnect") == []  # never connected, so never disconnected
    assert running.gateway.open_connections() == 0


def test_a_plain_http_request_is_no_connection(running: Running) -> None:
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"http://127.0.0.1:{running.gateway.port}/?site=demo", timeout=5)

    assert refused.value.code == 426
    assert running.echo.events == []


def test_a_connect_handler_that_raises_refuses_with_502(running: Running) -> None:
    with pytest.raises(InvalidStatus) as refused:
        running.connect("?site=broken")

    assert refused.value.response.status_code == 502
    assert running.gateway.open_connections() == 0


def test_a_connect_handler_over_the_integration_timeout_refuses_with_504(start: Callable[..., Running]) -> None:
    running = start(Limits(integration_seconds=0.1))

    with pytest.raises(InvalidStatus) as refused:
        running.connect("?site=slow")

    assert refused.value.response.status_code == 504


def test_a_message_handler_over_the_integration_timeout_gets_api_gateways_error_frame(
    start: Callable[..., Running],
) -> None:
    running = start(Limits(integration_seconds=0.1))
    with running.connect() as socket:
        socket.send("slow")
        error = json.loads(socket.recv(timeout=5))

    assert error["message"] == "Endpoint request timed out"


def test_a_post_from_inside_connect_is_gone_until_connect_has_answered(running: Running) -> None:
    with running.connect("?site=greet") as socket, pytest.raises(TimeoutError):
        socket.recv(timeout=0.3)

    assert running.echo.posts_during_connect == ["gone"]


def test_a_connect_answer_is_read_for_its_http_status() -> None:
    assert answer_status({"statusCode": 403, "body": "no"}) == 403
    assert answer_status({"body": "no status"}) == 200
    assert answer_status(None) == 200  # a handler that returns nothing accepts, as Chalice's wrapper does
    assert answer_status({"statusCode": "forbidden"}) is None  # malformed: refused with 502
    assert answer_status({"statusCode": 999}) is None


def test_a_connection_refused_at_connect_is_gone_for_the_management_api(running: Running) -> None:
    with pytest.raises(InvalidStatus):
        running.connect("?site=unknown")
    refused = running.echo.of("$connect")[0]["requestContext"]["connectionId"]
    client = running.management()

    with pytest.raises(client.exceptions.GoneException):
        client.post_to_connection(ConnectionId=refused, Data=b"hello")


# -- the Management API ---------------------------------------------------------------------


def test_get_connection_tells_when_it_connected_and_from_where(running: Running) -> None:
    with running.connect():
        connection_id = running.echo.of("$connect")[0]["requestContext"]["connectionId"]
        info = running.management().get_connection(ConnectionId=connection_id)

    assert info["Identity"] == {"SourceIp": "127.0.0.1", "UserAgent": "Mozilla/5.0 (widget test)"}
    assert abs(info["ConnectedAt"].timestamp() - time.time()) < 5
    assert info["LastActiveAt"] >= info["ConnectedAt"]


def test_a_closed_connection_is_gone(running: Running) -> None:
    with running.connect():
        connection_id = running.echo.of("$connect")[0]["requestContext"]["connectionId"]
    disconnects(running)
    client = running.management()

    with pytest.raises(client.exceptions.GoneException):
        client.post_to_connection(ConnectionId=connection_id, Data=b"late")
    with pytest.raises(client.exceptions.GoneException):
        client.get_connection(ConnectionId=connection_id)
    with pytest.raises(client.exceptions.GoneException):
        client.delete_connection(ConnectionId=connection_id)


def test_an_unknown_connection_is_gone(running: Running) -> None:
    client = running.management()

    with pytest.raises(client.exceptions.GoneException):
        client.post_to_connection(ConnectionId="AAAAAAAAAAAAAAA=", Data=b"hello")


def test_a_post_over_128_kb_is_payload_too_large_and_the_socket_stays(running: Running) -> None:
    client = running.management()
    with running.connect() as socket:
        connection_id = running.echo.of("$connect")[0]["requestContext"]["connectionId"]

        with pytest.raises(client.exceptions.PayloadTooLargeException):
            client.post_to_connection(ConnectionId=connection_id, Data=b"x" * (128 * 1024 + 1))
        client.post_to_connection(ConnectionId=connection_id, Data=b"y" * (128 * 1024))
        assert socket.recv(timeout=5) == "y" * (128 * 1024)


def test_delete_connection_closes_the_socket_and_disconnect_follows_once(running: Running) -> None:
    client = running.management()
    with running.connect() as socket:
        connection_id = running.echo.of("$connect")[0]["requestContext"]["connectionId"]
        client.delete_connection(ConnectionId=connection_id)

        with pytest.raises(ConnectionClosed):
            socket.recv(timeout=5)
    (gone,) = disconnects(running)

    assert gone["requestContext"]["connectionId"] == connection_id
    with pytest.raises(client.exceptions.GoneException):
        client.post_to_connection(ConnectionId=connection_id, Data=b"late")
    time.sleep(0.1)
    assert len(running.echo.of("$disconnect")) == 1


# -- limits ---------------------------------------------------------------------------------


def test_a_message_over_128_kb_closes_the_socket_with_1009(running: Running) -> None:
    with running.connect(max_size=None) as socket:
        socket.send("z" * (128 * 1024 + 1))
        with pytest.raises(ConnectionClosed) as closed:
            socket.recv(timeout=5)
    (gone,) = disconnects(running)

    assert received_close(closed)[0] == 1009
    assert gone["requestContext"]["disconnectStatusCode"] == 1009
    assert running.echo.of("$default") == []


def test_the_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAPA_WS_IDLE_SECONDS", "1.5")
    monkeypatch.setenv("SAPA_WS_MAX_SECONDS", "30")

    assert Limits.from_env() == Limits(max_bytes=128 * 1024, idle_seconds=1.5, max_seconds=30)
    assert Limits.from_env({}) == Limits(max_bytes=128 * 1024, idle_seconds=600, max_seconds=7200)


@slow
def test_an_idle_socket_is_closed_going_away(start: Callable[..., Running]) -> None:
    running = start(Limits(idle_seconds=0.6))
    with running.connect() as socket:
        opened = time.monotonic()
        with pytest.raises(ConnectionClosed) as closed:
            socket.recv(timeout=5)
        lasted = time.monotonic() - opened
    (gone,) = disconnects(running)

    assert received_close(closed) == (1001, "Going away")
    assert 0.5 < lasted < 2
    assert gone["requestContext"]["disconnectStatusCode"] == 1001


@slow
def test_messages_either_way_keep_a_socket_alive(start: Callable[..., Running]) -> None:
    running = start(Limits(idle_seconds=0.8))
    client = running.management()
    with running.connect() as socket:
        connection_id = running.echo.of("$connect")[0]["requestContext"]["connectionId"]
        for _ in range(4):  # 1.6 s of posts from the server only, every 0.4 s
            time.sleep(0.4)
            client.post_to_connection(ConnectionId=connection_id, Data=b"keep")
            assert socket.recv(timeout=5) == "keep"
        for _ in range(4):  # and of messages from the client only
            time.sleep(0.4)
            socket.send("ping")
            assert socket.recv(timeout=5) == "echo:ping"

    assert disconnects(running)[0]["requestContext"]["disconnectStatusCode"] == 1000


@slow
def test_a_busy_socket_still_ends_at_the_maximum_duration(start: Callable[..., Running]) -> None:
    running = start(Limits(idle_seconds=60, max_seconds=1.0))
    with running.connect() as socket:
        opened = time.monotonic()
        with pytest.raises(ConnectionClosed) as closed:
            keep_busy(socket)
        lasted = time.monotonic() - opened
    (gone,) = disconnects(running)

    assert received_close(closed) == (1001, "Going away")
    assert 0.9 < lasted < 2.5
    assert gone["requestContext"]["disconnectStatusCode"] == 1001


# -- ends -----------------------------------------------------------------------------------


def test_a_dropped_tcp_connection_is_disconnected_once_with_1006(running: Running) -> None:
    with running.connect() as socket:
        socket.socket.close()  # no close frame: the network went away
        (gone,) = disconnects(running)

    assert gone["requestContext"]["disconnectStatusCode"] == 1006
    time.sleep(0.1)
    assert len(running.echo.of("$disconnect")) == 1


def test_a_close_frame_without_a_code_is_1005(running: Running) -> None:
    with running.connect() as socket:
        with socket.send_context():
            socket.protocol.send_close()  # an empty close frame: no status code
        with pytest.raises(ConnectionClosed):
            socket.recv(timeout=5)
    (gone,) = disconnects(running)

    assert gone["requestContext"]["disconnectStatusCode"] == 1005


def test_stopping_the_gateway_closes_every_socket_going_away_and_disconnects_each(
    start: Callable[..., Running],
) -> None:
    running = start()
    with running.connect() as first, running.connect() as second:
        running.gateway.stop()

        for socket in (first, second):
            with pytest.raises(ConnectionClosed) as closed:
                socket.recv(timeout=5)
            assert received_close(closed) == (1001, "Going away")
    assert [e["requestContext"]["disconnectStatusCode"] for e in running.echo.of("$disconnect")] == [1001, 1001]


def test_the_log_names_connections_but_no_address_or_body(running: Running) -> None:
    with running.connect() as socket:
        socket.send("my phone is 081234567890")
        socket.recv(timeout=5)
    disconnects(running)

    connection_id = running.echo.of("$connect")[0]["requestContext"]["connectionId"]
    joined = "\n".join(running.log)
    assert f"[ws] connect {connection_id}" in joined
    assert f"[ws] disconnect {connection_id} 1000" in joined
    assert "127.0.0.1" not in joined
    assert "081234567890" not in joined
