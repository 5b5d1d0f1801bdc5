"""The OpenAPI document names every route with its models, is valid OpenAPI 3.1, and is served with its reference."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator

import app as sapa_app
from chalicelib import query_params
from chalicelib.access.roles import ROUTE_PERMISSIONS
from chalicelib.apidocs.reference import render_reference
from chalicelib.core.contract import spec_of
from chalicelib.core.openapi import document, operations
from tests.conftest import ADMIN


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return document(sapa_app.app, ROUTE_PERMISSIONS)


def _documented(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in doc["paths"].items() for method in item}


def test_every_route_of_the_app_is_in_the_document(doc) -> None:
    routes = {(method, path) for path, method, _ in operations(sapa_app.app)}

    assert routes - _documented(doc) == set(), "routes missing from the OpenAPI document"
    assert _documented(doc) - routes == set()


def test_every_route_declares_what_it_takes_and_answers() -> None:
    undeclared = sorted(
        f"{method} {path} ({entry.view_name})"
        for path, method, entry in operations(sapa_app.app)
        if spec_of(entry.view_function) is None
    )

    assert undeclared == [], "add @api(...) under the route: " + ", ".join(undeclared)


def test_the_document_is_valid_openapi_3_1(doc) -> None:
    assert doc["openapi"].startswith("3.1")
    errors = [error.message for error in OpenAPIV31SpecValidator(doc).iter_errors()]

    assert errors == []


def test_every_schema_reference_resolves(doc) -> None:
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(doc)))

    assert refs - set(doc["components"]["schemas"]) == set()


def test_the_documented_query_parameters_are_the_ones_each_route_reads(doc) -> None:
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            documented = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            assert documented == set(query_params.ALLOWED.get((method.upper(), path), ())), f"{method} {path}"


def test_staff_routes_need_the_bearer_token_and_name_their_permission(doc) -> None:
    assert doc["components"]["securitySchemes"]["staffToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": doc["components"]["securitySchemes"]["staffToken"]["description"],
    }
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            permission = ROUTE_PERMISSIONS[(method.upper(), path)]
            assert operation["x-permission"] == (permission.value if permission else None)
            assert bool(operation.get("security")) == (permission is not None), f"{method} {path}"
            if permission is not None:
                assert {"401", "403"} <= set(operation["responses"]), f"{method} {path}"


def test_errors_are_documented_in_sapas_shape(doc) -> None:
    error = doc["components"]["schemas"]["ErrorBody"]

    assert set(error["required"]) == {"error", "message"}
    assert set(error["properties"]) == {"error", "message", "fields"}
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            assert "400" in operation["responses"], f"{method} {path}"
            for status, answer in operation["responses"].items():
                schema = answer.get("content", {}).get("application/json", {}).get("schema")
                if int(status) >= 400 and schema is not None and path != "/health":
                    assert schema == {"$ref": "#/components/schemas/ErrorBody"}, f"{method} {path} {status}"


def test_the_document_is_served_without_a_token(api) -> None:
    status, body = api("GET", "/openapi.json")

    assert status == 200
    assert body == json.loads(json.dumps(document(sapa_app.app, ROUTE_PERMISSIONS)))


def test_the_reference_page_is_served_with_its_own_stylesheet_and_no_script(client) -> None:
    page = client.http.get("/docs")
    html = page.body.decode()

    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert "<script" not in html.lower()
    assert not re.search(r"\son\w+=", html), "no inline event handlers"
    assert " style=" not in html
    assert re.findall(r'<link[^>]+href="([^"]+)"', html) == ["docs/style.css"]
    assert "http://" not in html
    assert "https://" not in html.replace("https://spec.openapis.org", "")
    for path, _, _ in operations(sapa_app.app):
        assert f"<code>{path}</code>" in html
    assert "customers:write" in html
    assert "marketer" in html

    css = client.http.get("/docs/style.css")
    assert css.status_code == 200
    assert css.headers["Content-Type"].startswith("text/css")
    assert "url(" not in css.body.decode()
    assert "@import" not in css.body.decode()


def test_the_reference_escapes_every_text_of_the_document(doc) -> None:
    hostile = json.loads(json.dumps(doc))
    operation = hostile["paths"]["/customers"]["get"]
    operation["summary"] = '<script>alert("x")</script>'
    operation["parameters"][0]["description"] = '<img src=x onerror="alert(1)">'
    hostile["components"]["schemas"]["Customer"]["description"] = "</pre><script>alert(2)</script>"

    html = render_reference(hostile)

    assert "<script" not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_a_pydantic_error_is_sapas_400_naming_each_field_by_its_dotted_location(api) -> None:
    status, body = api(
        "PUT",
        "/settings/contact-policy",
        {"purposes": {"promotion": {"days": ["mon"], "start": "nine", "end": "18:00", "exclude_national_holidays": 1}}},
        ADMIN,
    )

    assert status == 400
    assert body["error"] == "validation_error"
    assert "purposes.promotion.start" in body["fields"]


def test_a_call_outcome_is_validated_by_its_model(api) -> None:
    status, body = api("POST", "/telegreeting/x", {"outcome": "maybe", "notes": 5}, ADMIN)

    assert status == 400
    assert set(body["fields"]) == {"outcome", "notes"}


def test_the_customer_bodies_are_checked_by_the_model_the_document_shows(doc) -> None:
    from chalicelib.customers.validation import CustomerBody

    schema = doc["components"]["schemas"]["CustomerBody"]
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == set(CustomerBody.model_fields)
    for path, method in (("/customers", "post"), ("/customers/{customer_id}", "put")):
        operation = doc["paths"][path][method]
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        assert body == {"$ref": "#/components/schemas/CustomerBody"}
        assert "x-checked-by" not in operation
