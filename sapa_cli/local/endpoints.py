"""Where the local stack listens, and how every other `sapa` command finds it.

`sapa local` writes `.sapa/stack.json` (its pid and ports) once its AWS
endpoint is ready and removes it when it stops; `sapa staff`, `sapa import`
and the rest read it, so they need no `AWS_ENDPOINT_URL` by hand and can say
plainly when no stack runs instead of failing on a refused connection.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REGION = "ap-southeast-3"  # Jakarta
STACK_FILE = "stack.json"
PID_FILE = "local.pid"


class NoLocalStack(RuntimeError):
    """No running local stack to talk to; the message says what to do."""


@dataclass(frozen=True)
class LocalPorts:
    aws: int
    api: int
    whatsapp: int
    ws: int = 8767  # the website chat's WebSocket gateway (`sapa_cli.local.ws_gateway`)
    ws_admin: int = 8768  # its API Gateway Management API (post_to_connection)

    @classmethod
    def from_env(cls) -> LocalPorts:
        return cls(
            aws=int(os.environ.get("SAPA_AWS_PORT", "4566")),
            api=int(os.environ.get("SAPA_PORT", "8000")),
            whatsapp=int(os.environ.get("SAPA_WHATSAPP_PORT", "8025")),
            ws=int(os.environ.get("SAPA_WS_PORT", "8767")),
            ws_admin=int(os.environ.get("SAPA_WS_ADMIN_PORT", "8768")),
        )


def local_environment(ports: LocalPorts, base: Mapping[str, str] | None = None) -> dict[str, str]:
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
    env.setdefault("SAPA_WEBCHAT_SOCKET_URL", f"ws://127.0.0.1:{ports.ws}")
    env.setdefault("SAPA_WEBCHAT_PUSH_URL", f"http://127.0.0.1:{ports.ws_admin}")
    return env


def state_dir(environ: Mapping[str, str] | None = None) -> Path:
    """`.sapa/` in the checkout, or `SAPA_STATE_DIR` (tests, a second checkout)."""
    env = os.environ if environ is None else environ
    return Path(env.get("SAPA_STATE_DIR") or ROOT / ".sapa")


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, but someone else's
        return True
    return True


def port_answers(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass(frozen=True)
class StackInfo:
    pid: int
    ports: LocalPorts

    @property
    def aws_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports.aws}"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.api}"

    def environment(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        return local_environment(self.ports, base)


def write_stack_info(directory: Path, info: StackInfo) -> Path:
    """Written atomically: a command never reads half a file."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / STACK_FILE
    temporary = directory / f".{STACK_FILE}.{os.getpid()}.tmp"
    body = {"pid": info.pid, "ports": asdict(info.ports), "aws": info.aws_endpoint, "api": info.api_url}
    temporary.write_text(json.dumps(body, indent=2) + "\n")
    os.replace(temporary, path)
    return path


def remove_stack_info(directory: Path, pid: int) -> None:
    """Only the stack that wrote the file removes it."""
    path = directory / STACK_FILE
    with contextlib.suppress(OSError, ValueError):
        if json.loads(path.read_text()).get("pid") == pid:
            path.unlink()


def _read(path: Path) -> StackInfo | None:
    try:
        body = json.loads(path.read_text())
        return StackInfo(pid=int(body["pid"]), ports=LocalPorts(**body["ports"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _starting_pid(directory: Path, alive: Callable[[int], bool]) -> int | None:
    try:
        pid = int((directory / PID_FILE).read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if alive(pid) else None


def find_stack(
    directory: Path,
    *,
    alive: Callable[[int], bool] = pid_alive,
    answers: Callable[[int], bool] = port_answers,
) -> StackInfo:
    """The running local stack, or NoLocalStack saying why there is none to talk to."""
    info = _read(directory / STACK_FILE)
    if info is None or not alive(info.pid):
        starting = _starting_pid(directory, alive)
        if starting is not None:
            raise NoLocalStack(f"the local stack (pid {starting}) is still starting; try again in a few seconds")
        raise NoLocalStack(
            "no local Sapa stack is running: start one with `make run` "
            "(or set SAPA_STAGE and AWS credentials to use a deployed stage)"
        )
    if not answers(info.ports.aws):
        raise NoLocalStack(f"the local stack (pid {info.pid}) does not answer on {info.aws_endpoint}")
    return info
