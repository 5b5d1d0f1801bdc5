"""Fan a campaign out to N customers on the local AWS endpoint, next to a bare SendMessageBatch loop.

    python bench/campaign_fanout.py [--sizes 10000,100000 | --customers 100000] [--workers N] [--channel whatsapp]

One run, one machine, one moto server started in this process with Sapa's
SQS and transaction patches, as `sapa local` starts it
(`patch_moto_transactions`: moto copies the whole table per transaction item,
which the dispatcher's batched log writes make fatal):

1. a bare loop in a subprocess sends N envelope-sized bodies with
   SendMessageBatch, 10 a call, to a scratch queue: the floor a fan-out that
   only enqueued could reach;
2. for each size, ascending, the customers table is topped up to that size
   (96% consented, 2% without promotions consent, 1% suppressed, 1% already
   at the frequency cap), a campaign for everyone is created and started
   with Sapa's own code, and worker subprocesses play Lambda, one per
   fan-out segment (`--workers` caps them): they poll the fan-out queue and
   hand each record to the real consumer
   (`chalicelib.campaigns.consumers.handle_batch`) with a 120 s Lambda
   context, as the event source mapping would. Their pollers use a separate
   client; only calls made by Sapa's code are counted (botocore
   `before-call` hooks on Sapa's session);
3. each worker reports its peak RSS (VmHWM, i.e. maxrss since exec), the
   memory a fan-out Lambda needs: it must not grow with the audience.

The clock is pinned to Tuesday 10:00 WIB (OJK's offer hours would otherwise turn a late
run into deferrals) and the channel's pacing is lifted (`SAPA_WHATSAPP_RATE`,
`SAPA_SES_RATE`): this measures the fan-out's own cost, not the configured
send rate. Timings are printed, never asserted.

How long it takes (2 vCPUs shared with other work, moto 5.2.5): the
default sizes run for about 13 minutes (10,000: ~35 s of fan-out; 100,000:
~10 min, with loading ~70 s and the bare loop ~40 s); `--sizes 2000,10000`
about 1.5 minutes. On moto the fan-out is bound by the server, and most of it
is moto's Scan (every page call sorts and walks the whole table and
serialises each item through botocore's shape model): see the per-operation
table printed at the end.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from bench.common import install_container, wired  # noqa: E402

NOW = datetime(2025, 6, 17, 3, 0, tzinfo=UTC)  # Tuesday 10:00 WIB: inside the offer window
STAGE = "bench"
REGION = "ap-southeast-3"
BARE_QUEUE = "bare"
WORKER_TIMEOUT_SECONDS = 120  # the fan-out consumer's Lambda timeout (chalicelib.core.resources)


SUMMARY_HEADER = ("what", "Sapa", "baseline (same run)", "ratio / value", "target", "met?")
"""The columns `bench.run_all` merges into its combined table."""
TARGET_RATIO = 0.7
TARGET_SQS_CALLS = 0.1
FLAT_RSS = 1.10  # "flat": the larger audience's peak within 10% of the smaller's


def _progress(message: str) -> None:
    """Progress on stderr, so stdout stays the markdown result."""
    print(f"[campaign_fanout] {message}", file=sys.stderr, flush=True)


# -- environment ----------------------------------------------------------------------------


def _base_env(endpoint: str) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        env.pop(name, None)
    env.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "SAPA_STAGE": STAGE,
            "SAPA_SIGNING_SECRET": "bench-signing-secret",
            "SAPA_HASH_SALT": "bench-hash-salt",
            "SAPA_WHATSAPP_RATE": "1e9",
            "SAPA_SES_RATE": "1e9",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_NAMESPACE": "Sapa",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


class CallCounter:
    """Counts and times AWS calls per operation through botocore's before-call/after-call hooks."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = defaultdict(int)
        self.seconds: dict[str, float] = defaultdict(float)
        self._started: dict[str, float] = {}

    def attach(self, events: Any) -> None:
        events.register("before-call.*.*", self._before)
        events.register("after-call.*.*", self._after)

    @staticmethod
    def _operation(event_name: str) -> str:
        _, service, operation = event_name.split(".", 2)
        return f"{service}.{operation}"

    def _before(self, event_name: str, **_: Any) -> None:
        operation = self._operation(event_name)
        self.calls[operation] += 1
        self._started[operation] = time.perf_counter()

    def _after(self, event_name: str, **_: Any) -> None:
        operation = self._operation(event_name)
        started = self._started.pop(operation, None)
        if started is not None:
            self.seconds[operation] += time.perf_counter() - started


