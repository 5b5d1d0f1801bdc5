"""Reminder runs: each step once, at 08:00 in the customer's zone, read from the index, stopped by a payment."""

from __future__ import annotations

from datetime import UTC, date, datetime

from chalicelib.customers.service import Actor
from tests.reminders.conftest import messages, pay
from tests.wired import customers as customer_deps
from tests.wired import greetings as greeting_deps
from tests.wired import reminders as deps

TUESDAY = date(2025, 6, 17)


def test_a_run_sends_the_h3_reminder_in_every_zone_reading_one_item_per_reminder(borrower) -> None:
    people = [borrower(zone) for zone in ("WIB", "WITA", "WIT")]

    report = deps.run().run_date(TUESDAY)

    assert report.total_sent == 3
    assert report.by_step() == {"H-3": {"whatsapp": 3}}
    assert report.items_read == 3
    for person in people:
        (message,) = messages(person["id"])
        assert (message["occasion"], message["step"], message["purpose"]) == ("reminder", "H-3", "reminder")
        assert message["status"] == "queued"
        assert message["channel"] == "whatsapp"
        assert "20 Juni 2025" in message["text"]


def test_the_hourly_schedule_reminds_each_zone_at_eight_local_and_reads_nothing_once_a_day_is_done(
    borrower,
) -> None:
    jakarta, jayapura = borrower("WIB"), borrower("WIT")
    run = deps.run()

    # 23:00 UTC on 16 June is 08:00 on the 17th in Jayapura, still 06:00 in Jakarta.
    early = run.run_hourly(datetime(2025, 6, 16, 23, 0, tzinfo=UTC))
    assert early.total_sent == 1
    assert [m["step"] for m in messages(jayapura["id"])] == ["H-3"]
    assert messages(jakarta["id"]) == []

    at_eight_wib = run.run_hourly(datetime(2025, 6, 17, 1, 0, tzinfo=UTC))
    assert at_eight_wib.total_sent == 1
    assert len(messages(jakarta["id"])) == 1
    assert at_eight_wib.zones_done == ["Asia/Jakarta", "Asia/Makassar"]

    later = run.run_hourly(datetime(2025, 6, 17, 5, 0, tzinfo=UTC))
    assert (later.total_sent, later.items_read, later.zones_done) == (0, 0, [])


def test_running_a_date_again_sends_nothing_new(borrower) -> None:
    person = borrower()
    deps.run().run_date(TUESDAY)

    again = deps.run().run_date(TUESDAY)

    assert again.total_sent == 0
    assert again.already_sent == 1
    assert len(messages(person["id"])) == 1


def test_a_payment_before_the_h1_step_means_no_h1_reminder(borrower) -> None:
    person = borrower()
    deps.run().run_date(TUESDAY)  # H-3
    pay(person["contract_no"], 1)

    h1 = deps.run().run_date(date(2025, 6, 19))

    assert (h1.total_sent, h1.items_read) == (0, 0)
    assert [m["step"] for m in messages(person["id"])] == ["H-3"]


def test_a_reminder_already_queued_is_cancelled_at_send_time_when_the_installment_was_paid(
    borrower, runner, whatsapp, fast_rates
) -> None:
    paid, unpaid = borrower(), borrower()
    deps.run().run_date(TUESDAY)
    pay(paid["contract_no"], 1)

    runner.drain("send_outbound")

    (cancelled,) = messages(paid["id"])
    assert (cancelled["status"], cancelled["reason"]) == ("cancelled", "installment paid")
    assert messages(unpaid["id"])[0]["status"] == "sent"
    assert [m["to"] for m in whatsapp.messages()] == [unpaid["phone"].lstrip("+")]


def test_an_overdue_reminder_on_sunday_waits_for_monday_eight_in_the_customers_zone(borrower, clock) -> None:
    # Due Saturday 21 June: H+1 is Sunday the 22nd, when collection contact is not allowed.
    jakarta = borrower("WIB", contract={"due_day": 21})
    makassar = borrower("WITA", contract={"due_day": 21})
    clock.set(datetime(2025, 6, 22, 3, 0, tzinfo=UTC))  # Sunday 10:00 WIB

    report = deps.run().run_date(date(2025, 6, 22))

    assert report.by_step() == {"H+1": {"whatsapp": 2}}
    assert report.deferred == 2
    (waiting,) = messages(jakarta["id"])
    assert (waiting["status"], waiting["not_before"]) == ("deferred", "2025-06-23T01:00:00Z")  # Mon 08:00 WIB
    assert messages(makassar["id"])[0]["not_before"] == "2025-06-23T00:00:00Z"  # Mon 08:00 WITA


