"""A first `make run` is a living system: conversations, campaigns in every state, greetings, receipts."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.cli.stack_process import http, running_stack, stack_environment

pytestmark = pytest.mark.slow
ADMIN = {"Authorization": "Bearer stack-admin"}


@pytest.fixture(scope="module")
def first_start(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    env = stack_environment(tmp_path_factory.mktemp("state"))
    env["SAPA_SEED"] = "1"
    log = tmp_path_factory.mktemp("logs") / "stack.log"
    with running_stack(env, log, "--customers", "120") as running:
        deadline = time.monotonic() + 90
        while "demo activity:" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.5)
        yield running


def _eventually(read: Any, ok: Any, timeout: float = 45) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if ok(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.5)


def test_the_newcomer_finds_customers_writing_in_the_inbox(first_start) -> None:
    def conversations() -> list[dict[str, Any]]:
        return http("GET", f"{first_start['api']}/scrm/conversations?limit=50", None, ADMIN)[1]["items"]

    found = _eventually(conversations, lambda items: len(items) >= 8)

    assert len(found) >= 8
    assert {item["channel"] for item in found} == {"whatsapp"}


def test_campaigns_are_there_in_each_state_a_marketer_meets(first_start) -> None:
    _, page = http("GET", f"{first_start['api']}/campaigns?limit=50", None, ADMIN)

    states = {campaign["status"] for campaign in page["items"]}
    assert {"draft", "scheduled", "paused", "cancelled"} <= states
    assert states & {"sending", "completed"}


def test_the_sent_campaigns_messages_come_back_delivered_and_read_by_themselves(first_start) -> None:
    _, page = http("GET", f"{first_start['api']}/campaigns?limit=50", None, ADMIN)
    [bali] = [c for c in page["items"] if c["name"] == "DP Ringan Bali"]

    def counts() -> dict[str, Any]:
        return http("GET", f"{first_start['api']}/campaigns/{bali['id']}", None, ADMIN)[1].get("counts") or {}

    seen = _eventually(counts, lambda c: c.get("read", 0) > 0 or c.get("deferred", 0) > 0)

    # Outside the offer hours the promotion waits for the morning; inside them it is delivered and read.
    assert seen.get("read", 0) > 0 or seen.get("deferred", 0) > 0, seen


def test_the_stack_says_what_it_played(first_start) -> None:
    line = next(line for line in first_start["log"].read_text().splitlines() if "demo activity:" in line)

    assert "8 inbound messages" in line
    assert "skipped" not in line
