"""What Lambda's event sources do, for one machine.

Polls each queue that has an `@on_sqs_message` consumer and invokes it with a
real SQS event (batch size honoured); deletes only the records that succeeded
(all of them when the handler returns normally without `batchItemFailures`,
none when it raises), leaving the rest to the queue's visibility timeout and
redrive policy exactly as Lambda would. Fires each `@schedule` on its rate or
cron expression in UTC. Given an SES event simulator (`ses_events`), plays
what SES does after it accepts a message: Send, Delivery, Bounce and Complaint
events through SNS to the `email-events` queue.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from chalice.app import Chalice, ScheduledEventConfig, SQSEventConfig

from chalicelib.core import resources
from chalicelib.core.aws import AwsClients
from chalicelib.core.settings import Settings

ACCOUNT = "123456789012"


@dataclass
class LocalLambdaContext:
    """The attributes of Lambda's context object that Sapa and Powertools read."""

    function_name: str
    timeout_seconds: int
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = ""
    _deadline: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_seconds
        self.invoked_function_arn = f"arn:aws:lambda:ap-southeast-3:{ACCOUNT}:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def sqs_event(messages: list[dict[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    """A Lambda SQS event from ReceiveMessage output, field for field."""
    records = []
    for message in messages:
        attributes = dict(message.get("Attributes") or {})
        records.append(
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": attributes,
                "messageAttributes": message.get("MessageAttributes") or {},
                "md5OfBody": message.get("MD5OfBody") or hashlib.md5(message["Body"].encode()).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
        )
    return {"Records": records}


def scheduled_event(name: str, at: datetime, region: str) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT,
        "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [f"arn:aws:events:{region}:{ACCOUNT}:rule/{name}"],
        "detail": {},
    }


# -- schedule expressions -----------------------------------------------------

_MONTHS = {m: i for i, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), start=1)}
_DAYS = {d: i for i, d in enumerate("SUN MON TUE WED THU FRI SAT".split(), start=1)}
_RATE = re.compile(r"^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$")


def _field_values(spec: str, low: int, high: int, names: dict[str, int] | None = None) -> set[int] | None:
    """Values an AWS cron field allows; None means "any"."""
    if spec in ("*", "?"):
        return None
    values: set[int] = set()
    for part in spec.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
        if part in ("*", ""):
            start, end = low, high
        elif "-" in part:
            a, b = part.split("-", 1)
            start, end = _value(a, names), _value(b, names)
        else:
            start = _value(part, names)
            end = high if step != 1 else start
        values.update(range(start, end + 1, step))
    return values


def _value(text: str, names: dict[str, int] | None) -> int:
    upper = text.upper()
    if names and upper in names:
        return names[upper]
    return int(text)


@dataclass(frozen=True)
class Schedule:
    """A parsed rate(...) or cron(...) expression that answers "due at this minute?"."""

    expression: str
    every: timedelta | None = None
    cron: tuple[set[int] | None, ...] = ()

    @classmethod
    def parse(cls, expression: str) -> Schedule:
        text = expression.strip()
        rate = _RATE.match(text)
        if rate:
            amount, unit = int(rate.group(1)), rate.group(2).rstrip("s")
            return cls(text, every=timedelta(**{f"{unit}s": amount}))
        if text.startswith("cron(") and text.endswith(")"):
            fields = text[5:-1].split()
            if len(fields) != 6:
                raise ValueError(f"cron needs 6 fields: {expression}")
            minute, hour, dom, month, dow, year = fields
            return cls(
                text,
                cron=(
                    _field_values(minute, 0, 59),
                    _field_values(hour, 0, 23),
                    _field_values(dom, 1, 31),
                    _field_values(month, 1, 12, _MONTHS),
                    _field_values(dow, 1, 7, _DAYS),
                    _field_values(year, 1970, 2199),
                ),
            )
        raise ValueError(f"unsupported schedule expression: {expression}")

    def due(self, minute: datetime, started: datetime) -> bool:
        """Is this UTC minute a firing time? Rates count from the runner's start."""
        if self.every is not None:
            elapsed = minute - started.replace(second=0, microsecond=0)
            return elapsed >= self.every and elapsed % self.every == timedelta(0)
        minutes, hours, dom, month, dow, year = self.cron
        aws_dow = (minute.isoweekday() % 7) + 1  # AWS: SUN=1 .. SAT=7
        checks = (
            (minutes, minute.minute),
            (hours, minute.hour),
            (dom, minute.day),
            (month, minute.month),
            (dow, aws_dow),
            (year, minute.year),
        )
        return all(allowed is None or value in allowed for allowed, value in checks)


def expression_of(source: ScheduledEventConfig) -> str:
    expression = source.schedule_expression
    return expression if isinstance(expression, str) else expression.to_string()


