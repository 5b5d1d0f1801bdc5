"""The journeys screens: the list with starts and completions, one journey's conversion per step, text escaped."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.customers.service import Actor
from chalicelib.journeys.events import JourneyEvent
from tests.wired import wired

AT = datetime(2025, 6, 17, 3, 0, tzinfo=UTC)


def test_a_marketer_sees_each_journey_and_its_conversion_per_step(browser, console_user) -> None:
    journeys = wired().journeys
    journeys.editor().seed_defaults("test")
    customer, _ = (
        wired()
        .customers.customer_service()
        .upsert(
            {"external_id": "CJ-1", "name": "Rina", "phone": "+6281211112222", "consents": {"whatsapp": ["greetings"]}},
            Actor("test", "api"),
        )
    )
    journeys.engine().handle(JourneyEvent("contract_approved", customer["id"], AT, "K-1", {"product": "car"}))
    email, _ = console_user("maya", "marketer")
    browser.sign_in(email)

    listed = browser.get("/console/journeys").body.decode()
    shown = browser.get("/console/journeys/welcome")

    assert listed.count('data-testid="journey-row"') == 4
    assert 'href="/console/journeys/welcome"' in listed
    page = shown.body.decode()
    assert shown.status_code == 200
    assert page.count('data-testid="journey-step-row"') == 2
    assert "condition: 1" not in page  # the call step is not due yet: nothing skipped so far
    assert "100.0 %" in page  # the welcome reached everyone who started


def test_a_journey_name_is_shown_as_text(browser, console_user) -> None:
    journeys = wired().journeys
    journeys.editor().create(
        {
            "id": "xss",
            "name": "<script>alert(1)</script>",
            "trigger": {"kind": "paid_off"},
            "steps": [{"id": "call", "action": {"kind": "call_task", "note": "Telepon"}}],
        },
        "test",
    )
    email, _ = console_user("maya", "marketer")
    browser.sign_in(email)

    page = browser.get("/console/journeys/xss").body.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


def test_an_unknown_journey_is_not_found(browser, console_user) -> None:
    email, _ = console_user("maya", "marketer")
    browser.sign_in(email)

    assert browser.get("/console/journeys/nope").status_code == 404


def test_a_telemarketer_may_not_open_the_journeys(browser, console_user) -> None:
    email, _ = console_user("tono", "telemarketer")
    browser.sign_in(email)

    assert browser.get("/console/journeys").status_code == 403
