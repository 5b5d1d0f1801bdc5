"""The sender's reminder gate: what it reads for a queued reminder, and when it ends it unsent."""

from __future__ import annotations

from chalicelib.outbound.delivery import Cancel
from chalicelib.outbound.envelope import Envelope
from chalicelib.reminders.gate import ReminderGate

GATE = ReminderGate("sapa-test-contracts")


def _envelope(occasion: str = "reminder", **extra: object) -> Envelope:
    extra = extra or {"contract_no": "KTR-1", "installment_no": 2, "step": "H-1"}
    return Envelope("msg_1", "whatsapp", "reminder", occasion, "KTR-1#002", "teks", customer_id="c1", extra=extra)


def test_a_reminder_reads_its_installment_and_a_service_notice_its_service_date() -> None:
    installment = GATE.probe(_envelope())
    service = GATE.probe(_envelope("service", contract_no="KTR-1", service="stnk_tax", service_date="2025-07-17"))

    assert installment is not None
    assert dict(installment.key) == {"pk": "contract#KTR-1", "sk": "inst#002"}
    assert service is not None
    assert dict(service.key) == {"pk": "contract#KTR-1", "sk": "svc#stnk_tax"}


def test_messages_that_are_not_reminders_are_not_its_concern() -> None:
    greeting = Envelope("msg_2", "whatsapp", "greeting", "birthday", "2025-06-17", "teks", customer_id="c1")

    assert GATE.probe(greeting) is None


def test_an_unpaid_installment_lets_the_reminder_go_and_a_paid_or_closed_one_ends_it() -> None:
    envelope = _envelope()

    assert GATE.verdict(envelope, {"status": "unpaid", "due_key": "inst#2025-06-20#Asia/Jakarta"}) is None
    assert GATE.verdict(envelope, {"status": "paid"}) == Cancel("installment paid")
    assert GATE.verdict(envelope, {"status": "unpaid"}) == Cancel("contract closed")  # paid off, terminated
    assert GATE.verdict(envelope, None) == Cancel("contract closed")  # erased


def test_a_service_date_acted_on_or_moved_ends_its_notice() -> None:
    envelope = _envelope("service", contract_no="KTR-1", service="stnk_tax", service_date="2025-07-17")

    assert GATE.verdict(envelope, {"date": "2025-07-17", "due_key": "stnk_tax#2025-07-17#Asia/Jakarta"}) is None
    assert GATE.verdict(envelope, {"date": "2026-07-17", "due_key": "x"}) == Cancel("service done")
    assert GATE.verdict(envelope, None) == Cancel("service done")
