"""Each route's declared models validate its request at runtime, in Sapa's error shape."""

from __future__ import annotations

import pytest

from chalicelib.core.contract import api, resolve, spec_of
from chalicelib.core.errors import ValidationFailed
from chalicelib.core.http import parse_model
from tests.conftest import ADMIN


@pytest.mark.parametrize(
    ("query", "field", "problem"),
    [
        ("/holidays?year=abc", "year", "must be a year between 1970 and 2100"),
        ("/telegreeting?date=2025-02-30", "date", "must be a date YYYY-MM-DD"),
        ("/audit?limit=0", "limit", "must be between 1 and 500"),
        ("/scrm/conversations?priority=9", "priority", "must be 1 (most urgent) to 4"),
        ("/scrm/conversations/c1?limit=201", "limit", "must be between 1 and 200"),
        ("/campaigns?status=done", "status", "must be one of draft, scheduled, sending, paused, completed, cancelled"),
        ("/scrm/metrics?sla_hours=0", "sla_hours", "must be a number of hours between 0 and 720"),
        ("/customers?phone=%20", "phone", "must not be empty"),
    ],
)
def test_a_query_string_is_validated_by_its_routes_model(api, query: str, field: str, problem: str) -> None:
    status, body = api("GET", query, headers=ADMIN)

    assert status == 400
    assert body == {"error": "validation_error", "message": "Some fields are invalid", "fields": {field: problem}}


def test_an_empty_query_value_is_the_same_as_none(api) -> None:
    assert api("GET", "/audit?limit=&cursor=", headers=ADMIN)[0] == 200
    assert api("GET", "/scrm/conversations?status=&priority=", headers=ADMIN)[0] == 200


def test_an_unknown_query_parameter_is_still_refused_by_name_first(api) -> None:
    status, body = api("GET", "/holidays?year=abc&yr=2025", headers=ADMIN)

    assert (status, body["fields"]) == (400, {"yr": "unknown query parameter"})


def test_body_errors_name_nested_fields_by_their_dotted_location() -> None:
    from chalicelib.outbound.schemas import ContactPolicyChange

    with pytest.raises(ValidationFailed) as caught:
        parse_model(ContactPolicyChange, {"purposes": {"promotion": {"days": ["someday"]}}, "colour": "red"})

    fields = caught.value.fields
    assert fields["colour"] == "unknown field"
    assert fields["purposes.promotion.start"] == "required"
    assert "purposes.promotion.days.0" in fields


def test_a_declaration_leaves_the_view_function_as_it_was() -> None:
    def view() -> str:
        """Say hello."""
        return "hello"

    declared = api(body="HaltRequest", responses={200: "HaltState"})(view)

    assert declared is view
    assert declared() == "hello"
    spec = spec_of(view)
    assert spec is not None
    assert (spec.summary, spec.body, dict(spec.responses)) == ("Say hello.", "HaltRequest", {200: "HaltState"})


def test_model_names_resolve_in_the_routes_package_in_core_or_by_full_path() -> None:
    from chalicelib.core.api_models import Page
    from chalicelib.outbound.schemas import HaltRequest
    from chalicelib.scrm.schemas import Lead

    assert resolve("HaltRequest", "chalicelib.outbound.routes") is HaltRequest
    assert resolve("chalicelib.scrm.schemas:Lead", "chalicelib.outbound.routes") is Lead
    assert resolve("Page[Lead]", "chalicelib.scrm.routes") is Page[Lead]
    with pytest.raises(LookupError):
        resolve("Nothing", "chalicelib.outbound.routes")
