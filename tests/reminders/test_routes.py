"""The reminders API: a run by hand, the ladder as data, and the metrics the collection desk reads."""

from __future__ import annotations

from tests.reminders.conftest import ADMIN, pay


def test_a_run_by_hand_answers_with_its_counts_and_a_second_sends_nothing(api, borrower) -> None:
    borrower()
    borrower(consents={})

    status, first = api("POST", "/reminders/runs", {"date": "2025-06-17"}, ADMIN)
    _, second = api("POST", "/reminders/runs", {"date": "2025-06-17"}, ADMIN)

    assert status == 200
    assert (first["date"], first["sent"], first["by_step"]) == (
        "2025-06-17",
        2,
        {"H-3": {"email": 1, "whatsapp": 1}},
    )
    assert first["items_read"] == 2
    assert (second["sent"], second["already_sent"]) == (0, 2)


def test_a_run_needs_a_real_date_and_the_reminders_permission(api, staff_token) -> None:
    status, body = api("POST", "/reminders/runs", {"date": "2025-02-30"}, ADMIN)
    assert status == 400
    assert "date" in body["fields"]

    status, _ = api("POST", "/reminders/runs", {"date": "2025-06-17"}, staff_token("agent"))
    assert status == 403


def test_the_ladder_is_shown_saved_with_its_version_and_a_stale_save_is_refused(api) -> None:
    _, shown = api("GET", "/reminders/ladder", None, ADMIN)
    assert (shown["source"], shown["version"]) == ("default", 0)
    assert [s["step"] for s in shown["steps"][:4]] == ["H-7", "H-3", "H-1", "H0"]

    shorter = {"steps": shown["steps"][1:], "late_fee_permille_per_day": 4, "version": 0}
    status, saved = api("PUT", "/reminders/ladder", shorter, ADMIN)
    assert status == 200
    assert (saved["source"], saved["version"], saved["steps"][0]["step"]) == ("saved", 1, "H-3")

    status, stale = api("PUT", "/reminders/ladder", shorter, ADMIN)
    assert status == 409
    assert stale["fields"] == {"version": "is 1 now"}


def test_a_ladder_that_would_call_before_the_due_date_is_refused_naming_the_step(api) -> None:
    body = {"steps": [{"kind": "installment", "days": -1, "call_task": True}], "version": 0}

    status, answer = api("PUT", "/reminders/ladder", body, ADMIN)

    assert status == 400
    assert "only an overdue installment step" in str(answer["fields"])


def test_a_saved_ladder_is_what_the_next_run_follows(api, borrower) -> None:
    person = borrower()
    _, shown = api("GET", "/reminders/ladder", None, ADMIN)
    without_h3 = [s for s in shown["steps"] if s["step"] != "H-3"]
    api("PUT", "/reminders/ladder", {"steps": without_h3, "version": 0}, ADMIN)

    _, run = api("POST", "/reminders/runs", {"date": "2025-06-17"}, ADMIN)
    _, messages = api("GET", f"/customers/{person['id']}/messages", None, ADMIN)

    assert run["sent"] == 0
    assert messages["items"] == []


def test_the_metrics_count_each_step_and_the_installments_paid_after_it(api, borrower) -> None:
    paying = borrower()
    borrower()
    borrower(contract={"due_day": 14})  # pay by Saturday 14 June: overdue on the 17th
    api("POST", "/reminders/runs", {"date": "2025-06-17"}, ADMIN)
    pay(paying["contract_no"], 1, paid_at="2025-06-18T10:00:00+07:00")

    status, metrics = api("GET", "/reminders/metrics?from=2025-06-01&to=2025-06-30", None, ADMIN)

    assert status == 200
    assert metrics["sent"] == {"H+3": {"whatsapp": 1}, "H-3": {"whatsapp": 2}}
    h3 = metrics["paid_after"]["H-3"]
    assert (h3["reminded"], h3["within_1_days"], h3["within_7_days"], h3["rate_1_days"]) == (2, 1, 1, 0.5)
    assert metrics["paid_after"]["H+3"]["within_7_days"] == 0
    # June: the 14 June installment is the only one whose pay-by date has passed, and it is unpaid.
    assert metrics["overdue_rate"] == [{"month": "2025-06", "due": 1, "late": 1, "rate": 1.0}]
    assert isinstance(metrics["journeys"], list)


def test_a_metrics_period_must_be_ordered_and_at_most_a_quarter(api) -> None:
    status, body = api("GET", "/reminders/metrics?from=2025-06-30&to=2025-06-01", None, ADMIN)
    assert status == 400
    assert body["fields"] == {"to": "must not be before from"}

    status, body = api("GET", "/reminders/metrics?from=2025-01-01&to=2025-06-30", None, ADMIN)
    assert status == 400
    assert "at most 92 days" in body["fields"]["to"]