# -- the runner -------------------------------------------------------------------


class LocalRunner:
    def __init__(
        self,
        app: Chalice,
        settings: Settings,
        aws: AwsClients,
        *,
        wait_seconds: int = 1,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        log: Callable[[str], None] = print,
        email_events: Any | None = None,
    ) -> None:
        self.app = app
        self.email_events = email_events  # what SES does after it accepts a message (`ses_events`)
        self.settings = settings
        self.aws = aws
        self.wait_seconds = wait_seconds
        self.clock = clock
        self.log = log
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._queue_urls: dict[str, tuple[str, str]] = {}

    @property
    def sqs_sources(self) -> list[SQSEventConfig]:
        return [s for s in self.app.event_sources if isinstance(s, SQSEventConfig)]

    @property
    def schedules(self) -> list[ScheduledEventConfig]:
        return [s for s in self.app.event_sources if isinstance(s, ScheduledEventConfig)]

    def _queue(self, source: SQSEventConfig) -> tuple[str, str]:
        if source.name not in self._queue_urls:
            name = source.queue or ""
            url = self.aws.sqs.get_queue_url(QueueName=name)["QueueUrl"]
            arn = self.aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            self._queue_urls[source.name] = (url, arn)
        return self._queue_urls[source.name]

    def _timeout(self, name: str) -> int:
        try:
            return resources.queue_for_consumer(name).consumer_timeout
        except StopIteration:
            return 60

    def poll_once(self, source: SQSEventConfig, wait_seconds: int | None = None) -> int:
        """Receive one batch, invoke the consumer, delete what succeeded; returns records handled."""
        url, arn = self._queue(source)
        received = self.aws.sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=min(source.batch_size, 10),
            WaitTimeSeconds=self.wait_seconds if wait_seconds is None else wait_seconds,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages = received.get("Messages", [])
        if not messages:
            return 0
        event = sqs_event(messages, arn, self.aws.session.region_name or "us-east-1")
        context = LocalLambdaContext(f"sapa-{self.settings.stage}-{source.name}", self._timeout(source.name))
        failed_ids: set[str]
        try:
            result = self.app.handler_map[source.name](event, context)
        except Exception as error:  # noqa: BLE001 - Lambda's behaviour: the whole batch returns
            self.log(f"[runner] {source.name} failed the whole batch: {type(error).__name__}")
            return len(messages)
        failures = (result or {}).get("batchItemFailures", []) if isinstance(result, dict) else []
        failed_ids = {f.get("itemIdentifier") for f in failures}
        done = [m for m in messages if m["MessageId"] not in failed_ids]
        if done:
            self.aws.sqs.delete_message_batch(
                QueueUrl=url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
            )
        if failed_ids:
            self.log(f"[runner] {source.name}: {len(failed_ids)} of {len(messages)} records left for retry")
        return len(messages)

    def fire(self, source: ScheduledEventConfig, at: datetime) -> Any:
        context = LocalLambdaContext(f"sapa-{self.settings.stage}-{source.name}", 300)
        event = scheduled_event(source.name, at, self.aws.session.region_name or "us-east-1")
        return self.app.handler_map[source.name](event, context)

    # -- threads ------------------------------------------------------------------
    def _poll_loop(self, source: SQSEventConfig) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once(source)
            except Exception as error:  # noqa: BLE001 - keep polling like Lambda's poller does
                self.log(f"[runner] polling {source.name}: {type(error).__name__}: {error}")
                self._stop.wait(2)

    def _schedule_loop(self) -> None:
        started = self.clock()
        parsed = [(source, Schedule.parse(expression_of(source))) for source in self.schedules]
        last_minute = started.replace(second=0, microsecond=0)
        while not self._stop.is_set():
            now = self.clock().replace(second=0, microsecond=0)
            while last_minute < now:
                last_minute += timedelta(minutes=1)
                for source, schedule in parsed:
                    if schedule.due(last_minute, started):
                        try:
                            self.fire(source, last_minute)
                        except Exception as error:  # noqa: BLE001 - one failed run must not stop the clock
                            self.log(f"[runner] schedule {source.name}: {type(error).__name__}: {error}")
            self._stop.wait(1)

    def start(self) -> None:
        for source in self.sqs_sources:
            thread = threading.Thread(target=self._poll_loop, args=(source,), name=f"sqs-{source.name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        thread = threading.Thread(target=self._schedule_loop, name="schedules", daemon=True)
        thread.start()
        self._threads.append(thread)
        if self.email_events is not None:
            thread = threading.Thread(target=self.email_events.run, args=(self._stop,), name="ses-events", daemon=True)
            thread.start()
            self._threads.append(thread)
        names = [s.name for s in self.sqs_sources] + [s.name for s in self.schedules]
        self.log(f"[runner] serving {json.dumps(names)}")

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
