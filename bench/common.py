"""Shared benchmark harness: a local AWS, an AWS call counter, a fast customer loader, the table.

Every benchmark compares Sapa with a baseline in the same process, on the same
loopback endpoint, so the endpoint, the counting and the output format live
here once. Timings are reported, never asserted: they depend on the machine,
while the ratios and per-message call counts do not (much).
"""

from __future__ import annotations

import logging
import os
import platform
import random
import re
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python bench/x.py` as well as `python -m bench.x`
    sys.path.insert(0, str(ROOT))

REGION = "ap-southeast-3"
# What every benchmark process runs with: the local stage, no metrics I/O, quiet logs.
BASE_ENV: dict[str, str] = {
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "SAPA_STAGE": "local",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "Sapa",
    "POWERTOOLS_SERVICE_NAME": "sapa",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
}
# Never let a benchmark reach a real account through an inherited profile or session.
UNSET_ENV = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")

HEADER = ("what", "Sapa", "baseline (same run)", "ratio / value", "target", "met?")
_STARTED = time.monotonic()


# -- output ------------------------------------------------------------------------------


def progress(message: str) -> None:
    """Progress goes to stderr so stdout stays a clean markdown table."""
    print(f"[bench {time.monotonic() - _STARTED:6.1f}s] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Row:
    what: str
    sapa: str
    baseline: str
    value: str
    target: str = "—"
    met: bool | None = None

    def cells(self) -> tuple[str, ...]:
        met = "—" if self.met is None else ("yes" if self.met else "**NO**")
        return (self.what, self.sapa, self.baseline, self.value, self.target, met)


def _escape(cell: str) -> str:
    return cell.replace("|", "\\|").replace("\n", " ")


def markdown_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_escape(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def table(rows: list[Row]) -> str:
    return markdown_table(HEADER, [r.cells() for r in rows])


def split_row(line: str) -> list[str] | None:
    """The cells of a markdown table line (escaped pipes kept), or None for other lines."""
    text = line.strip()
    if not (text.startswith("|") and text.endswith("|")) or len(text) < 2:
        return None
    cells = re.split(r"(?<!\\)\|", text[1:-1])
    return [c.strip().replace("\\|", "|") for c in cells]


def is_separator(cells: list[str]) -> bool:
    return all(re.fullmatch(r":?-{3,}:?", c) for c in cells)


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "n/a"


def machine() -> dict[str, str]:
    """Where the numbers came from: they only compare within one run on one machine."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import moto

        moto_version = moto.__version__
    except ImportError:  # pragma: no cover - moto is a dev requirement
        moto_version = "?"
    return {
        "cpu": model,
        "cores": str(os.cpu_count() or "?"),
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "moto": moto_version,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load": " ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?",
    }


def machine_line() -> str:
    m = machine()
    return (
        f"Machine: {m['cpu']}, {m['cores']} cores, Python {m['python']}, {m['os']}, moto {m['moto']} "
        f"(local server, loopback only), load average {m['load']} (other work on the machine skews timings), "
        f"{m['date']}"
    )


# -- counting AWS calls ----------------------------------------------------------------------

_READ_OPS = frozenset({"Query", "Scan", "GetItem", "BatchGetItem"})


@dataclass
class CallCounts:
    """API calls by "service.Operation" and label, and DynamoDB items read by "Operation:table"."""

    calls: Counter[tuple[str, str]] = field(default_factory=Counter)  # (label, "dynamodb.Query")
    items_returned: Counter[str] = field(default_factory=Counter)  # "Query:table"
    items_scanned: Counter[str] = field(default_factory=Counter)  # Query/Scan ScannedCount, else returned

    def copy(self) -> CallCounts:
        return CallCounts(Counter(self.calls), Counter(self.items_returned), Counter(self.items_scanned))

    def __sub__(self, other: CallCounts) -> CallCounts:
        return CallCounts(
            self.calls - other.calls,
            self.items_returned - other.items_returned,
            self.items_scanned - other.items_scanned,
        )

    def ops(self, label: str | None = None) -> Counter[str]:
        """Calls per operation, for one label or all."""
        out: Counter[str] = Counter()
        for (lab, op), n in self.calls.items():
            if label is None or lab == label:
                out[op] += n
        return out

    def total(self, label: str | None = None, service: str | None = None) -> int:
        return sum(n for op, n in self.ops(label).items() if service is None or op.startswith(service + "."))

    def items_read(self, table_contains: str | None = None) -> int:
        """DynamoDB items read (scanned, i.e. what DynamoDB had to read and bill), optionally one table."""
        return sum(n for key, n in self.items_scanned.items() if table_contains is None or table_contains in key)

    def describe(self, label: str | None = None) -> str:
        return ", ".join(f"{op} {n}" for op, n in sorted(self.ops(label).items(), key=lambda kv: -kv[1]))


class CallCounter:
    """botocore event hooks on a session: every client made from it afterwards is counted.

    botocore copies the session's event emitter into each client it creates, so
    the hooks must be registered before the first client exists (see `attach`).
    Calls are labelled by the thread's current `scope` so a benchmark can tell
    the handler's own calls from the local runner's polling.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts = CallCounts()
        self._local = threading.local()

    def attach(self, events: Any) -> None:
        events.register("before-parameter-build", self._before_build, unique_id="sapa-bench-table")
        events.register("before-call", self._before_call, unique_id="sapa-bench-before-call")
        events.register("after-call", self._after_call, unique_id="sapa-bench-after-call")

    @contextmanager
    def scope(self, label: str) -> Iterator[None]:
        previous = getattr(self._local, "label", "other")
        self._local.label = label
        try:
            yield
        finally:
            self._local.label = previous

    def snapshot(self) -> CallCounts:
        with self._lock:
            return self._counts.copy()

    # -- hooks ---------------------------------------------------------------------------
    @staticmethod
    def _before_build(params: Mapping[str, Any], context: dict[str, Any], **_: Any) -> None:
        if isinstance(params, Mapping) and "TableName" in params:
            context["sapa_bench_table"] = params["TableName"]

    def _before_call(self, model: Any, **_: Any) -> None:
        key = (getattr(self._local, "label", "other"), f"{model.service_model.endpoint_prefix}.{model.name}")
        with self._lock:
            self._counts.calls[key] += 1

    def _after_call(self, model: Any, parsed: Mapping[str, Any], context: Mapping[str, Any], **_: Any) -> None:
        if model.service_model.endpoint_prefix != "dynamodb" or model.name not in _READ_OPS:
            return
        returned: dict[str, int] = {}
        scanned: dict[str, int] = {}
        table_name = str(context.get("sapa_bench_table", "?"))
        if model.name in ("Query", "Scan"):
            returned[table_name] = len(parsed.get("Items", []))
            scanned[table_name] = int(parsed.get("ScannedCount", returned[table_name]))
        elif model.name == "GetItem":
            returned[table_name] = scanned[table_name] = 1 if parsed.get("Item") else 0
        else:
            for name, items in (parsed.get("Responses") or {}).items():
                returned[name] = scanned[name] = len(items)
        with self._lock:
            for name, n in returned.items():
                self._counts.items_returned[f"{model.name}:{name}"] += n
            for name, n in scanned.items():
                self._counts.items_scanned[f"{model.name}:{name}"] += n


# -- the local AWS -----------------------------------------------------------------------------


def apply_env(extra: Mapping[str, str] | None = None) -> None:
    for name in UNSET_ENV:
        os.environ.pop(name, None)
    os.environ.update(BASE_ENV)
    os.environ.update(extra or {})


WEEKDAY_MORNING = datetime(2025, 6, 17, 3, 0, tzinfo=UTC)
"""Tuesday 10:00 WIB: every purpose's contact hours are open in every zone, whenever the benchmark runs."""


def weekday_morning_clock() -> Callable[[], datetime]:
    """Sapa's clock starts at a weekday morning and then runs: a night-time run measures sends, not deferrals."""
    origin = time.monotonic()
    return lambda: WEEKDAY_MORNING + timedelta(seconds=time.monotonic() - origin)


def install_container(aws: Any, clock: Callable[[], datetime] | None = None) -> Any:
    """Give the app a fresh container (new clients, queue URLs, rate limiter) on `aws`, as a cold start would."""
    import app
    from chalicelib.wiring.container import Container

    app.app.container = Container(aws, clock=clock or weekday_morning_clock())
    return app.app.container


def wired() -> Any:
    """The app's container: what its handlers build their collaborators from."""
    import app

    return app.app.container


class LocalAws:
    """moto in server mode in this process (with Sapa's SQS patch), bootstrapped, counted.

    with LocalAws({"SAPA_WHATSAPP_RATE": "100000"}) as local:
        local.counter.snapshot(); local.table("customers") ...
    """

    def __init__(self, extra_env: Mapping[str, str] | None = None) -> None:
        self.extra_env = dict(extra_env or {})
        self.counter = CallCounter()
        self.server: Any = None
        self.endpoint = ""

    def __enter__(self) -> LocalAws:
        from moto.server import ThreadedMotoServer

        from sapa_cli.local.aws_server import patch_moto_sqs, patch_moto_transactions

        patch_moto_sqs()
        patch_moto_transactions()
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # verbose=False still logs every request
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.server.start()
        host, port = self.server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        apply_env({"AWS_ENDPOINT_URL": self.endpoint, **self.extra_env})
        progress(f"local AWS on {self.endpoint}; bootstrapping")
        from chalicelib.core.aws import AwsClients
        from chalicelib.core.settings import Settings
        from sapa_cli.bootstrap import bootstrap

        bootstrap(Settings.from_env(), AwsClients())  # its own clients: not counted
        self.reset_clients()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def reset_clients(self, extra_env: Mapping[str, str] | None = None) -> None:
        """Apply env changes and give the app a new container whose session the counter watches."""
        from chalicelib.core.aws import AwsClients

        if extra_env:
            self.extra_env.update(extra_env)
            apply_env({"AWS_ENDPOINT_URL": self.endpoint, **self.extra_env})
        self.clients = AwsClients()
        self.counter.attach(self.clients.session.events)
        install_container(self.clients)

    @property
    def settings(self) -> Any:
        from chalicelib.core.settings import Settings

        return Settings.from_env()

    @property
    def aws(self) -> Any:
        return self.clients

    def table(self, logical: str) -> Any:
        return self.aws.table(self.settings.table_name(logical))


# -- customers -----------------------------------------------------------------------------------


@dataclass
class LoadReport:
    count: int
    seconds: float
    birthdays_by_zone: Counter[str]  # customers whose birthday falls on `birthday_on`, per zone
    kept: list[dict[str, Any]] = field(default_factory=list)  # id, name, phone, language (with keep=True)


def _uniform_birth(rng: random.Random) -> date:
    year = rng.randint(1965, 2003)
    days = 366 if year % 4 == 0 else 365
    return date(year, 1, 1) + timedelta(days=rng.randrange(days))


def synthetic_items(
    count: int,
    today: date,
    *,
    birthday_on: date | None = None,
    birthday_fraction: float | None = None,
    consents: dict[str, list[str]] | None = None,
    seed: int = 27,
) -> Iterator[tuple[dict[str, Any], date]]:
    """Validated DynamoDB items from Sapa's seed generator, with the birthday spread replaced.

    The seed generator puts 1 in 20 birthdays on "today" (a demo wants work at
    once); a benchmark wants a realistic year: birth dates uniform over the
    year (about 1/365 per day), or, with `birthday_fraction`, at least that
    fraction on `birthday_on`. Zones follow the seed's provinces (WIB/WITA/WIT).
    """
    from chalicelib.customers.model import validate_customer
    from sapa_cli.seed import synthetic_customers

    rng = random.Random(seed * 7919)
    now = datetime.now(UTC)
    for data in synthetic_customers(count, today, seed=seed):
        birth = _uniform_birth(rng)
        if birthday_on is not None and birthday_fraction and rng.random() < birthday_fraction:
            birth = date(rng.randint(1965, 2003), birthday_on.month, birthday_on.day)
        data["birth_date"] = birth.isoformat()
        if consents is not None:
            data["consents"] = consents
        if data["phone"].startswith("+6284"):  # the seed's prefixes 840-849 are not valid numbers: remap them
            data["phone"] = "+6285" + data["phone"][5:]
        yield validate_customer(data, today=today).to_item(now), birth


def load_customers(
    table: Any,
    count: int,
    today: date,
    *,
    birthday_on: date | None = None,
    birthday_fraction: float | None = None,
    consents: dict[str, list[str]] | None = None,
    keep: bool = False,
    seed: int = 27,
) -> LoadReport:
    """Write `count` synthetic customers straight into the table (BatchWriteItem, 25 a call).

    Bypasses the import service (consent ledger, audit): the benchmarks measure
    reading and sending, and the import path would triple the load time.
    """
    started = time.perf_counter()
    zones: Counter[str] = Counter()
    kept: list[dict[str, Any]] = []
    step = max(1, count // 10)
    with table.batch_writer() as batch:
        for n, (item, birth) in enumerate(
            synthetic_items(
                count,
                today,
                birthday_on=birthday_on,
                birthday_fraction=birthday_fraction,
                consents=consents,
                seed=seed,
            ),
            start=1,
        ):
            batch.put_item(Item=item)
            if birthday_on is not None and (birth.month, birth.day) == (birthday_on.month, birthday_on.day):
                zones[str(item.get("timezone"))] += 1
            if keep:
                kept.append({k: item.get(k) for k in ("id", "name", "phone", "language")})
            if n % step == 0 and count >= 1000:
                rate = n / (time.perf_counter() - started)
                progress(f"loaded {n:,}/{count:,} customers ({rate:,.0f}/s)")
    return LoadReport(count, time.perf_counter() - started, zones, kept)


def run_timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started
