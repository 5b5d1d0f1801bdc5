"""Import jobs: a large customer CSV imported in chunks, behind the API, with progress and the rejected rows.

Why chunks on the fan-out queue. The API answers within API Gateway's 30 s, and
a 10 MB file is some 50,000 rows of transactions. So `start` only checks the
file (UTF-8, the header, readable quoting, and counts the rows: a second or
so), stores it in the payloads bucket and puts the first chunk on the fan-out
queue, whose consumer already routes job kinds to their context
(`Container.fanout_jobs`), runs one record at a time with two minutes each,
and sends a failing record to its dead-letter queue. A chunk imports
`CHUNK_ROWS` rows from the byte offset the previous chunk stopped at, then
queues the next one: a self-continuing job, no new function or queue.

Idempotent per chunk. The job item records the next chunk to run; a chunk's
counts, its next offset and the step to the following chunk are one
UpdateItem conditioned on that number, so a chunk SQS delivers twice (or
retries after a crash) adds its counts once. Writing the customers again is
harmless: the import is an upsert and an identical row is `unchanged`. The
consent rules are the bulk import's (`CustomerService.import_chunk`): a
withdrawal is never undone by a file.

The stored CSV is deleted when the job ends; the rejected rows (the cells as
typed, for staff to fix) stay beside it until the bucket's rule expires them
(three days), like the job item's TTL. The job item itself holds counts only.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.customers.csv_rows import (
    EXTRA,
    InvalidCsv,
    normalize_header,
    read_csv_rows,
    row_to_customer_data,
    spreadsheet_safe,
)
from chalicelib.customers.model import InvalidCustomer
from chalicelib.customers.service import Actor, CustomerService

KIND = "customer_import"
"""The fan-out job kind of one chunk."""
CHUNK_ROWS = 500
KEEP_DAYS = 3
"""As long as the payloads bucket keeps objects: the job and its rejected rows go together."""

EXAMPLE_CSV = (
    "external_id,name,phone,email,birth_date,province,city,timezone,language,"
    "consent_whatsapp,consent_email,vehicle_brand,vehicle_model,contract_start,branch\r\n"
    "K-0001,Budi Santoso,0812-3456-7890,budi@contoh.co.id,1985-03-10,Sulawesi Selatan,Makassar,WITA,id,"
    "greetings;promotions,greetings,Toyota,Avanza,2021-05-01,Makassar-01\r\n"
    "K-0002,Siti Rahmawati,+62 813 9876 5432,,1990-01-05,Jawa Barat,Bandung,,id,greetings,,Daihatsu,Xenia,"
    "2022-11-15,Bandung-02\r\n"
    "K-0003,Agus Budiman,6281311112222,agus@contoh.co.id,1979-08-17,Papua,Jayapura,,en,none,none,Toyota,Rush,,\r\n"
)
"""Every column the import reads; consent cells hold purposes, `none` withdraws, empty changes nothing."""


class ImportNotFound(LookupError):
    """No import job with this id (or it has expired)."""


@dataclass(frozen=True)
class ImportFiles:
    """The CSV and its rejected rows in the payloads bucket, under `imports/<id>/`."""

    s3: Any
    bucket: str

    def put_source(self, import_id: str, body: bytes) -> None:
        self.s3.put_object(Bucket=self.bucket, Key=f"imports/{import_id}/source.csv", Body=body, ContentType="text/csv")

    def read_source(self, import_id: str, offset: int) -> bytes:
        """The file from `offset` on: a chunk never reads what earlier chunks imported."""
        answer = self.s3.get_object(Bucket=self.bucket, Key=f"imports/{import_id}/source.csv", Range=f"bytes={offset}-")
        return bytes(answer["Body"].read())

    def delete_source(self, import_id: str) -> None:
        self.s3.delete_object(Bucket=self.bucket, Key=f"imports/{import_id}/source.csv")

    def put_rejected(self, import_id: str, chunk: int, text: str) -> None:
        """Keyed by chunk, so a chunk run twice overwrites its own rows instead of adding them again."""
        key = f"imports/{import_id}/rejected/{chunk:06d}.csv"
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=text.encode("utf-8"), ContentType="text/csv")

    def get_rejected(self, import_id: str, chunk: int) -> str:
        key = f"imports/{import_id}/rejected/{chunk:06d}.csv"
        try:
            return bytes(self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()).decode("utf-8")
        except self.s3.exceptions.NoSuchKey:
            return ""


COUNTS = ("rows_done", "created", "updated", "unchanged", "rejected", "consent_kept_withdrawn")


class ImportJobs:
    """The job items: one per import, its progress and the chunk to run next."""

    def __init__(self, table: Any) -> None:
        self.table = table

    def create(self, item: dict[str, Any]) -> None:
        self.table.put_item(Item=item, ConditionExpression="attribute_not_exists(id)")

    def get(self, import_id: str) -> dict[str, Any] | None:
        return self.table.get_item(Key={"id": import_id}, ConsistentRead=True).get("Item")

    def advance(
        self,
        import_id: str,
        chunk: int,
        counts: dict[str, int],
        offset: int,
        next_row: int,
        rejected_chunk: bool,
        finished: bool,
        now: datetime,
    ) -> bool:
        """Add one chunk's counts and step to the next chunk, once: False when that chunk was already counted."""
        names = {"#status": "status"}
        values: dict[str, Any] = {
            ":chunk": chunk,
            ":next": chunk + 1,
            ":offset": offset,
            ":row": next_row,
            ":now": _stamp(now),
            ":status": "done" if finished else "running",
        }
        sets = [
            "next_chunk = :next",
            "byte_offset = :offset",
            "next_row = :row",
            "updated_at = :now",
            "#status = :status",
        ]
        if finished:
            sets.append("finished_at = :now")
        if rejected_chunk:
            sets.append("rejected_chunks = list_append(if_not_exists(rejected_chunks, :empty), :this)")
            values[":empty"] = []
            values[":this"] = [chunk]
        adds = []
        for index, name in enumerate(COUNTS):
            values[f":c{index}"] = int(counts.get(name, 0))
            adds.append(f"{name} :c{index}")
        try:
            self.table.update_item(
                Key={"id": import_id},
                UpdateExpression="SET " + ", ".join(sets) + " ADD " + ", ".join(adds),
                ConditionExpression="next_chunk = :chunk",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except self.table.meta.client.exceptions.ConditionalCheckFailedException:
            return False
        return True


def public_job(item: dict[str, Any]) -> dict[str, Any]:
    """A job as staff see it: the counts, the status and where the rejected rows are."""
    job = {
        "id": str(item["id"]),
        "status": str(item.get("status")),
        "rows_total": int(item.get("rows_total") or 0),
        **{name: int(item.get(name) or 0) for name in COUNTS},
        "by": item.get("by"),
        "created_at": item.get("created_at"),
        "updated_at": item.get("updated_at"),
        "finished_at": item.get("finished_at"),
    }
    job["rejected_csv"] = f"/customers/imports/{job['id']}/rejected.csv"
    return job


class CustomerImports:
    """Starts import jobs, runs their chunks, and answers their progress and rejected rows."""

    def __init__(
        self,
        service: CustomerService,
        jobs: ImportJobs,
        files: ImportFiles,
        enqueue: Callable[[list[dict[str, Any]]], None],
        clock: Callable[[], datetime],
    ) -> None:
        self.service = service
        self.jobs = jobs
        self.files = files
        self.enqueue = enqueue
        self.clock = clock

    def start(self, body: bytes, actor: Actor) -> dict[str, Any]:
        """Check the whole file, store it, create the job and queue its first chunk; InvalidCsv if unreadable.

        UnicodeDecodeError when the file is not UTF-8 text.
        """
        text = body.decode("utf-8-sig")
        total = sum(1 for _ in read_csv_rows(text.splitlines(keepends=True)))
        newline = body.find(b"\n")
        header_end = len(body) if newline < 0 else newline + 1
        header = body[:header_end].decode("utf-8-sig")
        now = self.clock()
        import_id = "imp_" + uuid.uuid4().hex[:20]
        self.files.put_source(import_id, body)
        item = {
            "id": import_id,
            "status": "running",
            "by": actor.name,
            "header": header,
            "rows_total": total,
            **dict.fromkeys(COUNTS, 0),
            "next_chunk": 0,
            "byte_offset": header_end,
            "next_row": 2,
            "created_at": _stamp(now),
            "updated_at": _stamp(now),
            "expires_at": int((now + timedelta(days=KEEP_DAYS)).timestamp()),
        }
        self.jobs.create(item)
        self.service.audit.record(actor.name, "customers.import_started", import_id, now, rows=total)
        self.enqueue([{"kind": KIND, "import_id": import_id, "chunk": 0}])
        return public_job(item)

    def progress(self, import_id: str) -> dict[str, Any]:
        item = self.jobs.get(import_id)
        if item is None:
            raise ImportNotFound(import_id)
        return public_job(item)

    def rejected_csv(self, import_id: str) -> str:
        """Every rejected row: its spreadsheet row number, the reasons, and the cells as typed (made safe)."""
        item = self.jobs.get(import_id)
        if item is None:
            raise ImportNotFound(import_id)
        out = io.StringIO()
        csv.writer(out).writerow(["row", "reasons", *_columns(str(item["header"]))])
        for chunk in item.get("rejected_chunks") or []:
            out.write(self.files.get_rejected(import_id, int(chunk)))
        return out.getvalue()

    def run_chunk(self, message: dict[str, Any], _remaining: Callable[[], float] | None = None) -> dict[str, Any]:
        """One chunk of `CHUNK_ROWS` rows (well inside the consumer's two minutes), then the next one queued."""
        import_id, chunk = str(message["import_id"]), int(message["chunk"])
        item = self.jobs.get(import_id)
        if item is None or item.get("status") != "running":
            return {"skipped": "no running job"}
        done_up_to = int(item["next_chunk"])
        if done_up_to != chunk:
            if done_up_to == chunk + 1:  # counted, but queueing the next chunk may have failed: queue it again
                self.enqueue([{"kind": KIND, "import_id": import_id, "chunk": done_up_to}])
            return {"skipped": "chunk already counted"}
        offset, first_row = int(item["byte_offset"]), int(item["next_row"])
        lines = _Lines(str(item["header"]), self.files.read_source(import_id, offset))
        actor = Actor(str(item.get("by") or "import"), "import")
        rows: list[tuple[int, dict[str, Any] | None, dict[str, str] | None]] = []
        cells: dict[int, dict[str, Any]] = {}
        finished = True
        next_row = first_row
        try:
            for number, row in read_csv_rows(lines):
                row_number = number - 2 + first_row
                cells[row_number] = row
                try:
                    rows.append((row_number, row_to_customer_data(row), None))
                except InvalidCustomer as error:
                    rows.append((row_number, None, dict(error.fields)))
                next_row = row_number + 1
                if len(rows) == CHUNK_ROWS:
                    finished = False
                    break
        except InvalidCsv as error:  # checked whole at the start: only a file changed since could get here
            rows.append((next_row, None, dict(error.fields)))
        consumed = lines.consumed
        report = self.service.import_chunk(rows, actor)
        rejected = _rejected_rows(report.rejected, cells, _columns(str(item["header"])))
        if rejected:
            self.files.put_rejected(import_id, chunk, rejected)
        counts = {
            "rows_done": len(rows),
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "rejected": report.rejected_total,
            "consent_kept_withdrawn": len(report.kept_withdrawn),
        }
        now = self.clock()
        if not self.jobs.advance(import_id, chunk, counts, offset + consumed, next_row, bool(rejected), finished, now):
            return {"skipped": "chunk already counted"}
        if finished:
            self.files.delete_source(import_id)
            totals = public_job(self.jobs.get(import_id) or item)
            self.service.audit.record(
                actor.name,
                "customers.imported",
                import_id,
                now,
                created=totals["created"],
                updated=totals["updated"],
                rejected=totals["rejected"],
                consent_kept_withdrawn=totals["consent_kept_withdrawn"],
            )
        else:
            self.enqueue([{"kind": KIND, "import_id": import_id, "chunk": chunk + 1}])
        return {"import_id": import_id, "chunk": chunk, **counts}


class _Lines:
    """The header, then the file's lines from an offset, counting the bytes the CSV reader has taken.

    The reader asks for a line only when a row needs it, so after a row the count is where the next row starts.
    """

    def __init__(self, header: str, data: bytes) -> None:
        self.header = header
        self.lines = data.splitlines(keepends=True)
        self.consumed = 0

    def __iter__(self) -> Iterator[str]:
        yield self.header
        for line in self.lines:
            self.consumed += len(line)
            yield line.decode("utf-8", errors="replace")


def _columns(header: str) -> list[str]:
    """The file's column names as the import reads them."""
    first = next(csv.reader([header.removeprefix("\ufeff")], delimiter=_delimiter(header)), [])
    return [normalize_header(cell) for cell in first if normalize_header(cell)]


def _delimiter(header: str) -> str:
    counts = {delimiter: header.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] > counts[","] else ","


def _rejected_rows(rejected: list[dict[str, Any]], cells: dict[int, dict[str, Any]], columns: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for entry in rejected:
        row = cells.get(int(entry["row"]), {})
        reasons = "; ".join(f"{name}: {problem}" for name, problem in (entry.get("errors") or {}).items())
        values = [row.get(column, "") for column in columns]
        if row.get(EXTRA):
            values.append(" | ".join(str(v) for v in row[EXTRA]))
        writer.writerow([entry["row"], spreadsheet_safe(reasons), *(spreadsheet_safe(v) for v in values)])
    return out.getvalue()


def _stamp(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
