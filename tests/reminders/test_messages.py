"""What one step says, to whom and on which channel: the contract's word, never a withdrawn channel."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from chalicelib.greetings.messages import CallTask
from chalicelib.outbound.envelope import Envelope
from chalicelib.reminders.ladder import DEFAULT_LADDER, LadderStep
from chalicelib.reminders.messages import Due, decide, long_date

H3 = LadderStep(kind="installment", days=-3)
H_PLUS_3 = LadderStep(kind="installment", days=3, call_task=True)
STNK = LadderStep(kind="stnk_tax", days=-30)
TODAY = date(2025, 6, 17)


def _customer(**changes: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": "c1",
        "name": "Budi Santoso",
        "phone": "+6281234567890",
        "email": "budi@contoh.co.id",
        "language": "id",
        "consents": {"whatsapp": ["greetings"], "email": []},
    }
    item.update(changes)
    return item


def _installment(**changes: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "contract_no": "KTR-1",
        "customer_id": "c1",
        "number": 2,
        "pay_by": "2025-06-20",
        "due_date": "2025-06-20",
        "amount": 3_500_000,
        "virtual_account": "8808123400001",
        "vehicle": {"brand": "Toyota", "model": "Avanza", "plate": "B 1234 XY"},
        "product": "car",
    }
    item.update(changes)
    return item


def _decide(customer: dict[str, Any] | None, step: LadderStep = H3, item: dict[str, Any] | None = None) -> Any:
    item = item or _installment()
    return decide(customer, Due(item, step), item, DEFAULT_LADDER, None, TODAY)


def test_an_opted_in_customer_is_reminded_on_whatsapp_with_the_amount_the_date_and_the_account() -> None:
    envelope = _decide(_customer())

    assert isinstance(envelope, Envelope)
    assert envelope.channel == "whatsapp"
    assert (envelope.purpose, envelope.occasion) == ("reminder", "reminder")
    assert envelope.extra["step"] == "H-3"
    assert "Rp3.500.000" in envelope.text
    assert "20 Juni 2025" in envelope.text
    assert "8808123400001" in envelope.text
    assert "denda 0,5% per hari" in envelope.text
    assert envelope.whatsapp_template is not None
    assert envelope.whatsapp_template["name"] == "sapa_pengingat_angsuran"
    assert "Budi" in envelope.whatsapp_template["params"]


def test_a_customer_without_any_whatsapp_opt_in_is_reminded_by_email() -> None:
    envelope = _decide(_customer(consents={}, language="en"))

    assert isinstance(envelope, Envelope)
    assert envelope.channel == "email"
    assert "20 June 2025" in (envelope.subject or "")
    assert "8808123400001" in envelope.text


def test_berhenti_on_whatsapp_means_email_even_though_reminders_need_no_consent() -> None:
    withdrew = _customer(consents={"whatsapp": [], "email": []}, consents_withdrawn={"whatsapp": ["greetings"]})

    envelope = _decide(withdrew)

    assert isinstance(envelope, Envelope)
    assert envelope.channel == "email"


def test_nobody_reachable_before_the_due_date_is_not_contacted_and_overdue_at_h3_becomes_a_call() -> None:
    unreachable = _customer(
        consents={"whatsapp": [], "email": []},
        consents_withdrawn={"whatsapp": ["greetings"], "email": ["greetings"]},
    )

    assert _decide(unreachable) == "unreachable"
    call = _decide(unreachable, H_PLUS_3, _installment(pay_by="2025-06-14"))
    assert isinstance(call, CallTask)
    assert call.kind == "reminder"
    assert call.day == TODAY
    assert "14 Juni 2025" in call.script
    assert "hanya dengan nasabah" in call.script


def test_the_same_step_has_one_message_id_whichever_channel_it_would_take() -> None:
    by_whatsapp = _decide(_customer())
    by_email = _decide(_customer(consents={}))

    assert by_whatsapp.message_id == by_email.message_id
    assert by_whatsapp.message_id != _decide(_customer(), LadderStep(kind="installment", days=-1)).message_id
    assert by_whatsapp.message_id != _decide(_customer(), H3, _installment(number=3)).message_id


def test_a_step_outside_its_window_is_written_waiting_for_the_opening() -> None:
    monday = datetime(2025, 6, 23, 1, 0, tzinfo=UTC)
    item = _installment()

    envelope = decide(_customer(), Due(item, H3), item, DEFAULT_LADDER, monday, TODAY)

    assert isinstance(envelope, Envelope)
    assert envelope.not_before == "2025-06-23T01:00:00Z"


def test_a_service_notice_names_its_date_and_the_vehicle() -> None:
    item = {**_installment(), "kind": "stnk_tax", "date": "2025-07-17"}
    del item["number"]

    envelope = decide(_customer(), Due(item, STNK), item, DEFAULT_LADDER, None, TODAY)

    assert isinstance(envelope, Envelope)
    assert (envelope.purpose, envelope.occasion, envelope.extra["step"]) == ("service", "service", "stnk_tax")
    assert "Toyota Avanza B 1234 XY" in envelope.text
    assert "17 Juli 2025" in envelope.text


def test_an_item_of_another_customer_is_never_sent_to_this_one() -> None:
    assert _decide(_customer(id="someone-else")) == "customer_mismatch"
    assert _decide(None) == "customer_erased"


def test_dates_read_as_people_write_them() -> None:
    assert long_date(date(2026, 12, 5), "id") == "5 Desember 2026"
    assert long_date(date(2026, 12, 5), "en") == "5 December 2026"
