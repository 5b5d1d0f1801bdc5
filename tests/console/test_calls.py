"""The call list: a telemarketer's day, one click per outcome, every attempt kept and shown."""

from __future__ import annotations

import re
import urllib.parse
from datetime import date

from chalicelib.customers.service import Actor
from tests.scrm.meta_payloads import ADMIN, dm
from tests.wired import customers as customer_deps
from tests.wired import greetings as deps

XSS = "<img src=x onerror=alert(1)>"
DAY = "2025-06-17"  # the tests' clock: 10:00 WIB on a Tuesday


def _called(name: str = "Ibu Sari", birth: str = "1980-06-17") -> dict:
    customer, _ = customer_deps.customer_service().upsert(
        {"external_id": "C-1", "name": name, "phone": "+6281311112222", "birth_date": birth, "consents": {}},
        Actor("test", "api"),
    )
    deps.greeting_service().run_date(date(2025, 6, 17), inline_holidays=True)
    return customer


def _task_path(page: str) -> str:
    found = re.search(r'action="(/console/calls/[^"]+)"', page)
    assert found, page
    return found.group(1)


def _record(browser, path: str, outcome: str, **fields: str) -> object:
    token = browser.csrf(f"/console/calls?day={DAY}")
    return browser.post(path, {"csrf": token, "outcome": outcome, "back": f"/console/calls?day={DAY}", **fields})


def test_a_telemarketer_records_no_answer_then_reached_and_sees_both(browser, console_user, aws) -> None:
    _called()
    email, _ = console_user("tono", "telemarketer")
    browser.sign_in(email)
    page = browser.get(f"/console/calls?day={DAY}").body.decode()
    assert "Ibu Sari" in page
    assert 'href="tel:+6281311112222"' in page
    path = _task_path(page)

    first = _record(browser, path, "no_answer", notes="tidak diangkat, coba sore")
    still_open = browser.get(f"/console/calls?day={DAY}&status=open").body.decode()
    second = _record(browser, path, "reached", notes="senang sekali")
    page = browser.get(f"/console/calls?day={DAY}").body.decode()

    assert first.status_code == 303
    assert still_open.count('data-testid="call-row"') == 1
    assert second.status_code == 303
    assert page.count('data-testid="attempt"') == 2
    assert "tidak diangkat, coba sore" in page
    assert "senang sekali" in page
    assert 'data-status="done"' in page
    assert browser.get(f"/console/calls?day={DAY}&status=open").body.decode().count('data-testid="call-row"') == 0


def test_a_callback_asks_for_a_time_and_shows_it(browser, console_user, aws) -> None:
    _called()
    email, _ = console_user("tono", "telemarketer")
    browser.sign_in(email)
    path = _task_path(browser.get(f"/console/calls?day={DAY}").body.decode())

    refused = _record(browser, path, "callback")
    done = _record(browser, path, "callback", callback_at="2025-06-18T15:30")
    later = browser.get("/console/calls?day=2025-06-18").body.decode()

    assert refused.status_code == 400
    assert "callback_at" in refused.body.decode()
    assert done.status_code == 303
    assert later.count('data-testid="call-row"') == 1
    assert "18/06/2025 15.30 WIB" in later


def test_names_and_notes_are_shown_as_text(browser, console_user, aws) -> None:
    _called(name=XSS)
    email, _ = console_user("tono", "telemarketer")
    browser.sign_in(email)
    path = _task_path(browser.get(f"/console/calls?day={DAY}").body.decode())
    _record(browser, path, "no_answer", notes=XSS)

    page = browser.get(f"/console/calls?day={DAY}").body.decode()

    assert page.count("&lt;img src=x onerror=alert(1)&gt;") >= 2
    assert "<img src=x" not in page


def test_a_lead_on_the_list_shows_the_sender_and_their_contact(browser, console_user, deliver, make_customer) -> None:
    make_customer(name="Budi Santoso")
    from tests.scrm.meta_payloads import wa_text

    deliver(wa_text("Saya mau ajukan kredit mobil baru, syaratnya apa?"))
    email, _ = console_user("tono", "telemarketer")
    browser.sign_in(email)

    page = browser.get(f"/console/calls?day={DAY}&kind=lead").body.decode()

    assert page.count('data-testid="call-row"') == 1
    assert "Budi Santoso" in page
    assert 'href="tel:+6281234567890"' in page


def test_linking_the_conversation_fills_the_lead_on_the_list(
    browser, console_user, deliver, make_customer, api
) -> None:
    customer = make_customer(name="Dewi Lestari", phone="+6281377770000")
    deliver(dm("instagram", "I want to apply for a new car loan, what are the requirements?", sender="IG-LEAD"))
    agent, _ = console_user("sari", "agent")
    browser.sign_in(agent)
    [found] = api("GET", "/scrm/conversations", headers=ADMIN)[1]["items"]
    conversation = found["id"]
    before = browser.get(f"/console/calls?day={DAY}&kind=lead").body.decode()
    assert "Dewi Lestari" not in before
    token = browser.csrf(f"/console/inbox/{conversation}")

    browser.post(f"/console/inbox/{conversation}/link", {"csrf": token, "customer_id": customer["id"]})
    page = browser.get(f"/console/calls?day={DAY}&kind=lead").body.decode()

    assert "Dewi Lestari" in page
    assert 'href="tel:+6281377770000"' in page


def test_filters_that_do_not_exist_are_named(browser, console_user, aws) -> None:
    email, _ = console_user("tono", "telemarketer")
    browser.sign_in(email)

    page = browser.get("/console/calls?status=later&kind=sms&day=2025-02-30").body.decode()

    assert "status: must be one of open, done, callback" in page
    assert "kind: must be one of" in page
    assert "day: must be a date" in page


def test_a_viewer_may_not_open_the_call_list_and_the_menu_says_so(browser, console_user) -> None:
    viewer, _ = console_user("vina", "viewer")
    browser.sign_in(viewer)
    assert browser.get("/console/calls").status_code == 403
    assert 'href="/console/calls"' not in browser.get("/console").body.decode()


def test_the_menu_links_the_call_list_for_telemarketers(browser, console_user) -> None:
    email, _ = console_user("tono", "telemarketer")
    browser.sign_in(email)
    home = browser.get("/console").body.decode()
    assert 'href="/console/calls"' in home
    assert 'href="/console/greetings"' not in home


def test_an_unknown_task_is_shown_as_a_problem(browser, console_user) -> None:
    email, _ = console_user("tono", "telemarketer")
    browser.sign_in(email)
    token = browser.csrf("/console/calls")
    path = "/console/calls/" + urllib.parse.quote("2025-06-17.nobody.birthday", safe="")

    answer = browser.post(path, {"csrf": token, "outcome": "reached"})

    assert answer.status_code == 404
    assert "No call task" in answer.body.decode()
