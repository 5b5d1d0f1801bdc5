"""Customers as a CSV file staff open in a spreadsheet: the search's matches, read a page at a time.

The columns are the import's (an export re-imports cleanly), every cell made
safe for a spreadsheet (`csv_rows.spreadsheet_safe`: a name typed as
`=HYPERLINK(...)` shows as text and never runs), and each export is audited
with who asked, how many rows and which filters (their names, never their
values: a searched phone number is personal data). One answer holds at most
`MAX_ROWS` rows (a Lambda answer is capped at 6 MB); a cut-off export says
where to go on.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from chalicelib.access.audit import AuditLog
from chalicelib.customers.csv_rows import spreadsheet_safe
from chalicelib.customers.fields import FIELDS
from chalicelib.customers.model import customer_from_item
from chalicelib.customers.search import CustomerFilters, CustomerSearch

MAX_ROWS = 20000
PAGE = 500
PLAIN = tuple(name for name in FIELDS if name not in ("attributes", "consents", "test_recipient"))
"""The customer's own fields, one column each, in the import's order."""
COLUMNS = (*PLAIN, "consent_whatsapp", "consent_email")


def _row(item: Mapping[str, Any]) -> dict[str, Any]:
    customer = customer_from_item(item)
    row = {name: customer.get(name) for name in PLAIN}
    row["consent_whatsapp"] = ";".join(customer["consents"]["whatsapp"])
    row["consent_email"] = ";".join(customer["consents"]["email"])
    for key, value in customer["attributes"].items():
        row[key] = ";".join(str(v) for v in value) if isinstance(value, list) else value
    return row


def export_csv(
    search: CustomerSearch,
    audit: AuditLog,
    filters: CustomerFilters,
    start: dict[str, Any] | None,
    actor: str,
    now: datetime,
    max_rows: int = MAX_ROWS,
) -> tuple[str, int, dict[str, Any] | None]:
    """(the CSV text, its row count, the key to go on from or None when everything is in it)."""
    rows: list[dict[str, Any]] = []
    key = start
    while True:
        items, key = search.page(filters, min(PAGE, max_rows - len(rows)), key)
        rows.extend(_row(item) for item in items)
        if key is None or len(rows) >= max_rows:
            break
    attributes = sorted({name for row in rows for name in row} - set(COLUMNS))
    out = io.StringIO()
    writer = csv.writer(out)
    header = [*COLUMNS, *attributes]
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_safe(row.get(name)) for name in header])
    audit.record(
        actor, "customers.exported", "customers", now, rows=len(rows), filters=",".join(filters.used()) or None
    )
    return out.getvalue(), len(rows), key
