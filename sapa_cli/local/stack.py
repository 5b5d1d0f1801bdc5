"""`sapa local`: the whole of Sapa on one machine, over real HTTP.

Starts the local AWS endpoint (moto server), creates the resources, seeds demo
data, starts the WhatsApp sandbox, serves the API with `chalice local`, and
runs the event runner in this process. Ctrl-C stops every child.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REGION = "ap-southeast-3"  # Jakarta


class AlreadyRunning(RuntimeError):
    pass


@dataclass(frozen=True)
class LocalPorts:
    aws: int
    api: int
    whatsapp: int

    @classmethod
    def from_env(cls) -> LocalPorts:
        return cls(
            aws=int(os.environ.get("SAPA_AWS_PORT", "4566")),
            api=int(os.environ.get("SAPA_PORT", "8000")),
            whatsapp=int(os.environ.get("SAPA_WHATSAPP_PORT", "8025")),
        )


def local_environment(ports: LocalPorts, base: dict[str, str] | None = None) -> dict[str, str]:
    """Everything a local process needs to talk to the local endpoint; secrets pass through."""
    env = dict(os.environ if base is None else base)
    env.update(
        {
            "SAPA_STAGE": "local",
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{ports.aws}",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": "true",
        }
    )
    env.setdefault("AWS_ACCESS_KEY_ID", "local")
    env.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    env.setdefault("WHATSAPP_GRAPH_URL", f"http://127.0.0.1:{ports.whatsapp}")
    env.setdefault("SAPA_PUBLIC_URL", f"http://127.0.0.1:{ports.api}")
    return env


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_for_http(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except Exception as error:  # noqa: BLE001 - keep waiting until the deadline
            last = error
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f}s ({last})")


def pid_file() -> Path:
    state = Path(os.environ.get("SAPA_STATE_DIR") or ROOT / ".sapa")
    state.mkdir(parents=True, exist_ok=True)
    return state / "local.pid"


@contextlib.contextmanager
def single_instance() -> Iterator[None]:
    """A second `make run` says so instead of failing on a taken port."""
    PID_FILE = pid_file()
    if PID_FILE.exists():
        try:
            pid = int(PID_FILE.read_text().strip())
            os.kill(pid, 0)
        except (ValueError, ProcessLookupError, PermissionError):
            PID_FILE.unlink(missing_ok=True)
        else:
            raise AlreadyRunning(f"Sapa is already running locally (pid {pid}); stop it with Ctrl-C first")
    PID_FILE.write_text(str(os.getpid()))
    try:
        yield
    finally:
        PID_FILE.unlink(missing_ok=True)


def _spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    # A new session per child so Ctrl-C in the terminal reaches only us; we stop them in order.
    return subprocess.Popen(args, env=env, cwd=ROOT, start_new_session=True)


def _stop(children: list[subprocess.Popen[bytes]]) -> None:
    for child in reversed(children):
        if child.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGTERM)
    for child in reversed(children):
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)


def run(seed: bool, customers: int) -> None:
    ports = LocalPorts.from_env()
    with single_instance():
        for label, port in (("local AWS", ports.aws), ("API", ports.api), ("WhatsApp sandbox", ports.whatsapp)):
            if port_in_use(port):
                raise AlreadyRunning(
                    f"port {port} for the {label} is taken; set another with the SAPA_* port variables"
                )
        env = local_environment(ports)
        os.environ.update(env)
        children: list[subprocess.Popen[bytes]] = []
        runner = None
        try:
            py = sys.executable
            children.append(_spawn([py, "-m", "sapa_cli.local.aws_server", "--port", str(ports.aws)], env))
            wait_for_http(f"http://127.0.0.1:{ports.aws}/moto-api/", 30)

            from chalicelib.core.aws import AwsClients
            from chalicelib.core.settings import Settings
            from sapa_cli.bootstrap import bootstrap

            settings = Settings.from_env(env)
            aws = AwsClients()
            bootstrap(settings, aws)
            print(f"[sapa] resources ready on http://127.0.0.1:{ports.aws}", flush=True)
            if seed:
                from sapa_cli.seed import seed_demo

                print(f"[sapa] {seed_demo(settings, aws, customers)}", flush=True)

            sandbox = [py, "-m", "sapa_cli.local.whatsapp_sandbox", "--port", str(ports.whatsapp), "--quiet"]
            children.append(_spawn(sandbox, env))

            chalice = [str(Path(py).parent / "chalice"), "local", "--stage", "local", "--host", "127.0.0.1"]
            children.append(_spawn([*chalice, "--port", str(ports.api)], env))

            if str(ROOT) not in sys.path:  # the `sapa` console script runs from .venv/bin
                sys.path.insert(0, str(ROOT))
            import app as sapa_app
            from sapa_cli.local.runner import LocalRunner

            runner = LocalRunner(sapa_app.app, settings, aws)
            runner.start()
            wait_for_http(f"http://127.0.0.1:{ports.api}/health", 60)
            print(f"[sapa] API on http://127.0.0.1:{ports.api} — Ctrl-C stops everything", flush=True)
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
            print("[sapa] a child process exited; stopping", flush=True)
        except KeyboardInterrupt:
            print("\n[sapa] stopping", flush=True)
        finally:
            if runner is not None:
                runner.stop()
            _stop(children)
