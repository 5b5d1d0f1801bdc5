"""The reminders report: what each step sent, who paid after it, the overdue months, and the ladder."""

from __future__ import annotations

from chalicelib.contracts.payments import record_payments
from chalicelib.customers.service import Actor
from tests.clocks import now
from tests.wired import wired


def _borrower(n: int, due_day: int) -> str:
    container = wired()
    container.customers.customer_service().upsert(
        {
            "external_id": f"CR-{n}",
            "name": f"Pelanggan {n}",
            "phone": f"+6281211110{n:03d}",
            "province": "DKI Jakarta",
            "consents": {"whatsapp": ["greetings"]},
        },
        Actor("test", "api"),
    )
    container.contracts.service().put(
        {
            "contract_no": f"KR-{n}",
            "customer_external_id": f"CR-{n}",
            "product": "car",
            "vehicle": {"brand": "Honda", "model": "Brio", "year": 2022, "plate": f"B {n} CR"},
            "start_date": "2025-05-20",
            "tenor_months": 12,
            "installment_amount": 2_000_000,
            "due_day": due_day,
            "virtual_account": f"880800000{n:04d}",
        },
        "financing",
    )
    return f"KR-{n}"


def test_a_supervisor_sees_each_step_sent_and_paid_after_and_the_overdue_month(browser, console_user) -> None:
    paying = _borrower(1, 20)  # H-3 on Tuesday 17 June
    _borrower(2, 14)  # H+3: paid by Saturday 14 June, still unpaid
    wired().reminders.run().run_date(now().date())
    payment = {"payment_id": "CRP-1", "contract_no": paying, "installment_no": 1, "amount": 2_000_000}
    record_payments([{**payment, "paid_at": "2025-06-17T12:00:00+07:00"}], wired().contracts.store(), now)
    email, _ = console_user("sinta", "viewer")
    browser.sign_in(email)

    answer = browser.get("/console/reminders?from=2025-06-01&to=2025-06-30")

    page = answer.body.decode()
    assert answer.status_code == 200
    assert page.count('data-testid="reminder-step-row"') == 2
    assert page.index(">H-3<") < page.index(">H+3<")  # in the ladder's order, not the alphabet's
    assert "100.0 %" in page  # H-3: the one reminded paid the same day
    assert page.count('data-testid="overdue-month-row"') == 1
    assert page.count('data-testid="ladder-row"') == 13


def test_a_reversed_period_is_said_not_failed(browser, console_user) -> None:
    email, _ = console_user("sinta", "viewer")
    browser.sign_in(email)

    answer = browser.get("/console/reminders?from=2025-06-30&to=2025-06-01")

    assert answer.status_code == 200
    assert 'role="alert"' in answer.body.decode()


def test_an_agent_may_not_open_it_without_the_metrics_permission(browser, console_user) -> None:
    email, _ = console_user("budi", "telemarketer")
    browser.sign_in(email)

    assert browser.get("/console/reminders").status_code == 403