def _peak_rss_mb() -> float:
    """This process's peak resident memory since exec, in MB.

    VmHWM rather than getrusage's ru_maxrss: ru_maxrss survives exec, so a
    worker forked from the orchestrator (whose moto server holds the whole
    dataset) would report the orchestrator's size, not its own.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


# -- moto ---------------------------------------------------------------------------------------


# -- roles run in subprocesses -----------------------------------------------------------------


def role_bare(count: int, result_path: str) -> None:
    """The floor: SendMessageBatch of `count` envelope-sized bodies, 10 a call, nothing else."""
    import boto3

    client = boto3.session.Session().client("sqs")
    counter = CallCounter()
    counter.attach(client.meta.events)
    url = client.get_queue_url(QueueName=f"sapa-{STAGE}-{BARE_QUEUE}")["QueueUrl"]
    body = _sample_body()
    started = time.perf_counter()
    for start in range(0, count, 10):
        entries = [{"Id": str(i), "MessageBody": body} for i in range(min(10, count - start))]
        client.send_message_batch(QueueUrl=url, Entries=entries)
    seconds = time.perf_counter() - started
    calls = counter.calls["sqs.SendMessageBatch"]
    Path(result_path).write_text(json.dumps({"seconds": seconds, "messages": count, "calls": calls}))


def role_worker(campaign_id: str, result_path: str, ready_path: str) -> None:
    """One "Lambda": poll the fan-out queue, run Sapa's consumer on each record, until the campaign is out."""
    import boto3

    from chalicelib.campaigns import consumers
    from chalicelib.campaigns.store import CampaignStore
    from chalicelib.core.aws import AwsClients
    from sapa_cli.local.runner import LocalLambdaContext, sqs_event

    counter = CallCounter()
    clients = AwsClients()
    counter.attach(clients.session.events)  # before any client exists: Sapa's clients inherit the hooks
    container = install_container(clients, clock=lambda: NOW)
    poller = boto3.session.Session().client("sqs")
    url = poller.get_queue_url(QueueName=f"sapa-{STAGE}-fanout")["QueueUrl"]
    arn = poller.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    handlers = container.fanout_jobs()
    container.campaigns.store().get(campaign_id)  # warm Sapa's clients before the clock starts
    # The poll loop's own "is it finished?" checks are the bench's, not the fan-out's: a separate session.
    watcher = CampaignStore(boto3.session.Session().resource("dynamodb").Table(f"sapa-{STAGE}-campaigns"))
    baseline = _peak_rss_mb()
    Path(ready_path).write_text("ready")

    jobs = 0
    first_job = last_job = None
    while True:
        received = poller.receive_message(
            QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=1, AttributeNames=["All"]
        )
        messages = received.get("Messages", [])
        if not messages:
            status = watcher.status(campaign_id)
            if status != "sending" or all(s.get("done") for s in watcher.segments(campaign_id)):
                break
            continue
        first_job = first_job or time.time()
        context = LocalLambdaContext(f"sapa-{STAGE}-fan_out_audience", WORKER_TIMEOUT_SECONDS)
        result = consumers.handle_batch(sqs_event(messages, arn, REGION), context, handlers)
        if not result.get("batchItemFailures"):
            poller.delete_message(QueueUrl=url, ReceiptHandle=messages[0]["ReceiptHandle"])
        jobs += 1
        last_job = time.time()
    Path(result_path).write_text(
        json.dumps(
            {
                "jobs": jobs,
                "first_job": first_job,
                "last_job": last_job,
                "baseline_rss_mb": baseline,
                "peak_rss_mb": _peak_rss_mb(),
                "calls": dict(counter.calls),
                "seconds": dict(counter.seconds),
            }
        )
    )


def _sample_body() -> str:
    """An envelope like the fan-out's, so both loops move the same bytes."""
    from chalicelib.outbound.envelope import Envelope

    text = "Halo Budi, terima kasih sudah mempercayakan Toyota Avanza kepada kami. Promo DP ringan bulan ini!"
    return Envelope(
        message_id="msg_" + "0" * 32,
        channel="whatsapp",
        purpose="promotion",
        occasion="campaign",
        occasion_ref="cmp_" + "0" * 20,
        text=text,
        customer_id="cus_" + "0" * 26,
        whatsapp_template={"name": "promo_teks", "language": "id", "params": [text]},
        campaign_id="cmp_" + "0" * 20,
    ).to_json()


# -- the orchestrator -------------------------------------------------------------------------


