"""At send time: a message outside its contact hours waits, the outbound halt holds everything, nothing is lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.customers.service import Actor
from chalicelib.outbound.envelope import Envelope
from chalicelib.outbound.message_log import message_id
from tests.wiring import customers as customer_deps
from tests.wiring import outbound as deps

ADMIN = {"Authorization": "Bearer test-admin-token"}
TUESDAY_19_WIB = datetime(2025, 6, 17, 12, 0, tzinfo=UTC)


@pytest.fixture
def siti(aws) -> dict[str, Any]:
    customer, _ = customer_deps.customer_service().upsert(
        {
            "external_id": "SEND-1",
            "name": "Siti Rahma",
            "phone": "081211112222",
            "province": "DKI Jakarta",
            "consents": {"whatsapp": ["greetings", "promotions"]},
        },
        Actor("test", "api"),
    )
    return customer


def _envelope(customer: dict[str, Any], purpose: str, ref: str) -> Envelope:
    occasion = {"reminder": "installment", "promotion": "campaign_x", "greeting": "birthday"}[purpose]
    return Envelope(
        message_id=message_id(customer["id"], occasion, ref, "whatsapp"),
        customer_id=customer["id"],
        channel="whatsapp",
        purpose=purpose,
        occasion=occasion,
        occasion_ref=ref,
        text=f"{purpose} {ref}",
        whatsapp_template={"name": f"sapa_{purpose}", "language": "id", "params": [ref]},
    )


def _status(envelope: Envelope) -> dict[str, Any]:
    return customer_deps.message_log().get(envelope.message_id) or {}


def test_a_reminder_at_nineteen_goes_out_and_at_twenty_thirty_waits_for_eight(
    api, clock, siti, runner, whatsapp
) -> None:
    clock.set(TUESDAY_19_WIB)
    at_seven = _envelope(siti, "reminder", "H-3")
    deps.dispatcher().dispatch([at_seven])
    runner.drain()
    clock.set(TUESDAY_19_WIB + timedelta(minutes=90))  # 20:30 WIB
    late = _envelope(siti, "reminder", "H-1")
    deps.dispatcher().dispatch([late])
    runner.drain()
    waiting = _status(late)
    _, listed = api("GET", f"/customers/{siti['id']}/messages", None, ADMIN)
    clock.set(datetime(2025, 6, 18, 0, 59, 59, tzinfo=UTC))  # 07:59:59 WIB
    early = deps.release().run().released
    clock.set(datetime(2025, 6, 18, 1, 0, tzinfo=UTC))  # 08:00 WIB
    on_time = deps.release().run().released
    runner.drain()

    assert [m["params"] for m in whatsapp.messages()] == [["H-3"], ["H-1"]]
    assert (waiting["status"], waiting["not_before"]) == ("deferred", "2025-06-18T01:00:00Z")
    shown = next(m for m in listed["items"] if m["id"] == late.message_id)
    assert (shown["status"], shown["not_before"], shown["purpose"]) == ("deferred", "2025-06-18T01:00:00Z", "reminder")
    assert (early, on_time) == (0, 1)
    assert _status(late)["status"] == "sent"


def test_a_promotion_queued_in_hours_but_reached_after_closing_waits_and_is_sent_once(
    clock, siti, runner, whatsapp
) -> None:
    clock.set(datetime(2025, 6, 17, 10, 59, 59, tzinfo=UTC))  # 17:59:59 WIB
    offer = _envelope(siti, "promotion", "juni")
    deps.dispatcher().dispatch([offer])
    clock.set(datetime(2025, 6, 17, 11, 0, 1, tzinfo=UTC))  # 18:00:01: the sender reaches it too late
    runner.drain()
    parked = _status(offer)
    clock.set(datetime(2025, 6, 18, 1, 0, tzinfo=UTC))
    for _ in range(2):  # two release runs and a redelivery find it once
        deps.release().run()
        runner.drain()

    assert (parked["status"], parked["not_before"]) == ("deferred", "2025-06-18T01:00:00Z")
    assert len(whatsapp.messages()) == 1
    assert _status(offer)["status"] == "sent"


def test_the_halt_holds_every_message_and_resume_delivers_each_once(api, clock, siti, runner, whatsapp) -> None:
    greetings = [_envelope(siti, "greeting", f"2025-06-1{i}") for i in range(3)]

    halted, state = api("POST", "/outbound/halt", {"reason": "wrong template in the birthday greeting"}, ADMIN)
    deps.dispatcher().dispatch(greetings)
    runner.drain()
    _, during = api("GET", "/outbound/status", None, ADMIN)
    released_while_halted = deps.release().run()
    resumed, after = api("POST", "/outbound/resume", None, ADMIN)
    runner.drain()
    deps.release().run()  # a later run finds nothing left
    runner.drain()
    _, status_after = api("GET", "/outbound/status", None, ADMIN)
    _, audit = api("GET", "/audit", None, ADMIN)

    assert (halted, state["halted"], state["by"]) == (200, True, "local-admin")
    assert during["halted"] is True
    assert during["reason"] == "wrong template in the birthday greeting"
    assert during["waiting"]["whatsapp"] == 3
    assert released_while_halted.halted is True
    assert (resumed, after["halted"], after["released"]) == (200, False, 3)
    assert sorted(m["params"][0] for m in whatsapp.messages()) == ["2025-06-10", "2025-06-11", "2025-06-12"]
    assert status_after["waiting"]["whatsapp"] == 0
    assert {e["action"] for e in audit["items"]} >= {"outbound.halt", "outbound.resume"}


def test_only_an_admin_halts_and_everyone_sees_the_switch(api, staff_token) -> None:
    marketer = staff_token("marketer")
    viewer = staff_token("viewer")

    refused, _ = api("POST", "/outbound/halt", {"reason": "saya panik"}, marketer)
    seen, status = api("GET", "/outbound/status", None, viewer)
    no_reason, problem = api("POST", "/outbound/halt", {}, ADMIN)

    assert refused == 403
    assert (seen, status["halted"]) == (200, False)
    assert no_reason == 400
    assert "reason" in problem["fields"]


def test_halting_twice_keeps_the_first_halt_and_resuming_twice_is_harmless(api) -> None:
    api("POST", "/outbound/halt", {"reason": "first incident"}, ADMIN)
    _, second = api("POST", "/outbound/halt", {"reason": "second press"}, ADMIN)
    api("POST", "/outbound/resume", None, ADMIN)
    again, body = api("POST", "/outbound/resume", None, ADMIN)

    assert second["reason"] == "first incident"
    assert (again, body["halted"], body["released"]) == (200, False, 0)
