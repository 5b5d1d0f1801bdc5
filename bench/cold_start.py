"""Cold start: what importing Sapa costs a fresh Lambda process, against bare boto3.

    .venv/bin/python -m bench.cold_start [--repeat 21] [--stage prod]

Each sample is a fresh interpreter (as a Lambda cold start is): Sapa imports
`app` and makes the one client an HTTP handler needs; the baseline imports
boto3 and makes the same DynamoDB client. Runs alternate between the two so
machine noise hits both; the medians are compared.

Sapa runs with the deployed configuration, tracing on: the stage's variables
from .chalice/config.json, the ones the packaged template adds, and what the
Lambda runtime sets for an actively traced function (`deployed_env`). Being
"inside Lambda", app.py's cold-start check makes its one SSM GetParameters
call for the API function's secrets; it goes to a stand-in SSM on loopback
(nothing else is touched), so the figure includes that client and that call.
It also runs `python -X importtime -c "import app"` once and lists the
heaviest imports, and the heaviest ones the baseline does not pay for:
those are what a lazy import would save.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bench.common import BASE_ENV, REGION, ROOT, UNSET_ENV, Row, machine_line, markdown_table, progress, table

SAPA = "import app; app.app.container.aws.client('dynamodb')"
BASELINE = f"import boto3; boto3.client('dynamodb', region_name={REGION!r})"
TARGET_RATIO = 1.15
CONFIG = ROOT / ".chalice" / "config.json"
FUNCTION = "api_handler"
# Set by the Lambda runtime for a python3.11 function with active tracing (values are placeholders).
LAMBDA_RUNTIME_ENV = {
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
    "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
    "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
    "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001",
    "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
    "AWS_XRAY_DAEMON_ADDRESS": "169.254.79.129:2000",
    "_AWS_XRAY_DAEMON_ADDRESS": "169.254.79.129",
    "_AWS_XRAY_DAEMON_PORT": "2000",
    "_X_AMZN_TRACE_ID": "Root=1-6751a3c2-5e8f1b2a9c0d4e6f7a8b9c0d;Parent=53995c3f42cd8ad8;Sampled=1",
}


def stage_tracing(stage: str) -> bool:
    """Whether `chalice package` gives the stage's functions active tracing ("xray", stage over top level)."""
    config = json.loads(CONFIG.read_text())
    return bool((config.get("stages") or {}).get(stage, {}).get("xray", config.get("xray", False)))


def deployed_env(stage: str, ssm_endpoint: str) -> dict[str, str]:
    """What the packaged `api_handler` of `stage` runs with: config.json, the merge template, the runtime."""
    from sapa_cli.stage_settings import chalice_environment

    env = {k: v for k, v in os.environ.items() if k not in UNSET_ENV and not k.startswith("AWS_ENDPOINT_URL")}
    env = {k: v for k, v in env.items() if not k.startswith(("POWERTOOLS_", "SAPA_"))}
    env.update(BASE_ENV)
    for name in ("SAPA_STAGE", "POWERTOOLS_TRACE_DISABLED", "POWERTOOLS_METRICS_DISABLED", "POWERTOOLS_LOG_LEVEL"):
        env.pop(name, None)  # the deployed stage's own values (or none) apply
    env.update(chalice_environment(stage, CONFIG))
    env.update(
        {
            "SAPA_PUBLIC_URL": f"https://sapa-{stage}.bank-contoh.co.id",
            "SAPA_EMAIL_SENDER": f"halo@{stage}.bank-contoh.co.id",
            "SAPA_PAYLOAD_BUCKET": f"sapa-{stage}-payloads",
            "SAPA_COGNITO_USER_POOL_ID": "ap-southeast-3_AbCdEf123",  # the template's Refs to the staff pool
            "SAPA_COGNITO_CLIENT_ID": "4k2j3h4g5f6d7s8a9p0o1i2u3y",
            "WHATSAPP_PHONE_NUMBER_ID": "106540352242922",  # a deployed stage names its number
            "AWS_LAMBDA_FUNCTION_NAME": f"sapa-{stage}-{FUNCTION}",
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/sapa-{stage}-{FUNCTION}",
            "AWS_ENDPOINT_URL_SSM": ssm_endpoint,
        }
    )
    env.update(LAMBDA_RUNTIME_ENV)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


