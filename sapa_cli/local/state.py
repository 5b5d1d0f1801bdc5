"""The local stack's data on disk: saved on stop (and every minute), restored on start.

moto keeps everything in memory, so without this a restart of `make run` loses
every customer, campaign and conversation. moto 5.2 has no persistence to rely
on: its recorder (`/moto-api/recorder/`) appends every request ever made, reads
included, and replays them all, receipt handles and clocks and all. So Sapa
saves its own resources through the same AWS API the app uses: every table
(a Scan), the payload bucket's objects and, on a clean stop, the messages
waiting in the queues.

The snapshot is one gzip'd JSON-lines file: a header, one line per item,
object or message, and an end line with the counts. It is written under a
temporary name, synced and renamed, so a crash mid-save keeps the previous
snapshot whole; a file without its end line is refused rather than half-read.
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chalicelib.core import resources
from chalicelib.core.aws import AwsClients
from chalicelib.core.settings import Settings

FORMAT = "sapa-local-state"
VERSION = 1
SNAPSHOT = "snapshot.jsonl.gz"
WRITE_BATCH = 25  # BatchWriteItem's limit
SEND_BATCH = 10  # SendMessageBatch's limit
# A drained message stays hidden this long (SQS's maximum), so one drain never reads it twice.
DRAIN_VISIBILITY = 12 * 3600


class StateUnreadable(RuntimeError):
    """The saved state cannot be restored; `sapa local --fresh` starts without it."""


@dataclass
class StateCounts:
    items: int = 0
    objects: int = 0
    messages: int = 0
    skipped: int = 0  # items of tables this version no longer has

    def describe(self) -> str:
        text = f"{self.items} items, {self.objects} objects, {self.messages} queued messages"
        return text + (f" ({self.skipped} items of unknown tables skipped)" if self.skipped else "")

    def as_dict(self) -> dict[str, int]:
        return {"items": self.items, "objects": self.objects, "messages": self.messages}


def _encode(value: Any) -> Any:
    """JSON for DynamoDB's binary values (B, BS) and S3 bodies."""
    if isinstance(value, bytes | bytearray):
        return {"$b64": base64.b64encode(bytes(value)).decode("ascii")}
    raise TypeError(f"cannot save a {type(value).__name__}")


def _decode(value: dict[str, Any]) -> Any:
    if len(value) == 1 and isinstance(value.get("$b64"), str):
        return base64.b64decode(value["$b64"])
    return value


def _line(record: dict[str, Any]) -> str:
    return json.dumps(record, default=_encode, separators=(",", ":")) + "\n"