def _subprocess(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, str(Path(__file__).resolve()), *args], env=env)


def _load_customers(start: int, stop: int) -> None:
    """Customers start..stop-1, written with batch_writer; every 50th without promotions consent,
    one in a hundred suppressed and one in a hundred already at the frequency cap."""
    from chalicelib.campaigns.store import LEDGER_PREFIX, LEDGER_SK
    from chalicelib.core.aws import default
    from chalicelib.core.settings import Settings
    from chalicelib.customers.model import customer_id_for, validate_customer
    from chalicelib.customers.suppression import contact_hash

    settings = Settings.from_env()
    aws = default()
    template = validate_customer(
        {
            "external_id": "BENCH-0",
            "name": "Budi Santoso",
            "phone": "081200000000",
            "email": "budi@contoh.co.id",
            "birth_date": "1985-03-10",
            "province": "DKI Jakarta",
            "city": "Jakarta",
            "attributes": {"vehicle_brand": "Toyota", "vehicle_model": "Avanza", "contract_start": "2021-03-10"},
            "consents": {"whatsapp": ["greetings", "promotions"], "email": ["promotions"]},
        }
    ).to_item(NOW)
    salt = settings.secret("SAPA_HASH_SALT")
    recent = [int((NOW - timedelta(days=d)).timestamp()) for d in (1, 2)]
    customers = aws.table(settings.table_name("customers"))
    consent = aws.table(settings.table_name("consent"))
    campaigns = aws.table(settings.table_name("campaigns"))
    with (
        customers.batch_writer() as people,
        consent.batch_writer() as suppressions,
        campaigns.batch_writer() as ledgers,
    ):
        for n in range(start, stop):
            external_id = f"BENCH-{n}"
            customer_id = customer_id_for(external_id)
            phone = f"+628{1_100_000_000 + n}"
            item = {**template, "id": customer_id, "external_id": external_id, "phone": phone}
            item["name"] = f"Budi Santoso {n}"
            item["email"] = f"budi{n}@contoh.co.id"
            if n % 50 == 0:
                item["consents"] = {"whatsapp": ["greetings"], "email": []}
            people.put_item(Item=item)
            if n % 100 == 1:
                key = f"suppressed#{contact_hash(salt, 'phone', phone)}"
                suppressions.put_item(Item={"pk": key, "sk": "phone", "reason": "bench", "at": NOW.isoformat()})
            if n % 100 == 2:
                ledger = {"pk": f"freq#{customer_id}", "sk": LEDGER_SK, "version": 2}
                ledger.update({f"{LEDGER_PREFIX}cmp_earlier{i}": at for i, at in enumerate(recent)})
                ledgers.put_item(Item=ledger)


def _start_campaign(size: int, channel: str) -> str:
    from chalicelib.campaigns.lifecycle import Actor

    container = wired()
    container.clock = lambda: NOW
    deps = container.campaigns
    template: Any = (
        {
            "body": "Halo {{ customer.first_name }}, promo DP ringan untuk {{ customer.vehicle_model }} Anda!\n"
            "Berhenti menerima promo: {{ unsubscribe_url }}"
        }
        if channel == "email"
        else "promo_dp_ringan"
    )
    if channel == "email":
        template["subject"] = "Promo untuk {{ customer.first_name }}"
    created = deps.service().create(
        {"name": f"Bench {size}", "channel": channel, "template": template, "segment": {}}, Actor("bench")
    )
    return str(created["id"])


