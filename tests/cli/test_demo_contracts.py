"""The demo contracts: valid, and planned so the reminders have installments due around today."""

from __future__ import annotations

from datetime import date, timedelta

from chalicelib.contracts.model import validate_contract
from chalicelib.contracts.schedule import schedule
from sapa_cli.demo_contracts import MAX_CONTRACTS, plan_contracts
from sapa_cli.seed import synthetic_customers

TUESDAY = date(2025, 6, 17)


def _plan(count: int = 300, today: date = TUESDAY) -> list:
    return plan_contracts(synthetic_customers(count, today), today)


def _due_dates(contract) -> list[date]:
    body = validate_contract(contract.data)
    return [i.due_date for i in schedule(body.start_date, body.tenor_months, body.due_day, 1, lambda _d: False)]


def test_every_demo_contract_passes_the_same_validation_as_the_api() -> None:
    planned = _plan()

    assert 0 < len(planned) <= MAX_CONTRACTS
    bodies = [validate_contract(c.data) for c in planned]
    assert sum(b.product == "car" for b in bodies) > len(bodies) / 2
    assert len({b.virtual_account for b in bodies}) == len(bodies)
    assert {b.tenor_months for b in bodies} <= {12, 24, 36, 48}


def test_installments_fall_due_around_today_and_the_overdue_ones_are_left_unpaid() -> None:
    planned = _plan()
    offsets = {(c.zone, (d - TUESDAY).days) for c in planned if c.unpaid is None for d in _due_dates(c)}
    unpaid = {(c.zone, (_due_dates(c)[c.unpaid - 1] - TUESDAY).days) for c in planned if c.unpaid is not None}

    assert {("Asia/Jakarta", k) for k in (7, 3, 1, 0)} <= offsets
    assert unpaid >= {("Asia/Jakarta", -1), ("Asia/Jakarta", -3), ("Asia/Jakarta", -7)}
    assert {zone for zone, _ in unpaid} == {"Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"}


def test_some_are_paid_off_with_the_bpkb_ready_and_some_have_service_dates_soon() -> None:
    bodies = [validate_contract(c.data) for c in _plan()]

    assert any(b.status == "paid_off" and b.bpkb_status == "ready" for b in bodies)
    stnk = {b.stnk_tax_date for b in bodies if b.status == "active"}
    assert {TUESDAY + timedelta(days=30), TUESDAY + timedelta(days=7)} <= stnk
    assert TUESDAY + timedelta(days=30) in {b.insurance_end_date for b in bodies}
    assert any(b.start_date == date(2024, 6, 17) for b in bodies)  # an anniversary today


def test_the_plan_is_the_same_every_time() -> None:
    assert [c.data for c in _plan()] == [c.data for c in _plan()]


def test_a_leap_day_is_planned_too() -> None:
    for contract in _plan(today=date(2028, 2, 29)):
        validate_contract(contract.data)
