"""Journeys at work against the real stores, message log and call list (moto), on Sapa's pinned clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.customers.service import Actor
from tests.journeys.conftest import approved, paid_off
from tests.wired import customers as customer_deps
from tests.wired import greetings as greeting_deps
from tests.wired import outbound as outbound_deps

TUESDAY_10_WIB = datetime(2025, 6, 17, 3, 0, tzinfo=UTC)
TUESDAY_23_WIB = datetime(2025, 6, 17, 16, 0, tzinfo=UTC)

WHATSAPP_SERVICE = {"kind": "message", "channels": ["whatsapp", "email"], "purpose": "service", "template": "welcome"}


def _journey(journeys: Any, **overrides: Any) -> Any:
    data: dict[str, Any] = {
        "id": "onboarding",
        "name": "Onboarding",
        "trigger": {"kind": "contract_approved"},
        "steps": [{"id": "welcome", "action": WHATSAPP_SERVICE}],
        "exit": {"events": ["paid_off"]},
    }
    data.update(overrides)
    return journeys.editor().create(data, "test")


def test_a_contract_approval_delivered_twice_enrols_the_customer_once_and_welcomes_once(
    journeys, add_customer, messages, clock
) -> None:
    journeys.editor().seed_defaults("test")
    customer = add_customer()

    first = journeys.engine().handle(approved(customer["id"], TUESDAY_10_WIB))
    again = journeys.engine().handle(approved(customer["id"], TUESDAY_10_WIB))

    assert first.started == 2  # the welcome and the month-6 cross-sell
    assert (again.started, again.already_enrolled) == (0, 2)
    sent = messages(customer["id"])
    assert [(m["channel"], m["purpose"], m["status"]) for m in sent] == [("whatsapp", "service", "queued")]
    # How and where to pay, and when: the contract's installment, virtual account and due day.
    for fact in ("Rp2.500.000", "8808123456", "tanggal 5"):
        assert fact in sent[0]["text"]
    assert journeys.enrolments().counts("welcome")["started"] == 1


def test_the_welcome_goes_out_at_once_and_at_night_waits_for_the_service_window_staff_set(
    journeys, add_customer, messages, clock
) -> None:
    journeys.editor().seed_defaults("test")
    by_day, at_night = add_customer(), add_customer()
    policy = outbound_deps.contact_policy_store().current()
    narrower = policy.model_copy(
        update={"service": policy.service.model_copy(update={"start": "07:00", "end": "21:00"})}
    )
    stored = outbound_deps.contact_policy_store().read()
    outbound_deps.contact_policy_store().replace(narrower, "test", clock.now, stored.version)

    journeys.engine().handle(approved(by_day["id"], TUESDAY_10_WIB))
    clock.set(TUESDAY_23_WIB)
    journeys.engine().handle(approved(at_night["id"], TUESDAY_23_WIB, contract_no="K-2"))

    assert [m["status"] for m in messages(by_day["id"])] == ["queued"]
    [waiting] = messages(at_night["id"])
    assert waiting["status"] == "deferred"
    assert datetime.fromisoformat(waiting["not_before"]) == datetime(2025, 6, 18, 0, 0, tzinfo=UTC)  # 07:00 WIB


def test_the_welcome_needs_no_marketing_consent_but_never_uses_a_withdrawn_channel(
    journeys, add_customer, messages, clock
) -> None:
    _journey(journeys)
    no_marketing = add_customer(consents={"whatsapp": [], "email": []})
    withdrew_email = add_customer(consents={"whatsapp": [], "email": ["promotions"]})
    customer_deps.customer_service().record_consent(
        withdrew_email["id"], "email", ["promotions"], False, Actor("customer", "unsubscribe_link")
    )

    journeys.engine().handle(approved(no_marketing["id"], TUESDAY_10_WIB))
    report = journeys.engine().handle(approved(withdrew_email["id"], TUESDAY_10_WIB, contract_no="K-2"))

    # No WhatsApp opt-in at all: not WhatsApp; the e-mail rests on the contract, no marketing consent needed.
    assert [(m["channel"], m["purpose"]) for m in messages(no_marketing["id"])] == [("email", "service")]
    # The customer withdrew on e-mail and holds nothing there: the channel is not used.
    assert messages(withdrew_email["id"]) == []
    assert report.skipped == {"unreachable": 1}


def test_a_step_whose_condition_fails_is_skipped_with_its_reason_and_the_journey_goes_on(
    journeys, add_customer, messages, clock
) -> None:
    _journey(
        journeys,
        steps=[
            {
                "id": "fleet_only",
                "condition": {"field": "contract_product", "op": "eq", "value": "fleet"},
                "action": WHATSAPP_SERVICE,
            },
            {"id": "call", "delay": {"hours": 1}, "action": {"kind": "call_task", "note": "Cara bayar"}},
        ],
    )
    customer = add_customer()

    journeys.engine().handle(approved(customer["id"], TUESDAY_10_WIB, product="car"))
    clock.set(TUESDAY_10_WIB + timedelta(hours=1))
    report = journeys.engine().advance_due()

    assert messages(customer["id"]) == []
    assert (report.called, report.completed) == (1, 1)
    [went] = journeys.enrolments().of_customer(customer["id"])
    assert [(s["step_id"], s["outcome"], s.get("reason")) for s in went["steps"]] == [
        ("fleet_only", "skipped", "condition"),
        ("call", "called", None),
    ]
    assert went["status"] == "completed"
    tasks, _ = greeting_deps.call_desk().page(TUESDAY_10_WIB.date(), 10, None)
    assert [t["customer_id"] for t in tasks] == [customer["id"]]


def test_the_payoff_offer_waits_for_its_window_and_is_skipped_without_promotion_consent(
    journeys, add_customer, messages, clock
) -> None:
    journeys.editor().seed_defaults("test")
    consenting = add_customer(consents={"whatsapp": ["promotions"], "email": []})
    not_consenting = add_customer(consents={"whatsapp": ["greetings"], "email": []})
    for customer in (consenting, not_consenting):
        journeys.engine().handle(paid_off(customer["id"], TUESDAY_10_WIB))

    clock.set(TUESDAY_10_WIB + timedelta(days=6))
    early = journeys.engine().advance_due()
    assert early.sent == 0  # the offer is a week after the payoff
    clock.set(TUESDAY_23_WIB + timedelta(days=7))  # due, but at night: outside the promotion hours
    late = journeys.engine().advance_due()

    offered = messages(consenting["id"])
    assert [(m["purpose"], m["status"]) for m in offered] == [("service", "queued"), ("promotion", "deferred")]
    assert datetime.fromisoformat(offered[1]["not_before"]) > clock.now
    assert [m["purpose"] for m in messages(not_consenting["id"])] == ["service"]
    assert late.skipped == {"no_consent": 1}


def test_paid_off_stops_the_remaining_steps_of_the_contract_journeys(journeys, add_customer, messages, clock) -> None:
    journeys.editor().seed_defaults("test")
    customer = add_customer(consents={"whatsapp": ["promotions"], "email": []})
    journeys.engine().handle(approved(customer["id"], TUESDAY_10_WIB))

    report = journeys.engine().handle(paid_off(customer["id"], TUESDAY_10_WIB + timedelta(days=30)))
    clock.set(TUESDAY_10_WIB + timedelta(days=200))
    journeys.engine().advance_due()

    assert report.exited == {"paid_off": 1}  # the cross-sell; the welcome had already completed
    assert [m["occasion_date"].split("#")[0] for m in messages(customer["id"])] == ["welcome", "payoff"]
    assert journeys.enrolments().counts("cross_sell_month_6").get("exited:paid_off") == 1


def test_a_paused_journey_holds_its_enrolments_until_it_is_resumed(journeys, add_customer, messages, clock) -> None:
    _journey(journeys, steps=[{"id": "later", "delay": {"days": 1}, "action": WHATSAPP_SERVICE}])
    customer = add_customer()
    journeys.engine().handle(approved(customer["id"], TUESDAY_10_WIB))
    journeys.editor().set_status("onboarding", "paused", "test")

    clock.set(TUESDAY_10_WIB + timedelta(days=1))
    held = journeys.engine().advance_due()
    newcomer = journeys.engine().handle(approved(add_customer()["id"], clock.now))
    journeys.editor().set_status("onboarding", "active", "test")
    resumed = journeys.engine().advance_due()

    assert (held.held, held.sent, newcomer.started) == (1, 0, 0)
    assert resumed.sent == 1
    assert len(messages(customer["id"])) == 1


def test_a_retried_run_sends_nothing_twice_and_counts_once(journeys, add_customer, messages, clock) -> None:
    _journey(journeys, steps=[{"id": "later", "delay": {"days": 1}, "action": WHATSAPP_SERVICE}])
    customer = add_customer()
    journeys.engine().handle(approved(customer["id"], TUESDAY_10_WIB))
    clock.set(TUESDAY_10_WIB + timedelta(days=1))
    [due] = list(journeys.enrolments().due(clock.now))

    first = journeys.engine().advance_due()
    # An overlapping run that read the enrolment before the first one moved it on.
    second = journeys.engine().advance_enrolments([due])

    assert (first.sent, second.sent, second.repeated) == (1, 0, 1)
    assert len(messages(customer["id"])) == 1
    assert journeys.enrolments().counts("onboarding")["step:later:sent"] == 1


def test_metrics_count_starts_steps_skips_and_exits(journeys, add_customer, clock) -> None:
    journeys.editor().seed_defaults("test")
    fleet = add_customer()
    car = add_customer()
    unreachable = add_customer(phone=None, email=None, consents={})
    journeys.engine().handle(approved(fleet["id"], TUESDAY_10_WIB, contract_no="F-1", product="fleet"))
    journeys.engine().handle(approved(car["id"], TUESDAY_10_WIB, contract_no="C-1", product="car"))
    journeys.engine().handle(approved(unreachable["id"], TUESDAY_10_WIB, contract_no="U-1"))
    clock.set(TUESDAY_10_WIB + timedelta(days=2))
    journeys.engine().advance_due()

    from chalicelib.journeys.metrics import conversion

    welcome = conversion(journeys.editor().get("welcome"), journeys.enrolments().counts("welcome"))

    assert (welcome["started"], welcome["completed"]) == (3, 3)
    first, call = welcome["steps"]
    assert (first["reached"], first["sent"], first["skipped"]) == (3, 2, {"unreachable": 1})
    assert (call["reached"], call["called"], call["skipped"]) == (3, 1, {"condition": 2})
    assert first["reached_rate"] == 1.0


def test_a_run_near_its_deadline_leaves_the_due_steps_for_the_next_run(journeys, add_customer, messages, clock) -> None:
    _journey(journeys, steps=[{"id": "later", "delay": {"days": 1}, "action": WHATSAPP_SERVICE}])
    customer = add_customer()
    journeys.engine().handle(approved(customer["id"], TUESDAY_10_WIB))
    clock.set(TUESDAY_10_WIB + timedelta(days=1))

    cut_short = journeys.engine().advance_due(lambda: 5.0)
    next_run = journeys.engine().advance_due()

    assert (cut_short.sent, cut_short.deferred_to_next_run) == (0, True)
    assert next_run.sent == 1
    assert len(messages(customer["id"])) == 1


def test_the_daily_run_enrols_todays_birthdays_and_their_steps_fall_due_on_time(
    journeys, add_customer, messages, clock
) -> None:
    greeting = {"kind": "message", "channels": ["whatsapp"], "purpose": "greeting", "template": "anniversary"}
    journeys.editor().create(
        {
            "id": "birthday",
            "name": "Birthday",
            "trigger": {"kind": "attribute_date", "field": "birth_date"},
            "steps": [{"id": "greet", "delay": {"hours": 8}, "action": greeting}],
        },
        "test",
    )
    today = add_customer(birth_date="1990-06-17", timezone="Asia/Jakarta")
    add_customer(birth_date="1990-06-18")

    first = journeys.engine().run_daily(TUESDAY_10_WIB.date(), journeys.sources())
    again = journeys.engine().run_daily(TUESDAY_10_WIB.date(), journeys.sources())

    # 08:00 WIB (00:00 + 8 hours) has passed at 10:00 WIB: the greeting is due and goes at once.
    assert (first.started, first.sent, again.started) == (1, 1, 0)
    assert [m["purpose"] for m in messages(today["id"])] == ["greeting"]
