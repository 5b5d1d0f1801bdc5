"""Cold start: what importing Sapa costs a fresh Lambda process, against bare boto3.

    .venv/bin/python -m bench.cold_start [--repeat 21]

Each sample is a fresh interpreter (as a Lambda cold start is): Sapa imports
`app` and makes the one client an HTTP handler needs; the baseline imports
boto3 and makes the same DynamoDB client. Runs alternate between the two so
machine noise hits both; the medians are compared. No network is touched.
It also runs `python -X importtime -c "import app"` once and lists the
heaviest imports, and the heaviest ones the baseline does not pay for:
those are what a lazy import would save.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field

from bench.common import BASE_ENV, REGION, ROOT, UNSET_ENV, Row, machine_line, markdown_table, progress, table

SAPA = "import app; app.app.container.aws.client('dynamodb')"
BASELINE = f"import boto3; boto3.client('dynamodb', region_name={REGION!r})"
TARGET_RATIO = 1.15


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in UNSET_ENV and k != "AWS_ENDPOINT_URL"}
    env.update(BASE_ENV)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


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
    args = parser.parse_args(argv)
    repeat = max(15, args.repeat)
    env = child_env()

    for _ in range(args.warmup):
        sample(SAPA, env)
        sample(BASELINE, env)
    sapa: list[tuple[float, float]] = []
    base: list[tuple[float, float]] = []
    for i in range(repeat):
        order = ((SAPA, sapa), (BASELINE, base)) if i % 2 == 0 else ((BASELINE, base), (SAPA, sapa))
        for snippet, out in order:
            out.append(sample(snippet, env))
        if (i + 1) % 5 == 0:
            progress(f"cold start: {i + 1}/{repeat} pairs")
    sapa_wall = statistics.median(w for w, _ in sapa)
    base_wall = statistics.median(w for w, _ in base)
    sapa_init = statistics.median(s for _, s in sapa)
    base_init = statistics.median(s for _, s in base)
    spread = (
        f"Sapa p10–p90 {_pct(sapa, 0.1):.0f}–{_pct(sapa, 0.9):.0f} ms, "
        f"baseline {_pct(base, 0.1):.0f}–{_pct(base, 0.9):.0f} ms"
    )
    progress("cold start: -X importtime")
    cumulative, extra = heaviest(env)

    value = sapa_wall / base_wall
    rows = [
        Row(
            f"cold start: fresh process, import app + DynamoDB client (median of {repeat})",
            f"{sapa_wall * 1000:.0f} ms",
            f"{base_wall * 1000:.0f} ms (import boto3 + client)",
            f"{value:.2f}×",
            f"≤ {TARGET_RATIO}×",
            value <= TARGET_RATIO,
        ),
        Row(
            "cold start: init inside the process (imports + client, interpreter start excluded)",
            f"{sapa_init * 1000:.0f} ms",
            f"{base_init * 1000:.0f} ms",
            f"{sapa_init / base_init:.2f}×",
        ),
    ]
    print("## Cold start\n")
    print(table(rows))
    print()
    print(f"- {spread}; runs alternate Sapa/baseline; {args.warmup} warm-up runs each discarded")
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
