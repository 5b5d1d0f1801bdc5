"""Reminders on `make run`: the hourly schedule at 08:00 in each zone, a payment stopping the next step, a
Sunday's collection contact waiting for Monday, e-mail for whoever did not opt in on WhatsApp, and a payoff
starting the payoff journey and the BPKB notice. The stack runs as a developer starts it, on a shifted clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from sapa_cli.local.clock import WIB, working_day
from tests.cli.stack_process import ADMIN, http, running_stack, stack_environment

pytestmark = pytest.mark.slow
PROVINCES = {"WIB": "DKI Jakarta", "WITA": "Sulawesi Selatan", "WIT": "Papua"}


def _four_working_days() -> date:
    """The next day that is, with the three after it, a working day (Mon-Sat, no national holiday)."""
    day = datetime.now(UTC).astimezone(WIB).date() + timedelta(days=1)
    while not all(working_day(day + timedelta(days=n)) for n in range(4)):
        day += timedelta(days=1)
    return day


def _month_before(day: date) -> date:
    year, month = (day.year - 1, 12) if day.month == 1 else (day.year, day.month - 1)
    return date(year, month, min(day.day, 28))


def _ok(result: tuple[int, Any]) -> Any:
    status, body = result
    assert status < 300, body
    return body


def _borrower(api: str, key: str, zone: str, pay_by: date, **customer: Any) -> dict[str, Any]:
    """A customer and a contract whose first installment is due (and paid by) `pay_by`."""
    data = {
        "external_id": f"STACK-{key}",
        "name": f"Pelanggan {key}",
        "phone": f"0812{abs(hash(key)) % 10**8:08d}",
        "email": f"{key.lower()}@contoh.co.id",
        "province": PROVINCES[zone],
        "consents": {"whatsapp": ["greetings"]},
        **customer,
    }
    person = _ok(http("POST", f"{api}/customers", data, ADMIN))
    terms = {
        "customer_external_id": data["external_id"],
        "product": "car",
        "vehicle": {"brand": "Toyota", "model": "Avanza", "year": 2022, "plate": "B 1234 XY"},
        "start_date": _month_before(pay_by).isoformat(),
        "tenor_months": 12,
        "installment_amount": 3_500_000,
        "due_day": pay_by.day,
        "virtual_account": "8808123400001",
    }
    _ok(http("PUT", f"{api}/contracts/KTR-{key}", terms, ADMIN))
    return {**person, "contract_no": f"KTR-{key}", "terms": terms}


def _messages(api: str, customer_id: str) -> list[dict[str, Any]]:
    return _ok(http("GET", f"{api}/customers/{customer_id}/messages", None, ADMIN))["items"]


def _eventually(check: Callable[[], Any], seconds: float = 240) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(1)


@pytest.fixture(scope="module")
def weekday(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The stack at 06:57:30 WIB on a working day: its 07:00 tick is 08:00 in Makassar and 09:00 in Jayapura."""
    day = _four_working_days()
    at = datetime.combine(day, datetime.min.time(), WIB).replace(hour=6, minute=57, second=30)
    env = stack_environment(tmp_path_factory.mktemp("state"))
    with running_stack(env, tmp_path_factory.mktemp("logs") / "stack.log", "--at", at.isoformat()) as running:
        api = running["api"]
        pay_by = day + timedelta(days=3)
        people = {
            "jakarta": _borrower(api, "JKT", "WIB", pay_by),
            "makassar": _borrower(api, "MKS", "WITA", pay_by),
            "jayapura": _borrower(api, "JYP", "WIT", pay_by),
            "email_only": _borrower(api, "EML", "WITA", pay_by, consents={}),
        }
        yield running | {"day": day, "people": people}


def test_the_hourly_schedule_sends_h3_at_eight_local_in_each_zone(weekday: dict[str, Any]) -> None:
    api, people = weekday["api"], weekday["people"]

    east = (people["makassar"]["id"], people["jayapura"]["id"])

    reminded = _eventually(lambda: all(_messages(api, who) for who in east))

    assert reminded, "the 07:00 WIB tick reminded nobody in Makassar or Jayapura"
    for who in ("makassar", "jayapura"):
        (message,) = _messages(api, people[who]["id"])
        assert (message["occasion"], message["step"], message["channel"]) == ("reminder", "H-3", "whatsapp")
    assert _messages(api, people["jakarta"]["id"]) == []  # 07:00 in Jakarta: its turn is at 08:00


