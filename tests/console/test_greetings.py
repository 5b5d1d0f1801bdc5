"""The greetings screen: the year's holidays with their source, overrides edited in place, the runs' history."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.wired import greetings as deps

XSS = "<img src=x onerror=alert(1)>"
NATAL = "2027-12-25"


def _row(page: str, day: str) -> str:
    found = re.search(rf'<tr data-testid="holiday-row" id="holiday-{day}".*?</tr>', page, re.S)
    assert found, day
    return found.group(0)


def _marketer(browser, console_user) -> None:
    email, _ = console_user("maya", "marketer")
    browser.sign_in(email)


def test_the_year_view_shows_each_holiday_with_its_source_and_whether_it_greets(browser, console_user) -> None:
    _marketer(browser, console_user)

    page = browser.get("/console/greetings?year=2027").body.decode()

    assert page.count('data-testid="holiday-row"') >= 10
    natal = _row(page, NATAL)
    assert 'data-source="library"' in natal
    assert "diberi ucapan" in natal  # Natal greets by default
    assert 'data-source="estimate"' in page  # the lunar dates are the library's estimates
    assert "tanpa ucapan" in page  # days off that are no occasion to greet
    assert 'href="/console/greetings?year=2028"' in page


def test_saving_a_row_in_place_answers_the_row_as_an_override(browser, console_user) -> None:
    _marketer(browser, console_user)
    token = browser.csrf("/console/greetings?year=2027")

    answer = browser.post(
        f"/console/greetings/holidays/{NATAL}",
        {
            "csrf": token,
            "name": "Hari Natal",
            "key": "natal",
            "day_off": "yes",
            "channel_email": "yes",
            "audience_field": "religion",
            "audience_op": "eq",
            "audience_value": "kristen",
        },
        headers={"HX-Request": "true"},
    )

    row = answer.body.decode()
    assert answer.status_code == 200
    assert row.startswith('<tr data-testid="holiday-row"') or row.lstrip().startswith("<tr")
    assert 'data-source="override"' in row
    assert "tanpa ucapan" in row  # greet was left unticked
    assert "religion eq kristen" in row
    [holiday] = [h for h in deps.holiday_editor().calendar(2027) if h.date == date(2027, 12, 25)]
    assert (holiday.greet, holiday.channels, holiday.source) == (False, ("email",), "override")


def test_a_bad_row_comes_back_with_its_problems_and_nothing_is_saved(browser, console_user) -> None:
    _marketer(browser, console_user)
    token = browser.csrf("/console/greetings?year=2027")

    answer = browser.post(
        f"/console/greetings/holidays/{NATAL}",
        {"csrf": token, "name": "", "key": "natal", "greet": "yes", "audience_field": "no such field!"},
        headers={"HX-Request": "true"},
    )

    row = answer.body.decode()
    assert 'class="error"' in row
    assert "name" in row
    assert deps.holiday_store().overrides(2027) == []


def test_without_htmx_a_save_goes_back_to_the_year(browser, console_user) -> None:
    _marketer(browser, console_user)
    token = browser.csrf("/console/greetings?year=2027")

    answer = browser.post(f"/console/greetings/holidays/{NATAL}", {"csrf": token, "name": "Natal", "greet": "yes"})

    assert answer.status_code == 303
    assert "/console/greetings?year=2027" in answer.headers["Location"]


def test_cancelling_a_day_keeps_it_listed_without_a_greeting(browser, console_user) -> None:
    _marketer(browser, console_user)
    token = browser.csrf("/console/greetings?year=2027")

    browser.post(f"/console/greetings/holidays/{NATAL}/cancel", {"csrf": token})
    natal = _row(browser.get("/console/greetings?year=2027").body.decode(), NATAL)

    assert 'data-source="override"' in natal
    assert "tanpa ucapan" in natal


def test_adding_a_date_and_its_name_is_shown_as_text(browser, console_user) -> None:
    _marketer(browser, console_user)
    token = browser.csrf("/console/greetings?year=2027")

    answer = browser.post(
        "/console/greetings/holidays", {"csrf": token, "date": "2027-07-01", "name": XSS, "greet": "yes"}
    )
    page = browser.get("/console/greetings?year=2027").body.decode()

    assert answer.status_code == 303
    row = _row(page, "2027-07-01")
    assert "&lt;img src=x onerror=alert(1)&gt;" in row
    assert "<img src=x" not in page


def test_a_bad_new_date_is_named(browser, console_user) -> None:
    _marketer(browser, console_user)
    token = browser.csrf("/console/greetings?year=2027")

    answer = browser.post("/console/greetings/holidays", {"csrf": token, "date": "2027-02-30", "name": "X"})

    assert answer.status_code == 400
    assert "date" in answer.body.decode()


def test_the_runs_are_listed_with_their_outcomes(browser, console_user, aws) -> None:
    from chalicelib.customers.service import Actor
    from tests.wired import customers as customer_deps

    customer_deps.customer_service().upsert(
        {"external_id": "G-1", "name": "Ani", "phone": "+6281300000001", "birth_date": "1990-06-17", "consents": {}},
        Actor("test", "api"),
    )
    deps.greeting_service().run_date(date(2025, 6, 17), inline_holidays=True)
    _marketer(browser, console_user)

    page = browser.get("/console/greetings?year=2025").body.decode()

    [row] = re.findall(r'<tr data-testid="run-row">.*?</tr>', page, re.S)
    assert "2025-06-17" in row
    assert 'data-label="Untuk ditelepon">1<' in row


@pytest.mark.parametrize(("name", "role"), [("tono", "telemarketer"), ("vina", "viewer")])
def test_a_telemarketer_and_a_viewer_may_not_open_greetings(browser, console_user, name, role) -> None:
    email, _ = console_user(name, role)
    browser.sign_in(email)

    assert browser.get("/console/greetings").status_code == 403


def test_a_marketer_sees_greetings_in_the_menu(browser, console_user) -> None:
    _marketer(browser, console_user)
    home = browser.get("/console").body.decode()
    assert 'href="/console/greetings"' in home
    assert 'href="/console/calls"' in home
