"""`make run` for real: local AWS, API, sandbox and runner as separate processes over HTTP."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _http(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    ports = {"SAPA_AWS_PORT": _free_port(), "SAPA_PORT": _free_port(), "SAPA_WHATSAPP_PORT": _free_port()}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SAPA_", "META_", "WHATSAPP_"))}
    env.update({k: str(v) for k, v in ports.items()})
    env.update(
        {"SAPA_SEED": "0", "SAPA_ADMIN_TOKEN": "stack-admin", "SAPA_STATE_DIR": str(tmp_path_factory.mktemp("state"))}
    )
    log = tmp_path_factory.mktemp("logs") / "stack.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "sapa_cli.cli", "local"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    api = f"http://127.0.0.1:{ports['SAPA_PORT']}"
    started = time.monotonic()
    try:
        while True:
            try:
                status, _ = _http("GET", f"{api}/health")
                if status == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() - started > 90:
                pytest.fail(f"make run did not answer /health within 90 s:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield {"api": api, "ready_after": time.monotonic() - started, "process": process, "env": env, **ports}
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def test_make_run_answers_health_within_90_seconds(stack) -> None:
    status, body = _http("GET", f"{stack['api']}/health")

    assert status == 200
    assert body["stage"] == "local"
    assert stack["ready_after"] < 90


def test_a_message_sent_by_hand_to_the_local_queue_reaches_its_handler(stack) -> None:
    admin = {"Authorization": "Bearer stack-admin"}
    status, customer = _http(
        "POST",
        f"{stack['api']}/customers",
        {
            "external_id": "HAND-1",
            "name": "Rina Wijaya",
            "phone": "081298765432",
            "consents": {"whatsapp": ["greetings"]},
        },
        admin,
    )
    assert status == 201
    import boto3

    sqs = boto3.client(
        "sqs",
        endpoint_url=f"http://127.0.0.1:{stack['SAPA_AWS_PORT']}",
        region_name="ap-southeast-3",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    url = sqs.get_queue_url(QueueName="sapa-local-outbound")["QueueUrl"]
    # A service message: its contact hours are any time, so the test does not depend on the hour it runs at.
    envelope = {
        "message_id": "msg_by_hand_1",
        "customer_id": customer["id"],
        "channel": "whatsapp",
        "purpose": "service",
        "occasion": "notice",
        "occasion_ref": "2027-06-15",
        "text": "BPKB Anda sudah dapat diambil, Rina.",
    }

    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(envelope))

    sandbox = f"http://127.0.0.1:{stack['SAPA_WHATSAPP_PORT']}/_sandbox/messages"
    deadline = time.monotonic() + 30
    received: list[Any] = []
    while time.monotonic() < deadline and not received:
        received = _http("GET", sandbox)[1]["messages"]
        time.sleep(0.5)
    assert [m["text"] for m in received] == ["BPKB Anda sudah dapat diambil, Rina."]
    _, messages = _http("GET", f"{stack['api']}/customers/{customer['id']}/messages", None, admin)
    assert messages["items"][0]["status"] == "sent"


def test_a_second_make_run_says_one_is_already_running(stack) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sapa_cli.cli", "local"],
        cwd=ROOT,
        env=stack["env"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert "already running" in result.stderr