class LocalState:
    """Save and restore Sapa's tables, payload objects and queued messages under one directory."""

    def __init__(
        self,
        directory: Path,
        settings: Settings,
        aws: AwsClients,
        *,
        tables: tuple[str, ...] | None = None,
        queues: tuple[str, ...] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.directory = directory
        self.settings = settings
        self.aws = aws
        self.tables = tables if tables is not None else tuple(t.logical for t in resources.TABLES)
        self.queues = (
            queues if queues is not None else tuple(n for q in resources.QUEUES for n in (q.logical, q.dlq_logical))
        )
        self.clock = clock
        self._lock = threading.Lock()

    @property
    def path(self) -> Path:
        return self.directory / SNAPSHOT

    def exists(self) -> bool:
        return self.path.exists()

    def clear(self) -> None:
        """Forget the saved state (`sapa local --fresh`)."""
        shutil.rmtree(self.directory, ignore_errors=True)

    # -- save -------------------------------------------------------------------------
    def save(self, *, queues: bool = False) -> StateCounts:
        """Write a new snapshot; `queues` also drains the waiting messages (only when nothing consumes them)."""
        with self._lock:
            self.directory.mkdir(parents=True, exist_ok=True)
            temporary = self.directory / f".{SNAPSHOT}.{os.getpid()}.{threading.get_ident()}.tmp"
            counts = StateCounts()
            try:
                with open(temporary, "wb") as raw:
                    with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1) as packed:
                        out = io.TextIOWrapper(packed, encoding="utf-8")
                        header = {"format": FORMAT, "version": VERSION, "stage": self.settings.stage}
                        out.write(_line({**header, "saved_at": self.clock().isoformat()}))
                        for record in self._records(counts, queues):
                            out.write(_line(record))
                        out.write(_line({"end": counts.as_dict()}))
                        out.flush()
                        out.detach()
                    raw.flush()
                    os.fsync(raw.fileno())
                os.replace(temporary, self.path)
            finally:
                temporary.unlink(missing_ok=True)
            return counts

    def _records(self, counts: StateCounts, queues: bool) -> Iterator[dict[str, Any]]:
        dynamodb = self.aws.dynamodb
        for logical in self.tables:
            for page in dynamodb.get_paginator("scan").paginate(TableName=self.settings.table_name(logical)):
                for item in page.get("Items", []):
                    counts.items += 1
                    yield {"table": logical, "item": item}
        s3 = self.aws.client("s3")
        bucket = self.settings.payload_bucket
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for summary in page.get("Contents", []):
                got = s3.get_object(Bucket=bucket, Key=summary["Key"])
                counts.objects += 1
                yield {
                    "object": summary["Key"],
                    "body": got["Body"].read(),
                    "content_type": got.get("ContentType") or "binary/octet-stream",
                    "metadata": got.get("Metadata") or {},
                }
        if queues:
            for logical in self.queues:
                for message in self._drain(logical):
                    counts.messages += 1
                    yield {"queue": logical, "body": message["Body"], "attributes": message.get("MessageAttributes")}

    def _drain(self, logical: str) -> Iterator[dict[str, Any]]:
        sqs = self.aws.sqs
        url = sqs.get_queue_url(QueueName=self.settings.queue_name(logical))["QueueUrl"]
        while True:
            messages = sqs.receive_message(
                QueueUrl=url,
                MaxNumberOfMessages=10,
                WaitTimeSeconds=0,
                VisibilityTimeout=DRAIN_VISIBILITY,
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            if not messages:
                return
            yield from messages

    # -- restore ----------------------------------------------------------------------
    def restore(self) -> StateCounts | None:
        """Load the snapshot into freshly bootstrapped resources; None when nothing was saved."""
        if not self.exists():
            return None
        counts = StateCounts()
        try:
            with gzip.open(self.path, "rt", encoding="utf-8") as lines:
                header = json.loads(next(lines, "null"))
                if not isinstance(header, dict) or header.get("format") != FORMAT:
                    raise StateUnreadable(f"{self.path} is not a Sapa local state file")
                if header.get("version") != VERSION:
                    raise StateUnreadable(f"{self.path} was saved by another version of Sapa")
                ended = self._load((json.loads(line, object_hook=_decode) for line in lines), counts)
        except (OSError, EOFError, ValueError) as error:
            raise StateUnreadable(f"{self.path} is damaged ({error})") from None
        if not ended:
            raise StateUnreadable(f"{self.path} is incomplete (no end line)")
        return counts

    def _load(self, records: Iterator[dict[str, Any]], counts: StateCounts) -> bool:
        items: dict[str, list[dict[str, Any]]] = {}
        messages: dict[str, list[dict[str, Any]]] = {}
        ended = False
        for record in records:
            if "end" in record:
                ended = True
            elif "table" in record:
                if record["table"] not in self.tables:
                    counts.skipped += 1
                    continue
                batch = items.setdefault(record["table"], [])
                batch.append(record["item"])
                counts.items += 1
                if len(batch) == WRITE_BATCH:
                    self._write_items(record["table"], items.pop(record["table"]))
            elif "object" in record:
                self._put_object(record)
                counts.objects += 1
            elif "queue" in record:
                batch = messages.setdefault(record["queue"], [])
                batch.append(record)
                counts.messages += 1
                if len(batch) == SEND_BATCH:
                    self._send_messages(record["queue"], messages.pop(record["queue"]))
        for logical, batch in items.items():
            self._write_items(logical, batch)
        for logical, batch in messages.items():
            self._send_messages(logical, batch)
        return ended

    def _write_items(self, logical: str, batch: list[dict[str, Any]]) -> None:
        name = self.settings.table_name(logical)
        pending: dict[str, Any] = {name: [{"PutRequest": {"Item": item}} for item in batch]}
        for attempt in range(10):
            pending = self.aws.dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            if not pending:
                return
            time.sleep(0.05 * (attempt + 1))
        raise StateUnreadable(f"could not restore {len(pending[name])} items of {name}")

    def _put_object(self, record: dict[str, Any]) -> None:
        self.aws.client("s3").put_object(
            Bucket=self.settings.payload_bucket,
            Key=record["object"],
            Body=record["body"],
            ContentType=record["content_type"],
            Metadata=record["metadata"],
        )

    def _send_messages(self, logical: str, batch: list[dict[str, Any]]) -> None:
        sqs = self.aws.sqs
        url = sqs.get_queue_url(QueueName=self.settings.queue_name(logical))["QueueUrl"]
        entries = []
        for n, record in enumerate(batch):
            entry: dict[str, Any] = {"Id": str(n), "MessageBody": record["body"]}
            if record.get("attributes"):
                entry["MessageAttributes"] = record["attributes"]
            entries.append(entry)
        failed = sqs.send_message_batch(QueueUrl=url, Entries=entries).get("Failed") or []
        if failed:
            raise StateUnreadable(f"could not restore {len(failed)} messages of {logical}: {failed[0].get('Message')}")


class PeriodicSave:
    """Saves the tables and objects every `every` seconds, so a crash of the stack loses little."""

    def __init__(self, state: LocalState, every: float, log: Callable[[str], None] = print) -> None:
        self.state = state
        self.every = every
        self.log = log
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.state.save()
            except Exception as error:  # noqa: BLE001 - the next round tries again; the stop saves anyway
                self.log(f"[sapa] saving the local state failed: {type(error).__name__}: {error}")

    def start(self) -> None:
        if self.every > 0:
            self._thread = threading.Thread(target=self._loop, name="state-save", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
