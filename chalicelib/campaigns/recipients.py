"""A campaign's recipients as staff see them: each message's status and reason, with the customer's name.

Read from the message log's campaign index a page at a time; names come from
the customers table in one BatchGetItem per page. The CSV export walks every
page (at most `MAX_ROWS`), each cell made safe for a spreadsheet like the
customers export (`csv_rows.spreadsheet_safe`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from chalicelib.customers.csv_rows import spreadsheet_safe
from chalicelib.outbound.message_log import MessageLog

STATUSES = ("queued", "deferred", "held", "sending", "sent", "delivered", "read", "failed", "skipped", "cancelled")
MAX_ROWS = 20000
PAGE = 500
COLUMNS = ("customer_id", "name", "status", "reason", "not_before", "sent_at", "updated_at", "message_id")


def _row(item: Mapping[str, Any], names: Mapping[str, Any]) -> dict[str, Any]:
    customer_id = str(item.get("customer_id") or "")
    return {
        "message_id": item.get("id"),
        "customer_id": customer_id,
        "name": (names.get(customer_id) or {}).get("name"),
        "status": item.get("status"),
        "reason": item.get("reason") or item.get("hold_reason") or item.get("last_error"),
        "not_before": item.get("not_before"),
        "sent_at": item.get("sent_at"),
        "updated_at": item.get("updated_at"),
        "unsubscribed": bool(item.get("unsubscribed_at")),
    }


def page(
    log: MessageLog,
    customers: Any,  # CustomerRepository: get_many
    campaign_id: str,
    limit: int,
    start: dict[str, Any] | None,
    status: str | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """(rows, the key to go on from). A status filter may leave a page short: the key says there is more."""
    items, last = log.campaign_page(campaign_id, limit, start, status if status in STATUSES else None)
    ids = sorted({str(i["customer_id"]) for i in items if i.get("customer_id")})
    names = customers.get_many(ids) if ids else {}
    return [_row(item, names) for item in items], last


def export_csv(log: MessageLog, customers: Any, campaign_id: str, status: str | None = None) -> tuple[str, int]:
    """(the CSV text, its row count): every recipient, or those of one status, up to MAX_ROWS."""
    rows: list[dict[str, Any]] = []
    key: dict[str, Any] | None = None
    while len(rows) < MAX_ROWS:
        found, key = page(log, customers, campaign_id, min(PAGE, MAX_ROWS - len(rows)), key, status)
        rows.extend(found)
        if key is None:
            break
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([spreadsheet_safe(row.get(name)) for name in COLUMNS])
    return out.getvalue(), len(rows)