def _run_size(size: int, max_workers: int, channel: str, env: dict[str, str], tmp: Path) -> dict[str, Any]:
    from chalicelib.campaigns.fanout import segment_count
    from chalicelib.campaigns.lifecycle import Actor
    from chalicelib.campaigns.model import counts

    deps = wired().campaigns
    campaign_id = _start_campaign(size, channel)
    logged_before, queued_before = _message_log_size(), _outbound_backlog()
    segments = segment_count(deps.estimate_customers(), deps.fanout_config())  # what the start will choose
    workers = min(segments, max_workers) if max_workers else segments
    procs, results, readies = [], [], []
    for index in range(workers):
        result, ready = tmp / f"worker-{size}-{index}.json", tmp / f"ready-{size}-{index}"
        procs.append(
            _subprocess(
                env, "--role", "worker", "--campaign", campaign_id, "--result", str(result), "--ready", str(ready)
            )
        )
        results.append(result)
        readies.append(ready)
    while not all(r.exists() for r in readies):
        time.sleep(0.1)
    started = time.time()
    deps.lifecycle().start(campaign_id, Actor("bench"))
    for proc in procs:
        if proc.wait() != 0:
            raise RuntimeError("a fan-out worker failed")
    reports = [json.loads(r.read_text()) for r in results]
    finished = max(r["last_job"] or started for r in reports)
    store = deps.store()
    item = store.get(campaign_id, consistent=True) or {}
    figures = counts(item, store.segments(campaign_id))
    calls: dict[str, int] = defaultdict(int)
    seconds: dict[str, float] = defaultdict(float)
    for report in reports:
        for operation, count in report["calls"].items():
            calls[operation] += count
        for operation, spent in report["seconds"].items():
            seconds[operation] += spent
    return {
        "size": size,
        "status": item.get("status"),
        "segments": int(item.get("segments_total") or 0),
        "seconds": finished - started,
        "figures": figures,
        "calls": dict(calls),
        "op_seconds": dict(seconds),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in reports),
        "baseline_rss_mb": min(r["baseline_rss_mb"] for r in reports),
        "jobs": sum(r["jobs"] for r in reports),
        "workers": workers,
        # Independent of Sapa's own counters: what landed in the message log and on the outbound queue.
        "log_records": _message_log_size() - logged_before,
        "outbound_messages": _outbound_backlog() - queued_before,
    }


def _message_log_size() -> int:
    from chalicelib.core.aws import default
    from chalicelib.core.settings import Settings

    described = default().dynamodb.describe_table(TableName=Settings.from_env().table_name("messages"))
    return int(described["Table"]["ItemCount"])


def _outbound_backlog() -> int:
    container = wired()
    attributes = container.aws.sqs.get_queue_attributes(
        QueueUrl=container.queue_url("outbound"), AttributeNames=["ApproximateNumberOfMessages"]
    )
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def _bare(size: int, env: dict[str, str], tmp: Path) -> dict[str, Any]:
    result = tmp / f"bare-{size}.json"
    if _subprocess(env, "--role", "bare", "--count", str(size), "--result", str(result)).wait() != 0:
        raise RuntimeError("the bare loop failed")
    return json.loads(result.read_text())


def orchestrate(sizes: list[int], workers: int, channel: str) -> None:
    from moto.server import ThreadedMotoServer

    from sapa_cli.local.aws_server import patch_moto_sqs, patch_moto_transactions

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one access line per request would dominate the output
    patch_moto_sqs()
    patch_moto_transactions()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = _base_env(f"http://{host}:{port}")
    os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})

    from chalicelib.core.aws import default
    from chalicelib.core.settings import Settings
    from sapa_cli.bootstrap import bootstrap

    bootstrap(Settings.from_env(), default())
    default().sqs.create_queue(QueueName=f"sapa-{STAGE}-{BARE_QUEUE}")
    shown = workers or "one per segment"
    _progress(f"moto on {host}:{port}; sizes {sizes}; fan-out workers: {shown}; channel {channel}")

    rows = []
    loaded = 0
    with tempfile.TemporaryDirectory() as directory:
        tmp = Path(directory)
        for size in sizes:
            started = time.perf_counter()
            _load_customers(loaded, size)
            loaded = size
            _progress(f"loaded {size} customers in {time.perf_counter() - started:.0f} s")
            bare = _bare(size, env, tmp)
            _progress(f"bare loop: {size} messages in {bare['seconds']:.1f} s")
            run = _run_size(size, workers, channel, env, tmp)
            _progress(f"fan-out: {size} customers in {run['seconds']:.1f} s ({run['status']})")
            rows.append((bare, run))
    server.stop()
    print("## Campaign fan-out")
    print()
    print(_summary(rows))
    print()
    print(_table(rows))


