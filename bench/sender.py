"""The outbound sender's cost per message: AWS calls and provider calls, against a bare send loop.

    .venv/bin/python -m bench.sender [--messages 2000]

Queues N birthday greetings (WhatsApp template) to consenting customers with
Sapa's dispatcher, then drains the outbound queue through the real
`send_outbound` handler with the local runner (what Lambda's SQS poller does)
and the WhatsApp sandbox as the provider. AWS calls are counted with botocore
hooks and attributed: the handler's own calls (consent read, claim, mark sent)
versus the runner's ReceiveMessage/DeleteMessageBatch, which Lambda's event
source mapping makes and bills to nobody's handler. The baseline, in the same
run against the same queue and sandbox, is a bare loop: receive, POST with the
same WhatsApp client, delete; no consent check, no idempotency, no log.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass
from typing import Any

from bench.common import CallCounter, CallCounts, LocalAws, Row, load_customers, machine_line, progress, table, wired

BENCH_TOKEN = "bench-token"
TARGET_CALLS_PER_MESSAGE = 3.0
CONSENTS = {"whatsapp": ["greetings"]}
RUNNER_OPS = frozenset({"sqs.ReceiveMessage", "sqs.DeleteMessageBatch", "sqs.GetQueueUrl", "sqs.GetQueueAttributes"})


def sender_env(graph_url: str, rate: float, concurrency: int | None = None) -> dict[str, str]:
    env = {
        "WHATSAPP_GRAPH_URL": graph_url,
        "WHATSAPP_ACCESS_TOKEN": BENCH_TOKEN,
        "SAPA_WHATSAPP_RATE": str(rate),
    }
    if concurrency is not None:
        env["SAPA_SENDER_CONCURRENCY"] = str(concurrency)
    return env


def greeting_envelopes(customers: list[dict[str, Any]], occasion_ref: str, *, recipient: bool = False) -> list[Any]:
    """One birthday template per customer, as the greeting run would queue it."""
    from chalicelib.outbound.envelope import Envelope
    from chalicelib.outbound.message_log import message_id

    envelopes = []
    for customer in customers:
        first = str(customer["name"]).split()[0]
        envelopes.append(
            Envelope(
                message_id=message_id(customer["id"], "birthday", occasion_ref, "whatsapp"),
                customer_id=customer["id"],
                channel="whatsapp",
                purpose="greeting",
                occasion="birthday",
                occasion_ref=occasion_ref,
                language=str(customer.get("language") or "id"),
                text=f"Selamat ulang tahun, {first}!",
                whatsapp_template={"name": "sapa_ulang_tahun", "language": "id", "params": [first]},
                recipient=customer["phone"] if recipient else None,
            )
        )
    return envelopes


def queue_greetings(customers: list[dict[str, Any]], occasion_ref: str) -> int:
    """Through Sapa's dispatcher: a `queued` log record each, then SendMessageBatch."""
    from chalicelib.outbound import deps

    report = deps.dispatcher().dispatch(greeting_envelopes(customers, occasion_ref))
    return report.queued


def outbound_source(runner: Any) -> Any:
    return next(s for s in runner.sqs_sources if s.name == "send_outbound")


@contextmanager
def quiet_stdout() -> Iterator[None]:
    """Powertools 3.37 prints EMF every 100 values even with POWERTOOLS_METRICS_DISABLED: keep stdout clean."""
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    with open(os.devnull, "w") as devnull, redirect_stdout(devnull):
        yield


@contextmanager
def counted_handler(app: Any, counter: CallCounter, name: str = "send_outbound") -> Iterator[None]:
    """Label every AWS call made inside the handler as "handler" (the runner's stay "runner")."""
    handler = app.handler_map[name]

    def wrapped(event: Any, context: Any) -> Any:
        with counter.scope("handler"):
            return handler(event, context)

    app.handler_map[name] = wrapped
    try:
        yield
    finally:
        app.handler_map[name] = handler


def drain(
    poll: Callable[[], int], expected: int = 0, idle_polls: int = 5, idle_sleep: float = 0.05, patience: float = 30.0
) -> int:
    """Poll until `expected` records were handled and the queue then answers empty `idle_polls` times.

    Short of `expected`, empty answers are waited out for up to `patience` seconds (records in flight
    elsewhere or deferred by a retry come back), so a lost record cannot hang the benchmark.
    """
    handled = idle = 0
    idle_since = time.monotonic()
    while True:
        n = poll()
        if n:
            handled += n
            idle = 0
            idle_since = time.monotonic()
            continue
        idle += 1
        if idle >= idle_polls and (handled >= expected or time.monotonic() - idle_since > patience):
            return handled
        time.sleep(idle_sleep)


@dataclass
class DrainResult:
    seconds: float
    handled: int
    delivered: int  # accepted by the provider (the sandbox)
    distinct: int  # distinct message ids the provider saw
    counts: CallCounts
    outcomes: Counter[str]


def run_sapa(local: LocalAws, sandbox: Any, customers: list[dict[str, Any]], occasion_ref: str) -> DrainResult:
    import app as sapa_app
    from sapa_cli.local.runner import LocalRunner

    queued = queue_greetings(customers, occasion_ref)
    progress(f"Sapa: {queued} greetings queued; draining through send_outbound")
    outcomes: Counter[str] = Counter()
    wired().outbound.extra_observers.append(lambda _envelope, outcome: outcomes.update([outcome.status]))
    runner = LocalRunner(sapa_app.app, local.settings, local.aws, wait_seconds=0, log=progress)
    source = outbound_source(runner)
    sandbox.clear()
    before = local.counter.snapshot()
    started = time.perf_counter()
    with quiet_stdout(), counted_handler(sapa_app.app, local.counter), local.counter.scope("runner"):
        handled = drain(lambda: runner.poll_once(source, wait_seconds=0), queued)
    seconds = time.perf_counter() - started
    counts = local.counter.snapshot() - before
    sent = sandbox.messages()
    distinct = len({m["payload"].get("biz_opaque_callback_data") for m in sent})
    return DrainResult(seconds, handled, len(sent), distinct, counts, outcomes)


