"""Run every benchmark and print one combined table (`make bench`); also written to bench/results.md.

    .venv/bin/python -m bench.run_all [--quick] [--only NAME ...] [--skip NAME ...]

Each benchmark runs in its own fresh process (its own local AWS, caches and
environment) and prints markdown; rows of tables with the shared header
(what | Sapa | baseline (same run) | ratio / value | target | met?) are
merged into one table, other tables (e.g. the analyser's) are mapped onto it,
and everything else a benchmark prints is kept under "Details".
Benchmarks other engineers own (campaign fan-out, webhook intake) are run
when their files exist and skipped with a note otherwise.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from bench.common import HEADER, ROOT, is_separator, machine_line, markdown_table, progress, split_row

RESULTS = ROOT / "bench" / "results.md"
STEP_TIMEOUT = 30 * 60


@dataclass(frozen=True)
class Step:
    name: str
    module: str
    args: tuple[str, ...] = ()
    quick_args: tuple[str, ...] = ()
    note: str = ""  # said under the table whenever the step runs

    @property
    def path(self) -> Path:
        return ROOT / (self.module.replace(".", "/") + ".py")


STEPS = (
    Step("cold_start", "bench.cold_start", quick_args=("--repeat", "15")),
    Step("greeting_run", "bench.greeting_run", quick_args=("--customers", "10000")),
    Step("reminder_run", "bench.reminder_run", quick_args=("--contracts", "5000")),
    Step("sender", "bench.sender", quick_args=("--messages", "300")),
    Step("rate_limit", "bench.rate_limit", quick_args=("--messages", "250", "--check-messages", "150")),
    Step("analysis", "bench.analysis", quick_args=("--n", "20000")),
    Step("bot_answers", "bench.bot_answers"),
    Step("webchat_latency", "bench.webchat_latency", quick_args=("--messages", "30")),
    # Its default sizes (10k, 100k) take 35-45 min on 2 vCPUs on their own: too long for `make bench`.
    Step(
        "campaign_fanout",
        "bench.campaign_fanout",
        args=("--sizes", "2000,10000"),
        quick_args=("--sizes", "2000"),
        note="run with --sizes 2000,10000; its 100,000-customer default takes 35–45 min: run it on its own",
    ),
    Step("webhook_intake", "bench.webhook_intake"),
)


@dataclass
class Outcome:
    step: Step
    returncode: int | None  # None: skipped
    seconds: float = 0.0
    rows: list[tuple[str, ...]] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    note: str = ""


def run_step(step: Step, quick: bool) -> tuple[int, str, list[str], float]:
    """Run one benchmark; stderr streams through live (progress), its last lines are kept for errors."""
    cmd = [sys.executable, "-m", step.module, *(step.quick_args if quick else step.args)]
    progress(f"run_all: {' '.join(cmd[1:])}")
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stderr is not None
    tail: deque[str] = deque(maxlen=15)
    timed_out = threading.Event()

    def pump(stream: IO[str]) -> None:
        for line in stream:
            sys.stderr.write(line)
            tail.append(line.rstrip())

    def kill() -> None:
        timed_out.set()
        proc.kill()

    pumper = threading.Thread(target=pump, args=(proc.stderr,), daemon=True)
    pumper.start()
    timer = threading.Timer(STEP_TIMEOUT, kill)
    timer.start()
    out = proc.stdout.read()  # stdout here, stderr in the pump: one reader per pipe
    proc.wait()
    timer.cancel()
    pumper.join(timeout=5)
    if timed_out.is_set():
        tail.append(f"killed after {STEP_TIMEOUT} s")
    return proc.returncode, out, list(tail), time.perf_counter() - started


def _column(header: list[str], *prefixes: str) -> int | None:
    for i, name in enumerate(header):
        if name.lower().startswith(prefixes):
            return i
    return None


def parse_output(step: Step, text: str) -> tuple[list[tuple[str, ...]], list[str]]:
    """Rows for the combined table, and the rest of the output as details."""
    rows: list[tuple[str, ...]] = []
    details: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        header = split_row(lines[i])
        separator = split_row(lines[i + 1]) if i + 1 < len(lines) else None
        if header is None or separator is None or not is_separator(separator):
            if not lines[i].startswith("## "):  # the benchmark's own title: Details has one per step
                details.append(lines[i])
            i += 1
            continue
        body: list[list[str]] = []
        i += 2
        while i < len(lines) and (cells := split_row(lines[i])) is not None:
            body.append(cells)
            i += 1
        if [h.lower() for h in header] == [h.lower() for h in HEADER]:
            rows += [tuple(c) for c in body if len(c) == len(HEADER)]
        elif _column(header, "what") is not None and _column(header, "sapa") is not None:
            rows += [_by_name(header, c) for c in body]
        elif (mapped := _foreign_rows(step, header, body)) is not None:
            rows += mapped
        else:
            # Not a result table (import-time lists, per-operation breakdowns): keep it under Details.
            details.append(markdown_table(tuple(header), [tuple(c) for c in body]))
    return rows, details


def _foreign_rows(step: Step, header: list[str], body: list[list[str]]) -> list[tuple[str, ...]] | None:
    """Map another benchmark's own table onto the shared columns, or None to keep it as a detail.

    With a ratio column: the first column says what, a "bare"/"baseline" column is the baseline, the
    nearest other column left of the ratio is Sapa, the rest go along in the Sapa cell. With a
    "score" last column (quality tables): all but the last column say what. Anything else: a detail.
    """
    names = [h.lower() for h in header]
    ratio_at = next((i for i, h in enumerate(names) if h.startswith("ratio")), None)
    if ratio_at is not None:
        base_at = next((i for i, h in enumerate(names) if "bare" in h or "baseline" in h), None)
        sapa_at = next((i for i in range(ratio_at - 1, 0, -1) if i != base_at), None)
        rows = []
        for cells in body:
            if len(cells) != len(header):
                continue
            used = {0, ratio_at, base_at, sapa_at}
            rest = "; ".join(f"{header[i]}: {cells[i]}" for i in range(len(cells)) if i not in used)
            sapa = f"{cells[sapa_at]} ({header[sapa_at]})" if sapa_at is not None else "—"
            base = f"{cells[base_at]} ({header[base_at]})" if base_at is not None else "—"
            what = f"{step.name}: {header[0]} {cells[0]}"
            rows.append((what, sapa + (f"; {rest}" if rest else ""), base, cells[ratio_at], "—", "—"))
        return rows
    if names and names[-1] in ("score", "value"):
        return [
            (f"{step.name}: " + " · ".join(c for c in cells[:-1] if c), cells[-1], "—", cells[-1], "—", "—")
            for cells in body
        ]
    return None


def _by_name(header: list[str], cells: list[str]) -> tuple[str, ...]:
    def get(*prefixes: str) -> str:
        index = _column(header, *prefixes)
        return cells[index] if index is not None and index < len(cells) else "—"

    return (get("what"), get("sapa"), get("baseline"), get("ratio", "value"), get("target"), get("met"))


def report(outcomes: list[Outcome], quick: bool, started: float) -> str:
    rows = [row for outcome in outcomes for row in outcome.rows]
    missed = [row[0] for row in rows if "no" in row[5].lower()]
    lines = [
        "# Sapa benchmarks",
        "",
        f"{machine_line()}.",
        f"`make bench` ({'--quick, ' if quick else ''}total {time.perf_counter() - started:.0f} s). Every row "
        "measures Sapa and its baseline in the same run on the same local endpoint (moto server mode with Sapa's "
        "SQS patch, WhatsApp sandbox); timings are never asserted in tests.",
        "",
        markdown_table(HEADER, rows),
        "",
    ]
    notes = [f"{o.step.name}: {o.step.note}" for o in outcomes if o.step.note and o.returncode is not None]
    notes += [o.note for o in outcomes if o.note]
    if missed:
        notes.append(f"targets missed: {len(missed)} — " + "; ".join(missed))
    lines += [f"- {note}" for note in notes]
    lines += ["", "## Details", ""]
    for outcome in outcomes:
        if outcome.returncode is None:
            continue
        body = re.sub(r"\n{3,}", "\n\n", "\n".join(outcome.details)).strip()
        lines += [f"### {outcome.step.name} ({outcome.seconds:.0f} s, exit {outcome.returncode})", "", body, ""]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes: a smoke run, not the reported numbers")
    parser.add_argument(
        "--only", nargs="+", default=None, help="run only these (" + ", ".join(s.name for s in STEPS) + ")"
    )
    parser.add_argument("--skip", nargs="+", default=[], help="skip these")
    parser.add_argument(
        "--output", type=Path, default=RESULTS, help="where to write the markdown (default bench/results.md)"
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()
    outcomes: list[Outcome] = []
    for step in STEPS:
        if (args.only and step.name not in args.only) or step.name in args.skip:
            continue
        if not step.path.exists():
            outcomes.append(
                Outcome(step, None, note=f"{step.name}: skipped, {step.path.relative_to(ROOT)} not present")
            )
            continue
        code, out, tail, seconds = run_step(step, args.quick)
        rows, details = parse_output(step, out)
        outcome = Outcome(step, code, seconds, rows, details)
        if code != 0:
            outcome.note = f"{step.name}: exit {code}; last stderr: " + " / ".join(tail[-3:])
        elif not rows:
            outcome.note = f"{step.name}: ran, but printed no table rows"
        outcomes.append(outcome)

    text = report(outcomes, args.quick, started)
    args.output.write_text(text, encoding="utf-8")
    print(text)
    progress(f"run_all: written to {args.output}")
    return 0 if all(o.returncode in (None, 0) for o in outcomes) else 1


if __name__ == "__main__":
    raise SystemExit(main())