def test_whoever_did_not_opt_in_on_whatsapp_is_reminded_by_email(weekday: dict[str, Any]) -> None:
    api, people = weekday["api"], weekday["people"]

    messages = _eventually(lambda: _messages(api, people["email_only"]["id"]))

    assert [(m["channel"], m["step"]) for m in messages] == [("email", "H-3")]


def test_a_payment_posted_before_h1_means_no_h1(weekday: dict[str, Any]) -> None:
    api, people, day = weekday["api"], weekday["people"], weekday["day"]
    _eventually(lambda: _messages(api, people["jayapura"]["id"]))
    payment = {"payment_id": "STACK-P1", "contract_no": people["jayapura"]["contract_no"], "installment_no": 1}
    paid = {**payment, "amount": 3_500_000, "paid_at": datetime.now(UTC).isoformat()}
    assert _ok(http("POST", f"{api}/payments", {"payments": [paid]}, ADMIN))["settled"] == 1

    run = _ok(http("POST", f"{api}/reminders/runs", {"date": (day + timedelta(days=2)).isoformat()}, ADMIN))

    assert run["by_step"]["H-1"] == {"whatsapp": 2, "email": 1}  # Jakarta, Makassar and the e-mail: not Jayapura
    assert [m["step"] for m in _messages(api, people["jayapura"]["id"])] == ["H-3"]
    assert {m["step"] for m in _messages(api, people["makassar"]["id"])} == {"H-3", "H-1"}


def test_a_payoff_starts_the_payoff_journey_and_the_bpkb_notice(weekday: dict[str, Any]) -> None:
    api, people, day = weekday["api"], weekday["people"], weekday["day"]
    _ok(http("POST", f"{api}/journeys/defaults", {}, ADMIN))
    makassar = people["makassar"]
    paid_off = {**makassar["terms"], "status": "paid_off", "bpkb_status": "ready"}

    _ok(http("PUT", f"{api}/contracts/{makassar['contract_no']}", paid_off, ADMIN))

    def payoff() -> Any:
        journeys = _ok(http("GET", f"{api}/customers/{makassar['id']}/journeys", None, ADMIN))["items"]
        return [j for j in journeys if j.get("journey_id") == "payoff"]

    assert _eventually(payoff), "the payoff journey did not start"
    run = _ok(http("POST", f"{api}/reminders/runs", {"date": (day + timedelta(days=1)).isoformat()}, ADMIN))
    assert run["by_step"].get("bpkb_ready") == {"whatsapp": 1}
    notices = [m for m in _messages(api, makassar["id"]) if m["step"] == "bpkb_ready"]
    assert [(n["occasion"], n["purpose"]) for n in notices] == [("service", "service")]
    assert "BPKB" in notices[0]["text"]


@pytest.fixture(scope="module")
def sunday(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    day = datetime.now(UTC).astimezone(WIB).date() + timedelta(days=1)
    while day.weekday() != 6 or not working_day(day - timedelta(days=1)):
        day += timedelta(days=1)
    at = datetime.combine(day, datetime.min.time(), WIB).replace(hour=10)
    env = stack_environment(tmp_path_factory.mktemp("state"))
    with running_stack(env, tmp_path_factory.mktemp("logs") / "stack.log", "--at", at.isoformat()) as running:
        yield running | {"day": day}


def test_an_h1_reminder_on_a_sunday_waits_for_the_next_working_morning(sunday: dict[str, Any]) -> None:
    api, day = sunday["api"], sunday["day"]
    person = _borrower(api, "SUN", "WIB", day - timedelta(days=1))  # paid by Saturday: H+1 is today

    run = _ok(http("POST", f"{api}/reminders/runs", {"date": day.isoformat()}, ADMIN))

    opening = day + timedelta(days=1)
    while not working_day(opening):
        opening += timedelta(days=1)
    eight = datetime.combine(opening, datetime.min.time(), WIB).replace(hour=8).astimezone(UTC)
    assert (run["by_step"], run["deferred"]) == ({"H+1": {"whatsapp": 1}}, 1)
    (message,) = _messages(api, person["id"])
    assert (message["step"], message["status"]) == ("H+1", "deferred")
    assert message["not_before"] == eight.strftime("%Y-%m-%dT%H:%M:%SZ")
