"""The journeys API: staff create, edit, pause and read journeys and what they did; bad input is a 4xx."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.journeys.conftest import approved

ADMIN = {"Authorization": "Bearer test-admin-token"}
AT = datetime(2025, 6, 17, 3, 0, tzinfo=UTC)

JOURNEY: dict[str, Any] = {
    "id": "stnk",
    "name": "STNK renewal",
    "trigger": {"kind": "contract_approved"},
    "steps": [
        {
            "id": "notice",
            "action": {"kind": "message", "channels": ["whatsapp"], "purpose": "service", "template": "welcome"},
        }
    ],
    "exit": {"events": ["paid_off"]},
}


def test_a_journey_is_created_listed_edited_paused_and_resumed(api) -> None:
    status, created = api("POST", "/journeys", JOURNEY, ADMIN)
    assert status == 201, created
    assert (created["status"], created["version"]) == ("active", 1)

    _, listed = api("GET", "/journeys", None, ADMIN)
    assert [j["id"] for j in listed["items"]] == ["stnk"]
    edit = {k: v for k, v in JOURNEY.items() if k != "id"} | {"name": "STNK", "version": 1}
    status, edited = api("PUT", "/journeys/stnk", edit, ADMIN)
    assert (status, edited["name"], edited["version"]) == (200, "STNK", 2)
    status, stale = api("PUT", "/journeys/stnk", edit, ADMIN)
    assert status == 409, stale
    _, paused = api("POST", "/journeys/stnk/pause", None, ADMIN)
    _, resumed = api("POST", "/journeys/stnk/resume", None, ADMIN)
    assert (paused["status"], resumed["status"]) == ("paused", "active")
    _, shown = api("GET", "/journeys/stnk", None, ADMIN)
    assert shown["version"] == 4


def test_the_defaults_are_seeded_once_and_an_edit_survives_seeding_again(api) -> None:
    _, first = api("POST", "/journeys/defaults", None, ADMIN)
    api("POST", "/journeys/payoff/pause", None, ADMIN)
    _, again = api("POST", "/journeys/defaults", None, ADMIN)

    assert first["created"] == ["welcome", "cross_sell_month_6", "contract_anniversary", "payoff"]
    assert again["created"] == []
    assert api("GET", "/journeys/payoff", None, ADMIN)[1]["status"] == "paused"


def test_bad_journeys_are_refused_with_what_is_wrong(api) -> None:
    bad_shape = {**JOURNEY, "steps": [{"id": "x", "action": {"kind": "fax"}}]}
    bad_segment = {
        **JOURNEY,
        "steps": [{**JOURNEY["steps"][0], "condition": {"field": "city", "op": "resembles", "value": "x"}}],
    }

    for body in (bad_shape, bad_segment, {**JOURNEY, "surprise": 1}, {"id": "x"}):
        status, answer = api("POST", "/journeys", body, ADMIN)
        assert status == 400, answer
        assert answer["error"] == "validation_error"
        assert answer["fields"]
    assert any(k.startswith("steps.0.condition") for k in api("POST", "/journeys", bad_segment, ADMIN)[1]["fields"])
    assert api("POST", "/journeys", JOURNEY, ADMIN)[0] == 201
    assert api("POST", "/journeys", JOURNEY, ADMIN)[0] == 409
    assert api("GET", "/journeys/nope", None, ADMIN)[0] == 404
    assert api("GET", "/journeys/nope/metrics", None, ADMIN)[0] == 404


def test_metrics_and_what_a_customer_went_through(api, journeys, add_customer, clock) -> None:
    api("POST", "/journeys", JOURNEY, ADMIN)
    customer = add_customer()
    journeys.engine().handle(approved(customer["id"], AT))

    _, metrics = api("GET", "/journeys/stnk/metrics", None, ADMIN)
    _, went = api("GET", f"/customers/{customer['id']}/journeys", None, ADMIN)

    assert (metrics["started"], metrics["completed"]) == (1, 1)
    assert metrics["steps"] == [
        {"id": "notice", "reached": 1, "sent": 1, "called": 0, "skipped": {}, "reached_rate": 1.0}
    ]
    [journey] = went["items"]
    assert (journey["journey_id"], journey["contract_no"], journey["status"]) == ("stnk", "K-1", "completed")
    assert [(s["step_id"], s["outcome"], s["channel"]) for s in journey["steps"]] == [("notice", "sent", "whatsapp")]
