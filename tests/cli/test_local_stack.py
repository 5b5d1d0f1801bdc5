"""`make run` for real: local AWS, API, sandbox and runner as separate processes over HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.cli.stack_process import ROOT, http, running_stack, stack_environment

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    env = stack_environment(tmp_path_factory.mktemp("state"))
    with running_stack(env, tmp_path_factory.mktemp("logs") / "stack.log") as running:
        yield {**running, **{k: int(v) for k, v in env.items() if k.endswith("_PORT")}}


def test_make_run_answers_health_within_90_seconds(stack) -> None:
    status, body = http("GET", f"{stack['api']}/health")

    assert status == 200
    assert body["stage"] == "local"
    assert stack["ready_after"] < 90


def test_a_message_sent_by_hand_to_the_local_queue_reaches_its_handler(stack) -> None:
    admin = {"Authorization": "Bearer stack-admin"}
    status, customer = http(
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
        received = http("GET", sandbox)[1]["messages"]
        time.sleep(0.5)
    assert [m["text"] for m in received] == ["BPKB Anda sudah dapat diambil, Rina."]
    # Nobody posts a status webhook: the sandbox does, signed, as Meta would, until the customer has read it.
    deadline = time.monotonic() + 30
    status = None
    while time.monotonic() < deadline and status != "read":
        _, messages = http("GET", f"{stack['api']}/customers/{customer['id']}/messages", None, admin)
        status = messages["items"][0]["status"]
        time.sleep(0.3)
    assert status == "read"
    [phone] = http("GET", sandbox)[1]["messages"]
    assert phone["statuses"] == [
        {"status": "sent", "http_status": 200},
        {"status": "delivered", "http_status": 200},
        {"status": "read", "http_status": 200},
    ]


def test_the_website_chat_gateway_runs_beside_the_api_on_its_own_ports(stack) -> None:
    import boto3

    status, body = http("GET", f"http://127.0.0.1:{stack['SAPA_WS_ADMIN_PORT']}/")
    management = boto3.client(
        "apigatewaymanagementapi",
        endpoint_url=f"http://127.0.0.1:{stack['SAPA_WS_ADMIN_PORT']}",
        region_name="ap-southeast-3",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )

    assert (status, body) == (200, {"connections": 0})
    with pytest.raises(management.exceptions.GoneException):
        management.post_to_connection(ConnectionId="AAAAAAAAAAAAAAA=", Data=b"{}")
    assert f"website chat socket on ws://127.0.0.1:{stack['SAPA_WS_PORT']}" in stack["log"].read_text()


def test_a_second_make_run_says_one_is_alreadyrunning_stack(stack) -> None:
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


def test_the_apis_access_lines_carry_no_phone_number_or_email(stack) -> None:
    admin = {"Authorization": "Bearer stack-admin"}

    status, _ = http(
        "GET", f"{stack['api']}/customers?phone=081277778888&email=rina.wijaya%40contoh.co.id", None, admin
    )

    assert status == 200  # both are filters of the customer search: the access line masks them all the same
    deadline = time.monotonic() + 10
    while "GET /customers?" not in stack["log"].read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    log = stack["log"].read_text()
    assert "GET /customers?phone=***&email=*** HTTP/1.1" in log
    assert "77778888" not in log
    assert "rina.wijaya" not in log


def test_commands_find_the_running_stack_without_any_aws_variable(stack) -> None:
    env = {k: v for k, v in stack["env"].items() if not k.endswith("_PORT")}

    added = subprocess.run(
        [sys.executable, "-m", "sapa_cli.cli", "staff", "add", "--name", "budi-cli", "--role", "viewer"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert added.returncode == 0, added.stderr
    token = added.stdout.strip().splitlines()[-1]
    status, _ = http("GET", f"{stack['api']}/customers", None, {"Authorization": f"Bearer {token}"})
    assert status == 200
