"""The greeting runs as a history: each date with whom it greeted and what became of the greetings."""

from __future__ import annotations

from datetime import UTC, date, datetime
from urllib.parse import quote

from tests.wired import greetings as deps
from tests.wired import outbound as outbound_deps

ADMIN = {"Authorization": "Bearer test-admin-token"}


def test_the_runs_of_a_year_are_listed_newest_first(api, add_customer) -> None:
    add_customer(birth_date="1990-06-15")
    add_customer(birth_date="1990-06-16", consents={})
    api("POST", "/greetings/runs", {"date": "2027-06-15"}, ADMIN)
    api("POST", "/greetings/runs", {"date": "2027-06-16"}, ADMIN)
    api("POST", "/greetings/runs", {"date": "2026-06-15"}, ADMIN)

    status, runs = api("GET", "/greetings/runs?year=2027", None, ADMIN)

    assert status == 200
    assert [r["date"] for r in runs["items"]] == ["2027-06-16", "2027-06-15"]
    newest, older = runs["items"]
    assert (older["greeted"], older["called"]) == (1, 0)
    assert (newest["greeted"], newest["called"]) == (0, 1)


def test_a_date_range_and_paging(api, add_customer) -> None:
    add_customer(birth_date="1990-06-15")
    for day in ("2027-06-14", "2027-06-15", "2027-06-16"):
        api("POST", "/greetings/runs", {"date": day}, ADMIN)

    _, first = api("GET", "/greetings/runs?from=2027-06-15&to=2027-06-16&limit=1", None, ADMIN)
    _, second = api(
        "GET", f"/greetings/runs?from=2027-06-15&to=2027-06-16&limit=1&cursor={quote(first['next'])}", None, ADMIN
    )

    assert [r["date"] for r in first["items"]] == ["2027-06-16"]
    assert [r["date"] for r in second["items"]] == ["2027-06-15"]


def test_bad_run_queries_are_refused_with_the_field(api) -> None:
    cases = {
        "/greetings/runs?year=abc": "year",
        "/greetings/runs?year=2027&from=2027-01-01": "year",
        "/greetings/runs?from=2027-02-30": "from",
        "/greetings/runs?from=2027-06-02&to=2027-06-01": "to",
        "/greetings/runs?month=6": None,
    }
    for path, field in cases.items():
        status, body = api("GET", path, None, ADMIN)
        assert status == 400, path
        if field:
            assert field in body["fields"], (path, body)


def test_what_became_of_the_greetings_is_counted_once_per_message(api, add_customer, runner, whatsapp, clock) -> None:
    add_customer(birth_date="1990-06-17", consents={"whatsapp": ["greetings"]})
    add_customer(birth_date="1990-06-17", consents={"whatsapp": ["greetings"]})
    api("POST", "/greetings/runs", {"date": "2025-06-17"}, ADMIN)
    runner.drain("send_outbound")
    first, second = whatsapp.messages()
    updater = outbound_deps.status_updater()
    at = datetime(2025, 6, 17, 3, 5, tzinfo=UTC)

    updater.apply(first["id"], "delivered", at)
    updater.apply(first["id"], "delivered", at)  # Meta repeats itself
    updater.apply(first["id"], "read", at)
    updater.apply(second["id"], "failed", at, reason="undeliverable", code="131026")

    _, runs = api("GET", "/greetings/runs?year=2025", None, ADMIN)
    [run] = runs["items"]
    assert (run["greeted"], run["sent"], run["delivered"], run["read"], run["failed"]) == (2, 2, 1, 1, 1)


def test_a_greeting_that_waits_for_its_hours_is_counted_parked(add_customer, clock) -> None:
    add_customer(birth_date="1990-06-17")
    clock.set(datetime(2025, 6, 17, 13, 30, tzinfo=UTC))  # 20:30 WIB: the greeting hours are over

    deps.greeting_service().run_date(date(2025, 6, 17), inline_holidays=True)
    clock.set(datetime(2025, 6, 18, 1, 1, tzinfo=UTC))
    outbound_deps.release().run()

    run = deps.run_store().totals(date(2025, 6, 17))
    assert run["parked"] >= 1