def test_a_customer_without_whatsapp_opt_in_gets_email_and_berhenti_is_never_overruled(borrower) -> None:
    no_whatsapp = borrower(consents={})
    stopped = borrower()
    customer_deps.customer_service().withdraw(
        stopped["id"], "whatsapp", ["greetings"], Actor("+62", "whatsapp_keyword")
    )

    deps.run().run_date(TUESDAY)

    assert messages(no_whatsapp["id"])[0]["channel"] == "email"
    assert messages(stopped["id"])[0]["channel"] == "email"


def test_an_overdue_installment_nobody_can_be_written_to_becomes_a_call_at_h3(borrower) -> None:
    # Due 14 June (a Saturday): H+3 is Tuesday the 17th.
    person = borrower(contract={"due_day": 14}, email=None, consents={})

    report = deps.run().run_date(TUESDAY)

    assert report.calls == 1
    calls, _ = greeting_deps.call_list().page(TUESDAY, 50, None, kind="reminder")
    assert [c["customer_id"] for c in calls] == [person["id"]]
    assert "Rp3.500.000" in calls[0]["script"]
    assert messages(person["id"]) == []


def test_the_bpkb_is_announced_the_morning_after_it_is_ready(borrower) -> None:
    from tests.wired import contracts as contract_deps

    person = borrower()
    terms = contract_deps.service().get(person["contract_no"])
    rewritten = {
        k: terms[k]
        for k in (
            "contract_no",
            "product",
            "vehicle",
            "start_date",
            "tenor_months",
            "installment_amount",
            "due_day",
            "virtual_account",
        )
    }
    rewritten.update(customer_external_id="R-1", status="paid_off", bpkb_status="ready")
    contract_deps.service().put(rewritten, "financing")

    assert deps.run().run_date(TUESDAY).by_step() == {}
    report = deps.run().run_date(date(2025, 6, 18))

    assert report.by_step() == {"bpkb_ready": {"whatsapp": 1}}
    (message,) = messages(person["id"])
    assert (message["occasion"], message["purpose"], message["step"]) == ("service", "service", "bpkb_ready")
    assert "BPKB" in message["text"]
    assert "lunas" in message["text"]


def test_the_stnk_tax_is_announced_thirty_days_ahead(borrower) -> None:
    person = borrower(contract={"stnk_tax_date": "2025-07-17", "due_day": 1})

    report = deps.run().run_date(TUESDAY)

    assert report.by_step() == {"stnk_tax": {"whatsapp": 1}}
    assert "17 Juli 2025" in messages(person["id"])[0]["text"]


def test_erasure_takes_the_customers_sent_steps(borrower, api) -> None:
    from tests.reminders.conftest import ADMIN

    person = borrower()
    deps.run().run_date(TUESDAY)
    assert len(list(deps.log().sent_on(TUESDAY))) == 1

    status, _ = api("DELETE", f"/customers/{person['id']}", None, ADMIN)

    assert status == 200
    assert list(deps.log().sent_on(TUESDAY)) == []


def test_an_h1_on_a_sunday_before_a_monday_pay_by_gives_way_to_h0_so_one_morning_has_one_message(
    borrower, clock
) -> None:
    person = borrower(contract={"due_day": 23})  # Monday 23 June
    clock.set(datetime(2025, 6, 22, 3, 0, tzinfo=UTC))  # Sunday 10:00 WIB

    sunday = deps.run().run_date(date(2025, 6, 22))

    assert "H-1" in sunday.superseded
    assert (sunday.total_sent, sunday.items_read) == (0, 0)
    clock.set(datetime(2025, 6, 23, 1, 0, tzinfo=UTC))  # Monday 08:00 WIB
    monday = deps.run().run_date(date(2025, 6, 23))
    assert monday.by_step() == {"H0": {"whatsapp": 1}}
    assert [m["step"] for m in messages(person["id"])] == ["H0"]
