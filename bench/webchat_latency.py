"""From a website visitor's message to the bot's answer in the widget, on `make run`.

    python -m bench.webchat_latency [--messages 60]

Starts the local stack as `make run` does (its own ports and state directory,
no demo data), then, as a widget on the demo page would, opens sockets on the
local WebSocket gateway, says hello, fills in the form and asks website-style
questions the bot answers (from the held-out set, tests/scrm/data/web_questions.jsonl).
Each question is timed from the frame sent to the bot's `message` frame received:
the socket handler, the inbound queue, the worker (dedupe, match, classify, the
conversation's transaction), the outbound queue, the sender and `post_to_connection`.

Baseline, interleaved on the same sockets: a `ping` answered with `pong`, one
trip through the gateway and the socket handler, the floor any answer pays.
Target: the answer's p95 under one second.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import Row, machine_line, progress, ratio, table  # noqa: E402

QUESTIONS = ROOT / "tests" / "scrm" / "data" / "web_questions.jsonl"
PER_SOCKET = 15  # under the per-socket limit of 20 messages a minute
TARGET_SECONDS = 1.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answerable(limit: int) -> list[str]:
    """Questions the bot answers itself (an expected topic, not a handover), cycled to `limit`."""
    rows = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]
    texts = [row["text"] for row in rows if row.get("expect") and row["expect"] != "agent"]
    return [texts[i % len(texts)] for i in range(limit)]


def _start_stack(state: Path) -> tuple[subprocess.Popen[bytes], dict[str, str]]:
    ports = {name: str(_free_port()) for name in ("SAPA_AWS_PORT", "SAPA_PORT", "SAPA_WHATSAPP_PORT")}
    ports |= {"SAPA_WS_PORT": str(_free_port()), "SAPA_WS_ADMIN_PORT": str(_free_port())}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SAPA_", "META_", "WHATSAPP_"))}
    env |= ports | {"SAPA_SEED": "0", "SAPA_STATE_DIR": str(state), "SAPA_DEMO_ACTIVITY": "0"}
    log = open(state / "stack.log", "ab")  # noqa: SIM115 - the child writes to it until it stops
    process = subprocess.Popen(
        [sys.executable, "-m", "sapa_cli.cli", "local"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    api = f"http://127.0.0.1:{env['SAPA_PORT']}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{api}/health", timeout=2) as answer:
                if answer.status == 200:
                    return process, env
        except OSError:
            time.sleep(0.5)
    os.killpg(process.pid, signal.SIGKILL)
    raise SystemExit(f"make run did not answer within 120 s; see {state / 'stack.log'}")


async def _run(env: dict[str, str], questions: list[str]) -> tuple[list[float], list[float]]:
    from websockets.asyncio.client import connect

    url = f"ws://127.0.0.1:{env['SAPA_WS_PORT']}/?site=demo"
    origin = f"http://127.0.0.1:{env['SAPA_PORT']}"
    answers: list[float] = []
    pings: list[float] = []

    async def wait_for(ws: Any, kind: str) -> dict[str, Any]:
        async with asyncio.timeout(30):
            while True:
                frame = json.loads(await ws.recv())
                if frame["type"] == kind:
                    return frame

    for start in range(0, len(questions), PER_SOCKET):
        async with connect(url, origin=origin) as ws:
            await ws.send(json.dumps({"type": "hello", "visitor": None}))
            await wait_for(ws, "welcome")
            await ws.send(json.dumps({"type": "prechat", "name": "Bench", "contact": "bench@example.co.id"}))
            await wait_for(ws, "prechat_ok")
            for text in questions[start : start + PER_SOCKET]:
                began = time.perf_counter()
                await ws.send(json.dumps({"type": "ping"}))
                await wait_for(ws, "pong")
                pings.append(time.perf_counter() - began)
                began = time.perf_counter()
                await ws.send(json.dumps({"type": "message", "id": str(uuid.uuid4()), "text": text}))
                answer = await wait_for(ws, "message")
                answers.append(time.perf_counter() - began)
                if answer.get("from") != "bot":
                    raise SystemExit(f"expected the bot's answer, got {answer.get('from')}")
        progress(f"{len(answers)} answers, p95 so far {_p95(answers) * 1000:.0f} ms")
    return answers, pings


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=60)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sapa-bench-webchat-") as directory:
        progress("starting the local stack")
        process, env = _start_stack(Path(directory))
        try:
            asyncio.run(_run(env, _answerable(5)))  # warm: every function's first (cold) invocation
            answers, pings = asyncio.run(_run(env, _answerable(args.messages)))
        finally:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
    p95, p95_ping = _p95(answers), _p95(pings)
    print(machine_line())
    print()
    print(
        table(
            [
                Row(
                    f"web chat: visitor message → bot answer in the widget, p95 of {len(answers)} (make run)",
                    f"{p95 * 1000:.0f} ms",
                    f"{p95_ping * 1000:.0f} ms (ping → pong)",
                    ratio(p95, p95_ping),
                    "p95 < 1 s",
                    p95 < TARGET_SECONDS,
                ),
                Row(
                    "web chat: the same, median",
                    f"{statistics.median(answers) * 1000:.0f} ms",
                    f"{statistics.median(pings) * 1000:.0f} ms",
                    ratio(statistics.median(answers), statistics.median(pings)),
                ),
            ]
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