class _StandInSsm(BaseHTTPRequestHandler):
    """GetParameters answering every name as present: the cold-start check passes, as in a configured stage."""

    calls = 0

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        type(self).calls += 1
        names = body.get("Names") or []
        answer = json.dumps(
            {"Parameters": [{"Name": n, "Type": "SecureString", "Value": "x", "Version": 1} for n in names]}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def stand_in_ssm() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _StandInSsm)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def sample(snippet: str, env: dict[str, str]) -> tuple[float, float]:
    """(process wall seconds, in-process seconds for the snippet alone) of one fresh interpreter."""
    code = f"import time; _t = time.perf_counter(); {snippet}; print(time.perf_counter() - _t)"
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=120
    )
    wall = time.perf_counter() - started
    return wall, float(done.stdout.strip().splitlines()[-1])


@dataclass
class ImportNode:
    name: str
    self_us: int
    cumulative_us: int
    depth: int
    children: list[ImportNode] = field(default_factory=list)
    parent: ImportNode | None = None


def import_tree(snippet: str, env: dict[str, str]) -> list[ImportNode]:
    """Every module `-X importtime` reports for the snippet, parents linked (the output is post-order)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", snippet],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    nodes: list[ImportNode] = []
    pending: dict[int, list[ImportNode]] = {}
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "[us]" in line:
            continue
        self_us, cumulative, raw_name = line[len("import time:") :].split("|", 2)
        raw_name = raw_name.removeprefix(" ")
        depth = (len(raw_name) - len(raw_name.lstrip(" "))) // 2
        node = ImportNode(raw_name.strip(), int(self_us), int(cumulative), depth)
        node.children = pending.pop(depth + 1, [])
        for child in node.children:
            child.parent = node
        pending.setdefault(depth, []).append(node)
        nodes.append(node)
    return nodes


def _importer(node: ImportNode) -> str:
    """The nearest Sapa module (app or chalicelib.*) above this import: where a lazy import would go."""
    parent = node.parent
    while parent is not None and not (parent.name == "app" or parent.name.startswith("chalicelib")):
        parent = parent.parent
    return parent.name if parent else "—"


def heaviest(env: dict[str, str], top: int = 10) -> tuple[str, str]:
    """Two markdown tables: heaviest cumulative imports under app, and heaviest that boto3 alone does not pay."""
    nodes = import_tree("import app", env)
    baseline = {n.name for n in import_tree(BASELINE, env)}
    under_app = [n for n in nodes if n.name != "app"]

    def via(node: ImportNode) -> str:
        return node.parent.name if node.parent else "—"

    by_cumulative = sorted(under_app, key=lambda n: -n.cumulative_us)[:top]
    cumulative_rows = [
        (n.name, f"{n.cumulative_us / 1000:.1f}", f"{n.self_us / 1000:.1f}", via(n)) for n in by_cumulative
    ]
    packages: dict[str, int] = {}
    first_by: dict[str, str] = {}
    for node in nodes:  # post-order: a package's first line is its first import
        if node.name in baseline or node.name == "app":
            continue
        package = node.name.split(".")[0]
        if package == "chalicelib":
            package = ".".join(node.name.split(".")[:2])
        packages[package] = packages.get(package, 0) + node.self_us
        if package not in first_by:
            first_by[package] = _importer(node)
    extra_rows = [
        (package, f"{us / 1000:.1f}", first_by[package])
        for package, us in sorted(packages.items(), key=lambda kv: -kv[1])[:top]
    ]
    app_node = next((n for n in nodes if n.name == "app"), None)
    total = f"`import app` cumulative {app_node.cumulative_us / 1000:.0f} ms" if app_node else ""
    return (
        f"Heaviest imports under `app` by cumulative time ({total}):\n\n"
        + markdown_table(("module", "cumulative ms", "self ms", "imported by"), cumulative_rows),
        "Where the extra time goes: self time of modules the boto3 baseline never imports, by package "
        "(chalicelib by sub-package), with the first Sapa module that pulls each in:\n\n"
        + markdown_table(("package", "extra ms (self, summed)", "first imported from"), extra_rows),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=21, help="fresh processes per side (median; at least 15)")
    parser.add_argument("--warmup", type=int, default=2, help="discarded runs per side (bytecode and page cache)")
    parser.add_argument("--stage", default="prod", help="the deployed stage whose configuration Sapa runs with")
    args = parser.parse_args(argv)
    with stand_in_ssm() as ssm_endpoint:
        return _run(args, deployed_env(args.stage, ssm_endpoint))


def _run(args: argparse.Namespace, env: dict[str, str]) -> int:
    repeat = max(15, args.repeat)
    tracing = "active tracing" if stage_tracing(args.stage) else "**tracing off** in config.json"
    # The same function outside a Lambda runtime: app.py's cold-start check returns before SSM.
    no_check = {k: v for k, v in env.items() if k != "AWS_LAMBDA_RUNTIME_API"}
    sides: list[tuple[str, dict[str, str], list[tuple[float, float]]]] = [
        (SAPA, env, []),
        (BASELINE, env, []),
        (SAPA, no_check, []),
    ]
    for _ in range(args.warmup):
        for snippet, side_env, _samples in sides:
            sample(snippet, side_env)
    _StandInSsm.calls = 0
    for i in range(repeat):
        for snippet, side_env, out in sides[i % 3 :] + sides[: i % 3]:  # rotate so noise hits every side
            out.append(sample(snippet, side_env))
        if (i + 1) % 5 == 0:
            progress(f"cold start: {i + 1}/{repeat} rounds")
    ssm_calls = _StandInSsm.calls / repeat
    sapa, base, imports_only = (out for _, _, out in sides)
    sapa_wall, base_wall, imports_wall = (statistics.median(w for w, _ in out) for out in (sapa, base, imports_only))
    sapa_init, base_init, imports_init = (statistics.median(s for _, s in out) for out in (sapa, base, imports_only))
    spread = (
        f"Sapa p10–p90 {_pct(sapa, 0.1):.0f}–{_pct(sapa, 0.9):.0f} ms, "
        f"baseline {_pct(base, 0.1):.0f}–{_pct(base, 0.9):.0f} ms, "
        f"without the check {_pct(imports_only, 0.1):.0f}–{_pct(imports_only, 0.9):.0f} ms"
    )
    progress("cold start: -X importtime")
    cumulative, extra = heaviest(env)

    value = sapa_wall / base_wall
    rows = [
        Row(
            f"cold start, stage {args.stage} as deployed ({tracing}): fresh process, import app + "
            f"cold-start check + DynamoDB client (median of {repeat})",
            f"{sapa_wall * 1000:.0f} ms",
            f"{base_wall * 1000:.0f} ms (import boto3 + client)",
            f"{value:.2f}×",
            f"≤ {TARGET_RATIO}×",
            value <= TARGET_RATIO,
        ),
        Row(
            "cold start as deployed: init inside the process (imports + check + client, interpreter start excluded)",
            f"{sapa_init * 1000:.0f} ms",
            f"{base_init * 1000:.0f} ms",
            f"{sapa_init / base_init:.2f}×",
        ),
        Row(
            "cold start without the cold-start check (same environment, outside a Lambda runtime): fresh process",
            f"{imports_wall * 1000:.0f} ms (init {imports_init * 1000:.0f} ms)",
            f"{base_wall * 1000:.0f} ms (init {base_init * 1000:.0f} ms)",
            f"{imports_wall / base_wall:.2f}×",
        ),
    ]
    print("## Cold start\n")
    print(table(rows))
    print()
    print(f"- {spread}; runs rotate between the three; {args.warmup} warm-up runs each discarded")
    print(
        f"- Sapa's environment: stage {args.stage!r} from .chalice/config.json and the packaged template "
        f"({FUNCTION}, {tracing}, metrics on, no X-Ray SDK), plus the Lambda runtime's variables; "
        f"the cold-start check's SSM GetParameters calls per cold start (stand-in SSM on loopback): {ssm_calls:.2f}; "
        f"the check costs {(sapa_init - imports_init) * 1000:.0f} ms inside the process (median difference), "
        "mostly creating the SSM client (botocore loads SSM's service model, larger than DynamoDB's)"
    )
    print(f"- {machine_line()}")
    print()
    print(cumulative)
    print()
    print(extra)
    return 0


def _pct(samples: list[tuple[float, float]], q: float) -> float:
    walls = sorted(w for w, _ in samples)
    return walls[min(len(walls) - 1, int(q * len(walls)))] * 1000


if __name__ == "__main__":
    raise SystemExit(main())
