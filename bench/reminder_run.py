"""Daily reminder run over a realistic contracts table: does Sapa read only the installments it reminds?

    .venv/bin/python -m bench.reminder_run [--contracts 100000] [--date 2027-06-15] [--no-baseline]

Loads N customers and one 12-month car contract each, due days spread over
the month, the installments before the run's ladder paid and 70% of the
recent ones paid. Of each contract the table keeps its terms and the
installments whose pay-by date is within 40 days of the run (about three):
the others change no count (the index key is the exact date, so a query
never meets them) and would only make moto's load slower. Then it runs one date's reminder steps through
`reminders.run().run_date` and counts every DynamoDB item read through
botocore hooks. The baseline, in the same run on the same endpoint, finds
the same installments the way a naive job would: a filtered scan of the
contracts table. The run must not scan; the script exits 1 if it does.
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.common import LocalAws, Row, machine_line, progress, ratio, run_timed, synthetic_items, table, wired

DEFAULT_DATE = date(2027, 6, 15)  # a Tuesday, not an Indonesian holiday: every step's window is open
TARGET_INDEX_ITEMS_PER_REMINDER = 1.05
RECENTLY_PAID = 0.7
WINDOW_DAYS = 40


def _months_back(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def load(local: LocalAws, count: int, day: date, seed: int = 31) -> tuple[int, float]:
    """Customers straight into their table, contracts as the contract service builds their items; (items, s)."""
    import time

    from chalicelib.contracts.model import validate_contract

    rng = random.Random(seed)
    service = wired().contracts.service()
    started = time.perf_counter()
    written = 0
    oldest_step = day - timedelta(days=7)
    step = max(1, count // 10)
    with local.table("customers").batch_writer() as customers, local.table("contracts").batch_writer() as contracts:
        for n, (item, _birth) in enumerate(synthetic_items(count, day, seed=seed), start=1):
            customers.put_item(Item=item)
            body = validate_contract(
                {
                    "contract_no": f"BENCH-{n:07d}",
                    "customer_external_id": item["external_id"],
                    "product": "car",
                    "vehicle": {"brand": "Toyota", "model": "Avanza", "year": 2022, "plate": f"B {n % 9999 + 1} XY"},
                    "start_date": _months_back(day, rng.randint(1, 11)).isoformat(),
                    "tenor_months": 12,
                    "installment_amount": rng.randrange(1_500_000, 6_000_000, 50_000),
                    "due_day": rng.randint(1, 28),
                    "virtual_account": f"8808{n:010d}",
                }
            )
            head, installments, services = service.items_for(body, str(item["id"]), str(item["timezone"]))
            near = [i for i in installments if abs((date.fromisoformat(i["pay_by"]) - day).days) <= WINDOW_DAYS]
            for installment in near:
                pay_by = date.fromisoformat(installment["pay_by"])
                if pay_by < oldest_step or (pay_by < day and rng.random() < RECENTLY_PAID):
                    installment.update(status="paid", paid_amount=installment["amount"])
                    installment["paid_at"] = datetime.combine(pay_by, datetime.min.time(), UTC).isoformat()
                    installment.pop("due_key", None)
                    installment.pop("due_sk", None)
            for contract_item in (head, *near, *services):
                contracts.put_item(Item=contract_item)
                written += 1
            if n % step == 0 and count >= 1000:
                progress(f"loaded {n:,}/{count:,} contracts ({n / (time.perf_counter() - started):,.0f}/s)")
    return written, time.perf_counter() - started


def scan_for_due(contracts_table: Any, day: date) -> tuple[int, int]:
    """The baseline: every contract item read, the unpaid installments of the ladder's dates filtered out."""
    from boto3.dynamodb.conditions import Attr

    from chalicelib.reminders.ladder import DEFAULT_LADDER

    steps = [s for s in DEFAULT_LADDER.steps if s.kind == "installment"]
    dates = sorted({(day - timedelta(days=s.days)).isoformat() for s in steps})
    kwargs: dict[str, Any] = {"FilterExpression": Attr("status").eq("unpaid") & Attr("pay_by").is_in(dates)}
    matched = scanned = 0
    while True:
        page = contracts_table.scan(**kwargs)
        matched += len(page["Items"])
        scanned += int(page["ScannedCount"])
        if "LastEvaluatedKey" not in page:
            return matched, scanned
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contracts", type=int, default=100_000)
    parser.add_argument("--date", type=date.fromisoformat, default=DEFAULT_DATE)
    parser.add_argument("--no-baseline", action="store_true", help="skip the full-table scan baseline")
    args = parser.parse_args(argv)
    day: date = args.date

    with LocalAws({"SAPA_WHATSAPP_RATE": "1000000", "SAPA_SES_RATE": "1000000"}) as local:
        progress(f"loading {args.contracts:,} customers and their contracts")
        items, load_seconds = load(local, args.contracts, day)
        progress(f"loaded {items:,} contract items in {load_seconds:.0f}s")

        run = wired().reminders.run()
        before = local.counter.snapshot()
        report, run_seconds = run_timed(lambda: run.run_date(day))
        counts = local.counter.snapshot() - before
        reminded = report.total_sent + report.calls
        progress(f"reminder run: {reminded} reminded in {run_seconds:.2f}s; calls: {counts.describe()}")

        baseline: tuple[int, int] | None = None
        scan_seconds = 0.0
        if not args.no_baseline:
            progress(f"baseline: filtered scan of all {items:,} contract items")
            baseline, scan_seconds = run_timed(lambda: scan_for_due(local.table("contracts"), day))
            progress(f"baseline scan: {baseline[0]} matched, {baseline[1]:,} read in {scan_seconds:.1f}s")

    scans = counts.ops().get("dynamodb.Scan", 0)
    index_items = counts.items_read("Query:") and sum(
        n for key, n in counts.items_scanned.items() if key.startswith("Query:") and "contracts" in key
    )
    all_items = counts.items_read()
    per_index = index_items / reminded if reminded else float("inf")
    per_all = all_items / reminded if reminded else float("inf")
    n = f"{args.contracts:,} contracts"
    base_cell, base_ratio = "n/a (--no-baseline)", "n/a"
    if baseline is not None and baseline[0]:
        base_cell = f"{baseline[1] / baseline[0]:.1f} (table scan: {baseline[1]:,} read for {baseline[0]})"
        base_ratio = ratio(per_index, baseline[1] / baseline[0])
    rows = [
        Row(
            f"reminder run, {n}: due-index items read ÷ reminders sent",
            f"{per_index:.3f} ({index_items} read, {reminded} reminded)",
            base_cell,
            base_ratio,
            f"≤ {TARGET_INDEX_ITEMS_PER_REMINDER}",
            per_index <= TARGET_INDEX_ITEMS_PER_REMINDER,
        ),
        Row(
            f"reminder run, {n}: every DynamoDB item read ÷ reminders sent (the customer's consent read fresh)",
            f"{per_all:.3f} ({all_items} read)",
            "—",
            f"{per_all:.3f}",
        ),
        Row(f"reminder run, {n}: table Scan calls", str(scans), "—", str(scans), "= 0", scans == 0),
        Row(
            f"reminder run, {n}: whole run wall time (read, decide, log, queue)",
            f"{run_seconds:.2f} s ({run_seconds / max(1, reminded) * 1000:.1f} ms/reminder)",
            f"{scan_seconds:.2f} s (scan step alone)" if baseline else "n/a",
            ratio(run_seconds, scan_seconds) if baseline else "n/a",
        ),
    ]
    print(f"## Reminder run ({day}, {n})\n")
    print(table(rows))
    print()
    print(
        f"- reminded {reminded}: {report.by_step()}, calls {report.calls}, deferred {report.deferred}, "
        f"skipped {dict(report.skipped)}; RunReport.items_read = {report.items_read}"
    )
    print(f"- items read by operation and table: {dict(counts.items_scanned)}")
    print(f"- AWS calls in the run: {counts.describe()}")
    print(
        "- moto answers a GSI query by walking every item of the table, so wall times understate DynamoDB, "
        "where a query reads only the matching items; the item counts are exact"
    )
    print(f"- load: {items:,} contract items and {args.contracts:,} customers in {load_seconds:.0f} s")
    print(f"- {machine_line()}")
    if scans:
        print(f"FAILED: the reminder run scanned a table {scans} times", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
