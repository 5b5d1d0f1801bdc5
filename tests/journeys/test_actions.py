"""Who a step may write to, on which channel, and what it says."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from chalicelib.greetings.messages import CallTask
from chalicelib.journeys.actions import StepActions, Target, may_use
from chalicelib.journeys.model import parse_journey
from chalicelib.outbound.envelope import Envelope

NOW = datetime(2025, 6, 17, 3, 0, tzinfo=UTC)


def _customer(**fields: Any) -> dict[str, Any]:
    data = {"id": "c1", "name": "Budi Santoso", "phone": "+6281200000001", "email": "budi@contoh.co.id"}
    data.update(fields)
    return data


def _actions(opens: datetime | None = None) -> StepActions:
    return StepActions(
        unsubscribe_url=lambda customer_id, purpose: f"https://sapa.test/u/{customer_id}/{purpose}",
        opening=lambda _customer, _purpose, _now: opens,
        local_date=lambda _customer, moment: moment.date(),
    )


def _journey(action: dict[str, Any]) -> Any:
    return parse_journey(
        {"id": "j", "name": "Lunas", "trigger": {"kind": "paid_off"}, "steps": [{"id": "s", "action": action}]}
    )


def _decide(action: dict[str, Any], customer: dict[str, Any], opens: datetime | None = None) -> Any:
    journey = _journey(action)
    target = Target(journey, customer, "K-1", {"vehicle": "Honda Brio", "contract_no": "K-1"}, NOW)
    return _actions(opens).decide(journey.steps[0], target, NOW)


PROMOTION = {"kind": "message", "channels": ["whatsapp", "email"], "purpose": "promotion", "template": "repeat_order"}
SERVICE = {"kind": "message", "channels": ["whatsapp", "email"], "purpose": "service", "template": "payoff"}


def test_a_promotion_needs_promotion_consent_on_the_channel() -> None:
    assert _decide(PROMOTION, _customer(consents={"whatsapp": ["greetings"]})) == "no_consent"
    envelope = _decide(PROMOTION, _customer(consents={"email": ["promotions"]}))
    assert isinstance(envelope, Envelope)
    assert (envelope.channel, envelope.purpose) == ("email", "promotion")
    assert envelope.unsubscribe_url == "https://sapa.test/u/c1/promotions"
    assert "https://sapa.test/u/c1/promotions" in envelope.text


def test_a_service_message_needs_some_whatsapp_opt_in_and_skips_a_withdrawn_email() -> None:
    no_opt_in = _customer(consents={}, consents_withdrawn={"email": ["promotions"]})
    assert _decide(SERVICE, no_opt_in) == "unreachable"
    envelope = _decide(SERVICE, _customer(consents={"whatsapp": ["greetings"]}))
    assert envelope.channel == "whatsapp"
    assert envelope.unsubscribe_url is None


def test_a_service_message_renders_the_contract_facts_in_the_customers_language() -> None:
    envelope = _decide(SERVICE, _customer(language="en", consents={"whatsapp": ["greetings"]}))

    assert envelope.language == "en"
    assert "paid off" in envelope.text
    assert "Honda Brio" in envelope.text
    assert envelope.whatsapp_template["name"] == "sapa_lunas"


def test_outside_its_window_the_message_is_written_waiting() -> None:
    opens = datetime(2025, 6, 18, 1, 0, tzinfo=UTC)

    envelope = _decide(PROMOTION, _customer(consents={"whatsapp": ["promotions"]}), opens)

    assert envelope.not_before == "2025-06-18T01:00:00Z"


def test_the_same_step_for_the_same_occurrence_has_the_same_message_id() -> None:
    customer = _customer(consents={"whatsapp": ["greetings"]})

    assert _decide(SERVICE, customer).message_id == _decide(SERVICE, customer).message_id


def test_a_call_task_needs_a_phone_and_carries_the_note() -> None:
    call = {"kind": "call_task", "note": "Tawarkan pembiayaan baru"}

    assert _decide(call, _customer(phone=None)) == "unreachable"
    task = _decide(call, _customer())
    assert isinstance(task, CallTask)
    assert task.day == date(2025, 6, 17)
    assert "Tawarkan pembiayaan baru" in task.script
    assert task.occasion == "journey:j:s:K-1"


def test_may_use_follows_the_purpose() -> None:
    customer = _customer(consents={"whatsapp": ["promotions"]}, consents_withdrawn={"email": ["promotions"]})

    assert may_use(customer, "whatsapp", "promotion")
    assert not may_use(customer, "whatsapp", "greeting")
    assert may_use(customer, "whatsapp", "service")
    assert not may_use(customer, "email", "service")
