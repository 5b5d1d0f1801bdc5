"""Daily greeting run over a realistic table: does Sapa read only the people it greets?

    .venv/bin/python -m bench.greeting_run [--customers 100000] [--date 2027-06-15] [--no-baseline]

Loads N synthetic customers with birth dates uniform over the year (about
N/365 on the run date, spread over WIB/WITA/WIT), runs the daily greeting
for one non-holiday date through `greeting_service().run_date`, and counts
every AWS call and every DynamoDB item read through botocore hooks. The
baseline, in the same run on the same endpoint, finds the same birthdays the
way a naive job would: a filtered table scan. A birthday-only date must not
scan the table at all; the script exits 1 if it does.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

from bench.common import LocalAws, Row, load_customers, machine_line, progress, ratio, run_timed, table, wired

DEFAULT_DATE = date(2027, 6, 15)  # a Tuesday, not an Indonesian holiday (checked below)
TARGET_ITEMS_PER_GREETED = 1.05


def scan_for_birthdays(customers_table: Any, day: date) -> tuple[int, int]:
    """The baseline: every customer read, birthdays filtered out server-side; (matched, scanned)."""
    from boto3.dynamodb.conditions import Attr

    from chalicelib.core.zones import ZONES
    from chalicelib.greetings.birthdays import birthday_keys_for

    keys = [key for zone in ZONES for key in birthday_keys_for(day, zone)]
    kwargs: dict[str, Any] = {"FilterExpression": Attr("birthday_key").is_in(keys)}
    matched = scanned = 0
    while True:
        page = customers_table.scan(**kwargs)
        matched += len(page["Items"])
        scanned += int(page["ScannedCount"])
        if "LastEvaluatedKey" not in page:
            return matched, scanned
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def query_birthdays(day: date) -> int:
    """Sapa's read path alone: the birthday GSI, one (month-day, zone) key at a time."""
    from chalicelib.core.zones import ZONES
    from chalicelib.greetings.birthdays import birthday_keys_for

    repository = wired().customers.repository()
    return sum(1 for zone in ZONES for key in birthday_keys_for(day, zone) for _ in repository.birthdays(key))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--date", type=date.fromisoformat, default=DEFAULT_DATE)
    parser.add_argument("--no-baseline", action="store_true", help="skip the full-table scan baseline")
    args = parser.parse_args(argv)
    day: date = args.date

    from chalicelib.greetings.holidays_calendar import holidays_on

    if holidays_on(day):
        parser.error(f"{day} is a holiday ({', '.join(h.key for h in holidays_on(day))}): pick a birthday-only date")

    with LocalAws() as local:
        progress(f"loading {args.customers:,} customers, birth dates uniform over the year")
        loaded = load_customers(local.table("customers"), args.customers, day, birthday_on=day)
        expected = sum(loaded.birthdays_by_zone.values())
        progress(
            f"loaded in {loaded.seconds:.0f}s ({args.customers / loaded.seconds:,.0f}/s); "
            f"{expected} birthdays on {day}: {dict(loaded.birthdays_by_zone)}"
        )

        service = wired().greetings.greeting_service()
        before = local.counter.snapshot()
        report, run_seconds = run_timed(lambda: service.run_date(day, inline_holidays=True))
        run = local.counter.snapshot() - before
        greeted = report.birthday + report.telegreeting + report.holiday
        progress(f"greeting run: {greeted} greeted in {run_seconds:.2f}s; calls: {run.describe()}")

        before = local.counter.snapshot()
        found, query_seconds = run_timed(lambda: query_birthdays(day))
        query = local.counter.snapshot() - before

        baseline: tuple[int, int] | None = None
        scan_seconds = 0.0
        if not args.no_baseline:
            progress(f"baseline: filtered scan of all {args.customers:,} customers")
            baseline, scan_seconds = run_timed(lambda: scan_for_birthdays(local.table("customers"), day))
            progress(f"baseline scan: {baseline[0]} matched, {baseline[1]:,} read in {scan_seconds:.1f}s")

    scans = run.ops().get("dynamodb.Scan", 0)
    items_read = run.items_read()
    per_greeted = items_read / greeted if greeted else float("inf")
    calls = run.total()
    n = f"{args.customers:,} customers"
    base_cell = "n/a (--no-baseline)"
    base_per = "n/a"
    if baseline is not None:
        base_per = f"{baseline[1] / baseline[0]:.1f}" if baseline[0] else "n/a"
        base_cell = f"{base_per} (table scan: {baseline[1]:,} read for {baseline[0]})"
    rows = [
        Row(
            f"greeting run, {n}: DynamoDB items read ÷ customers greeted",
            f"{per_greeted:.3f} ({items_read} read, {greeted} greeted)",
            base_cell,
            f"{per_greeted:.3f}",
            f"≤ {TARGET_ITEMS_PER_GREETED}",
            per_greeted <= TARGET_ITEMS_PER_GREETED,
        ),
        Row(
            f"greeting run, {n}: table Scan calls (birthday-only date)",
            str(scans),
            "—",
            str(scans),
            "= 0",
            scans == 0,
        ),
        Row(
            f"greeting run, {n}: find the day's birthdays (wall)",
            f"{query_seconds * 1000:.0f} ms (GSI query, {found} found)",
            f"{scan_seconds * 1000:,.0f} ms (filtered scan)" if baseline else "n/a",
            ratio(query_seconds, scan_seconds) if baseline else "n/a",
        ),
        Row(
            f"greeting run, {n}: whole run wall time (read, decide, log, queue)",
            f"{run_seconds:.2f} s ({run_seconds / max(1, greeted) * 1000:.1f} ms/greeted)",
            f"{scan_seconds:.2f} s (scan step alone)" if baseline else "n/a",
            ratio(run_seconds, scan_seconds) if baseline else "n/a",
        ),
        Row(
            f"greeting run, {n}: AWS calls per greeted customer",
            f"{calls / max(1, greeted):.2f} ({calls} calls)",
            "—",
            f"{calls / max(1, greeted):.2f}",
        ),
    ]
    print(f"## Greeting run ({day}, {n})\n")
    print(table(rows))
    print()
    print(
        f"- greeted {greeted} (birthday {report.birthday}, telegreeting {report.telegreeting}, "
        f"holiday {report.holiday}; skipped {dict(report.skipped)}, already greeted {report.already_greeted}); "
        f"{expected} customers have a birthday on {day} ({dict(loaded.birthdays_by_zone)})"
    )
    print(
        f"- RunReport.items_read = {report.items_read}; the hooks counted {items_read} items read: "
        f"{dict(run.items_scanned)}"
    )
    print(f"- AWS calls in the run: {run.describe()}")
    print(f"- read path alone: {query.describe()}; {query.items_read()} items read")
    print(f"- table Scan calls during the birthday-only run: {scans} (asserted 0)")
    print(
        "- moto answers a GSI query by walking every item of the table, so the query-vs-scan wall times "
        "understate DynamoDB, where a query reads only the matching items; the item counts are exact"
    )
    print(f"- load: {args.customers:,} customers in {loaded.seconds:.0f} s via BatchWriteItem")
    print(f"- {machine_line()}")
    if scans:
        print(f"FAILED: the birthday-only run scanned the table {scans} times", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
