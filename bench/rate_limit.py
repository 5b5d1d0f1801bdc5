"""Does the WhatsApp rate limit hold: close to the configured rate with a backlog, never above?

    .venv/bin/python -m bench.rate_limit [--messages 500] [--rate 50] [--check-rate 20] [--no-threads]

Builds a backlog of greetings on the outbound queue and drains it with
sender workers, each a separate process running the real `send_outbound`
handler under the local runner: in AWS every concurrent Lambda execution is a
process with its own token bucket, and the limiter gives each rate ÷
SAPA_SENDER_CONCURRENCY. The achieved rate is read from the WhatsApp
sandbox's receive timestamps over the steady window: from one second after
the last worker's first send to the first worker's last send (all workers
busy). Concurrency 1 is one worker; concurrency 2 is two worker processes.

The baseline, in the same run, is the same drain with the limiter off: the
local stack's own capacity. Where that is not above the configured rate
(moto answers each DynamoDB call in several ms; two cores), the row measures
moto, not the limiter, and says so; `--check-rate` repeats both drains at a
rate the stack sustains so the limiter itself is measured.

Two runner threads in ONE process (reported below the table) share that
process's cached bucket (rate ÷ 2): in-process threads are not a model of
two Lambda executions.
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
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from bench.common import ROOT, LocalAws, Row, load_customers, machine_line, progress, table, wired
from bench.sender import CONSENTS, drain, outbound_source, queue_greetings, quiet_stdout, sender_env

UNLIMITED = 100_000.0
PHONE_NUMBER_ID = "10000000000000{}"
# The sandbox stamps receipt in milliseconds after a variable HTTP hop: over a >10 s window that is
# well under 0.5% on the slope, so a reading up to 1.005 is "at the limit", not above it.
TOLERANCE = 0.005


# -- worker process -------------------------------------------------------------------------------


def worker(threads: int) -> int:
    """One sender "Lambda execution" (or, with threads > 1, several pollers sharing one process)."""
    import app as sapa_app
    from chalicelib.core.settings import Settings
    from sapa_cli.local.runner import LocalRunner

    handled = [0] * threads

    def poll_loop(index: int) -> None:
        runner = LocalRunner(sapa_app.app, Settings.from_env(), wired().aws, wait_seconds=0, log=progress)
        source = outbound_source(runner)
        # Other workers share the backlog: stop when it answers empty (it was full before we started).
        handled[index] = drain(lambda: runner.poll_once(source, wait_seconds=0), 0, idle_polls=8)

    started = time.time()
    with quiet_stdout():
        pool = [threading.Thread(target=poll_loop, args=(i,)) for i in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
    print(json.dumps({"handled": sum(handled), "started": started, "ended": time.time()}))
    return 0


# -- parent ------------------------------------------------------------------------------------------


@dataclass
class Drain:
    label: str
    achieved: float  # steady-window messages/s
    delivered: int
    window: float  # seconds
    peak: int  # most sends in any sliding one-second window
    seconds: float  # whole drain, worker start-up included


def _stamp(message: dict[str, Any]) -> float:
    return datetime.fromisoformat(message["received_at"].replace("Z", "+00:00")).timestamp()


def steady_rate(messages: list[dict[str, Any]]) -> tuple[float, float, int]:
    """(messages/s, window seconds, max sends in a sliding second) over the all-workers-busy window.

    The rate is the least-squares slope of send count over time inside the window: a count divided
    by the window length, or (n − 1) ÷ (last − first), moves with the jitter of the two end sends.
    """
    by_worker: dict[str, list[float]] = {}
    for message in messages:
        by_worker.setdefault(message["phone_number_id"], []).append(_stamp(message))
    times = sorted(t for ts in by_worker.values() for t in ts)
    start = max(min(ts) for ts in by_worker.values()) + 1.0 if times else 0.0
    end = min(max(ts) for ts in by_worker.values()) if times else 0.0
    inside = [t for t in times if start <= t <= end]
    peak = left = 0
    for right, t in enumerate(times):
        while times[left] <= t - 1.0:
            left += 1
        peak = max(peak, right - left + 1)
    if len(inside) < 3 or inside[-1] <= inside[0]:
        return 0.0, 0.0, peak
    mean_t = statistics.fmean(inside)
    mean_i = (len(inside) - 1) / 2
    covariance = sum((t - mean_t) * (i - mean_i) for i, t in enumerate(inside))
    variance = sum((t - mean_t) ** 2 for t in inside)
    return covariance / variance, inside[-1] - inside[0], peak


def run_workers(sandbox: Any, rate: float, concurrency: int, processes: int, threads: int) -> float:
    """Start the workers, wait for them; returns the wall time including their start-up."""
    env = dict(os.environ)
    env.update(sender_env(sandbox.base_url, rate, concurrency))
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    started = time.perf_counter()
    procs = []
    for i in range(processes):
        worker_env = {**env, "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID.format(i)}
        cmd = [sys.executable, "-m", "bench.rate_limit", "--worker", "--threads", str(threads)]
        procs.append(subprocess.Popen(cmd, cwd=ROOT, env=worker_env, stdout=subprocess.PIPE, text=True))
    for proc in procs:
        out, _ = proc.communicate(timeout=600)
        if proc.returncode:
            raise RuntimeError(f"worker {proc.pid} exited {proc.returncode}")
        progress(f"worker {proc.pid}: {out.strip()}")
    return time.perf_counter() - started


class Bench:
    """One loaded customer set; every drain queues fresh greetings (a new date) to the same people."""

    def __init__(self, sandbox: Any, customers: list[dict[str, Any]]) -> None:
        self.sandbox = sandbox
        self.customers = customers
        self.day = date(2027, 7, 1)

    def drain(self, label: str, rate: float, processes: int, threads: int = 1, backlog: int | None = None) -> Drain:
        concurrency = processes * threads
        people = self.customers[: backlog or len(self.customers)]
        queued = queue_greetings(people, self.day.isoformat())
        self.day += timedelta(days=1)
        self.sandbox.clear()
        progress(f"{label}: {queued} queued; draining with {processes} process(es) × {threads} thread(s)")
        seconds = run_workers(self.sandbox, rate, concurrency, processes, threads)
        messages = self.sandbox.messages()
        achieved, window, peak = steady_rate(messages)
        progress(f"{label}: {len(messages)} sent; steady {achieved:.2f}/s over {window:.1f}s; peak 1-s {peak}")
        return Drain(label, achieved, len(messages), window, peak, seconds)


def rate_row(rate: float, drained: Drain, capacity: Drain, backlog: int) -> Row:
    value = drained.achieved / rate
    binding = capacity.achieved > rate * 1.1
    return Row(
        f"WhatsApp rate limit {rate:g}/s, {drained.label} ({backlog} backlog): achieved ÷ configured",
        f"{drained.achieved:.2f} msg/s (steady {drained.window:.1f} s; peak 1-s window {drained.peak})",
        f"{capacity.achieved:.1f} msg/s (limiter off, {capacity.label})"
        + ("" if binding else ": below the limit, so this row measures moto, not the limiter"),
        f"{value:.3f}",
        f"0.95–1.0 (±{TOLERANCE:.1%} timing), never above",
        0.95 <= value <= 1.0 + TOLERANCE,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=500, help="backlog per drain at --rate")
    parser.add_argument("--rate", type=float, default=50.0, help="SAPA_WHATSAPP_RATE (messages/s)")
    parser.add_argument(
        "--check-rate",
        type=float,
        default=20.0,
        help="a second, lower rate the local stack surely sustains, so the limiter binds (0: skip)",
    )
    parser.add_argument("--check-messages", type=int, default=300, help="backlog per drain at --check-rate")
    parser.add_argument("--no-threads", action="store_true", help="skip the two-threads-in-one-process drain")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args.threads)

    from sapa_cli.local.whatsapp_sandbox import WhatsAppSandbox

    n, rate, check = args.messages, args.rate, args.check_rate
    rows: list[Row] = []
    notes: list[str] = []
    with WhatsAppSandbox("bench-token") as sandbox, LocalAws(sender_env(sandbox.base_url, rate)) as local:
        progress(f"loading {n:,} customers who consented to WhatsApp greetings")
        customers = load_customers(local.table("customers"), n, date(2027, 6, 15), consents=CONSENTS, keep=True).kept
        bench = Bench(sandbox, customers)
        bench.drain("warm-up", UNLIMITED, 1, backlog=50)  # moto's first requests are slow: not measured
        off = {p: bench.drain(f"{p} process{'es' if p > 1 else ''}", UNLIMITED, p) for p in (1, 2)}
        for p in (1, 2):
            drained = bench.drain(f"concurrency {p}", rate, p)
            rows.append(rate_row(rate, drained, off[p], n))
            notes.append(f"{drained.label} at {rate:g}/s: {drained.delivered} sent, drain {drained.seconds:.1f} s")
        if check:
            for p in (1, 2):
                drained = bench.drain(f"concurrency {p}", check, p, backlog=args.check_messages)
                rows.append(rate_row(check, drained, off[p], args.check_messages))
                notes.append(f"{drained.label} at {check:g}/s: {drained.delivered} sent, drain {drained.seconds:.1f} s")
        if not args.no_threads:
            shared = bench.drain("2 threads in 1 process", rate, 1, threads=2, backlog=args.check_messages)
            notes.append(
                f"two runner threads in ONE process (SAPA_SENDER_CONCURRENCY=2) at {rate:g}/s: "
                f"{shared.achieved:.2f} msg/s = {shared.achieved / rate:.2f}× — they share the process's lru-cached "
                "bucket (rate ÷ 2); separate processes (Lambda executions) each get their own"
            )

    print(f"## Rate limit (SAPA_WHATSAPP_RATE={rate:g}{f' and {check:g}' if check else ''})\n")
    print(table(rows))
    print()
    print(
        "- workers are separate processes running `send_outbound` under the local runner (one token bucket each, "
        "rate ÷ SAPA_SENDER_CONCURRENCY), as concurrent Lambda executions are; rate from the sandbox's receive "
        "times, from 1 s after the last worker's first send to the first worker's last send"
    )
    for p, drained in off.items():
        notes.insert(0, f"limiter off, {p} process(es): {drained.achieved:.1f} msg/s steady, peak 1-s {drained.peak}")
    for note in notes:
        print(f"- {note}")
    print(f"- {machine_line()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
