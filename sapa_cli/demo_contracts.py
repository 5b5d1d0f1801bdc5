"""Demo contracts for the demo customers: installments due soon, some overdue, some paid off.

A contract for the first active demo customers (car mostly, the vehicle of
their attributes), planned around `today` so the reminders have work at once:
installments whose pay-by date is today+7, +3, +1 and today, and unpaid ones
at today-1, -3 and -7 (customers whose `contract_status` attribute is
"overdue"), in WIB and some of them in WITA and WIT; a few contracts paid off early whose BPKB is ready; STNK tax
dates at today+30 and +7 and insurance ends at today+30; a contract
anniversary today. Every installment whose pay-by date has passed is paid,
except the deliberately overdue one. Deterministic (seeded), and written
through the same service and payments path as the financing system's feed.

Bounded (`MAX_CONTRACTS`, a few months paid each): the local emulator copies
the whole table on every transaction, and each payment is one.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from chalicelib.contracts.schedule import add_months
from chalicelib.core.zones import WIB, WIT, WITA, tzinfo_for
from chalicelib.customers.regions import resolve_timezone

UPCOMING = {WIB: (7, 3, 1, 0), WITA: (3, 0), WIT: (1, 0)}
"""Days from today to an unpaid installment's pay-by date, for active customers of each zone."""
OVERDUE = {WIB: (-1, -3, -7), WITA: (-1, -7), WIT: (-3,)}
"""Days from today to the pay-by date of the installment left unpaid, for "overdue" customers of each zone."""
PAID_OFF = 3
ANNIVERSARIES = 1
MAX_CONTRACTS = 20
TENORS = ((12, 0.4), (24, 0.35), (36, 0.15), (48, 0.1))
# The plate's region letters by city (the vehicle is registered where its owner lives).
PLATE_REGIONS = {
    "Jakarta": "B",
    "Tangerang": "B",
    "Bandung": "D",
    "Surabaya": "L",
    "Semarang": "H",
    "Medan": "BK",
    "Yogyakarta": "AB",
    "Pontianak": "KB",
    "Denpasar": "DK",
    "Makassar": "DD",
    "Balikpapan": "KT",
    "Manado": "DB",
    "Mataram": "DR",
    "Jayapura": "PA",
    "Ambon": "DE",
    "Ternate": "DG",
}
LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


@dataclass(frozen=True)
class DemoContract:
    data: dict[str, Any]
    zone: str
    unpaid: int | None = None
    """The installment left unpaid although its pay-by date has passed (the overdue demo)."""


def _zone_of(customer: Mapping[str, Any]) -> str:
    """The zone the customer service gives them: their province's."""
    return resolve_timezone(customer.get("timezone"), customer.get("province"))


def _months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def _same_day_years_ago(today: date, years: int) -> date:
    if (today.month, today.day) == (2, 29):
        return date(today.year - years, 2, 28)
    return today.replace(year=today.year - years)


class _Planner:
    def __init__(self, today: date, seed: int) -> None:
        self.today = today
        self.rng = random.Random(seed)

    def terms(self, n: int, customer: Mapping[str, Any], zone: str) -> dict[str, Any]:
        rng = self.rng
        attributes = customer.get("attributes") or {}
        region = PLATE_REGIONS.get(str(customer.get("city")), "B")
        suffix = "".join(rng.choice(LETTERS) for _ in range(rng.randint(1, 3)))
        product = rng.choices(("car", "fleet", "multipurpose"), (0.85, 0.1, 0.05))[0]
        data: dict[str, Any] = {
            "contract_no": f"DEMO-K{n:06d}",
            "customer_external_id": customer["external_id"],
            "product": product,
            "vehicle": {
                "brand": attributes.get("vehicle_brand") or "Toyota",
                "model": attributes.get("vehicle_model") or "Avanza",
                "year": rng.randint(2016, self.today.year),
                "plate": f"{region} {rng.randint(1000, 9999)} {suffix}",
            },
            "installment_amount": rng.randrange(1_500_000, 8_000_000, 50_000),
            "virtual_account": f"8808{n:09d}",
        }
        return data

    def service_dates(self, data: dict[str, Any], k: int) -> None:
        """STNK tax and insurance end: for the k-th active contract, some due soon, the rest months away."""
        soon = k % 5
        stnk = {0: 30, 1: 7}.get(soon) or self.rng.randint(45, 360)
        insurance = 30 if soon == 2 else self.rng.randint(45, 360)
        data["stnk_tax_date"] = (self.today + timedelta(days=stnk)).isoformat()
        data["insurance_end_date"] = (self.today + timedelta(days=insurance)).isoformat()

    def tenor(self) -> int:
        return self.rng.choices([t for t, _ in TENORS], [w for _, w in TENORS])[0]

    def due_on(self, data: dict[str, Any], pay_by: date) -> None:
        """An installment due on `pay_by`, after a month or two already paid."""
        before = self.rng.randint(1, 2)
        start_month = add_months(pay_by, -(before + 1), 1)
        data["start_date"] = start_month.replace(day=self.rng.randint(1, 28)).isoformat()
        data["due_day"] = pay_by.day
        data["tenor_months"] = self.tenor()

    def running(self, data: dict[str, Any]) -> None:
        """A contract a month or two in, due on any day of the month."""
        start = self.today - timedelta(days=self.rng.randint(20, 75))
        data["start_date"] = start.isoformat()
        data["due_day"] = self.rng.randint(1, 28)
        data["tenor_months"] = self.tenor()

    def anniversary(self, data: dict[str, Any]) -> None:
        """Started a year ago today: the anniversary journey's contract."""
        data["start_date"] = _same_day_years_ago(self.today, 1).isoformat()
        data["due_day"] = self.rng.randint(1, 28)
        data["tenor_months"] = 24

    def paid_off(self, data: dict[str, Any]) -> None:
        """Paid off early a few months in (the rest settled at once): the BPKB is ready for pick-up."""
        start = add_months(self.today, -self.rng.randint(2, 4), self.rng.randint(1, 28))
        data.update(start_date=start.isoformat(), due_day=start.day, tenor_months=self.tenor())
        data.update(status="paid_off", bpkb_status="ready")


