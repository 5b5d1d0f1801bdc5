"""The website chat on `make run`: a visitor's socket through the local WebSocket gateway, the bot's answer back.

The stack runs as a developer starts it; the visitor is a real WebSocket
client on the gateway's port, sending the Origin a browser on the demo page
sends.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tests.cli.stack_process import running_stack, stack_environment

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    state = tmp_path_factory.mktemp("webchat-stack")
    env = stack_environment(state)
    with running_stack(env, state / "stack.log") as running:
        yield running


def _socket(stack: dict[str, Any]) -> str:
    return f"ws://127.0.0.1:{stack['env']['SAPA_WS_PORT']}/?site=demo"


async def _next(ws: Any, kind: str, timeout: float = 15) -> dict[str, Any]:
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await ws.recv())
            if frame["type"] == kind:
                return frame


async def _conversation(stack: dict[str, Any], question: str) -> tuple[dict[str, Any], dict[str, Any]]:
    async with connect(_socket(stack), origin=stack["api"]) as ws:
        await ws.send(json.dumps({"type": "hello", "visitor": None, "language": "id"}))
        welcome = await _next(ws, "welcome")
        await ws.send(json.dumps({"type": "prechat", "name": "Sari", "contact": "sari@example.co.id"}))
        await _next(ws, "prechat_ok")
        client_id = str(uuid.uuid4())
        await ws.send(json.dumps({"type": "message", "id": client_id, "text": question}))
        ack = await _next(ws, "ack")
        assert ack["id"] == client_id
        return welcome, await _next(ws, "message")


def test_a_visitor_on_the_demo_page_asks_about_bpkb_and_the_bot_answers(stack) -> None:
    welcome, answer = asyncio.run(_conversation(stack, "Halo, saya mau tanya soal BPKB"))

    assert welcome["needs_prechat"] is True
    assert answer["from"] == "bot"
    assert "BPKB" in answer["text"]


def test_the_widget_config_names_the_gateway(stack) -> None:
    import urllib.request

    request = urllib.request.Request(f"{stack['api']}/widget/config?site=demo", headers={"Origin": stack["api"]})
    with urllib.request.urlopen(request, timeout=10) as response:
        config = json.loads(response.read())
        allowed = response.headers["Access-Control-Allow-Origin"]

    assert config["socket"] == f"ws://127.0.0.1:{stack['env']['SAPA_WS_PORT']}"
    assert allowed == stack["api"]


def test_a_page_on_another_origin_is_refused_at_the_handshake(stack) -> None:
    async def attempt() -> int:
        try:
            async with connect(_socket(stack), origin="https://evil.example"):
                return 101
        except InvalidStatus as refused:
            return refused.response.status_code

    assert asyncio.run(attempt()) == 403
