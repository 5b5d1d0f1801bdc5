"""`GET /reminders/metrics`: what the reminders did, and whether customers paid after them.

* sent: steps queued per step and channel (and calls), from the day records
  of the runs (`sent#<date>`, one query per day of the period);
* paid_after: of the installments reminded at a step, how many were paid
  within 1, 3 and 7 days of the step's date (the payment's own `paid_at`,
  from the financing system), read 100 installments to a BatchGetItem;
* overdue_rate: for each month of the period, the installments whose pay-by
  date fell in it and has passed, and how many were paid late or not yet,
  from the contracts' `month-index` (a query per month, never a scan).

Journey conversion per step is the journeys' own (`journeys.metrics`), put
beside these by the route.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from chalicelib.reminders.store import ReminderLog

WINDOWS = (1, 3, 7)
MAX_DAYS = 92
"""A period of at most a quarter: one query per day."""


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _paid_day(installment: Mapping[str, Any] | None, zone_day: Callable[[str], date]) -> date | None:
    if not installment or installment.get("status") != "paid":
        return None
    moment = installment.get("last_paid_at") or installment.get("paid_at")
    return zone_day(str(moment)) if moment else None


def months_between(first: date, last: date) -> list[str]:
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def reminder_metrics(
    first: date,
    last: date,
    today: date,
    log: ReminderLog,
    installments: Callable[[Sequence[tuple[str, int]]], Mapping[tuple[str, int], Mapping[str, Any]]],
    month: Callable[[str], Iterable[Mapping[str, Any]]],
    zone_day: Callable[[str], date],
) -> dict[str, Any]:
    """The period's metrics; `installments` reads (contract, number) pairs, `month` one month-index key."""
    sent: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    reminded: dict[str, list[tuple[date, tuple[str, int]]]] = defaultdict(list)
    for day in _days(first, last):
        for record in log.sent_on(day):
            sent[str(record["step"])][str(record["channel"])] += 1
            if record.get("installment_no") is not None:
                key = (str(record["contract_no"]), int(record["installment_no"]))
                reminded[str(record["step"])].append((day, key))
    wanted = sorted({key for pairs in reminded.values() for _, key in pairs})
    found: dict[tuple[str, int], Mapping[str, Any]] = {}
    for start in range(0, len(wanted), 100):
        found.update(installments(wanted[start : start + 100]))
    paid_after = {}
    for step, pairs in sorted(reminded.items()):
        counts = {f"within_{n}_days": 0 for n in WINDOWS}
        for day, key in pairs:
            paid = _paid_day(found.get(key), zone_day)
            for n in WINDOWS:
                if paid is not None and day <= paid <= day + timedelta(days=n):
                    counts[f"within_{n}_days"] += 1
        paid_after[step] = {
            "reminded": len(pairs),
            **counts,
            **{f"rate_{n}_days": round(counts[f"within_{n}_days"] / len(pairs), 4) for n in WINDOWS},
        }
    overdue = []
    for name in months_between(first, last):
        due = late = 0
        for item in month(name):
            pay_by = date.fromisoformat(str(item["pay_by"]))
            if pay_by >= today:
                continue  # not due yet: neither on time nor late
            due += 1
            paid = _paid_day(item, zone_day)
            if paid is None or paid > pay_by:
                late += 1
        overdue.append({"month": name, "due": due, "late": late, "rate": round(late / due, 4) if due else None})
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "sent": {step: dict(channels) for step, channels in sorted(sent.items())},
        "paid_after": paid_after,
        "overdue_rate": overdue,
    }


def utc_day(moment: str, to_local: Callable[[datetime], date]) -> date:
    """A payment's day in the company's zone; a bare date is taken as it is."""
    if len(moment) == 10:
        return date.fromisoformat(moment)
    return to_local(datetime.fromisoformat(moment.replace("Z", "+00:00")))