def plan_contracts(customers: Iterable[Mapping[str, Any]], today: date, seed: int = 61) -> list[DemoContract]:
    """The demo contracts of these demo customers (the `synthetic_customers` shape), planned around `today`."""
    planner = _Planner(today, seed)
    upcoming = {zone: list(offsets) for zone, offsets in UPCOMING.items()}
    overdue = {zone: list(offsets) for zone, offsets in OVERDUE.items()}
    paid_off = anniversaries = 0
    planned: list[DemoContract] = []
    running: list[DemoContract] = []  # the rest, while there is room once the planned ones are in
    for n, customer in enumerate(customers):
        status = (customer.get("attributes") or {}).get("contract_status")
        zone = _zone_of(customer)
        data = planner.terms(n, customer, zone)
        unpaid = None
        if status == "paid_off":
            if paid_off >= PAID_OFF:
                continue
            paid_off += 1
            planner.paid_off(data)
        elif status == "overdue" and overdue[zone]:
            pay_by = today + timedelta(days=overdue[zone].pop(0))
            planner.due_on(data, pay_by)
            unpaid = _months_between(date.fromisoformat(data["start_date"]), pay_by)
        elif status == "active" and upcoming[zone]:
            planner.due_on(data, today + timedelta(days=upcoming[zone].pop(0)))
        elif status in ("active", "overdue") and anniversaries < ANNIVERSARIES:
            anniversaries += 1
            planner.anniversary(data)
        elif status in ("active", "overdue"):
            if len(running) < MAX_CONTRACTS:
                planner.running(data)
                running.append(DemoContract(data, zone))
            continue
        else:
            continue
        planned.append(DemoContract(data, zone, unpaid))
    chosen = (planned + running)[:MAX_CONTRACTS]
    active = [c for c in chosen if c.data.get("status", "active") == "active"]
    for k, contract in enumerate(active):
        planner.service_dates(contract.data, k)
    return chosen


def payments_for(
    contract: DemoContract, schedule: Iterable[Mapping[str, Any]], today: date, rng: random.Random
) -> list[dict[str, Any]]:
    """A payment for every installment whose pay-by date has passed, but the one left overdue."""
    payments = []
    for installment in schedule:
        number, pay_by = int(installment["installment_no"]), date.fromisoformat(str(installment["pay_by"]))
        if pay_by >= today or number == contract.unpaid:
            continue
        paid_on = pay_by - timedelta(days=rng.randint(0, 3))
        at = datetime.combine(paid_on, time(rng.randint(8, 20), rng.randint(0, 59)), tzinfo_for(contract.zone))
        payments.append(
            {
                "payment_id": f"SEED-{contract.data['contract_no']}-{number:03d}",
                "contract_no": contract.data["contract_no"],
                "installment_no": number,
                "amount": int(installment["amount"]),
                "paid_at": at.isoformat(),
            }
        )
    return payments


def seed_contracts(
    planned: Iterable[DemoContract],
    put: Callable[[dict[str, Any]], dict[str, Any]],
    pay: Callable[[list[dict[str, Any]]], Any],
    today: date,
    seed: int = 62,
) -> int:
    """Each planned contract written (`put` answers the contract with its schedule) and its past paid."""
    rng = random.Random(seed)
    written = 0
    for contract in planned:
        stored = put(contract.data)
        payments = payments_for(contract, stored["schedule"], today, rng)
        if payments:
            pay(payments)
        written += 1
    return written
