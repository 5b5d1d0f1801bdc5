"""`sapa local --at`: the whole stack lives at the moment named, and the contact policy decides as it would then."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sapa_cli.local.clock import WIB, working_day
from tests.cli.stack_process import ADMIN, http, running_stack, stack_environment

pytestmark = pytest.mark.slow


def _next_sunday_morning() -> datetime:
    day = datetime.now(UTC).astimezone(WIB).date() + timedelta(days=1)
    while day.weekday() != 6:
        day += timedelta(days=1)
    return datetime.combine(day, datetime.min.time(), WIB).replace(hour=10)


@pytest.fixture(scope="module")
def sunday(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    at = _next_sunday_morning()
    env = stack_environment(tmp_path_factory.mktemp("state"))
    log = tmp_path_factory.mktemp("logs") / "stack.log"
    with running_stack(env, log, "--at", at.isoformat()) as running:
        yield running | {"at": at}


def _campaign_figures(api: str, campaign_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 45
    while True:
        status, body = http("GET", f"{api}/campaigns/{campaign_id}", None, ADMIN)
        assert status == 200, body
        if body["counts"]["deferred"] or time.monotonic() > deadline:
            return body["counts"]
        time.sleep(0.5)


def test_on_a_sunday_a_promotion_waits_for_the_next_working_morning(sunday: dict[str, Any]) -> None:
    api = sunday["api"]
    status, body = http(
        "POST",
        f"{api}/customers",
        {
            "external_id": "AT-SUNDAY-1",
            "name": "Dewi Minggu",
            "phone": "081377001234",
            "city": "Kota Hari Minggu",
            "province": "DKI Jakarta",
            "consents": {"whatsapp": ["promotions"]},
        },
        ADMIN,
    )
    assert status in (200, 201), body
    campaign = {
        "name": "Promo hari Minggu",
        "channel": "whatsapp",
        "template": "promo_dp_ringan",
        "segment": {"all": [{"field": "city", "op": "eq", "value": "Kota Hari Minggu"}]},
    }
    status, created = http("POST", f"{api}/campaigns", campaign, ADMIN)
    assert status == 201, created
    status, sent = http("POST", f"{api}/campaigns/{created['id']}/send", {}, ADMIN)
    assert status < 300, sent

    figures = _campaign_figures(api, created["id"])

    monday = sunday["at"].date() + timedelta(days=1)
    while not working_day(monday):
        monday += timedelta(days=1)
    opening = datetime.combine(monday, datetime.min.time(), WIB).replace(hour=8)
    assert figures["deferred"] == 1, figures
    assert figures["sent"] == 0, figures
    assert datetime.fromisoformat(figures["not_before"]["earliest"].replace("Z", "+00:00")) == opening


def test_the_stack_says_what_time_it_lives_at(sunday: dict[str, Any]) -> None:
    moment = sunday["at"].strftime("%a %d %b %Y %H:%M WIB")

    assert f"the stack's clock is shifted to {moment}" in sunday["log"].read_text()