def _summary(rows: list[tuple[dict[str, Any], dict[str, Any]]]) -> str:
    """The targets of the issue, one row each, in the shared benchmark columns."""
    lines = ["| " + " | ".join(SUMMARY_HEADER) + " |", "|" + "|".join("---" for _ in SUMMARY_HEADER) + "|"]

    def row(*cells: str) -> None:
        lines.append("| " + " | ".join(cells) + " |")

    for bare, run in rows:
        rate = run["figures"]["queued"] / run["seconds"]
        bare_rate = bare["messages"] / bare["seconds"]
        ratio = rate / bare_rate
        row(
            f"campaign fan-out rate, {run['size']:,} customers (segments: {run['segments']})",
            f"{rate:,.0f} msg/s",
            f"{bare_rate:,.0f} msg/s (bare SendMessageBatch loop)",
            f"{ratio:.2f}x",
            f">= {TARGET_RATIO}x",
            "yes" if ratio >= TARGET_RATIO else "no",
        )
    for _, run in rows:
        sqs = sum(c for op, c in run["calls"].items() if op.startswith("sqs.")) / max(1, run["figures"]["targeted"])
        row(
            f"campaign fan-out SQS calls per recipient, {run['size']:,} customers",
            f"{sqs:.3f}",
            "0.1 (10 per SendMessageBatch)",
            f"{sqs:.3f}",
            f"<= {TARGET_SQS_CALLS}",
            "yes" if sqs <= TARGET_SQS_CALLS else "no",
        )
    if len(rows) > 1:
        (_, small), (_, large) = rows[0], rows[-1]
        growth = large["peak_rss_mb"] / small["peak_rss_mb"]
        row(
            f"campaign fan-out worker peak RSS, {small['size']:,} -> {large['size']:,} customers",
            f"{small['peak_rss_mb']:.0f} MB -> {large['peak_rss_mb']:.0f} MB",
            f"{small['baseline_rss_mb']:.0f} MB (idle worker)",
            f"{growth:.2f}x",
            "flat",
            "yes" if growth <= FLAT_RSS else "no",
        )
    return "\n".join(lines)


def _table(rows: list[tuple[dict[str, Any], dict[str, Any]]]) -> str:
    lines = [
        "| customers | segments / workers | queued | skipped | fan-out s | fan-out msg/s | bare loop msg/s "
        "| fan-out / bare | SQS calls / recipient | DynamoDB calls / recipient | worker peak RSS MB (idle) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for bare, run in rows:
        figures = run["figures"]
        skipped = sum(figures["skipped"].values())
        rate = figures["queued"] / run["seconds"]
        bare_rate = bare["messages"] / bare["seconds"]
        sqs = sum(c for op, c in run["calls"].items() if op.startswith("sqs."))
        dynamodb = sum(c for op, c in run["calls"].items() if op.startswith("dynamodb."))
        targeted = max(1, figures["targeted"])
        lines.append(
            f"| {run['size']:,} | {run['segments']} / {run['workers']} | {figures['queued']:,} | {skipped:,} "
            f"| {run['seconds']:.1f} | {rate:,.0f} | {bare_rate:,.0f} | {rate / bare_rate:.2f}x "
            f"| {sqs / targeted:.3f} | {dynamodb / targeted:.2f} "
            f"| {run['peak_rss_mb']:.0f} ({run['baseline_rss_mb']:.0f}) |"
        )
    _, largest = rows[-1]
    targeted = max(1, largest["figures"]["targeted"])
    lines += [""]
    for _, run in rows:
        lines.append(
            f"- {run['size']:,} customers: {run['log_records']:,} message-log records and "
            f"{run['outbound_messages']:,} outbound SQS messages appeared for {run['figures']['queued']:,} "
            f"counted as queued (each customer once); campaign ended {run['status']}, {run['jobs']} fan-out jobs"
        )
    lines += [
        "",
        f"Calls made by Sapa's fan-out code for {largest['size']:,} customers (client-observed time):",
        "",
        "| operation | calls | per recipient | mean ms | share of call time |",
        "|---|---:|---:|---:|---:|",
    ]
    total = sum(largest["op_seconds"].values()) or 1.0
    for operation, count in sorted(largest["calls"].items(), key=lambda kv: -largest["op_seconds"].get(kv[0], 0)):
        spent = largest["op_seconds"].get(operation, 0.0)
        lines.append(
            f"| {operation} | {count:,} | {count / targeted:.3f} | {1000 * spent / max(1, count):.1f} "
            f"| {100 * spent / total:.0f}% |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated audience sizes, ascending")
    parser.add_argument("--customers", type=int, help="shorthand for --sizes N/10,N")
    parser.add_argument(
        "--workers", type=int, default=0, help="cap on concurrent fan-out 'Lambdas' (default: one per segment)"
    )
    parser.add_argument("--channel", choices=("whatsapp", "email"), default="whatsapp")
    parser.add_argument("--role", choices=("bare", "worker"), help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--campaign", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    parser.add_argument("--ready", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.role == "bare":
        role_bare(args.count, args.result)
        return 0
    if args.role == "worker":
        role_worker(args.campaign, args.result, args.ready)
        return 0
    sizes = [args.customers // 10, args.customers] if args.customers else [int(s) for s in args.sizes.split(",")]
    orchestrate(sorted(sizes), args.workers, args.channel)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
