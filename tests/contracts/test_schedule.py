"""The schedule a customer is told: one installment a month, paid ahead of Sundays and national holidays."""

from __future__ import annotations

from datetime import date

from chalicelib.contracts.schedule import add_months, pay_by, schedule


def never(_day: date) -> bool:
    return False


def test_installment_n_falls_in_the_nth_month_after_the_start() -> None:
    installments = schedule(date(2026, 1, 20), 3, 5, 3_500_000, never)

    assert [i.due_date for i in installments] == [date(2026, 2, 5), date(2026, 3, 5), date(2026, 4, 5)]
    assert [i.number for i in installments] == [1, 2, 3]
    assert {i.amount for i in installments} == {3_500_000}


def test_a_due_day_the_month_lacks_is_its_last_day() -> None:
    installments = schedule(date(2027, 12, 31), 4, 31, 1_000_000, never)

    assert [i.due_date for i in installments] == [
        date(2028, 1, 31),
        date(2028, 2, 29),  # leap year
        date(2028, 3, 31),
        date(2028, 4, 30),
    ]
    assert add_months(date(2026, 12, 15), 2, 30) == date(2027, 2, 28)


def test_a_sunday_due_date_is_paid_by_the_saturday_before() -> None:
    assert pay_by(date(2026, 7, 5), never) == date(2026, 7, 4)  # Sunday -> Saturday
    assert pay_by(date(2026, 7, 4), never) == date(2026, 7, 4)  # Saturday is a working day


def test_a_holiday_due_date_is_paid_by_the_working_day_before_skipping_the_sunday() -> None:
    holidays = {date(2026, 8, 17)}  # Monday, Independence Day

    assert pay_by(date(2026, 8, 17), holidays.__contains__) == date(2026, 8, 15)  # past Sunday 16 to Saturday 15


def test_a_run_of_days_off_moves_the_pay_by_date_before_all_of_them() -> None:
    lebaran = {date(2027, 3, 10), date(2027, 3, 11), date(2027, 3, 12)}  # Wed-Fri

    due = schedule(date(2027, 2, 1), 1, 12, 2_000_000, lebaran.__contains__)[0]

    assert (due.due_date, due.pay_by) == (date(2027, 3, 12), date(2027, 3, 9))