def run_bare(local: LocalAws, sandbox: Any, customers: list[dict[str, Any]], occasion_ref: str) -> DrainResult:
    """The floor: the same queue and provider client, nothing else."""
    from chalicelib.outbound.delivery import provider_message
    from chalicelib.outbound.dispatch import OutboundQueue
    from chalicelib.outbound.envelope import Envelope

    url = wired().queue_url("outbound")
    sqs = local.aws.sqs
    envelopes = greeting_envelopes(customers, occasion_ref, recipient=True)
    OutboundQueue(sqs, lambda: url).send(envelopes)
    progress(f"baseline: {len(envelopes)} envelopes queued; draining with a bare receive-send-delete loop")
    client = wired().outbound.whatsapp_sender()  # one client (connection pool) for the whole drain
    outcomes: Counter[str] = Counter()

    def poll() -> int:
        with local.counter.scope("runner"):
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        if not messages:
            return 0
        with local.counter.scope("handler"):
            for message in messages:
                envelope = Envelope.from_json(message["Body"])
                client.send(provider_message(envelope, str(envelope.recipient)))
                outcomes["sent"] += 1
        with local.counter.scope("runner"):
            sqs.delete_message_batch(
                QueueUrl=url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
            )
        return len(messages)

    sandbox.clear()
    before = local.counter.snapshot()
    started = time.perf_counter()
    handled = drain(poll, len(envelopes))
    seconds = time.perf_counter() - started
    counts = local.counter.snapshot() - before
    sent = sandbox.messages()
    distinct = len({m["payload"].get("biz_opaque_callback_data") for m in sent})
    return DrainResult(seconds, handled, len(sent), distinct, counts, outcomes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args(argv)
    n: int = args.messages

    from sapa_cli.local.whatsapp_sandbox import WhatsAppSandbox

    with WhatsAppSandbox(BENCH_TOKEN) as sandbox, LocalAws(sender_env(sandbox.base_url, 100_000)) as local:
        from datetime import date

        progress(f"loading {n:,} customers who consented to WhatsApp greetings")
        loaded = load_customers(local.table("customers"), n, date(2027, 6, 15), consents=CONSENTS, keep=True)
        sapa = run_sapa(local, sandbox, loaded.kept, "2027-06-15")
        progress(f"Sapa: {sapa.delivered} delivered in {sapa.seconds:.1f}s; {sapa.counts.describe()}")
        bare = run_bare(local, sandbox, loaded.kept, "2027-06-16")
        progress(f"baseline: {bare.delivered} delivered in {bare.seconds:.1f}s; {bare.counts.describe()}")

    delivered = max(1, sapa.delivered)
    handler_calls = sapa.counts.total("handler")
    runner_calls = sapa.counts.total("runner")
    foreign = {op: c for op, c in sapa.counts.ops("runner").items() if op not in RUNNER_OPS}
    per_message = handler_calls / delivered
    provider_per_message = sapa.delivered / n
    sapa_rate = sapa.delivered / sapa.seconds
    bare_rate = bare.delivered / bare.seconds
    rows = [
        Row(
            f"sender, {n:,} WhatsApp greetings: AWS calls per delivered message (handler only)",
            f"{per_message:.2f} ({handler_calls} calls / {sapa.delivered})",
            f"{bare.counts.total('handler') / max(1, bare.delivered):.2f} (bare loop: no consent, no idempotency)",
            f"{per_message:.2f}",
            f"≤ {TARGET_CALLS_PER_MESSAGE:g}",
            per_message <= TARGET_CALLS_PER_MESSAGE and sapa.delivered == n,
        ),
        Row(
            f"sender, {n:,}: runner's own SQS calls per message (Receive + DeleteBatch; not in the row above)",
            f"{runner_calls / delivered:.2f}",
            f"{bare.counts.total('runner') / max(1, bare.delivered):.2f}",
            f"{runner_calls / delivered:.2f}",
        ),
        Row(
            f"sender, {n:,}: provider calls per message",
            f"{provider_per_message:.3f} ({sapa.delivered} accepted, {sapa.distinct} distinct, {n} queued)",
            f"{bare.delivered / n:.3f}",
            f"{provider_per_message:.3f}",
            "= 1",
            sapa.delivered == n and sapa.distinct == n,
        ),
        Row(
            f"sender, {n:,}: throughput, one worker, limiter off",
            f"{sapa_rate:,.0f} msg/s",
            f"{bare_rate:,.0f} msg/s",
            f"{sapa_rate / bare_rate:.2f}×",
        ),
    ]
    print(f"## Sender ({n:,} messages)\n")
    print(table(rows))
    print()
    print(f"- handler calls: {sapa.counts.describe('handler')}")
    print(f"- runner calls (Lambda's event source mapping in AWS): {sapa.counts.describe('runner')}")
    if foreign:
        print(f"- WARNING: unexpected calls outside the handler: {foreign}")
    print(f"- outcomes: {dict(sapa.outcomes)}; records handled {sapa.handled} (baseline {bare.handled})")
    print(f"- DynamoDB items read by the handler: {dict(sapa.counts.items_scanned)}")
    print(f"- {machine_line()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
