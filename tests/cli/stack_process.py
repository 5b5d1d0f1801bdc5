"""`make run` as a separate process, for the tests that start real local stacks."""

from __future__ import annotations

import contextlib
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

ROOT = Path(__file__).resolve().parents[2]
ADMIN = {"Authorization": "Bearer stack-admin"}
PORT_VARIABLES = ("SAPA_AWS_PORT", "SAPA_PORT", "SAPA_WHATSAPP_PORT", "SAPA_WS_PORT", "SAPA_WS_ADMIN_PORT")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def stack_environment(state: Path) -> dict[str, str]:
    """A developer's shell: no AWS variables, free ports, a state directory of the test's own."""
    ports = {name: free_port() for name in PORT_VARIABLES}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SAPA_", "META_", "WHATSAPP_"))}
    env.update({k: str(v) for k, v in ports.items()})
    env.update({"SAPA_SEED": "0", "SAPA_ADMIN_TOKEN": "stack-admin", "SAPA_STATE_DIR": str(state)})
    # Every accepted WhatsApp message is delivered and read, quickly: tests that want failures inject them.
    env.update({"SAPA_SANDBOX_FAIL_RATE": "0", "SAPA_SANDBOX_READ_RATE": "1", "SAPA_SANDBOX_STATUS_SECONDS": "0.3"})
    return env


def stack_ports(env: dict[str, str]) -> list[int]:
    return [int(env[k]) for k in PORT_VARIABLES]


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@contextlib.contextmanager
def running_stack(env: dict[str, str], log: Path, *args: str) -> Iterator[dict[str, Any]]:
    """`make run` in its own process group, as a terminal starts it; killed for good on the way out."""
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "sapa_cli.cli", "local", *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    api = f"http://127.0.0.1:{env['SAPA_PORT']}"
    started = time.monotonic()
    try:
        while True:
            try:
                status, _ = http("GET", f"{api}/health")
                if status == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() - started > 90:
                pytest.fail(f"make run did not answer /health within 90 s:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield {"api": api, "ready_after": time.monotonic() - started, "process": process, "env": env, "log": log}
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def stop_stack(stack: dict[str, Any], signum: int) -> int:
    """Signal the stack's whole process group, as `kill -TERM -<pgid>` or Ctrl-C does; its exit status."""
    os.killpg(stack["process"].pid, signum)
    return stack["process"].wait(timeout=60)
