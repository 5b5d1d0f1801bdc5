"""Each input a review found answering 500 now gets a 4xx in Sapa's error shape that says what was wrong."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.scrm.meta_payloads import signed_headers, wa_text

ADMIN = {"Authorization": "Bearer test-admin-token", "Content-Type": "application/json"}
DEEP = ("[" * 50_000 + "]" * 50_000).encode()


def _call(client, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    raw = body if isinstance(body, (bytes, str)) or body is None else json.dumps(body)
    response = getattr(client.http, method.lower())(path, body=raw, headers=headers or ADMIN)
    return response.status_code, json.loads(response.body) if response.body else None


@pytest.mark.parametrize("path", ["/campaigns", "/customers"])
def test_json_nested_fifty_thousand_deep_is_a_400(client, path: str) -> None:
    status, body = _call(client, "POST", path, DEEP)

    assert status == 400
    assert body["error"] == "validation_error"
    assert "nested deeper" in body["fields"]["body"]


def test_a_signed_webhook_nested_fifty_thousand_deep_is_a_400(client) -> None:
    response = client.http.post("/webhooks/meta", body=DEEP, headers=signed_headers(DEEP))

    assert response.status_code == 400
    assert "nested deeper" in json.loads(response.body)["fields"]["body"]


def _crafted(key: dict[str, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


@pytest.mark.parametrize("path", ["/customers", "/audit", "/campaigns", "/leads", "/scrm/conversations"])
def test_a_crafted_cursor_is_refused_before_it_reaches_dynamodb(client, path: str) -> None:
    crafted = _crafted({"pk": "staff#admin", "sk": "staff"})

    status, body = _call(client, "GET", f"{path}?cursor={crafted}")

    assert status == 400
    assert body["fields"] == {"cursor": "is not a cursor this list returned"}


def test_a_genuine_cursor_of_one_list_is_refused_by_another(client, api) -> None:
    for n in range(3):
        api("POST", "/customers", {"external_id": f"CUR-{n}", "name": "Rina"}, ADMIN)
    _, first = api("GET", "/audit?limit=1", None, ADMIN)

    status, body = _call(client, "GET", f"/customers?cursor={first['next']}")
    own, _ = _call(client, "GET", f"/audit?cursor={first['next']}")

    assert status == 400
    assert "cursor" in body["fields"]
    assert own == 200


@pytest.mark.parametrize("field", ["name", "province"])
def test_a_lone_surrogate_in_a_customer_field_is_a_400_naming_it(client, field: str) -> None:
    fields = {"external_id": "SUR-1", "name": "Rina", field: "SURROGATE"}
    body = json.dumps(fields).replace("SURROGATE", "Ri\\ud800na")

    status, answer = _call(client, "POST", "/customers", body)

    assert status == 400
    assert field in answer["fields"]
    assert "Unicode" in answer["fields"][field]


def _conversation(client, runner) -> str:
    payload = json.dumps(wa_text("Kapan jatuh tempo angsuran saya?")).encode()
    assert client.http.post("/webhooks/meta", body=payload, headers=signed_headers(payload)).status_code == 200
    runner.drain("analyse_inbound")
    _, listed = _call(client, "GET", "/scrm/conversations")
    return str(listed["items"][0]["id"])


def test_a_lone_surrogate_in_a_reply_or_an_agent_name_is_a_400(client, runner) -> None:
    conversation = _conversation(client, runner)

    reply, reply_body = _call(client, "POST", f"/scrm/conversations/{conversation}/reply", '{"text": "Baik \\udc00"}')
    assign, assign_body = _call(client, "POST", f"/scrm/conversations/{conversation}/assign", '{"agent": "r\\ud800"}')

    assert (reply, assign) == (400, 400)
    assert "text" in reply_body["fields"]
    assert "agent" in assign_body["fields"]


def test_metrics_for_the_year_9999_is_a_400(client) -> None:
    status, body = _call(client, "GET", "/scrm/metrics?from=9999-12-01&to=9999-12-31")

    assert status == 400
    assert set(body["fields"]) == {"from", "to"}


def test_a_holiday_audience_the_run_cannot_read_is_refused_when_saved(client) -> None:
    audience = {"field": "attributes.religion", "op": "in", "value": ["islam"]}

    status, body = _call(
        client, "PUT", "/holidays/2026-03-20", {"name": "Idul Fitri", "greet": True, "audience": audience}
    )

    assert status == 400
    assert "audience.field" in body["fields"]


def test_one_unreadable_holiday_never_stops_the_rest_of_a_run(client, aws, api, clock) -> None:
    from chalicelib.greetings.holidays_calendar import HolidayOverride
    from tests.wired import greetings as deps

    clock.set(datetime(2025, 12, 25, 1, 0, tzinfo=UTC))
    api(
        "POST",
        "/customers",
        {
            "external_id": "H-1",
            "name": "Maria",
            "phone": "081244443333",
            "birth_date": "1990-12-25",
            "consents": {"whatsapp": ["greetings"]},
        },
        ADMIN,
    )
    stored_before_validation = HolidayOverride(
        datetime(2025, 12, 25).date(),
        name="Natal",
        audience={"field": "attributes.religion", "op": "in", "value": ["x"]},
    )
    deps.holiday_store().save(stored_before_validation, "an older Sapa", clock.now)

    status, run = _call(client, "POST", "/greetings/runs", {"date": "2025-12-25"})

    assert status == 200
    assert run["birthday"] == 1
    assert [error.split(":")[0] for error in run["holiday_errors"]] == ["natal"]


def test_unsupported_media_types_and_methods_answer_in_sapas_error_shape(client) -> None:
    media, media_body = _call(client, "POST", "/customers", "<xml/>", {**ADMIN, "Content-Type": "text/xml"})
    method, method_body = _call(client, "PUT", "/health", None, {})

    assert (media, media_body["error"]) == (415, "unsupported_media_type")
    assert (method, method_body["error"]) == (405, "method_not_allowed")


def test_query_parameters_a_route_does_not_read_are_a_400_naming_them(client) -> None:
    status, body = _call(client, "GET", "/customers?q=budi&provinsi=Bali&segment=x&limit=5")

    assert status == 400
    assert body["fields"] == {"provinsi": "unknown query parameter", "segment": "unknown query parameter"}


def test_an_idempotency_key_reused_with_a_different_reply_is_a_422(client, runner) -> None:
    conversation = _conversation(client, runner)
    headers = {**ADMIN, "Idempotency-Key": "reply-7"}

    first, _ = _call(client, "POST", f"/scrm/conversations/{conversation}/reply", {"text": "Tanggal 10"}, headers)
    again, _ = _call(client, "POST", f"/scrm/conversations/{conversation}/reply", {"text": "Tanggal 10"}, headers)
    other, body = _call(client, "POST", f"/scrm/conversations/{conversation}/reply", {"text": "Tanggal 11"}, headers)

    assert (first, again, other) == (202, 202, 422)
    assert "Idempotency-Key" in body["fields"]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer test-admin-token"}], ids=["no token", "token"])
def test_an_unknown_route_is_a_404_in_sapa_shape_not_a_gateway_403(client, headers: dict[str, str]) -> None:
    response = client.http.get("/customer/cus_1", headers=headers)

    assert response.status_code == 404
    assert json.loads(response.body) == {
        "error": "not_found",
        "message": "No such route: this method and path are not part of Sapa's API",
    }


def test_a_known_path_with_a_method_it_does_not_have_is_a_405_in_sapa_shape(client) -> None:
    response = client.http.request("PATCH", "/customers", headers={"Authorization": "Bearer test-admin-token"})

    assert response.status_code == 405
    assert json.loads(response.body)["error"] == "method_not_allowed"


def test_a_missing_token_is_a_401_in_sapa_shape(client) -> None:
    response = client.http.get("/customers")

    assert response.status_code == 401
    assert json.loads(response.body)["error"] == "unauthorized"
