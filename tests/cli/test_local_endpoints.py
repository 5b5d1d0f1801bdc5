"""Commands find the running local stack through `.sapa/stack.json`, and say why when there is none."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from sapa_cli.local.endpoints import (
    LocalPorts,
    NoLocalStack,
    StackInfo,
    find_stack,
    local_environment,
    remove_stack_info,
    write_stack_info,
)

PORTS = LocalPorts(aws=4566, api=8000, whatsapp=8025)


def _alive(*pids: int):
    return lambda pid: pid in pids


def _answers(*ports: int):
    return lambda port: port in ports


def test_the_running_stack_is_found_with_its_ports(tmp_path: Path) -> None:
    write_stack_info(tmp_path, StackInfo(pid=4242, ports=PORTS))

    info = find_stack(tmp_path, alive=_alive(4242), answers=_answers(4566))

    assert info == StackInfo(pid=4242, ports=PORTS)
    assert info.environment({})["AWS_ENDPOINT_URL"] == "http://127.0.0.1:4566"
    assert info.environment({})["SAPA_STAGE"] == "local"


def test_no_stack_file_means_no_stack(tmp_path: Path) -> None:
    with pytest.raises(NoLocalStack, match="no local Sapa stack is running: start one with `make run`"):
        find_stack(tmp_path, alive=_alive(), answers=_answers())


def test_a_stack_file_left_by_a_dead_process_means_no_stack(tmp_path: Path) -> None:
    write_stack_info(tmp_path, StackInfo(pid=4242, ports=PORTS))

    with pytest.raises(NoLocalStack, match="no local Sapa stack is running"):
        find_stack(tmp_path, alive=_alive(), answers=_answers(4566))


def test_a_stack_that_has_not_written_its_ports_yet_is_still_starting(tmp_path: Path) -> None:
    (tmp_path / "local.pid").write_text("4242")

    with pytest.raises(NoLocalStack, match=r"the local stack \(pid 4242\) is still starting"):
        find_stack(tmp_path, alive=_alive(4242), answers=_answers())


def test_a_stack_whose_endpoint_does_not_answer_is_named(tmp_path: Path) -> None:
    write_stack_info(tmp_path, StackInfo(pid=4242, ports=PORTS))

    with pytest.raises(NoLocalStack, match=r"\(pid 4242\) does not answer on http://127.0.0.1:4566"):
        find_stack(tmp_path, alive=_alive(4242), answers=_answers())


def test_a_damaged_stack_file_means_no_stack(tmp_path: Path) -> None:
    (tmp_path / "stack.json").write_text("{not json")

    with pytest.raises(NoLocalStack, match="no local Sapa stack is running"):
        find_stack(tmp_path, alive=_alive(4242), answers=_answers(4566))


def test_only_the_stack_that_wrote_the_file_removes_it(tmp_path: Path) -> None:
    path = write_stack_info(tmp_path, StackInfo(pid=os.getpid(), ports=PORTS))

    remove_stack_info(tmp_path, pid=1)
    assert json.loads(path.read_text())["pid"] == os.getpid()
    remove_stack_info(tmp_path, pid=os.getpid())
    assert not path.exists()


def test_the_website_chat_gateway_has_two_ports_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAPA_WS_PORT", "9767")
    monkeypatch.setenv("SAPA_WS_ADMIN_PORT", "9768")

    ports = LocalPorts.from_env()
    env = local_environment(ports, base={})

    assert (ports.ws, ports.ws_admin) == (9767, 9768)
    assert env["SAPA_WEBCHAT_SOCKET_URL"] == "ws://127.0.0.1:9767"
    assert env["SAPA_WEBCHAT_PUSH_URL"] == "http://127.0.0.1:9768"


def test_the_chat_urls_can_be_aimed_elsewhere() -> None:
    env = local_environment(PORTS, base={"SAPA_WEBCHAT_SOCKET_URL": "wss://chat.example.co.id"})

    assert env["SAPA_WEBCHAT_SOCKET_URL"] == "wss://chat.example.co.id"
    assert env["SAPA_WEBCHAT_PUSH_URL"] == "http://127.0.0.1:8768"


def test_a_stack_file_names_the_gateways_ports_and_one_written_before_them_still_reads(tmp_path: Path) -> None:
    ports = LocalPorts(aws=4566, api=8000, whatsapp=8025, ws=9767, ws_admin=9768)
    path = write_stack_info(tmp_path, StackInfo(pid=4242, ports=ports))
    assert json.loads(path.read_text())["ports"]["ws"] == 9767
    assert find_stack(tmp_path, alive=_alive(4242), answers=_answers(4566)).ports == ports

    path.write_text(json.dumps({"pid": 4242, "ports": {"aws": 4566, "api": 8000, "whatsapp": 8025}}))

    assert find_stack(tmp_path, alive=_alive(4242), answers=_answers(4566)).ports == PORTS
