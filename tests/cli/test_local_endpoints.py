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
